//===- ir/NodeEvaluator.h - the hook constant folding evaluates with ------===//
//
// Neither passes/ nor runtime/ may depend on the other (DESIGN.md layering),
// so constant propagation runs operators through this callback, which the
// runtime installs at start-up (runtime/ConstantEvaluator.cpp).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Graph.h"

#include <ATen/core/ivalue.h>

#include <functional>
#include <optional>
#include <vector>

namespace ember {

/// Runs `node` on constant `inputs`; returns its outputs, or empty when the
/// operator cannot be evaluated here (unknown, or it raised).
using NodeEvaluator =
    std::function<std::optional<std::vector<c10::IValue>>(const Node &node,
                                                          const std::vector<c10::IValue> &inputs)>;

void setNodeEvaluator(NodeEvaluator evaluator);
/// The installed evaluator, or null when none is (folding is then skipped).
const NodeEvaluator &nodeEvaluator();

} // namespace ember
