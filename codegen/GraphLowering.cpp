//===- codegen/GraphLowering.cpp - runtime Code to an LLVM function -------===//
//
// Walks the Code the interpreter built for a function and emits one LLVM
// function `i32 (ptr frame)` that computes the same thing:
//  1. Entry: native parameters (int, float, bool) are read from the frame
//     once; every other value stays in the frame's registers.
//  2. Each instruction: a scalar operator with native operands becomes LLVM
//     instructions (ScalarLowering.cpp); If becomes a branch with phis for
//     native outputs; Loop becomes a counted loop with phis for the trip
//     count, the condition and native carried values; anything else calls
//     ember_jit_instr for that one instruction, after storing the native
//     inputs it reads into the frame and before reading back its native
//     outputs; the operators of runtime/UnboxedOps.def call their unboxed
//     kernel through ember_jit_unboxed instead.
//     Registers whose last use an instruction is are cleared after it, as
//     the interpreter clears them (ember_jit_drop after native If/Loop).
//  3. Errors: a helper's non-zero status branches to one exit that returns
//     1; the caller rethrows the exception left in the frame.
//  4. Exit: native results are stored into the frame, and 0 is returned.
// Helpers are called by name (OrcJit defines them); instruction addresses
// are embedded as constants: the code is made for this process, never saved.
//
//===----------------------------------------------------------------------===//
#include "codegen/Lowering.h"
#include "codegen/LoweringContext.h"

#include "ir/Constants.h"
#include "runtime/Code.h"

#include <llvm/IR/CFG.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/raw_ostream.h>

#include <cstdint>

