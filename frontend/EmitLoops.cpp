//===- frontend/EmitLoops.cpp - while, for and comprehension loops --------===//
//
// Loops become prim::Loop (reference §2.1). Algorithm:
//   1. the variables the body assigns (a syntactic pre-scan) that exist
//      before the loop are carried, and those of an Optional or Union type
//      its conditions refine (TorchScript's refinements assign them): loop
//      inputs, body block inputs, body block outputs and loop outputs, the
//      assigned ones in definition order, then the refined ones by name;
//   2. a `for` over a range, list, string, tensor or dict counts its trips
//      (`aten::len`, `aten::__range_length`) and reads the element at the
//      trip index (`aten::__getitem__`, `aten::__derive_index`,
//      `aten::select`); `zip` and `enumerate` combine such sources; a tuple
//      is unrolled instead, since its elements may differ in type;
//   3. a body that may `break` or `return`, or `continue` from a branch,
//      turns a `for` into the `while` form — maximum trip count, an explicit carried index, condition
//      `index < length and not $brk` — which is the only shape besides
//      plain `for`/`while` that the code printer can write as Python;
//   4. a `return` in the body carries `$ret` and the returned value out of
//      the loop, and the statements after the loop run only if it did not
//      happen.
//
//===----------------------------------------------------------------------===//
#include "frontend/EmitterImpl.h"
#include "frontend/IterSource.h"

#include "ir/Constants.h"

#include <climits>

