// Unit tests for the IR API: use lists, topological order, name uniquing.
#include "ir/Graph.h"
#include "ir/Parser.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"

#include <gtest/gtest.h>

using namespace ember;

namespace {

std::shared_ptr<Graph> sample() {
  return parseGraph(R"IR(graph(%x : Tensor, %y : Tensor):
  %a : Tensor = aten::mul(%x, %y)
  %b : Tensor = aten::relu(%a)
  %c : Tensor = aten::mul(%a, %b)
  return (%c)
)IR");
}

Node *nodeNamed(Graph &g, const std::string &outName) {
  for (Node *n : g.nodes())
    for (Value *o : n->outputs())
      if (o->debugName() == outName)
        return n;
  return nullptr;
}

} // namespace

TEST(Graph, UseListsAfterReplaceAllUsesWith) {
  auto g = sample();
  Value *x = g->inputs()[0];
  Value *a = nodeNamed(*g, "a")->output();
  ASSERT_EQ(a->uses().size(), 2u);
  a->replaceAllUsesWith(x);
  EXPECT_TRUE(a->uses().empty());
  // x is now used by its original mul plus relu and the second mul.
  EXPECT_EQ(x->uses().size(), 3u);
  for (const Use &u : x->uses())
    EXPECT_EQ(u.user->input(u.offset), x);
  nodeNamed(*g, "a")->destroy();
  EXPECT_EQ(x->uses().size(), 2u);
  verify(*g);
}

TEST(Graph, ReplaceInputKeepsOffsets) {
  auto g = sample();
  Node *c = nodeNamed(*g, "c");
  Value *y = g->inputs()[1];
  c->replaceInput(1, y);
  EXPECT_EQ(c->input(1), y);
  bool found = false;
  for (const Use &u : y->uses())
    found |= u.user == c && u.offset == 1;
  EXPECT_TRUE(found);
  c->removeInput(0);
  EXPECT_EQ(c->inputs().size(), 1u);
  for (const Use &u : y->uses()) {
    if (u.user == c) {
      EXPECT_EQ(u.offset, 0u);
    }
  }
}

TEST(Graph, TopologicalOrderAfterMoves) {
  auto g = sample();
  Node *a = nodeNamed(*g, "a"), *b = nodeNamed(*g, "b"), *c = nodeNamed(*g, "c");
  EXPECT_TRUE(a->isBefore(b));
  EXPECT_TRUE(b->isBefore(c));
  EXPECT_TRUE(c->isAfter(a));
  c->moveBefore(b); // now a, c, b: c uses b, so the IR is invalid, but order holds
  EXPECT_TRUE(c->isBefore(b));
  EXPECT_TRUE(a->isBefore(c));
  EXPECT_THROW(verify(*g), VerificationError);
  b->moveBefore(c);
  EXPECT_TRUE(b->isBefore(c));
  verify(*g);
}

TEST(Graph, ManyInsertionsBetweenTwoNodesRenumber) {
  auto g = sample();
  Node *a = nodeNamed(*g, "a"), *b = nodeNamed(*g, "b");
  // Repeated midpoint insertion exhausts the 2^40 gap and forces a reindex.
  Node *prev = a;
  for (int i = 0; i < 100; ++i) {
    Node *n = g->create(Symbol::prim("Uninitialized"));
    n->insertAfter(prev);
    prev = n;
  }
  EXPECT_TRUE(a->isBefore(prev));
  EXPECT_TRUE(prev->isBefore(b));
  Node *last = nullptr;
  for (Node *n : g->nodes()) {
    if (last) {
      EXPECT_TRUE(last->isBefore(n));
    }
    last = n;
  }
}

TEST(Graph, NestedBlockOrder) {
  auto g = parseGraph(R"IR(graph(%c : bool, %x : Tensor):
  %r : Tensor = prim::If(%c)
    block0():
      %y : Tensor = aten::relu(%x)
      -> (%y)
    block1():
      -> (%x)
  %z : Tensor = aten::neg(%r)
  return (%z)
)IR");
  Node *ifNode = g->nodes()[0];
  Node *inner = ifNode->blocks()[0]->nodes()[0];
  Node *after = g->nodes()[1];
  EXPECT_TRUE(ifNode->isBefore(inner));
  EXPECT_TRUE(inner->isBefore(after));
  EXPECT_TRUE(after->isAfter(inner));
}

TEST(Graph, DebugNameUniquingRenamesPreviousOwner) {
  Graph g;
  Value *a = g.addInput("x");
  Value *b = g.addInput("x");
  EXPECT_EQ(b->debugName(), "x");
  EXPECT_EQ(a->debugName(), "x.1");
  Value *c = g.addInput("x");
  EXPECT_EQ(c->debugName(), "x");
  // The per-base counter skips one, as TorchScript does (x.1, x.3, x.5, ...).
  EXPECT_EQ(b->debugName(), "x.3");
  // A name that already carries a suffix starts counting from it.
  Value *d = g.addInput("y.5");
  Value *e = g.addInput("y.5");
  EXPECT_EQ(e->debugName(), "y.5");
  EXPECT_EQ(d->debugName(), "y.6");
  // Names made only of digits are refused; empty clears.
  EXPECT_FALSE(a->setDebugName("12"));
  EXPECT_TRUE(a->setDebugName(""));
  EXPECT_FALSE(a->hasDebugName());
  EXPECT_EQ(a->debugName(), std::to_string(a->unique()));
  EXPECT_EQ(d->debugNameBase(), "y");
}

TEST(Graph, CopyIsDeepAndPrintsTheSame) {
  auto g = sample();
  auto c = g->copy();
  EXPECT_EQ(toString(*g), toString(*c));
  nodeNamed(*c, "b")->output()->setDebugName("renamed");
  EXPECT_NE(toString(*g), toString(*c));
  verify(*c);
}

TEST(Graph, DestroyRemovesBlocksAndUses) {
  auto g = parseGraph(R"IR(graph(%c : bool, %x : Tensor):
  %r : Tensor = prim::If(%c)
    block0():
      %y : Tensor = aten::relu(%x)
      -> (%y)
    block1():
      -> (%x)
  return (%x)
)IR");
  Value *x = g->inputs()[1];
  EXPECT_EQ(x->uses().size(), 3u); // relu, block1 output, graph output
  g->nodes()[0]->destroy();
  EXPECT_EQ(x->uses().size(), 1u);
  verify(*g);
}
