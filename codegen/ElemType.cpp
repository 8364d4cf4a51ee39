//===- codegen/ElemType.cpp - element types of fused kernels --------------===//
//
// The dtypes kernels handle and their names; every other dtype is refused
// with a LoweringError that names it (the group then runs unfused).
//
//===----------------------------------------------------------------------===//
#include "codegen/KernelSpec.h"

#include "codegen/Lowering.h"

namespace ember::codegen {

const char *toString(ElemType t) {
  switch (t) {
  case ElemType::Bool: return "bool";
  case ElemType::Int32: return "int32";
  case ElemType::Int64: return "int64";
  case ElemType::Float32: return "float32";
  case ElemType::Float64: return "float64";
  }
  return "?";
}

bool isFloat(ElemType t) { return t == ElemType::Float32 || t == ElemType::Float64; }

c10::ScalarType scalarTypeOf(ElemType t) {
  switch (t) {
  case ElemType::Bool: return c10::kBool;
  case ElemType::Int32: return c10::kInt;
  case ElemType::Int64: return c10::kLong;
  case ElemType::Float32: return c10::kFloat;
  case ElemType::Float64: return c10::kDouble;
  }
  return c10::kFloat;
}

std::optional<ElemType> elemTypeOf(c10::ScalarType s) {
  switch (s) {
  case c10::kBool: return ElemType::Bool;
  case c10::kInt: return ElemType::Int32;
  case c10::kLong: return ElemType::Int64;
  case c10::kFloat: return ElemType::Float32;
  case c10::kDouble: return ElemType::Float64;
  default: return std::nullopt;
  }
}

ElemType checkedElemType(c10::ScalarType s, const std::string &what) {
  if (auto t = elemTypeOf(s))
    return *t;
  throw LoweringError(what + " has dtype " + std::string(c10::toString(s)) +
                      ", which fused kernels do not handle");
}

} // namespace ember::codegen
