//===- passes/CanonicalizeOutputs.cpp - canonicalize-outputs --------------===//
//
// Orders the outputs of control-flow nodes by where they are first used, as
// TorchScript's CanonicalizeOutputs does at the end of its frontend cleanup,
// so an `if`'s or a loop's results print in the order the code after it
// reads them (`output, mask, nested = ...`) whatever order the emitter
// created them in.
//
// Algorithm (reference §4.1, `canonicalize.cpp`):
//   1. walk each block's nodes last to first, so the uses a node's outputs
//      have in later nodes' inputs (and block returns) are already in their
//      final order;
//   2. for a `prim::If` or `prim::Loop`, sort its outputs by first use: uses
//      compare by TorchScript's canonical node order (position in a block, a
//      node before what is nested in it, a then-branch before its else),
//      then by input position; outputs without uses go last, in their old
//      order;
//   3. permute the If's outputs with both branches' returns, or the Loop's
//      carried values (node inputs, outputs, body inputs and body returns);
//   4. then recurse into the node's blocks.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include <algorithm>
#include <numeric>
#include <optional>

namespace ember {
namespace {

size_t depth(const Node *n) {
  size_t d = 0;
  for (const Block *b = n->owningBlock(); b->owningNode(); b = b->owningNode()->owningBlock())
    ++d;
  return d;
}

size_t blockIndex(const Block *b) {
  const auto &blocks = b->owningNode()->blocks();
  return size_t(std::find(blocks.begin(), blocks.end(), b) - blocks.begin());
}

/// TorchScript's canonical order of nodes (canonicalize.cpp's isBefore):
/// in one block by position; a node before the nodes inside it; of nodes in
/// two blocks of one node, the one in the earlier block (so the uses in an
/// if's then-branch come before those in its else-branch).
bool canonicalBefore(const Node *a, const Node *b) {
  size_t da = depth(a), db = depth(b);
  for (; da > db; --da)
    if ((a = a->owningBlock()->owningNode()) == b)
      return false;
  for (; db > da; --db)
    if ((b = b->owningBlock()->owningNode()) == a)
      return true;
  while (a->owningBlock() != b->owningBlock()) {
    const Node *pa = a->owningBlock()->owningNode(), *pb = b->owningBlock()->owningNode();
    if (pa == pb)
      return blockIndex(a->owningBlock()) < blockIndex(b->owningBlock());
    a = pa;
    b = pb;
  }
  return a->isBefore(b);
}

bool useBefore(const Use &a, const Use &b) {
  if (a.user == b.user)
    return a.offset < b.offset;
  return canonicalBefore(a.user, b.user);
}

std::optional<Use> firstUse(const Value *v) {
  std::optional<Use> first;
  for (const Use &u : v->uses())
    if (!first || useBefore(u, *first))
      first = u;
  return first;
}

/// The order of `values` by first use; unused values last, in place.
std::vector<size_t> orderByFirstUse(const std::vector<Value *> &values) {
  std::vector<std::optional<Use>> first;
  for (const Value *v : values)
    first.push_back(firstUse(v));
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t i, size_t j) {
    if (!first[i] || !first[j])
      return first[i].has_value() && !first[j].has_value();
    return useBefore(*first[i], *first[j]);
  });
  return order;
}

/// `order` shifted past `skip` leading positions that stay in place.
std::vector<size_t> shifted(const std::vector<size_t> &order, size_t skip) {
  std::vector<size_t> r(skip);
  std::iota(r.begin(), r.end(), 0);
  for (size_t k : order)
    r.push_back(k + skip);
  return r;
}

class CanonicalizeOutputsPass : public Pass {
public:
  bool run(Graph &g, PassContext &ctx) override {
    ctx_ = &ctx;
    runBlock(g.block());
    return changed_;
  }

private:
  void runBlock(Block *b) {
    std::vector<Node *> nodes = b->nodes();
    for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
      Node *n = *it;
      if (n->kind() == prim::If() || n->kind() == prim::Loop())
        permute(n, orderByFirstUse(n->outputs()));
      for (Block *sub : n->blocks())
        runBlock(sub);
    }
  }

  void permute(Node *n, const std::vector<size_t> &order) {
    if (std::is_sorted(order.begin(), order.end()))
      return;
    n->permuteOutputs(order);
    if (n->kind() == prim::If()) {
      for (Block *branch : n->blocks())
        branch->returnNode()->permuteInputs(order);
    } else {
      Block *body = n->blocks()[0];
      n->permuteInputs(shifted(order, 2));            // trip count, condition
      body->paramNode()->permuteOutputs(shifted(order, 1)); // iteration
      body->returnNode()->permuteInputs(shifted(order, 1)); // continue condition
    }
    ctx_->count("canonicalize-outputs", "permuted");
    changed_ = true;
  }

  PassContext *ctx_ = nullptr;
  bool changed_ = false;
};

} // namespace

std::unique_ptr<Pass> createCanonicalizeOutputsPass() {
  return std::make_unique<CanonicalizeOutputsPass>();
}

} // namespace ember
