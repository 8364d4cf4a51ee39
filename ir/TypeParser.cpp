//===- ir/TypeParser.cpp - type syntax of graphs and schemas --------------===//
//
// Reads every type the printer writes, a superset of what TorchScript's own
// schema_type_parser accepts: refined tensors (`Float(3, *, strides=[4, 1],
// requires_grad=0, device=cpu)`, `LongTensor`), `Future[T]` and `Future(T)`,
// `NamedTuple(a : int)`, class types by qualified name (`__torch__.M`), and
// the Python annotation spellings (`List[int]`, `Optional[T]`, ...).
//
//===----------------------------------------------------------------------===//
#include "ir/TypeParser.h"

#include <unordered_map>

namespace ember {
namespace {

const std::unordered_map<std::string, TypeKind> &simpleTypes() {
  static const std::unordered_map<std::string, TypeKind> table = {
      {"int", TypeKind::Int},
      {"float", TypeKind::Float},
      {"bool", TypeKind::Bool},
      {"str", TypeKind::Str},
      {"complex", TypeKind::Complex},
      {"None", TypeKind::None},
      {"NoneType", TypeKind::None},
      {"Scalar", TypeKind::Number},
      {"number", TypeKind::Number},
      {"Device", TypeKind::Device},
      // As in TorchScript, these enums are ints in graphs and schemas.
      {"Layout", TypeKind::Int},
      {"ScalarType", TypeKind::Int},
      {"MemoryFormat", TypeKind::Int},
      {"Generator", TypeKind::Generator},
      {"Stream", TypeKind::Stream},
      {"Storage", TypeKind::Storage},
      {"Capsule", TypeKind::Capsule},
      {"Any", TypeKind::Any},
      {"list", TypeKind::AnyList},
      {"AnyList", TypeKind::AnyList},
      {"tuple", TypeKind::AnyTuple},
      {"AnyTuple", TypeKind::AnyTuple},
      {"AnyClassType", TypeKind::AnyClass},
      {"AnyEnumType", TypeKind::AnyEnum},
      {"Function", TypeKind::Function},
      {"SymInt", TypeKind::Int},
      {"Quantizer", TypeKind::Quantizer},
      {"QScheme", TypeKind::Int},
      {"Dimname", TypeKind::Dimname},
      {"ConstQuantizerPtr", TypeKind::Quantizer},
  };
  return table;
}

std::vector<TypePtr> parseTypeList(TextLexer &lex, TypeSyntax syntax, const std::string &close) {
  std::vector<TypePtr> types;
  if (lex.isPunct(close)) {
    lex.expectPunct(close);
    return types;
  }
  do {
    types.push_back(parseType(lex, syntax));
  } while (lex.acceptPunct(","));
  lex.expectPunct(close);
  return types;
}

/// `(T)` or `[T]` after Future/RRef/List/Optional.
TypePtr parseOneParam(TextLexer &lex, TypeSyntax syntax, const Token &at) {
  std::string close = lex.isPunct("[") ? "]" : ")";
  if (!lex.acceptPunct("[") && !lex.acceptPunct("("))
    lex.error(lex.peek(), "expected '[' or '(' after '" + at.text + "'");
  auto types = parseTypeList(lex, syntax, close);
  if (types.size() != 1)
    lex.error(at, "'" + at.text + "' takes exactly one type argument, found " +
                      std::to_string(types.size()));
  return types[0];
}

int64_t parseSignedInt(TextLexer &lex) {
  bool neg = lex.acceptPunct("-");
  Token t = lex.expect(TokKind::Number, "an integer");
  if (t.text.find_first_not_of("0123456789") != std::string::npos)
    lex.error(t, "expected an integer but found " + TextLexer::describe(t));
  try {
    int64_t v = std::stoll(t.text);
    return neg ? -v : v;
  } catch (const std::exception &) {
    lex.error(t, "integer out of range");
  }
}

c10::Device parseDevice(TextLexer &lex) {
  Token name = lex.expect(TokKind::Ident, "a device name");
  std::string text = name.text;
  if (lex.isPunct(":")) {
    lex.expectPunct(":");
    text += ":" + lex.expect(TokKind::Number, "a device index").text;
  }
  try {
    return c10::Device(text);
  } catch (const std::exception &) {
    lex.error(name, "unknown device '" + text + "'");
  }
}

/// The parenthesised refinement after `Float` / `Tensor`. `rankKnown` is
/// true after a dtype name, where `Float()` means a 0-dim tensor.
TypePtr parseTensorRefinement(TextLexer &lex, TensorInfo info, bool rankKnown) {
  std::vector<std::optional<int64_t>> sizes;
  lex.expectPunct("(");
  if (!lex.isPunct(")")) {
    do {
      const Token &t = lex.peek();
      if (t.kind == TokKind::Ident && lex.isPunct("=", 1)) {
        Token key = lex.next();
        lex.expectPunct("=");
        if (key.text == "strides") {
          lex.expectPunct("[");
          std::vector<std::optional<int64_t>> strides;
          if (!lex.isPunct("]")) {
            do {
              if (lex.acceptPunct("*"))
                strides.push_back(std::nullopt);
              else
                strides.push_back(parseSignedInt(lex));
            } while (lex.acceptPunct(","));
          }
          lex.expectPunct("]");
          info.strides = std::move(strides);
        } else if (key.text == "requires_grad") {
          info.requiresGrad = parseSignedInt(lex) != 0;
        } else if (key.text == "device") {
          info.device = parseDevice(lex);
        } else {
          lex.error(key, "unknown tensor type property '" + key.text +
                             "' (expected strides, requires_grad or device)");
        }
      } else if (lex.acceptPunct("*")) {
        sizes.push_back(std::nullopt);
      } else if (t.kind == TokKind::Ident && t.text == "SS") {
        // Symbolic shape `SS(-3)`: an unknown size.
        lex.next();
        lex.expectPunct("(");
        parseSignedInt(lex);
        lex.expectPunct(")");
        sizes.push_back(std::nullopt);
      } else if (t.kind == TokKind::Number) {
        sizes.push_back(parseSignedInt(lex));
      } else {
        lex.error(t, "expected a size, '*' or a tensor property but found " +
                         TextLexer::describe(t));
      }
    } while (lex.acceptPunct(","));
  }
  lex.expectPunct(")");
  if (rankKnown || !sizes.empty())
    info.sizes = std::move(sizes);
  return Type::tensor(std::move(info));
}

} // namespace

/// `<a.b.C>` after `Enum` or `InterfaceType`: the dotted name.
std::string parseAngledName(TextLexer &lex) {
  lex.expectPunct("<");
  std::string qual = lex.expect(TokKind::Ident, "a qualified name").text;
  while (lex.acceptPunct("."))
    qual += "." + lex.expect(TokKind::Ident, "a name").text;
  lex.expectPunct(">");
  return qual;
}

TypePtr parseBaseType(TextLexer &lex, TypeSyntax syntax) {
  TextLexer::DepthGuard guard(lex);
  const Token &t = lex.peek();
  if (t.kind == TokKind::Punct && t.text == "(") {
    lex.next();
    return Type::tuple(parseTypeList(lex, syntax, ")"));
  }
  if (t.kind != TokKind::Ident)
    lex.error(t, "expected a type but found " + TextLexer::describe(t));
  Token name = lex.next();
  const std::string &n = name.text;

  if (n == "NamedTuple" && lex.isPunct("(")) {
    lex.expectPunct("(");
    std::vector<std::string> names;
    std::vector<TypePtr> types;
    if (!lex.isPunct(")")) {
      do {
        names.push_back(lex.expect(TokKind::Ident, "a field name").text);
        lex.expectPunct(":");
        types.push_back(parseType(lex, syntax));
      } while (lex.acceptPunct(","));
    }
    lex.expectPunct(")");
    return Type::namedTuple("", std::move(names), std::move(types));
  }
  if ((n == "Dict" || n == "Tuple" || n == "Union") && (lex.isPunct("(") || lex.isPunct("["))) {
    std::string close = lex.isPunct("[") ? "]" : ")";
    lex.next();
    std::vector<TypePtr> types;
    if (n == "Tuple" && lex.isPunct("(") && lex.isPunct(")", 1)) {
      lex.next();
      lex.next();
      lex.expectPunct(close);
    } else {
      types = parseTypeList(lex, syntax, close);
    }
    if (n == "Tuple")
      return Type::tuple(std::move(types));
    if (n == "Union")
      return Type::unionOf(std::move(types));
    if (types.size() != 2)
      lex.error(name, "'Dict' takes a key and a value type, found " +
                          std::to_string(types.size()) + " types");
    return Type::dict(types[0], types[1]);
  }
  if ((n == "Future" || n == "RRef" || n == "Await" || n == "List" || n == "Optional") &&
      (lex.isPunct("(") || lex.isPunct("["))) {
    TypePtr elem = parseOneParam(lex, syntax, name);
    if (n == "Future" || n == "Await")
      return Type::future(elem);
    if (n == "RRef")
      return Type::rref(elem);
    if (n == "List")
      return Type::list(elem);
    return Type::optional(elem);
  }
  if (n == "Enum" && lex.isPunct("<"))
    return Type::enumType(parseAngledName(lex));
  if (n == "InterfaceType" && lex.isPunct("<")) // the dump gives the short name
    return Type::interfaceType(parseAngledName(lex), /*isModule=*/false);
  if (n == "Tensor") {
    if (syntax == TypeSyntax::Graph && lex.isPunct("("))
      return parseTensorRefinement(lex, {}, /*rankKnown=*/false);
    return Type::tensor();
  }
  if (auto dtype = scalarTypeFromName(n); dtype && syntax == TypeSyntax::Graph &&
                                          lex.isPunct("(") && !lex.peek().newlineBefore) {
    TensorInfo info;
    info.dtype = dtype;
    return parseTensorRefinement(lex, std::move(info), /*rankKnown=*/true);
  }
  if (n.size() > 6 && n.compare(n.size() - 6, 6, "Tensor") == 0) {
    if (auto dtype = scalarTypeFromName(n.substr(0, n.size() - 6))) {
      TensorInfo info;
      info.dtype = dtype;
      if (syntax == TypeSyntax::Graph && lex.isPunct("("))
        return parseTensorRefinement(lex, std::move(info), /*rankKnown=*/false);
      return Type::tensor(std::move(info));
    }
  }
  if (lex.isPunct(".")) {
    std::string qual = n;
    while (lex.acceptPunct("."))
      qual += "." + lex.expect(TokKind::Ident, "a name").text;
    return Type::classType(qual, /*isModule=*/false);
  }
  auto it = simpleTypes().find(n);
  if (it != simpleTypes().end())
    return Type::get(it->second);
  if (syntax == TypeSyntax::Schema)
    return Type::var(n);
  lex.error(name, "unknown type '" + n + "'");
}

TypePtr parseType(TextLexer &lex, TypeSyntax syntax) {
  TypePtr t = parseBaseType(lex, syntax);
  while (true) {
    if (lex.isPunct("[") && lex.isPunct("]", 1) && !lex.peek().newlineBefore) {
      lex.next();
      lex.next();
      t = Type::list(t);
    } else if (lex.isPunct("[") && lex.isIdent("Undefined", 1) && t->kind() == TypeKind::Tensor) {
      lex.next();
      lex.next();
      lex.expectPunct("]");
      TensorInfo info = t->tensorInfo();
      info.undefined = true;
      t = Type::tensor(std::move(info));
    } else if (lex.isPunct("?") && !lex.peek().newlineBefore) {
      lex.next();
      t = Type::optional(t);
    } else {
      return t;
    }
  }
}

TypePtr parseTypeString(const std::string &text, TypeSyntax syntax) {
  auto buffer = std::make_shared<SourceBuffer>(SourceBuffer{"<type>", text});
  TextLexer lex(buffer);
  TypePtr t = parseType(lex, syntax);
  if (lex.peek().kind != TokKind::End)
    lex.error(lex.peek(), "unexpected " + TextLexer::describe(lex.peek()) + " after type");
  return t;
}

} // namespace ember
