//===- passes/Inline.cpp - inline -----------------------------------------===//
//
// Replaces `prim::CallFunction(%f, args...)`, where %f is
// `prim::Constant[name="callee"]()` and the compilation unit defines
// `callee`, with a copy of the callee's body (itself inlined first); and
// `prim::CallMethod[name="m"](%obj, args...)` where the unit defines the
// method `Class.m` of %obj's class (`__torch__.Class`), as TorchScript's
// inliner does for module and class methods.
// Recursion is reported with the call chain, since TorchScript rejects it.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include <algorithm>

namespace ember {
namespace {

class Inliner {
public:
  Inliner(CompilationUnit *unit) : unit_(unit) {}
  int64_t inlined = 0;

  void runGraph(Graph &g) {
    stack_.push_back(g.name());
    runBlock(g, g.block());
    stack_.pop_back();
  }

private:
  Graph *callee(const Node *call) {
    if (!unit_ || call->inputs().empty())
      return nullptr;
    if (call->kind().qualString() == "prim::CallMethod") {
      const TypePtr &self = call->input(0)->type();
      const AttributeValue *method = call->findAttribute(attr::name());
      const std::string prefix = "__torch__.";
      if (self->kind() != TypeKind::Class || !method || self->name().rfind(prefix, 0) != 0)
        return nullptr;
      return unit_->find(self->name().substr(prefix.size()) + "." + method->s);
    }
    const Node *fn = call->input(0)->node();
    if (fn->kind() != prim::Constant())
      return nullptr;
    const AttributeValue *name = fn->findAttribute(attr::name());
    if (!name || name->kind != AttributeKind::s)
      return nullptr;
    return unit_->find(name->s);
  }

  void runBlock(Graph &g, Block *b) {
    for (Node *n : b->nodes()) {
      for (Block *sub : n->blocks())
        runBlock(g, sub);
      bool isMethod = n->kind().qualString() == "prim::CallMethod";
      if (!isMethod && n->kind().qualString() != "prim::CallFunction")
        continue;
      Graph *target = callee(n);
      if (!target)
        continue;
      if (std::find(stack_.begin(), stack_.end(), target->name()) != stack_.end()) {
        std::string chain;
        for (const auto &f : stack_)
          chain += f + " -> ";
        throw PassError("inline: recursive call " + chain + target->name() +
                        "; TorchScript functions cannot be recursive");
      }
      size_t first = isMethod ? 0 : 1; // a function call's first input is the callee
      if (target->inputs().size() != n->inputs().size() - first ||
          target->outputs().size() != n->outputs().size())
        throw PassError("inline: call to '" + target->name() + "' passes " +
                        std::to_string(n->inputs().size() - first) + " arguments and expects " +
                        std::to_string(n->outputs().size()) + " results, but the function takes " +
                        std::to_string(target->inputs().size()) + " and returns " +
                        std::to_string(target->outputs().size()));
      auto body = target->copy();
      runGraph(*body);
      inlineCall(g, n, *body, first);
    }
  }

  void inlineCall(Graph &g, Node *call, Graph &body, size_t first) {
    std::vector<Value *> args(call->inputs().begin() + first, call->inputs().end());
    g.setInsertPoint(call);
    std::vector<Value *> results =
        insertGraph(g, body, args, [&](Node *n) { recordCall(n, call, body.name()); });
    g.setInsertPoint(g.block());
    for (size_t i = 0; i < call->outputs().size(); ++i) {
      // As TorchScript's inlineCallTo: the caller's name for the result
      // wins (`input.9 = relu(...)`, not the callee's `result`).
      if (call->output(i)->hasDebugName())
        results[i]->setDebugName(call->output(i)->debugName());
      call->output(i)->replaceAllUsesWith(results[i]);
    }
    call->destroy();
    ++inlined;
  }

  /// Appends the call to the inlined-from chain of a node copied out of the
  /// callee (and of the nodes in its blocks), after the chain of the call
  /// itself when it was inlined too.
  static void recordCall(Node *n, const Node *call, const std::string &callee) {
    auto calls = std::make_shared<std::vector<InlinedCall>>();
    if (n->inlinedFrom())
      *calls = *n->inlinedFrom();
    calls->push_back({callee, call->sourceLocation(), call->textSpan()});
    if (call->inlinedFrom())
      calls->insert(calls->end(), call->inlinedFrom()->begin(), call->inlinedFrom()->end());
    n->setInlinedFrom(std::move(calls));
    for (Block *sub : n->blocks())
      for (Node *inner : sub->nodes())
        recordCall(inner, call, callee);
  }

  CompilationUnit *unit_;
  std::vector<std::string> stack_;
};

class InlinePass : public Pass {
public:
  bool run(Graph &g, PassContext &ctx) override {
    Inliner inliner(ctx.unit);
    inliner.runGraph(g);
    ctx.count("inline", "calls-inlined", inliner.inlined);
    return inliner.inlined > 0;
  }
};

} // namespace

std::unique_ptr<Pass> createInlinePass() { return std::make_unique<InlinePass>(); }

} // namespace ember
