//===- ir/Parser.cpp - reading graphs in TorchScript's text format --------===//
//
// Reads back everything the printer writes (reference §1.6), and more than
// TorchScript's own parser: class and module types, `Future[T]`,
// `with <kind>_<k> = graph(...)` subgraphs, ` # file:line:col` locations and
// `, scope: ...` suffixes, and several named functions in one file.
//
// Algorithm:
//   1. a function is `name(%in : T, ...):`, statements, `return (...)`;
//   2. a statement is `%outs = kind[attrs](%ins)` followed by `blockN(...):`
//      sub-blocks, each closed by `-> (...)`; indentation is not needed;
//   3. after `return`, the `with` sections that follow belong to the nodes
//      of this graph whose kind ends in `_<k>`; each becomes the node's
//      Subgraph attribute and the suffix is dropped from the kind;
//   4. unannotated outputs take the type of the resolved schema's return.
//
//===----------------------------------------------------------------------===//
#include "ir/Parser.h"

#include "ir/Constants.h"
#include "ir/Schema.h"
#include "ir/TextLexer.h"
#include "ir/TypeParser.h"

#include <ATen/ATen.h>

#include <regex>
#include <unordered_map>

namespace ember {
namespace {

/// A literal in an attribute: number, string, type, list, tuple, dict, ...
struct Literal {
  enum Kind { Int, Float, Complex, Str, Bool, None, Type, List, Tuple, Dict, TensorScalar,
              TensorPlaceholder, TensorValue, Device, EmptyList, EmptyDict };
  Kind kind = None;
  int64_t i = 0;
  double f = 0;
  std::complex<double> c;
  std::string s;
  TypePtr type;
  std::vector<Literal> items; // list/tuple elements, dict key/value pairs
  at::Tensor tensor;
  Token at;
};

/// The c10 type of a constant container's elements, so that IValue::repr
/// prints it as TorchScript does (without `annotate(...)` when the element
/// type can be inferred from the members).
c10::TypePtr c10Type(const TypePtr &t) {
  if (!t)
    return c10::AnyType::get();
  switch (t->kind()) {
  case TypeKind::Int: return c10::IntType::get();
  case TypeKind::Float: return c10::FloatType::get();
  case TypeKind::Str: return c10::StringType::get();
  case TypeKind::Bool: return c10::BoolType::get();
  case TypeKind::Complex: return c10::ComplexType::get();
  case TypeKind::Tensor: return c10::TensorType::get();
  case TypeKind::Device: return c10::DeviceObjType::get();
  case TypeKind::None: return c10::NoneType::get();
  case TypeKind::List: return c10::ListType::create(c10Type(t->elem()));
  case TypeKind::Optional: return c10::OptionalType::create(c10Type(t->elem()));
  case TypeKind::Dict:
    return c10::DictType::create(c10Type(t->contained()[0]), c10Type(t->contained()[1]));
  case TypeKind::Tuple: {
    std::vector<c10::TypePtr> elems;
    for (const auto &e : t->contained())
      elems.push_back(c10Type(e));
    return c10::TupleType::create(std::move(elems));
  }
  default: return c10::AnyType::get();
  }
}

TypePtr containedOr(const TypePtr &t, TypeKind kind, size_t i) {
  return t && t->kind() == kind && i < t->contained().size() ? t->contained()[i] : nullptr;
}

class IRParser {
public:
  IRParser(std::shared_ptr<const SourceBuffer> buffer) : lex_(std::move(buffer)) {}

  std::unique_ptr<CompilationUnit> parseUnit() {
    auto cu = std::make_unique<CompilationUnit>();
    if (lex_.peek().kind == TokKind::End)
      lex_.error(lex_.peek(), "expected a graph but the input is empty");
    while (lex_.peek().kind != TokKind::End) {
      auto g = parseGraph();
      if (cu->find(g->name()))
        lex_.error(graphNameTok_, "redefinition of function '" + g->name() + "'");
      cu->add(std::move(g));
    }
    return cu;
  }

private:
  struct Scope {
    std::unordered_map<std::string, Value *> values;
    std::unordered_map<std::string, Token> defs;
    std::unordered_map<size_t, Value *> byId; // unique ids taken by this graph
    std::vector<std::pair<std::string, Node *>> pendingGroups;
    Graph *graph;
  };

