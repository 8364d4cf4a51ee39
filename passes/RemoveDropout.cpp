//===- passes/RemoveDropout.cpp - remove-dropout --------------------------===//
//
// TorchScript's removeDropout, run on frozen graphs (reference §4.3): a
// dropout whose `train` argument is the constant False is the identity, so
// its uses read its input instead. Freezing makes `self.training` a
// constant, which turns every nn.Dropout of an eval-mode module into one.
// The in-place forms return their input, so they go the same way.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "ir/Constants.h"

#include <unordered_set>

namespace ember {
namespace {

bool isDropout(const Node *n) {
  static const std::unordered_set<std::string> kinds = {
      "aten::dropout",       "aten::dropout_",       "aten::feature_dropout",
      "aten::feature_dropout_", "aten::alpha_dropout", "aten::alpha_dropout_",
      "aten::feature_alpha_dropout", "aten::feature_alpha_dropout_"};
  return kinds.count(n->kind().qualString()) > 0;
}

/// True for `dropout(x, p, False)`; the third input is `train`.
bool isInferenceDropout(const Node *n) {
  if (!isDropout(n) || n->inputs().size() != 3 || n->outputs().size() != 1)
    return false;
  auto train = constantValue(n->input(2));
  return train && train->isBool() && !train->toBool();
}

int64_t removeDropouts(Block *b) {
  int64_t removed = 0;
  for (Node *n : b->nodes()) {
    for (Block *inner : n->blocks())
      removed += removeDropouts(inner);
    if (!isInferenceDropout(n))
      continue;
    n->output()->replaceAllUsesWith(n->input(0));
    n->destroy();
    ++removed;
  }
  return removed;
}

class RemoveDropoutPass : public Pass {
public:
  bool run(Graph &g, PassContext &ctx) override {
    int64_t removed = removeDropouts(g.block());
    ctx.count("remove-dropout", "removed", removed);
    return removed > 0;
  }
};

} // namespace

std::unique_ptr<Pass> createRemoveDropoutPass() { return std::make_unique<RemoveDropoutPass>(); }

} // namespace ember
