//===- passes/AliasAnalysis.cpp - may-alias sets and writes ---------------===//
//
// Algorithm (a union-find over values of mutable type):
//   1. graph inputs of mutable type, `prim::GetAttr` results and anything an
//      annotation sends to `*` join one wildcard set;
//   2. a node output annotated with a set name an input also carries
//      (`Tensor(a) self -> Tensor(a)`) is united with that input;
//   3. container construction and element reads unite the container with
//      its elements (a sound, coarse stand-in for points-to of contents);
//   4. `prim::If` / `prim::Loop` outputs unite with the block outputs (and
//      loop-carried inputs) they merge;
//   5. an operator without a schema, or with conservative effects, sends all
//      of its mutable inputs and outputs to the wildcard and is taken to
//      write every mutable input.
//
//===----------------------------------------------------------------------===//
#include "passes/AliasAnalysis.h"

#include "ir/Schema.h"

#include <algorithm>

namespace ember {

bool AliasAnalysis::isMutableType(const TypePtr &t) {
  switch (t->kind()) {
  case TypeKind::Tensor:
  case TypeKind::List:
  case TypeKind::Dict:
  case TypeKind::Class:
  case TypeKind::Any:
  case TypeKind::AnyList:
  case TypeKind::AnyClass:
  case TypeKind::Future:
  case TypeKind::RRef:
  case TypeKind::Var:
  case TypeKind::Storage:
  case TypeKind::Generator:
  case TypeKind::Capsule: return true;
  case TypeKind::Tuple:
  case TypeKind::Optional:
  case TypeKind::Union:
    for (const auto &c : t->contained())
      if (isMutableType(c))
        return true;
    return false;
  default: return false;
  }
}

static bool mutableValue(const Value *v) { return AliasAnalysis::isMutableType(v->type()); }

const Value *AliasAnalysis::find(const Value *v) const {
  auto it = parent_.find(v);
  if (it == parent_.end())
    return v;
  const Value *root = find(it->second);
  parent_[v] = root;
  return root;
}

void AliasAnalysis::unite(const Value *a, const Value *b) {
  const Value *ra = find(a), *rb = find(b);
  if (ra == rb)
    return;
  // Keep the wildcard's representative stable.
  if (wildcard_ && rb == find(wildcard_))
    std::swap(ra, rb);
  parent_[rb] = ra;
}

void AliasAnalysis::toWildcard(const Value *v) {
  if (!mutableValue(v))
    return;
  if (!wildcard_) {
    wildcard_ = v;
    return;
  }
  unite(wildcard_, v);
}

AliasAnalysis::AliasAnalysis(const Graph &g) : AliasAnalysis(g, /*distinctAttributes=*/false) {}

AliasAnalysis::AliasAnalysis(const Graph &g, bool distinctAttributes)
    : distinctAttributes_(distinctAttributes) {
  for (const Value *in : g.inputs())
    toWildcard(in);
  analyzeBlock(g.block());
}

void AliasAnalysis::analyzeBlock(const Block *b) {
  for (const Node *n : b->nodes())
    analyzeNode(n);
}

void AliasAnalysis::conservative(const Node *n) {
  unknownEffects_.insert(n);
  auto &w = writes_[n];
  for (const Value *in : n->inputs())
    if (mutableValue(in)) {
      toWildcard(in);
      w.push_back(in);
      writtenValues_.push_back(in);
    }
  for (const Value *out : n->outputs())
    toWildcard(out);
}

void AliasAnalysis::analyzeNode(const Node *n) {
  std::string k = n->kind().qualString();
  for (const Block *b : n->blocks())
    analyzeBlock(b);
  if (k == "prim::If") {
    for (size_t i = 0; i < n->outputs().size(); ++i)
      for (const Block *b : n->blocks())
        if (mutableValue(n->output(i)))
          unite(n->output(i), b->outputs()[i]);
    return;
  }
  if (k == "prim::Loop") {
    const Block *body = n->blocks()[0];
    for (size_t i = 0; i < n->outputs().size(); ++i) {
      if (!mutableValue(n->output(i)))
        continue;
      unite(n->output(i), n->input(i + 2));
      unite(n->output(i), body->inputs()[i + 1]);
      unite(n->output(i), body->outputs()[i + 1]);
    }
    return;
  }
  if (k == "prim::Constant")
    return;
  if (k == "prim::CreateObject" || k == "prim::isinstance")
    return; // a fresh object; a bool
  if (k == "prim::GetAttr") {
    if (distinctAttributes_)
      return;
    for (const Value *o : n->outputs())
      toWildcard(o);
    return;
  }
  static const std::unordered_set<std::string> containers = {
      "prim::ListConstruct", "prim::TupleConstruct", "prim::DictConstruct", "prim::ListUnpack",
      "prim::TupleUnpack", "prim::TupleIndex", "prim::TupleSlice", "prim::unchecked_cast",
      "aten::__getitem__", "prim::NumToTensor", "aten::list", "aten::dict", "aten::values",
      "aten::keys", "aten::items", "prim::dtype", "prim::device"};
  if (containers.count(k)) {
    // Outputs may hold (or be) the inputs' mutable parts.
    for (const Value *o : n->outputs())
      for (const Value *in : n->inputs())
        if (mutableValue(o) && mutableValue(in))
          unite(o, in);
    return;
  }
  analyzeSchemaNode(n);
}

void AliasAnalysis::analyzeSchemaNode(const Node *n) {
  const FunctionSchema *s = n->schema();
  if (!s || s->conservative || n->hasAttribute(attr::Subgraph())) {
    if (n->hasAttribute(attr::Subgraph())) {
      // A fusion-style group: pure unless its body writes; outputs fresh.
      return;
    }
    static const std::unordered_set<std::string> pureUnknown = {"prim::Uninitialized"};
    if (!pureUnknown.count(n->kind().qualString()))
      conservative(n);
    return;
  }
  auto &w = writes_[n];
  auto setsOf = [](const AliasInfo &a) {
    std::vector<std::string> sets = a.beforeSets;
    return sets;
  };
  // Map alias-set names to the inputs that carry them.
  std::unordered_map<std::string, std::vector<const Value *>> bySet;
  for (size_t i = 0; i < n->inputs().size(); ++i) {
    const Value *in = n->input(i);
    const Argument *arg = i < s->arguments.size() ? &s->arguments[i] : nullptr;
    if (!arg || !arg->alias) {
      if (!arg && s->varArgs && mutableValue(in)) // untyped varargs: be safe
        toWildcard(in);
      continue;
    }
    const AliasInfo &a = *arg->alias;
    for (const auto &set : setsOf(a))
      bySet[set].push_back(in);
    if (a.contained)
      for (const auto &set : a.contained->beforeSets)
        bySet[set].push_back(in);
    if (a.isWildcardAfter() || (a.contained && a.contained->isWildcardAfter()))
      toWildcard(in);
    if (arg->writes() && mutableValue(in)) {
      w.push_back(in);
      writtenValues_.push_back(in);
    }
  }
  for (size_t i = 0; i < n->outputs().size(); ++i) {
    const Value *out = n->output(i);
    const Argument *ret = i < s->returns.size() ? &s->returns[i] : nullptr;
    if (!ret || !ret->alias || !mutableValue(out))
      continue;
    std::vector<std::string> sets = ret->alias->beforeSets;
    if (ret->alias->contained)
      for (const auto &set : ret->alias->contained->beforeSets)
        sets.push_back(set);
    for (const auto &set : sets) {
      if (set == "*") {
        toWildcard(out);
        continue;
      }
      for (const Value *in : bySet[set])
        unite(out, in);
    }
  }
}

bool AliasAnalysis::mayAlias(const Value *a, const Value *b) const {
  if (!mutableValue(a) || !mutableValue(b))
    return false;
  return find(a) == find(b);
}

bool AliasAnalysis::escapes(const Value *v) const {
  return wildcard_ && mutableValue(v) && find(v) == find(wildcard_);
}

const std::vector<const Value *> &AliasAnalysis::writes(const Node *n) const {
  static const std::vector<const Value *> none;
  auto it = writes_.find(n);
  return it == writes_.end() ? none : it->second;
}

bool AliasAnalysis::hasWriters(const Value *v) const {
  // The written values are mutable (they were checked when recorded) and
  // are never dereferenced here: a pass that destroys a writer's block
  // (constant propagation folding an if or a dead loop) keeps asking, and
  // a stale entry can only make the answer more conservative.
  if (!mutableValue(v))
    return false;
  const Value *set = find(v);
  for (const Value *w : writtenValues_)
    if (find(w) == set)
      return true;
  return false;
}

bool AliasAnalysis::writesToAlias(const Node *n, const std::vector<const Value *> &values) const {
  for (const Value *w : writes(n))
    for (const Value *v : values)
      if (mayAlias(w, v))
        return true;
  return false;
}

bool AliasAnalysis::hasSideEffects(const Node *n) const {
  static const std::unordered_set<std::string> effects = {
      "prim::RaiseException", "prim::Print",       "prim::SetAttr",   "aten::warn",
      "prim::CallFunction",   "prim::CallMethod",  "prim::fork",      "aten::wait",
      "prim::Enter",          "prim::Exit",        "prim::AddStatValue", "prim::TimePoint",
      "prim::RecordFunction", "aten::manual_seed", "prim::PythonOp",  "aten::_assert_async",
      "prim::IgnoredPythonOp", "aten::backward", "aten::set_grad_enabled"};
  if (effects.count(n->kind().qualString()))
    return true;
  if (unknownEffects_.count(n))
    return true;
  if (const FunctionSchema *s = n->schema())
    if (s->sideEffects)
      return true;
  for (const Block *b : n->blocks())
    for (const Node *inner : b->nodes())
      if (hasSideEffects(inner))
        return true;
  return false;
}

} // namespace ember
