//===- runtime/FusionGroup.h - running prim::FusionGroup nodes ------------===//
//
// A fusion group (made by the fuse-elementwise pass) runs as one compiled
// kernel when a kernel compiler is installed (codegen/ installs the CPU
// one) and the inputs allow it: no input requires grad while grad mode is
// on, and the compiler accepts their dtypes, device and layout. Kernels are
// kept per input signature (dtypes, sizes, strides, scalar kinds). In every
// other case the subgraph runs unfused on the interpreter, with the same
// results and errors as the ops had before fusion.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "runtime/Kernels.h"

#include <exception>
#include <functional>
#include <memory>
#include <string>

namespace ember::runtime {

class ScriptUnit;

/// The compiled code of one fusion group for one input signature.
class FusedKernel {
public:
  virtual ~FusedKernel() = default;
  /// The group's outputs for inputs of the signature it was compiled for.
  virtual Stack run(const Stack &inputs) const = 0;
};

/// Compiles `group` for inputs like `inputs`. Returns null, with the reason
/// in `why`, when the group cannot be compiled for them.
using FusionCompiler = std::function<std::shared_ptr<const FusedKernel>(
    const Graph &group, const Stack &inputs, std::string &why)>;
void setFusionCompiler(FusionCompiler compiler);

/// Whether fusion groups use compiled kernels (EMBER_FUSION=0 turns them off
/// at start-up; tests switch it to compare both paths).
void setFusionEnabled(bool enabled);
bool fusionEnabled();

/// How many kernels were compiled and how many group runs used a kernel or
/// ran unfused, since start-up (for tests and EMBER_LOG=fusion).
struct FusionCounters {
  int64_t compiled = 0, kernelRuns = 0, unfusedRuns = 0;
};
FusionCounters fusionCounters();

/// The Operation of a prim::FusionGroup node of `function`.
Operation fusionGroupOperation(const Node &node, ScriptUnit &unit, const std::string &function);

/// Thrown when a node inside a subgraph fails: the traceback then shows that
/// node, as it did before the node was fused.
struct NodeFailure {
  const Node *node;
  std::exception_ptr error;
};

} // namespace ember::runtime
