//===- frontend/EmitLiterals.cpp - comparisons, literals, comprehensions --===//
//
// Chained comparisons are TorchScript's `(a < b) and (b < c)` (the middle
// operand is evaluated again) and stop at the first false link. `x is None` / `x is not None` on an Optional local refine it
// in the branch where the test settles it; on a value whose type already
// decides the test the result is static, and an `if` on it emits only the
// branch that runs (as TorchScript does, so that code for other types in
// the dead branch need not type-check).
//
// List, tuple and dict literals take their element types from the
// elements, or from the annotation they are assigned to (`x: List[int] =
// []`); an empty literal without one is List[Tensor] / Dict[str, Tensor].
// Comprehensions are loops appending to a fresh list (or setting items of
// a fresh dict), with their filters as branches. F-strings become
// aten::format with the format specs kept (`{x:.2f}`).
//
//===----------------------------------------------------------------------===//
#include "frontend/EmitterImpl.h"

#include "ir/Constants.h"

namespace ember::frontend {
namespace {

/// Escapes braces of literal f-string text for aten::format.
std::string escapeBraces(const std::string &s) {
  std::string out;
  for (char c : s) {
    out += c;
    if (c == '{' || c == '}')
      out += c;
  }
  return out;
}

/// The type `t` has when it is known not to be None.
TypePtr withoutNone(const TypePtr &t) {
  if (t->kind() == TypeKind::Optional)
    return t->elem();
  if (t->kind() == TypeKind::Union) {
    std::vector<TypePtr> rest;
    for (const auto &a : t->contained())
      if (a->kind() != TypeKind::None)
        rest.push_back(a);
    return rest.size() == 1 ? rest[0] : Type::unionOf(rest);
  }
  return nullptr;
}

} // namespace

/// Whether a value of this type is None: always, maybe or never
/// (TorchScript's canBeNone). `Any` may hold None: ember asks at run time
/// where TorchScript takes it to be never None.
enum class NoneStatus { Always, Maybe, Never };
static NoneStatus noneStatus(const TypePtr &t) {
  switch (t->kind()) {
  case TypeKind::None:
    return NoneStatus::Always;
  case TypeKind::Optional:
  case TypeKind::Any:
    return NoneStatus::Maybe;
  case TypeKind::Union:
    for (const auto &a : t->contained())
      if (a->kind() == TypeKind::None)
        return NoneStatus::Maybe;
    return NoneStatus::Never;
  default:
    return NoneStatus::Never;
  }
}

Value *FunctionEmitter::emitCompare(const Expr &e, Refinements &refinements) {
  const auto &ops = e.ops;
  if (ops.size() == 1 && (ops[0] == "is" || ops[0] == "is not")) {
    bool isNot = ops[0] == "is not";
    Value *l = emitValue(*e.operands[0]);
    Value *r = emitValue(*e.operands[1]);
    // As TorchScript: `a is b` where both are None, or one is None and the
    // other never is, is decided by the types -- a bool constant, and an
    // `if` on it compiles only the branch it selects.
    NoneStatus ls = noneStatus(l->type()), rs = noneStatus(r->type());
    if (ls == NoneStatus::Always && rs == NoneStatus::Always) {
      refinements.staticValue = !isNot;
      return constBool(!isNot);
    }
    if ((ls == NoneStatus::Always && rs == NoneStatus::Never) ||
        (ls == NoneStatus::Never && rs == NoneStatus::Always)) {
      refinements.staticValue = isNot;
      return constBool(isNot);
    }
    // `name is None` (either way round) refines the variable.
    bool noneLeft = e.operands[0]->kind == ExprKind::None;
    const Expr &subject = *e.operands[noneLeft ? 1 : 0];
    Value *v = noneLeft ? r : l;
    if (e.operands[noneLeft ? 0 : 1]->kind == ExprKind::None && subject.kind == ExprKind::Name)
      if (TypePtr narrowed = withoutNone(v->type()))
        (isNot ? refinements.whenTrue : refinements.whenFalse).push_back({subject.text, narrowed});
    return emitOperator(isNot ? "aten::__isnot__" : "aten::__is__",
                        {{l, "", e.operands[0]->span}, {r, "", e.operands[1]->span}}, e.span);
  }
  Value *left = emitValue(*e.operands[0]);
  Value *result = emitBinary(e.ops[0], left, emitValue(*e.operands[1]), e.span);
  // `a < b < c` is `(a < b) and (b < c)`, nested to the left, with the
  // middle operand evaluated again — TorchScript's frontend rewrites chains
  // this way, and the shape prints back to itself.
  for (size_t i = 1; i < e.ops.size(); ++i) {
    Node *n = insert(prim::If(), {toBool(result, e.span)}, 1, e.span);
    n->output()->setType(Type::get(TypeKind::Bool));
    graph().setInsertPoint(n->addBlock());
    Value *l = emitValue(*e.operands[i]);
    Value *r = emitValue(*e.operands[i + 1]);
    n->blocks()[0]->registerOutput(toBool(emitBinary(e.ops[i], l, r, e.span), e.span));
    graph().setInsertPoint(n->addBlock());
    n->blocks()[1]->registerOutput(constBool(false));
    graph().setInsertPoint(n->next());
    result = n->output();
  }
  return result;
}

Value *FunctionEmitter::emitTernary(const Expr &e, const TypePtr &hint) {
  Refinements refinements;
  Value *cond = emitBranchCondition(*e.operands[1], refinements);
  if (refinements.staticValue)
    return emitValue(*e.operands[*refinements.staticValue ? 0 : 2], hint);
  Node *n = insert(prim::If(), {cond}, 1, e.span);
  Value *vals[2];
  Frame frames[2];
  for (int b = 0; b < 2; ++b) {
    Block *block = n->addBlock();
    graph().setInsertPoint(block);
    pushFrame(Frame::Kind::Branch, block);
    applyRefinements(b == 0 ? refinements.whenTrue : refinements.whenFalse);
    vals[b] = emitValue(*e.operands[b == 0 ? 0 : 2], hint);
    frames[b] = popFrame();
  }
  TypePtr type = hint ? hint : unifyTypes(vals[0]->type(), vals[1]->type());
  if (!type)
    error(e.span, "the branches of this conditional expression have different types: '" +
                      vals[0]->type()->annotationStr() + "' and '" +
                      vals[1]->type()->annotationStr() + "'");
  for (int b = 0; b < 2; ++b) {
    graph().setInsertPoint(n->blocks()[b]);
    Value *v = convertTo(vals[b], type);
    if (!v)
      error(e.operands[b == 0 ? 0 : 2]->span,
            "expected a value of type '" + type->annotationStr() + "' but found '" +
                vals[b]->type()->annotationStr() + "'");
    n->blocks()[b]->registerOutput(v);
  }
  n->output()->setType(type);
  // As TorchScript, the refined variables join after the value.
  joinExpressionBranches(n, frames[0], frames[1], e.span);
  return n->output(0);
}

/// The common type of `values`, as TorchScript's unifyTypeList with
/// default_to_union: elements that do not unify make a Union. With
/// `elemHint` every element must fit it; `container` (the annotated list or
/// dict type) names it in the error.
TypePtr FunctionEmitter::elementType(const std::vector<Value *> &values,
                                     const std::vector<SourceSpan> &spans,
                                     const TypePtr &elemHint, const TypePtr &container,
                                     const char *what) {
  TypePtr t;
  for (const auto &v : values) {
    TypePtr u = t ? unifyTypes(t, v->type()) : v->type();
    t = u ? u : Type::unionOf({t, v->type()});
  }
  if (!elemHint)
    return t;
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i]->type()->isSubtypeOf(*elemHint))
      continue;
    // TorchScript's words, which code written for it matches on.
    if (container->kind() == TypeKind::List)
      error(spans[i], "List type annotation `" + container->annotationStr() +
                          "` did not match the types of the given list elements, which were "
                          "unified to " +
                          t->annotationStr());
    error(spans[i], "Dict type annotation `" + container->annotationStr() +
                        "` did not match the type of an actual " + what + " type `" +
                        values[i]->type()->annotationStr() + "`");
  }
  return elemHint;
}

