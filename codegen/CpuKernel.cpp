//===- codegen/CpuKernel.cpp - fused elementwise kernels for the CPU ------===//
//
// A KernelSpec becomes two LLVM functions:
//   - `body(in..., scalars..., out..., begin, end)`, internal and always
//     inlined, whose pointer parameters are noalias (outputs are fresh
//     tensors), so the vectoriser needs no runtime overlap checks;
//   - the entry `void kernel(ptr args, i64 begin, i64 end)`, which unpacks
//     the argument array and calls the body.
// The body walks the flat output index range [begin, end) row by row: a
// row is the innermost loop dimension, every operand's offset in it is
// `base + j * stride` with a constant stride (0 broadcasts, 1 is a vector
// load), and the row bases are computed from the row number with constant
// divisors. Math functions are libm calls that carry libmvec's vector
// variants (`vector-function-abi-variant`), so the vectoriser calls
// `_ZGVdN8v_tanhf` and friends. The kernel runs on ATen's thread pool in
// chunks of at least kGrain elements.
//
//===----------------------------------------------------------------------===//
#include "codegen/FusedKernels.h"

#include "codegen/ElementwiseLowering.h"
#include "codegen/KernelSpec.h"
#include "codegen/Lowering.h"
#include "codegen/OrcJit.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Transforms/Utils/ModuleUtils.h>

#include <cstring>
#include <unordered_set>

namespace ember::codegen {
namespace {

/// Elements per parallel chunk (NNC's minimum grain on CPU).
constexpr int64_t kGrain = 32768;

/// libm functions, each call tagged with the libmvec variants the host runs.
class LibmvecMath : public MathLibrary {
public:
  LibmvecMath(llvm::Module &m, std::string isas) : m_(m), isas_(std::move(isas)) {}

