//===- passes/FuseElementwise.cpp - fuse-elementwise ----------------------===//
//
// Groups chains of elementwise tensor operators and reductions over the
// last dimension (the table in FusibleOps.def) into `prim::FusionGroup` nodes whose `Subgraph` attribute
// holds the grouped nodes, as TorchScript's fusers do (reference §5.1). The
// runtime compiles each group into one kernel for the inputs it meets, and
// runs the subgraph unfused when it cannot (autograd, other devices).
//
// Algorithm, per block (nested blocks first):
//   1. Walk the nodes backwards. An unassigned fusible node starts a group
//      and becomes its anchor: the group will sit where the anchor is.
//   2. Grow the group by pulling in producers of its inputs: a producer in
//      the same block that is fusible and unassigned joins when every use of
//      its outputs is in the group or after the anchor, and no node between
//      it and the anchor writes a value its inputs may alias (moving it down
//      must not change what it reads).
//   3. Neighbouring groups merge: a group joins the next one down the block
//      when every node of it could move down to that group's anchor.
//   4. A group of two or more operators becomes a FusionGroup: constants are
//      copied into the subgraph, other values from outside become its
//      inputs, and the outputs used outside the group become its outputs.
//
// A node is fusible when its overload is in the table, it returns one
// Tensor, and each argument is a Tensor, a constant, or an int/float for a
// numeric (Scalar, int, float) parameter; every other argument (dtype,
// approximate, flags) must be a constant, since kernels specialise on it.
//
//===----------------------------------------------------------------------===//
#include "passes/AliasAnalysis.h"
#include "passes/Passes.h"

#include "ir/Schema.h"

#include <algorithm>
#include <functional>
#include <unordered_map>
#include <unordered_set>

namespace ember {
namespace {

const std::unordered_set<std::string> &fusibleKeys() {
  static const std::unordered_set<std::string> keys = {
#define FUSIBLE_OP(key) key,
#include "passes/FusibleOps.def"
  };
  return keys;
}

bool isConstant(const Value *v) { return v->node()->kind() == prim::Constant(); }

/// `[a, b]` of constants (a reduction's `dim`): copied into a group like a
/// constant, since the frontend builds such lists with prim::ListConstruct.
bool isConstantList(const Value *v) {
  const Node *n = v->node();
  return n->kind().qualString() == "prim::ListConstruct" &&
         std::all_of(n->inputs().begin(), n->inputs().end(), isConstant);
}

bool fusibleArgument(const Value *v, const Argument &arg) {
  TypeKind formal = arg.type->kind();
  if (formal == TypeKind::Tensor)
    return v->type()->kind() == TypeKind::Tensor;
  bool optionalTensor = formal == TypeKind::Optional && arg.type->elem()->kind() == TypeKind::Tensor;
  if (optionalTensor && v->type()->kind() == TypeKind::Tensor)
    return true;
  if (isConstant(v) || isConstantList(v))
    return true;
  // `int` parameters (dtype among them: ScalarType is an int) must be
  // constants; Scalar and float operands may vary from call to call.
  bool numericFormal = formal == TypeKind::Number || formal == TypeKind::Float;
  TypeKind actual = v->type()->kind();
  return numericFormal && (actual == TypeKind::Int || actual == TypeKind::Float);
}

bool isFusible(const Node *n) {
  const FunctionSchema *schema = n->schema();
  if (!schema || !n->blocks().empty() || n->outputs().size() != 1 ||
      n->output()->type()->kind() != TypeKind::Tensor)
    return false;
  std::string key = schema->name + (schema->overload.empty() ? "" : "." + schema->overload);
  if (!fusibleKeys().count(key) || n->inputs().size() != schema->arguments.size())
    return false;
  for (size_t i = 0; i < n->inputs().size(); ++i)
    if (!fusibleArgument(n->input(i), schema->arguments[i]))
      return false;
  return true;
}

class ElementwiseFuser {
public:
  ElementwiseFuser(Graph &g) : g_(g), aa_(g) {}
  int64_t groups = 0, fused = 0;

  void runBlock(Block *b) {
    for (Node *n : b->nodes())
      for (Block *sub : n->blocks())
        runBlock(sub);
    std::vector<Node *> nodes = b->nodes();
    pos_.clear();
    for (size_t i = 0; i < nodes.size(); ++i)
      pos_[nodes[i]] = i;
    std::vector<std::vector<Node *>> found; // latest anchor first
    for (size_t i = nodes.size(); i-- > 0;)
      if (!assigned_.count(nodes[i]) && isFusible(nodes[i]))
        found.push_back(grow(b, nodes, nodes[i]));
    mergeNeighbours(found, nodes);
    for (const std::vector<Node *> &group : found) {
      if (group.size() < 2)
        continue;
      materialise(group, group.front());
      ++groups;
      fused += int64_t(group.size());
    }
  }

private:
  /// Step 3: from the earliest group on, each group joins the next one down
  /// the block when all its nodes can move to that group's anchor (a value
  /// several groups read, say, and the statistics taken of it).
  void mergeNeighbours(std::vector<std::vector<Node *>> &found, const std::vector<Node *> &nodes) {
    for (size_t k = found.size(); k-- > 1;) {
      std::vector<Node *> &earlier = found[k], &later = found[k - 1];
      std::unordered_set<Node *> members(earlier.begin(), earlier.end());
      members.insert(later.begin(), later.end());
      size_t anchorPos = pos_.at(later.front());
      bool movable = std::all_of(earlier.begin(), earlier.end(), [&](Node *p) {
        return canMoveDown(p, members, nodes, anchorPos);
      });
      if (!movable)
        continue;
      later.insert(later.end(), earlier.begin(), earlier.end());
      earlier.clear();
    }
  }

