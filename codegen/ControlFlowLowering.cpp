//===- codegen/ControlFlowLowering.cpp - If, Loop and guarded operators ---===//
//
// The structured control flow of a Code as LLVM blocks (see
// GraphLowering.cpp for the whole walk):
//  - If: a conditional branch; native outputs meet in phis, boxed ones are
//    copied into the If's output registers in each arm.
//  - Loop: a header with phis for the trip count, the condition and native
//    carried values; boxed carried values move through the frame
//    (ember_jit_loop_carry) on entry, per iteration and on exit.
//  - guarded(): a fast native path and a slow path that runs the node in the
//    interpreter, for operators that may raise.
//
//===----------------------------------------------------------------------===//
#include "codegen/LoweringContext.h"

#include "runtime/Code.h"

namespace ember::codegen {

using runtime::BlockCode;
using runtime::Instr;

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

std::vector<llvm::Value *> LoweringContext::loopEntry(const Instr &I, bool anyBoxed) {
  const BlockCode &body = I.blocks[0];
  size_t carried = I.in.size() - 2;
  // Boxed parameters get their first values in the frame (native inputs
  // feeding them are stored first); native ones start their phis.
  for (size_t k = 0; k < carried; ++k)
    if (kind(body.params[k + 1]) == NativeKind::None && kind(I.in[k + 2]) != NativeKind::None)
      store(I.in[k + 2]);
  if (anyBoxed)
    loopCarry(I, 0);
  std::vector<llvm::Value *> initial(carried);
  for (size_t k = 0; k < carried; ++k)
    if (NativeKind pk = kind(body.params[k + 1]); pk != NativeKind::None)
      initial[k] = as(I.in[k + 2], pk);
  return initial;
}

void LoweringContext::loopCarry(const Instr &I, int which) {
  callHelper("ember_jit_loop_carry", b_.getVoidTy(), {frame_, pointer(&I), b_.getInt32(which)});
}

void LoweringContext::lowerLoop(const Instr &I) {
  const BlockCode &body = I.blocks[0];
  size_t carried = I.in.size() - 2;
  llvm::Value *maxTrips = as(I.in[0], NativeKind::Int);
  llvm::Value *cond0 = as(I.in[1], NativeKind::Bool);
  bool anyBoxed = false, anyBoxedOut = false;
  for (size_t k = 0; k < carried; ++k) {
    anyBoxed |= kind(body.params[k + 1]) == NativeKind::None;
    anyBoxedOut |= kind(I.out[k]) == NativeKind::None;
  }
  std::vector<llvm::Value *> initial = loopEntry(I, anyBoxed);

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
    loopCarry(I, 1);
  llvm::BasicBlock *latch = b_.GetInsertBlock();
  trip->addIncoming(b_.CreateAdd(trip, b_.getInt64(1)), latch);
  cond->addIncoming(nextCond, latch);
  for (size_t k = 0; k < carried; ++k)
    if (phis[k])
      phis[k]->addIncoming(next[k], latch);
  b_.CreateBr(header);

  b_.SetInsertPoint(exit);
  if (anyBoxed && anyBoxedOut)
    loopCarry(I, 2);
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

} // namespace ember::codegen