  std::shared_ptr<Graph> parseGraph() {
    Token name = lex_.expect(TokKind::Ident, "a graph definition such as 'graph(%x : Tensor):'");
    graphNameTok_ = name;
    std::string fullName = name.text;
    // Methods are named after their class: `Counter.step(...)`.
    while (lex_.isPunct(".") && lex_.peek(1).kind == TokKind::Ident) {
      lex_.next();
      fullName += "." + lex_.next().text;
    }
    auto g = std::make_shared<Graph>();
    g->setName(fullName);
    Scope scope;
    scope.graph = g.get();
    scopes_.push_back(&scope);
    lex_.expectPunct("(");
    parseParams(g->block(), scope);
    lex_.expectPunct(")");
    lex_.expectPunct(":");
    g->setInsertPoint(g->block());
    parseStatements(g->block(), scope, /*topLevel=*/true);
    lex_.expect(TokKind::Ident, "'return'");
    for (Value *v : parseValueList(scope))
      g->registerOutput(v);
    parseSubgraphs(scope);
    scopes_.pop_back();
    return g;
  }

  void parseParams(Block *b, Scope &scope) {
    if (lex_.isPunct(")"))
      return;
    do {
      Token nameTok = lex_.expect(TokKind::ValueName, "a value name like '%x'");
      Value *v = b->addInput();
      define(scope, nameTok, v);
      if (lex_.acceptPunct(":"))
        v->setType(parseType(lex_, TypeSyntax::Graph));
    } while (lex_.acceptPunct(","));
  }

  void define(Scope &scope, const Token &nameTok, Value *v) {
    const std::string &name = nameTok.text;
    if (name.empty())
      lex_.error(nameTok, "expected a value name after '%'");
    auto prev = scope.defs.find(name);
    if (prev != scope.defs.end()) {
      CompileError err(lex_.span(nameTok), "redefinition of value '%" + name + "'");
      err.addNote(lex_.span(prev->second), "previous definition is here");
      throw err;
    }
    scope.defs.emplace(name, nameTok);
    scope.values[name] = v;
    bool numeric = name.find_first_not_of("0123456789") == std::string::npos;
    if (numeric) {
      // Keep the printed number as the value's unique id, moving a value
      // that holds it (only named values can) to a fresh id.
      size_t id = std::stoull(name);
      auto it = scope.byId.find(id);
      if (it != scope.byId.end() && it->second != v) {
        Value *other = it->second;
        scope.byId.erase(it);
        setUnique(other, scope.graph->freshUnique());
        scope.byId[other->unique()] = other;
      }
      scope.byId.erase(v->unique());
      setUnique(v, id);
      scope.graph->reserveUnique(id);
    } else {
      v->setDebugName(name);
    }
    scope.byId[v->unique()] = v;
  }

  static void setUnique(Value *v, size_t id);

  Value *use(Scope &scope, const Token &nameTok) {
    auto it = scope.values.find(nameTok.text);
    if (it == scope.values.end())
      lex_.error(nameTok, "use of undefined value '%" + nameTok.text + "'");
    return it->second;
  }

  std::vector<Value *> parseValueList(Scope &scope) {
    std::vector<Value *> values;
    lex_.expectPunct("(");
    if (!lex_.isPunct(")")) {
      do {
        values.push_back(use(scope, lex_.expect(TokKind::ValueName, "a value like '%x'")));
      } while (lex_.acceptPunct(","));
    }
    lex_.expectPunct(")");
    return values;
  }

  void parseStatements(Block *b, Scope &scope, bool topLevel) {
    while (true) {
      const Token &t = lex_.peek();
      if (topLevel && t.kind == TokKind::Ident && t.text == "return")
        return;
      if (!topLevel && t.kind == TokKind::Arrow)
        return;
      if (t.kind == TokKind::End)
        lex_.error(t, topLevel ? "expected 'return' before the end of input"
                               : "expected '->' closing the block before the end of input");
      parseNode(b, scope);
    }
  }