  /// Steps 1-2: the anchor and the producers that can move down to it.
  std::vector<Node *> grow(Block *b, const std::vector<Node *> &nodes, Node *anchor) {
    std::vector<Node *> group{anchor};
    std::unordered_set<Node *> members{anchor};
    for (size_t k = 0; k < group.size(); ++k) {
      for (Value *v : group[k]->inputs()) {
        Node *p = v->node();
        if (p->owningBlock() != b || members.count(p) || assigned_.count(p) || isConstant(v) ||
            !pos_.count(p) || !isFusible(p) || !canMoveDown(p, members, nodes, pos_.at(anchor)))
          continue;
        members.insert(p);
        group.push_back(p);
      }
    }
    for (Node *n : group)
      assigned_.insert(n);
    return group;
  }

  /// The position in this block of the node holding `user` (itself, or the
  /// node whose nested block holds it); the return node counts as last.
  size_t positionOf(Node *user, size_t last) const {
    for (Node *n = user; n; n = n->owningBlock() ? n->owningBlock()->owningNode() : nullptr)
      if (auto it = pos_.find(n); it != pos_.end())
        return it->second;
    return last;
  }

  bool canMoveDown(Node *p, const std::unordered_set<Node *> &members,
                   const std::vector<Node *> &nodes, size_t anchorPos) const {
    for (Value *out : p->outputs())
      for (const Use &u : out->uses())
        if (!members.count(u.user) && positionOf(u.user, nodes.size()) <= anchorPos)
          return false;
    std::vector<const Value *> reads(p->inputs().begin(), p->inputs().end());
    for (size_t i = pos_.at(p) + 1; i < anchorPos; ++i)
      if (!members.count(nodes[i]) && !assigned_.count(nodes[i]) && writes(nodes[i], reads))
        return false;
    return true;
  }

  bool writes(const Node *n, const std::vector<const Value *> &values) const {
    if (aa_.writesToAlias(n, values) || (aa_.hasSideEffects(n) && !n->blocks().empty()))
      return true;
    for (const Block *sub : n->blocks())
      for (const Node *inner : sub->nodes())
        if (writes(inner, values))
          return true;
    return false;
  }

  /// Step 4.
  Node *materialise(std::vector<Node *> group, Node *anchor) {
    std::sort(group.begin(), group.end(), [&](Node *a, Node *c) { return pos_.at(a) < pos_.at(c); });
    std::unordered_set<Node *> members(group.begin(), group.end());
    auto sub = std::make_shared<Graph>();
    std::unordered_map<Value *, Value *> inner;
    std::vector<Value *> outerInputs;
    std::function<Value *(Value *)> mapInput = [&](Value *v) -> Value * {
      if (auto it = inner.find(v); it != inner.end())
        return it->second;
      Value *mapped;
      if (isConstant(v) || isConstantList(v)) {
        std::vector<Value *> elements;
        for (Value *e : v->node()->inputs())
          elements.push_back(mapInput(e));
        Node *c = sub->create(v->node()->kind(), elements, 1);
        c->copyAttributes(*v->node());
        sub->block()->appendNode(c);
        mapped = c->output()->copyMetadata(v);
      } else {
        mapped = sub->addInput()->copyMetadata(v);
        outerInputs.push_back(v);
      }
      return inner[v] = mapped;
    };
    for (Node *n : group) // constants first, at the top of the subgraph
      for (Value *v : n->inputs())
        if (isConstant(v) || isConstantList(v))
          mapInput(v);
    for (Node *n : group) {
      std::vector<Value *> ins;
      for (Value *v : n->inputs())
        ins.push_back(mapInput(v));
      Node *copy = sub->create(n->kind(), ins, n->outputs().size());
      copy->copyAttributes(*n);
      copy->setSourceLocation(n->sourceLocation());
      copy->setTextSpan(n->textSpan());
      copy->setInlinedFrom(n->inlinedFrom());
      sub->block()->appendNode(copy);
      for (size_t i = 0; i < n->outputs().size(); ++i)
        inner[n->output(i)] = copy->output(i)->copyMetadata(n->output(i));
    }
    Node *fusion = g_.create(Symbol::fromQualString("prim::FusionGroup"), outerInputs, 0);
    fusion->g_(attr::Subgraph(), sub);
    fusion->insertBefore(anchor);
    for (Node *n : group)
      for (Value *out : n->outputs()) {
        bool usedOutside = std::any_of(out->uses().begin(), out->uses().end(),
                                       [&](const Use &u) { return !members.count(u.user); });
        if (!usedOutside)
          continue;
        sub->registerOutput(inner.at(out));
        Value *result = fusion->addOutput()->setType(out->type());
        std::string name = out->hasDebugName() ? out->debugName() : "";
        out->replaceAllUsesWith(result);
        out->setDebugName("");
        result->setDebugName(name);
      }
    for (auto it = group.rbegin(); it != group.rend(); ++it)
      (*it)->destroy();
    return fusion;
  }

  Graph &g_;
  AliasAnalysis aa_;
  std::unordered_map<const Node *, size_t> pos_;
  std::unordered_set<const Node *> assigned_;
};

class FuseElementwisePass : public Pass {
public:
  bool run(Graph &g, PassContext &ctx) override {
    ElementwiseFuser fuser(g);
    fuser.runBlock(g.block());
    ctx.count("fuse-elementwise", "groups", fuser.groups);
    ctx.count("fuse-elementwise", "fused-nodes", fuser.fused);
    return fuser.groups > 0;
  }
};

} // namespace

std::unique_ptr<Pass> createFuseElementwisePass() { return std::make_unique<FuseElementwisePass>(); }

} // namespace ember