Value *FunctionEmitter::emitListLiteral(const Expr &e, const TypePtr &hint) {
  TypePtr elemHint = hint && hint->kind() == TypeKind::List ? hint->elem() : nullptr;
  std::vector<Value *> values;
  std::vector<SourceSpan> spans;
  for (const auto &x : e.operands) {
    values.push_back(emitValue(*x, elemHint));
    spans.push_back(x->span);
  }
  TypePtr elem = elementType(values, spans, elemHint, hint, "list element");
  if (elem && !elemHint && elem->kind() == TypeKind::Union)
    emitWarning(e.span, "List consists of heterogeneous types, which means that it has been "
                        "typed as containing " +
                            elem->annotationStr() +
                            ". To use any of the values in this List, it will be necessary to "
                            "add an `assert isinstance` statement before first use to trigger "
                            "type refinement.");
  if (!elem) {
    Value *empty = insertValue(Symbol::prim("ListConstruct"), {}, Type::list(Type::tensor()),
                               SourceSpan{});
    anonymous_.insert(empty);
    return empty;
  }
  return insertValue(Symbol::prim("ListConstruct"), values, Type::list(elem), e.span);
}

Value *FunctionEmitter::emitTupleLiteral(const Expr &e, const TypePtr &hint) {
  std::vector<Value *> values;
  std::vector<TypePtr> types;
  for (size_t i = 0; i < e.operands.size(); ++i) {
    TypePtr h = hint && hint->kind() == TypeKind::Tuple && i < hint->contained().size()
                    ? hint->contained()[i]
                    : nullptr;
    values.push_back(emitValue(*e.operands[i], h));
    types.push_back(values.back()->type());
  }
  return insertValue(Symbol::prim("TupleConstruct"), values, Type::tuple(types), e.span);
}

