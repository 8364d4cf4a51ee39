//===- passes/Canonicalize.cpp - canonicalize -----------------------------===//
//
// Gives structurally equal graphs the same text, for comparing graphs: the
// graph is rebuilt by copying, so unnamed values are numbered 0, 1, 2, ...
// in definition order (inputs first, then nodes, blocks depth-first) and
// debug names are kept. As TorchScript's Canonicalize does, the numbering of
// the old graph (ids left by deleted values, parse order) is forgotten.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

namespace ember {
namespace {

class CanonicalizePass : public Pass {
public:
  bool run(Graph &g, PassContext &ctx) override {
    auto fresh = g.copy();
    // Move the copy's contents into `g` by rebuilding g's top block.
    Block *b = g.block();
    while (!b->outputs().empty())
      b->eraseOutput(b->outputs().size() - 1);
    auto nodes = b->nodes();
    for (auto it = nodes.rbegin(); it != nodes.rend(); ++it)
      (*it)->destroy();
    while (!b->inputs().empty())
      b->eraseInput(b->inputs().size() - 1);
    g.resetUniques();
    b->cloneFrom(fresh->block(), [](Value *v) -> Value * { return v; });
    ctx.count("canonicalize", "graphs");
    return true;
  }
};

} // namespace

std::unique_ptr<Pass> createCanonicalizePass() { return std::make_unique<CanonicalizePass>(); }

} // namespace ember
