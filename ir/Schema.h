//===- ir/Schema.h - operator schemas and the operator registry -----------===//
//
// A FunctionSchema is TorchScript's operator signature,
//   aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor
// with alias annotations (`Tensor(a!)`). Every ATen schema is imported from
// the c10 dispatcher by the runtime at start-up; ember's own operators (the
// prim:: structural ops and TorchScript's scalar, list, dict and string
// builtins) come from ir/PrimOps.def.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Symbol.h"
#include "ir/Type.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace c10 {
struct IValue;
} // namespace c10

namespace ember {

class Graph;
class SourceBuffer;

/// `Tensor(a!)`: the value is in alias sets `beforeSets` (after the op, in
/// `afterSets`; `*` is the wildcard set) and the op writes it when isWrite.
struct AliasInfo {
  std::vector<std::string> beforeSets;
  std::vector<std::string> afterSets;
  bool isWrite = false;
  /// Annotation of a list's element type: `Tensor(a!)[]`.
  std::shared_ptr<AliasInfo> contained;
  bool isWildcardAfter() const;
  std::string str() const;
};

struct Argument {
  std::string name;
  TypePtr type;
  /// Fixed length of a broadcasting list: `int[2]`.
  std::optional<int64_t> N;
  /// The default as Python literal text (`1`, `None`, `[0, 1]`, `"mean"`).
  std::optional<std::string> defaultValue;
  bool kwargOnly = false;
  std::optional<AliasInfo> alias;
  /// Typed Tensor because the parameter has no annotation (TorchScript's
  /// is_inferred_type, which its argument errors mention).
  bool inferredType = false;
  /// A default that has no literal text (a tensor: `y: Tensor =
  /// torch.ones(2)` in Python, `CONSTANTS.c0` in archive code), held as the
  /// value; `defaultValue` then keeps the text it was written as.
  std::shared_ptr<const c10::IValue> defaultConstant;
  bool writes() const;
};

struct FunctionSchema {
  std::string name;     // qualified: aten::add
  std::string overload; // Tensor
  std::vector<Argument> arguments;
  std::vector<Argument> returns;
  bool varArgs = false;
  bool varRets = false;
  /// Effects unknown to the alias analysis (CONSERVATIVE ops, custom ops).
  bool conservative = false;
  /// Has a side effect that must be kept even when its outputs are unused.
  bool sideEffects = false;

  Symbol kind() const { return Symbol::fromQualString(name); }
  /// True if any argument is written (`Tensor(a!)`).
  bool isMutable() const;
  std::string str() const;
};

/// Parses `ns::name[.overload](args) -> returns`. Throws CompileError with a
/// rendered diagnostic for malformed text.
FunctionSchema parseSchema(const std::string &text, const std::string &sourceName = "<schema>");

/// TorchScript's defaultSchemaFor: the schema of a graph that has no source
/// signature (a trace, a graph read from IR text), named `name`.
FunctionSchema defaultSchemaFor(const Graph &g, const std::string &name);

using TypeEnv = std::map<std::string, TypePtr>;

/// Binds the type variables of `formal` (`t`, `t[]`, `Dict(str, t)`) against
/// `actual`, left to right; a variable bound twice takes the unification of
/// both. Parts without variables must accept `actual`. With `tuplesAsLists`
/// a tuple may bind a list's element type (calls convert such tuples).
bool bindTypeVariables(const TypePtr &formal, const TypePtr &actual, TypeEnv &env,
                       bool tuplesAsLists = false);
/// `t` with its type variables replaced; null when one is unbound.
TypePtr substituteTypeVariables(const TypePtr &t, const TypeEnv &env);

/// Matches actual input types against a schema's formal types, binding type
/// variables. On success returns the output types, with variables replaced.
std::optional<std::vector<TypePtr>> matchSchema(const FunctionSchema &schema,
                                                const std::vector<TypePtr> &inputs);

class OperatorRegistry {
public:
  /// The process-wide registry, holding ember's own operators from the start.
  static OperatorRegistry &global();
  void add(std::shared_ptr<const FunctionSchema> schema);
  /// Every overload of `kind`, in registration order (empty if unknown).
  std::vector<std::shared_ptr<const FunctionSchema>> lookup(Symbol kind) const;
  bool contains(Symbol kind) const;
  /// The first overload that accepts `inputs`, as TorchScript resolves nodes.
  const FunctionSchema *resolve(Symbol kind, const std::vector<TypePtr> &inputs,
                                std::vector<TypePtr> *outputTypes = nullptr) const;
  size_t size() const;
  std::vector<Symbol> kinds() const;
  /// True once the runtime has imported the dispatcher's schemas; before
  /// that, an operator's overload list is incomplete and the verifier does
  /// not check input types against it.
  bool isComplete() const;
  void markComplete();

private:
  OperatorRegistry();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace ember
