//===- runtime/Code.h - the executable form of a graph --------------------===//
//
// What the interpreter builds from a graph once and every executor shares:
// one register per value, instructions that hold their Operation or their
// structural kind, blocks with their parameter and result registers. The
// JIT (codegen/) lowers the same Code: control flow and scalar arithmetic
// become native code, and every other instruction is run through
// runInstruction on the same register file, so both executors compute
// exactly the same thing.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "runtime/Kernels.h"
#include "runtime/UnboxedOps.h"

#include <ATen/core/ivalue.h>

#include <atomic>
#include <exception>
#include <memory>
#include <string>
#include <vector>

namespace ember::runtime {

class Function;
class ScriptUnit;
struct BlockCode;
struct Code;

enum class InstrKind { Op, If, Loop, CallFunction, CallMethod, GetAttr, SetAttr, Fork, Enter, Exit };

struct Instr {
  InstrKind kind = InstrKind::Op;
  const Node *node = nullptr;
  std::vector<uint32_t> in, out;
  /// Registers whose last use this instruction is: cleared after it runs,
  /// so tensors are freed as early as in eager mode (numbers never are).
  std::vector<uint32_t> drop;
  Operation op;
  /// Set for the operators of UnboxedOps.def: runs on the registers directly.
  UnboxedKernel unboxed = nullptr;
  std::vector<BlockCode> blocks;
  std::string name; // callee, method or attribute
  mutable std::atomic<const Function *> callee{nullptr};
  mutable std::atomic<int64_t> slot{-1};
  std::unique_ptr<Code> sub; // fork body
  c10::TypePtr futureType;

  Instr() = default;
  Instr(Instr &&o) noexcept;
};

struct BlockCode {
  std::vector<Instr> instrs;
  std::vector<uint32_t> params, results;
};

struct Code {
  std::string name;
  ScriptUnit *unit = nullptr;
  BlockCode body;
  std::vector<c10::IValue> initial; // registers, constants filled in
  /// The graph value of each register (types and constants for lowering).
  std::vector<const Value *> values;
};

/// The registers of one call, and where it stands (for tracebacks).
struct Frame {
  const Code *code = nullptr;
  std::vector<c10::IValue> regs;
  Stack stack;
  const Instr *current = nullptr;
  /// An exception caught by compiled code, rethrown by its caller.
  std::exception_ptr pending;
  /// The objects of the `with` statements running, innermost last: an
  /// exception leaving the frame runs their __exit__ first.
  std::vector<c10::IValue> entered;
};

/// Runs one instruction (and, for If and Loop, its blocks) on `f`.
void runInstruction(const Code &code, const Instr &I, Frame &f);

/// The ScriptError for an exception that left `f`'s current instruction:
/// its Python class and message, with this call's traceback frame added.
std::exception_ptr scriptErrorFrom(const Code &code, const Frame &f, std::exception_ptr error);

} // namespace ember::runtime
