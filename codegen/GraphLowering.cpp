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
//     outputs.
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

void LoweringContext::callInstr(const Instr &I) {
  for (uint32_t r : I.in)
    if (kind(r) != NativeKind::None)
      store(r);
  checkStatus(callHelper("ember_jit_instr", b_.getInt32Ty(), {frame_, pointer(&I)}));
  for (uint32_t r : I.out)
    if (kind(r) != NativeKind::None) {
      define(r, load(r, kind(r)));
      inFrame_.insert(r);
    }
}

void LoweringContext::guarded(const Instr &I, llvm::Value *fail,
                              const std::function<std::vector<llvm::Value *>()> &fast) {
  if (auto *c = llvm::dyn_cast<llvm::ConstantInt>(fail); c && c->isZero()) {
    std::vector<llvm::Value *> values = fast(); // a constant operand rules the failure out
    for (size_t i = 0; i < I.out.size(); ++i)
      define(I.out[i], values[i]);
    return;
  }
  auto *slow = llvm::BasicBlock::Create(context(), "slow", fn_);
  auto *fastBB = llvm::BasicBlock::Create(context(), "fast", fn_);
  auto *join = llvm::BasicBlock::Create(context(), "join", fn_);
  b_.CreateCondBr(fail, slow, fastBB, llvm::MDBuilder(context()).createBranchWeights(1, 1000));
  b_.SetInsertPoint(fastBB);
  std::vector<llvm::Value *> values = fast();
  llvm::BasicBlock *fastEnd = b_.GetInsertBlock();
  b_.CreateBr(join);
  b_.SetInsertPoint(slow);
  callInstr(I);
  std::vector<llvm::Value *> slowValues;
  for (uint32_t r : I.out)
    slowValues.push_back(get(r));
  llvm::BasicBlock *slowEnd = b_.GetInsertBlock();
  b_.CreateBr(join);
  b_.SetInsertPoint(join);
  for (size_t i = 0; i < I.out.size(); ++i) {
    auto *phi = b_.CreatePHI(values[i]->getType(), 2);
    phi->addIncoming(values[i], fastEnd);
    phi->addIncoming(slowValues[i], slowEnd);
    define(I.out[i], phi);
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
    [[fallthrough]];
  default: return callInstr(I); // ember_jit_instr drops what I last uses
  }
  if (!I.drop.empty())
    callHelper("ember_jit_drop", b_.getVoidTy(), {frame_, pointer(&I)});
}

void LoweringContext::lowerIf(const Instr &I) {
  llvm::Value *cond = as(I.in[0], NativeKind::Bool);
  auto *merge = llvm::BasicBlock::Create(context(), "endif", fn_);
  llvm::BasicBlock *arms[2] = {llvm::BasicBlock::Create(context(), "then", fn_),
                               llvm::BasicBlock::Create(context(), "else", fn_)};
  b_.CreateCondBr(cond, arms[0], arms[1]);
  std::vector<std::pair<llvm::Value *, llvm::BasicBlock *>> incoming[2];
  for (int a = 0; a < 2; ++a) {
    b_.SetInsertPoint(arms[a]);
    const BlockCode &block = I.blocks[a];
    lowerBlock(block);
    for (size_t i = 0; i < I.out.size(); ++i) {
      NativeKind k = kind(I.out[i]);
      if (k == NativeKind::None)
        copyInto(I.out[i], block.results[i]);
      else
        incoming[a].push_back({as(block.results[i], k), nullptr});
    }
    for (auto &in : incoming[a])
      in.second = b_.GetInsertBlock();
    b_.CreateBr(merge);
  }
  b_.SetInsertPoint(merge);
  size_t n = 0;
  for (uint32_t out : I.out) {
    if (kind(out) == NativeKind::None)
      continue;
    auto *phi = b_.CreatePHI(typeOf(kind(out)), 2);
    for (int a = 0; a < 2; ++a)
      phi->addIncoming(incoming[a][n].first, incoming[a][n].second);
    define(out, phi);
    ++n;
  }
}

