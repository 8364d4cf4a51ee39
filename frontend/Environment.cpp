//===- frontend/Environment.cpp - scopes and SSA joins --------------------===//
//
// Variables live in a stack of frames, one per block being emitted. Reading
// a name walks the stack outwards; assigning binds in the innermost frame.
// When an `if` finishes, joinBranches turns what each branch assigned into
// the If node's outputs:
//   1. every name assigned (not merely refined) in either branch is a
//      candidate, in order of first assignment; a branch's value is its
//      own binding, refined or assigned;
//   2. a branch that cannot fall through (it returns or raises) gives
//      `prim::Uninitialized` for it;
//   3. a branch that did not assign the name gives the value from before
//      the `if`; if there is none the name is undefined afterwards (an
//      error on use says which branch lacks it);
//   4. the output's type is the variable's declared type, else the
//      unification of both sides — a mismatch is an error naming both types
//      and pointing at both assignments.
// Control flags (`$skip`, `$brk`, `$ret`) default to false and the return
// value to Uninitialized where a branch does not set them.
//
//===----------------------------------------------------------------------===//
#include "frontend/EmitterImpl.h"

namespace ember::frontend {
namespace {

bool isFlag(const std::string &name) {
  return name == "$skip" || name == "$brk" || name == "$ret";
}

/// How diagnostics name a variable; the internal return slot reads better
/// as what it is.
std::string describe(const std::string &name) {
  if (name == "$retval")
    return "the returned value";
  return "variable '" + name + "'";
}

/// The type an `if` gives a variable both branches define: its declared
/// type, else what the two sides unify to, else an error naming both.
TypePtr joinedType(const std::string &name, const Binding *outer, const Binding *const side[2],
                   Value *const vals[2], const bool useful[2], const SourceSpan &span) {
  // The value a branch that leaves gives the exit transform's If has the
  // type of the one the other branch returns, as TorchScript's
  // uninitialized placeholder (not the declared result type).
  if (name[0] == '$' && useful[0] != useful[1])
    return (useful[0] ? vals[0] : vals[1])->type();
  TypePtr type = outer && outer->declared ? outer->declared : nullptr;
  // A returned value carries the function's declared result type, so returns
  // of `int` and `str` join as the declared `Union[int, str]`.
  for (int i = 0; i < 2 && !type; ++i)
    if (useful[i] && side[i]->declared)
      type = side[i]->declared;
  if (!type && useful[0] && useful[1]) {
    type = unifyTypes(vals[0]->type(), vals[1]->type());
    // Refinements of one variable (isinstance on a Union) join as a Union,
    // as does a Union variable assigned in a branch (TorchScript unifies
    // to a Union where the variable had one: torchaudio's
    // `if isinstance(c, int): ... else: c = c.to(dtype)`).
    bool wasUnion = outer && outer->value.isValue() &&
                    outer->value.value->type()->kind() == TypeKind::Union;
    if (!type && ((side[0]->refined && side[1]->refined) || wasUnion))
      type = Type::unionOf({vals[0]->type(), vals[1]->type()});
  } else if (!type)
    type = (useful[0] ? vals[0] : vals[1])->type();
  if (!type) {
    CompileError e(span, describe(name) + " is type '" + vals[0]->type()->annotationStr() +
                             "' in the true branch and type '" + vals[1]->type()->annotationStr() +
                             "' in the false branch");
    e.addNote(side[0]->where, "assigned '" + vals[0]->type()->annotationStr() + "' here");
    e.addNote(side[1]->where, "assigned '" + vals[1]->type()->annotationStr() + "' here");
    throw e;
  }
  return type;
}

} // namespace

void FunctionEmitter::pushFrame(Frame::Kind kind, Block *block) {
  frames_.push_back(Frame{kind, block, {}, {}, {}});
}

Frame FunctionEmitter::popFrame() {
  Frame f = std::move(frames_.back());
  frames_.pop_back();
  return f;
}

const Binding *FunctionEmitter::lookup(const std::string &name) const {
  for (auto it = frames_.rbegin(); it != frames_.rend(); ++it) {
    auto found = it->vars.find(name);
    if (found != it->vars.end())
      return &found->second;
    if (it->undefined.count(name))
      return nullptr;
  }
  return nullptr;
}

void FunctionEmitter::define(const std::string &name, Sugared value, const SourceSpan &where,
                             TypePtr declared, bool refined) {
  if (!declared)
    if (const Binding *old = lookup(name))
      declared = old->declared;
  if (declared && value.isValue()) {
    Value *converted = convertTo(value.value, declared);
    if (!converted)
      // TorchScript's words, which code written for it matches on.
      error(where, (name == "$retval" ? "the returned value" : "Variable '" + name + "'") +
                       " is annotated with type " + declared->annotationStr() +
                       " but is being assigned to a value of type " +
                       value.value->type()->annotationStr());
    value.value = converted;
  }
  Frame &f = frame();
  f.undefined.erase(name);
  if (!f.vars.count(name))
    f.order.push_back(name);
  f.vars[name] = Binding{std::move(value), std::move(declared), where, refined};
}

void FunctionEmitter::applyRefinements(
    const std::vector<std::pair<std::string, TypePtr>> &refinements, bool sameType) {
  for (const auto &[name, type] : refinements) {
    const Binding *b = lookup(name);
    // Even to the type it has: TorchScript casts whenever a refinement
    // holds (`isinstance(n, Tensor)` false on an int gives `n0 =
    // unchecked_cast(int, n)`).
    if (!b || !b->value.isValue() || (!sameType && b->value.value->type()->equals(*type)))
      continue;
    SourceSpan where = b->where;
    TypePtr declared = b->declared;
    Value *cast = insertValue(Symbol::prim("unchecked_cast"), {b->value.value}, type, SourceSpan{});
    if (meaningfulName(name)) // named after the variable, as TorchScript's setVar names it
      cast->setDebugName(name);
    define(name, Sugared::of(cast), where, nullptr, /*refined=*/true);
    // The refinement narrows the value, not what may be assigned later.
    frame().vars[name].declared = declared;
  }
}

void FunctionEmitter::joinBranches(Node *ifNode, Frame &thenFrame, ExitKind thenExit,
                                   Frame &elseFrame, ExitKind elseExit,
                                   const SourceSpan &span, bool unnamed) {
  joinSides({{&thenFrame, &elseFrame},
             {thenExit == ExitKind::Always || thenExit == ExitKind::Raises,
              elseExit == ExitKind::Always || elseExit == ExitKind::Raises},
             unnamed},
            ifNode, span);
}

void FunctionEmitter::joinExpressionBranches(Node *ifNode, Frame &thenFrame, Frame &elseFrame,
                                             const SourceSpan &span) {
  joinSides({{&thenFrame, &elseFrame}, {false, false}, false, /*expression=*/true}, ifNode, span);
}

void FunctionEmitter::joinSides(const JoinSides &sides, Node *ifNode, const SourceSpan &span) {
  // As TorchScript's setVar, a refinement rebinds the variable in its
  // branch: the If joins it with the other side (an `Optional` again after
  // `if x is not None:`, refined when the other branch never falls through,
  // as after `assert x is not None`). Unused joins go with dead code.
  // Assigned names in order of first assignment, then the names only
  // refined, sorted, as TorchScript's SSA conversion adds those.
  std::vector<std::string> names, refinedOnly;
  auto assigned = [&](const std::string &n) {
    for (int side = 0; side < 2; ++side) {
      auto it = sides.frames[side]->vars.find(n);
      if (it != sides.frames[side]->vars.end() && !it->second.refined)
        return true;
    }
    return false;
  };
  for (int side = 0; side < 2; ++side) {
    Frame *f = sides.frames[side];
    for (const auto &n : f->order) {
      std::vector<std::string> &list = assigned(n) ? names : refinedOnly;
      if (std::find(list.begin(), list.end(), n) == list.end())
        list.push_back(n);
    }
  }
  std::sort(refinedOnly.begin(), refinedOnly.end());
  names.insert(names.end(), refinedOnly.begin(), refinedOnly.end());
  for (const auto &name : names)
    joinName(ifNode, name, sides, span);
  graph().setInsertPoint(ifNode->next());
}

void FunctionEmitter::joinName(Node *ifNode, const std::string &name, const JoinSides &sides,
                               const SourceSpan &span) {
  const bool *dead = sides.dead;
  const Binding *outer = lookup(name);
  const Binding *side[2];
  for (int i = 0; i < 2; ++i) {
    auto it = sides.frames[i]->vars.find(name);
    // A refined binding counts: after `if x is None: x = 0` both sides
    // are non-Optional.
    side[i] = it != sides.frames[i]->vars.end() ? &it->second : outer;
  }
  bool special = name[0] == '$';
  if (!special && dead[0] && dead[1])
    return; // nothing after this `if` runs in this block
  // Sugared values (modules, functions) join only when both sides agree.
  if ((side[0] && !side[0]->value.isValue()) || (side[1] && !side[1]->value.isValue())) {
    if (!side[0] || !side[1] || side[0]->value.name != side[1]->value.name ||
        side[0]->value.kind != side[1]->value.kind)
      error(span, describe(name) + " refers to different things in the two branches");
    define(name, side[0]->value, side[0]->where);
    return;
  }
  Value *vals[2] = {side[0] ? side[0]->value.value : nullptr,
                    side[1] ? side[1]->value.value : nullptr};
  for (int i = 0; i < 2; ++i)
    if (!vals[i] && !dead[i] && !special) {
      frame().undefined[name] = {"'" + name + "' is not defined in the " +
                                     std::string(i == 0 ? "true" : "false") +
                                     " branch of the 'if' before this use",
                                 span, "the 'if' is here"};
      return;
    }
  // TorchScript's emitter sets what its branches assign to uninitialized in
  // a branch that leaves; a variable only expressions rebound is not among
  // them, and keeps its value there.
  bool fromExpression = sides.expression;
  if (!fromExpression) {
    fromExpression = true;
    for (int i = 0; i < 2; ++i) {
      auto it = sides.frames[i]->vars.find(name);
      if (it != sides.frames[i]->vars.end() && !it->second.fromExpression)
        fromExpression = false;
    }
  }
  bool useful[2] = {vals[0] && (special || !dead[0] || fromExpression),
                    vals[1] && (special || !dead[1] || fromExpression)};
  if (!useful[0] && !useful[1])
    return;
  TypePtr type = joinedType(name, outer, side, vals, useful, span);
  for (int i = 0; i < 2; ++i) {
    graph().setInsertPoint(ifNode->blocks()[i]);
    Value *v = useful[i] ? vals[i] : isFlag(name) ? constBool(false) : uninitialized(type);
    Value *conv = convertTo(v, type);
    if (!conv)
      error(side[i] ? side[i]->where : span, describe(name) + " is type '" +
                                                 v->type()->annotationStr() + "' here but '" +
                                                 type->annotationStr() + "' elsewhere");
    ifNode->blocks()[i]->registerOutput(conv);
  }
  Value *out = ifNode->addOutput();
  out->setType(type);
  // Outputs TorchScript's exit transform makes are unnamed.
  if (meaningfulName(name) && !sides.unnamed)
    out->setDebugName(name);
  graph().setInsertPoint(ifNode->next());
  const Binding *src = side[0] && !dead[0] ? side[0] : side[1];
  define(name, Sugared::of(out), src ? src->where : span);
  frame().vars[name].fromExpression = fromExpression;
}

void FunctionEmitter::assignedNames(const std::vector<StmtPtr> &stmts,
                                    std::vector<std::string> &out) {
  std::function<void(const Expr &)> target = [&](const Expr &t) {
    if (t.kind == ExprKind::Name) {
      if (std::find(out.begin(), out.end(), t.text) == out.end())
        out.push_back(t.text);
    } else if (t.kind == ExprKind::Tuple || t.kind == ExprKind::List) {
      for (const auto &e : t.operands)
        target(*e);
    } else if (t.kind == ExprKind::Starred) {
      target(*t.operands[0]);
    }
  };
  for (const auto &s : stmts) {
    switch (s->kind) {
    case StmtKind::Assign:
    case StmtKind::AugAssign:
    case StmtKind::AnnAssign:
    case StmtKind::For:
      for (const auto &t : s->targets)
        target(*t);
      break;
    case StmtKind::With:
      for (const auto &item : s->items)
        if (item.target)
          target(*item.target);
      break;
    default: break;
    }
    assignedNames(s->body, out);
    assignedNames(s->orelse, out);
  }
}

Sugared FunctionEmitter::lookupName(const Expr &name) {
  if (const Binding *b = lookup(name.text))
    return b->value;
  for (auto it = frames_.rbegin(); it != frames_.rend(); ++it) {
    auto u = it->undefined.find(name.text);
    if (u != it->undefined.end()) {
      CompileError e(name.span, u->second.message);
      e.addNote(u->second.where, u->second.note);
      throw e;
    }
  }
  if (parent_) {
    // A closure reads the variables of the function around it as inputs.
    if (const Binding *outer = parent_->lookup(name.text); outer && outer->value.isValue()) {
      Value *in = graph_->addInput();
      in->setType(outer->value.value->type());
      if (meaningfulName(name.text))
        in->setDebugName(name.text);
      captures_.push_back(outer->value.value);
      frames_.front().vars[name.text] = Binding{Sugared::of(in), nullptr, name.span, false};
      frames_.front().order.push_back(name.text);
      return Sugared::of(in);
    }
  }
  return resolveGlobal(name);
}

} // namespace ember::frontend