namespace ember::frontend {
namespace {

/// True if `stmts` may break out of this loop or return.
bool mayLeave(const std::vector<StmtPtr> &stmts, bool breaksCount) {
  for (const auto &s : stmts) {
    if (s->kind == StmtKind::Return || (breaksCount && s->kind == StmtKind::Break))
      return true;
    bool inner = s->kind == StmtKind::For || s->kind == StmtKind::While;
    if (mayLeave(s->body, breaksCount && !inner) || mayLeave(s->orelse, breaksCount && !inner))
      return true;
  }
  return false;
}

/// True if a `continue` of this loop sits in a branch of `stmts`: the
/// loop's condition then depends on the branch taken, and TorchScript
/// (CanonicalizeModifiedLoops) writes the loop in the `while` form.
bool continuesInBranch(const std::vector<StmtPtr> &stmts, bool inBranch) {
  for (const auto &s : stmts) {
    if (s->kind == StmtKind::Continue && inBranch)
      return true;
    if (s->kind == StmtKind::For || s->kind == StmtKind::While)
      continue; // its continues are its own
    bool branch = inBranch || s->kind == StmtKind::If;
    if (continuesInBranch(s->body, branch) || continuesInBranch(s->orelse, branch))
      return true;
  }
  return false;
}

/// The names a condition refines: `x is None`, `x is not None`,
/// `isinstance(x, T)`, through `not`, `and` and `or`.
void refinedInTest(const Expr &e, std::vector<std::string> &out) {
  switch (e.kind) {
  case ExprKind::UnaryOp:
    if (e.text == "not")
      refinedInTest(*e.operands[0], out);
    break;
  case ExprKind::BoolOp:
    for (const auto &o : e.operands)
      refinedInTest(*o, out);
    break;
  case ExprKind::Compare:
    if (e.ops.size() == 1 && (e.ops[0] == "is" || e.ops[0] == "is not"))
      for (int i = 0; i < 2; ++i)
        if (e.operands[i]->kind == ExprKind::Name && e.operands[1 - i]->kind == ExprKind::None)
          out.push_back(e.operands[i]->text);
    break;
  case ExprKind::Call:
    // (Any `<x>.isinstance` may be torch.jit's: over-approximating only
    // carries a name the loop did not need to.)
    if (e.operands.size() == 3 && e.operands[1]->kind == ExprKind::Name &&
        namesIsInstance(dottedName(*e.operands[0])))
      out.push_back(e.operands[1]->text);
    break;
  default: break;
  }
}

/// The names refined by the conditions inside an expression: a ternary's,
/// and the left sides of `and`/`or` (the right side sees their refinement).
void refinedInExpr(const Expr &e, std::vector<std::string> &out) {
  if (e.kind == ExprKind::IfExp)
    refinedInTest(*e.operands[1], out);
  if (e.kind == ExprKind::BoolOp)
    for (size_t i = 0; i + 1 < e.operands.size(); ++i)
      refinedInTest(*e.operands[i], out);
  if (e.kind == ExprKind::ListComp || e.kind == ExprKind::DictComp || e.kind == ExprKind::Lambda)
    return; // their own scope
  for (const auto &o : e.operands)
    if (o)
      refinedInExpr(*o, out);
  for (const auto &k : e.keywords)
    refinedInExpr(*k.value, out);
}

/// The names a loop body refines, as TorchScript's refinements assign them
/// (setVar) where they hold: in `if` and `assert` conditions and in the
/// conditions inside expressions; nested loops' bodies included.
void refinedNames(const std::vector<StmtPtr> &stmts, std::vector<std::string> &out) {
  for (const auto &s : stmts) {
    if (s->kind == StmtKind::If || s->kind == StmtKind::Assert)
      refinedInTest(*s->value, out);
    if (s->kind != StmtKind::FunctionDef && s->kind != StmtKind::ClassDef) {
      if (s->value)
        refinedInExpr(*s->value, out);
      for (const auto &t : s->targets)
        refinedInExpr(*t, out);
    }
    refinedNames(s->body, out);
    refinedNames(s->orelse, out);
  }
}

bool refinable(const TypePtr &t) {
  TypeKind k = t->kind();
  return k == TypeKind::Optional || k == TypeKind::Union || k == TypeKind::Any;
}

} // namespace

/// The variables a loop body carries: those it assigns that exist before,
/// and those of a type a refinement narrows that it refines (TorchScript's
/// refinements assign them), sorted by name as TorchScript's SSA conversion
/// adds them (its environment's defined variables, sorted); the
/// canonicalize-outputs pass then puts those used after the loop first.
static std::vector<std::string> carriedNames(FunctionEmitter &em,
                                             const std::vector<StmtPtr> *stmts,
                                             const Expr *target) {
  std::vector<std::string> names, refined, carried;
  std::function<void(const Expr &)> targetNames = [&](const Expr &t) {
    if (t.kind == ExprKind::Name)
      names.push_back(t.text);
    for (const auto &o : t.operands) // a tuple of targets, `*rest`
      if (o && (t.kind == ExprKind::Tuple || t.kind == ExprKind::List ||
                t.kind == ExprKind::Starred))
        targetNames(*o);
  };
  if (target)
    targetNames(*target);
  if (stmts) {
    FunctionEmitter::assignedNames(*stmts, names);
    refinedNames(*stmts, refined);
  }
  auto has = [](const std::vector<std::string> &v, const std::string &n) {
    return std::find(v.begin(), v.end(), n) != v.end();
  };
  for (const std::string &n : em.definitionOrder()) {
    const Binding *b = em.lookup(n);
    if (!b || !b->value.isValue() || has(carried, n))
      continue;
    if (has(names, n) || (has(refined, n) && refinable(b->value.value->type())))
      carried.push_back(n);
  }
  std::sort(carried.begin(), carried.end());
  return carried;
}

void FunctionEmitter::emitLoop(Value *length, const Expr *cond,
                               const std::vector<StmtPtr> *stmts,
                               const std::function<void(Value *)> &body,
                               const SourceSpan &span, const Expr *target) {
  std::vector<std::string> carried = carriedNames(*this, stmts, target);
  bool leaves = stmts && (mayLeave(*stmts, true) || continuesInBranch(*stmts, false));
  bool whileForm = length && leaves; // a `for` that may break: explicit index
  Refinements refinements;
  // A `while` reads its trip bound as a literal (one constant, at the top);
  // a `for` that may break is rewritten as one by TorchScript's
  // CanonicalizeModifiedLoops, whose nodes carry no source location.
  Value *maxTrips = length && !whileForm ? length
                    : whileForm          ? constInt(INT64_MAX)
                                         : literalConstant(INT64_MAX, span);
  Value *initCond;
  if (cond) {
    initCond = emitCondition(*cond, refinements);
  } else if (whileForm) {
    initCond = emitOperator("aten::gt", {{length, "", {}}, {constInt(0), "", {}}}, SourceSpan{});
  } else {
    initCond = constBool(true);
    locate(initCond->node(), span);
  }
  std::vector<Value *> inputs = {maxTrips, initCond};
  std::vector<TypePtr> types;
  for (const auto &n : carried) {
    const Binding *b = lookup(n);
    inputs.push_back(b->value.value);
    types.push_back(b->declared ? b->declared : b->value.value->type());
  }
  if (whileForm) {
    inputs.push_back(constInt(0));
    types.push_back(Type::get(TypeKind::Int));
  }
  Node *loop = insert(prim::Loop(), inputs, 0, span);
  Block *block = loop->addBlock();
  Value *counter = block->addInput();
  counter->setType(Type::get(TypeKind::Int));
  pushFrame(stmts ? Frame::Kind::Loop : Frame::Kind::Comprehension, block);
  unrolledLoops_.push_back(false);
  graph().setInsertPoint(block);
  for (size_t i = 0; i < types.size(); ++i) {
    Value *in = block->addInput();
    in->setType(types[i]);
    if (i < carried.size()) {
      if (meaningfulName(carried[i]))
        in->setDebugName(carried[i]);
      const Binding *outer = lookup(carried[i]);
      define(carried[i], Sugared::of(in), outer->where, outer->declared);
    }
  }
  Value *index = whileForm ? block->inputs().back() : counter;
  for (const char *flag : {"$skip", "$brk", "$ret"})
    setFlag(flag, false, span);
  // A `while` carries on with `$cond`: False where it broke, its condition
  // tested again at the end of the body and at each `continue`.
  loopConditions_.push_back(stmts ? cond : nullptr);
  if (cond && stmts)
    setFlag("$cond", false, span);
  applyRefinements(refinements.whenTrue);
  body(index);
  finishLoop(loop, length, cond, carried, types, index, span);
}

/// What the body leaves in a carried variable, as the loop's type; null if
/// it does not fit. A float (or int) the body made a `number` (`s +=
/// t.item()`) converts back, as TorchScript inserts aten::Float for it.
Value *FunctionEmitter::carriedValue(const Binding &b, const TypePtr &type, const SourceSpan &span) {
  if (!b.value.isValue())
    return nullptr;
  if (Value *v = convertTo(b.value.value, type))
    return v;
  TypeKind want = type->kind();
  if (b.value.value->type()->kind() != TypeKind::Number ||
      (want != TypeKind::Float && want != TypeKind::Int))
    return nullptr;
  return emitOperator(want == TypeKind::Float ? "aten::Float" : "aten::Int",
                      {{b.value.value, "", span}}, span);
}

void FunctionEmitter::finishLoop(Node *loop, Value *length, const Expr *cond,
                                 const std::vector<std::string> &carried,
                                 const std::vector<TypePtr> &types, Value *index,
                                 const SourceSpan &span) {
  Block *block = loop->blocks()[0];
  bool whileForm = types.size() > carried.size();
  Value *next = whileForm ? emitOperator("aten::add", {{index, "", {}}, {constInt(1), "", {}}}, SourceSpan{})
                          : nullptr;
  Value *condOut = loopCondition(block, length, cond, next, span);
  std::vector<Value *> carriedOut;
  // A carried variable the body deleted (`del a`) passes through unchanged
  // and is undefined after the loop.
  for (size_t i = 0; i < carried.size(); ++i)
    carriedOut.push_back(lookup(carried[i])
                             ? carriedValue(*lookup(carried[i]), types[i], span)
                             : block->inputs()[i + 1]);
  block->registerOutput(condOut);
  for (size_t i = 0; i < carried.size(); ++i) {
    const Binding *b = lookup(carried[i]);
    Value *v = carriedOut[i];
    if (!v) {
      std::string found = b->value.isValue() ? b->value.value->type()->annotationStr() : "a module";
      CompileError e(b->where, "variable '" + carried[i] + "' is type '" +
                                   types[i]->annotationStr() + "' before the loop but '" + found +
                                   "' here; annotate it with one type before the loop");
      e.addNote(span, "the loop is here");
      throw e;
    }
    block->registerOutput(v);
  }
  if (whileForm)
    block->registerOutput(next);
  Value *ret = frame().vars.at("$ret").value.value;
  Value *retval = isConstant(ret) ? nullptr : lookup("$retval")->value.value;
  Frame body = popFrame();
  unrolledLoops_.pop_back();
  loopConditions_.pop_back();
  TypePtr retType = retval ? carryReturn(loop, ret, retval) : nullptr;
  graph().setInsertPoint(loop->next());
  if (retType) {
    Value *outRet = loop->addOutput();
    outRet->setType(Type::get(TypeKind::Bool));
    Value *outVal = loop->addOutput();
    outVal->setType(retType);
    define("$retval", Sugared::of(outVal), span, declaredReturn_);
    define("$ret", Sugared::of(outRet), span);
    define("$skip", Sugared::of(outRet), span);
  }
  for (size_t i = 0; i < types.size(); ++i) {
    Value *out = loop->addOutput();
    out->setType(types[i]);
    if (i >= carried.size())
      continue;
    if (meaningfulName(carried[i]))
      out->setDebugName(carried[i]);
    if (auto b = body.vars.find(carried[i]); b != body.vars.end())
      define(carried[i], Sugared::of(out), b->second.where);
    else if (auto u = body.undefined.find(carried[i]); u != body.undefined.end())
      frame().undefined[carried[i]] = u->second;
  }
  for (const auto &n : body.order)
    if (auto b = body.vars.find(n); n[0] != '$' && !lookup(n) && b != body.vars.end())
      frame().undefined[n] = {"'" + n + "' is first assigned inside the loop and is not defined "
                                        "after it, since the body may not run; assign it "
                                        "before the loop",
                              b->second.where, "assigned here"};
}

Value *FunctionEmitter::loopCondition(Block *block, Value *length, const Expr *cond, Value *next,
                                      const SourceSpan &span) {
  Value *brk = frame().vars.at("$brk").value.value;
  bool mayBreak = !isConstant(brk);
  if (cond) {
    if (const Binding *tested = lookup("$cond"); tested && tested->value.isValue())
      return tested->value.value; // a `while` body (see emitLoop)
    Refinements unused;
    return emitCondition(*cond, unused); // a comprehension's
  }
  if (!next) // TorchScript's body returns the loop's own `true`
    return block->owningNode()->input(1);
  // CanonicalizeModifiedLoops' nodes: no source location.
  Value *more = emitOperator("aten::lt", {{next, "", {}}, {length, "", {}}}, SourceSpan{});
  if (!mayBreak) // a `continue` in a branch: TorchScript's condition is True on every path
    return emitOperator("aten::__and__", {{more, "", {}}, {constBool(true), "", {}}}, SourceSpan{});
  Value *go = negatedFlag(brk, 0, span);
  graph().setInsertPoint(block);
  return emitOperator("aten::__and__", {{more, "", {}}, {go, "", {}}}, SourceSpan{});
}

/// `not flag` for the break flag, which has `uses` uses besides the one
/// asked for: the branches of the Ifs that made it give the negated
/// constants instead, so the loop carries its continue condition itself,
/// as TorchScript's exit transform writes it; anything else gets
/// aten::__not__.
Value *FunctionEmitter::negatedFlag(Value *flag, size_t uses, const SourceSpan &span) {
  Node *n = flag->node();
  if (n->kind() != prim::If() || flag->uses().size() != uses)
    return emitOperator("aten::__not__", {{flag, "", span}}, span);
  for (Block *branch : n->blocks()) {
    Value *inner = branch->outputs()[flag->offset()];
    graph().setInsertPoint(branch);
    auto c = constantBool(inner);
    branch->returnNode()->replaceInput(flag->offset(), c ? constBool(!*c) : negatedFlag(inner, 1, span));
  }
  return flag;
}

TypePtr FunctionEmitter::carryReturn(Node *loop, Value *ret, Value *retval) {
  // The loop runs only where nothing has returned yet, so the value
  // entering it is never read: Uninitialized, as TorchScript writes it.
  // They come first among the carried values, where TorchScript's exit
  // transform puts them.
  Block *block = loop->blocks()[0];
  TypePtr type = declaredReturn_ ? declaredReturn_ : retval->type();
  graph().setInsertPoint(loop);
  loop->insertInput(2, constBool(false));
  loop->insertInput(3, uninitialized(type));
  block->insertInput(1)->setType(Type::get(TypeKind::Bool));
  block->insertInput(2)->setType(type);
  graph().setInsertPoint(block->returnNode());
  Value *converted = convertTo(retval, type);
  block->insertOutput(1, ret);
  block->insertOutput(2, converted);
  return type;
}

void FunctionEmitter::emitWhile(const Stmt &s) {
  // The condition is tested again as the body's last statement, so what
  // guards the rest of the body after a `break` guards it too, as in
  // TorchScript (whose exit transform sees it at the end of the body).
  Stmt again(StmtKind::LoopCondition, s.value->span);
  StmtRefs body = refsOf(s.body);
  body.push_back(&again);
  emitLoop(nullptr, s.value.get(), &s.body, [&](Value *) { emitStatements(body); }, s.span);
}

void FunctionEmitter::emitFor(const Stmt &s) {
  const Expr &target = *s.targets[0];
  emitForLoop(target, *s.value, &s.body, [&] { emitStatements(s.body); }, s.span);
}

void FunctionEmitter::emitForLoop(const Expr &target, const Expr &iter,
                                  const std::vector<StmtPtr> *stmts,
                                  const std::function<void()> &body, const SourceSpan &span) {
  emitForLoop(target, emitExpr(iter), iter.span, stmts, body, span);
}

void FunctionEmitter::emitForLoop(const Expr &target, const Sugared &iter,
                                  const SourceSpan &iterSpan, const std::vector<StmtPtr> *stmts,
                                  const std::function<void()> &body, const SourceSpan &span) {
  IterSource src = iterSourceOf(*this, iter, iterSpan, span);
  // The length and element reads sit at the loop (the `for` statement or
  // the comprehension), as TorchScript's iterables emit them.
  std::function<void(IterSource &)> relocate = [&](IterSource &s) {
    s.span = span;
    for (auto &p : s.parts)
      relocate(p);
  };
  relocate(src);
  if (src.kind == IterSource::Unrolled)
    return emitUnrolled(target, src.seq, stmts, body, span);
  Value *length = lengthOf(*this, src);
  emitLoop(
      length, nullptr, stmts,
      [&](Value *index) {
        bindElement(*this, target, src, index);
        body();
      },
      span, stmts ? &target : nullptr); // a comprehension's target stays inside
}

void FunctionEmitter::emitUnrolled(const Expr &target, Value *tuple,
                                   const std::vector<StmtPtr> *stmts,
                                   const std::function<void()> &body, const SourceSpan &span) {
  const auto &types = tuple->type()->contained();
  Node *unpack = insert(Symbol::prim("TupleUnpack"), {tuple}, types.size(), span);
  for (size_t i = 0; i < types.size(); ++i)
    unpack->output(i)->setType(types[i]);
  bool mayReturn = stmts && mayLeave(*stmts, false);
  unrolledLoops_.push_back(true);
  std::function<void(size_t)> iteration = [&](size_t k) {
    if (k == types.size())
      return;
    emitAssignTo(target, Sugared::of(unpack->output(k)), target.span);
    body();
    if (!mayReturn || k + 1 == types.size())
      return iteration(k + 1);
    emitBranches(
        lookup("$skip")->value.value, {}, [] { return ExitKind::Never; },
        [&] {
          iteration(k + 1);
          return ExitKind::Never;
        },
        span, /*unnamed=*/true);
  };
  iteration(0);
  unrolledLoops_.pop_back();
}

} // namespace ember::frontend
