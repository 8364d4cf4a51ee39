//===- frontend/EmitControlFlow.cpp - if, while and for -------------------===//
//
// `if` becomes prim::If with one frame per branch joined into its outputs.
// When a branch always leaves (return, break, continue) and the other never
// does, the statements after the `if` move into the other branch; when a
// branch may leave otherwise, they run under `if $skip` — the two shapes
// TorchScript's exit transforms produce.
//
// Loops are in EmitLoops.cpp.
//
//===----------------------------------------------------------------------===//
#include "frontend/EmitterImpl.h"

#include <climits>

namespace ember::frontend {
namespace {

bool terminates(ExitKind k) { return k == ExitKind::Always || k == ExitKind::Raises; }

ExitKind sequence(ExitKind a, ExitKind b) {
  if (a == ExitKind::Never)
    return b;
  if (a == ExitKind::Maybe)
    return b == ExitKind::Never || b == ExitKind::Maybe ? ExitKind::Maybe : ExitKind::Always;
  return a;
}

StmtRefs concat(const std::vector<StmtPtr> &a, const StmtRefs &b, size_t from) {
  StmtRefs r = refsOf(a);
  r.insert(r.end(), b.begin() + std::min(from, b.size()), b.end());
  return r;
}

} // namespace

/// The value of a condition known from its text alone: `torch.jit.is_scripting()`
/// and its negation (other static conditions depend on types).
static std::optional<bool> staticCondition(const Expr &e) {
  if (e.kind == ExprKind::UnaryOp && e.text == "not") {
    auto inner = staticCondition(*e.operands[0]);
    return inner ? std::optional<bool>(!*inner) : std::nullopt;
  }
  if (e.kind == ExprKind::Call && e.operands.size() == 1) {
    std::string callee = dottedName(*e.operands[0]);
    if (callee == "torch.jit.is_scripting")
      return true;
  }
  return std::nullopt;
}

ExitKind FunctionEmitter::classifyStmt(const Stmt &s, bool loopExitsCount) const {
  switch (s.kind) {
  case StmtKind::Return: return ExitKind::Always;
  case StmtKind::Raise: return ExitKind::Raises;
  case StmtKind::Break:
  case StmtKind::Continue: return loopExitsCount ? ExitKind::Always : ExitKind::Never;
  case StmtKind::If: {
    // `if torch.jit.is_scripting():` compiles one branch (a static if).
    if (auto taken = staticCondition(*s.value))
      return classify(refsOf(*taken ? s.body : s.orelse), loopExitsCount);
    if (auto known = staticIfs_.find(&s); known != staticIfs_.end())
      return classify(refsOf(known->second ? s.body : s.orelse), loopExitsCount);
    ExitKind t = classify(refsOf(s.body), loopExitsCount);
    ExitKind e = classify(refsOf(s.orelse), loopExitsCount);
    // A branch that raises never continues and sets no return flag: the
    // `if` leaves as the other branch does.
    if (t == ExitKind::Raises)
      return e;
    if (e == ExitKind::Raises)
      return t;
    if (terminates(t) && terminates(e))
      return ExitKind::Always;
    return t == ExitKind::Never && e == ExitKind::Never ? ExitKind::Never : ExitKind::Maybe;
  }
  case StmtKind::For:
  case StmtKind::While:
    // Only a return leaves the enclosing block from inside a loop.
    return classify(refsOf(s.body), false) == ExitKind::Never ? ExitKind::Never
                                                               : ExitKind::Maybe;
  case StmtKind::With: return classify(refsOf(s.body), loopExitsCount);
  default: return ExitKind::Never;
  }
}

ExitKind FunctionEmitter::classify(const StmtRefs &stmts, bool loopExitsCount,
                                   size_t from) const {
  ExitKind acc = ExitKind::Never;
  for (size_t i = from; i < stmts.size() && !terminates(acc); ++i) {
    acc = sequence(acc, classifyStmt(*stmts[i], loopExitsCount));
  }
  return acc;
}

void FunctionEmitter::emitBranches(Value *cond, const Refinements &refinements,
                                   const std::function<ExitKind()> &thenBody,
                                   const std::function<ExitKind()> &elseBody,
                                   const SourceSpan &span, bool unnamed) {
  Node *n = insert(prim::If(), {cond}, 0, span);
  Block *blocks[2] = {n->addBlock(), n->addBlock()};
  ExitKind exits[2];
  Frame frames[2];
  for (int i = 0; i < 2; ++i) {
    pushFrame(Frame::Kind::Branch, blocks[i]);
    graph().setInsertPoint(blocks[i]);
    applyRefinements(i == 0 ? refinements.whenTrue : refinements.whenFalse);
    exits[i] = i == 0 ? thenBody() : elseBody();
    frames[i] = popFrame();
  }
  joinBranches(n, frames[0], exits[0], frames[1], exits[1], span, unnamed);
}

/// Whether TorchScript's exit transform merges this `if` with the one it
/// puts after it (inlineConsecutiveIfs): a branch that always leaves beside
/// one that never does gives constant exit flags, and the merged If's
/// outputs are the second If's, unnamed. Where a branch only may leave,
/// the flag is not constant: the `if` keeps its variables' names. (The
/// second If guards what follows in the block, or ends the block the exit
/// goes to; an `if` last in a branch hands its flag to the enclosing one.)
static bool mergedByExitTransform(ExitKind t, ExitKind e) {
  if (t == ExitKind::Maybe || e == ExitKind::Maybe)
    return false;
  return t == ExitKind::Always || e == ExitKind::Always;
}

void FunctionEmitter::emitIf(const Stmt &s, const StmtRefs &rest, size_t restFrom) {
  Refinements refinements;
  Value *cond = emitBranchCondition(*s.value, refinements);
  if (refinements.staticValue) {
    // Only the branch that runs is compiled (TorchScript's static if), with
    // the refinements that hold in it.
    staticIfs_[&s] = *refinements.staticValue;
    applyRefinements(*refinements.staticValue ? refinements.whenTrue : refinements.whenFalse);
    emitStatements(concat(*refinements.staticValue ? s.body : s.orelse, rest, restFrom));
    return;
  }
  bool loopExits = inLoop();
  ExitKind t = classify(refsOf(s.body), loopExits), e = classify(refsOf(s.orelse), loopExits);
  bool hasRest = restFrom < rest.size();
  // Where the statements after the `if` go.
  enum { After, IntoThen, IntoElse, Guarded, Dead } place = After;
  if (hasRest) {
    if (terminates(t) && terminates(e))
      place = Dead;
    // Only where the other branch never leaves: one that may (an `elif`
    // that returns on one path) has TorchScript guard what follows.
    else if (t == ExitKind::Always && e == ExitKind::Never)
      place = IntoElse;
    else if (e == ExitKind::Always && t == ExitKind::Never)
      place = IntoThen;
    else if (t == ExitKind::Maybe || e == ExitKind::Maybe)
      place = Guarded;
  }
  if (place != After)
    continueInBranch(rest, restFrom);
  StmtRefs thenStmts = place == IntoThen ? concat(s.body, rest, restFrom) : refsOf(s.body);
  StmtRefs elseStmts = place == IntoElse ? concat(s.orelse, rest, restFrom) : refsOf(s.orelse);
  emitBranches(
      cond, refinements,
      [&] {
        emitStatements(thenStmts);
        return classify(thenStmts, false);
      },
      [&] {
        emitStatements(elseStmts);
        return classify(elseStmts, false);
      },
      s.span, mergedByExitTransform(t, e) && (hasRest || frame().kind != Frame::Kind::Branch));
  if (place == After && hasRest) {
    // After `if x is None: raise ...` the other branch's refinements hold.
    if (t == ExitKind::Raises)
      applyRefinements(refinements.whenFalse, /*sameType=*/false);
    else if (e == ExitKind::Raises)
      applyRefinements(refinements.whenTrue, /*sameType=*/false);
    emitStatements(rest, restFrom);
  } else if (place == Guarded) {
    Value *skip = lookup("$skip")->value.value;
    emitBranches(
        skip, {}, [&] { return skippedExit(); },
        [&] {
          emitStatements(rest, restFrom);
          return ExitKind::Never;
        },
        rest[restFrom]->span, /*unnamed=*/true);
  }
}

} // namespace ember::frontend
