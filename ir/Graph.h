//===- ir/Graph.h - typed SSA graphs: Graph, Block, Node, Value -----------===//
//
// The data model of TorchScript graphs (reference §1.1). A Graph owns every
// Node, Value and Block in it. Nodes sit in a Block's doubly linked list kept
// in topological order (each node carries an int64 position, spaced 2^40
// apart on append and renumbered when a gap runs out). A Block has two
// sentinel nodes: `prim::Param`, whose outputs are the block inputs, and
// `prim::Return`, whose inputs are the block outputs. Nodes are not
// subclassed per operator: the kind is a Symbol and the payload is a list of
// named attributes.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Diagnostic.h"
#include "ir/Symbol.h"
#include "ir/Type.h"

#include <complex>
#include <functional>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace c10 {
struct IValue;
}

namespace ember {

class Graph;
class Block;
class Node;
class Value;
struct FunctionSchema;

struct Use {
  Node *user;
  size_t offset;
  bool operator==(const Use &o) const { return user == o.user && offset == o.offset; }
};

/// Where a node came from, as printed in ` # file:line:col` comments.
struct SourceLocation {
  std::shared_ptr<const std::string> file;
  uint32_t line = 0;
  uint32_t col = 0;
};

/// One call an inlined node was copied through: the function called and
/// the call's place in its caller.
struct InlinedCall {
  std::string callee;
  std::optional<SourceLocation> loc;
  std::optional<SourceSpan> span;
};

enum class AttributeKind { i, f, c, s, is, fs, cs, ss, ty, tys, g, gs, t, ts, ival };
const char *toString(AttributeKind kind);

/// One named attribute payload. Tensors and other constant objects (tuples,
/// lists of tensors, ...) are held as c10::IValue behind a shared pointer.
struct AttributeValue {
  AttributeKind kind = AttributeKind::i;
  int64_t i = 0;
  double f = 0;
  std::complex<double> c;
  std::string s;
  std::vector<int64_t> is;
  std::vector<double> fs;
  std::vector<std::complex<double>> cs;
  std::vector<std::string> ss;
  TypePtr ty;
  std::vector<TypePtr> tys;
  std::shared_ptr<Graph> g;
  std::vector<std::shared_ptr<Graph>> gs;
  std::shared_ptr<const c10::IValue> ival; // kinds t, ts and ival

  /// Structural equality (graphs by identity, IValues by value).
  bool equals(const AttributeValue &o) const;
};

/// True if both nodes carry the same attributes, in the same order.
bool sameAttributes(const Node &a, const Node &b);

class Value {
public:
  Node *node() { return node_; }
  const Node *node() const { return node_; }
  size_t offset() const { return offset_; }
  Graph *owningGraph() const;

  const TypePtr &type() const { return type_; }
  Value *setType(TypePtr type);

  const std::vector<Use> &uses() const { return uses_; }
  bool hasUses() const { return !uses_.empty(); }

  size_t unique() const { return unique_; }
  bool hasDebugName() const { return !debugName_.empty(); }
  /// The debug name, or the unique id in decimal when there is none.
  std::string debugName() const;
  /// Sets the name with TorchScript's uniquing rule: if another value holds
  /// the name, that value is renamed to `name.N`. Empty clears the name; a
  /// name made only of digits is rejected (returns false).
  bool setDebugName(const std::string &name);
  /// The name without a trailing `.N`.
  std::string debugNameBase() const;

  void replaceAllUsesWith(Value *newValue);
  /// Replaces the uses that come after `node` (in program order).
  void replaceAllUsesAfterNodeWith(const Node *node, Value *newValue);
  void replaceAllUsesDominatedBy(const Node *node, Value *newValue);
  Value *copyMetadata(const Value *from);

private:
  friend class Node;
  friend class Graph;
  friend class Block;
  friend struct ParserAccess;
  Value(Node *node, size_t offset);
  Node *node_;
  size_t offset_;
  size_t unique_;
  TypePtr type_;
  std::vector<Use> uses_;
  std::string debugName_;
};

class Node {
public:
  Symbol kind() const { return kind_; }
  Graph *owningGraph() const { return graph_; }
  Block *owningBlock() const { return owningBlock_; }
  bool inBlockList() const { return next_ != nullptr; }

  const std::vector<Value *> &inputs() const { return inputs_; }
  const std::vector<Value *> &outputs() const { return outputs_; }
  const std::vector<Block *> &blocks() const { return blocks_; }
  Value *input(size_t i) const { return inputs_.at(i); }
  Value *input() const;
  Value *output(size_t i) const { return outputs_.at(i); }
  Value *output() const;
  bool hasUses() const;

