//===- codegen/VectorMath.h - libm calls the vectoriser can widen ---------===//
//
// Internal to codegen: the CPU MathLibrary of fused kernels. Each call of a
// libm function (`tanhf`) carries the `vector-function-abi-variant`
// attribute naming glibc libmvec's variants for the ISAs the host runs
// (`_ZGVdN8v_tanhf` for AVX2, `_ZGVeN16v_tanhf` for AVX-512), so LLVM's
// loop vectoriser calls those. OrcJit loads libmvec and says which ISAs
// apply (OrcJit::vectorMathIsas).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "codegen/ElementwiseLowering.h"

#include <string>
#include <unordered_set>

namespace ember::codegen {

class LibmvecMath : public MathLibrary {
public:
  /// `isas`: libmvec ISA letters (`b`, `d`, `e`); empty for scalar calls only.
  LibmvecMath(llvm::Module &m, std::string isas) : m_(m), isas_(std::move(isas)) {}

  llvm::Value *call(llvm::IRBuilder<> &b, const std::string &name, llvm::ArrayRef<llvm::Value *> args,
                    ElemType t) override;

private:
  std::string declareVariants(const std::string &name, llvm::FunctionType *scalar, bool single);

  llvm::Module &m_;
  std::string isas_;
  std::unordered_set<std::string> used_;
};

} // namespace ember::codegen
