//===- codegen/KernelSpec.h - the loop a fusion group compiles to ---------===//
//
// A backend-neutral description of one fused elementwise kernel: the loop
// dimensions (after dropping size-1 dimensions and merging the ones every
// operand walks contiguously), how each operand is read (element strides,
// 0 where it broadcasts), and the body as a list of values in dependency
// order, each an input, a constant or one operator of FusibleOps.def with
// its result and computation types. The CPU backend (CpuKernel.cpp) turns it
// into a vectorised LLVM loop; a GPU backend lowers the same body with a
// thread index in place of the loop.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "runtime/Kernels.h"

#include <ATen/core/ivalue.h>

#include <string>
#include <vector>

namespace ember::codegen {

/// The element types kernels compute with and store.
enum class ElemType { Bool, Int32, Int64, Float32, Float64 };
const char *toString(ElemType t);
bool isFloat(ElemType t);
c10::ScalarType scalarTypeOf(ElemType t);

struct KernelValue {
  enum class Kind { Tensor, Scalar, Constant, Op } kind = Kind::Op;
  /// Tensor and Scalar: the group input it reads.
  size_t input = 0;
  /// Tensor: element strides per loop dimension (0 where it broadcasts).
  std::vector<int64_t> strides;
  /// Constant: the value (numbers, None, strings, dtypes).
  c10::IValue constant;
  /// Op: the FusibleOps.def key and the values of its arguments.
  std::string op;
  std::vector<size_t> args;
  /// Result type, and the type the operands are converted to first (they
  /// differ for comparisons: bool result, operands in their common type).
  ElemType type = ElemType::Float32, compute = ElemType::Float32;
};

struct KernelSpec {
  /// Loop extents, outermost first (at least one dimension).
  std::vector<int64_t> loop;
  int64_t numel = 1;
  /// The sizes every output has, contiguous.
  std::vector<int64_t> outputSizes;
  std::vector<KernelValue> values;
  /// Values stored, one contiguous output tensor each.
  std::vector<size_t> outputs;
  size_t numInputs = 0;
};

/// Describes `group` for inputs like `inputs`. Throws LoweringError when the
/// group cannot run as one kernel for them (device, dtype, layout, shapes).
KernelSpec describeKernel(const Graph &group, const runtime::Stack &inputs);

/// True if a backend lowering exists for every FusibleOps.def key.
bool lowersEveryFusibleOp(std::string &missing);

} // namespace ember::codegen
