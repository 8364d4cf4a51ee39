//===- ir/Verifier.cpp - structural and type invariants of a graph --------===//
//
// Algorithm:
//   1. walk the blocks in order, keeping the set of values in scope (block
//      inputs, then each node's outputs; a sub-block sees its enclosing
//      scopes); every input must be in scope when used (dominance);
//   2. check each value's use list against the inputs that name it, and the
//      other way round;
//   3. check node order, `prim::If` / `prim::Loop` block arities and types,
//      and that a node of a known operator binds to one of its overloads;
//   4. recurse into subgraph attributes.
//
//===----------------------------------------------------------------------===//
#include "ir/Verifier.h"

#include "ir/Printer.h"
#include "ir/Schema.h"

#include <sstream>
#include <unordered_set>

namespace ember {

VerificationError::VerificationError(const std::string &message, std::optional<SourceSpan> span)
    : std::runtime_error(message), message_(message), span_(std::move(span)),
      rendered_(span_ ? renderDiagnostic(*span_, "error", message) : message) {}

VerificationError VerificationError::withContext(const std::string &prefix) const {
  return VerificationError(prefix + message_, span_);
}

namespace {

std::string describeNode(const Node *n) {
  // Print the node as a one-line graph fragment.
  std::ostringstream ss;
  for (size_t i = 0; i < n->outputs().size(); ++i)
    ss << (i ? ", " : "") << "%" << n->output(i)->debugName() << " : "
       << n->output(i)->type()->str();
  ss << " = " << n->kind().qualString() << "(";
  for (size_t i = 0; i < n->inputs().size(); ++i)
    ss << (i ? ", " : "") << "%" << n->input(i)->debugName();
  ss << ")";
  return ss.str();
}

std::string typeList(const std::vector<Value *> &vs) {
  std::string s = "(";
  for (size_t i = 0; i < vs.size(); ++i)
    s += (i ? ", " : "") + vs[i]->type()->str();
  return s + ")";
}

/// Ops whose inputs are variadic or structural and checked here by hand.
bool isStructural(Symbol k) {
  static const std::unordered_set<std::string> names = {
      "prim::Constant", "prim::If", "prim::Loop", "prim::Param", "prim::Return"};
  return names.count(k.qualString()) > 0;
}

class Verifier {
public:
  void run(const Graph &g) {
    std::vector<std::unordered_set<const Value *>> scopes;
    checkBlock(g.block(), scopes);
  }

private:
  [[noreturn]] void fail(const Node *n, const std::string &message) {
    if (n->textSpan())
      throw VerificationError(message, n->textSpan());
    throw VerificationError(message + "\n  in node: " + describeNode(n));
  }

  bool inScope(const Value *v, const std::vector<std::unordered_set<const Value *>> &scopes) {
    for (const auto &s : scopes)
      if (s.count(v))
        return true;
    return false;
  }

  void checkUses(const Value *v) {
    for (const Use &u : v->uses()) {
      if (u.offset >= u.user->inputs().size() || u.user->input(u.offset) != v)
        throw VerificationError("use list of %" + v->debugName() +
                                " names an input that does not hold it");
    }
  }

  void checkBlock(const Block *b, std::vector<std::unordered_set<const Value *>> &scopes) {
    scopes.emplace_back();
    for (const Value *in : b->inputs()) {
      if (in->node() != b->paramNode())
        throw VerificationError("block input %" + in->debugName() + " has the wrong owner");
      scopes.back().insert(in);
      checkUses(in);
    }
    const Node *prev = nullptr;
    for (const Node *n : b->nodes()) {
      if (n->owningBlock() != b)
        fail(n, "node is linked into a block it does not record as its owner");
      if (prev && !prev->isBefore(n))
        fail(n, "topological positions are out of order");
      prev = n;
      for (size_t i = 0; i < n->inputs().size(); ++i) {
        const Value *v = n->input(i);
        if (!inScope(v, scopes))
          fail(n, "%" + v->debugName() + " is used before it is defined (or outside its scope)");
        bool found = false;
        for (const Use &u : v->uses())
          found |= u.user == n && u.offset == i;
        if (!found)
          fail(n, "use list of %" + v->debugName() + " misses input " + std::to_string(i));
      }
      checkNode(n);
      for (const Block *sub : n->blocks()) {
        if (sub->owningNode() != n)
          fail(n, "sub-block does not record its owning node");
        checkBlock(sub, scopes);
      }
      for (const Value *o : n->outputs()) {
        scopes.back().insert(o);
        checkUses(o);
      }
      for (const auto &[name, a] : n->attributes()) {
        if (a.kind == AttributeKind::g && a.g)
          Verifier().run(*a.g);
        for (const auto &sg : a.gs)
          Verifier().run(*sg);
      }
    }
    const Node *ret = b->returnNode();
    for (size_t i = 0; i < ret->inputs().size(); ++i) {
      const Value *v = ret->input(i);
      if (!inScope(v, scopes))
        throw VerificationError("block output %" + v->debugName() +
                                " is used before it is defined (or outside its scope)");
      bool found = false;
      for (const Use &u : v->uses())
        found |= u.user == ret && u.offset == i;
      if (!found)
        throw VerificationError("use list of %" + v->debugName() + " misses a block output");
    }
    scopes.pop_back();
  }