  llvm::Value *call(llvm::IRBuilder<> &b, const std::string &name, llvm::ArrayRef<llvm::Value *> args,
                    ElemType t) override {
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

private:
  /// Declares `_ZGV<isa>N<lanes><v...>_<name>` for each ISA and returns the
  /// attribute text that maps the scalar function to them.
  std::string declareVariants(const std::string &name, llvm::FunctionType *scalar, bool single) {
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

  llvm::Module &m_;
  std::string isas_;
  std::unordered_set<std::string> used_;
};

/// How a tensor stores elements of type t (bools as bytes).
llvm::Type *storageType(llvm::IRBuilder<> &b, ElemType t) {
  return t == ElemType::Bool ? b.getInt8Ty() : llvmType(b.getContext(), t);
}

class KernelEmitter {
public:
  KernelEmitter(const KernelSpec &spec, llvm::Module &m)
      : spec_(spec), m_(m), b_(m.getContext()), math_(m, OrcJit::instance().vectorMathIsas()),
        e_(b_, math_) {}

  /// Emits the body and the entry `name`.
  void emit(const std::string &name) {
    llvm::Function *body = emitBody();
    auto *entryTy = llvm::FunctionType::get(b_.getVoidTy(), {b_.getPtrTy(), b_.getInt64Ty(), b_.getInt64Ty()}, false);
    auto *entry = llvm::Function::Create(entryTy, llvm::Function::ExternalLinkage, name, m_);
    b_.SetInsertPoint(llvm::BasicBlock::Create(m_.getContext(), "entry", entry));
    std::vector<llvm::Value *> args;
    size_t slot = 0;
    auto next = [&] { return b_.CreateLoad(b_.getPtrTy(), b_.CreateConstGEP1_64(b_.getPtrTy(), entry->getArg(0), slot++)); };
    for (const KernelValue &v : spec_.values) {
      if (v.kind == KernelValue::Kind::Tensor)
        args.push_back(next());
      else if (v.kind == KernelValue::Kind::Scalar)
        args.push_back(scalarArgument(v.type, next()));
    }
    for (size_t i = 0; i < spec_.outputs.size(); ++i)
      args.push_back(next());
    args.push_back(entry->getArg(1));
    args.push_back(entry->getArg(2));
    b_.CreateCall(body, args);
    b_.CreateRetVoid();
  }

private:
  /// A scalar argument's 8-byte slot: int64 for ints and bools, double for floats.
  llvm::Value *scalarArgument(ElemType t, llvm::Value *slot) {
    if (t == ElemType::Float64)
      return b_.CreateLoad(b_.getDoubleTy(), slot);
    llvm::Value *i = b_.CreateLoad(b_.getInt64Ty(), slot);
    return t == ElemType::Bool ? b_.CreateICmpNE(i, b_.getInt64(0)) : i;
  }

  llvm::Function *emitBody();
  void emitElement(llvm::Value *j, llvm::Value *outBase);

  const KernelSpec &spec_;
  llvm::Module &m_;
  llvm::IRBuilder<> b_;
  LibmvecMath math_;
  ElementEmitter e_;
  std::vector<llvm::Value *> params_; // per value: the pointer (tensors) or scalar
  std::vector<llvm::Value *> outPtrs_, bases_, elements_;
};

llvm::Function *KernelEmitter::emitBody() {
  std::vector<llvm::Type *> params;
  for (const KernelValue &v : spec_.values)
    if (v.kind == KernelValue::Kind::Tensor)
      params.push_back(b_.getPtrTy());
    else if (v.kind == KernelValue::Kind::Scalar)
      params.push_back(e_.typeOf(v.type));
  params.insert(params.end(), spec_.outputs.size(), b_.getPtrTy());
  params.insert(params.end(), {b_.getInt64Ty(), b_.getInt64Ty()});
  auto *fn = llvm::Function::Create(llvm::FunctionType::get(b_.getVoidTy(), params, false),
                                    llvm::Function::InternalLinkage, "body", m_);
  fn->addFnAttr(llvm::Attribute::AlwaysInline);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  for (auto &arg : fn->args())
    if (arg.getType()->isPointerTy())
      arg.addAttr(llvm::Attribute::NoAlias);
  size_t p = 0;
  params_.assign(spec_.values.size(), nullptr);
  for (size_t k = 0; k < spec_.values.size(); ++k)
    if (spec_.values[k].kind == KernelValue::Kind::Tensor || spec_.values[k].kind == KernelValue::Kind::Scalar)
      params_[k] = fn->getArg(p++);
  for (size_t i = 0; i < spec_.outputs.size(); ++i)
    outPtrs_.push_back(fn->getArg(p++));
  llvm::Value *begin = fn->getArg(p), *end = fn->getArg(p + 1);

  llvm::LLVMContext &ctx = m_.getContext();
  auto *entry = llvm::BasicBlock::Create(ctx, "entry", fn);
  auto *outer = llvm::BasicBlock::Create(ctx, "row", fn);
  auto *rowBody = llvm::BasicBlock::Create(ctx, "row.body", fn);
  auto *inner = llvm::BasicBlock::Create(ctx, "element", fn);
  auto *latch = llvm::BasicBlock::Create(ctx, "row.next", fn);
  auto *exit = llvm::BasicBlock::Create(ctx, "exit", fn);
  b_.SetInsertPoint(entry);
  b_.CreateBr(outer);

  b_.SetInsertPoint(outer);
  llvm::PHINode *i = b_.CreatePHI(b_.getInt64Ty(), 2, "i");
  i->addIncoming(begin, entry);
  b_.CreateCondBr(b_.CreateICmpSLT(i, end), rowBody, exit);

  b_.SetInsertPoint(rowBody);
  int64_t width = spec_.loop.back();
  llvm::Value *row = b_.CreateUDiv(i, b_.getInt64(width), "row");
  llvm::Value *outBase = b_.CreateMul(row, b_.getInt64(width));
  llvm::Value *j0 = b_.CreateSub(i, outBase, "j0");
  llvm::Value *len = b_.CreateBinaryIntrinsic(llvm::Intrinsic::smin, b_.CreateSub(b_.getInt64(width), j0),
                                              b_.CreateSub(end, i));
  llvm::Value *jEnd = b_.CreateAdd(j0, len);
  bases_.assign(spec_.values.size(), nullptr);
  for (size_t k = 0; k < spec_.values.size(); ++k) {
    if (spec_.values[k].kind != KernelValue::Kind::Tensor)
      continue;
    // Offset of the row: each outer dimension's index times its stride.
    llvm::Value *base = b_.getInt64(0);
    int64_t divisor = 1;
    for (size_t d = spec_.loop.size() - 1; d-- > 0;) {
      int64_t stride = spec_.values[k].strides[d];
      if (stride != 0) {
        llvm::Value *idx = b_.CreateURem(b_.CreateUDiv(row, b_.getInt64(divisor)), b_.getInt64(spec_.loop[d]));
        base = b_.CreateAdd(base, b_.CreateMul(idx, b_.getInt64(stride)));
      }
      divisor *= spec_.loop[d];
    }
    bases_[k] = base;
  }
  b_.CreateBr(inner);

  b_.SetInsertPoint(inner);
  llvm::PHINode *j = b_.CreatePHI(b_.getInt64Ty(), 2, "j");
  j->addIncoming(j0, rowBody);
  emitElement(j, outBase);
  llvm::Value *jNext = b_.CreateAdd(j, b_.getInt64(1));
  j->addIncoming(jNext, b_.GetInsertBlock());
  b_.CreateCondBr(b_.CreateICmpSLT(jNext, jEnd), inner, latch);

  b_.SetInsertPoint(latch);
  i->addIncoming(b_.CreateAdd(i, len), latch);
  b_.CreateBr(outer);

  b_.SetInsertPoint(exit);
  b_.CreateRetVoid();
  return fn;
}

void KernelEmitter::emitElement(llvm::Value *j, llvm::Value *outBase) {
  elements_.assign(spec_.values.size(), nullptr);
  for (size_t k = 0; k < spec_.values.size(); ++k) {
    const KernelValue &v = spec_.values[k];
    switch (v.kind) {
    case KernelValue::Kind::Tensor: {
      llvm::Value *offset = b_.CreateAdd(bases_[k], b_.CreateMul(j, b_.getInt64(v.strides.back())));
      llvm::Type *st = storageType(b_, v.type);
      llvm::Value *x = b_.CreateLoad(st, b_.CreateGEP(st, params_[k], offset));
      elements_[k] = v.type == ElemType::Bool ? b_.CreateICmpNE(x, b_.getInt8(0)) : x;
      break;
    }
    case KernelValue::Kind::Scalar:
      elements_[k] = params_[k];
      break;
    case KernelValue::Kind::Constant:
      break;
    case KernelValue::Kind::Op: {
      std::vector<Operand> operands;
      for (size_t a : v.args) {
        const KernelValue &arg = spec_.values[a];
        operands.push_back({elements_[a], arg.type, arg.kind == KernelValue::Kind::Constant ? &arg.constant : nullptr});
      }
      elements_[k] = lowerElementwise(e_, v, operands);
      break;
    }
    }
  }
  for (size_t o = 0; o < spec_.outputs.size(); ++o) {
    const KernelValue &v = spec_.values[spec_.outputs[o]];
    llvm::Value *x = elements_[spec_.outputs[o]];
    llvm::Type *st = storageType(b_, v.type);
    if (v.type == ElemType::Bool)
      x = b_.CreateZExt(x, b_.getInt8Ty());
    b_.CreateStore(x, b_.CreateGEP(st, outPtrs_[o], b_.CreateAdd(outBase, j)));
  }
}

using KernelEntry = void (*)(void **, int64_t, int64_t);

class CpuFusedKernel : public runtime::FusedKernel {
public:
  CpuFusedKernel(KernelSpec spec, std::unique_ptr<JitCode> code)
      : spec_(std::move(spec)), code_(std::move(code)), entry_(reinterpret_cast<KernelEntry>(code_->entry())) {}

  runtime::Stack run(const runtime::Stack &inputs) const override {
    std::vector<void *> args;
    std::vector<int64_t> slots(spec_.numInputs);
    for (const KernelValue &v : spec_.values) {
      if (v.kind == KernelValue::Kind::Tensor) {
        args.push_back(inputs[v.input].toTensor().data_ptr());
      } else if (v.kind == KernelValue::Kind::Scalar) {
        const c10::IValue &s = inputs[v.input];
        int64_t &slot = slots[v.input];
        if (s.isDouble()) {
          double d = s.toDouble();
          std::memcpy(&slot, &d, sizeof d);
        } else {
          slot = s.isInt() ? s.toInt() : int64_t(s.toBool());
        }
        args.push_back(&slot);
      }
    }
    runtime::Stack outputs;
    for (size_t o : spec_.outputs) {
      at::Tensor t = at::empty(spec_.outputSizes, at::TensorOptions().dtype(scalarTypeOf(spec_.values[o].type)));
      args.push_back(t.data_ptr());
      outputs.emplace_back(std::move(t));
    }
    void **argv = args.data();
    if (spec_.numel < 2 * kGrain || at::get_num_threads() == 1)
      entry_(argv, 0, spec_.numel);
    else
      at::parallel_for(0, spec_.numel, kGrain, [&](int64_t b, int64_t e) { entry_(argv, b, e); });
    return outputs;
  }

private:
  KernelSpec spec_;
  std::unique_ptr<JitCode> code_;
  KernelEntry entry_;
};

std::unique_ptr<llvm::Module> emitModule(const KernelSpec &spec, llvm::LLVMContext &ctx, const std::string &name) {
  auto m = std::make_unique<llvm::Module>("ember.kernel", ctx);
  OrcJit::instance().configure(*m);
  KernelEmitter(spec, *m).emit(name);
  return m;
}

} // namespace

std::shared_ptr<const runtime::FusedKernel> compileCpuKernel(const Graph &group, const runtime::Stack &inputs,
                                                             std::string &why) {
  try {
    KernelSpec spec = describeKernel(group, inputs);
    auto ctx = std::make_unique<llvm::LLVMContext>();
    OrcJit &jit = OrcJit::instance();
    std::string name = jit.uniqueName("kernel");
    auto module = emitModule(spec, *ctx, name);
    auto code = jit.add(std::move(ctx), std::move(module), name, CompileOptions{3});
    return std::make_shared<CpuFusedKernel>(std::move(spec), std::move(code));
  } catch (const LoweringError &e) {
    why = e.what();
  } catch (const std::exception &e) {
    why = std::string("the kernel did not compile: ") + e.what();
  }
  return nullptr;
}

std::string emitCpuKernelLLVM(const Graph &group, const runtime::Stack &inputs, unsigned optLevel) {
  KernelSpec spec = describeKernel(group, inputs);
  llvm::LLVMContext ctx;
  auto module = emitModule(spec, ctx, "kernel");
  if (optLevel > 0)
    OrcJit::instance().optimize(*module, CompileOptions{optLevel});
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os, nullptr);
  return os.str();
}

} // namespace ember::codegen
