//===- frontend/EmitExpressions.cpp - expressions to IR -------------------===//
//
// Literals become constants; Python operators become the ATen operators
// TorchScript maps them to (`a + b` -> aten::add, `a @ b` -> aten::matmul,
// `not a` -> aten::__not__). A number on the left of a tensor is turned
// around as TorchScript's reflected operators do (`2 - x` -> aten::rsub,
// `2 / x` -> reciprocal then mul). `and`, `or`, chained comparisons and
// conditional expressions short-circuit through prim::If, and conditions
// carry the Optional refinements their tests imply.
//
//===----------------------------------------------------------------------===//
#include "frontend/EmitterImpl.h"

#include "ir/Constants.h"

#include <cerrno>
#include <cmath>

namespace ember::frontend {
namespace {

bool isNumber(const TypePtr &t) {
  return t->kind() == TypeKind::Int || t->kind() == TypeKind::Float ||
         t->kind() == TypeKind::Number || t->kind() == TypeKind::Bool ||
         t->kind() == TypeKind::Complex;
}

/// Refinements that hold for the names in both lists.
std::vector<std::pair<std::string, TypePtr>>
intersect(const std::vector<std::pair<std::string, TypePtr>> &a,
          const std::vector<std::pair<std::string, TypePtr>> &b) {
  std::vector<std::pair<std::string, TypePtr>> out;
  for (const auto &x : a)
    for (const auto &y : b)
      if (x.first == y.first && x.second->equals(*y.second))
        out.push_back(x);
  return out;
}

std::vector<std::pair<std::string, TypePtr>>
unite(std::vector<std::pair<std::string, TypePtr>> a,
      const std::vector<std::pair<std::string, TypePtr>> &b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

} // namespace

std::string operatorFor(const std::string &op, bool unary) {
  if (unary) {
    if (op == "-") return "aten::neg";
    if (op == "~") return "aten::bitwise_not";
    if (op == "not") return "aten::__not__";
    return "";
  }
  static const std::map<std::string, std::string> table = {
      {"+", "aten::add"},      {"-", "aten::sub"},       {"*", "aten::mul"},
      {"/", "aten::div"},      {"//", "aten::floordiv"}, {"%", "aten::remainder"},
      {"**", "aten::pow"},     {"@", "aten::matmul"},    {"&", "aten::__and__"},
      {"|", "aten::__or__"},   {"^", "aten::__xor__"},   {"<<", "aten::__lshift__"},
      {">>", "aten::__rshift__"}, {"==", "aten::eq"},    {"!=", "aten::ne"},
      {"<", "aten::lt"},       {"<=", "aten::le"},       {">", "aten::gt"},
      {">=", "aten::ge"},      {"is", "aten::__is__"},   {"is not", "aten::__isnot__"}};
  auto it = table.find(op);
  return it == table.end() ? "" : it->second;
}

Sugared FunctionEmitter::emitExpr(const Expr &e, const TypePtr &hint) {
  Sugared s = emitExprKind(e, hint);
  bool literal = e.kind == ExprKind::Int || e.kind == ExprKind::Float ||
                 e.kind == ExprKind::Imaginary || e.kind == ExprKind::Str ||
                 e.kind == ExprKind::True || e.kind == ExprKind::False ||
                 e.kind == ExprKind::None;
  // As TorchScript: a literal's constant carries the literal's location
  // (the constants of defaults carry none).
  if (literal && s.value && e.span.buffer) {
    Node *n = s.value->node();
    if (n->kind() == prim::Constant() && !n->sourceLocation())
      locate(n, e.span);
  }
  return s;
}

Sugared FunctionEmitter::emitExprKind(const Expr &e, const TypePtr &hint) {
  switch (e.kind) {
  case ExprKind::Name: return lookupName(e);
  case ExprKind::Int: {
    std::string digits;
    for (char c : e.text)
      if (c != '_')
        digits += c;
    int base = 10;
    size_t skip = 0;
    if (digits.size() > 1 && digits[0] == '0' && isalpha(static_cast<unsigned char>(digits[1]))) {
      char b = char(tolower(digits[1]));
      base = b == 'x' ? 16 : b == 'o' ? 8 : 2;
      skip = 2;
    }
    errno = 0;
    unsigned long long v = strtoull(digits.c_str() + skip, nullptr, base);
    if (errno == ERANGE || v > uint64_t(INT64_MAX) + 1)
      error(e.span, "integer literal " + e.text + " does not fit in a 64-bit int");
    return Sugared::of(literalConstant(static_cast<int64_t>(v), e.span));
  }
  case ExprKind::Float:
    return Sugared::of(literalConstant(strtod(e.text.c_str(), nullptr), e.span));
  case ExprKind::Imaginary: {
    double im = strtod(e.text.c_str(), nullptr);
    return Sugared::of(literalConstant(c10::complex<double>(0, im), e.span));
  }
  case ExprKind::Str: return Sugared::of(constStr(e.text));
  case ExprKind::FStr: return Sugared::of(emitFString(e));
  case ExprKind::True: return Sugared::of(constBool(true));
  case ExprKind::False: return Sugared::of(constBool(false));
  case ExprKind::None: return Sugared::of(constNone());
  case ExprKind::Attribute: return attributeOf(emitExpr(*e.operands[0]), e);
  case ExprKind::Subscript: return emitSubscriptExpr(e, hint);
  case ExprKind::Call: return emitCall(e, hint);
  case ExprKind::BinOp: {
    Value *lhs = emitValue(*e.operands[0]); // Python evaluates left to right
    Value *rhs = emitValue(*e.operands[1]);
    return Sugared::of(emitBinary(e.text, lhs, rhs, e.span));
  }
  case ExprKind::UnaryOp: return Sugared::of(emitUnary(e));
  case ExprKind::BoolOp: {
    Refinements unused;
    return Sugared::of(emitCondition(e, unused));
  }
  case ExprKind::Compare: {
    Refinements unused; // a comparison of tensors is a tensor, not a bool
    return Sugared::of(emitCompare(e, unused));
  }
  case ExprKind::IfExp: return Sugared::of(emitTernary(e, hint));
  case ExprKind::List: return Sugared::of(emitListLiteral(e, hint));
  case ExprKind::Tuple: return Sugared::of(emitTupleLiteral(e, hint));
  case ExprKind::Dict: return Sugared::of(emitDictLiteral(e, hint));
  case ExprKind::ListComp:
  case ExprKind::DictComp: return Sugared::of(emitComprehension(e, hint));
  case ExprKind::Ellipsis: error(e.span, "'...' is only allowed in a subscript");
  case ExprKind::Slice: error(e.span, "a slice is only allowed in a subscript");
  case ExprKind::Starred:
    error(e.span, "a starred expression is only allowed as an assignment target");
  case ExprKind::Lambda:
    error(e.span, "lambda expressions are not supported in TorchScript (except as the message "
                  "of torch._check); define a function with 'def' instead");
  }
  error(e.span, "unsupported expression");
}

Value *FunctionEmitter::emitValue(const Expr &e, const TypePtr &hint) {
  return asValue(emitExpr(e, hint), e.span);
}

Value *FunctionEmitter::asValue(const Sugared &s, const SourceSpan &span) {
  switch (s.kind) {
  case Sugared::Kind::Value: return s.value;
  case Sugared::Kind::Namespace: error(span, "module '" + s.name + "' cannot be used as a value");
  case Sugared::Kind::Operator:
    // `n.real` of an int: an operator named like the attribute is no
    // attribute of a value that is not a tensor (TorchScript's words).
    if (s.value && s.value->type()->kind() != TypeKind::Tensor) {
      std::string attr = s.name.substr(s.name.find("::") + 2);
      error(span, "'" + s.value->type()->annotationStr() + "' object has no attribute or method '" +
                      attr.substr(0, attr.find('.')) + "'");
    }
    [[fallthrough]];
  case Sugared::Kind::Builtin:
  case Sugared::Kind::Function:
  case Sugared::Kind::Dispatch:
  case Sugared::Kind::Overloads:
    error(span, "'" + s.name + "' is a function; call it, it cannot be used as a value");
  case Sugared::Kind::Iterable:
    error(span, "'" + s.name + "(...)' can only be iterated over; write 'list(...)' of a "
                "comprehension to make a list");
  case Sugared::Kind::TypeValue: error(span, "a type cannot be used as a value here");
  case Sugared::Kind::Slice: error(span, "a slice can only be used as an index");
  case Sugared::Kind::Method:
    error(span, "method '" + s.name + "' must be called; it cannot be used as a value");
  }
  error(span, "not a value");
}

Value *FunctionEmitter::emitUnary(const Expr &e) {
  if (e.text == "not") {
    Refinements unused;
    return emitCondition(e, unused);
  }
  Value *v = emitValue(*e.operands[0]);
  static const std::map<std::string, std::string> magic = {
      {"-", "__neg__"}, {"+", "__pos__"}, {"~", "__invert__"}};
  if (v->type()->kind() == TypeKind::Class && magic.count(e.text))
    if (Value *r = emitMagic(v, magic.at(e.text), {}, e.span))
      return r;
  if (e.text == "+")
    return v->type()->kind() == TypeKind::Tensor
               ? emitOperator("aten::positive", {{v, "", e.span}}, e.span)
               : v;
  // Fold `-<constant>` into a new constant where the `-` is, as
  // TorchScript's emitUnaryOp (the literal's own constant is shared).
  if (e.text == "-" && isConstant(v) && (v->type()->kind() == TypeKind::Int ||
                                         v->type()->kind() == TypeKind::Float)) {
    c10::IValue c = *constantValue(v);
    Value *r = c.isInt() ? constInt(-c.toInt()) : constFloat(-c.toDouble());
    locate(r->node(), e.span);
    return r;
  }
  return emitOperator(operatorFor(e.text, true), {{v, "", e.operands[0]->span}}, e.span);
}

// Tuples concatenate into a tuple of both's elements, whatever their types
// (TorchScript's tuple addition), not into a list.
Value *FunctionEmitter::emitTupleConcat(Value *lhs, Value *rhs, const SourceSpan &span) {
  std::vector<Value *> elements;
  std::vector<TypePtr> types;
  for (Value *tuple : {lhs, rhs}) {
    const auto &contained = tuple->type()->contained();
    Node *unpack = insert(Symbol::prim("TupleUnpack"), {tuple}, contained.size(), span);
    for (size_t i = 0; i < contained.size(); ++i) {
      unpack->output(i)->setType(contained[i]);
      elements.push_back(unpack->output(i));
      types.push_back(contained[i]);
    }
  }
  return insertValue(Symbol::prim("TupleConstruct"), elements, Type::tuple(types), span);
}

Value *FunctionEmitter::emitBinary(const std::string &op, Value *lhs, Value *rhs,
                                   const SourceSpan &span) {
  std::string name = operatorFor(op, false);
  NamedValue l{lhs, "", span}, r{rhs, "", span};
  if (op == "+" && lhs->type()->kind() == TypeKind::Tuple &&
      rhs->type()->kind() == TypeKind::Tuple)
    return emitTupleConcat(lhs, rhs, span);
  if (lhs->type()->kind() == TypeKind::Class || rhs->type()->kind() == TypeKind::Class)
    if (Value *v = emitClassOperator(op, lhs, rhs, span))
      return v;
  // As TorchScript's MagicMethod: an operator on a script object is its
  // method, which it must have.
  if (const std::string *m = magicMethodOf(op);
      m && lhs->type()->kind() == TypeKind::Class && !lhs->type()->isModule() &&
      compiler_.classOfType(lhs->type()) && !compiler_.classOfType(lhs->type())->isNamedTuple)
    error(span, "'" + lhs->type()->annotationStr() + "' object has no attribute or method '" +
                    *m + "'");
  if (isNumber(lhs->type()) && rhs->type()->kind() == TypeKind::Tensor) {
    if (op == "+" || op == "*")
      return emitOperator(name, {r, l}, span);
    if (op == "-") { // TorchScript's builtin sub(a: Scalar, b: Tensor): neg(b) + a
      Value *neg = emitOperator("aten::neg", {r}, span);
      return emitOperator("aten::add", {{neg, "", span}, l}, span);
    }
    if (op == "/") {
      Value *recip = emitOperator("aten::reciprocal", {r}, span);
      return emitOperator("aten::mul", {{recip, "", span}, l}, span);
    }
    static const std::map<std::string, std::string> swapped = {
        {"<", "aten::gt"}, {"<=", "aten::ge"}, {">", "aten::lt"}, {">=", "aten::le"},
        {"==", "aten::eq"}, {"!=", "aten::ne"}};
    if (auto s = swapped.find(op); s != swapped.end())
      return emitOperator(s->second, {r, l}, span);
    if (Value *v = tryOperator(name, {l, r}, span))
      return v;
    Value *t = insertValue(Symbol::prim("NumToTensor"), {lhs}, Type::tensor(), span);
    return emitOperator(name, {{t, "", span}, r}, span);
  }
  // TorchScript's builtin `floordiv(self: Tensor, other)` is floor_divide.
  if (op == "//" && lhs->type()->kind() == TypeKind::Tensor)
    return emitOperator("aten::floor_divide", {l, r}, span);
  if (op == "%" && lhs->type()->kind() == TypeKind::Str) // "%d and %s" % (a, b)
    return emitOperator("aten::percentFormat", {l, r}, span);
  if (op == "in" || op == "not in") {
    Value *v;
    if (rhs->type()->kind() == TypeKind::Str) {
      // Substring test, as TorchScript's str.__contains__: find(...) != -1.
      Value *len = emitOperator("aten::len", {r}, span);
      Value *at = emitOperator("aten::find", {r, l, {constInt(0), "", span}, {len, "", span}}, span);
      v = emitOperator("aten::ne", {{at, "", span}, {constInt(-1), "", span}}, span);
    } else {
      v = emitOperator("aten::__contains__", {r, l}, span);
    }
    return op == "in" ? v : emitOperator("aten::__not__", {{v, "", span}}, span);
  }
  if (name.empty())
    error(span, "unsupported operator '" + op + "'");
  return emitOperator(name, {l, r}, span);
}

Value *FunctionEmitter::toBool(Value *v, const SourceSpan &span) {
  switch (v->type()->kind()) {
  case TypeKind::Bool: return v;
  case TypeKind::Tensor:
  case TypeKind::Int:
  case TypeKind::Float: return emitOperator("aten::Bool", {{v, "", span}}, span);
  case TypeKind::Str:
  case TypeKind::List:
  case TypeKind::Dict: {
    // As TorchScript: a container is true when it is not empty.
    Value *n = emitOperator("aten::len", {{v, "", span}}, span);
    return emitOperator("aten::gt", {{n, "", span}, {constInt(0), "", span}}, span);
  }
  case TypeKind::Class:
    // A script class is true as its __bool__ says (TorchScript's rule).
    if (Value *b = emitMagic(v, "__bool__", {}, span)) {
      if (b->type()->kind() != TypeKind::Bool)
        error(span, "expected a bool expression for condition but found '" +
                        b->type()->annotationStr() + "' (returned by __bool__ of '" +
                        v->type()->annotationStr() + "')");
      return b;
    }
    [[fallthrough]];
  default:
    error(span, "expected a condition of type bool but found '" + v->type()->annotationStr() +
                    "'" +
                    (v->type()->kind() == TypeKind::Optional ? "; compare it with None"
                                                             : "; write the comparison out, "
                                                               "e.g. len(x) > 0"));
  }
}

Value *FunctionEmitter::emitCondition(const Expr &e, Refinements &refinements) {
  if (e.kind == ExprKind::UnaryOp && e.text == "not") {
    Refinements inner;
    Value *v = emitCondition(*e.operands[0], inner);
    refinements.whenTrue = inner.whenFalse;
    refinements.whenFalse = inner.whenTrue;
    if (inner.staticValue)
      refinements.staticValue = !*inner.staticValue;
    return emitOperator("aten::__not__", {{v, "", e.span}}, e.span);
  }
  if (e.kind == ExprKind::BoolOp)
    return emitShortCircuit(e, e.operands.size(), refinements);
  if (e.kind == ExprKind::Compare)
    return toBool(emitCompare(e, refinements), e.span);
  if (callsIsInstance(e)) {
    Value *v = emitIsInstance(e, &refinements);
    if (auto c = constantBool(v))
      refinements.staticValue = *c;
    return v;
  }
  Value *v = emitValue(e);
  // A condition that is a bool constant -- `False`, a `Final` flag,
  // `torch.jit.is_scripting()`, `hasattr(...)` -- compiles only the branch
  // it selects, as TorchScript's static if does.
  if (auto c = constantBool(v))
    refinements.staticValue = *c;
  return toBool(v, e.span);
}

bool namesIsInstance(const std::string &dottedName) {
  static const std::string suffix = ".isinstance";
  return dottedName == "isinstance" ||
         (dottedName.size() > suffix.size() &&
          dottedName.compare(dottedName.size() - suffix.size(), suffix.size(), suffix) == 0);
}

/// Whether `e` calls isinstance: the builtin, or torch.jit's (ember's)
/// under whatever name the function's globals give it (`jit.isinstance`,
/// `J.isinstance` after `J = torch.jit`).
bool FunctionEmitter::callsIsInstance(const Expr &e) {
  if (e.kind != ExprKind::Call)
    return false;
  std::string callee = dottedName(*e.operands[0]);
  if (callee == "isinstance")
    return !lookup("isinstance");
  if (!namesIsInstance(callee))
    return false;
  Sugared s = emitExpr(*e.operands[0]);
  return s.kind == Sugared::Kind::Builtin && s.name == "torch.jit.isinstance";
}

Value *FunctionEmitter::emitBranchCondition(const Expr &e, Refinements &refinements) {
  Value *cond = emitCondition(e, refinements);
  // A short circuit whose value is its left operand (`x and True`, `x or
  // False`: an If giving True, else False) branches on that operand, as an
  // `if` statement or ternary in TorchScript does; the If goes.
  for (Node *n = cond->node(); e.kind == ExprKind::BoolOp && n->kind() == prim::If() &&
                               n->outputs().size() == 1 &&
                               !cond->hasUses() && !refinements.staticValue;
       n = cond->node()) {
    for (int b = 0; b < 2; ++b) {
      Block *block = n->blocks()[b];
      auto c = constantBool(block->outputs()[0]);
      for (Node *inner : block->nodes())
        if (inner->kind() != prim::Constant())
          c.reset();
      if (!c || *c != (b == 0))
        return cond;
    }
    cond = n->input(0);
    n->destroy();
  }
  return cond;
}

/// `a and b and c` is `(a and b) and c`, nested to the left as TorchScript's
/// frontend builds it; `n` is how many operands the prefix holds.
Value *FunctionEmitter::emitShortCircuit(const Expr &e, size_t n, Refinements &refinements) {
  if (n == 1)
    return emitCondition(*e.operands[0], refinements);
  bool isAnd = e.text == "and";
  Refinements left, right;
  Value *l = emitShortCircuit(e, n - 1, left);
  const Expr &rhs = *e.operands[n - 1];
  if (left.staticValue) {
    // A side the types decide: `not torch.jit.is_scripting() and ...` never
    // compiles its right-hand side, as in TorchScript.
    if (*left.staticValue != isAnd) {
      refinements.staticValue = !isAnd;
      return constBool(!isAnd);
    }
    applyRefinements(isAnd ? left.whenTrue : left.whenFalse, /*sameType=*/false);
    return emitCondition(rhs, refinements);
  }
  // TorchScript's range for the pair: from the first operand to this one.
  const SourceSpan &first = e.operands[0]->span;
  SourceSpan span{first.buffer, first.offset, rangeEnd(rhs) - first.offset};
  Node *If = insert(prim::If(), {l}, 1, span);
  If->output()->setType(Type::get(TypeKind::Bool));
  Frame frames[2];
  for (int b = 0; b < 2; ++b) {
    Block *block = If->addBlock();
    graph().setInsertPoint(block);
    bool evaluates = (b == 0) == isAnd; // `and` continues when true, `or` when false
    // Each branch holds the left side's refinements for its outcome, as in
    // TorchScript (`a is not None or b` gives `a` refined in the True one).
    pushFrame(Frame::Kind::Branch, block);
    applyRefinements(b == 0 ? left.whenTrue : left.whenFalse);
    Value *out;
    if (evaluates) {
      out = emitCondition(rhs, right);
    } else {
      out = constBool(!isAnd); // where the pair is, as TorchScript's
      locate(out->node(), span);
    }
    block->registerOutput(out);
    frames[b] = popFrame();
  }
  // As TorchScript, the variables the right-hand side refined join after
  // the value.
  joinExpressionBranches(If, frames[0], frames[1], span);
  // A right-hand side the types decide decides the whole when it is the
  // absorbing value (`x or True`, `x and False`), as TorchScript's static if;
  // the If stays for dead-code elimination.
  if (right.staticValue && *right.staticValue != isAnd)
    refinements.staticValue = !isAnd;
  if (isAnd) {
    refinements.whenTrue = unite(left.whenTrue, right.whenTrue);
    refinements.whenFalse = intersect(left.whenFalse, right.whenFalse);
  } else {
    refinements.whenTrue = intersect(left.whenTrue, right.whenTrue);
    refinements.whenFalse = unite(left.whenFalse, right.whenFalse);
  }
  return If->output(0);
}

} // namespace ember::frontend