namespace ember::codegen {

using runtime::BlockCode;
using runtime::Code;
using runtime::Instr;
using runtime::InstrKind;

LoweringContext::LoweringContext(const Code &code, llvm::Module &module)
    : code_(code), module_(module), b_(module.getContext()) {}

NativeKind LoweringContext::kind(uint32_t reg) const {
  return nativeKindOf(*code_.values.at(reg)->type());
}

llvm::Type *LoweringContext::typeOf(NativeKind kind) {
  switch (kind) {
  case NativeKind::Int: return b_.getInt64Ty();
  case NativeKind::Float: return b_.getDoubleTy();
  case NativeKind::Bool: return b_.getInt1Ty();
  case NativeKind::None: break;
  }
  throw LoweringError("no machine type for a boxed value");
}

llvm::Value *LoweringContext::pointer(const void *p) {
  return b_.CreateIntToPtr(b_.getInt64(reinterpret_cast<uint64_t>(p)), b_.getPtrTy());
}

llvm::Value *LoweringContext::callHelper(const char *name, llvm::Type *result,
                                         std::vector<llvm::Value *> args) {
  std::vector<llvm::Type *> params;
  for (llvm::Value *a : args)
    params.push_back(a->getType());
  auto callee = module_.getOrInsertFunction(name, llvm::FunctionType::get(result, params, false));
  if (auto *f = llvm::dyn_cast<llvm::Function>(callee.getCallee()))
    f->setDoesNotThrow(); // helpers report errors through their status
  return b_.CreateCall(callee, args);
}

llvm::Value *LoweringContext::load(uint32_t reg, NativeKind kind) {
  llvm::Value *r = b_.getInt32(reg);
  switch (kind) {
  case NativeKind::Int:
    return callHelper("ember_jit_get_int", b_.getInt64Ty(), {frame_, r});
  case NativeKind::Float:
    return callHelper("ember_jit_get_float", b_.getDoubleTy(), {frame_, r});
  case NativeKind::Bool:
    return b_.CreateICmpNE(callHelper("ember_jit_get_bool", b_.getInt32Ty(), {frame_, r}),
                           b_.getInt32(0));
  case NativeKind::None: break;
  }
  throw LoweringError("cannot read a boxed value as a machine value");
}

void LoweringContext::storeInto(uint32_t dst, llvm::Value *v, NativeKind k) {
  llvm::Value *r = b_.getInt32(dst);
  switch (k) {
  case NativeKind::Int: callHelper("ember_jit_set_int", b_.getVoidTy(), {frame_, r, v}); return;
  case NativeKind::Float: callHelper("ember_jit_set_float", b_.getVoidTy(), {frame_, r, v}); return;
  case NativeKind::Bool:
    callHelper("ember_jit_set_bool", b_.getVoidTy(), {frame_, r, b_.CreateZExt(v, b_.getInt32Ty())});
    return;
  case NativeKind::None: break;
  }
  throw LoweringError("cannot store a boxed value from a machine value");
}

void LoweringContext::store(uint32_t reg) {
  // Constants are in the frame from the start (Code::initial).
  if (kind(reg) == NativeKind::None || inFrame_.count(reg) ||
      (!native_.count(reg) && constantValue(code_.values.at(reg))))
    return;
  storeInto(reg, get(reg), kind(reg));
}

void LoweringContext::copyInto(uint32_t dst, uint32_t src) {
  if (dst == src)
    return store(src);
  if (kind(src) == NativeKind::None)
    callHelper("ember_jit_copy", b_.getVoidTy(), {frame_, b_.getInt32(dst), b_.getInt32(src)});
  else
    storeInto(dst, get(src), kind(src));
}

llvm::Value *LoweringContext::get(uint32_t reg) {
  auto it = native_.find(reg);
  if (it != native_.end())
    return it->second;
  const Value *v = code_.values.at(reg);
  if (auto c = constantValue(v)) {
    if (c->isInt())
      return b_.getInt64(c->toInt());
    if (c->isDouble())
      return llvm::ConstantFP::get(b_.getDoubleTy(), c->toDouble());
    if (c->isBool())
      return b_.getInt1(c->toBool());
  }
  throw LoweringError("value %" + v->debugName() + " has no machine value where it is used");
}

llvm::Value *LoweringContext::convert(llvm::Value *v, NativeKind from, NativeKind to) {
  if (from == to)
    return v;
  switch (to) {
  case NativeKind::Int:
    return from == NativeKind::Bool ? b_.CreateZExt(v, b_.getInt64Ty())
                                    : b_.CreateFPToSI(v, b_.getInt64Ty());
  case NativeKind::Float:
    return from == NativeKind::Bool ? b_.CreateUIToFP(v, b_.getDoubleTy())
                                    : b_.CreateSIToFP(v, b_.getDoubleTy());
  case NativeKind::Bool:
    return from == NativeKind::Int ? b_.CreateICmpNE(v, b_.getInt64(0))
                                   : b_.CreateFCmpUNE(v, llvm::ConstantFP::get(b_.getDoubleTy(), 0.0));
  case NativeKind::None: break;
  }
  throw LoweringError("cannot convert to a boxed value");
}

llvm::Value *LoweringContext::as(uint32_t reg, NativeKind k) {
  NativeKind from = kind(reg);
  if (from == NativeKind::None)
    return load(reg, k);
  return convert(get(reg), from, k);
}

void LoweringContext::define(uint32_t reg, llvm::Value *value) {
  const Value *v = code_.values.at(reg);
  if (auto *inst = llvm::dyn_cast<llvm::Instruction>(value); inst && !inst->hasName() && v->hasDebugName())
    inst->setName(v->debugName());
  native_[reg] = value;
  inFrame_.erase(reg);
}

void LoweringContext::checkStatus(llvm::Value *status) {
  auto *ok = llvm::BasicBlock::Create(context(), "ok", fn_);
  b_.CreateCondBr(b_.CreateICmpNE(status, b_.getInt32(0)), errorExit_, ok,
                  llvm::MDBuilder(context()).createBranchWeights(1, 1000));
  b_.SetInsertPoint(ok);
}

void LoweringContext::callInstr(const Instr &I, const runtime::UnboxedOp *unboxed) {
  for (uint32_t r : I.in)
    if (kind(r) != NativeKind::None)
      store(r);
  if (unboxed) {
    // The kernel is named by its symbol: the IR reads `ptr @ember_aten_mm`.
    auto kernel = module_.getOrInsertFunction(unboxed->symbol, b_.getVoidTy());
    checkStatus(callHelper("ember_jit_unboxed", b_.getInt32Ty(),
                           {frame_, pointer(&I), kernel.getCallee()}));
  } else {
    checkStatus(callHelper("ember_jit_instr", b_.getInt32Ty(), {frame_, pointer(&I)}));
  }
  for (uint32_t r : I.out)
    if (kind(r) != NativeKind::None) {
      define(r, load(r, kind(r)));
      inFrame_.insert(r);
    }
}

void LoweringContext::lowerBlock(const BlockCode &block) {
  for (const Instr &I : block.instrs)
    lowerInstr(I);
}

void LoweringContext::lowerInstr(const Instr &I) {
  switch (I.kind) {
  case InstrKind::If: lowerIf(I); break;
  case InstrKind::Loop: lowerLoop(I); break;
  case InstrKind::Op:
    if (lowerScalarOp(*this, I))
      break;
    if (const runtime::UnboxedOp *op = runtime::findUnboxedOp(*I.node))
      return callInstr(I, op); // ember_jit_unboxed drops what I last uses
    [[fallthrough]];
  default: return callInstr(I); // ember_jit_instr drops what I last uses
  }
  if (!I.drop.empty())
    callHelper("ember_jit_drop", b_.getVoidTy(), {frame_, pointer(&I)});
}

llvm::Function *LoweringContext::lower(const std::string &name) {
  auto *type = llvm::FunctionType::get(b_.getInt32Ty(), {b_.getPtrTy()}, false);
  fn_ = llvm::Function::Create(type, llvm::Function::ExternalLinkage, name, module_);
  frame_ = fn_->getArg(0);
  frame_->setName("frame");
  auto *entry = llvm::BasicBlock::Create(context(), "entry", fn_);
  errorExit_ = llvm::BasicBlock::Create(context(), "error", fn_);
  b_.SetInsertPoint(errorExit_);
  b_.CreateRet(b_.getInt32(1));
  b_.SetInsertPoint(entry);
  for (uint32_t p : code_.body.params)
    if (kind(p) != NativeKind::None) {
      define(p, load(p, kind(p)));
      inFrame_.insert(p);
    }
  lowerBlock(code_.body);
  for (uint32_t r : code_.body.results)
    if (kind(r) != NativeKind::None)
      store(r);
  b_.CreateRet(b_.getInt32(0));
  // Blocks in reverse post-order, the error exit last: the printed IR reads
  // top to bottom like the graph.
  std::vector<llvm::BasicBlock *> order;
  std::unordered_set<llvm::BasicBlock *> seen{errorExit_};
  std::function<void(llvm::BasicBlock *)> visit = [&](llvm::BasicBlock *bb) {
    if (!seen.insert(bb).second)
      return;
    for (llvm::BasicBlock *succ : llvm::successors(bb))
      visit(succ);
    order.push_back(bb);
  };
  visit(entry);
  for (auto it = order.rbegin(); it != order.rend(); ++it)
    (*it)->moveBefore(errorExit_);
  if (llvm::pred_empty(errorExit_))
    errorExit_->eraseFromParent();
  return fn_;
}

namespace {
std::unique_ptr<llvm::Module> lowerModule(const Code &code, llvm::LLVMContext &context,
                                          const std::string &entry) {
  auto module = std::make_unique<llvm::Module>(entry, context);
  OrcJit::instance().configure(*module);
  LoweringContext(code, *module).lower(entry);
  return module;
}
} // namespace

namespace {
/// Counts scalar operators; stops at the first loop (returns SIZE_MAX).
size_t nativeWork(const BlockCode &block) {
  size_t n = 0;
  for (const Instr &I : block.instrs) {
    if (I.kind == InstrKind::Loop)
      return SIZE_MAX;
    n += isScalarOp(I);
    for (const BlockCode &inner : I.blocks) {
      size_t m = nativeWork(inner);
      if (m == SIZE_MAX)
        return m;
      n += m;
    }
  }
  return n;
}
} // namespace

bool worthCompiling(const Code &code, size_t minScalarOps) {
  return nativeWork(code.body) >= minScalarOps;
}

NativeCode compileCode(const Code &code, const CompileOptions &options) {
  OrcJit &jit = OrcJit::instance();
  std::string entry = jit.uniqueName(code.name);
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = lowerModule(code, *context, entry);
  NativeCode native;
  native.code = jit.add(std::move(context), std::move(module), entry, options);
  native.entry = reinterpret_cast<NativeEntry>(native.code->entry());
  return native;
}

std::string emitLLVM(const Code &code, const CompileOptions &options) {
  llvm::LLVMContext context;
  auto module = lowerModule(code, context, code.name);
  OrcJit::instance().optimize(*module, options);
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os, nullptr);
  return text;
}

} // namespace ember::codegen
