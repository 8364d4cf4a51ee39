//===- engine/Specialization.h - graphs specialised on their inputs -------===//
//
// The jit executor's dispatcher. On a call whose tensor inputs it has not
// seen, a function's graph is copied, its tensor inputs typed with what the
// call passes (dtype, device, requires_grad, and sizes and strides while the
// STATIC budget lasts, rank only after), and the `specialize` pipeline
// folds what those facts decide (`x.dim()`, `x.dtype`, `x.size(0)`, the
// branches that test them). Later calls whose inputs match a specialisation
// (the guard) run it; when both budgets of the fusion strategy are spent,
// the generic version runs. As torch.jit: `set_fusion_strategy([("STATIC",
// 2), ("DYNAMIC", 10)])` is the default.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Graph.h"
#include "runtime/ScriptUnit.h"

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ember {

/// How many specialisations of each kind a function keeps.
struct FusionStrategy {
  std::vector<std::pair<std::string, int>> steps{{"STATIC", 2}, {"DYNAMIC", 10}};
};
/// Throws std::invalid_argument for a kind other than STATIC or DYNAMIC or
/// a negative count. Applies to functions specialised from now on.
void setFusionStrategy(FusionStrategy strategy);
FusionStrategy fusionStrategy();

/// Makes code for a (specialised) graph: native or interpreted.
using CodeRunnerFactory = std::function<std::unique_ptr<runtime::CompiledCode>(
    std::shared_ptr<Graph> graph, runtime::ScriptUnit &unit, const std::string &name)>;

/// The dispatcher for `fn`, or null when nothing in it can be specialised
/// (no Tensor inputs, or code that may change a tensor's sizes or dtype
/// behind the graph's back: resize_, unsqueeze_, calls to other functions).
std::unique_ptr<runtime::CompiledCode> makeSpecializing(const runtime::Function &fn,
                                                        CodeRunnerFactory factory);

/// The graph that runs (or would run) `fn` for `inputs` (graph_for).
std::shared_ptr<Graph> graphFor(const runtime::Function &fn, const runtime::Stack &inputs);
/// The graph of the last specialised call on this thread, or null.
std::shared_ptr<Graph> lastExecutedOptimizedGraph();

} // namespace ember
