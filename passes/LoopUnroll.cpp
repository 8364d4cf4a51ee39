//===- passes/LoopUnroll.cpp - loop-unroll --------------------------------===//
//
// Unrolls small `for` loops whose trip count is a constant (after
// specialisation, `range(x.size(0))` often is), as TorchScript's
// UnrollLoops does for constant counts (reference §4.1). Unrolled bodies
// then fold, CSE and fuse across iterations: twenty iterations of an
// elementwise chain become one fusion group.
//
// Algorithm, innermost loops first:
//   1. A prim::Loop qualifies when its trip count is an int constant, its
//      start condition and its body's continue condition are the constant
//      True (no `while`, no `break`), and trips x body size <= kMaxUnrolled
//      nodes.
//   2. Copy the body once per trip in front of the loop: the iteration
//      variable becomes the constant trip number and the carried values
//      flow from one copy to the next.
//   3. The loop's results are the last copy's carried values (the initial
//      values when it runs zero times); the loop goes.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "ir/Constants.h"

namespace ember {
namespace {

/// Most nodes the copies of one loop may add.
constexpr size_t kMaxUnrolled = 256;

size_t countNodes(const Block *b) {
  size_t n = 0;
  for (const Node *node : b->nodes()) {
    ++n;
    for (const Block *inner : node->blocks())
      n += countNodes(inner);
  }
  return n;
}

bool isTrue(const Value *v) {
  auto b = constantBool(v);
  return b && *b;
}

class LoopUnroller {
public:
  explicit LoopUnroller(Graph &g) : g_(g) {}
  int64_t unrolled = 0;

  void runBlock(Block *b) {
    for (Node *n : b->nodes()) {
      for (Block *inner : n->blocks())
        runBlock(inner);
      if (n->kind() == prim::Loop())
        tryUnroll(n);
    }
  }

private:
  void tryUnroll(Node *loop) {
    Block *body = loop->blocks().at(0);
    auto trips = constantInt(loop->input(0));
    if (!trips || *trips < 0 || !isTrue(loop->input(1)) || !isTrue(body->outputs().at(0)))
      return;
    size_t size = countNodes(body);
    if (*trips > 0 && size * size_t(*trips) > kMaxUnrolled)
      return;
    std::vector<Value *> carried(loop->inputs().begin() + 2, loop->inputs().end());
    g_.setInsertPoint(loop);
    for (int64_t trip = 0; trip < *trips; ++trip) {
      std::vector<Value *> params{g_.insertConstant(trip)};
      params.insert(params.end(), carried.begin(), carried.end());
      Block *copy = loop->addBlock();
      copy->cloneFrom(body, [](Value *v) { return v; });
      for (size_t i = 0; i < copy->inputs().size(); ++i)
        copy->inputs()[i]->replaceAllUsesWith(params[i]);
      for (Node *n : copy->nodes())
        n->moveBefore(loop);
      carried.assign(copy->outputs().begin() + 1, copy->outputs().end());
      loop->eraseBlock(loop->blocks().size() - 1);
    }
    g_.setInsertPoint(g_.block());
    for (size_t i = 0; i < loop->outputs().size(); ++i)
      loop->output(i)->replaceAllUsesWith(carried[i]);
    loop->destroy();
    ++unrolled;
  }

  Graph &g_;
};

class LoopUnrollPass : public Pass {
public:
  bool run(Graph &g, PassContext &ctx) override {
    LoopUnroller unroller(g);
    unroller.runBlock(g.block());
    ctx.count("loop-unroll", "loops-unrolled", unroller.unrolled);
    return unroller.unrolled > 0;
  }
};

} // namespace

std::unique_ptr<Pass> createLoopUnrollPass() { return std::make_unique<LoopUnrollPass>(); }

} // namespace ember