  void checkBlockOutputs(const Node *n, const Block *b, size_t skip, const char *what) {
    const auto &outs = b->outputs();
    if (outs.size() != n->outputs().size() + skip)
      fail(n, std::string(what) + " returns " + std::to_string(outs.size()) +
                  " values but the node has " + std::to_string(n->outputs().size()) +
                  " outputs" + (skip ? " (plus the loop condition)" : ""));
    for (size_t i = 0; i < n->outputs().size(); ++i) {
      const TypePtr &have = outs[i + skip]->type();
      const TypePtr &want = n->output(i)->type();
      if (!have->isSubtypeOf(*want))
        fail(n, std::string(what) + " output " + std::to_string(i) + " has type " + have->str() +
                    ", which is not a subtype of the node's output type " + want->str());
    }
  }

  void checkNode(const Node *n) {
    Symbol k = n->kind();
    if (k == prim::If()) {
      if (n->inputs().size() != 1 || n->input(0)->type()->kind() != TypeKind::Bool)
        fail(n, "prim::If takes one bool condition, found " + typeList(n->inputs()));
      if (n->blocks().size() != 2)
        fail(n, "prim::If needs two blocks, found " + std::to_string(n->blocks().size()));
      for (size_t i = 0; i < 2; ++i) {
        if (!n->blocks()[i]->inputs().empty())
          fail(n, "the blocks of prim::If take no inputs");
        checkBlockOutputs(n, n->blocks()[i], 0, i == 0 ? "block0 of prim::If" : "block1 of prim::If");
      }
      return;
    }
    if (k == prim::Loop()) {
      if (n->inputs().size() < 2)
        fail(n, "prim::Loop takes a trip count and a condition, found " +
                    std::to_string(n->inputs().size()) + " inputs");
      if (n->input(0)->type()->kind() != TypeKind::Int)
        fail(n, "the trip count of prim::Loop must be int, found " + n->input(0)->type()->str());
      if (n->input(1)->type()->kind() != TypeKind::Bool)
        fail(n, "the condition of prim::Loop must be bool, found " + n->input(1)->type()->str());
      if (n->blocks().size() != 1)
        fail(n, "prim::Loop needs one body block, found " + std::to_string(n->blocks().size()));
      size_t carried = n->inputs().size() - 2;
      if (n->outputs().size() != carried)
        fail(n, "prim::Loop carries " + std::to_string(carried) + " values but has " +
                    std::to_string(n->outputs().size()) + " outputs");
      const Block *body = n->blocks()[0];
      if (body->inputs().size() != carried + 1)
        fail(n, "the body of prim::Loop takes " + std::to_string(body->inputs().size()) +
                    " inputs; expected the iteration number and " + std::to_string(carried) +
                    " carried values");
      if (body->inputs()[0]->type()->kind() != TypeKind::Int)
        fail(n, "the first input of a loop body is the int iteration number, found " +
                    body->inputs()[0]->type()->str());
      if (body->outputs().empty() || body->outputs()[0]->type()->kind() != TypeKind::Bool)
        fail(n, "the first output of a loop body is the bool condition");
      checkBlockOutputs(n, body, 1, "the body of prim::Loop");
      return;
    }
    if (!n->blocks().empty())
      fail(n, "only prim::If and prim::Loop may have blocks");
    if (isStructural(k) || n->hasAttribute(attr::Subgraph()))
      return;
    auto overloads = OperatorRegistry::global().lookup(k);
    if (overloads.empty() || !OperatorRegistry::global().isComplete())
      return; // an operator ember has no schema for: nothing to check against
    const FunctionSchema *s = n->schema();
    if (!s)
      fail(n, "no overload of " + k.qualString() + " accepts arguments of types " +
                  typeList(n->inputs()) + "; the first is " + overloads[0]->str());
    if (!s->varRets && s->returns.size() != n->outputs().size())
      fail(n, k.qualString() + " returns " + std::to_string(s->returns.size()) +
                  " values but the node has " + std::to_string(n->outputs().size()) + " outputs");
  }
};

} // namespace

void verify(const Graph &g) { Verifier().run(g); }

void verify(const CompilationUnit &cu) {
  for (const auto &f : cu.functions()) {
    try {
      verify(*f);
    } catch (const VerificationError &e) {
      throw e.withContext("in function '" + f->name() + "': ");
    }
  }
}

} // namespace ember