  void parseNode(Block *b, Scope &scope) {
    TextLexer::DepthGuard guard(lex_);
    Graph *g = b->owningGraph();
    // Outputs.
    std::vector<std::pair<Token, TypePtr>> outs;
    if (lex_.peek().kind == TokKind::ValueName) {
      do {
        Token nameTok = lex_.expect(TokKind::ValueName, "a value name");
        TypePtr type;
        if (lex_.acceptPunct(":"))
          type = parseType(lex_, TypeSyntax::Graph);
        outs.emplace_back(nameTok, type);
      } while (lex_.acceptPunct(","));
    }
    lex_.expectPunct("=");
    // Kind.
    Token nsTok = lex_.expect(TokKind::Ident, "an operator name like 'aten::add'");
    lex_.expectPunct("::");
    Token nameTok = lex_.expect(TokKind::Ident, "an operator name");
    std::string kindText = nsTok.text + "::" + nameTok.text;
    Node *n = g->create(Symbol::fromQualString(kindText), {}, 0);
    n->setTextSpan(SourceSpan{lex_.buffer(), nsTok.offset,
                              nameTok.offset + nameTok.length - nsTok.offset});
    b->appendNode(n);
    // Attributes.
    std::vector<std::pair<Token, Literal>> attrs;
    if (lex_.acceptPunct("[")) {
      if (!lex_.isPunct("]")) {
        do {
          Token key = lex_.expect(TokKind::Ident, "an attribute name");
          lex_.expectPunct("=");
          attrs.emplace_back(key, parseLiteral());
        } while (lex_.acceptPunct(","));
      }
      lex_.expectPunct("]");
    }
    // Inputs.
    for (Value *v : parseValueList(scope))
      n->addInput(v);
    parseScopeAndLocation(n);
    for (auto &[tok, type] : outs) {
      Value *v = n->addOutput();
      define(scope, tok, v);
      if (type)
        v->setType(type);
    }
    for (auto &[key, lit] : attrs)
      n->setAttribute(Symbol::attr(key.text), toAttribute(lit, n));
    // Unannotated outputs take the schema's return types.
    bool anyUntyped = false;
    for (auto &o : outs)
      anyUntyped |= !o.second;
    if (anyUntyped) {
      std::vector<TypePtr> inTypes, outTypes;
      for (Value *v : n->inputs())
        inTypes.push_back(v->type());
      if (OperatorRegistry::global().resolve(n->kind(), inTypes, &outTypes) &&
          outTypes.size() == outs.size())
        for (size_t i = 0; i < outs.size(); ++i)
          if (!outs[i].second)
            n->output(i)->setType(outTypes[i]);
    }
    // A numbered kind may be a subgraph carrier, decided by the `with`
    // sections after `return`.
    static const std::regex groupRe("^(.*)_([0-9]+)$");
    if (std::regex_match(nameTok.text, groupRe))
      scope.pendingGroups.emplace_back(kindText, n);
    // Blocks.
    while (lex_.peek().kind == TokKind::Ident && lex_.peek().text.rfind("block", 0) == 0 &&
           lex_.isPunct("(", 1)) {
      lex_.next();
      Block *sub = n->addBlock();
      lex_.expectPunct("(");
      parseParams(sub, scope);
      lex_.expectPunct(")");
      lex_.expectPunct(":");
      parseStatements(sub, scope, /*topLevel=*/false);
      lex_.expectPunct("->");
      for (Value *v : parseValueList(scope))
        sub->registerOutput(v);
    }
  }

  void parseScopeAndLocation(Node *n) {
    if (lex_.isPunct(",") && lex_.isIdent("scope", 1) && !lex_.peek().newlineBefore) {
      lex_.next();
      Token kw = lex_.next();
      // The scope is raw text up to the end of the line or a ` # ` comment.
      const std::string &text = lex_.buffer()->text;
      size_t start = kw.offset + kw.length;
      if (start < text.size() && text[start] == ':')
        ++start;
      size_t end = text.find('\n', start);
      if (end == std::string::npos)
        end = text.size();
      size_t hash = text.find(" #", start);
      if (hash != std::string::npos && hash < end)
        end = hash;
      std::string scopeName = text.substr(start, end - start);
      while (!scopeName.empty() && scopeName.front() == ' ')
        scopeName.erase(scopeName.begin());
      while (!scopeName.empty() && scopeName.back() == ' ')
        scopeName.pop_back();
      n->setScope(scopeName);
      lex_.skipTo(end);
    }
    if (const Token *c = lex_.trailingComment()) {
      static const std::regex locRe("^ ?(.*):([0-9]+):([0-9]+)\\s*$");
      std::smatch m;
      if (std::regex_match(c->text, m, locRe)) {
        std::string file = m[1];
        auto it = files_.find(file);
        if (it == files_.end())
          it = files_.emplace(file, std::make_shared<const std::string>(file)).first;
        n->setSourceLocation(SourceLocation{it->second, uint32_t(std::stoul(m[2])),
                                            uint32_t(std::stoul(m[3]))});
      }
      lex_.skipTrailingComment();
    }
  }

