//===- frontend/EmitLoops.cpp - while, for and comprehension loops --------===//
//
// Loops become prim::Loop (reference §2.1). Algorithm:
//   1. the variables the body assigns (a syntactic pre-scan) that exist
//      before the loop are carried: loop inputs, body block inputs, body
//      block outputs and loop outputs, in first-assignment order;
//   2. a `for` over a range, list, string, tensor or dict counts its trips
//      (`aten::len`, `aten::__range_length`) and reads the element at the
//      trip index (`aten::__getitem__`, `aten::__derive_index`,
//      `aten::select`); `zip` and `enumerate` combine such sources; a tuple
//      is unrolled instead, since its elements may differ in type;
//   3. a body that may `break` or `return` turns a `for` into the `while`
//      form — maximum trip count, an explicit carried index, condition
//      `index < length and not $brk` — which is the only shape besides
//      plain `for`/`while` that the code printer can write as Python;
//   4. a `return` in the body carries `$ret` and the returned value out of
//      the loop, and the statements after the loop run only if it did not
//      happen.
//
//===----------------------------------------------------------------------===//
#include "frontend/EmitterImpl.h"

#include "ir/Constants.h"

#include <climits>

namespace ember::frontend {
namespace {

/// Where the elements of a `for` come from.
struct IterSource {
  enum Kind { Range, Sequence, Zip, Enumerate, Unrolled } kind = Sequence;
  Value *seq = nullptr;                                  // Sequence, Unrolled
  Value *start = nullptr, *stop = nullptr, *step = nullptr; // Range (start null: range(n))
  Value *offset = nullptr;                               // Enumerate start
  std::vector<IterSource> parts;                         // Zip, Enumerate
  SourceSpan span;
};

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

} // namespace

static Value *elementAt(FunctionEmitter &em, const IterSource &src, Value *index);

/// `enumerate` or `zip` over a module list or tuple unrolls too: its
/// elements become one tuple per iteration, as many as the shortest
/// unrolled part has.
static void unrollParts(FunctionEmitter &em, IterSource &src) {
  size_t n = SIZE_MAX;
  for (const auto &p : src.parts)
    if (p.kind == IterSource::Unrolled)
      n = std::min(n, p.seq->type()->contained().size());
  if (n == SIZE_MAX)
    return;
  const SourceSpan &sp = src.span;
  std::vector<Value *> rows;
  std::vector<TypePtr> rowTypes;
  for (size_t k = 0; k < n; ++k) {
    std::vector<Value *> items;
    Value *index = em.constInt(int64_t(k));
    if (src.kind == IterSource::Enumerate)
      items.push_back(src.offset ? em.emitOperator("aten::add", {{index, "", sp}, {src.offset, "", sp}}, sp)
                                 : index);
    for (const auto &p : src.parts) {
      if (p.kind != IterSource::Unrolled) {
        items.push_back(elementAt(em, p, index));
        continue;
      }
      items.push_back(em.insertValue(Symbol::prim("TupleIndex"), {p.seq, index},
                                     p.seq->type()->contained()[k], sp));
    }
    std::vector<TypePtr> types;
    for (Value *v : items)
      types.push_back(v->type());
    rows.push_back(em.insertValue(Symbol::prim("TupleConstruct"), items, Type::tuple(types), sp));
    rowTypes.push_back(rows.back()->type());
  }
  src.kind = IterSource::Unrolled;
  src.seq = em.insertValue(Symbol::prim("TupleConstruct"), rows, Type::tuple(rowTypes), sp);
  src.parts.clear();
}

/// The iteration source an iterable expression denotes.
static IterSource iterSourceOf(FunctionEmitter &em, const Sugared &s, const SourceSpan &span) {
  IterSource src;
  src.span = span;
  auto value = [&](const Sugared &v) { return em.asValue(v, span); };
  if (s.kind == Sugared::Kind::Iterable) {
    if (s.name == "range") {
      src.kind = IterSource::Range;
      if (s.items.empty() || s.items.size() > 3)
        em.error(span, "range expects 1 to 3 arguments, got " + std::to_string(s.items.size()));
      std::vector<Value *> args;
      for (const auto &i : s.items) {
        Value *v = value(i);
        if (v->type()->kind() != TypeKind::Int)
          em.error(span, "range arguments must be int, not '" + v->type()->annotationStr() + "'");
        args.push_back(v);
      }
      if (args.size() == 1) {
        src.stop = args[0];
      } else {
        src.start = args[0];
        src.stop = args[1];
        src.step = args.size() == 3 ? args[2] : em.constInt(1);
      }
      return src;
    }
    src.kind = s.name == "zip" ? IterSource::Zip : IterSource::Enumerate;
    for (size_t i = 0; i < s.items.size(); ++i) {
      if (src.kind == IterSource::Enumerate && i == 1)
        src.offset = value(s.items[1]);
      else
        src.parts.push_back(iterSourceOf(em, s.items[i], span));
    }
    unrollParts(em, src);
    return src;
  }
  if (s.kind == Sugared::Kind::TypeValue && s.type && s.type->kind() == TypeKind::Enum) {
    // `for c in Color`: the members, as a constant list.
    c10::impl::GenericList members(c10EnumType(s.type));
    for (size_t i = 0; i < s.type->enumMembers().size(); ++i)
      members.push_back(enumMemberValue(s.type, i));
    src.seq = em.graph().insertConstant(members, Type::list(s.type));
    return src;
  }
  Value *v = value(s);
  switch (v->type()->kind()) {
  case TypeKind::List:
  case TypeKind::Str:
  case TypeKind::Tensor: src.seq = v; return src;
  case TypeKind::Dict:
    src.seq = em.emitOperator("aten::keys", {{v, "", span}}, span);
    return src;
  case TypeKind::Tuple:
    src.kind = IterSource::Unrolled;
    src.seq = v;
    return src;
  case TypeKind::Class: {
    if (!em.isModuleContainer(v->type()))
      break;
    std::vector<std::string> entries = em.moduleContainerEntries(v->type());
    if (em.isModuleDict(v->type())) {
      // A ModuleDict iterates as its keys, as a Python dict does.
      src.kind = IterSource::Unrolled;
      src.seq = em.emitModuleDictView(v, "keys", span);
      return src;
    }
    // A module list iterates as the tuple of its submodules.
    std::vector<Value *> items;
    std::vector<TypePtr> types;
    for (const auto &e : entries) {
      items.push_back(em.asValue(em.classAttribute(v, e, span), span));
      types.push_back(items.back()->type());
    }
    src.kind = IterSource::Unrolled;
    src.seq = em.insertValue(Symbol::prim("TupleConstruct"), items, Type::tuple(types), span);
    return src;
  }
  default: break;
  }
  em.error(span, "cannot iterate over a value of type '" + v->type()->annotationStr() +
                     "'; iterate over a range, list, tuple, string, dict or tensor");
}

static Value *lengthOf(FunctionEmitter &em, const IterSource &src) {
  switch (src.kind) {
  case IterSource::Range:
    if (!src.start)
      return src.stop;
    return em.emitOperator("aten::__range_length",
                           {{src.start, "", src.span}, {src.stop, "", src.span},
                            {src.step, "", src.span}},
                           src.span);
  case IterSource::Sequence: return em.emitOperator("aten::len", {{src.seq, "", src.span}}, src.span);
  case IterSource::Enumerate: return lengthOf(em, src.parts[0]);
  case IterSource::Zip: {
    Value *len = lengthOf(em, src.parts[0]);
    for (size_t i = 1; i < src.parts.size(); ++i)
      len = em.emitOperator("prim::min", {{len, "", src.span}, {lengthOf(em, src.parts[i]), "", src.span}},
                            src.span);
    return len;
  }
  case IterSource::Unrolled: break;
  }
  em.error(src.span, "internal: unrolled sources have no length");
}

static Value *elementAt(FunctionEmitter &em, const IterSource &src, Value *index) {
  const SourceSpan &sp = src.span;
  switch (src.kind) {
  case IterSource::Range:
    if (!src.start)
      return index;
    return em.emitOperator("aten::__derive_index",
                           {{index, "", sp}, {src.start, "", sp}, {src.step, "", sp}}, sp);
  case IterSource::Sequence:
    if (src.seq->type()->kind() == TypeKind::Tensor)
      return em.emitOperator("aten::select",
                             {{src.seq, "", sp}, {em.constInt(0), "", sp}, {index, "", sp}}, sp);
    return em.emitOperator("aten::__getitem__", {{src.seq, "", sp}, {index, "", sp}}, sp);
  case IterSource::Enumerate:
  case IterSource::Zip: {
    std::vector<Value *> items;
    if (src.kind == IterSource::Enumerate)
      items.push_back(src.offset ? em.emitOperator("aten::add", {{index, "", sp}, {src.offset, "", sp}}, sp)
                                 : index);
    for (const auto &p : src.parts)
      items.push_back(elementAt(em, p, index));
    std::vector<TypePtr> types;
    for (Value *v : items)
      types.push_back(v->type());
    return em.insertValue(Symbol::prim("TupleConstruct"), items, Type::tuple(types), sp);
  }
  case IterSource::Unrolled: break;
  }
  em.error(sp, "internal: unrolled sources have no index");
}

/// The variables a loop body carries: those it assigns that exist before,
/// in the order they were defined (TorchScript's environment order).
static std::vector<std::string> carriedNames(FunctionEmitter &em,
                                             const std::vector<StmtPtr> *stmts) {
  std::vector<std::string> names, carried;
  if (stmts)
    FunctionEmitter::assignedNames(*stmts, names);
  for (const std::string &n : em.definitionOrder())
    if (std::find(names.begin(), names.end(), n) != names.end())
      if (const Binding *b = em.lookup(n); b && b->value.isValue() &&
          std::find(carried.begin(), carried.end(), n) == carried.end())
        carried.push_back(n);
  return carried;
}

void FunctionEmitter::emitLoop(Value *length, const Expr *cond,
                               const std::vector<StmtPtr> *stmts,
                               const std::function<void(Value *)> &body,
                               const SourceSpan &span) {
  std::vector<std::string> carried = carriedNames(*this, stmts);
  bool leaves = stmts && mayLeave(*stmts, true);
  bool whileForm = length && leaves; // a `for` that may break: explicit index
  Refinements refinements;
  Value *maxTrips = length && !whileForm ? length : constInt(INT64_MAX);
  Value *initCond;
  if (cond)
    initCond = emitCondition(*cond, refinements);
  else if (whileForm)
    initCond = emitOperator("aten::gt", {{length, "", span}, {constInt(0), "", span}}, span);
  else
    initCond = constBool(true);
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
  applyRefinements(refinements.whenTrue);
  body(index);
  finishLoop(loop, length, cond, carried, types, index, span);
}

void FunctionEmitter::finishLoop(Node *loop, Value *length, const Expr *cond,
                                 const std::vector<std::string> &carried,
                                 const std::vector<TypePtr> &types, Value *index,
                                 const SourceSpan &span) {
  Block *block = loop->blocks()[0];
  bool whileForm = types.size() > carried.size();
  Value *next = whileForm ? emitOperator("aten::add", {{index, "", span}, {constInt(1), "", span}}, span)
                          : nullptr;
  Value *condOut = loopCondition(block, length, cond, next, span);
  std::vector<Value *> carriedOut;
  for (size_t i = 0; i < carried.size(); ++i) {
    const Binding *b = lookup(carried[i]);
    Value *v = b->value.isValue() ? convertTo(b->value.value, types[i]) : nullptr;
    // A float (or int) the body made a `number` (`s += t.item()`) converts
    // back, as TorchScript inserts aten::Float for the carried value.
    TypeKind want = types[i]->kind();
    if (!v && b->value.isValue() && b->value.value->type()->kind() == TypeKind::Number &&
        (want == TypeKind::Float || want == TypeKind::Int))
      v = emitOperator(want == TypeKind::Float ? "aten::Float" : "aten::Int",
                       {{b->value.value, "", span}}, span);
    carriedOut.push_back(v);
  }
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
  TypePtr retType = retval ? carryReturn(loop, ret, retval) : nullptr;
  graph().setInsertPoint(loop->next());
  for (size_t i = 0; i < types.size(); ++i) {
    Value *out = loop->addOutput();
    out->setType(types[i]);
    if (i < carried.size()) {
      if (meaningfulName(carried[i]))
        out->setDebugName(carried[i]);
      define(carried[i], Sugared::of(out), body.vars.at(carried[i]).where);
    }
  }
  if (retType) {
    Value *outRet = loop->addOutput();
    outRet->setType(Type::get(TypeKind::Bool));
    Value *outVal = loop->addOutput();
    outVal->setType(retType);
    define("$retval", Sugared::of(outVal), span, declaredReturn_);
    define("$ret", Sugared::of(outRet), span);
    define("$skip", Sugared::of(outRet), span);
  }
  for (const auto &n : body.order)
    if (n[0] != '$' && !lookup(n))
      frame().undefined[n] = {"'" + n + "' is first assigned inside the loop and is not defined "
                                        "after it, since the body may not run; assign it "
                                        "before the loop",
                              body.vars.at(n).where, "assigned here"};
}

Value *FunctionEmitter::loopCondition(Block *block, Value *length, const Expr *cond, Value *next,
                                      const SourceSpan &span) {
  Value *brk = frame().vars.at("$brk").value.value;
  bool mayBreak = !isConstant(brk);
  Refinements unused;
  if (cond && !mayBreak)
    return emitCondition(*cond, unused); // `while` tests again at the end of the body
  if (cond) {
    // After a break the condition must not be evaluated again.
    Node *n = insert(prim::If(), {brk}, 1, span);
    n->output()->setType(Type::get(TypeKind::Bool));
    graph().setInsertPoint(n->addBlock());
    n->blocks()[0]->registerOutput(constBool(false));
    graph().setInsertPoint(n->addBlock());
    n->blocks()[1]->registerOutput(emitCondition(*cond, unused));
    graph().setInsertPoint(block);
    return n->output();
  }
  if (!next)
    return constBool(true);
  Value *more = emitOperator("aten::lt", {{next, "", span}, {length, "", span}}, span);
  if (!mayBreak)
    return more;
  Value *go = emitOperator("aten::__not__", {{brk, "", span}}, span);
  return emitOperator("aten::__and__", {{more, "", span}, {go, "", span}}, span);
}

TypePtr FunctionEmitter::carryReturn(Node *loop, Value *ret, Value *retval) {
  // The loop runs only where nothing has returned yet, so the value
  // entering it is never read: Uninitialized, as TorchScript writes it.
  Block *block = loop->blocks()[0];
  TypePtr type = declaredReturn_ ? declaredReturn_ : retval->type();
  graph().setInsertPoint(loop);
  loop->addInput(constBool(false));
  loop->addInput(uninitialized(type));
  block->addInput()->setType(Type::get(TypeKind::Bool));
  block->addInput()->setType(type);
  block->registerOutput(ret);
  block->registerOutput(convertTo(retval, type));
  return type;
}

/// Binds a `for` target to the element at `index`; a tuple target over zip
/// or enumerate binds each part directly instead of building a tuple.
static void bindElement(FunctionEmitter &em, const Expr &target, const IterSource &src,
                        Value *index) {
  bool combined = src.kind == IterSource::Zip || src.kind == IterSource::Enumerate;
  size_t n = src.parts.size() + (src.kind == IterSource::Enumerate ? 1 : 0);
  if (combined && (target.kind == ExprKind::Tuple || target.kind == ExprKind::List) &&
      target.operands.size() == n) {
    size_t k = 0;
    if (src.kind == IterSource::Enumerate) {
      Value *i = src.offset ? em.emitOperator("aten::add", {{index, "", src.span},
                                                            {src.offset, "", src.span}},
                                              src.span)
                            : index;
      em.emitAssignTo(*target.operands[k++], Sugared::of(i), target.span);
    }
    for (const auto &part : src.parts)
      bindElement(em, *target.operands[k++], part, index);
    return;
  }
  em.emitAssignTo(target, Sugared::of(elementAt(em, src, index)), target.span);
}

void FunctionEmitter::emitWhile(const Stmt &s) {
  emitLoop(nullptr, s.value.get(), &s.body, [&](Value *) { emitStatements(s.body); }, s.span);
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
  IterSource src = iterSourceOf(*this, iter, iterSpan);
  if (src.kind == IterSource::Unrolled)
    return emitUnrolled(target, src.seq, stmts, body, span);
  Value *length = lengthOf(*this, src);
  emitLoop(
      length, nullptr, stmts,
      [&](Value *index) {
        bindElement(*this, target, src, index);
        body();
      },
      span);
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
        span);
  };
  iteration(0);
  unrolledLoops_.pop_back();
}

} // namespace ember::frontend
