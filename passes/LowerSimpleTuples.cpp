//===- passes/LowerSimpleTuples.cpp - lower-simple-tuples -----------------===//
//
// Removes tuples that are built only to be taken apart again, as
// TorchScript's LowerSimpleTuples does in the frontend's cleanup
// (`a, b = (x, y)`, `t = (x, y); t[0]`):
//   1. a prim::TupleUnpack of a prim::TupleConstruct takes the construct's
//      inputs directly;
//   2. a prim::TupleIndex of a prim::TupleConstruct at a constant index
//      takes that input directly;
//   3. constructs left without uses are erased.
// Tuples are immutable, so no aliasing question arises.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "ir/Constants.h"

namespace ember {
namespace {

class LowerSimpleTuplesPass : public Pass {
public:
  bool run(Graph &g, PassContext &ctx) override {
    changed_ = false;
    lowerBlock(g.block(), ctx);
    return changed_;
  }

private:
  void lowerBlock(Block *b, PassContext &ctx) {
    for (Node *n : b->nodes()) {
      for (Block *inner : n->blocks())
        lowerBlock(inner, ctx);
      if (n->inputs().empty())
        continue;
      Node *producer = n->input(0)->node();
      if (producer->kind() != Symbol::prim("TupleConstruct"))
        continue;
      if (n->kind() == Symbol::prim("TupleUnpack") &&
          n->outputs().size() == producer->inputs().size()) {
        for (size_t i = 0; i < n->outputs().size(); ++i)
          n->output(i)->replaceAllUsesWith(producer->input(i));
        n->destroy();
        ctx.count("lower-simple-tuples", "unpacks");
      } else if (n->kind() == Symbol::prim("TupleIndex")) {
        auto index = constantInt(n->input(1));
        int64_t size = static_cast<int64_t>(producer->inputs().size());
        if (!index || *index >= size || *index < -size)
          continue;
        n->output()->replaceAllUsesWith(producer->input(*index < 0 ? *index + size : *index));
        n->destroy();
        ctx.count("lower-simple-tuples", "indexes");
      } else {
        continue;
      }
      changed_ = true;
      if (!producer->hasUses())
        producer->destroy();
    }
  }
  bool changed_ = false;
};

} // namespace

std::unique_ptr<Pass> createLowerSimpleTuplesPass() {
  return std::make_unique<LowerSimpleTuplesPass>();
}

} // namespace ember