  void parseSubgraphs(Scope &scope) {
    size_t next = 0;
    while (lex_.isIdent("with") && next < scope.pendingGroups.size()) {
      // `with prim::FusionGroup_0 = graph(...)`; it must name one of this
      // graph's numbered nodes, in order, or it belongs to an outer graph.
      const Token &ns = lex_.peek(1);
      const Token &nm = lex_.peek(3);
      std::string kind = ns.text + "::" + nm.text;
      size_t match = next;
      while (match < scope.pendingGroups.size() && scope.pendingGroups[match].first != kind)
        ++match;
      if (match == scope.pendingGroups.size())
        break;
      lex_.next();
      lex_.next();
      lex_.expectPunct("::");
      lex_.next();
      lex_.expectPunct("=");
      auto sub = parseGraph();
      Node *n = scope.pendingGroups[match].second;
      std::string base = kind.substr(0, kind.find_last_of('_'));
      replaceKind(n, Symbol::fromQualString(base));
      n->g_(attr::Subgraph(), sub);
      next = match + 1;
    }
  }

  static void replaceKind(Node *n, Symbol kind);

  Literal parseLiteral() {
    TextLexer::DepthGuard guard(lex_);
    Literal lit;
    lit.at = lex_.peek();
    const Token &t = lex_.peek();
    if (t.kind == TokKind::String)
      return parseStringLiteral(std::move(lit));
    if (t.kind == TokKind::Number || (t.kind == TokKind::Punct && t.text == "-"))
      return parseNumberLiteral(std::move(lit));
    if (t.kind == TokKind::Punct && t.text == "[")
      return parseListLiteral(std::move(lit));
    if (skipMatrixHeader())
      return parseNumberLiteral(std::move(lit));
    if (t.kind == TokKind::Punct && t.text == "(")
      return parseTupleLiteral(std::move(lit));
    if (t.kind == TokKind::Punct && t.text == "{")
      return parseBraceLiteral(std::move(lit), t);
    if (t.kind == TokKind::Punct && t.text == "<")
      return parseAngleLiteral(std::move(lit));
    if (t.kind == TokKind::Ident)
      return parseIdentLiteral(std::move(lit), t);
    lex_.error(t, "expected an attribute value but found " + TextLexer::describe(t));
  }

  Literal parseStringLiteral(Literal lit) {
    lit.kind = Literal::Str;
    lit.s = lex_.next().text;
    return lit;
  }

  Literal parseNumberLiteral(Literal lit) {
    bool neg = lex_.acceptPunct("-");
    if (lex_.isIdent("inf") || lex_.isIdent("nan")) {
      bool inf = lex_.next().text == "inf";
      lit.kind = Literal::Float;
      lit.f = inf ? INFINITY : NAN;
      if (neg)
        lit.f = -lit.f;
      return lit;
    }
    Token num = lex_.expect(TokKind::Number, "a number");
    Literal first = numberLiteral(num, neg);
    if (startsTensorPrint())
      return parseTensorPrint(first);
    return first;
  }

  Literal parseListLiteral(Literal lit) {
    lex_.next();
    lit.kind = Literal::List;
    if (!lex_.isPunct("]")) {
      do {
        lit.items.push_back(parseLiteral());
      } while (lex_.acceptPunct(","));
    }
    lex_.expectPunct("]");
    return lit;
  }

  Literal parseTupleLiteral(Literal lit) {
    lex_.next();
    lit.kind = Literal::Tuple;
    while (!lex_.isPunct(")")) {
      lit.items.push_back(parseLiteral());
      if (!lex_.acceptPunct(","))
        break;
    }
    lex_.expectPunct(")");
    return lit;
  }

