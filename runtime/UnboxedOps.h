//===- runtime/UnboxedOps.h - ATen operators called through C++ -----------===//
//
// The commonest ATen operators (UnboxedOps.def) have kernels that read their
// arguments where they lie (the interpreter's stack, or the registers of a
// frame for native code) and call the operator's C++ function: no boxed
// stack is built and unpacked on the way into ATen. The interpreter and the
// JIT both use them; every other operator stays a boxed dispatcher call.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Graph.h"

#include <ATen/core/ivalue.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ember::runtime {

/// Calls the operator on the arguments at `regs[in[0]]`, `regs[in[1]]`, ...
/// and returns its output.
using UnboxedKernel = c10::IValue (*)(const c10::IValue *regs, const uint32_t *in);

struct UnboxedOp {
  const char *key;    ///< `ns::name.overload`
  const char *symbol; ///< the kernel's name for native code
  size_t arity;
  UnboxedKernel kernel;
};

/// The whole table, in UnboxedOps.def order.
const std::vector<UnboxedOp> &unboxedOps();

/// The unboxed kernel for `node`'s operator, or null when it has none (or
/// the node's inputs and outputs are not the schema's).
const UnboxedOp *findUnboxedOp(const Node &node);

/// `0, 1, 2, ...`: the `in` of arguments that lie next to each other.
extern const uint32_t kConsecutive[16];

} // namespace ember::runtime
