//===- passes/ConstantPropagation.cpp - constant-propagation --------------===//
//
// Algorithm, one forward walk per block (reference §4.1):
//   1. a `prim::If` on a constant condition is replaced by the nodes of the
//      taken branch;
//   2. a `prim::Loop` that runs zero times (constant trip count <= 0 or a
//      constant false condition) is replaced by its initial values;
//   3. an output of any other `prim::If` that both branches give the same
//      value, or equal scalar constants, becomes that value (TorchScript's
//      removeExtraIfOutputs);
//   4. any other node whose inputs are all constants is evaluated through
//      the installed NodeEvaluator and its outputs replaced by constants,
//      unless it is nondeterministic, has side effects, writes an input, has
//      blocks, or produces a value that cannot be a constant (a mutable list
//      that is written later, a tensor that requires grad, an object); a
//      list of numbers or strings only when nothing writes it and only
//      operators read it.
// `constant-propagation-immutable` is TorchScript's
// ConstantPropagationImmutableTypes, which its frontend runs on every
// compiled function: step 3 only for nodes whose outputs are immutable
// values (numbers, strings, devices, None, tuples of them) — no tensors or
// lists are made constants, so printed code keeps the calls that build them.
//
//===----------------------------------------------------------------------===//
#include "passes/AliasAnalysis.h"
#include "passes/Passes.h"

#include "ir/Constants.h"
#include "ir/NodeEvaluator.h"

#include <unordered_set>

namespace ember {

namespace {

/// Ops never evaluated at compile time even with constant inputs.
bool skipKind(const Node *n) {
  static const std::unordered_set<std::string> skip = {
      "prim::Constant", "prim::CallFunction", "prim::CallMethod", "prim::GetAttr",
      "prim::SetAttr", "prim::CreateObject", "prim::Uninitialized", "prim::RaiseException",
      "prim::Print", "aten::warn", "prim::fork", "aten::wait", "prim::ListConstruct",
      "prim::DictConstruct", "prim::unchecked_cast", "aten::list", "aten::dict",
      "prim::Enter", "prim::Exit", "prim::isinstance", "prim::TypeCheck", "prim::profile",
      "prim::BailOut", "prim::Guard", "aten::append", "aten::format", "aten::size",
      "prim::device", "aten::copy_", "aten::manual_seed"};
  return skip.count(n->kind().qualString()) > 0 || n->hasAttribute(attr::Subgraph());
}

/// Numbers, strings, devices, None and tuples of them.
bool isImmutable(const TypePtr &t) {
  switch (t->kind()) {
  case TypeKind::Int:
  case TypeKind::Float:
  case TypeKind::Bool:
  case TypeKind::Str:
  case TypeKind::Complex:
  case TypeKind::None:
  case TypeKind::Device:
  case TypeKind::Number: return true;
  case TypeKind::Tuple:
    for (const auto &e : t->contained())
      if (!isImmutable(e))
        return false;
    return true;
  default: return false;
  }
}

class ConstantPropagation {
public:
  ConstantPropagation(Graph &g, bool immutableOnly)
      : g_(g), aa_(g), immutableOnly_(immutableOnly) {}

  int64_t folded = 0;

  void run() { runNodes(g_.block()->nodes()); }

private:
  void runNodes(const std::vector<Node *> &nodes) {
    for (Node *n : nodes) {
      if (n->kind() == prim::If()) {
        if (auto cond = constantBool(n->input(0))) {
          // The taken branch's nodes now stand before the if, outside the
          // list being walked: visit them here.
          Block *branch = n->blocks()[*cond ? 0 : 1];
          std::vector<Node *> moved = branch->nodes();
          inlineBranch(n, branch);
          runNodes(moved);
          continue;
        }
      } else if (n->kind() == prim::Loop()) {
        auto trips = constantInt(n->input(0));
        auto cond = constantBool(n->input(1));
        if ((trips && *trips <= 0) || (cond && !*cond)) {
          for (size_t i = 0; i < n->outputs().size(); ++i)
            n->output(i)->replaceAllUsesWith(n->input(i + 2));
          n->destroy();
          ++folded;
          continue;
        }
      }
      for (Block *sub : n->blocks())
        runNodes(sub->nodes());
      if (n->kind() == prim::If())
        removeExtraIfOutputs(n);
      if (n->blocks().empty())
        tryFold(n);
    }
  }

  /// Two constants of one immutable scalar type and equal value.
  static std::optional<c10::IValue> sameConstant(const Value *a, const Value *b) {
    auto x = constantValue(a), y = constantValue(b);
    if (!x || !y || !isImmutable(a->type()) || !a->type()->equals(*b->type()) ||
        a->type()->kind() == TypeKind::Tuple)
      return std::nullopt;
    bool same = (x->isInt() && y->isInt() && x->toInt() == y->toInt()) ||
                (x->isDouble() && y->isDouble() && x->toDouble() == y->toDouble()) ||
                (x->isBool() && y->isBool() && x->toBool() == y->toBool()) ||
                (x->isString() && y->isString() && x->toStringRef() == y->toStringRef()) ||
                (x->isNone() && y->isNone());
    return same ? x : std::nullopt;
  }

