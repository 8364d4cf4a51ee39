//===- ir/Type.h - TorchScript's type system ------------------------------===//
//
// Types are immutable and shared (TypePtr). Structural types (List, Dict,
// Tuple, Optional, Union, Future) are compared structurally; class, module and
// named-tuple types by qualified name. The printed forms are exactly those of
// TorchScript's graph dumps (`str()`) and of its Python-syntax printer
// (`annotationStr()`).
//
//===----------------------------------------------------------------------===//
#pragma once

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ember {

class Type;
using TypePtr = std::shared_ptr<const Type>;

enum class TypeKind {
  Tensor,
  Int,
  Float,
  Bool,
  Str,
  Complex,
  None,
  Number, // "Scalar": int, float or complex
  Device,
  Layout,
  ScalarType,
  MemoryFormat,
  Generator,
  Stream,
  Storage,
  Capsule,
  Any,
  AnyList,  // the formal type "list" of a few prim ops
  AnyTuple, // the formal type "tuple"
  AnyClass,
  AnyEnum,
  List,
  Dict,
  Tuple, // also NamedTuple, when it carries field names
  Optional,
  Union,
  Future,
  RRef,
  Class, // script classes and modules, by qualified name
  Interface, // `@torch.jit.interface` classes: methods any class may provide
  Enum,
  Function,
  Var, // a schema type variable such as `t` or `K`
  SymInt,
  Quantizer,
  QScheme,
  Dimname,
};

/// One member of an enum class: `RED = 1`.
struct EnumMember {
  std::string name;
  std::variant<int64_t, double, std::string> value;
};

/// Refinements of a tensor type. Each field is unknown when empty.
struct TensorInfo {
  std::optional<c10::ScalarType> dtype;
  /// Known rank: one entry per dimension, each size known or not.
  std::optional<std::vector<std::optional<int64_t>>> sizes;
  std::optional<std::vector<std::optional<int64_t>>> strides;
  std::optional<c10::Device> device;
  std::optional<bool> requiresGrad;
  std::optional<bool> undefined;

  bool operator==(const TensorInfo &o) const;
  bool isUnrefined() const {
    return !dtype && !sizes && !strides && !device && !requiresGrad && !undefined;
  }
};

class Type : public std::enable_shared_from_this<Type> {
public:
  TypeKind kind() const { return kind_; }

  /// Contained types: element (List, Optional, Future, RRef), key/value
  /// (Dict), elements (Tuple), alternatives (Union).
  const std::vector<TypePtr> &contained() const { return contained_; }
  const TypePtr &elem() const { return contained_.at(0); }

  /// Qualified name of a class, module, enum or named tuple; name of a type
  /// variable or a function.
  const std::string &name() const { return name_; }
  /// Field names of a NamedTuple (empty for a plain tuple).
  const std::vector<std::string> &fieldNames() const { return fieldNames_; }
  bool isNamedTuple() const { return kind_ == TypeKind::Tuple && !fieldNames_.empty(); }
  /// A NamedTuple declared as a class, not an operator's anonymous named
  /// results (`max.dim`'s `values, indices`).
  bool isNamedTupleClass() const { return isNamedTuple() && !name_.empty(); }
  bool isModule() const { return isModule_; }
  const TensorInfo &tensorInfo() const { return tensor_; }
  /// An enum's members, in order, and the type of their values (int, float
  /// or str); empty for an enum named in IR text without its definition.
  const std::vector<EnumMember> &enumMembers() const { return enumMembers_; }
  TypePtr enumValueType() const;

  /// Graph-dump spelling: `int[]`, `Tensor?`, `Dict(str, int)`, `(int, str)`.
  std::string str() const;
  /// TorchScript's Type::str(), the spelling of schemas: a NamedTuple by its
  /// name (`__torch__.P`), tensors unrefined, `Future(int)`.
  std::string schemaStr() const;
  /// Python annotation spelling: `List[int]`, `Optional[Tensor]`.
  std::string annotationStr() const;

  bool equals(const Type &other) const;
  bool isSubtypeOf(const Type &other) const;
  bool isSubtypeOf(const TypePtr &other) const { return isSubtypeOf(*other); }
  /// True if the type or any contained type is a type variable.
  bool hasFreeVariables() const;
  /// The type with all tensor refinements erased.
  TypePtr unrefined() const;

  // Factories. Singletons are returned for the simple kinds.
  static TypePtr get(TypeKind kind);
  static TypePtr tensor();
  static TypePtr tensor(TensorInfo info);
  static TypePtr list(TypePtr elem);
  static TypePtr dict(TypePtr key, TypePtr value);
  static TypePtr tuple(std::vector<TypePtr> elems);
  static TypePtr namedTuple(std::string qualName, std::vector<std::string> names,
                            std::vector<TypePtr> elems);
  static TypePtr optional(TypePtr elem);
  static TypePtr unionOf(std::vector<TypePtr> alternatives);
  static TypePtr future(TypePtr elem);
  static TypePtr rref(TypePtr elem);
  static TypePtr classType(std::string qualName, bool isModule);
  /// An interface: its methods are known to the compiler that declared it;
  /// a class (a module, for a module interface) is a subtype here, and the
  /// compiler checks the methods where a class value becomes the interface.
  static TypePtr interfaceType(std::string qualName, bool isModule);
  static TypePtr enumType(std::string qualName, std::vector<EnumMember> members = {});
  static TypePtr function(std::string name);
  static TypePtr var(std::string name);

  Type(TypeKind kind) : kind_(kind) {}

private:
  friend struct TypeBuilder;
  TypeKind kind_;
  std::vector<TypePtr> contained_;
  std::string name_;
  std::vector<std::string> fieldNames_;
  TensorInfo tensor_;
  bool isModule_ = false;
  std::vector<EnumMember> enumMembers_;
};

inline bool operator==(const TypePtr &a, const Type &b) { return a->equals(b); }

/// The smallest type both unify to, as TorchScript's unifyTypes does for
/// branches of an `if`: equal types, `T` and `None` -> `Optional[T]`, refined
/// tensors -> their common refinement, containers elementwise. Empty when the
/// two types do not unify.
TypePtr unifyTypes(const TypePtr &a, const TypePtr &b);

/// The alternatives of `Union[alternatives]` as TorchScript standardises
/// them: flattened (nested unions, optionals, `number`), merged where they
/// unify, sorted by kind then spelling. Type::unionOf builds on it.
std::vector<TypePtr> standardizeUnion(const std::vector<TypePtr> &alternatives);

/// The TorchScript name of a scalar type, e.g. `Float`, `Long`.
std::string scalarTypeName(c10::ScalarType t);
std::optional<c10::ScalarType> scalarTypeFromName(const std::string &name);

/// Current printing verbosity (PYTORCH_JIT_TYPE_VERBOSITY, default Full=3).
int typeVerbosity();

} // namespace ember
