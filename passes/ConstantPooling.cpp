//===- passes/ConstantPooling.cpp - constant-pooling ----------------------===//
//
// Algorithm: walk every block in order; the first constant of each distinct
// (type, payload) is moved to the front of the graph, before the constants
// moved before it (so, as in TorchScript's printed graphs, they end up in
// the reverse order of first appearance); every later equal constant is
// replaced by it and removed. Constants whose payload has identity
// (mutable containers) are hoisted but not merged.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

namespace ember {
namespace {

bool sameConstant(const Node *a, const Node *b) {
  return a->output()->type()->equals(*b->output()->type()) && sameAttributes(*a, *b);
}

bool hasIdentity(const Node *n) {
  TypeKind k = n->output()->type()->kind();
  return k == TypeKind::List || k == TypeKind::Dict || k == TypeKind::Class;
}

class ConstantPoolingPass : public Pass {
public:
  bool run(Graph &g, PassContext &ctx) override {
    pool_.clear();
    merged_ = hoisted_ = 0;
    runBlock(g, g.block());
    ctx.count("constant-pooling", "constants-merged", merged_);
    ctx.count("constant-pooling", "constants-hoisted", hoisted_);
    return merged_ + hoisted_ > 0;
  }

private:
  void runBlock(Graph &g, Block *b) {
    for (Node *n : b->nodes()) {
      for (Block *sub : n->blocks())
        runBlock(g, sub);
      if (n->kind() != prim::Constant() || n->outputs().size() != 1)
        continue;
      Node *existing = nullptr;
      if (!hasIdentity(n))
        for (Node *p : pool_)
          if (sameConstant(p, n)) {
            existing = p;
            break;
          }
      if (existing) {
        n->output()->replaceAllUsesWith(existing->output());
        n->destroy();
        ++merged_;
        continue;
      }
      Node *front = g.block()->front();
      if (front != n) {
        n->moveBefore(front);
        ++hoisted_;
      }
      pool_.push_back(n);
    }
  }

  std::vector<Node *> pool_;
  int64_t merged_ = 0, hoisted_ = 0;
};

} // namespace

std::unique_ptr<Pass> createConstantPoolingPass() {
  return std::make_unique<ConstantPoolingPass>();
}

} // namespace ember
