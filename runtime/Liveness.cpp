//===- runtime/Liveness.cpp - where values die ----------------------------===//
//
// Where each value dies: the node of its defining block that contains
// its last use (a use inside an If or Loop counts at that node, so a
// value read in a loop body lives through the whole loop). Values a
// block returns live to its end; unused values die where they are made.
// Constants never die: the frame holds them from the start of a call.
//
//===----------------------------------------------------------------------===//
#include "runtime/Liveness.h"

namespace ember::runtime {
namespace {

void collect(const Block &b, LastUses &dropAfter) {
  std::unordered_map<const Node *, size_t> position;
  size_t i = 0;
  for (const Node *n : b.nodes())
    position[n] = i++;
  auto lastUse = [&](const Value *v) -> const Node * {
    const Node *last = nullptr;
    for (const Use &u : v->uses()) {
      const Node *user = u.user;
      while (user && user->owningBlock() != &b)
        user = user->owningBlock()->owningNode();
      if (!user || user == b.returnNode())
        return nullptr; // returned (or unknown): keep it
      if (!last || position[user] > position[last])
        last = user;
    }
    return last;
  };
  auto consider = [&](const Value *v, const Node *definer) {
    TypeKind k = v->type()->kind();
    if (k == TypeKind::Int || k == TypeKind::Float || k == TypeKind::Bool || k == TypeKind::None)
      return;
    // A constant's register is filled once per call (Code::initial), not
    // where its node sits: one inside a loop body must outlive an iteration.
    if (definer && definer->kind() == prim::Constant())
      return;
    const Node *at = v->uses().empty() ? definer : lastUse(v);
    if (at && at->kind() != prim::Constant())
      dropAfter[at].push_back(v);
  };
  for (const Value *v : b.inputs())
    if (!v->uses().empty())
      consider(v, nullptr);
  for (const Node *n : b.nodes()) {
    for (const Value *v : n->outputs())
      consider(v, n);
    for (const Block *inner : n->blocks())
      collect(*inner, dropAfter);
  }
}

} // namespace

LastUses lastUses(const Block &b) {
  LastUses out;
  collect(b, out);
  return out;
}

} // namespace ember::runtime
