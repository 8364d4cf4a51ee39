//===- runtime/ConstantEvaluator.h - evaluating nodes on constants --------===//
#pragma once

#include "ir/Graph.h"

#include <ATen/core/ivalue.h>

#include <optional>
#include <vector>

namespace ember {

/// Runs one node on constant inputs: ATen operators through the c10
/// dispatcher (boxed), ember's scalar/string/tuple builtins natively.
/// Returns empty when the node cannot be evaluated or raises.
std::optional<std::vector<c10::IValue>> evaluateNode(const Node &node,
                                                     const std::vector<c10::IValue> &inputs);

/// Installs evaluateNode as constant propagation's NodeEvaluator.
void installConstantEvaluator();

} // namespace ember
