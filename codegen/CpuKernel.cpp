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
// divisors. Math functions are libm calls with libmvec's vector variants
// (codegen/VectorMath.h). The kernel runs on ATen's thread pool in
// chunks of at least kGrain elements.
//
//===----------------------------------------------------------------------===//
#include "codegen/FusedKernels.h"

#include "codegen/ElementwiseLowering.h"
#include "codegen/VectorMath.h"
#include "codegen/KernelSpec.h"
#include "codegen/Lowering.h"
#include "codegen/OrcJit.h"
#include "ir/Log.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <unordered_map>
#include <unordered_set>

namespace ember::codegen {
namespace {

/// Elements per parallel chunk (NNC's minimum grain on CPU).
constexpr int64_t kGrain = 32768;
/// Longest row whose intermediate values a rowwise kernel keeps on the stack.
constexpr int64_t kMaxRowBuffer = 8192;

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
  llvm::BasicBlock *block(const char *name) { return llvm::BasicBlock::Create(m_.getContext(), name, fn_); }
  std::pair<llvm::BasicBlock *, llvm::PHINode *> loop(llvm::Value *from, llvm::Value *to,
                                                      const std::function<void(llvm::Value *)> &body);
  void steps(llvm::Value *begin, llvm::Value *end, const std::function<llvm::Value *(llvm::Value *)> &body);
  void emitFlat(llvm::Value *begin, llvm::Value *end);
  void emitRows(llvm::Value *begin, llvm::Value *end);
  llvm::Value *reduceRow(const KernelValue &v, llvm::Value *width);
  void computeBases(llvm::Value *row);
  llvm::Value *valueAt(size_t k, llvm::Value *j);
  void store(size_t o, llvm::Value *index, llvm::Value *x);

