//===- codegen/VectorMath.cpp - libm calls the vectoriser can widen -------===//
//
// A scalar libm declaration per function and type (readnone, nounwind, as
// the vectoriser requires), and per ISA one declaration of the libmvec
// variant, named by the x86 vector ABI (`_ZGV<isa>N<lanes><v per arg>_<fn>`)
// and kept alive through llvm.compiler.used until the vectoriser has run.
//
//===----------------------------------------------------------------------===//
#include "codegen/VectorMath.h"

#include <llvm/Transforms/Utils/ModuleUtils.h>

namespace ember::codegen {

llvm::Value *LibmvecMath::call(llvm::IRBuilder<> &b, const std::string &name,
                              llvm::ArrayRef<llvm::Value *> args, ElemType t) {
  bool single = t == ElemType::Float32;
  std::string scalarName = name + (single ? "f" : "");
  llvm::Type *ty = single ? b.getFloatTy() : b.getDoubleTy();
  std::vector<llvm::Type *> params(args.size(), ty);
  auto *fnType = llvm::FunctionType::get(ty, params, false);
  llvm::FunctionCallee fn = m_.getOrInsertFunction(scalarName, fnType);
  auto *f = llvm::cast<llvm::Function>(fn.getCallee());
  f->setDoesNotThrow();
  f->setDoesNotAccessMemory();
  llvm::CallInst *callInst = b.CreateCall(fn, args);
  callInst->setDoesNotAccessMemory();
  if (std::string variants = declareVariants(scalarName, fnType, single); !variants.empty())
    callInst->addFnAttr(llvm::Attribute::get(b.getContext(), "vector-function-abi-variant", variants));
  return callInst;
}

/// Declares `_ZGV<isa>N<lanes><v...>_<name>` for each ISA and returns the
/// attribute text that maps the scalar function to them.
std::string LibmvecMath::declareVariants(const std::string &name, llvm::FunctionType *scalar, bool single) {
  std::string text;
  for (char isa : isas_) {
    unsigned bits = isa == 'b' ? 128 : isa == 'd' ? 256 : 512;
    unsigned lanes = bits / (single ? 32 : 64);
    std::string params(scalar->getNumParams(), 'v');
    std::string vectorName = "_ZGV" + std::string(1, isa) + "N" + std::to_string(lanes) + params + "_" + name;
    auto *vecTy = llvm::FixedVectorType::get(scalar->getReturnType(), lanes);
    std::vector<llvm::Type *> vecParams(scalar->getNumParams(), vecTy);
    llvm::FunctionCallee vf = m_.getOrInsertFunction(vectorName, llvm::FunctionType::get(vecTy, vecParams, false));
    auto *vfn = llvm::cast<llvm::Function>(vf.getCallee());
    vfn->setDoesNotThrow();
    vfn->setDoesNotAccessMemory();
    if (!used_.count(vectorName)) {
      llvm::appendToCompilerUsed(m_, {vfn});
      used_.insert(vectorName);
    }
    text += (text.empty() ? "" : ",") + std::string("_ZGV_LLVM_N") + std::to_string(lanes) + params + "_" +
            name + "(" + vectorName + ")";
  }
  return text;
}

} // namespace ember::codegen
