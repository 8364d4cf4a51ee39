//===- ir/TypeParser.h - type syntax of graphs and schemas ----------------===//
#pragma once

#include "ir/TextLexer.h"
#include "ir/Type.h"

namespace ember {

enum class TypeSyntax {
  Graph,  // graph dumps: refined tensors, `Future[T]`, class names
  Schema, // operator schemas: type variables, no tensor refinements
};

/// Parses a base type with its `[]` / `?` suffixes. In schema syntax the
/// caller handles alias annotations and fixed list sizes itself, through
/// parseBaseType.
TypePtr parseType(TextLexer &lex, TypeSyntax syntax);
TypePtr parseBaseType(TextLexer &lex, TypeSyntax syntax);

/// Convenience for tests and tools: parses a whole string as one type.
TypePtr parseTypeString(const std::string &text, TypeSyntax syntax = TypeSyntax::Graph);

} // namespace ember
