//===- passes/AliasAnalysis.h - may-alias sets and writes -----------------===//
//
// A flow-insensitive may-alias analysis built from the schemas' alias
// annotations (reference §2.2), shared by dce, cse and constant propagation.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Graph.h"

#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ember {

class AliasAnalysis {
public:
  explicit AliasAnalysis(const Graph &g);
  /// With `distinctAttributes`, each `prim::GetAttr` result starts a set of
  /// its own instead of joining the wildcard: what freezing asks, for
  /// attributes the graph sees whole (callees inlined), is whether the
  /// graph itself writes this one.
  AliasAnalysis(const Graph &g, bool distinctAttributes);

  /// Values whose identity can be observed: tensors, lists, dicts, objects,
  /// and containers or optionals of them.
  static bool isMutableType(const TypePtr &t);

  bool mayAlias(const Value *a, const Value *b) const;
  /// True if `v` may alias a graph input, an attribute, or anything that has
  /// escaped to the wildcard set (so its mutation is visible outside).
  bool escapes(const Value *v) const;
  /// Values the node writes (through `Tensor(a!)` arguments, or all mutable
  /// inputs of an operator with unknown effects).
  const std::vector<const Value *> &writes(const Node *n) const;
  bool isWriter(const Node *n) const { return !writes(n).empty(); }
  /// True if some node in the graph writes a value that may alias `v`.
  /// Stays safe to ask after the pass has destroyed nodes the analysis saw
  /// (their entries only make answers more conservative).
  bool hasWriters(const Value *v) const;
  /// True if `n` writes a value that may alias one of `values`.
  bool writesToAlias(const Node *n, const std::vector<const Value *> &values) const;
  /// Effects beyond its outputs and writes: raising, printing, setting
  /// attributes, warning, calling unknown or conservative operators.
  bool hasSideEffects(const Node *n) const;

private:
  const Value *find(const Value *v) const;
  void unite(const Value *a, const Value *b);
  void toWildcard(const Value *v);
  void analyzeBlock(const Block *b);
  void analyzeNode(const Node *n);
  void analyzeSchemaNode(const Node *n);
  void conservative(const Node *n);

  mutable std::unordered_map<const Value *, const Value *> parent_;
  const Value *wildcard_ = nullptr; // representative of the escaped set
  bool distinctAttributes_ = false;
  std::unordered_map<const Node *, std::vector<const Value *>> writes_;
  std::unordered_set<const Node *> unknownEffects_;
  std::vector<const Value *> writtenValues_;
};

} // namespace ember
