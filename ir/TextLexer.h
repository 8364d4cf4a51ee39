//===- ir/TextLexer.h - tokens of the graph and schema languages ----------===//
//
// A small lexer shared by the IR parser and the schema parser. `#` comments
// are kept as tokens so that the IR parser can read ` # file:line:col`
// locations after a node; everything else skips them.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Diagnostic.h"

#include <memory>
#include <string>
#include <vector>

namespace ember {

enum class TokKind { Ident, Number, String, ValueName, Punct, Arrow, Comment, End };

struct Token {
  TokKind kind;
  std::string text; // identifier, number spelling, unescaped string, value name, punct
  size_t offset;
  size_t length;
  bool newlineBefore; // a newline separates this token from the previous one
};

class TextLexer {
public:
  TextLexer(std::shared_ptr<const SourceBuffer> buffer);

  /// The next non-comment token.
  const Token &peek(size_t ahead = 0) const;
  Token next();
  bool isPunct(const std::string &p, size_t ahead = 0) const;
  bool isIdent(const std::string &name, size_t ahead = 0) const;
  bool acceptPunct(const std::string &p);
  bool acceptIdent(const std::string &name);
  Token expectPunct(const std::string &p);
  Token expect(TokKind kind, const char *what);

  /// A comment that directly follows the last consumed token on its line.
  const Token *trailingComment() const;
  void skipTrailingComment();
  /// Skips tokens up to `offset` (for raw text consumed by the caller).
  void skipTo(size_t offset);

  [[noreturn]] void error(const Token &at, const std::string &message) const;

  /// Bounds the recursion of the parsers built on this lexer (nested types,
  /// literals, blocks), so hostile input gets a diagnostic, not a crash.
  class DepthGuard {
  public:
    explicit DepthGuard(TextLexer &lex) : lex_(lex) {
      if (++lex_.depth_ > kMaxDepth)
        lex_.error(lex_.peek(), "input is nested too deeply (more than " +
                                    std::to_string(kMaxDepth) + " levels)");
    }
    ~DepthGuard() { --lex_.depth_; }

  private:
    TextLexer &lex_;
  };
  SourceSpan span(const Token &t) const { return {buffer_, t.offset, std::max<size_t>(t.length, 1)}; }
  const std::shared_ptr<const SourceBuffer> &buffer() const { return buffer_; }
  static std::string describe(const Token &t);

private:
  void lex();
  std::shared_ptr<const SourceBuffer> buffer_;
  std::vector<Token> tokens_;
  size_t pos_ = 0; // index into tokens_, never at a comment after a call
  int depth_ = 0;
  static constexpr int kMaxDepth = 500;
  void skipComments();
};

} // namespace ember