  Literal parseBraceLiteral(Literal lit, const Token &t) {
    lex_.next();
    // `{2}` is a one-element tensor; `{"a": 1}` a dict.
    if (lex_.isPunct("}")) {
      lex_.next();
      lit.kind = Literal::Dict;
      return lit;
    }
    Literal first = parseLiteral();
    if (lex_.acceptPunct("}")) {
      if (first.kind != Literal::Int && first.kind != Literal::Float &&
          first.kind != Literal::Bool && first.kind != Literal::Complex)
        lex_.error(first.at, "expected a number in a tensor constant like '{2}'");
      first.kind = first.kind == Literal::Bool ? Literal::Int : first.kind;
      lit = first;
      lit.items.push_back(first);
      lit.kind = Literal::TensorScalar;
      lit.at = t;
      return lit;
    }
    lit.kind = Literal::Dict;
    lex_.expectPunct(":");
    lit.items.push_back(first);
    lit.items.push_back(parseLiteral());
    while (lex_.acceptPunct(",")) {
      lit.items.push_back(parseLiteral());
      lex_.expectPunct(":");
      lit.items.push_back(parseLiteral());
    }
    lex_.expectPunct("}");
    return lit;
  }

  Literal parseAngleLiteral(Literal lit) {
    lex_.next();
    Token what = lex_.expect(TokKind::Ident, "'Tensor'");
    lex_.expectPunct(">");
    if (what.text != "Tensor")
      lex_.error(what, "cannot read a '<" + what.text +
                           ">' attribute back: its value was not printed");
    lit.kind = Literal::TensorPlaceholder;
    return lit;
  }

  Literal parseIdentLiteral(Literal lit, const Token &t) {
    if (t.text == "True" || t.text == "False") {
      lit.kind = Literal::Bool;
      lit.i = lex_.next().text == "True";
      return lit;
    }
    if (t.text == "None") {
      lex_.next();
      lit.kind = Literal::None;
      return lit;
    }
    if (t.text == "inf" || t.text == "nan") {
      lit.kind = Literal::Float;
      lit.f = lex_.next().text == "inf" ? INFINITY : NAN;
      return lit;
    }
    if (t.text == "annotate" && lex_.isPunct("(", 1)) {
      lex_.next();
      lex_.expectPunct("(");
      lit.type = parseType(lex_, TypeSyntax::Graph);
      lex_.expectPunct(",");
      Literal inner = parseLiteral();
      lex_.expectPunct(")");
      if (lit.type->kind() == TypeKind::List && inner.kind == Literal::List && inner.items.empty())
        lit.kind = Literal::EmptyList;
      else if (lit.type->kind() == TypeKind::Dict && inner.kind == Literal::Dict &&
               inner.items.empty())
        lit.kind = Literal::EmptyDict;
      else
        lex_.error(lit.at, "expected 'annotate(List[T], [])' or 'annotate(Dict[K, V], {})'");
      return lit;
    }
    if (t.text == "torch" && lex_.isPunct(".", 1) && lex_.isIdent("device", 2)) {
      lex_.next();
      lex_.next();
      lex_.next();
      lex_.expectPunct("(");
      Token dev = lex_.expect(TokKind::String, "a device string");
      lex_.expectPunct(")");
      lit.kind = Literal::Device;
      lit.s = dev.text;
      return lit;
    }
    lit.kind = Literal::Type;
    lit.type = parseType(lex_, TypeSyntax::Graph);
    return lit;
  }


  /// Skips `(1,.,.) =`, which heads each matrix in ATen's print of a
  /// tensor of rank > 2; false (and nothing read) anywhere else.
  bool atMatrixHeader() {
    return lex_.isPunct("(") && lex_.peek(1).kind == TokKind::Number && lex_.isPunct(",", 2) &&
           lex_.isPunct(".", 3);
  }
  bool skipMatrixHeader() {
    if (!atMatrixHeader())
      return false;
    while (!lex_.acceptPunct(")"))
      lex_.next();
    lex_.expectPunct("=");
    return true;
  }

  /// After a number: more numbers, a `*` scale or `[ CPUFloatType{...} ]`
  /// mean ATen's printed form of a small tensor constant.
  bool startsTensorPrint() {
    const Token &t = lex_.peek();
    if (t.newlineBefore)
      return false;
    if (t.kind == TokKind::Number)
      return true;
    if ((t.kind == TokKind::Punct && t.text == "*") || atMatrixHeader())
      return true;
    if (t.kind == TokKind::Punct && t.text == "-" && lex_.peek(1).kind == TokKind::Number)
      return true;
    return t.kind == TokKind::Punct && t.text == "[" && lex_.peek(1).kind == TokKind::Ident;
  }

