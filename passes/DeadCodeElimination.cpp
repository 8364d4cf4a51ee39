//===- passes/DeadCodeElimination.cpp - dce -------------------------------===//
//
// Mark and sweep, keeping every side effect (reference §4.1):
//   1. the graph's outputs are live;
//   2. walking each block backwards, a node is live if it has side effects
//      (raise, print, SetAttr, unknown operators...), if one of its outputs
//      is live, or if it writes a value that may alias a live value or one
//      visible outside the graph (an input, an attribute); a control node is
//      live if any node inside it is;
//   3. a live node makes its inputs live; a live `prim::If` makes the block
//      outputs of its live outputs live; a live `prim::Loop` its condition
//      and the carried values that are live after the loop or used inside.
//      A loop body's next condition, and its carried values that are used
//      inside or after, are live even when the loop is not (TorchScript's
//      markReturnNode), so such a loop is kept;
//   4. steps 2-3 repeat until nothing changes (writes can make earlier
//      values live);
//   5. sweep: dead nodes go, then dead outputs of live ifs and dead carried
//      values of live loops.
//
//===----------------------------------------------------------------------===//
#include "passes/AliasAnalysis.h"
#include "passes/Passes.h"

#include <unordered_set>

namespace ember {
namespace {

class DeadCodeElimination {
public:
  DeadCodeElimination(Graph &g) : g_(g), aa_(g) {}

  int64_t run() {
    for (Value *v : g_.outputs())
      live_.insert(v);
    bool changed = true;
    while (changed) {
      changed = false;
      markBlock(g_.block(), changed);
    }
    int64_t removed = 0;
    sweepBlock(g_.block(), removed);
    return removed;
  }

private:
  bool writesLive(const Node *n) {
    for (const Value *w : aa_.writes(n)) {
      if (aa_.escapes(w))
        return true;
      for (const Value *v : live_)
        if (aa_.mayAlias(w, v))
          return true;
    }
    return false;
  }

  void markLive(const Value *v, bool &changed) {
    if (live_.insert(v).second)
      changed = true;
  }

  void markBlock(const Block *b, bool &changed) {
    auto nodes = b->nodes();
    for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
      Node *n = *it;
      if (n->kind() == prim::Loop())
        markLoopBodyOutputs(n, changed);
      // Visit nested blocks first so that effects inside them are known.
      for (const Block *sub : n->blocks())
        markBlock(sub, changed);
      bool isLive = marked_.count(n) > 0 || aa_.hasSideEffects(n) || writesLive(n);
      for (const Value *o : n->outputs())
        isLive |= live_.count(o) > 0;
      for (const Block *sub : n->blocks())
        for (const Node *inner : sub->nodes())
          isLive |= marked_.count(inner) > 0;
      if (!isLive)
        continue;
      if (marked_.insert(n).second)
        changed = true;
      markNodeInputs(n, changed);
    }
  }

  /// As TorchScript's DCE, whether or not the loop is used: the body's next
  /// condition is live, and so is each carried value the body reads or the
  /// code after the loop uses. A loop that computes its condition or
  /// carries a value through its body therefore stays, as in torch.jit.
  void markLoopBodyOutputs(const Node *loop, bool &changed) {
    const Block *body = loop->blocks()[0];
    markLive(body->outputs()[0], changed);
    for (size_t i = 0; i < loop->outputs().size(); ++i)
      if (live_.count(loop->output(i)) || body->inputs()[i + 1]->hasUses())
        markLive(body->outputs()[i + 1], changed);
  }

  void markNodeInputs(const Node *n, bool &changed) {
    if (n->kind() == prim::If()) {
      markLive(n->input(0), changed);
      for (size_t i = 0; i < n->outputs().size(); ++i)
        if (live_.count(n->output(i)))
          for (const Block *b : n->blocks())
            markLive(b->outputs()[i], changed);
      return;
    }
    if (n->kind() == prim::Loop()) {
      const Block *body = n->blocks()[0];
      markLive(n->input(0), changed);
      markLive(n->input(1), changed);
      markLive(body->outputs()[0], changed);
      for (size_t i = 0; i < n->outputs().size(); ++i)
        if (carriedNeeded(n, i)) {
          markLive(n->input(i + 2), changed);
          markLive(body->outputs()[i + 1], changed);
          markLive(n->output(i), changed);
          markLive(body->inputs()[i + 1], changed);
        }
      return;
    }
    for (const Value *in : n->inputs())
      markLive(in, changed);
  }

  bool carriedNeeded(const Node *loop, size_t i) {
    const Block *body = loop->blocks()[0];
    return live_.count(loop->output(i)) || live_.count(body->inputs()[i + 1]);
  }

  void sweepBlock(Block *b, int64_t &removed) {
    auto nodes = b->nodes();
    for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
      Node *n = *it;
      if (!marked_.count(n)) {
        removeNode(n);
        ++removed;
        continue;
      }
      if (n->kind() == prim::If()) {
        for (size_t i = n->outputs().size(); i-- > 0;)
          if (!live_.count(n->output(i)) && !n->output(i)->hasUses()) {
            for (Block *sub : n->blocks())
              sub->eraseOutput(i);
            n->eraseOutput(i);
          }
      } else if (n->kind() == prim::Loop()) {
        // Drop dead carried values from the body's outputs first, so that
        // sweeping the body finds their producers unused; then drop the
        // carried inputs and outputs themselves.
        Block *body = n->blocks()[0];
        std::vector<size_t> dead;
        for (size_t i = n->outputs().size(); i-- > 0;)
          if (!carriedNeeded(n, i) && !n->output(i)->hasUses()) {
            body->eraseOutput(i + 1);
            dead.push_back(i);
          }
        sweepBlock(body, removed);
        for (size_t i : dead) {
          body->eraseInput(i + 1);
          n->removeInput(i + 2);
          n->eraseOutput(i);
        }
        continue;
      }
      for (Block *sub : n->blocks())
        sweepBlock(sub, removed);
    }
  }

  void removeNode(Node *n) {
    // Any remaining uses are by dead nodes or dead block outputs, which are
    // removed in this sweep as well; detach them first.
    for (Value *o : n->outputs())
      for (const Use &u : std::vector<Use>(o->uses()))
        u.user->removeInput(u.offset);
    n->destroy();
  }

  Graph &g_;
  AliasAnalysis aa_;
  std::unordered_set<const Value *> live_;
  std::unordered_set<const Node *> marked_;
};

class DeadCodeEliminationPass : public Pass {
public:
  bool run(Graph &g, PassContext &ctx) override {
    int64_t removed = DeadCodeElimination(g).run();
    ctx.count("dce", "nodes-removed", removed);
    return removed > 0;
  }
};

} // namespace

std::unique_ptr<Pass> createDeadCodeEliminationPass() {
  return std::make_unique<DeadCodeEliminationPass>();
}

} // namespace ember