Value *FunctionEmitter::emitDictLiteral(const Expr &e, const TypePtr &hint) {
  bool typed = hint && hint->kind() == TypeKind::Dict;
  std::vector<Value *> keys, values, all;
  std::vector<SourceSpan> keySpans, valueSpans;
  for (size_t i = 0; i + 1 < e.operands.size(); i += 2) {
    keys.push_back(emitValue(*e.operands[i], typed ? hint->contained()[0] : nullptr));
    values.push_back(emitValue(*e.operands[i + 1], typed ? hint->contained()[1] : nullptr));
    keySpans.push_back(e.operands[i]->span);
    valueSpans.push_back(e.operands[i + 1]->span);
    all.push_back(keys.back());
    all.push_back(values.back());
  }
  TypePtr k = elementType(keys, keySpans, typed ? hint->contained()[0] : nullptr, hint, "key");
  TypePtr v = elementType(values, valueSpans, typed ? hint->contained()[1] : nullptr, hint,
                          "value");
  if (k && k->kind() == TypeKind::Union)
    for (size_t i = 1; i < keys.size(); ++i)
      if (!unifyTypes(keys[0]->type(), keys[i]->type()))
        error(keySpans[i], "Dict keys must contain only a single type. Expected: " +
                               keys[0]->type()->annotationStr() + " but found " +
                               keys[i]->type()->annotationStr() + " instead");
  if (k && !typed)
    checkDictKeyType(k, e.span);
  if (v && !typed && v->kind() == TypeKind::Union)
    emitWarning(e.span, "Dict values consist of heterogeneous types, which means that the dict "
                        "has been typed as containing Dict[" +
                            k->annotationStr() + ", " + v->annotationStr() +
                            "]. To use any of the values in this Dict, it will be necessary to "
                            "add an `assert isinstance` statement before first use to trigger "
                            "type refinement.");
  if (!k)
    k = Type::get(TypeKind::Str), v = Type::tensor();
  return insertValue(Symbol::prim("DictConstruct"), all, Type::dict(k, v), e.span);
}

Value *FunctionEmitter::emitComprehension(const Expr &e, const TypePtr &hint) {
  bool isDict = e.kind == ExprKind::DictComp;
  TypePtr keyHint, valueHint;
  if (hint && !isDict && hint->kind() == TypeKind::List)
    valueHint = hint->elem();
  if (hint && isDict && hint->kind() == TypeKind::Dict)
    keyHint = hint->contained()[0], valueHint = hint->contained()[1];
  Node *result = insert(Symbol::prim(isDict ? "DictConstruct" : "ListConstruct"), {}, 1, e.span);
  bool typed = isDict ? keyHint && valueHint : valueHint != nullptr;
  result->output()->setType(isDict ? Type::dict(keyHint ? keyHint : Type::get(TypeKind::Str),
                                                valueHint ? valueHint : Type::tensor())
                                   : Type::list(valueHint ? valueHint : Type::tensor()));
  std::function<void(size_t)> generator = [&](size_t g) {
    if (g == e.generators.size()) {
      NamedValue target{result->output(), "", e.span};
      if (isDict) {
        Value *k = emitValue(*e.operands[0], keyHint), *v = emitValue(*e.operands[1], valueHint);
        if (!typed) {
          checkGeneratedDictKeyType(k->type(), e.operands[0]->span);
          result->output()->setType(Type::dict(k->type(), v->type())), typed = true;
        }
        emitOperator("aten::_set_item", {target, {k, "", e.span}, {v, "", e.span}}, e.span);
      } else {
        Value *v = emitValue(*e.operands[0], valueHint);
        if (!typed)
          result->output()->setType(Type::list(v->type())), typed = true;
        emitOperator("aten::append", {target, {v, "", e.span}}, e.span);
      }
      return;
    }
    const Comprehension &c = e.generators[g];
    emitForLoop(*c.target, *c.iter, nullptr, [&] { filtered(c, 0, [&] { generator(g + 1); }); },
                e.span);
  };
  // The comprehension's variables are its own: after it, a name it alone
  // assigned is simply undefined, as in Python.
  auto undefinedBefore = frame().undefined;
  generator(0);
  frame().undefined = std::move(undefinedBefore);
  return result->output();
}

void FunctionEmitter::filtered(const Comprehension &c, size_t i,
                               const std::function<void()> &body) {
  if (i == c.conditions.size())
    return body();
  Refinements refinements;
  Value *cond = emitCondition(*c.conditions[i], refinements);
  emitBranches(
      cond, refinements,
      [&] {
        filtered(c, i + 1, body);
        return ExitKind::Never;
      },
      [] { return ExitKind::Never; }, c.conditions[i]->span);
}

Value *FunctionEmitter::emitFString(const Expr &e) {
  std::string format;
  std::vector<NamedValue> args;
  for (const auto &p : e.parts) {
    if (!p.expr) {
      format += escapeBraces(p.literal);
      continue;
    }
    format += "{";
    if (p.conversion)
      format += std::string("!") + p.conversion;
    if (!p.formatSpec.empty())
      format += ":" + p.formatSpec;
    format += "}";
    args.push_back({emitValue(*p.expr), "", p.expr->span});
  }
  args.insert(args.begin(), {constStr(format), "", e.span});
  return emitOperator("aten::format", args, e.span);
}

} // namespace ember::frontend
