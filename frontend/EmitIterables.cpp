//===- frontend/EmitIterables.cpp - what a `for` iterates over -------------===//
//
// A `for` (or a comprehension) reads its elements from a source: a range
// (`aten::__range_length`, `aten::__derive_index`), a list, string or dict's
// keys (`aten::len`, `aten::__getitem__`), a tensor (`aten::select` on dim
// 0), an enum class (a constant list of its members), or `zip` and
// `enumerate` of those. Tuples, module lists and what zips or enumerates
// them are unrolled instead, their elements differing in type.
//
//===----------------------------------------------------------------------===//
#include "frontend/IterSource.h"

#include "ir/Constants.h"

#include <climits>

namespace ember::frontend {

/// `enumerate` or `zip` over a module list or tuple unrolls too: its
/// elements become one tuple per iteration, as many as the shortest
/// unrolled part has.
static void unrollParts(FunctionEmitter &em, IterSource &src) {
  size_t n = SIZE_MAX;
  for (const auto &p : src.parts)
    if (p.kind == IterSource::Unrolled)
      n = std::min(n, p.seq->type()->contained().size());
  if (n == SIZE_MAX)
    return;
  const SourceSpan &sp = src.span;
  std::vector<Value *> rows;
  std::vector<TypePtr> rowTypes;
  for (size_t k = 0; k < n; ++k) {
    std::vector<Value *> items;
    Value *index = em.constInt(int64_t(k));
    if (src.kind == IterSource::Enumerate)
      items.push_back(elementAt(em, enumerateCounter(em, src), index));
    for (const auto &p : src.parts) {
      if (p.kind != IterSource::Unrolled) {
        items.push_back(elementAt(em, p, index));
        continue;
      }
      items.push_back(em.insertValue(Symbol::prim("TupleIndex"), {p.seq, index},
                                     p.seq->type()->contained()[k], sp));
    }
    std::vector<TypePtr> types;
    for (Value *v : items)
      types.push_back(v->type());
    rows.push_back(em.insertValue(Symbol::prim("TupleConstruct"), items, Type::tuple(types), sp));
    rowTypes.push_back(rows.back()->type());
  }
  src.kind = IterSource::Unrolled;
  src.seq = em.insertValue(Symbol::prim("TupleConstruct"), rows, Type::tuple(rowTypes), sp);
  src.parts.clear();
}

/// `range(stop)` or `range(start, stop[, step])`.
static IterSource rangeSource(FunctionEmitter &em, const Sugared &s, const SourceSpan &span) {
  IterSource src;
  src.span = span;
  src.kind = IterSource::Range;
  if (s.items.empty() || s.items.size() > 3)
    em.error(span, "range expects 1 to 3 arguments, got " + std::to_string(s.items.size()));
  std::vector<Value *> args;
  for (const auto &i : s.items) {
    Value *v = em.asValue(i, span);
    if (v->type()->kind() != TypeKind::Int)
      em.error(span, "range arguments must be int, not '" + v->type()->annotationStr() + "'");
    args.push_back(v);
  }
  if (args.size() == 1) {
    src.stop = args[0];
  } else {
    src.start = args[0];
    src.stop = args[1];
    src.step = args.size() == 3 ? args[2] : em.constInt(1);
  }
  return src;
}

/// A module list iterates as the tuple of its submodules (or parameters),
/// a ModuleDict as its keys, as a Python dict does: both unrolled.
static IterSource moduleContainerSource(FunctionEmitter &em, Value *v, const SourceSpan &span) {
  IterSource src;
  src.span = span;
  src.kind = IterSource::Unrolled;
  if (em.isModuleDict(v->type())) {
    src.seq = em.emitModuleDictView(v, "keys", span);
    return src;
  }
  std::vector<Value *> items;
  std::vector<TypePtr> types;
  for (const auto &e : em.moduleContainerEntries(v->type())) {
    items.push_back(em.asValue(em.classAttribute(v, e, span), span));
    types.push_back(items.back()->type());
  }
  src.seq = em.insertValue(Symbol::prim("TupleConstruct"), items, Type::tuple(types), span);
  return src;
}

IterSource iterSourceOf(FunctionEmitter &em, const Sugared &s, const SourceSpan &span,
                        const SourceSpan &loop) {
  if (s.kind == Sugared::Kind::Iterable && s.name == "range")
    return rangeSource(em, s, span);
  IterSource src;
  src.span = span;
  if (s.kind == Sugared::Kind::Iterable) {
    src.kind = s.name == "zip" ? IterSource::Zip : IterSource::Enumerate;
    for (size_t i = 0; i < s.items.size(); ++i) {
      if (src.kind == IterSource::Enumerate && i == 1)
        src.offset = em.asValue(s.items[1], span);
      else
        src.parts.push_back(iterSourceOf(em, s.items[i], span, loop));
    }
    unrollParts(em, src);
    return src;
  }
  if (s.kind == Sugared::Kind::TypeValue && s.type && s.type->kind() == TypeKind::Enum) {
    // `for c in Color`: the members, as a constant list.
    c10::impl::GenericList members(c10EnumType(s.type));
    for (size_t i = 0; i < s.type->enumMembers().size(); ++i)
      members.push_back(enumMemberValue(s.type, i));
    src.seq = em.graph().insertConstant(members, Type::list(s.type));
    return src;
  }
  Value *v = em.asValue(s, span);
  switch (v->type()->kind()) {
  case TypeKind::List:
  case TypeKind::Str:
  case TypeKind::Tensor: src.seq = v; return src;
  case TypeKind::Dict:
    src.seq = em.emitOperator("aten::keys", {{v, "", loop}}, loop);
    return src;
  case TypeKind::Tuple:
    src.kind = IterSource::Unrolled;
    src.seq = v;
    return src;
  case TypeKind::Class:
    if (em.isModuleContainer(v->type()))
      return moduleContainerSource(em, v, span);
    break;
  default: break;
  }
  // TorchScript's (and Python's) words first: `'int' object is not iterable`.
  em.error(span, "'" + v->type()->annotationStr() +
                     "' object is not iterable; iterate over a range, list, tuple, string, dict, "
                     "tensor or enum class");
}

/// The lengths of the leaves of a zip/enumerate tree, as TorchScript's
/// IterableTree lists them: enumerate's counter is `range(start, INT_MAX)`.
static void leafLengths(FunctionEmitter &em, const IterSource &src, std::vector<Value *> &out) {
  if (src.kind != IterSource::Zip && src.kind != IterSource::Enumerate) {
    out.push_back(lengthOf(em, src));
    return;
  }
  if (src.kind == IterSource::Enumerate)
    out.push_back(lengthOf(em, enumerateCounter(em, src)));
  for (const auto &p : src.parts)
    leafLengths(em, p, out);
}

IterSource enumerateCounter(FunctionEmitter &em, const IterSource &src) {
  IterSource counter;
  counter.kind = IterSource::Range;
  counter.span = src.span;
  counter.stop = em.constInt(std::numeric_limits<int64_t>::max());
  if (src.offset) {
    counter.start = src.offset;
    counter.step = em.constInt(1);
  }
  return counter;
}

Value *lengthOf(FunctionEmitter &em, const IterSource &src) {
  switch (src.kind) {
  case IterSource::Range:
    if (!src.start)
      return src.stop;
    return em.emitOperator("aten::__range_length",
                           {{src.start, "", src.span}, {src.stop, "", src.span},
                            {src.step, "", src.span}},
                           src.span);
  case IterSource::Sequence: return em.emitOperator("aten::len", {{src.seq, "", src.span}}, src.span);
  case IterSource::Enumerate:
  case IterSource::Zip: {
    // The shortest leaf: `prim::min([INT_MAX, len(xs)])` for enumerate(xs).
    std::vector<Value *> lengths;
    leafLengths(em, src, lengths);
    Value *list = em.insertValue(Symbol::prim("ListConstruct"), lengths,
                                 Type::list(Type::get(TypeKind::Int)), src.span);
    return em.emitOperator("prim::min", {{list, "", src.span}}, src.span);
  }
  case IterSource::Unrolled: break;
  }
  em.error(src.span, "internal: unrolled sources have no length");
}

Value *elementAt(FunctionEmitter &em, const IterSource &src, Value *index) {
  const SourceSpan &sp = src.span;
  switch (src.kind) {
  case IterSource::Range:
    if (!src.start)
      return index;
    return em.emitOperator("aten::__derive_index",
                           {{index, "", sp}, {src.start, "", sp}, {src.step, "", sp}}, sp);
  case IterSource::Sequence:
    if (src.seq->type()->kind() == TypeKind::Tensor)
      return em.emitOperator("aten::select",
                             {{src.seq, "", sp}, {em.constInt(0), "", sp}, {index, "", sp}}, sp);
    return em.emitOperator("aten::__getitem__", {{src.seq, "", sp}, {index, "", sp}}, sp);
  case IterSource::Enumerate:
  case IterSource::Zip: {
    std::vector<Value *> items;
    if (src.kind == IterSource::Enumerate)
      items.push_back(elementAt(em, enumerateCounter(em, src), index));
    for (const auto &p : src.parts)
      items.push_back(elementAt(em, p, index));
    std::vector<TypePtr> types;
    for (Value *v : items)
      types.push_back(v->type());
    return em.insertValue(Symbol::prim("TupleConstruct"), items, Type::tuple(types), sp);
  }
  case IterSource::Unrolled: break;
  }
  em.error(sp, "internal: unrolled sources have no index");
}

/// Binds a `for` target to the element at `index`; a tuple target over zip
/// or enumerate binds each part directly instead of building a tuple.
void bindElement(FunctionEmitter &em, const Expr &target, const IterSource &src,
                        Value *index) {
  bool combined = src.kind == IterSource::Zip || src.kind == IterSource::Enumerate;
  size_t n = src.parts.size() + (src.kind == IterSource::Enumerate ? 1 : 0);
  if (combined && (target.kind == ExprKind::Tuple || target.kind == ExprKind::List) &&
      target.operands.size() == n) {
    size_t k = 0;
    if (src.kind == IterSource::Enumerate) {
      Value *i = elementAt(em, enumerateCounter(em, src), index);
      em.emitAssignTo(*target.operands[k++], Sugared::of(i), target.span);
    }
    for (const auto &part : src.parts)
      bindElement(em, *target.operands[k++], part, index);
    return;
  }
  em.emitAssignTo(target, Sugared::of(elementAt(em, src, index)), target.span);
}

} // namespace ember::frontend
