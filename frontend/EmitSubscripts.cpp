//===- frontend/EmitSubscripts.cpp - indexing, slicing and item stores ----===//
//
// Lists, strings and dicts index through aten::__getitem__ and slice
// through aten::slice; tuples index statically (prim::TupleIndex, the index
// must be a constant unless every element has one type) and slice into a
// new tuple. Tensors follow TorchScript's multi-dimensional indexing: ints
// select (the dimension goes away), slices slice, None unsqueezes, `...`
// makes the following dimensions count from the end, and tensors collect
// into one aten::index (aten::index_put_ for stores). Stores into a basic
// index copy into the view (aten::copy_), with a scalar right-hand side
// first made a tensor of the view's dtype and device.
//
//===----------------------------------------------------------------------===//
#include "frontend/EmitterImpl.h"

#include <algorithm>

#include "ir/Constants.h"
#include "ir/SliceIndices.h"

namespace ember::frontend {
namespace {

/// The slice bounds as aten::slice takes them: start, end (None when
/// omitted) and step (1 when omitted or None).
std::vector<NamedValue> sliceBounds(FunctionEmitter &em, const std::array<Value *, 3> &parts,
                                    const SourceSpan &span) {
  std::vector<NamedValue> out;
  for (size_t i = 0; i < 3; ++i) {
    Value *v = parts[i];
    if (i == 2 && (!v || v->type()->kind() == TypeKind::None))
      v = em.constInt(1);
    out.push_back({v ? v : em.constNone(), "", span});
  }
  return out;
}

} // namespace

Sugared FunctionEmitter::emitSliceObject(const Expr &call) {
  if (!call.keywords.empty())
    error(call.keywords[0].span, "Slice does not accept any keyword arguments");
  size_t n = call.operands.size() - 1;
  if (n < 1 || n > 3)
    error(call.span, "slice() takes 1 to 3 arguments, got " + std::to_string(n));
  Sugared s = Sugared::make(Sugared::Kind::Slice, "slice");
  s.items.resize(3);
  for (size_t i = 0; i < n; ++i) {
    const Expr &a = *call.operands[i + 1];
    // slice(stop) alone is the stop; None is an omitted bound.
    Value *v = a.kind == ExprKind::None ? nullptr : emitValue(a);
    s.items[n == 1 ? 1 : i] = Sugared::of(v);
  }
  return s;
}

std::optional<std::array<Value *, 3>> FunctionEmitter::sliceParts(const Expr &index,
                                                                  const SourceSpan &where) {
  std::array<Value *, 3> parts{};
  if (index.kind == ExprKind::Slice) {
    // In TorchScript's order: each bound, or its default, in turn (the
    // default step where the subscript is).
    for (size_t i = 0; i < 3; ++i) {
      const Expr *b = i < index.operands.size() ? index.operands[i].get() : nullptr;
      parts[i] = b ? emitValue(*b) : (i == 2 ? constInt(1) : constNone());
      if (!b && i == 2)
        locate(parts[i]->node(), where);
    }
    return parts;
  }
  const Expr *name = index.kind == ExprKind::Call ? index.operands[0].get() : &index;
  if (name->kind != ExprKind::Name || (index.kind == ExprKind::Call && name->text != "slice"))
    return std::nullopt;
  Sugared s = lookupName(*name);
  if (index.kind == ExprKind::Call) {
    if (s.kind != Sugared::Kind::Builtin || s.name != "slice")
      return std::nullopt;
    s = emitSliceObject(index);
  }
  if (s.kind != Sugared::Kind::Slice)
    return std::nullopt;
  for (size_t i = 0; i < 3; ++i)
    parts[i] = s.items[i].value;
  return parts;
}

Sugared FunctionEmitter::emitSubscriptExpr(const Expr &e, const TypePtr &hint) {
  Sugared base = emitExpr(*e.operands[0]);
  if (!base.isValue())
    error(e.span, "cannot subscript '" + base.name + "' here");
  return Sugared::of(subscriptOf(base.value, e, hint));
}

Value *FunctionEmitter::emitSubscript(const Expr &e) {
  return subscriptOf(emitValue(*e.operands[0]), e);
}

Value *FunctionEmitter::subscriptOf(Value *base, const Expr &e, const TypePtr &hint) {
  TypePtr t = base->type();
  if (t->kind() == TypeKind::Tensor) {
    TensorView view = emitTensorView(base, e);
    if (!view.indices)
      return view.view;
    return emitOperator("aten::index", {{view.view, "", e.span}, {view.indices, "", e.span}},
                        e.span);
  }
  if (e.operands.size() != 2)
    error(e.span, "a value of type '" + t->annotationStr() + "' takes a single index");
  const Expr &index = *e.operands[1];
  NamedValue self{base, "", e.operands[0]->span};
  if (t->kind() == TypeKind::Tuple)
    return tupleSubscript(base, index, e.span);
  std::optional<std::array<Value *, 3>> slice = sliceParts(index, e.span);
  if (t->kind() == TypeKind::Class && slice && isModuleContainer(t) && !isModuleDict(t))
    return emitModuleContainerSlice(base, *slice, index.span);
  if (t->kind() == TypeKind::Class && !slice) {
    if (Value *v = emitModuleContainerIndex(base, index, e.span, hint))
      return v;
    if (Value *v = emitMagic(base, "__getitem__", {{emitValue(index), "", index.span}}, e.span))
      return v;
  }
  switch (t->kind()) {
  case TypeKind::List:
  case TypeKind::Str:
    if (slice) {
      std::vector<NamedValue> args = sliceBounds(*this, *slice, index.span);
      args.insert(args.begin(), self);
      return emitOperator("aten::slice", args, e.span);
    }
    return emitOperator("aten::__getitem__", {self, {emitValue(index), "", index.span}}, e.span);
  case TypeKind::Dict:
    return emitOperator("aten::__getitem__",
                        {self, {emitValue(index, t->contained()[0]), "", index.span}}, e.span);
  default:
    error(e.operands[0]->span, "cannot index a value of type '" + t->annotationStr() + "'");
  }
}

Value *FunctionEmitter::tupleSubscript(Value *tuple, const Expr &index, const SourceSpan &span) {
  const auto &elems = tuple->type()->contained();
  int64_t n = static_cast<int64_t>(elems.size());
  auto constant = [&](Value *x) -> std::optional<int64_t> {
    if (!x || x->type()->kind() == TypeKind::None)
      return std::nullopt;
    auto c = constantInt(x);
    if (!c)
      error(index.span, "a tuple slice needs constant bounds");
    return c;
  };
  if (std::optional<std::array<Value *, 3>> slice = sliceParts(index, index.span)) {
    int64_t by = constant((*slice)[2]).value_or(1);
    if (by == 0)
      error(index.span, "slice step cannot be zero");
    std::vector<Value *> items;
    std::vector<TypePtr> types;
    for (int64_t i : sliceIndices(n, constant((*slice)[0]), constant((*slice)[1]), by)) {
      items.push_back(insertValue(Symbol::prim("TupleIndex"), {tuple, constInt(i)}, elems[i], span));
      types.push_back(elems[i]);
    }
    return insertValue(Symbol::prim("TupleConstruct"), items, Type::tuple(types), span);
  }
  Value *i = emitValue(index);
  if (auto c = constantInt(i)) {
    int64_t k = *c < 0 ? *c + n : *c;
    if (k < 0 || k >= n)
      error(index.span, "tuple index " + std::to_string(*c) + " is out of range for a tuple of " +
                            std::to_string(n) + " elements");
    return insertValue(Symbol::prim("TupleIndex"), {tuple, i}, elems[k], span);
  }
  for (const auto &t : elems)
    if (!t->equals(*elems[0]))
      error(index.span, "a tuple whose elements differ in type needs a constant index");
  if (i->type()->kind() != TypeKind::Int || elems.empty())
    error(index.span, "a tuple index must be an int");
  return insertValue(Symbol::prim("TupleIndex"), {tuple, i}, elems[0], span);
}

FunctionEmitter::TensorView FunctionEmitter::emitTensorView(Value *t, const Expr &e) {
  std::vector<const Expr *> indices;
  for (size_t i = 1; i < e.operands.size(); ++i)
    indices.push_back(e.operands[i].get());
  // As TorchScript: the ops carry the subscript's location; after `...`
  // each index counts its dimension from the end, past the indices after it
  // that consume a dimension.
  const SourceSpan &sp = e.span;
  int64_t dim = 0;
  bool fromEnd = false;
  std::vector<std::pair<int64_t, Value *>> advanced;
  for (size_t i = 0; i < indices.size(); ++i) {
    const Expr &x = *indices[i];
    if (x.kind == ExprKind::Ellipsis) {
      fromEnd = true;
      continue;
    }
    if (fromEnd)
      dim = -1 - std::count_if(indices.begin() + i + 1, indices.end(), [](const Expr *y) {
              return y->kind != ExprKind::None;
            });
    if (x.kind == ExprKind::None) {
      t = emitOperator("aten::unsqueeze", {{t, "", sp}, {constInt(dim), "", sp}}, sp);
      ++dim;
      continue;
    }
    if (std::optional<std::array<Value *, 3>> slice = sliceParts(x, sp)) {
      std::vector<NamedValue> args = sliceBounds(*this, *slice, sp);
      args.insert(args.begin(), {{t, "", sp}, {constInt(dim), "", sp}});
      t = emitOperator("aten::slice", args, sp);
      ++dim;
      continue;
    }
    Value *v = emitValue(x);
    TypeKind k = v->type()->kind();
    if (k == TypeKind::Int) {
      t = emitOperator("aten::select", {{t, "", sp}, {constInt(dim), "", sp}, {v, "", sp}}, sp);
    } else if (k == TypeKind::Tensor || k == TypeKind::List) {
      if (k == TypeKind::List) // as TorchScript: a tensor of dtype long (4)
        v = emitOperator("aten::tensor", {{v, "", sp}, {constInt(4), "dtype", sp}}, sp);
      advanced.push_back({dim++, v});
    } else {
      error(x.span, "a tensor index must be an int, a slice, None, '...', a tensor or a list of "
                "ints, not '" + v->type()->annotationStr() + "'");
    }
  }
  TensorView view{t, nullptr};
  if (advanced.empty())
    return view;
  std::vector<Value *> list;
  for (const auto &[d, v] : advanced) {
    if (d < 0)
      error(e.span, "tensor indices after '...' are not supported");
    while (static_cast<int64_t>(list.size()) < d)
      list.push_back(constNone());
    list.push_back(v);
  }
  view.indices = insertValue(Symbol::prim("ListConstruct"), list,
                             Type::list(Type::optional(Type::tensor())), e.span);
  return view;
}

void FunctionEmitter::emitSubscriptAssign(const Expr &target, Value *rhs, const SourceSpan &span) {
  Value *base = emitValue(*target.operands[0]);
  TypePtr t = base->type();
  NamedValue self{base, "", target.operands[0]->span};
  if (t->kind() == TypeKind::Tensor) {
    TensorView view = emitTensorView(base, target);
    NamedValue dst{view.view, "", target.span};
    Value *value = rhs;
    if (rhs->type()->kind() != TypeKind::Tensor) {
      Value *dtype = emitOperator("prim::dtype", {dst}, span);
      Value *device = emitOperator("prim::device", {dst}, span);
      value = emitOperator("aten::tensor", {{rhs, "", span}, {dtype, "dtype", span},
                                            {device, "device", span},
                                            {constBool(false), "requires_grad", span}},
                           span);
      // TorchScript builds the index list after converting the value.
      if (view.indices)
        view.indices->node()->moveAfter(value->node());
    }
    if (view.indices)
      emitOperator("aten::index_put_", {dst, {view.indices, "", span}, {value, "", span},
                                        {constBool(false), "", span}},
                   span);
    else
      emitOperator("aten::copy_", {dst, {value, "", span}, {constBool(false), "", span}}, span);
    return;
  }
  if (target.operands.size() != 2)
    error(target.span, "a value of type '" + t->annotationStr() + "' takes a single index");
  const Expr &index = *target.operands[1];
  bool isSlice = index.kind == ExprKind::Slice;
  if (t->kind() == TypeKind::Class && !isSlice &&
      emitMagic(base, "__setitem__", {{emitValue(index), "", index.span}, {rhs, "", span}}, span))
    return;
  if (isSlice)
    error(index.span, "assigning to a slice of a '" + t->annotationStr() + "' is not supported");
  if (t->kind() != TypeKind::List && t->kind() != TypeKind::Dict)
    error(target.operands[0]->span,
          "'" + t->annotationStr() + "' does not support subscripted assignment");
  TypePtr keyHint = t->kind() == TypeKind::Dict ? t->contained()[0] : nullptr;
  emitOperator("aten::_set_item", {self, {emitValue(index, keyHint), "", index.span}, {rhs, "", span}},
               span);
}

} // namespace ember::frontend
