//===- frontend/EmitBuiltinFunctions.cpp - TorchScript's builtin functions ===//
//
// TorchScript defines a few helpers as TorchScript source of its own
// (torch/csrc/jit/frontend/builtin_functions.cpp) and inlines them where
// they are called, so their bodies, not calls, show in graphs and code:
// `_list_with_default` (an assert, then the sizes given) and `_single`,
// `_pair`, `_triple`, `_quadruple` (the argument, an int broadcast first).
//
//===----------------------------------------------------------------------===//
#include "frontend/EmitterImpl.h"

namespace ember::frontend {

// TorchScript's builtin function of torch/csrc/jit/frontend/builtin_functions
// .cpp, which it inlines: `assert len(defaults) > len(out_size)` and the
// sizes given (`_list_with_default` in torch.nn.functional).
Value *FunctionEmitter::emitListWithDefault(Value *outSize, Value *defaults, const SourceSpan &span) {
  if (outSize->type()->kind() != TypeKind::List || defaults->type()->kind() != TypeKind::List)
    return emitOperator("aten::list_with_default", {{outSize, "", span}, {defaults, "", span}},
                        span);
  Value *have = emitOperator("aten::len", {{defaults, "", span}}, span);
  Value *want = emitOperator("aten::len", {{outSize, "", span}}, span);
  Value *cond = emitOperator("aten::gt", {{have, "", span}, {want, "", span}}, span);
  emitBranches(
      cond, {}, [] { return ExitKind::Never; },
      [&] {
        emitAssertionError(nullptr, span);
        return ExitKind::Raises;
      },
      span);
  return outSize;
}

// TorchScript's builtin functions `_single`, `_pair`, `_triple` and
// `_quadruple` return their argument, an int or a float broadcast to a list
// first (they are defined for BroadcastingListN of both).
Value *FunctionEmitter::emitNTuple(const std::string &op, const std::vector<NamedValue> &args,
                                   const SourceSpan &span) {
  static const std::map<std::string, size_t> sizes = {
      {"aten::_single", 1}, {"aten::_pair", 2}, {"aten::_triple", 3}, {"aten::_quadruple", 4}};
  auto it = sizes.find(op);
  if (it == sizes.end() || args.size() != 1 || !args[0].keyword.empty())
    return nullptr;
  Value *v = args[0].value;
  const TypePtr &t = v->type();
  auto isNumber = [](const TypePtr &e) {
    return e->kind() == TypeKind::Int || e->kind() == TypeKind::Float;
  };
  if (t->kind() == TypeKind::List && isNumber(t->elem()))
    return v;
  if (!isNumber(t))
    return nullptr;
  return insertValue(Symbol::prim("ListConstruct"), std::vector<Value *>(it->second, v),
                     Type::list(t), span);
}

} // namespace ember::frontend