  void removeExtraIfOutputs(Node *n) {
    Block *then = n->blocks()[0], *orelse = n->blocks()[1];
    for (size_t i = 0; i < n->outputs().size();) {
      Value *t = then->outputs()[i], *f = orelse->outputs()[i];
      Value *same = t == f ? t : nullptr;
      if (!same)
        if (auto c = sameConstant(t, f)) {
          g_.setInsertPoint(n);
          same = g_.insertConstant(*c, t->type());
        }
      if (!same) {
        ++i;
        continue;
      }
      n->output(i)->replaceAllUsesWith(same);
      then->eraseOutput(i);
      orelse->eraseOutput(i);
      n->eraseOutput(i);
      ++folded;
    }
  }

  void inlineBranch(Node *ifNode, Block *branch) {
    // Move the branch's nodes before the if, then route its outputs.
    for (Node *inner : branch->nodes())
      inner->moveBefore(ifNode);
    for (size_t i = 0; i < ifNode->outputs().size(); ++i)
      ifNode->output(i)->replaceAllUsesWith(branch->outputs()[i]);
    ifNode->destroy();
    ++folded;
  }

  /// A list of constant numbers or strings that nothing writes and that
  /// only operators read (not returned, stored or passed to a call), so one
  /// shared constant can stand for it: TorchScript's frozen and optimized
  /// graphs read `int[]` arguments (a conv's stride) as constants.
  bool isFoldableList(const Node *n) const {
    if (immutableOnly_ || n->kind().qualString() != "prim::ListConstruct" ||
        !isImmutable(n->output()->type()->elem()) || aa_.hasWriters(n->output()) ||
        aa_.escapes(n->output()))
      return false;
    for (const Use &u : n->output()->uses())
      if (u.user->kind().qualString().rfind("aten::", 0) != 0 &&
          u.user->kind().qualString() != "prim::ListUnpack")
        return false;
    return true;
  }

  void tryFold(Node *n) {
    if ((skipKind(n) && !isFoldableList(n)) || n->outputs().empty() || n->isNondeterministic() ||
        aa_.hasSideEffects(n) || aa_.isWriter(n))
      return;
    // As TorchScript's noMutableValues: neither what the node reads nor
    // what it makes may be a mutable type (`len` of a list stays).
    if (immutableOnly_) {
      for (Value *o : n->outputs())
        if (!isImmutable(o->type()))
          return;
      for (Value *in : n->inputs())
        if (AliasAnalysis::isMutableType(in->type()))
          return;
    }
    std::vector<c10::IValue> inputs;
    for (Value *in : n->inputs()) {
      auto c = constantValue(in);
      if (!c)
        return;
      inputs.push_back(std::move(*c));
    }
    for (Value *o : n->outputs())
      if (AliasAnalysis::isMutableType(o->type()) && o->type()->kind() != TypeKind::Tensor &&
          aa_.hasWriters(o))
        return;
    const NodeEvaluator &eval = nodeEvaluator();
    if (!eval)
      return;
    auto outputs = eval(*n, inputs);
    if (!outputs || outputs->size() != n->outputs().size())
      return;
    g_.setInsertPoint(n);
    std::vector<Value *> replacements;
    for (size_t i = 0; i < outputs->size(); ++i) {
      Value *c = g_.insertConstant((*outputs)[i], n->output(i)->type());
      if (!c) {
        for (Value *r : replacements)
          r->node()->destroy();
        g_.setInsertPoint(g_.block());
        return;
      }
      if (n->output(i)->type()->kind() != TypeKind::Tensor &&
          !c->type()->isSubtypeOf(*n->output(i)->type()) &&
          n->output(i)->type()->kind() != TypeKind::Any) {
        // e.g. an int that the graph types as a dtype or layout: keep the
        // graph's type on the constant.
        c->setType(n->output(i)->type());
      }
      replacements.push_back(c);
    }
    g_.setInsertPoint(g_.block());
    for (size_t i = 0; i < replacements.size(); ++i)
      n->output(i)->replaceAllUsesWith(replacements[i]);
    n->destroy();
    ++folded;
  }

  Graph &g_;
  AliasAnalysis aa_;
  bool immutableOnly_;
};

class ConstantPropagationPass : public Pass {
public:
  explicit ConstantPropagationPass(bool immutableOnly) : immutableOnly_(immutableOnly) {}
  bool run(Graph &g, PassContext &ctx) override {
    int64_t total = 0;
    // Folding a branch exposes more constants: iterate to a fixed point.
    for (int round = 0; round < 64; ++round) {
      ConstantPropagation cp(g, immutableOnly_);
      cp.run();
      total += cp.folded;
      if (!cp.folded)
        break;
    }
    ctx.count(immutableOnly_ ? "constant-propagation-immutable" : "constant-propagation",
              "nodes-folded", total);
    return total > 0;
  }

private:
  bool immutableOnly_;
};

} // namespace

std::unique_ptr<Pass> createConstantPropagationPass() {
  return std::make_unique<ConstantPropagationPass>(/*immutableOnly=*/false);
}

std::unique_ptr<Pass> createConstantPropagationImmutablePass() {
  return std::make_unique<ConstantPropagationPass>(/*immutableOnly=*/true);
}

} // namespace ember
