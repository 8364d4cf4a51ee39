//===- codegen/LoweringContext.h - state of one function's lowering -------===//
//
// Internal to codegen: what GraphLowering.cpp keeps while it walks a Code,
// and the interface the operator lowerings (ScalarLowering.cpp) use to read
// their operands and define their results.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "codegen/JitRuntime.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>

#include <functional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ember::runtime {
struct BlockCode;
struct Code;
struct Instr;
struct UnboxedOp;
} // namespace ember::runtime

namespace ember::codegen {

class LoweringContext {
public:
  LoweringContext(const runtime::Code &code, llvm::Module &module);

  /// Emits the entry function `name`: `i32 name(ptr frame)`.
  llvm::Function *lower(const std::string &name);

  llvm::IRBuilder<> &builder() { return b_; }
  llvm::LLVMContext &context() { return module_.getContext(); }
  /// The native kind of register `reg` (None: it lives in the frame).
  NativeKind kind(uint32_t reg) const;
  /// The machine value of native register `reg` (constants included).
  llvm::Value *get(uint32_t reg);
  /// `reg`'s value as `kind`: converted if native, read from the frame if not.
  llvm::Value *as(uint32_t reg, NativeKind kind);
  llvm::Value *convert(llvm::Value *v, NativeKind from, NativeKind to);
  llvm::Type *typeOf(NativeKind kind);
  /// Gives native register `reg` its machine value.
  void define(uint32_t reg, llvm::Value *value);
  /// `if (fail) <I in the interpreter> else <fast()>`, then defines I's
  /// outputs: the interpreter raises the same error with the same message as
  /// when it runs the whole function.
  void guarded(const runtime::Instr &I, llvm::Value *fail,
               const std::function<std::vector<llvm::Value *>()> &fast);

private:
  void lowerBlock(const runtime::BlockCode &block);
  void lowerInstr(const runtime::Instr &I);
  void lowerIf(const runtime::Instr &I);
  void lowerLoop(const runtime::Instr &I);
  /// Stores a loop's first carried values; returns the native ones.
  std::vector<llvm::Value *> loopEntry(const runtime::Instr &I, bool anyBoxed);
  /// ember_jit_loop_carry(frame, I, which): see JitRuntime.h.
  void loopCarry(const runtime::Instr &I, int which);
  /// Runs I through the interpreter, or through its unboxed kernel when it
  /// has one; its native outputs are read back.
  void callInstr(const runtime::Instr &I, const runtime::UnboxedOp *unboxed = nullptr);
  /// Branches to the error exit when a helper's status is non-zero.
  void checkStatus(llvm::Value *status);
  /// Makes the frame register hold native `reg`'s current value.
  void store(uint32_t reg);
  /// Writes machine value `v` of kind `k` into frame register `dst`.
  void storeInto(uint32_t dst, llvm::Value *v, NativeKind k);
  /// Makes frame register `dst` hold the value of `src` (either kind).
  void copyInto(uint32_t dst, uint32_t src);
  llvm::Value *load(uint32_t reg, NativeKind kind);
  llvm::Value *pointer(const void *p);
  llvm::Value *callHelper(const char *name, llvm::Type *result, std::vector<llvm::Value *> args);

  const runtime::Code &code_;
  llvm::Module &module_;
  llvm::IRBuilder<> b_;
  llvm::Function *fn_ = nullptr;
  llvm::Value *frame_ = nullptr;
  llvm::BasicBlock *errorExit_ = nullptr;
  std::unordered_map<uint32_t, llvm::Value *> native_;
  /// Native registers whose frame register already holds their value (read
  /// from the frame, never reassigned): no store needed before a helper.
  std::unordered_set<uint32_t> inFrame_;
};

/// Lowers instruction `I` natively if it is a scalar operator the table
/// knows with native operands; false leaves it to the interpreter.
bool lowerScalarOp(LoweringContext &cx, const runtime::Instr &I);
/// Whether lowerScalarOp lowers `I` (a table operator on native values).
bool isScalarOp(const runtime::Instr &I);

} // namespace ember::codegen
