//===- codegen/KernelSpec.h - the loop a fusion group compiles to ---------===//
//
// A backend-neutral description of one fused elementwise kernel: the loop
// dimensions (after dropping size-1 dimensions and merging the ones every
// operand walks contiguously), how each operand is read (element strides,
// 0 where it broadcasts), and the body as a list of values in dependency
// order, each an input, a constant or one operator of FusibleOps.def with
// its result and computation types, or a row statistic (sum, max, min over
// the last dimension) that reductions, softmax and layer_norm expand into.
// The CPU backend (CpuKernel.cpp) turns it
// into a vectorised LLVM loop; a GPU backend lowers the same body with a
// thread index in place of the loop.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "runtime/Kernels.h"

#include <ATen/core/ivalue.h>

#include <optional>
#include <string>
#include <vector>

namespace ember::codegen {

/// The element types kernels compute with and store.
enum class ElemType { Bool, Int32, Int64, Float32, Float64 };
const char *toString(ElemType t);
bool isFloat(ElemType t);
c10::ScalarType scalarTypeOf(ElemType t);
std::optional<ElemType> elemTypeOf(c10::ScalarType s);
/// elemTypeOf, or a LoweringError naming `what` and its dtype.
ElemType checkedElemType(c10::ScalarType s, const std::string &what);

struct KernelValue {
  enum class Kind { Tensor, Scalar, Constant, Op, Reduce } kind = Kind::Op;
  /// Reduce: a statistic of one row (the last loop dimension) of args[0].
  enum class ReduceKind { Sum, Max, Min } reduce = ReduceKind::Sum;
  /// Reduce, and values computed only from reductions and scalars: one
  /// value per row rather than per element.
  bool perRow = false;
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
  /// Loop extents, outermost first (at least one dimension). In a rowwise
  /// kernel the last one is the row that reductions run over.
  std::vector<int64_t> loop;
  bool rowwise = false;
  int64_t numel = 1;
  std::vector<KernelValue> values;
  /// Values stored, one contiguous output tensor each, and their sizes
  /// (per-row outputs keep the reduced dimension with size 1).
  std::vector<size_t> outputs;
  std::vector<std::vector<int64_t>> outputSizes;
  size_t numInputs = 0;
};

/// Describes `group` for inputs like `inputs`. Throws LoweringError when the
/// group cannot run as one kernel for them (device, dtype, layout, shapes).
KernelSpec describeKernel(const Graph &group, const runtime::Stack &inputs);

/// True if a CPU lowering (elementwise ops) or an expansion (reductions)
/// exists for every FusibleOps.def key; else names the missing ones.
bool lowersEveryFusibleOp(std::string &missing);
/// Whether codegen/ElementwiseLowering.cpp has a lowering for `key`.
bool hasElementwiseLowering(const std::string &key);

} // namespace ember::codegen
