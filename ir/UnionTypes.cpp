//===- ir/UnionTypes.cpp - the alternatives of a Union, standardised ------===//
//
// TorchScript compares Unions by their alternatives, so it standardises them
// when a Union is made (c10's standardizeVectorForUnion): nested unions and
// optionals are spread out, `number` becomes int, float and complex,
// alternatives that unify merge, and the rest are sorted by the position of
// their kind in c10's TypeKind enum, then by spelling. ember does the same,
// so that `Union[str, int]` prints as `Union[int, str]` wherever torch.jit
// prints it.
//
//===----------------------------------------------------------------------===//
#include "ir/Type.h"

#include <algorithm>

namespace ember {

namespace {

/// The position of a kind in TorchScript's TypeKind enum (jit_type_base.h),
/// which orders the alternatives of a Union.
int torchKindRank(TypeKind k) {
  switch (k) {
  case TypeKind::Any: return 0;
  case TypeKind::Enum: return 1;
  case TypeKind::AnyEnum: return 2;
  case TypeKind::Tensor: return 3;
  case TypeKind::Storage: return 4;
  case TypeKind::Tuple: return 5;
  case TypeKind::List: return 6;
  case TypeKind::Dict: return 7;
  case TypeKind::Number: return 8;
  case TypeKind::Float: return 9;
  case TypeKind::Complex: return 10;
  case TypeKind::Future: return 11;
  case TypeKind::RRef: return 12;
  case TypeKind::Int: return 13;
  case TypeKind::None: return 14;
  case TypeKind::Str: return 15;
  case TypeKind::Generator: return 16;
  case TypeKind::Quantizer: return 17;
  case TypeKind::Bool: return 18;
  case TypeKind::Optional: return 19;
  case TypeKind::Var: return 20;
  case TypeKind::Device: return 21;
  case TypeKind::Stream: return 22;
  case TypeKind::Function: return 23;
  case TypeKind::Class: return 24;
  case TypeKind::Capsule: return 26;
  case TypeKind::Interface: return 27;
  case TypeKind::QScheme: return 28;
  case TypeKind::ScalarType: return 29;
  case TypeKind::Layout: return 30;
  case TypeKind::MemoryFormat: return 31;
  case TypeKind::AnyList: return 32;
  case TypeKind::AnyTuple: return 33;
  case TypeKind::AnyClass: return 34;
  case TypeKind::SymInt: return 35;
  case TypeKind::Union: return 37;
  default: return 40;
  }
}

/// Nested unions and optionals spread into their alternatives; `number`
/// into int, float and complex (TorchScript's flattenUnion).
void flattenUnion(const TypePtr &t, std::vector<TypePtr> &out) {
  switch (t->kind()) {
  case TypeKind::Union:
    for (const auto &c : t->contained())
      flattenUnion(c, out);
    break;
  case TypeKind::Optional:
    flattenUnion(t->elem(), out);
    out.push_back(Type::get(TypeKind::None));
    break;
  case TypeKind::Number:
    for (auto k : {TypeKind::Int, TypeKind::Float, TypeKind::Complex})
      out.push_back(Type::get(k));
    break;
  default: out.push_back(t);
  }
}

/// Alternatives that unify (duplicates, a subtype and its supertype, two
/// refinements of Tensor) merge into one; None never merges with another
/// type (TorchScript's filterDuplicateSubtypes).
void mergeAlternatives(std::vector<TypePtr> &types) {
  std::vector<TypePtr> kept;
  for (size_t i = types.size(); i-- > 0;) {
    bool merged = false;
    bool isNone = types[i]->kind() == TypeKind::None;
    for (size_t j = 0; j < i && !merged; ++j) {
      if ((types[j]->kind() == TypeKind::None) != isNone)
        continue;
      if (TypePtr u = unifyTypes(types[i], types[j])) {
        types[j] = u;
        merged = true;
      }
    }
    if (!merged)
      kept.push_back(types[i]);
  }
  types.assign(kept.rbegin(), kept.rend());
}

} // namespace

std::vector<TypePtr> standardizeUnion(const std::vector<TypePtr> &alternatives) {
  std::vector<TypePtr> flat;
  for (const auto &a : alternatives)
    flattenUnion(a, flat);
  mergeAlternatives(flat);
  std::stable_sort(flat.begin(), flat.end(), [](const TypePtr &a, const TypePtr &b) {
    int ra = torchKindRank(a->kind()), rb = torchKindRank(b->kind());
    return ra != rb ? ra < rb : a->str() < b->str();
  });
  return flat;
}

} // namespace ember
