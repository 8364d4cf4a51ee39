//===- frontend/EmitModuleContainers.cpp - ModuleList, ModuleDict ---------===//
//
// Module containers (ModuleList, Sequential, ModuleDict, ParameterList,
// ParameterDict) hold their entries as attributes named "0", "1", ... or by
// key. TorchScript resolves a literal index statically; a value index is
// allowed only where the assignment names a module interface, and becomes
// `prim::ModuleContainerIndex`, an attribute lookup at run time. Errors use
// torch.jit's words, which code written for it matches on.
//
//===----------------------------------------------------------------------===//
#include "frontend/EmitterImpl.h"

#include "ir/Constants.h"
#include "ir/SliceIndices.h"

#include <algorithm>

namespace ember::frontend {

bool FunctionEmitter::isModuleContainer(const TypePtr &type) {
  if (!type->isModule())
    return false;
  ClassInfo *c = compiler_.classOfType(type);
  const std::string &qual = type->name();
  return c && (c->assembled ? !c->containerKind.empty()
                            : qual.find("ModuleList") != std::string::npos ||
                                  qual.find("Sequential") != std::string::npos ||
                                  qual.find("ModuleDict") != std::string::npos ||
                                  qual.find("ParameterList") != std::string::npos ||
                                  qual.find("ParameterDict") != std::string::npos);
}

std::vector<std::string> FunctionEmitter::moduleContainerEntries(const TypePtr &type) {
  // ModuleList, Sequential and ModuleDict hold their submodules as
  // attributes named "0", "1", ... (or by key), ParameterList and
  // ParameterDict their parameters; TorchScript unrolls loops over them and
  // resolves constant indices statically.
  // Classes ember.script assembles say whether they are containers; in
  // archive code the class name tells.
  ClassInfo *c = isModuleContainer(type) ? compiler_.classOfType(type) : nullptr;
  std::vector<std::string> names;
  if (c) {
    compiler_.prepareClass(*c, c->def->span);
    for (const auto &[name, t] : c->attributes)
      if (t->isModule() || t->kind() == TypeKind::Tensor)
        names.push_back(name);
  }
  return names;
}

Value *FunctionEmitter::emitModuleContainerIndex(Value *container, const Expr &index,
                                                 const SourceSpan &span, const TypePtr &hint) {
  // Indexed by a value, a container gives a module of the interface the
  // assignment is annotated with (`m: Iface = self.mods[i]`). In archive
  // code, which prints that as `m : Iface = l[i]`, the class of a container
  // subclass does not say it is one: any module indexes so.
  bool toInterface = hint && hint->kind() == TypeKind::Interface;
  if (!isModuleContainer(container->type()))
    return toInterface && container->type()->isModule() && index.kind != ExprKind::Slice
               ? emitDynamicContainerIndex(container, emitValue(index), hint, span)
               : nullptr;
  std::vector<std::string> entries = moduleContainerEntries(container->type());
  // TorchScript's words (ModuleValue::getitem), which code written for it
  // matches on.
  if (isModuleDict(container->type())) {
    if (index.kind != ExprKind::Str && toInterface)
      return emitDynamicContainerIndex(container, emitValue(index), hint, span);
    if (index.kind != ExprKind::Str)
      error(span, "Unable to extract string literal index. ModuleDict indexing is only supported "
                  "with string literals. Enumeration of ModuleDict is supported, e.g. 'for k, v "
                  "in self.items(): ...'");
    if (std::find(entries.begin(), entries.end(), index.text) == entries.end())
      error(span, "Key Error, " + index.text);
    return asValue(classAttribute(container, index.text, index.span), index.span);
  }
  Value *i = index.kind == ExprKind::Str ? nullptr : emitValue(index);
  // A variable is never a literal, even when it holds a constant, as in
  // TorchScript, where reading a variable is not a constant node.
  auto literal = i && index.kind != ExprKind::Name ? constantInt(i) : std::nullopt;
  if (!literal && toInterface && i)
    return emitDynamicContainerIndex(container, i, hint, span);
  if (!literal)
    error(span, "Expected integer literal for index. ModuleList/Sequential indexing is only "
                "supported with integer literals. Enumeration is supported, e.g. 'for index, v "
                "in enumerate(self): ...'");
  int64_t n = static_cast<int64_t>(entries.size());
  int64_t k = *literal < 0 ? *literal + n : *literal;
  if (k < 0 || k >= n)
    error(span, "Index " + std::to_string(*literal) + " out of range of length " +
                    std::to_string(n));
  return asValue(classAttribute(container, entries[k], index.span), index.span);
}

Value *FunctionEmitter::emitModuleContainerSlice(Value *container,
                                                 const std::array<Value *, 3> &slice,
                                                 const SourceSpan &span) {
  std::vector<std::string> entries = moduleContainerEntries(container->type());
  auto bound = [&](Value *b) -> std::optional<int64_t> {
    if (b->type()->kind() == TypeKind::None)
      return std::nullopt;
    auto c = constantInt(b);
    if (!c)
      error(span, "ModuleList/Sequential slicing is only supported with integer literals or "
                  "None as bounds");
    return c;
  };
  int64_t step = bound(slice[2]).value_or(1);
  if (step == 0)
    error(span, "slice step cannot be zero");
  std::vector<Value *> items;
  std::vector<TypePtr> types;
  for (int64_t i : sliceIndices(int64_t(entries.size()), bound(slice[0]), bound(slice[1]), step)) {
    items.push_back(asValue(classAttribute(container, entries[size_t(i)], span), span));
    types.push_back(items.back()->type());
  }
  return insertValue(Symbol::prim("TupleConstruct"), items, Type::tuple(types), span);
}

Value *FunctionEmitter::emitDynamicContainerIndex(Value *container, Value *index,
                                                  const TypePtr &iface, const SourceSpan &span) {
  // Every entry must fit, since any may be chosen at run time.
  ClassInfo *i = compiler_.classOfType(iface);
  if (ClassInfo *c = compiler_.classOfType(container->type()))
    for (const auto &[name, type] : c->attributes) {
      if (!type->isModule())
        continue;
      ClassInfo *entry = compiler_.classOfType(type);
      bool fits = entry && i && type->isSubtypeOf(*iface) &&
                  compiler_.whyNotImplements(*entry, *i, span).empty();
      if (!fits)
        error(span, "Attribute " + name + " is not of annotated type " + iface->annotationStr());
    }
  return insertValue(Symbol::prim("ModuleContainerIndex"), {container, index}, iface, span);
}

bool FunctionEmitter::isModuleDict(const TypePtr &type) {
  if (!type->isModule())
    return false;
  ClassInfo *c = compiler_.classOfType(type);
  if (!c)
    return false;
  return c->assembled ? c->containerKind == "dict"
                      : type->name().find("ModuleDict") != std::string::npos ||
                            type->name().find("ParameterDict") != std::string::npos;
}

Value *FunctionEmitter::emitModuleDictView(Value *dict, const std::string &method,
                                           const SourceSpan &span) {
  std::vector<Value *> items;
  std::vector<TypePtr> types;
  for (const std::string &key : moduleContainerEntries(dict->type())) {
    Value *module = asValue(classAttribute(dict, key, span), span);
    Value *k = constStr(key);
    Value *item = method == "keys" ? k : method == "values" ? module : nullptr;
    if (!item)
      item = insertValue(Symbol::prim("TupleConstruct"), {k, module},
                         Type::tuple({k->type(), module->type()}), span);
    items.push_back(item);
    types.push_back(item->type());
  }
  return insertValue(Symbol::prim("TupleConstruct"), items, Type::tuple(types), span);
}

} // namespace ember::frontend
