//===- codegen/ElementwiseLowering.h - one element of a fused kernel ------===//
//
// Internal to codegen: the operator lowerings of fused kernels, keyed by the
// FusibleOps.def keys, and the emitter they build one element's LLVM IR
// with. Backends differ only in how math functions are called (the CPU uses
// libm names with libmvec vector variants), so one table serves them all.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "codegen/KernelSpec.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>

#include <string>
#include <vector>

namespace ember::codegen {

/// The machine type of values of type `t` (i1 for bools).
llvm::Type *llvmType(llvm::LLVMContext &ctx, ElemType t);

/// How a backend calls `name` (libm's double name: "exp", "tanh") on
/// values of type `t`.
class MathLibrary {
public:
  virtual ~MathLibrary() = default;
  virtual llvm::Value *call(llvm::IRBuilder<> &b, const std::string &name,
                            llvm::ArrayRef<llvm::Value *> args, ElemType t) = 0;
};

/// One argument of an operator: its machine value and element type (null
/// for constants, which lowerings read as values) and, for constants, the
/// value itself.
struct Operand {
  llvm::Value *value = nullptr;
  ElemType type = ElemType::Float32;
  const c10::IValue *constant = nullptr;
};

class ElementEmitter {
public:
  ElementEmitter(llvm::IRBuilder<> &b, MathLibrary &math) : b(b), math_(math) {}
  llvm::IRBuilder<> &b;

  llvm::Type *typeOf(ElemType t) { return llvmType(b.getContext(), t); }
  llvm::Value *convert(llvm::Value *v, ElemType from, ElemType to);
  /// A number as a constant of type `t`.
  llvm::Value *number(double v, ElemType t);
  llvm::Value *call(const std::string &name, llvm::ArrayRef<llvm::Value *> args, ElemType t) {
    return math_.call(b, name, args, t);
  }

private:
  MathLibrary &math_;
};

/// Emits `v`'s operator on its operands; throws LoweringError for an
/// operator or type combination it does not handle.
llvm::Value *lowerElementwise(ElementEmitter &e, const KernelValue &v,
                              const std::vector<Operand> &args);

} // namespace ember::codegen
