//===- runtime/KernelTable.cpp - looking up a node's operation ------------===//
#include "runtime/Kernels.h"

#include "ir/Schema.h"
#include "runtime/UnboxedOps.h"

#include <ATen/core/dispatch/Dispatcher.h>

namespace ember::runtime {

void KernelTable::add(const std::string &key, KernelFactory factory) {
  kernels_[key] = std::move(factory);
}

void KernelTable::add(const std::string &key, Operation op) {
  kernels_[key] = [op = std::move(op)](const Node &, const TypeConverter &) { return op; };
}

const KernelFactory *KernelTable::find(const std::string &key) const {
  auto it = kernels_.find(key);
  return it == kernels_.end() ? nullptr : &it->second;
}

const KernelTable &kernelTable() {
  static const KernelTable *table = [] {
    auto *t = new KernelTable();
    addScalarKernels(*t);
    addMathKernels(*t);
    addStringKernels(*t);
    addListKernels(*t);
    addDictKernels(*t);
    addTensorKernels(*t);
    addPrimKernels(*t);
    return t;
  }();
  return *table;
}

Operation operationFor(const Node &node, const TypeConverter &types) {
  const KernelTable &table = kernelTable();
  const FunctionSchema *schema = node.schema();
  std::string name = schema ? schema->name : node.kind().qualString();
  if (schema && !schema->overload.empty())
    if (const KernelFactory *k = table.find(name + "." + schema->overload))
      if (Operation op = (*k)(node, types))
        return op;
  if (const UnboxedOp *u = findUnboxedOp(node))
    return [kernel = u->kernel, n = u->arity](Stack &s) {
      c10::IValue result = kernel(s.data() + s.size() - n, kConsecutive);
      drop(s, n);
      s.push_back(std::move(result));
    };
  if (schema) {
    auto handle = c10::Dispatcher::singleton().findSchema({schema->name, schema->overload});
    if (handle && handle->hasSchema())
      return [op = *handle](Stack &s) { op.callBoxed(&s); };
  }
  if (const KernelFactory *k = table.find(name))
    return (*k)(node, types);
  return nullptr;
}

} // namespace ember::runtime