  Literal parseTensorPrint(Literal first) {
    auto asDouble = [](const Literal &l) { return l.kind == Literal::Int ? double(l.i) : l.f; };
    double scale = 1;
    std::vector<double> values;
    if (lex_.acceptPunct("*"))
      scale = asDouble(first);
    else
      values.push_back(asDouble(first));
    while (!lex_.isPunct("[")) {
      if (skipMatrixHeader())
        continue;
      bool neg = lex_.acceptPunct("-");
      Token num = lex_.expect(TokKind::Number, "a tensor element");
      values.push_back(asDouble(numberLiteral(num, neg)));
    }
    lex_.expectPunct("[");
    Token typeName = lex_.expect(TokKind::Ident, "a tensor type such as 'CPUFloatType'");
    std::string name = typeName.text;
    bool cuda = name.rfind("CUDA", 0) == 0;
    std::string inner = name.substr(cuda ? 4 : (name.rfind("CPU", 0) == 0 ? 3 : 0));
    if (inner.size() > 4 && inner.compare(inner.size() - 4, 4, "Type") == 0)
      inner = inner.substr(0, inner.size() - 4);
    auto dtype = scalarTypeFromName(inner);
    if (!dtype)
      lex_.error(typeName, "unknown tensor type '" + name + "'");
    std::vector<int64_t> dims;
    lex_.expectPunct("{");
    if (!lex_.isPunct("}")) {
      do {
        dims.push_back(std::stoll(lex_.expect(TokKind::Number, "a size").text));
      } while (lex_.acceptPunct(","));
    }
    lex_.expectPunct("}");
    lex_.expectPunct("]");
    int64_t numel = 1;
    for (int64_t d : dims)
      numel *= d;
    if (numel != int64_t(values.size()))
      lex_.error(typeName, "tensor constant has " + std::to_string(values.size()) +
                               " elements but its sizes hold " + std::to_string(numel));
    for (double &v : values)
      v *= scale;
    at::Tensor t = at::tensor(values, at::TensorOptions().dtype(at::kDouble)).to(*dtype);
    t = t.reshape(dims).contiguous();
    Literal lit;
    lit.kind = Literal::TensorValue;
    lit.tensor = t;
    lit.at = typeName;
    return lit;
  }

  Literal numberLiteral(const Token &num, bool neg) {
    Literal lit;
    lit.at = num;
    std::string text = num.text;
    try {
      if (!text.empty() && text.back() == 'j') {
        lit.kind = Literal::Complex;
        double im = std::stod(text.substr(0, text.size() - 1));
        lit.c = {0, neg ? -im : im};
      } else if (text.find_first_of(".eE") != std::string::npos) {
        lit.kind = Literal::Float;
        lit.f = std::stod(text);
        if (neg)
          lit.f = -lit.f;
      } else {
        lit.kind = Literal::Int;
        lit.i = std::stoll(neg ? "-" + text : text);
      }
    } catch (const std::exception &) {
      lex_.error(num, "number '" + text + "' is out of range");
    }
    // `1.+2.j`: a complex written as real part, sign, imaginary part.
    if (lit.kind != Literal::Complex && (lex_.isPunct("+") || lex_.isPunct("-")) &&
        !lex_.peek().newlineBefore && lex_.peek(1).kind == TokKind::Number &&
        lex_.peek(1).text.back() == 'j') {
      bool imNeg = lex_.next().text == "-";
      Literal im = numberLiteral(lex_.next(), imNeg);
      double re = lit.kind == Literal::Int ? double(lit.i) : lit.f;
      lit.kind = Literal::Complex;
      lit.c = {re, im.c.imag()};
    }
    return lit;
  }

