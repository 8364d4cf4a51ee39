//===- runtime/Values.h - Python semantics on IValues ---------------------===//
//
// Equality, ordering, hashing-free membership and printing of runtime values
// as Python defines them, shared by the kernels and the interpreter.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <ATen/core/ivalue.h>

#include <string>

namespace ember::runtime {

inline bool isIntLike(const c10::IValue &v) { return v.isInt() || v.isBool(); }
inline int64_t asInt(const c10::IValue &v) { return v.isInt() ? v.toInt() : int64_t(v.toBool()); }
double asDouble(const c10::IValue &v);
c10::complex<double> asComplex(const c10::IValue &v);
inline bool isNumber(const c10::IValue &v) {
  return v.isInt() || v.isDouble() || v.isBool() || v.isComplexDouble();
}

/// Python `==`: numbers by value, containers element by element, tensors by
/// `torch.equal`, objects by identity.
bool valuesEqual(const c10::IValue &a, const c10::IValue &b);
/// Python `<` on numbers, strings, lists and tuples (lexicographic).
bool valueLess(const c10::IValue &a, const c10::IValue &b);

/// `str(x)` as TorchScript spells it (floats as `1.` or with 17 digits,
/// strings unquoted inside containers).
std::string valueStr(const c10::IValue &v);

/// Python's floor division and modulo on ints; throws ZeroDivisionError.
int64_t floorDivide(int64_t a, int64_t b);
int64_t floorModulo(int64_t a, int64_t b);
double floorModulo(double a, double b);

/// `copy.deepcopy`: as IValue::deepcopy (one copy per shared value), but a
/// tensor's copy is a leaf with the original's requires_grad, as torch 2.x
/// copies parameters (torch 1.13's clone is a non-leaf when it requires grad).
c10::IValue deepCopy(const c10::IValue &v);

/// A list with the same element type as `like`, holding `elems`.
c10::IValue listLike(const c10::List<c10::IValue> &like, std::vector<c10::IValue> elems);
/// Normalises a Python index into [0, size); throws IndexError naming `what`.
size_t normalizeIndex(int64_t index, size_t size, const char *what);

} // namespace ember::runtime
