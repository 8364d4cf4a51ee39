//===- frontend/Parser.h - TorchScript source to syntax trees -------------===//
#pragma once

#include "frontend/AST.h"

namespace ember::frontend {

/// Parses a whole file (Python source or an archive's code file). Syntax
/// errors and constructs TorchScript does not support throw CompileError
/// with a rendered `file:line:col: error:` diagnostic.
Module parseSource(const std::shared_ptr<const SourceBuffer> &buffer);

/// Parses a buffer holding a single expression (type annotations in
/// `# type:` comments, for example).
ExprPtr parseExpression(const std::shared_ptr<const SourceBuffer> &buffer);

/// Decodes the backslash escapes of a string literal's raw text.
std::string decodeEscapes(const std::string &raw);

} // namespace ember::frontend
