//===- frontend/Lexer.h - tokens of the TorchScript language --------------===//
//
// An indentation-aware lexer for the Python subset TorchScript accepts, in
// C++ so that code stored in archives compiles without Python. It produces
// NEWLINE / INDENT / DEDENT tokens as Python's tokenizer does, joins lines
// inside brackets and after a backslash, decodes string literals (with their
// prefixes: r, b, f), and keeps `# type: (...) -> ...` comments as tokens
// because TorchScript reads signatures and variable types from them.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Diagnostic.h"

#include <memory>
#include <string>
#include <vector>

namespace ember::frontend {

enum class TokKind {
  Name,        // identifiers and keywords (keywords are told apart by isKeyword)
  Int,         // decimal, hex, octal, binary; text holds the spelling
  Float,       // text holds the spelling
  Imaginary,   // `2j`, `1.5j`
  String,      // value holds the decoded text; text the prefix (r, b, f, rf...)
  Op,          // operators and delimiters
  Newline,     // end of a logical line
  Indent,
  Dedent,
  TypeComment, // `# type: ...`; value holds what follows `type:`
  End,
};

struct Token {
  TokKind kind;
  std::string text;
  std::string value;
  size_t offset = 0;
  size_t length = 0;
};

/// True for Python's reserved words.
bool isKeyword(const std::string &name);

/// Splits `buffer` into tokens, ending with End. Lexical errors (a bad
/// character, an unterminated string, inconsistent dedent) throw
/// CompileError with the rendered diagnostic.
std::vector<Token> tokenize(const std::shared_ptr<const SourceBuffer> &buffer);

} // namespace ember::frontend