  Value *addInput(Value *v);
  Value *insertInput(size_t i, Value *v);
  Value *replaceInput(size_t i, Value *v);
  void replaceInputWith(Value *from, Value *to);
  void removeInput(size_t i);
  void removeAllInputs();
  Value *addOutput();
  Value *insertOutput(size_t i);
  void eraseOutput(size_t i);
  /// Reorders the inputs (outputs): position k takes the old position
  /// `order[k]`. Values and their uses stay the same objects.
  void permuteInputs(const std::vector<size_t> &order);
  void permuteOutputs(const std::vector<size_t> &order);
  Block *addBlock();
  void eraseBlock(size_t i);

  Node *next() const { return next_; }
  Node *prev() const { return prev_; }
  Node *insertBefore(Node *n);
  Node *insertAfter(Node *n);
  void moveBefore(Node *n);
  void moveAfter(Node *n);
  bool isBefore(const Node *n) const;
  bool isAfter(const Node *n) const;
  /// Unlinks from the block; inputs are released. Outputs must be unused.
  void destroy();
  /// True if `n` dominates this node: `n` comes first in a block that
  /// encloses this node (or is this node).
  bool isDominatedBy(const Node *n) const;

  // Attributes, kept in insertion order (the printed order).
  bool hasAttribute(Symbol name) const;
  bool hasAttributes() const { return !attributes_.empty(); }
  const std::vector<std::pair<Symbol, AttributeValue>> &attributes() const { return attributes_; }
  const AttributeValue *findAttribute(Symbol name) const;
  AttributeValue &setAttribute(Symbol name, AttributeValue value);
  void removeAttribute(Symbol name);
  void copyAttributes(const Node &from);
  int64_t i(Symbol name) const;
  double f(Symbol name) const;
  const std::string &s(Symbol name) const;
  const TypePtr &ty(Symbol name) const;
  const std::shared_ptr<Graph> &g(Symbol name) const;
  Node *i_(Symbol name, int64_t v);
  Node *f_(Symbol name, double v);
  Node *s_(Symbol name, std::string v);
  Node *ty_(Symbol name, TypePtr v);
  Node *g_(Symbol name, std::shared_ptr<Graph> v);

  const std::optional<SourceLocation> &sourceLocation() const { return loc_; }
  void setSourceLocation(std::optional<SourceLocation> loc) { loc_ = std::move(loc); }
  /// Where the node was read from, when it was parsed from IR text.
  const std::optional<SourceSpan> &textSpan() const { return textSpan_; }
  void setTextSpan(std::optional<SourceSpan> span) { textSpan_ = std::move(span); }
  const std::string &scope() const { return scope_; }
  void setScope(std::string scope) { scope_ = std::move(scope); }

  /// For a node the inliner copied out of a callee: the calls it came
  /// through, innermost first (TorchScript's InlinedCallStack), so a
  /// traceback still shows every function. Empty otherwise.
  const std::shared_ptr<const std::vector<InlinedCall>> &inlinedFrom() const { return inlinedFrom_; }
  void setInlinedFrom(std::shared_ptr<const std::vector<InlinedCall>> calls) {
    inlinedFrom_ = std::move(calls);
  }

  /// The operator overload this node binds to (first registered schema whose
  /// formal types accept the input types); null for unknown operators and
  /// for structural prim nodes. Cached until inputs change.
  const FunctionSchema *schema() const;
  /// True if a schema is registered for this node's kind at all.
  bool isKnownOperator() const;
  /// Nodes that must never be merged, folded or removed on the grounds of
  /// being pure: `aten::rand*`, dropout, `prim::RaiseException`, ...
  bool isNondeterministic() const;

private:
  friend class Graph;
  friend class Block;
  friend class Value;
  friend struct ParserAccess;
  Node(Graph *graph, Symbol kind);
  ~Node();
  void removeUse(size_t inputIndex);
  void unlink();
  void assignTopoPosition();
  void lookupSchema() const;

  Symbol kind_;
  Graph *graph_;
  Block *owningBlock_ = nullptr;
  Node *next_ = nullptr;
  Node *prev_ = nullptr;
  int64_t topoPosition_ = 0;
  std::vector<Value *> inputs_;
  std::vector<Value *> outputs_;
  std::vector<Block *> blocks_;
  std::vector<std::pair<Symbol, AttributeValue>> attributes_;
  std::optional<SourceLocation> loc_;
  std::optional<SourceSpan> textSpan_;
  std::string scope_;
  std::shared_ptr<const std::vector<InlinedCall>> inlinedFrom_;
  mutable const FunctionSchema *schema_ = nullptr;
  mutable bool schemaValid_ = false;
};

class Block {
public:
  Graph *owningGraph() const { return graph_; }
  Node *owningNode() const { return owningNode_; }
  Node *paramNode() const { return input_; }
  Node *returnNode() const { return output_; }

  const std::vector<Value *> &inputs() const;
  const std::vector<Value *> &outputs() const;
  Value *addInput(const std::string &name = "");
  Value *insertInput(size_t i, const std::string &name = "");
  void eraseInput(size_t i);
  size_t registerOutput(Value *v);
  void insertOutput(size_t i, Value *v);
  void eraseOutput(size_t i);

