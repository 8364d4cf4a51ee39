//===- codegen/FusedKernels.h - fusion groups compiled for the CPU --------===//
//
// The fusion compiler the engine installs (runtime::setFusionCompiler): a
// fusion group and the inputs of a call become one LLVM function, a loop
// over the output elements that the loop vectoriser widens for the host
// (transcendental functions through libmvec's vector variants), run in
// parallel over ATen's thread pool for large outputs. No LLVM header is
// needed to use this.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "runtime/FusionGroup.h"

#include <memory>
#include <string>

namespace ember::codegen {

/// A kernel for `group` on inputs like `inputs`, or null with the reason in
/// `why` when the group cannot run as one kernel for them.
std::shared_ptr<const runtime::FusedKernel> compileCpuKernel(const Graph &group,
                                                             const runtime::Stack &inputs,
                                                             std::string &why);

/// The LLVM IR of that kernel, optimised at `optLevel` (0: as emitted).
/// Throws LoweringError when there is no kernel for these inputs.
std::string emitCpuKernelLLVM(const Graph &group, const runtime::Stack &inputs, unsigned optLevel);

} // namespace ember::codegen