  c10::IValue toIValue(const Literal &lit, const TypePtr &hint = nullptr) {
    switch (lit.kind) {
    case Literal::Int: return lit.i;
    case Literal::Float: return lit.f;
    case Literal::Complex: return c10::complex<double>(lit.c.real(), lit.c.imag());
    case Literal::Str: return lit.s;
    case Literal::Bool: return bool(lit.i);
    case Literal::None: return c10::IValue();
    case Literal::Device: return c10::Device(lit.s);
    case Literal::Tuple: {
      std::vector<c10::IValue> elems;
      for (size_t i = 0; i < lit.items.size(); ++i)
        elems.push_back(toIValue(lit.items[i], containedOr(hint, TypeKind::Tuple, i)));
      return c10::ivalue::Tuple::create(std::move(elems));
    }
    case Literal::List: {
      if (lit.items.empty())
        return c10::List<int64_t>();
      bool allInt = true, allFloat = true, allBool = true, allStr = true;
      for (const auto &e : lit.items) {
        allInt &= e.kind == Literal::Int;
        allFloat &= e.kind == Literal::Float;
        allBool &= e.kind == Literal::Bool;
        allStr &= e.kind == Literal::Str;
      }
      if (allInt) {
        c10::List<int64_t> l;
        for (const auto &e : lit.items)
          l.push_back(e.i);
        return l;
      }
      if (allFloat) {
        c10::List<double> l;
        for (const auto &e : lit.items)
          l.push_back(e.f);
        return l;
      }
      if (allBool) {
        c10::List<bool> l;
        for (const auto &e : lit.items)
          l.push_back(bool(e.i));
        return l;
      }
      if (allStr) {
        c10::List<std::string> l;
        for (const auto &e : lit.items)
          l.push_back(e.s);
        return l;
      }
      TypePtr elem = containedOr(hint, TypeKind::List, 0);
      c10::impl::GenericList l(c10Type(elem));
      for (const auto &e : lit.items)
        l.push_back(toIValue(e, elem));
      return l;
    }
    case Literal::Dict: {
      TypePtr key = containedOr(hint, TypeKind::Dict, 0);
      TypePtr value = containedOr(hint, TypeKind::Dict, 1);
      c10::impl::GenericDict d(c10Type(key), c10Type(value));
      for (size_t i = 0; i + 1 < lit.items.size(); i += 2)
        d.insert(toIValue(lit.items[i], key), toIValue(lit.items[i + 1], value));
      return d;
    }
    default: lex_.error(lit.at, "this value cannot appear inside a constant container");
    }
  }

  AttributeValue toAttribute(const Literal &lit, Node *n) {
    AttributeValue a;
    auto outType = n->outputs().size() == 1 ? n->output()->type() : nullptr;
    switch (lit.kind) {
    case Literal::Int: a.kind = AttributeKind::i; a.i = lit.i; return a;
    case Literal::Bool: a.kind = AttributeKind::i; a.i = lit.i; return a;
    case Literal::Float: a.kind = AttributeKind::f; a.f = lit.f; return a;
    case Literal::Complex: a.kind = AttributeKind::c; a.c = lit.c; return a;
    case Literal::Str: a.kind = AttributeKind::s; a.s = lit.s; return a;
    case Literal::Type: a.kind = AttributeKind::ty; a.ty = lit.type; return a;
    case Literal::List:
      return listAttribute(lit, outType);
    case Literal::EmptyList:
      return emptyListAttribute(lit);
    case Literal::EmptyDict: {
      auto keyT = lit.type->contained()[0];
      auto valT = lit.type->contained()[1];
      a.kind = AttributeKind::ival;
      a.ival = std::make_shared<c10::IValue>(c10::impl::GenericDict(c10Type(keyT), c10Type(valT)));
      return a;
    }
    case Literal::Tuple:
    case Literal::Dict:
    case Literal::Device:
    case Literal::None:
      a.kind = AttributeKind::ival;
      a.ival = std::make_shared<c10::IValue>(toIValue(lit, outType));
      return a;
    case Literal::TensorScalar:
      return scalarTensorAttribute(lit, outType);
    case Literal::TensorPlaceholder:
      // The values were not printed: the constant has no known payload, so
      // it is never folded and running it reports the missing values.
      a.kind = AttributeKind::t;
      return a;
    case Literal::TensorValue:
      a.kind = AttributeKind::t;
      a.ival = std::make_shared<c10::IValue>(lit.tensor);
      return a;
    }
    lex_.error(lit.at, "unsupported attribute value");
  }