  /// The nodes in order (a snapshot: safe to mutate the block while walking).
  std::vector<Node *> nodes() const;
  Node *front() const { return output_->next_; }
  Node *back() const { return output_->prev_; }
  bool empty() const { return front() == output_; }
  Node *appendNode(Node *n);
  Node *prependNode(Node *n);

  /// Copies `src` into this (empty) block; `valueMap` maps outer values.
  void cloneFrom(const Block *src, const std::function<Value *(Value *)> &valueMap);
  void reIndexTopology();

private:
  friend class Graph;
  friend class Node;
  Block(Graph *graph, Node *owningNode);
  void destroy();
  Graph *graph_;
  Node *owningNode_;
  Node *input_;
  Node *output_;
};

class Graph {
public:
  Graph();
  ~Graph();
  Graph(const Graph &) = delete;
  Graph &operator=(const Graph &) = delete;

  Block *block() const { return block_; }
  const std::vector<Value *> &inputs() const { return block_->inputs(); }
  const std::vector<Value *> &outputs() const { return block_->outputs(); }
  std::vector<Node *> nodes() const { return block_->nodes(); }
  Value *addInput(const std::string &name = "") { return block_->addInput(name); }
  size_t registerOutput(Value *v) { return block_->registerOutput(v); }

  /// A detached node of `kind` with `numOutputs` outputs of type Tensor.
  Node *create(Symbol kind, const std::vector<Value *> &inputs = {}, size_t numOutputs = 1);
  /// Creates and inserts at the insertion point.
  Node *insertNode(Node *n);
  Node *insert(Symbol kind, const std::vector<Value *> &inputs, size_t numOutputs = 1);
  void setInsertPoint(Node *before) { insertBefore_ = before; }
  void setInsertPoint(Block *b) { insertBefore_ = b->returnNode(); }
  Node *insertPoint() const { return insertBefore_; }

  /// Inserts a `prim::Constant` of the given payload at the insertion point.
  Value *insertConstant(int64_t v);
  Value *insertConstant(double v);
  Value *insertConstant(bool v);
  Value *insertConstant(const std::string &v);
  Value *insertNoneConstant();
  /// Inserts a constant holding an IValue (tensors, lists, tuples, devices,
  /// ...), choosing the attribute kind as TorchScript's insertConstant does.
  /// Returns null when the value cannot be a constant (e.g. a tensor that
  /// requires grad, an object).
  Value *insertConstant(const c10::IValue &v, TypePtr type = nullptr);

  /// Deep copy, with names, types, attributes (subgraphs copied too) and
  /// source locations.
  std::shared_ptr<Graph> copy() const;

  /// Name of the function this graph is the body of (`graph` when unnamed).
  const std::string &name() const { return name_; }
  void setName(std::string name) { name_ = std::move(name); }

  size_t freshUnique() { return nextUnique_++; }
  /// Restarts value numbering; only valid on an empty graph.
  void resetUniques() { nextUnique_ = 0; }
  void reserveUnique(size_t id) {
    if (id >= nextUnique_)
      nextUnique_ = id + 1;
  }

private:
  friend class Node;
  friend class Value;
  friend class Block;
  std::unordered_set<Node *> allNodes_;
  std::unordered_set<Block *> allBlocks_;
  std::unordered_map<std::string, Value *> uniqueNames_;
  std::unordered_map<std::string, size_t> nameBaseSuffix_;
  size_t nextUnique_ = 0;
  Block *block_;
  Node *insertBefore_;
  std::string name_ = "graph";
};

/// A named set of graph functions: what one IR file holds. `prim::CallFunction`
/// nodes name their callee through the `Function` constant's `name` attribute.
class CompilationUnit {
public:
  std::vector<std::shared_ptr<Graph>> &functions() { return functions_; }
  const std::vector<std::shared_ptr<Graph>> &functions() const { return functions_; }
  Graph *find(const std::string &name) const;
  void add(std::shared_ptr<Graph> g) { functions_.push_back(std::move(g)); }

private:
  std::vector<std::shared_ptr<Graph>> functions_;
};

/// Copies the nodes of `callee` in front of `g`'s insertion point, its
/// inputs bound to `inputs`, and returns the copies of its outputs; `onNode`
/// sees each copied top-level node. What inlining a call does.
std::vector<Value *> insertGraph(Graph &g, const Graph &callee, const std::vector<Value *> &inputs,
                                 const std::function<void(Node *)> &onNode = {});

namespace attr {
Symbol value();
Symbol name();
Symbol Subgraph();
} // namespace attr

namespace prim {
Symbol Param();
Symbol Return();
Symbol Constant();
Symbol If();
Symbol Loop();
} // namespace prim

} // namespace ember
