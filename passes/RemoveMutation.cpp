//===- passes/RemoveMutation.cpp - remove-mutation ------------------------===//
//
// TorchScript's RemoveListMutation (reference §4.1): a list built by
// prim::ListConstruct and then changed with aten::append, aten::insert or
// `l[i] = v` (aten::_set_item) at constant indices becomes one
// prim::ListConstruct of all its elements, where nothing could observe the
// difference. After loop unrolling, `outs = []` plus one append per
// iteration becomes a list of known length, which peephole and constant
// propagation then see through (`len(outs)`).
//
// Algorithm, per prim::ListConstruct in each block:
//   1. Every use of the list must be in the same block and either one of
//      those mutations of it or a plain read: an operator with a schema that
//      writes nothing and does not capture the list (no container, call,
//      attribute store or block output), or the graph's return. Anything
//      else (a use inside a loop, which may append once per iteration)
//      leaves the list alone.
//   2. The first mutation, when its index is a constant (and, for `l[i] =`,
//      in range: otherwise it raises), is replaced by a new
//      prim::ListConstruct of the elements it leaves, placed as Python
//      places them (insert clamps its index); later uses read the new list,
//      earlier reads keep the old one.
//   3. Repeat from the new list.
// Tensor mutation (`x.add_(y)`) stays: making it functional needs the
// dtypes of intermediate values, which ember does not propagate yet.
//
//===----------------------------------------------------------------------===//
#include "passes/AliasAnalysis.h"
#include "passes/Passes.h"

#include "ir/Constants.h"
#include "ir/Schema.h"

#include <algorithm>
#include <optional>
#include <unordered_set>

namespace ember {
namespace {

bool is(const Node *n, const char *kind) { return n->kind().qualString() == kind; }

/// A change of `list` in place that step 2 knows how to fold.
bool isListMutation(const Node *n, const Value *list) {
  size_t arity = is(n, "aten::append") ? 2 : is(n, "aten::insert") || is(n, "aten::_set_item") ? 3 : 0;
  return arity && n->inputs().size() == arity && n->input(0) == list;
}

/// The elements of a list holding `elems` after the mutation `m`, or nothing
/// when they are not known (an index that is not a constant or, for
/// `l[i] = v`, out of range).
std::optional<std::vector<Value *>> elementsAfter(std::vector<Value *> elems, const Node *m) {
  if (is(m, "aten::append")) {
    elems.push_back(m->input(1));
    return elems;
  }
  auto index = constantInt(m->input(1));
  if (!index)
    return std::nullopt;
  auto size = int64_t(elems.size());
  int64_t i = *index < 0 ? *index + size : *index;
  if (is(m, "aten::insert")) {
    i = std::clamp<int64_t>(i, 0, size);
    elems.insert(elems.begin() + i, m->input(2));
    return elems;
  }
  if (i < 0 || i >= size)
    return std::nullopt;
  elems[size_t(i)] = m->input(2);
  return elems;
}

/// Step 1 for one use of `list`.
bool isPlainRead(const Node *user, const Value *list, const AliasAnalysis &aa) {
  // Returning the list from the graph hands out the grown list instead,
  // which no one else holds.
  if (is(user, "prim::Return") && !user->owningBlock()->owningNode())
    return true;
  static const std::unordered_set<std::string> capturing = {
      "prim::ListConstruct", "prim::TupleConstruct", "prim::DictConstruct", "prim::SetAttr",
      "prim::CallFunction", "prim::CallMethod", "prim::Return", "prim::If", "prim::Loop",
      "prim::fork", "prim::PythonOp", "aten::list", "prim::unchecked_cast", "prim::ListUnpack"};
  if (capturing.count(user->kind().qualString()) || !user->blocks().empty())
    return false;
  const FunctionSchema *schema = user->schema();
  if (!schema || schema->conservative || aa.isWriter(user))
    return false;
  // A result that may be the list itself (or hold it) captures it.
  for (size_t i = 0; i < user->inputs().size() && i < schema->arguments.size(); ++i)
    if (user->input(i) == list && schema->arguments[i].alias)
      return false;
  return true;
}

class ListMutationRemover {
public:
  explicit ListMutationRemover(Graph &g) : g_(g), aa_(g) {}
  int64_t removed = 0;

  void run(Block *b) {
    // Collected first: folding destroys appends a walk would reach later.
    std::vector<Node *> constructs;
    collect(b, constructs);
    for (Node *n : constructs)
      foldMutations(n);
  }

private:
  static void collect(Block *b, std::vector<Node *> &out) {
    for (Node *n : b->nodes()) {
      for (Block *inner : n->blocks())
        collect(inner, out);
      if (is(n, "prim::ListConstruct"))
        out.push_back(n);
    }
  }

  /// Steps 2 and 3, from the list `construct` builds.
  void foldMutations(Node *construct) {
    while (Node *mutation = firstMutation(construct)) {
      auto elems = elementsAfter(construct->inputs(), mutation);
      if (!elems)
        return;
      g_.setInsertPoint(mutation);
      Node *changed = g_.insert(Symbol::prim("ListConstruct"), *elems, 1);
      g_.setInsertPoint(g_.block());
      Value *list = construct->output();
      changed->output()->setType(list->type());
      changed->setSourceLocation(mutation->sourceLocation());
      list->replaceAllUsesAfterNodeWith(mutation, changed->output());
      for (Value *o : mutation->outputs())
        o->replaceAllUsesWith(changed->output());
      mutation->destroy();
      ++removed;
      construct = changed;
    }
  }

  /// The first mutation of the list, if every use of the list qualifies.
  Node *firstMutation(Node *construct) {
    Value *list = construct->output();
    Node *first = nullptr;
    for (const Use &u : list->uses()) {
      if (u.user->owningBlock() != construct->owningBlock())
        return nullptr;
      if (isListMutation(u.user, list)) {
        if (!first || u.user->isBefore(first))
          first = u.user;
      } else if (!isPlainRead(u.user, list, aa_)) {
        return nullptr;
      }
    }
    // The result of append and `l[i] =` is the list: it must only be read too.
    if (first)
      for (const Value *o : first->outputs())
        for (const Use &u : o->uses())
          if (u.user->owningBlock() != construct->owningBlock() ||
              (!isListMutation(u.user, o) && !isPlainRead(u.user, o, aa_)))
            return nullptr;
    return first;
  }

  Graph &g_;
  AliasAnalysis aa_;
};

class RemoveMutationPass : public Pass {
public:
  bool run(Graph &g, PassContext &ctx) override {
    ListMutationRemover remover(g);
    remover.run(g.block());
    ctx.count("remove-mutation", "mutations-removed", remover.removed);
    return remover.removed > 0;
  }
};

} // namespace

std::unique_ptr<Pass> createRemoveMutationPass() { return std::make_unique<RemoveMutationPass>(); }

} // namespace ember
