//===- ir/Constants.h - constant payloads as c10::IValue ------------------===//
//
// The bridge between `prim::Constant` attributes and runtime values. This
// header includes ATen's IValue: include it from .cpp files only.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Graph.h"

#include <ATen/core/ivalue.h>

#include <optional>

namespace ember {

/// The value of a `prim::Constant` output, or empty if `v` is not a constant
/// or its payload has no runtime value (e.g. a `Function` constant).
std::optional<c10::IValue> constantValue(const Value *v);

/// True when `v` is produced by a prim::Constant.
bool isConstant(const Value *v);
std::optional<int64_t> constantInt(const Value *v);
std::optional<bool> constantBool(const Value *v);

/// The refined tensor type TorchScript infers for a constant tensor:
/// dtype, sizes, strides, device and requires_grad all known.
TypePtr completeTensorType(const at::Tensor &t);

/// The type of an IValue, with `hint` (the type the caller expects) used for
/// values whose runtime tag is ambiguous (ints that are dtypes, empty lists).
TypePtr typeOfIValue(const c10::IValue &v, const TypePtr &hint = nullptr);

/// c10's type for an enum type that carries its members (the runtime and
/// the pickler need it); null when the members are not known.
c10::TypePtr c10EnumType(const TypePtr &enumType);

/// The value of member `index` of `enumType` (an ivalue::EnumHolder).
c10::IValue enumMemberValue(const TypePtr &enumType, size_t index);

} // namespace ember
