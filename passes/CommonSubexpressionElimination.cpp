//===- passes/CommonSubexpressionElimination.cpp - cse --------------------===//
//
// Algorithm: walk blocks in order with a scoped table of available nodes (a
// nested block sees the nodes of the blocks enclosing it). A node equal to
// an available one (same kind, inputs, attributes and output types) is
// replaced by it, where TorchScript's safeToChangeAliasingRelationship
// allows: neither node's results are written, and not both may be seen
// outside the graph (aliasing an input, an attribute or a returned value).
// So two equal lists nothing writes become one, as in torch.jit, and two
// views of an input that are both returned stay two. Never merged: nodes
// with blocks or side effects, nondeterministic nodes, writers, nodes
// reading a value that some node writes (the two reads could straddle the
// write), and producers of objects and futures.
//
//===----------------------------------------------------------------------===//
#include "passes/AliasAnalysis.h"
#include "passes/Passes.h"

#include <functional>

namespace ember {
namespace {

bool sameNode(const Node *a, const Node *b) {
  if (a->kind() != b->kind() || a->inputs() != b->inputs() ||
      a->outputs().size() != b->outputs().size())
    return false;
  for (size_t i = 0; i < a->outputs().size(); ++i)
    if (!a->output(i)->type()->equals(*b->output(i)->type()))
      return false;
  return sameAttributes(*a, *b);
}

size_t hashNode(const Node *n) {
  size_t h = std::hash<uint32_t>()(n->kind().id());
  for (const Value *v : n->inputs())
    h = h * 31 + std::hash<const void *>()(v);
  return h;
}

bool identityMatters(const TypePtr &t) {
  return t->kind() == TypeKind::Class || t->kind() == TypeKind::Future;
}

class CSE {
public:
  CSE(Graph &g) : graph_(g), aa_(g) {}
  int64_t merged = 0;

  void runBlock(Block *b, std::vector<std::unordered_multimap<size_t, Node *>> &scopes) {
    scopes.emplace_back();
    for (Node *n : b->nodes()) {
      for (Block *sub : n->blocks())
        runBlock(sub, scopes);
      if (!candidate(n))
        continue;
      size_t h = hashNode(n);
      Node *existing = nullptr;
      for (auto s = scopes.rbegin(); s != scopes.rend() && !existing; ++s) {
        auto range = s->equal_range(h);
        for (auto it = range.first; it != range.second; ++it)
          if (sameNode(it->second, n)) {
            existing = it->second;
            break;
          }
      }
      if (!existing) {
        scopes.back().emplace(h, n);
        continue;
      }
      if (!safeToMerge(existing, n))
        continue;
      for (size_t i = 0; i < n->outputs().size(); ++i)
        n->output(i)->replaceAllUsesWith(existing->output(i));
      n->destroy();
      ++merged;
    }
    scopes.pop_back();
  }

private:
  bool candidate(const Node *n) {
    if (n->kind() == prim::Constant() || !n->blocks().empty() || n->outputs().empty() ||
        n->isNondeterministic() || aa_.hasSideEffects(n) || aa_.isWriter(n))
      return false;
    for (const Value *o : n->outputs())
      if (identityMatters(o->type()) || aa_.hasWriters(o))
        return false;
    for (const Value *in : n->inputs())
      if (aa_.hasWriters(in))
        return false;
    return true;
  }

  bool safeToMerge(const Node *a, const Node *b) {
    bool aEscapes = false, bEscapes = false;
    for (size_t i = 0; i < a->outputs().size(); ++i) {
      if (aa_.hasWriters(a->output(i)) || aa_.hasWriters(b->output(i)))
        return false;
      aEscapes = aEscapes || escapesScope(a->output(i));
      bEscapes = bEscapes || escapesScope(b->output(i));
    }
    return !(aEscapes && bEscapes);
  }

  bool escapesScope(const Value *v) {
    if (!AliasAnalysis::isMutableType(v->type()))
      return false;
    if (aa_.escapes(v))
      return true;
    for (const Value *out : graph_.outputs())
      if (aa_.mayAlias(v, out))
        return true;
    return false;
  }

  const Graph &graph_;
  AliasAnalysis aa_;
};

class CommonSubexpressionEliminationPass : public Pass {
public:
  bool run(Graph &g, PassContext &ctx) override {
    CSE cse(g);
    std::vector<std::unordered_multimap<size_t, Node *>> scopes;
    cse.runBlock(g.block(), scopes);
    ctx.count("cse", "nodes-merged", cse.merged);
    return cse.merged > 0;
  }
};

} // namespace

std::unique_ptr<Pass> createCommonSubexpressionEliminationPass() {
  return std::make_unique<CommonSubexpressionEliminationPass>();
}

} // namespace ember