  AttributeValue listAttribute(const Literal &lit, const TypePtr &outType) {
    AttributeValue a;
    auto all = [&](Literal::Kind k) {
      for (const auto &e : lit.items)
        if (e.kind != k)
          return false;
      return true;
    };
    if (all(Literal::Int)) {
      a.kind = AttributeKind::is;
      for (const auto &e : lit.items)
        a.is.push_back(e.i);
    } else if (all(Literal::Float)) {
      a.kind = AttributeKind::fs;
      for (const auto &e : lit.items)
        a.fs.push_back(e.f);
    } else if (all(Literal::Str)) {
      a.kind = AttributeKind::ss;
      for (const auto &e : lit.items)
        a.ss.push_back(e.s);
    } else if (all(Literal::Complex)) {
      a.kind = AttributeKind::cs;
      for (const auto &e : lit.items)
        a.cs.push_back(e.c);
    } else if (all(Literal::Type)) {
      a.kind = AttributeKind::tys;
      for (const auto &e : lit.items)
        a.tys.push_back(e.type);
    } else {
      a.kind = AttributeKind::ival;
      a.ival = std::make_shared<c10::IValue>(toIValue(lit, outType));
    }
    return a;
  }

  AttributeValue emptyListAttribute(const Literal &lit) {
    AttributeValue a;
    TypePtr elem = lit.type->elem();
    switch (elem->kind()) {
    case TypeKind::Int: a.kind = AttributeKind::is; return a;
    case TypeKind::Float: a.kind = AttributeKind::fs; return a;
    case TypeKind::Str: a.kind = AttributeKind::ss; return a;
    case TypeKind::Complex: a.kind = AttributeKind::cs; return a;
    case TypeKind::Tensor:
      a.kind = AttributeKind::ival;
      a.ival = std::make_shared<c10::IValue>(c10::List<at::Tensor>());
      return a;
    case TypeKind::Bool:
      a.kind = AttributeKind::ival;
      a.ival = std::make_shared<c10::IValue>(c10::List<bool>());
      return a;
    default: lex_.error(lit.at, "cannot build an empty constant list of " + elem->str());
    }
  }

  AttributeValue scalarTensorAttribute(const Literal &lit, const TypePtr &outType) {
    AttributeValue a;
    const Literal &v = lit.items[0];
    at::Tensor t;
    auto opts = at::TensorOptions();
    if (v.kind == Literal::Float)
      t = at::scalar_tensor(v.f, opts.dtype(at::kDouble));
    else if (v.kind == Literal::Complex)
      t = at::scalar_tensor(c10::complex<double>(v.c.real(), v.c.imag()),
                            opts.dtype(at::kComplexDouble));
    else
      t = at::scalar_tensor(v.i, opts.dtype(at::kLong));
    if (outType && outType->kind() == TypeKind::Tensor) {
      const TensorInfo &info = outType->tensorInfo();
      if (info.dtype)
        t = t.to(*info.dtype);
      if (info.sizes && !info.sizes->empty()) {
        std::vector<int64_t> shape;
        for (const auto &s : *info.sizes)
          shape.push_back(s.value_or(1));
        t = t.reshape(shape).clone();
      }
    }
    a.kind = AttributeKind::t;
    a.ival = std::make_shared<c10::IValue>(t);
    return a;
  }

  TextLexer lex_;
  std::vector<Scope *> scopes_;
  Token graphNameTok_{};
  std::unordered_map<std::string, std::shared_ptr<const std::string>> files_;
};

} // namespace

// Value and Node keep these private to the IR; the parser is the one client
// that must set them directly.
struct ParserAccess {
  static void setUnique(Value *v, size_t id) { v->unique_ = id; }
  static void setKind(Node *n, Symbol kind) { n->kind_ = kind; }
};

void IRParser::setUnique(Value *v, size_t id) {
  ParserAccess::setUnique(v, id);
}
void IRParser::replaceKind(Node *n, Symbol kind) {
  ParserAccess::setKind(n, kind);
}

std::unique_ptr<CompilationUnit> parseIR(const std::string &text, const std::string &filename) {
  auto buffer = std::make_shared<SourceBuffer>(SourceBuffer{filename, text});
  return IRParser(buffer).parseUnit();
}

std::shared_ptr<Graph> parseGraph(const std::string &text, const std::string &filename) {
  auto cu = parseIR(text, filename);
  if (cu->functions().size() != 1)
    throw std::invalid_argument(filename + ": expected exactly one graph, found " +
                                std::to_string(cu->functions().size()));
  return cu->functions()[0];
}

} // namespace ember
