//===- codegen/JitRuntime.h - what native code calls back into ------------===//
//
// Native code keeps int, float and bool values in machine registers and
// everything else in the interpreter's register file (a runtime::Frame). These
// C-ABI helpers are its only way into the runtime: run one interpreter
// instruction, move a scalar between a machine register and the frame, copy
// loop-carried values. Every helper that can fail returns non-zero and leaves
// the exception in the frame; native code then returns to its caller, which
// rethrows it with the script traceback. No C++ exception crosses native frames.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Type.h"

#include <cstdint>
#include <vector>

namespace ember::runtime {
struct Frame;
struct Instr;
} // namespace ember::runtime

namespace ember::codegen {

/// The kinds of values native code keeps in machine registers.
enum class NativeKind { None, Int, Float, Bool };

inline NativeKind nativeKindOf(const Type &t) {
  switch (t.kind()) {
  case TypeKind::Int: return NativeKind::Int;
  case TypeKind::Float: return NativeKind::Float;
  case TypeKind::Bool: return NativeKind::Bool;
  default: return NativeKind::None;
  }
}

/// The helpers below by name, for the JIT's symbol table.
struct RuntimeSymbol {
  const char *name;
  void *address;
};
const std::vector<RuntimeSymbol> &runtimeSymbols();

/// The entry point of a compiled function: 0 on success, else the frame holds
/// the pending exception.
using NativeEntry = int32_t (*)(runtime::Frame *frame);

} // namespace ember::codegen

extern "C" {
/// Runs instruction `instr` of the frame's code (and its blocks, if any).
int32_t ember_jit_instr(ember::runtime::Frame *frame, const ember::runtime::Instr *instr);
/// Runs operator instruction `instr` through its unboxed kernel (one of the
/// `ember_aten_*` symbols, runtime/UnboxedOps.def), straight on the frame's
/// registers.
int32_t ember_jit_unboxed(ember::runtime::Frame *frame, const ember::runtime::Instr *instr,
                          const void *kernel);
int64_t ember_jit_get_int(ember::runtime::Frame *frame, uint32_t reg);
double ember_jit_get_float(ember::runtime::Frame *frame, uint32_t reg);
int32_t ember_jit_get_bool(ember::runtime::Frame *frame, uint32_t reg);
void ember_jit_set_int(ember::runtime::Frame *frame, uint32_t reg, int64_t value);
void ember_jit_set_float(ember::runtime::Frame *frame, uint32_t reg, double value);
void ember_jit_set_bool(ember::runtime::Frame *frame, uint32_t reg, int32_t value);
void ember_jit_copy(ember::runtime::Frame *frame, uint32_t dst, uint32_t src);
/// Clears the registers whose last use `instr` is (Instr::drop).
void ember_jit_drop(ember::runtime::Frame *frame, const ember::runtime::Instr *instr);
/// Loop `instr`'s boxed (not native) carried values: into the body's
/// parameters on entry (`which` 0), from the body's results to its parameters
/// after an iteration (1), from the parameters to the loop's outputs (2).
void ember_jit_loop_carry(ember::runtime::Frame *frame, const ember::runtime::Instr *instr,
                          int32_t which);
}