void LoweringContext::lowerLoop(const Instr &I) {
  const BlockCode &body = I.blocks[0];
  size_t carried = I.in.size() - 2;
  llvm::Value *maxTrips = as(I.in[0], NativeKind::Int);
  llvm::Value *cond0 = as(I.in[1], NativeKind::Bool);
  // Boxed parameters get their first values in the frame (native inputs
  // feeding them are stored first); native ones become phis.
  bool anyBoxed = false, anyBoxedOut = false;
  for (size_t k = 0; k < carried; ++k) {
    anyBoxed |= kind(body.params[k + 1]) == NativeKind::None;
    anyBoxedOut |= kind(I.out[k]) == NativeKind::None;
  }
  auto carry = [&](int which) {
    callHelper("ember_jit_loop_carry", b_.getVoidTy(), {frame_, pointer(&I), b_.getInt32(which)});
  };
  for (size_t k = 0; k < carried; ++k)
    if (kind(body.params[k + 1]) == NativeKind::None && kind(I.in[k + 2]) != NativeKind::None)
      store(I.in[k + 2]);
  if (anyBoxed)
    carry(0);
  std::vector<llvm::Value *> initial(carried);
  for (size_t k = 0; k < carried; ++k)
    if (NativeKind pk = kind(body.params[k + 1]); pk != NativeKind::None)
      initial[k] = as(I.in[k + 2], pk);

  llvm::BasicBlock *pre = b_.GetInsertBlock();
  auto *header = llvm::BasicBlock::Create(context(), "loop", fn_);
  auto *bodyBB = llvm::BasicBlock::Create(context(), "body", fn_);
  auto *exit = llvm::BasicBlock::Create(context(), "endloop", fn_);
  b_.CreateBr(header);
  b_.SetInsertPoint(header);
  auto *trip = b_.CreatePHI(b_.getInt64Ty(), 2, "trip");
  auto *cond = b_.CreatePHI(b_.getInt1Ty(), 2, "cond");
  trip->addIncoming(b_.getInt64(0), pre);
  cond->addIncoming(cond0, pre);
  std::vector<llvm::PHINode *> phis(carried, nullptr);
  for (size_t k = 0; k < carried; ++k)
    if (initial[k]) {
      phis[k] = b_.CreatePHI(initial[k]->getType(), 2);
      phis[k]->addIncoming(initial[k], pre);
    }
  b_.CreateCondBr(b_.CreateAnd(cond, b_.CreateICmpSLT(trip, maxTrips)), bodyBB, exit);

  b_.SetInsertPoint(bodyBB);
  define(body.params[0], trip);
  for (size_t k = 0; k < carried; ++k)
    if (phis[k])
      define(body.params[k + 1], phis[k]);
  lowerBlock(body);
  llvm::Value *nextCond = as(body.results[0], NativeKind::Bool);
  std::vector<llvm::Value *> next(carried, nullptr);
  for (size_t k = 0; k < carried; ++k) {
    if (phis[k])
      next[k] = as(body.results[k + 1], kind(body.params[k + 1]));
    else if (kind(body.results[k + 1]) != NativeKind::None)
      store(body.results[k + 1]);
  }
  if (anyBoxed)
    carry(1);
  llvm::BasicBlock *latch = b_.GetInsertBlock();
  trip->addIncoming(b_.CreateAdd(trip, b_.getInt64(1)), latch);
  cond->addIncoming(nextCond, latch);
  for (size_t k = 0; k < carried; ++k)
    if (phis[k])
      phis[k]->addIncoming(next[k], latch);
  b_.CreateBr(header);

  b_.SetInsertPoint(exit);
  if (anyBoxed && anyBoxedOut)
    carry(2);
  for (size_t k = 0; k < carried; ++k) {
    uint32_t out = I.out[k];
    NativeKind ok = kind(out);
    if (phis[k] && ok != NativeKind::None)
      define(out, convert(phis[k], kind(body.params[k + 1]), ok));
    else if (phis[k]) // a native parameter feeding a boxed output
      copyInto(out, body.params[k + 1]);
    else if (ok != NativeKind::None)
      define(out, load(body.params[k + 1], ok));
  }
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
