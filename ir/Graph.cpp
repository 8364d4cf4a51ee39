//===- ir/Graph.cpp - Graph, Block, Node, Value ---------------------------===//
//
// Ownership, use lists, topological positions and TorchScript's debug-name
// uniquing rule (reference §1.2).
//
//===----------------------------------------------------------------------===//
#include "ir/Graph.h"

#include <algorithm>
#include <cassert>
#include <stdexcept>

namespace ember {

namespace attr {
Symbol value() {
  static Symbol s = Symbol::attr("value");
  return s;
}
Symbol name() {
  static Symbol s = Symbol::attr("name");
  return s;
}
Symbol Subgraph() {
  static Symbol s = Symbol::attr("Subgraph");
  return s;
}
} // namespace attr

namespace prim {
#define EMBER_PRIM(n)                                                                              \
  Symbol n() {                                                                                     \
    static Symbol s = Symbol::prim(#n);                                                            \
    return s;                                                                                      \
  }
EMBER_PRIM(Param)
EMBER_PRIM(Return)
EMBER_PRIM(Constant)
EMBER_PRIM(If)
EMBER_PRIM(Loop)
#undef EMBER_PRIM
} // namespace prim

const char *toString(AttributeKind kind) {
  static const char *names[] = {"i",  "f",   "c",  "s", "is", "fs", "cs",  "ss",
                                "ty", "tys", "g", "gs", "t",  "ts", "ival"};
  return names[int(kind)];
}

//===----------------------------------------------------------------------===//
// Value
//===----------------------------------------------------------------------===//

Value::Value(Node *node, size_t offset)
    : node_(node), offset_(offset), unique_(node->owningGraph()->freshUnique()),
      type_(Type::tensor()) {}

Graph *Value::owningGraph() const { return node_->owningGraph(); }

Value *Value::setType(TypePtr type) {
  type_ = std::move(type);
  for (const Use &u : uses_)
    u.user->schemaValid_ = false;
  return this;
}

std::string Value::debugName() const {
  return hasDebugName() ? debugName_ : std::to_string(unique_);
}

static bool isNumber(const std::string &s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool Value::setDebugName(const std::string &name) {
  if (isNumber(name))
    return false;
  Graph *g = owningGraph();
  auto &names = g->uniqueNames_;
  if (hasDebugName()) {
    names.erase(debugName_);
    debugName_.clear();
  }
  if (name.empty())
    return true;
  auto old = names.find(name);
  if (old != names.end()) {
    // The previous owner is renamed `base.N`, N starting from the name's own
    // numeric suffix (or 1) and from the per-base counter.
    size_t suffix = 1;
    std::string base = name;
    auto dot = name.find_last_of('.');
    if (dot != std::string::npos && dot + 1 != name.size() &&
        isNumber(name.substr(dot + 1))) {
      suffix = std::stoull(name.substr(dot + 1));
      base = name.substr(0, dot);
    }
    auto &suffixes = g->nameBaseSuffix_;
    auto it = suffixes.find(base);
    if (it != suffixes.end())
      suffix = std::max(suffix, it->second + 1);
    std::string replacement;
    do {
      replacement = base + "." + std::to_string(suffix++);
    } while (names.count(replacement));
    suffixes[base] = suffix;
    old->second->setDebugName(replacement);
  }
  names[name] = this;
  debugName_ = name;
  return true;
}

std::string Value::debugNameBase() const {
  std::string name = debugName();
  auto dot = name.find_last_of('.');
  if (dot != std::string::npos && dot + 1 < name.size() && isNumber(name.substr(dot + 1)))
    return name.substr(0, dot);
  return name;
}

void Value::replaceAllUsesWith(Value *newValue) {
  assert(newValue != this && "replacing a value with itself");
  auto uses = uses_;
  for (const Use &u : uses)
    u.user->replaceInput(u.offset, newValue);
}

void Value::replaceAllUsesAfterNodeWith(const Node *node, Value *newValue) {
  auto uses = uses_;
  for (const Use &u : uses)
    if (u.user->isAfter(node))
      u.user->replaceInput(u.offset, newValue);
}

void Value::replaceAllUsesDominatedBy(const Node *node, Value *newValue) {
  auto uses = uses_;
  for (const Use &u : uses)
    if (u.user->isDominatedBy(node))
      u.user->replaceInput(u.offset, newValue);
}

Value *Value::copyMetadata(const Value *from) {
  setType(from->type());
  // A copy: naming this value may rename `from`, which would change the
  // string under a reference.
  if (from->hasDebugName())
    setDebugName(std::string(from->debugName_));
  return this;
}

//===----------------------------------------------------------------------===//
// Node
//===----------------------------------------------------------------------===//

Node::Node(Graph *graph, Symbol kind) : kind_(kind), graph_(graph) {
  graph->allNodes_.insert(this);
}

Node::~Node() {
  for (Value *v : outputs_)
    delete v;
}

Value *Node::input() const {
  assert(inputs_.size() == 1);
  return inputs_[0];
}
Value *Node::output() const {
  assert(outputs_.size() == 1);
  return outputs_[0];
}

bool Node::hasUses() const {
  for (Value *o : outputs_)
    if (o->hasUses())
      return true;
  return false;
}

Value *Node::addInput(Value *v) {
  v->uses_.push_back({this, inputs_.size()});
  inputs_.push_back(v);
  schemaValid_ = false;
  return v;
}

Value *Node::insertInput(size_t i, Value *v) {
  for (size_t j = i; j < inputs_.size(); ++j)
    for (Use &u : inputs_[j]->uses_)
      if (u.user == this && u.offset == j)
        u.offset++;
  inputs_.insert(inputs_.begin() + i, v);
  v->uses_.push_back({this, i});
  schemaValid_ = false;
  return v;
}

void Node::removeUse(size_t i) {
  auto &uses = inputs_[i]->uses_;
  auto it = std::find(uses.begin(), uses.end(), Use{this, i});
  assert(it != uses.end() && "use list out of sync");
  uses.erase(it);
}

Value *Node::replaceInput(size_t i, Value *v) {
  Value *old = inputs_.at(i);
  removeUse(i);
  inputs_[i] = v;
  v->uses_.push_back({this, i});
  schemaValid_ = false;
  return old;
}

void Node::replaceInputWith(Value *from, Value *to) {
  for (size_t i = 0; i < inputs_.size(); ++i)
    if (inputs_[i] == from)
      replaceInput(i, to);
}

void Node::removeInput(size_t i) {
  removeUse(i);
  for (size_t j = i + 1; j < inputs_.size(); ++j)
    for (Use &u : inputs_[j]->uses_)
      if (u.user == this && u.offset == j)
        u.offset--;
  inputs_.erase(inputs_.begin() + i);
  schemaValid_ = false;
}

void Node::removeAllInputs() {
  for (size_t i = 0; i < inputs_.size(); ++i)
    removeUse(i);
  inputs_.clear();
  schemaValid_ = false;
}

Value *Node::addOutput() {
  outputs_.push_back(new Value(this, outputs_.size()));
  return outputs_.back();
}

Value *Node::insertOutput(size_t i) {
  outputs_.insert(outputs_.begin() + i, new Value(this, i));
  for (size_t j = i + 1; j < outputs_.size(); ++j)
    outputs_[j]->offset_ = j;
  return outputs_[i];
}

void Node::eraseOutput(size_t i) {
  Value *v = outputs_.at(i);
  assert(!v->hasUses() && "erasing an output that is still used");
  v->setDebugName("");
  outputs_.erase(outputs_.begin() + i);
  delete v;
  for (size_t j = i; j < outputs_.size(); ++j)
    outputs_[j]->offset_ = j;
}

void Node::permuteInputs(const std::vector<size_t> &order) {
  assert(order.size() == inputs_.size() && "a permutation names every input");
  std::vector<Value *> old = inputs_;
  removeAllInputs();
  for (size_t k : order)
    addInput(old.at(k));
}

void Node::permuteOutputs(const std::vector<size_t> &order) {
  assert(order.size() == outputs_.size() && "a permutation names every output");
  std::vector<Value *> old = outputs_;
  for (size_t k = 0; k < order.size(); ++k) {
    outputs_[k] = old.at(order[k]);
    outputs_[k]->offset_ = k;
  }
}

Block *Node::addBlock() {
  blocks_.push_back(new Block(graph_, this));
  return blocks_.back();
}

void Node::eraseBlock(size_t i) {
  Block *b = blocks_.at(i);
  blocks_.erase(blocks_.begin() + i);
  b->destroy();
}

static constexpr int64_t kAppendInterval = int64_t(1) << 40;
static constexpr int64_t kLowerBound = INT64_MIN;
static constexpr int64_t kUpperBound = INT64_MAX;

void Node::assignTopoPosition() {
  Block *b = owningBlock_;
  bool isFirst = prev_ == b->paramNode() || prev_ == b->returnNode();
  bool isLast = next_ == b->returnNode();
  int64_t prevPos = isFirst ? kLowerBound : prev_->topoPosition_;
  int64_t nextPos = isLast ? kUpperBound : next_->topoPosition_;
  if (isFirst && isLast) {
    topoPosition_ = 0;
  } else if (isLast) {
    if (prevPos >= kUpperBound - kAppendInterval) {
      b->reIndexTopology();
      return;
    }
    topoPosition_ = prevPos + kAppendInterval;
  } else if (isFirst) {
    if (nextPos <= kLowerBound + kAppendInterval) {
      b->reIndexTopology();
      return;
    }
    topoPosition_ = nextPos - kAppendInterval;
  } else {
    // Midpoint without overflow.
    int64_t gap = (nextPos - prevPos) / 2;
    if (gap == 0) {
      b->reIndexTopology();
      return;
    }
    topoPosition_ = prevPos + gap;
  }
}

Node *Node::insertBefore(Node *n) {
  assert(!inBlockList() && n->inBlockList());
  owningBlock_ = n->owningBlock_;
  Node *p = n->prev_;
  prev_ = p;
  next_ = n;
  p->next_ = this;
  n->prev_ = this;
  assignTopoPosition();
  return this;
}

Node *Node::insertAfter(Node *n) {
  assert(!inBlockList() && n->inBlockList());
  assert(n->kind() != prim::Return());
  return insertBefore(n->next_);
}

void Node::unlink() {
  prev_->next_ = next_;
  next_->prev_ = prev_;
}

void Node::moveBefore(Node *n) {
  unlink();
  next_ = prev_ = nullptr;
  insertBefore(n);
}

void Node::moveAfter(Node *n) {
  unlink();
  next_ = prev_ = nullptr;
  insertAfter(n);
}

bool Node::isBefore(const Node *n) const {
  if (this == n)
    return false;
  // Walk both up to a common block, then compare positions there.
  const Node *a = this, *b = n;
  std::vector<const Node *> aChain, bChain;
  for (const Node *x = a; x; x = x->owningBlock_ ? x->owningBlock_->owningNode() : nullptr)
    aChain.push_back(x);
  for (const Node *x = b; x; x = x->owningBlock_ ? x->owningBlock_->owningNode() : nullptr)
    bChain.push_back(x);
  for (const Node *x : aChain)
    for (const Node *y : bChain)
      if (x->owningBlock_ == y->owningBlock_) {
        if (x == y) // one is nested in the other: the outer one comes first
          return x == a;
        auto pos = [](const Node *z) {
          if (z->kind_ == prim::Param())
            return kLowerBound;
          if (z->kind_ == prim::Return())
            return kUpperBound;
          return z->topoPosition_;
        };
        return pos(x) < pos(y);
      }
  return false;
}

bool Node::isAfter(const Node *n) const { return n->isBefore(this); }

bool Node::isDominatedBy(const Node *n) const {
  // n dominates this if n is before this and n's block encloses this.
  for (const Node *x = this; x; x = x->owningBlock_ ? x->owningBlock_->owningNode() : nullptr)
    if (x->owningBlock_ == n->owningBlock_)
      return n->isBefore(x) || n == x;
  return false;
}

void Node::destroy() {
  assert(!hasUses() && "destroying a node whose outputs are used");
  while (!blocks_.empty())
    eraseBlock(blocks_.size() - 1);
  removeAllInputs();
  for (Value *o : outputs_)
    o->setDebugName("");
  if (inBlockList())
    unlink();
  graph_->allNodes_.erase(this);
  delete this;
}

bool Node::hasAttribute(Symbol name) const { return findAttribute(name) != nullptr; }

const AttributeValue *Node::findAttribute(Symbol name) const {
  for (const auto &a : attributes_)
    if (a.first == name)
      return &a.second;
  return nullptr;
}

AttributeValue &Node::setAttribute(Symbol name, AttributeValue value) {
  for (auto &a : attributes_)
    if (a.first == name) {
      a.second = std::move(value);
      return a.second;
    }
  attributes_.emplace_back(name, std::move(value));
  return attributes_.back().second;
}

void Node::removeAttribute(Symbol name) {
  attributes_.erase(std::remove_if(attributes_.begin(), attributes_.end(),
                                   [&](const auto &a) { return a.first == name; }),
                    attributes_.end());
}

void Node::copyAttributes(const Node &from) {
  attributes_ = from.attributes_;
  for (auto &a : attributes_) {
    if (a.second.kind == AttributeKind::g)
      a.second.g = a.second.g->copy();
    for (auto &g : a.second.gs)
      g = g->copy();
  }
}

static const AttributeValue &expectAttr(const Node *n, Symbol name, AttributeKind kind) {
  const AttributeValue *a = n->findAttribute(name);
  if (!a || a->kind != kind)
    throw std::logic_error("node " + n->kind().qualString() + " has no attribute '" +
                           name.name() + "' of kind " + toString(kind));
  return *a;
}

int64_t Node::i(Symbol name) const { return expectAttr(this, name, AttributeKind::i).i; }
double Node::f(Symbol name) const { return expectAttr(this, name, AttributeKind::f).f; }
const std::string &Node::s(Symbol name) const {
  return expectAttr(this, name, AttributeKind::s).s;
}
const TypePtr &Node::ty(Symbol name) const { return expectAttr(this, name, AttributeKind::ty).ty; }
const std::shared_ptr<Graph> &Node::g(Symbol name) const {
  return expectAttr(this, name, AttributeKind::g).g;
}

#define EMBER_ATTR_SETTER(method, field, attrKind, T)                                              \
  Node *Node::method(Symbol name, T v) {                                                           \
    AttributeValue a;                                                                              \
    a.kind = AttributeKind::attrKind;                                                              \
    a.field = std::move(v);                                                                        \
    setAttribute(name, std::move(a));                                                              \
    return this;                                                                                   \
  }
EMBER_ATTR_SETTER(i_, i, i, int64_t)
EMBER_ATTR_SETTER(f_, f, f, double)
EMBER_ATTR_SETTER(s_, s, s, std::string)
EMBER_ATTR_SETTER(ty_, ty, ty, TypePtr)
EMBER_ATTR_SETTER(g_, g, g, std::shared_ptr<Graph>)
#undef EMBER_ATTR_SETTER

//===----------------------------------------------------------------------===//
// Block
//===----------------------------------------------------------------------===//

Block::Block(Graph *graph, Node *owningNode)
    : graph_(graph), owningNode_(owningNode), input_(new Node(graph, prim::Param())),
      output_(new Node(graph, prim::Return())) {
  graph->allBlocks_.insert(this);
  output_->owningBlock_ = this;
  input_->owningBlock_ = this;
  output_->next_ = output_->prev_ = output_;
  input_->next_ = input_->prev_ = input_; // sentinels are not in the list
  output_->topoPosition_ = kUpperBound;
  input_->topoPosition_ = kLowerBound;
}

void Block::destroy() {
  // Outputs first (they use values defined inside), then nodes in reverse.
  output_->removeAllInputs();
  for (Node *n = back(); n != output_;) {
    Node *p = n->prev_;
    for (Value *o : n->outputs())
      for (const Use &u : std::vector<Use>(o->uses()))
        u.user->removeInput(u.offset);
    n->destroy();
    n = p;
  }
  for (Value *v : input_->outputs()) {
    for (const Use &u : std::vector<Use>(v->uses()))
      u.user->removeInput(u.offset);
  }
  input_->next_ = input_->prev_ = nullptr;
  output_->next_ = output_->prev_ = nullptr;
  input_->destroy();
  output_->destroy();
  graph_->allBlocks_.erase(this);
  delete this;
}

const std::vector<Value *> &Block::inputs() const { return input_->outputs(); }
const std::vector<Value *> &Block::outputs() const { return output_->inputs(); }

Value *Block::addInput(const std::string &name) {
  Value *v = input_->addOutput();
  v->setDebugName(name);
  return v;
}

Value *Block::insertInput(size_t i, const std::string &name) {
  Value *v = input_->insertOutput(i);
  v->setDebugName(name);
  return v;
}

void Block::eraseInput(size_t i) { input_->eraseOutput(i); }
size_t Block::registerOutput(Value *v) {
  output_->addInput(v);
  return outputs().size() - 1;
}
void Block::insertOutput(size_t i, Value *v) { output_->insertInput(i, v); }
void Block::eraseOutput(size_t i) { output_->removeInput(i); }

std::vector<Node *> Block::nodes() const {
  std::vector<Node *> r;
  for (Node *n = front(); n != output_; n = n->next_)
    r.push_back(n);
  return r;
}

Node *Block::appendNode(Node *n) { return n->insertBefore(output_); }
Node *Block::prependNode(Node *n) { return n->insertBefore(front()); }

void Block::reIndexTopology() {
  int64_t pos = kLowerBound;
  for (Node *n = front(); n != output_; n = n->next_) {
    pos += kAppendInterval;
    n->topoPosition_ = pos;
  }
}

void Block::cloneFrom(const Block *src, const std::function<Value *(Value *)> &outerMap) {
  std::unordered_map<const Value *, Value *> local;
  auto lookup = [&](Value *v) -> Value * {
    auto it = local.find(v);
    return it != local.end() ? it->second : outerMap(v);
  };
  for (Value *in : src->inputs())
    local[in] = addInput()->copyMetadata(in);
  for (Node *n : src->nodes()) {
    Node *c = graph_->create(n->kind(), {}, 0);
    for (Value *in : n->inputs())
      c->addInput(lookup(in));
    for (Value *o : n->outputs())
      local[o] = c->addOutput()->copyMetadata(o);
    c->copyAttributes(*n);
    c->loc_ = n->loc_;
    c->textSpan_ = n->textSpan_;
    c->scope_ = n->scope_;
    c->inlinedFrom_ = n->inlinedFrom_;
    appendNode(c);
    for (Block *b : n->blocks())
      c->addBlock()->cloneFrom(b, lookup);
  }
  for (Value *o : src->outputs())
    registerOutput(lookup(o));
}

std::vector<Value *> insertGraph(Graph &g, const Graph &callee, const std::vector<Value *> &inputs,
                                 const std::function<void(Node *)> &onNode) {
  // Clone through a scratch block of a scratch node at the insertion point,
  // then move the copies out in front of it.
  Node *host = g.insertNode(g.create(Symbol::prim("InsertGraphScratch"), {}, 0));
  Block *scratch = host->addBlock();
  scratch->cloneFrom(callee.block(), [](Value *v) -> Value * { return v; });
  for (size_t i = 0; i < scratch->inputs().size(); ++i)
    scratch->inputs()[i]->replaceAllUsesWith(inputs.at(i));
  for (Node *n : scratch->nodes()) {
    n->moveBefore(host);
    if (onNode)
      onNode(n);
  }
  std::vector<Value *> outputs = scratch->outputs();
  host->destroy();
  return outputs;
}

//===----------------------------------------------------------------------===//
// Graph
//===----------------------------------------------------------------------===//

Graph::Graph() : block_(new Block(this, nullptr)), insertBefore_(block_->returnNode()) {}

Graph::~Graph() {
  for (Node *n : allNodes_)
    delete n;
  for (Block *b : allBlocks_)
    delete b;
}

Node *Graph::create(Symbol kind, const std::vector<Value *> &inputs, size_t numOutputs) {
  Node *n = new Node(this, kind);
  for (Value *v : inputs)
    n->addInput(v);
  for (size_t i = 0; i < numOutputs; ++i)
    n->addOutput();
  return n;
}

Node *Graph::insertNode(Node *n) { return n->insertBefore(insertBefore_); }

Node *Graph::insert(Symbol kind, const std::vector<Value *> &inputs, size_t numOutputs) {
  return insertNode(create(kind, inputs, numOutputs));
}

Value *Graph::insertConstant(int64_t v) {
  Node *n = insertNode(create(prim::Constant()));
  n->i_(attr::value(), v);
  return n->output()->setType(Type::get(TypeKind::Int));
}

Value *Graph::insertConstant(double v) {
  Node *n = insertNode(create(prim::Constant()));
  n->f_(attr::value(), v);
  return n->output()->setType(Type::get(TypeKind::Float));
}

Value *Graph::insertConstant(bool v) {
  Node *n = insertNode(create(prim::Constant()));
  n->i_(attr::value(), v ? 1 : 0);
  return n->output()->setType(Type::get(TypeKind::Bool));
}

Value *Graph::insertConstant(const std::string &v) {
  Node *n = insertNode(create(prim::Constant()));
  n->s_(attr::value(), v);
  return n->output()->setType(Type::get(TypeKind::Str));
}

Value *Graph::insertNoneConstant() {
  Node *n = insertNode(create(prim::Constant()));
  return n->output()->setType(Type::get(TypeKind::None));
}

std::shared_ptr<Graph> Graph::copy() const {
  auto g = std::make_shared<Graph>();
  g->name_ = name_;
  g->block()->cloneFrom(block_, [](Value *v) -> Value * {
    throw std::logic_error("graph copy: value %" + v->debugName() + " defined outside the graph");
  });
  return g;
}

Graph *CompilationUnit::find(const std::string &name) const {
  for (const auto &f : functions_)
    if (f->name() == name)
      return f.get();
  return nullptr;
}

} // namespace ember
