//===- frontend/EmitStatements.cpp - statements to IR ---------------------===//
//
// Statement lists are emitted in order until one cannot fall through. A
// compound statement that may leave the block early (a loop holding a
// `return`, an `if` with a `break` on one path) makes the statements after
// it conditional on the `$skip` flag, which is how TorchScript's exit
// transforms read. Assignments bind names (naming the value after the
// variable, as TorchScript does), unpack tuples and lists, and store
// through subscripts.
//
//===----------------------------------------------------------------------===//
#include "frontend/EmitterImpl.h"

#include "ir/Constants.h"

namespace ember::frontend {
namespace {

const char *inplaceOperator(const std::string &op) {
  static const std::map<std::string, const char *> table = {
      {"+", "aten::add_"},          {"-", "aten::sub_"},         {"*", "aten::mul_"},
      {"/", "aten::div_"},          {"%", "aten::remainder_"},   {"**", "aten::pow_"},
      {"//", "aten::floor_divide_"}, {"&", "aten::__iand__"},    {"|", "aten::__ior__"},
      {"^", "aten::__ixor__"},      {"<<", "aten::__ilshift__"}, {">>", "aten::__irshift__"}};
  auto it = table.find(op);
  return it == table.end() ? nullptr : it->second;
}

} // namespace

bool FunctionEmitter::inLoop() const {
  for (const auto &f : frames_)
    if (f.kind == Frame::Kind::Loop)
      return true;
  return false;
}

void FunctionEmitter::setFlag(const char *name, bool on, const SourceSpan &span) {
  define(name, Sugared::of(constBool(on)), span);
}

void FunctionEmitter::emitStatements(const std::vector<StmtPtr> &stmts, size_t from) {
  emitStatements(refsOf(stmts), from);
}

void FunctionEmitter::continueInBranch(const StmtRefs &stmts, size_t from) {
  for (size_t i = from; i < stmts.size(); ++i)
    restLevel_.emplace(stmts[i], logicalFrame_);
}

void FunctionEmitter::emitStatements(const StmtRefs &stmts, size_t from) {
  bool loopExits = inLoop();
  size_t outerLogical = logicalFrame_;
  struct Restore {
    size_t &slot, value;
    ~Restore() { slot = value; }
  } restore{logicalFrame_, outerLogical};
  for (size_t i = from; i < stmts.size(); ++i) {
    const Stmt &s = *stmts[i];
    auto level = restLevel_.find(&s);
    logicalFrame_ = level != restLevel_.end() ? level->second : frames_.size() - 1;
    if (s.kind == StmtKind::If) {
      emitIf(s, stmts, i + 1);
      return; // emitIf emits the rest of the list too
    }
    emitStatement(s);
    ExitKind k = classifyStmt(s, loopExits);
    if (k == ExitKind::Always || k == ExitKind::Raises)
      return; // the rest of the list is unreachable
    if (k == ExitKind::Maybe && i + 1 < stmts.size()) {
      // A `return` inside the loop may have run: the rest runs only if not.
      continueInBranch(stmts, i + 1);
      Value *skip = lookup("$skip")->value.value;
      emitBranches(
          skip, {}, [&] { return skippedExit(); },
          [&] {
            emitStatements(stmts, i + 1);
            return ExitKind::Never;
          },
          stmts[i + 1]->span, /*unnamed=*/true);
      return;
    }
  }
}

void FunctionEmitter::emitStatement(const Stmt &s) {
  switch (s.kind) {
  case StmtKind::ExprStmt:
    if (s.value->kind != ExprKind::Str) // docstrings
      emitExpr(*s.value);
    return;
  case StmtKind::Pass: return;
  case StmtKind::Assign: {
    TypePtr declared;
    if (!s.typeComment.empty())
      declared = typeCommentOf(s, compiler_.typeResolver()).type;
    Sugared v = emitExpr(*s.value, declared);
    assigningLiteral_ = s.targets.size() == 1 &&
                        (s.value->kind == ExprKind::List || s.value->kind == ExprKind::Tuple);
    for (const auto &t : s.targets) {
      markVariableCopies(*t, *s.value);
      // `a = b = expr` assigns each target from a temporary, as TorchScript
      // does: the value keeps no target's name.
      if (s.targets.size() > 1 && t->kind == ExprKind::Name)
        copyTargets_.insert(t.get());
      emitAssignTo(*t, v, s.span, declared);
    }
    assigningLiteral_ = false;
    copyTargets_.clear();
    return;
  }
  case StmtKind::AnnAssign: {
    ResolvedAnnotation a = resolveAnnotation(*s.annotation, compiler_.typeResolver());
    if (!s.value)
      error(s.span, "an annotated variable needs a value here: write 'x: T = value'");
    Sugared v = emitExpr(*s.value, a.type);
    // As TorchScript's setSugaredVar: an annotation declares the variable,
    // which a block inside the one that defined it cannot do again.
    if (s.targets[0]->kind == ExprKind::Name && outerBinding(s.targets[0]->text))
      error(s.span, "Attempting to declare and annotate the type of variable '" +
                        s.targets[0]->text + "' but it is already defined in an outer block");
    markVariableCopies(*s.targets[0], *s.value);
    emitAssignTo(*s.targets[0], v, s.span, a.type);
    copyTargets_.clear();
    return;
  }
  case StmtKind::AugAssign: return emitAugAssign(s);
  case StmtKind::Return: return emitReturn(s);
  case StmtKind::Break:
  case StmtKind::Continue: return emitExit(s);
  case StmtKind::LoopCondition: return emitLoopConditionAgain(s.span);
  case StmtKind::Raise: return emitRaise(s);
  case StmtKind::Assert: return emitAssert(s);
  case StmtKind::Delete: return emitDelete(s);
  case StmtKind::While: return emitWhile(s);
  case StmtKind::For: return emitFor(s);
  case StmtKind::If: return emitIf(s, {}, 0);
  case StmtKind::With: return emitWith(s);
  case StmtKind::FunctionDef:
    if (s.name.rfind("__forked_function", 0) == 0 && s.params.empty()) {
      // Printed code writes the body of a fork as a nested def.
      Sugared closure = Sugared::make(Sugared::Kind::Function, s.name);
      closure.closure = &s;
      define(s.name, closure, s.span);
      return;
    }
    error(s.span, "nested function definitions are not supported; define '" + s.name +
                      "' at module level and call it");
  case StmtKind::ClassDef:
    error(s.span, "classes must be defined at module level, not inside a function");
  case StmtKind::Import:
    error(s.span, "import statements are only supported at module level");
  }
}

void FunctionEmitter::markVariableCopies(const Expr &target, const Expr &value) {
  if (target.kind == ExprKind::Name && value.kind == ExprKind::Name) {
    copyTargets_.insert(&target);
    return;
  }
  bool sequences = (target.kind == ExprKind::Tuple || target.kind == ExprKind::List) &&
                   (value.kind == ExprKind::Tuple || value.kind == ExprKind::List);
  if (sequences && target.operands.size() == value.operands.size())
    for (size_t i = 0; i < target.operands.size(); ++i)
      markVariableCopies(*target.operands[i], *value.operands[i]);
}

void FunctionEmitter::emitAssignTo(const Expr &target, Sugared value, const SourceSpan &span,
                                   TypePtr declared) {
  switch (target.kind) {
  case ExprKind::Name: {
    if (value.isValue()) {
      Value *v = value.value;
      // Loop counters (block inputs) take the name too: `for i in range(n)`.
      bool local = v->node()->owningBlock() == frame().block ||
                   (v->node()->kind() == prim::Param() && v->node() == frame().block->paramNode());
      if (!v->hasDebugName() && meaningfulName(target.text) && local &&
          !copyTargets_.count(&target) && !anonymous_.count(v))
        v->setDebugName(target.text);
      if (!declared)
        value = convertToOuterType(target.text, value.value, target.span);
    }
    define(target.text, std::move(value), target.span, std::move(declared));
    return;
  }
  case ExprKind::Tuple:
  case ExprKind::List: return emitUnpack(target, asValue(value, span), span);
  case ExprKind::Subscript: return emitSubscriptAssign(target, asValue(value, span), span);
  case ExprKind::Attribute: return emitAttributeAssign(target, asValue(value, span), span);
  case ExprKind::Starred:
    error(target.span, "a starred assignment target must be inside a tuple: write 'a, *b = x'");
  default: error(target.span, "cannot assign to this expression");
  }
}

/// The variable's binding in the blocks around the one being emitted.
const Binding *FunctionEmitter::outerBinding(const std::string &name) const {
  for (size_t i = std::min(logicalFrame_, frames_.size() - 1); i-- > 0;) {
    auto found = frames_[i].vars.find(name);
    if (found != frames_[i].vars.end())
      return &found->second;
    if (frames_[i].undefined.count(name))
      return nullptr;
  }
  return nullptr;
}

/// As TorchScript's setSugaredVar: an assignment inside a block checks the
/// value against the type the variable has in the blocks around it, after
/// the implicit conversions (`s = t.item()` into a float `s` is
/// `float(t.item())`, a tensor into an int is `annotate(int, t)`, a tuple
/// of ints into a List[int] a list), while an
/// assignment in the block that annotated the variable rebinds it freely:
/// the annotation typed that one assignment.
Sugared FunctionEmitter::convertToOuterType(const std::string &name, Value *v,
                                            const SourceSpan &span) {
  const Binding *outer = outerBinding(name);
  auto here = frame().vars.find(name);
  if (here != frame().vars.end() && here->second.declared && !here->second.refined &&
      (!outer || outer->declared != here->second.declared))
    here->second.declared = outer ? outer->declared : nullptr;
  if (!outer || !outer->value.isValue() || name[0] == '$')
    return Sugared::of(v);
  TypePtr outerType = outer->declared ? outer->declared : outer->value.value->type();
  TypePtr type = outerType->kind() == TypeKind::Optional ? outerType->elem() : outerType;
  if (v->type()->isSubtypeOf(*outerType) ||
      (assigningLiteral_ && retypeEmptyLists(v, outerType) && v->type()->isSubtypeOf(*outerType)))
    return Sugared::of(v);
  // TorchScript converts no bool here (`s = True` into a float `s` fails).
  const char *cast = v->type()->kind() == TypeKind::Bool ? nullptr : implicitCast(v->type(), type);
  Value *converted = nullptr;
  if (cast)
    converted = emitOperator(cast, {{v, "", span}}, span);
  else if (v->type()->kind() == TypeKind::Tuple && type->kind() == TypeKind::List)
    converted = convertTo(v, type); // a homogeneous tuple into a list variable
  if (!converted || !converted->type()->isSubtypeOf(*outerType)) {
    CompileError e(span, "Variable '" + name + "' previously had type " +
                             outerType->annotationStr() +
                             " but is now being assigned to a value of type " +
                             v->type()->annotationStr());
    if (outerType->kind() == TypeKind::List && v->type()->kind() == TypeKind::List)
      e.addDetail("  empty lists default to List[Tensor]; annotate the first assignment to "
                  "make an empty list of another type: 'x: List[int] = []'");
    e.addNote(outer->where, "'" + name + "' was assigned here");
    throw e;
  }
  if (meaningfulName(name) && !converted->hasDebugName())
    converted->setDebugName(name);
  return Sugared::of(converted);
}

/// As TorchScript's EmptyListLiteral: an unannotated `[]` assigned to a
/// variable of the blocks around takes that variable's list type, also as
/// an element of a tuple literal (`beams = []`, `best = (0, [])` in a loop);
/// `{}` and `[[]]` do not. The literals are fresh, so they are retyped in
/// place. Whether anything changed.
bool FunctionEmitter::retypeEmptyLists(Value *v, const TypePtr &type) {
  TypePtr target = type->kind() == TypeKind::Optional ? type->elem() : type;
  Node *n = v->node();
  if (anonymous_.count(v) && n->kind() == Symbol::prim("ListConstruct") && n->inputs().empty()) {
    if (target->kind() != TypeKind::List)
      return false;
    v->setType(target);
    return true;
  }
  if (n->kind() != Symbol::prim("TupleConstruct") || target->kind() != TypeKind::Tuple ||
      target->contained().size() != n->inputs().size() || v->uses().size() > 0)
    return false;
  bool changed = false;
  std::vector<TypePtr> elems;
  for (size_t i = 0; i < n->inputs().size(); ++i) {
    changed |= retypeEmptyLists(n->input(i), target->contained()[i]);
    elems.push_back(n->input(i)->type());
  }
  if (changed)
    v->setType(Type::tuple(elems));
  return changed;
}

void FunctionEmitter::emitUnpack(const Expr &target, Value *v, const SourceSpan &span) {
  const auto &targets = target.operands;
  size_t starred = targets.size();
  for (size_t i = 0; i < targets.size(); ++i)
    if (targets[i]->kind == ExprKind::Starred) {
      if (starred != targets.size())
        error(targets[i]->span, "only one starred target is allowed in an assignment");
      starred = i;
    }
  if (starred != targets.size() && targets.size() == 1)
    error(targets[0]->span, "A Starred expression may only appear on the lhs within the "
                            "presence of another non-starred expression");
  TypePtr t = v->type();
  std::vector<Value *> parts;
  if (v->node()->kind() == Symbol::prim("TupleConstruct") && starred == targets.size() &&
      v->node()->inputs().size() == targets.size()) {
    // `a, b = x, y` binds the elements directly, as TorchScript does.
    parts = v->node()->inputs();
  } else if (t->kind() == TypeKind::Tuple) {
    size_t n = t->contained().size();
    bool fits = starred == targets.size() ? n == targets.size() : n + 1 >= targets.size();
    if (!fits)
      error(span, "cannot unpack a tuple of " + std::to_string(n) + " elements into " +
                      std::to_string(targets.size()) + " targets");
    Node *unpack = insert(Symbol::prim("TupleUnpack"), {v}, n, span);
    for (size_t i = 0; i < n; ++i)
      unpack->output(i)->setType(t->contained()[i]);
    parts = unpack->outputs();
  } else if (t->kind() == TypeKind::List && starred == targets.size()) {
    Node *unpack = insert(Symbol::prim("ListUnpack"), {v}, targets.size(), span);
    for (Value *o : unpack->outputs())
      o->setType(t->elem());
    parts = unpack->outputs();
  } else {
    error(span, "cannot unpack a value of type '" + t->annotationStr() +
                    "'; only tuples (and lists, without a starred target) can be unpacked");
  }
  size_t after = targets.size() - starred - 1;
  for (size_t i = 0; i < targets.size(); ++i) {
    if (i < starred || starred == targets.size()) {
      emitAssignTo(*targets[i], Sugared::of(parts[i]), span);
    } else if (i == starred) {
      std::vector<Value *> middle(parts.begin() + starred, parts.end() - after);
      std::vector<TypePtr> types;
      for (Value *m : middle)
        types.push_back(m->type());
      Value *tuple = insertValue(Symbol::prim("TupleConstruct"), middle, Type::tuple(types), span);
      emitAssignTo(*targets[i]->operands[0], Sugared::of(tuple), span);
    } else {
      emitAssignTo(*targets[i], Sugared::of(parts[parts.size() - (targets.size() - i)]), span);
    }
  }
}

void FunctionEmitter::emitAugAssign(const Stmt &s) {
  const Expr &target = *s.targets[0];
  const std::string &op = s.name;
  if (target.kind == ExprKind::Name) {
    Value *lhs = asValue(lookupName(target), target.span);
    Value *rhs = emitValue(*s.value);
    TypeKind k = lhs->type()->kind();
    if (k == TypeKind::Tensor || (k == TypeKind::List && op == "+")) {
      const char *inplace = k == TypeKind::List ? "aten::add_" : inplaceOperator(op);
      if (!inplace)
        error(s.span, "the operator '" + op + "=' is not supported on tensors");
      Value *out = emitOperator(inplace, {{lhs, "", target.span}, {rhs, "", s.value->span}},
                                s.span);
      emitAssignTo(target, Sugared::of(out), s.span);
      return;
    }
    Value *out = emitBinary(op, lhs, rhs, s.span);
    emitAssignTo(target, Sugared::of(out), s.span);
    return;
  }
  if (target.kind == ExprKind::Subscript) {
    Value *base = emitValue(*target.operands[0]);
    if (base->type()->kind() == TypeKind::Tensor) {
      Value *view = emitSubscript(target);
      const char *inplace = inplaceOperator(op);
      if (!inplace)
        error(s.span, "the operator '" + op + "=' is not supported on tensors");
      emitOperator(inplace, {{view, "", target.span}, {emitValue(*s.value), "", s.value->span}},
                   s.span);
      return;
    }
    TypeKind k = base->type()->kind();
    if (k != TypeKind::List && k != TypeKind::Dict && k != TypeKind::Class)
      error(target.span, "'" + base->type()->annotationStr() +
                             "' does not support augmented assignment");
    Value *old = emitSubscript(target);
    Value *updated = emitBinary(op, old, emitValue(*s.value), s.span);
    emitSubscriptAssign(target, updated, s.span);
    return;
  }
  if (target.kind == ExprKind::Attribute) {
    Value *old = asValue(emitExpr(target), target.span);
    Value *updated = emitBinary(op, old, emitValue(*s.value), s.span);
    emitAttributeAssign(target, updated, s.span);
    return;
  }
  error(target.span, "cannot use augmented assignment on this expression");
}

Value *FunctionEmitter::convertReturned(Value *v, const TypePtr &declared,
                                        const SourceSpan &span) {
  TypeKind actual = v->type()->kind();
  if (actual == TypeKind::Tensor || actual == TypeKind::Number) {
    // `return t.item()` in `-> float`
    const char *cast = implicitCast(v->type(), declared);
    return cast ? emitOperator(cast, {{v, "", span}}, span) : v;
  }
  const auto &elems = v->type()->contained();
  if (actual != TypeKind::Tuple || declared->kind() != TypeKind::Tuple ||
      v->type()->isSubtypeOf(*declared) || elems.size() != declared->contained().size())
    return v;
  // `return t.item(), n` in `-> Tuple[float, int]`: taken apart and built
  // again, which lower-simple-tuples folds.
  Node *unpack = insert(Symbol::prim("TupleUnpack"), {v}, elems.size(), SourceSpan{});
  std::vector<Value *> converted;
  std::vector<TypePtr> types;
  for (size_t i = 0; i < elems.size(); ++i) {
    unpack->output(i)->setType(elems[i]);
    converted.push_back(convertReturned(unpack->output(i), declared->contained()[i], span));
    types.push_back(converted.back()->type());
  }
  return insertValue(Symbol::prim("TupleConstruct"), converted, Type::tuple(types), SourceSpan{});
}

void FunctionEmitter::emitReturn(const Stmt &s) {
  for (const auto &f : frames_)
    if (f.kind == Frame::Kind::Comprehension)
      error(s.span, "'return' is not allowed inside a comprehension");
  Value *v = s.value ? emitValue(*s.value, declaredReturn_) : constNone();
  if (declaredReturn_)
    v = convertReturned(v, declaredReturn_, s.span);
  if (declaredReturn_ && !convertTo(v, declaredReturn_))
    error(s.value ? s.value->span : s.span,
          // torch.jit's words, which code written for it matches on.
          "the return value was annotated as having type " + declaredReturn_->annotationStr() +
              " but is actually of type " + v->type()->annotationStr());
  // Returned as `Any` where that is declared, as TorchScript's emitReturn
  // casts, so that returns on different paths unify.
  if (declaredReturn_ && declaredReturn_->kind() == TypeKind::Any &&
      v->type()->kind() != TypeKind::Any)
    v = insertValue(Symbol::prim("unchecked_cast"), {v}, declaredReturn_, SourceSpan{});
  define("$retval", Sugared::of(v), s.span, declaredReturn_);
  setFlag("$ret", true, s.span);
  setFlag("$skip", true, s.span);
  if (inLoop())
    setFlag("$brk", true, s.span);
}

void FunctionEmitter::emitExit(const Stmt &s) {
  const char *what = s.kind == StmtKind::Break ? "break" : "continue";
  if (!unrolledLoops_.empty() && unrolledLoops_.back())
    error(s.span, std::string("'") + what +
                      "' is not supported in a loop over a tuple or a module list, which "
                      "TorchScript unrolls; iterate over a list instead");
  if (!inLoop())
    error(s.span, std::string("'") + what + "' outside of a loop");
  for (auto it = frames_.rbegin(); it != frames_.rend(); ++it) {
    if (it->kind == Frame::Kind::Loop)
      break;
    if (it->kind == Frame::Kind::Comprehension)
      error(s.span, std::string("'") + what + "' is not allowed inside a comprehension");
  }
  setFlag("$skip", true, s.span);
  if (s.kind == StmtKind::Break)
    setFlag("$brk", true, s.span);
  if (loopConditions_.back()) {
    // A `while` stops after a break, and tests its condition at a continue.
    if (s.kind == StmtKind::Break)
      setFlag("$cond", false, s.span);
    else
      emitLoopConditionAgain(s.span);
  }
}

void FunctionEmitter::emitLoopConditionAgain(const SourceSpan &span) {
  Refinements unused;
  define("$cond", Sugared::of(emitCondition(*loopConditions_.back(), unused)), span);
}

void FunctionEmitter::emitDelete(const Stmt &s) {
  for (const auto &t : s.targets) {
    if (t->kind == ExprKind::Name) {
      lookupName(*t);
      // As TorchScript's removeVar, `del` unbinds the name in every
      // enclosing block: after `if c: del a` the name is gone on both paths.
      for (Frame &f : frames_) {
        f.vars.erase(t->text);
        f.undefined[t->text] = {"undefined value " + t->text + ": it was deleted", t->span,
                                "deleted here"};
      }
      continue;
    }
    if (t->kind != ExprKind::Subscript || t->operands.size() != 2)
      error(t->span, "'del' supports names and single subscripts such as 'del d[key]'");
    if (t->operands[1]->kind == ExprKind::Slice)
      error(t->operands[1]->span, "del statements are only supported for deletion at a single "
                                  "index, not a slice; delete the elements one by one");
    Value *base = emitValue(*t->operands[0]);
    Value *key = emitValue(*t->operands[1]);
    if (base->type()->kind() == TypeKind::Class) {
      // `del obj[key]` calls the script class's __delitem__ (TorchScript's words if none).
      if (!emitMagic(base, "__delitem__", {{key, "", t->operands[1]->span}}, t->span))
        error(t->span, "Class does not define __delitem__ ('" + base->type()->annotationStr() +
                           "' has no method __delitem__ for 'del')");
      continue;
    }
    emitOperator("aten::Delete", {{base, "", t->operands[0]->span}, {key, "", t->operands[1]->span}},
                 t->span);
  }
}

} // namespace ember::frontend
