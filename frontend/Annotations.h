//===- frontend/Annotations.h - type annotations to types -----------------===//
//
// Resolves PEP 484/526 annotations (`List[int]`, `Optional[Tensor]`,
// `torch.device`, `int | None`, string annotations) and `# type:` signature
// comments into ember types, and a `def` into its FunctionSchema.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "frontend/AST.h"
#include "ir/Schema.h"
#include "ir/Type.h"

#include <functional>
#include <optional>

namespace ember::frontend {

/// `a.b.c` for a Name/Attribute chain, empty for any other expression.
std::string dottedName(const Expr &e);

/// Rejects a dict key type TorchScript does not allow (a Union, a tuple,
/// a class), with its message.
void checkDictKeyType(const TypePtr &key, const SourceSpan &span);
/// The same for the first key a comprehension or `dict(pairs)` makes,
/// which may not be a Union (the keys would not be homogeneous).
void checkGeneratedDictKeyType(const TypePtr &key, const SourceSpan &span);

/// Looks up a name the annotation language does not know (a user class, a
/// NamedTuple, an enum): returns its type or null.
using TypeNameResolver = std::function<TypePtr(const std::string &dottedName)>;

struct ResolvedAnnotation {
  TypePtr type;
  bool isFinal = false;       // Final[T]
  std::optional<int64_t> N;   // BroadcastingListN[T]
};

/// Resolves an annotation expression. Unknown names go to `resolver`; what
/// it cannot resolve either is a CompileError at the name.
ResolvedAnnotation resolveAnnotation(const Expr &annotation, const TypeNameResolver &resolver = {});

/// A type where one is required: as resolveAnnotation, but a bare `Final`
/// (which takes its type from a value) is a CompileError.
TypePtr resolveType(const Expr &annotation, const TypeNameResolver &resolver = {});

/// The type a `# type: T` comment gives the variable of an assignment.
ResolvedAnnotation typeCommentOf(const Stmt &assign, const TypeNameResolver &resolver = {});

struct FunctionSignature {
  FunctionSchema schema;
  /// No return annotation: the emitter infers the type from the body.
  bool returnInferred = false;
};

/// The value of a default that is not a literal (`CONSTANTS.c0` in archive
/// code, a name standing for a tensor the Python package found), or null.
using DefaultConstantResolver = std::function<std::shared_ptr<const c10::IValue>(const Expr &)>;

/// The signature of a `def`: parameter types from annotations or from a
/// `# type: (...) -> ...` comment (unannotated parameters are Tensor, as in
/// TorchScript), defaults as written, keyword-only markers and the return
/// type. `isMethod` gives `self` no type and lets a type comment omit it.
FunctionSignature signatureOf(const Stmt &def, bool isMethod,
                              const TypeNameResolver &resolver = {},
                              const DefaultConstantResolver &constants = {});

/// The name a method compiles under: its own, but `__<name>_getter` for a
/// `@property` and `__<name>_setter` for its `@<name>.setter`, as
/// TorchScript names them.
std::string methodNameOf(const Stmt &def);

} // namespace ember::frontend
