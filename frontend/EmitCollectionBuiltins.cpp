//===- frontend/EmitCollectionBuiltins.cpp - list(), dict() --------------===//
//
// The builtins that build a container from an iterable, as TorchScript
// emits them: `list(x)` of a list or string is aten::list, of anything else
// a loop appending each element; `dict(d)` of a dict is aten::dict, of
// pairs (zip, a list of tuples) a loop filling a dict, with keyword entries
// set after it; `dict(**kw)` is a dict literal of str keys.
//
//===----------------------------------------------------------------------===//
#include "frontend/Annotations.h"
#include "frontend/EmitterImpl.h"

namespace ember::frontend {

Value *FunctionEmitter::emitListOf(const Expr &operand, const SourceSpan &span) {
  // `list(x)` of a list or string is `aten::list`; of anything else that
  // iterates (range, zip, enumerate, a tuple, a dict's keys) it is
  // `[e for e in x]`, as in TorchScript.
  Sugared iter = emitExpr(operand);
  if (iter.isValue()) {
    TypeKind k = iter.value->type()->kind();
    if (k == TypeKind::List || k == TypeKind::Str)
      return emitOperator("aten::list", {{iter.value, "", operand.span}}, span);
  }
  Node *result = insert(Symbol::prim("ListConstruct"), {}, 1, span);
  result->output()->setType(Type::list(Type::tensor()));
  Expr element(ExprKind::Name, operand.span);
  element.text = "$elem";
  bool typed = false;
  emitForLoop(element, iter, operand.span, nullptr, [&] {
    Value *v = lookup("$elem")->value.value;
    if (!typed)
      result->output()->setType(Type::list(v->type())), typed = true;
    emitOperator("aten::append", {{result->output(), "", span}, {v, "", span}}, span);
  }, span);
  return result->output();
}

Value *FunctionEmitter::emitDictCall(const Expr &call, const TypePtr &hint) {
  // dict(), dict(mapping or pairs), and either with keyword entries
  // (`dict(d, baz=3)`): the dict, then `_set_item` for each keyword.
  if (call.operands.size() > 2)
    error(call.span, "dict expected at most 1 arguments but found " +
                         std::to_string(call.operands.size() - 1));
  TypePtr typed = hint && hint->kind() == TypeKind::Dict ? hint : nullptr;
  Value *d;
  bool emptyList = call.operands.size() == 2 && call.operands[1]->kind == ExprKind::List &&
                   call.operands[1]->operands.empty();
  if (call.operands.size() == 2 && !emptyList) {
    d = emitDictOf(*call.operands[1], typed, call.span);
  } else if (!call.keywords.empty()) {
    std::vector<Value *> values;
    std::vector<SourceSpan> spans;
    for (const auto &k : call.keywords) {
      values.push_back(emitValue(*k.value, typed ? typed->contained()[1] : nullptr));
      spans.push_back(k.value->span);
    }
    TypePtr v = elementType(values, spans, typed ? typed->contained()[1] : nullptr, hint, "value");
    std::vector<Value *> entries;
    for (size_t i = 0; i < values.size(); ++i)
      entries.push_back(constStr(call.keywords[i].name)), entries.push_back(values[i]);
    return insertValue(Symbol::prim("DictConstruct"), entries,
                       Type::dict(Type::get(TypeKind::Str), v), call.span);
  } else {
    return insertValue(Symbol::prim("DictConstruct"), {},
                       typed ? typed : Type::dict(Type::get(TypeKind::Str), Type::tensor()),
                       call.span);
  }
  for (const auto &k : call.keywords)
    emitOperator("aten::_set_item", {{d, "", call.span},
                                     {constStr(k.name), "", k.value->span},
                                     {emitValue(*k.value, d->type()->contained()[1]), "",
                                      k.value->span}},
                 call.span);
  return d;
}

Value *FunctionEmitter::emitDictOf(const Expr &operand, const TypePtr &hint,
                                   const SourceSpan &span) {
  // `dict(d)` of a dict is `aten::dict`; of anything else that iterates
  // over pairs (zip, a list of tuples) it is `{k: v for k, v in x}`, as in
  // TorchScript.
  Sugared iter = emitExpr(operand);
  if (iter.isValue() && iter.value->type()->kind() == TypeKind::Dict)
    return emitOperator("aten::dict", {{iter.value, "", operand.span}}, span);
  Node *result = insert(Symbol::prim("DictConstruct"), {}, 1, span);
  result->output()->setType(hint ? hint : Type::dict(Type::get(TypeKind::Str), Type::tensor()));
  Expr pair(ExprKind::Tuple, operand.span);
  for (const char *name : {"$key", "$value"}) {
    pair.operands.push_back(std::make_unique<Expr>(ExprKind::Name, operand.span));
    pair.operands.back()->text = name;
  }
  bool typed = false;
  emitForLoop(pair, iter, operand.span, nullptr, [&] {
    Value *k = lookup("$key")->value.value, *v = lookup("$value")->value.value;
    if (!typed) {
      checkGeneratedDictKeyType(k->type(), operand.span);
      result->output()->setType(Type::dict(k->type(), v->type())), typed = true;
      // TorchScript's words where the pairs do not fit the annotation.
      for (int i = 0; hint && i < 2; ++i)
        if (!(i ? v : k)->type()->isSubtypeOf(*hint->contained()[i]))
          error(operand.span, "Dict type annotation `" + hint->annotationStr() +
                                  "` did not match the type of an actual " +
                                  (i ? "value" : "key") + " type `" +
                                  (i ? v : k)->type()->annotationStr() + "`");
      if (hint)
        result->output()->setType(hint);
    }
    emitOperator("aten::_set_item",
                 {{result->output(), "", span}, {k, "", span}, {v, "", span}}, span);
  }, span);
  return result->output();
}

} // namespace ember::frontend
