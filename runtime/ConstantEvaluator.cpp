//===- runtime/ConstantEvaluator.cpp - evaluating nodes on constants ------===//
//
// The compile-time half of the operator bridge: constant propagation hands a
// node and its constant inputs here, and it runs the same operation the
// interpreter would (runtime/Kernels.h), so folding never changes a result.
// Anything that raises is not folded, so the error surfaces at run time
// where the program would have raised it.
//
//===----------------------------------------------------------------------===//
#include "runtime/ConstantEvaluator.h"

#include "ir/Schema.h"
#include "ir/NodeEvaluator.h"
#include "runtime/Kernels.h"
#include "runtime/ScriptUnit.h"

namespace ember {

std::optional<std::vector<c10::IValue>> evaluateNode(const Node &node,
                                                     const std::vector<c10::IValue> &inputs) {
  // Constants never hold script objects, so a unit without classes gives
  // every type constant folding needs.
  static runtime::ScriptUnit noClasses;
  try {
    runtime::Operation op = runtime::operationFor(
        node, [](const TypePtr &t) { return noClasses.c10Type(t); });
    if (!op)
      return std::nullopt;
    runtime::Stack stack(inputs.begin(), inputs.end());
    op(stack);
    if (stack.size() != node.outputs().size())
      return std::nullopt;
    return stack;
  } catch (const std::exception &) {
    return std::nullopt;
  }
}

void installConstantEvaluator() { setNodeEvaluator(&evaluateNode); }

} // namespace ember