  const KernelSpec &spec_;
  llvm::Module &m_;
  llvm::IRBuilder<> b_;
  LibmvecMath math_;
  ElementEmitter e_;
  std::vector<llvm::Value *> params_; // per value: the pointer (tensors) or scalar
  llvm::Function *fn_ = nullptr;
  std::vector<llvm::Value *> outPtrs_, bases_;
  std::unordered_map<size_t, llvm::Value *> memo_, stats_, rowCache_;
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
  fn_ = fn;
  b_.SetInsertPoint(block("entry"));
  spec_.rowwise ? emitRows(fn->getArg(p), fn->getArg(p + 1)) : emitFlat(fn->getArg(p), fn->getArg(p + 1));
  b_.CreateRetVoid();
  return fn;
}

/// A counted loop `for (j = from; j < to; ++j) body(j)` from the current
/// block; the builder ends in the block after it. Returns the loop's block
/// and the phi of j (for loop-carried values the body adds).
std::pair<llvm::BasicBlock *, llvm::PHINode *> KernelEmitter::loop(llvm::Value *from, llvm::Value *to,
                                                                   const std::function<void(llvm::Value *)> &body) {
  llvm::BasicBlock *pre = b_.GetInsertBlock(), *header = block("loop"), *after = block("loop.end");
  b_.CreateBr(header);
  b_.SetInsertPoint(header);
  llvm::PHINode *j = b_.CreatePHI(b_.getInt64Ty(), 2, "j");
  j->addIncoming(from, pre);
  memo_.clear();
  body(j);
  llvm::Value *next = b_.CreateAdd(j, b_.getInt64(1));
  j->addIncoming(next, b_.GetInsertBlock());
  b_.CreateCondBr(b_.CreateICmpSLT(next, to), header, after);
  b_.SetInsertPoint(after);
  memo_.clear();
  return {header, j};
}

/// `for (i = begin; i < end; i += step)` where `body(i)` emits one step
/// and returns its length; the builder ends after the loop.
void KernelEmitter::steps(llvm::Value *begin, llvm::Value *end,
                          const std::function<llvm::Value *(llvm::Value *)> &body) {
  llvm::BasicBlock *entry = b_.GetInsertBlock(), *head = block("row"), *inside = block("row.body");
  llvm::BasicBlock *exit = block("exit");
  b_.CreateBr(head);
  b_.SetInsertPoint(head);
  llvm::PHINode *i = b_.CreatePHI(b_.getInt64Ty(), 2, "i");
  i->addIncoming(begin, entry);
  b_.CreateCondBr(b_.CreateICmpSLT(i, end), inside, exit);
  b_.SetInsertPoint(inside);
  llvm::Value *step = body(i);
  i->addIncoming(b_.CreateAdd(i, step), b_.GetInsertBlock());
  b_.CreateBr(head);
  b_.SetInsertPoint(exit);
}

/// Elementwise kernels: the flat index range [begin, end), row by row,
/// rows possibly cut at both ends (parallel chunks split rows).
void KernelEmitter::emitFlat(llvm::Value *begin, llvm::Value *end) {
  steps(begin, end, [&](llvm::Value *i) {
    int64_t width = spec_.loop.back();
    llvm::Value *row = b_.CreateUDiv(i, b_.getInt64(width), "row");
    llvm::Value *outBase = b_.CreateMul(row, b_.getInt64(width));
    llvm::Value *j0 = b_.CreateSub(i, outBase, "j0");
    llvm::Value *len = b_.CreateBinaryIntrinsic(llvm::Intrinsic::smin, b_.CreateSub(b_.getInt64(width), j0),
                                                b_.CreateSub(end, i));
    computeBases(row);
    loop(j0, b_.CreateAdd(j0, len), [&](llvm::Value *j) {
      for (size_t o = 0; o < spec_.outputs.size(); ++o)
        store(o, b_.CreateAdd(outBase, j), valueAt(spec_.outputs[o], j));
    });
    return len;
  });
}

/// Rowwise kernels: rows [begin, end); per row, one loop per statistic in
/// order, then one loop for the per-element outputs, then the per-row ones.
void KernelEmitter::emitRows(llvm::Value *begin, llvm::Value *end) {
  steps(begin, end, [&](llvm::Value *row) {
    computeBases(row);
    llvm::Value *width = b_.getInt64(spec_.loop.back());
    stats_.clear();
    for (size_t k = 0; k < spec_.values.size(); ++k)
      if (spec_.values[k].kind == KernelValue::Kind::Reduce)
        stats_[k] = reduceRow(spec_.values[k], width);
    llvm::Value *outBase = b_.CreateMul(row, width);
    loop(b_.getInt64(0), width, [&](llvm::Value *j) {
      for (size_t o = 0; o < spec_.outputs.size(); ++o)
        if (!spec_.values[spec_.outputs[o]].perRow)
          store(o, b_.CreateAdd(outBase, j), valueAt(spec_.outputs[o], j));
    });
    for (size_t o = 0; o < spec_.outputs.size(); ++o)
      if (spec_.values[spec_.outputs[o]].perRow)
        store(o, row, valueAt(spec_.outputs[o], nullptr));
    return b_.getInt64(1);
  });
}

/// One statistic of the row: a loop that folds its argument's elements.
/// Sums may be reassociated (so they vectorise); max and min let NaN win.
llvm::Value *KernelEmitter::reduceRow(const KernelValue &v, llvm::Value *width) {
  using RK = KernelValue::ReduceKind;
  llvm::Type *ty = e_.typeOf(v.type);
  double init = v.reduce == RK::Sum ? 0.0 : v.reduce == RK::Max ? -INFINITY : INFINITY;
  llvm::BasicBlock *pre = b_.GetInsertBlock();
  llvm::Value *result = nullptr;
  // An operator's values are kept in a row buffer for the loops after this
  // one (softmax's exp is computed once, not twice).
  llvm::Value *buffer = nullptr;
  size_t arg = v.args[0];
  if (spec_.values[arg].kind == KernelValue::Kind::Op && !rowCache_.count(arg) &&
      spec_.loop.back() <= kMaxRowBuffer) {
    llvm::IRBuilder<> entry(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    buffer = entry.CreateAlloca(ty, b_.getInt64(spec_.loop.back()), "row.buffer");
  }
  loop(b_.getInt64(0), width, [&](llvm::Value *j) {
    llvm::PHINode *acc = b_.CreatePHI(ty, 2, "acc");
    acc->addIncoming(llvm::ConstantFP::get(ty, init), pre);
    llvm::Value *x = valueAt(arg, j);
    if (buffer)
      b_.CreateStore(x, b_.CreateGEP(ty, buffer, j));
    if (v.reduce == RK::Sum) {
      result = b_.CreateFAdd(acc, x);
      llvm::cast<llvm::Instruction>(result)->setHasAllowReassoc(true);
    } else {
      result = b_.CreateBinaryIntrinsic(v.reduce == RK::Max ? llvm::Intrinsic::maximum : llvm::Intrinsic::minimum,
                                        acc, x);
    }
    acc->addIncoming(result, b_.GetInsertBlock());
  });
  if (buffer)
    rowCache_[arg] = buffer;
  return result;
}

/// Each input tensor's offset of the row: outer indices times strides.
void KernelEmitter::computeBases(llvm::Value *row) {
  bases_.assign(spec_.values.size(), nullptr);
  for (size_t k = 0; k < spec_.values.size(); ++k) {
    if (spec_.values[k].kind != KernelValue::Kind::Tensor)
      continue;
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
}

/// Value k at element j of the row (null j: a per-row value), emitted once
/// per loop body.
llvm::Value *KernelEmitter::valueAt(size_t k, llvm::Value *j) {
  if (auto it = memo_.find(k); it != memo_.end())
    return it->second;
  const KernelValue &v = spec_.values[k];
  llvm::Value *x = nullptr;
  if (auto cached = rowCache_.find(k); cached != rowCache_.end() && j) {
    x = b_.CreateLoad(e_.typeOf(v.type), b_.CreateGEP(e_.typeOf(v.type), cached->second, j));
    return memo_[k] = x;
  }
  switch (v.kind) {
  case KernelValue::Kind::Tensor: {
    llvm::Value *offset = b_.CreateAdd(bases_[k], b_.CreateMul(j, b_.getInt64(v.strides.back())));
    llvm::Type *st = storageType(b_, v.type);
    x = b_.CreateLoad(st, b_.CreateGEP(st, params_[k], offset));
    if (v.type == ElemType::Bool)
      x = b_.CreateICmpNE(x, b_.getInt8(0));
    break;
  }
  case KernelValue::Kind::Scalar:
    x = params_[k];
    break;
  case KernelValue::Kind::Reduce:
    x = stats_.at(k);
    break;
  case KernelValue::Kind::Constant:
    throw LoweringError("a constant used as a tensor");
  case KernelValue::Kind::Op: {
    std::vector<Operand> operands;
    for (size_t a : v.args) {
      const KernelValue &arg = spec_.values[a];
      if (arg.kind == KernelValue::Kind::Constant)
        operands.push_back({nullptr, arg.type, &arg.constant});
      else
        operands.push_back({valueAt(a, j), arg.type, nullptr});
    }
    x = lowerElementwise(e_, v, operands);
    break;
  }
  }
  return memo_[k] = x;
}

void KernelEmitter::store(size_t o, llvm::Value *index, llvm::Value *x) {
  const KernelValue &v = spec_.values[spec_.outputs[o]];
  llvm::Type *st = storageType(b_, v.type);
  if (v.type == ElemType::Bool)
    x = b_.CreateZExt(x, b_.getInt8Ty());
  b_.CreateStore(x, b_.CreateGEP(st, outPtrs_[o], index));
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
    for (size_t i = 0; i < spec_.outputs.size(); ++i) {
      auto dtype = scalarTypeOf(spec_.values[spec_.outputs[i]].type);
      at::Tensor t = at::empty(spec_.outputSizes[i], at::TensorOptions().dtype(dtype));
      args.push_back(t.data_ptr());
      outputs.emplace_back(std::move(t));
    }
    // Elementwise kernels split the flat index range, rowwise ones whole rows.
    void **argv = args.data();
    int64_t width = spec_.rowwise ? spec_.loop.back() : 1;
    int64_t units = spec_.numel / width, grain = std::max<int64_t>(1, kGrain / width);
    if (units < 2 * grain || at::get_num_threads() == 1)
      entry_(argv, 0, units);
    else
      at::parallel_for(0, units, grain, [&](int64_t b, int64_t e) { entry_(argv, b, e); });
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
    if (logEnabled("kernels"))
      logLine("kernels", "optimised LLVM IR of a fusion group's kernel:\n" + emitCpuKernelLLVM(group, inputs, 3));
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
