//===- passes/RemoveMutation.cpp - remove-mutation ------------------------===//
//
// TorchScript's RemoveListMutation (reference §4.1): a list built by
// prim::ListConstruct and then grown with aten::append becomes one
// prim::ListConstruct of all its elements, where nothing could observe the
// difference. After loop unrolling, `outs = []` plus one append per
// iteration becomes a list of known length, which peephole and constant
// propagation then see through (`len(outs)`).
//
// Algorithm, per prim::ListConstruct in each block:
//   1. Every use of the list must be in the same block and either an
//      aten::append to it or a plain read: an operator with a schema that
//      writes nothing and does not capture the list (no container, call,
//      attribute store or block output), or the graph's return. Anything
//      else (a
//      use inside a loop, which may append once per iteration) leaves the
//      list alone.
//   2. The first append is replaced by a new prim::ListConstruct of the
//      elements so far plus the appended one; later uses read the new
//      list, earlier reads keep the old one.
//   3. Repeat from the new list.
// Tensor mutation (`x.add_(y)`) stays: making it functional needs the
// dtypes of intermediate values, which ember does not propagate yet.
//
//===----------------------------------------------------------------------===//
#include "passes/AliasAnalysis.h"
#include "passes/Passes.h"

#include "ir/Schema.h"

#include <unordered_set>

namespace ember {
namespace {

bool is(const Node *n, const char *kind) { return n->kind().qualString() == kind; }

bool isAppendTo(const Node *n, const Value *list) {
  return is(n, "aten::append") && n->inputs().size() == 2 && n->input(0) == list;
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
      foldAppends(n);
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
  void foldAppends(Node *construct) {
    while (Node *append = firstFoldableAppend(construct)) {
      std::vector<Value *> elems = construct->inputs();
      elems.push_back(append->input(1));
      g_.setInsertPoint(append);
      Node *grown = g_.insert(Symbol::prim("ListConstruct"), elems, 1);
      g_.setInsertPoint(g_.block());
      Value *list = construct->output();
      grown->output()->setType(list->type());
      grown->setSourceLocation(append->sourceLocation());
      list->replaceAllUsesAfterNodeWith(append, grown->output());
      append->output()->replaceAllUsesWith(grown->output());
      append->destroy();
      ++removed;
      construct = grown;
    }
  }

  /// The first append to the list, if every use of the list qualifies.
  Node *firstFoldableAppend(Node *construct) {
    Value *list = construct->output();
    Node *first = nullptr;
    for (const Use &u : list->uses()) {
      if (u.user->owningBlock() != construct->owningBlock())
        return nullptr;
      if (isAppendTo(u.user, list)) {
        if (!first || u.user->isBefore(first))
          first = u.user;
      } else if (!isPlainRead(u.user, list, aa_)) {
        return nullptr;
      }
    }
    // The append's result is the list: it must only be read too.
    if (first)
      for (const Use &u : first->output()->uses())
        if (u.user->owningBlock() != construct->owningBlock() ||
            (!isAppendTo(u.user, first->output()) && !isPlainRead(u.user, first->output(), aa_)))
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
    ctx.count("remove-mutation", "appends-removed", remover.removed);
    return remover.removed > 0;
  }
};

} // namespace

std::unique_ptr<Pass> createRemoveMutationPass() { return std::make_unique<RemoveMutationPass>(); }

} // namespace ember
