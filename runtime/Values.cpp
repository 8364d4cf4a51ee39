//===- runtime/Values.cpp - Python semantics on IValues -------------------===//
#include "runtime/Values.h"

#include "runtime/Kernels.h"
#include "runtime/ScriptUnit.h"

#include <ATen/ATen.h>

#include <cmath>
#include <unordered_set>
#include <sstream>

namespace ember::runtime {

double asDouble(const c10::IValue &v) {
  if (v.isDouble())
    return v.toDouble();
  if (v.isInt())
    return double(v.toInt());
  if (v.isBool())
    return double(v.toBool());
  throw PythonError("TypeError", "expected a number, found " + v.tagKind());
}

c10::complex<double> asComplex(const c10::IValue &v) {
  if (v.isComplexDouble())
    return v.toComplexDouble();
  return c10::complex<double>(asDouble(v), 0);
}

bool valuesEqual(const c10::IValue &a, const c10::IValue &b) {
  if (isNumber(a) && isNumber(b)) {
    if (a.isComplexDouble() || b.isComplexDouble())
      return asComplex(a) == asComplex(b);
    if (isIntLike(a) && isIntLike(b))
      return asInt(a) == asInt(b);
    return asDouble(a) == asDouble(b);
  }
  if (a.isNone() || b.isNone())
    return a.isNone() && b.isNone();
  if (a.isString() && b.isString())
    return a.toStringRef() == b.toStringRef();
  if (a.isEnum() && b.isEnum()) {
    // Same class and member (EnumHolder's operator== is not exported).
    const auto &x = a.toEnumHolder(), &y = b.toEnumHolder();
    return x->qualifiedClassName() == y->qualifiedClassName() && x->name() == y->name();
  }
  if (a.isTensor() && b.isTensor()) {
    // As c10's IValue ==: the same tensor is equal; others compare with
    // `eq` then bool(), so a tensor of several elements raises "Boolean
    // value of Tensor with more than one value is ambiguous".
    const at::Tensor &x = a.toTensor(), &y = b.toTensor();
    if (x.is_same(y))
      return true;
    if (!x.defined() || !y.defined())
      return false;
    return x.eq(y).is_nonzero();
  }
  auto elementwise = [](const auto &x, const auto &y) {
    if (x.size() != y.size())
      return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (!valuesEqual(x[i], y[i]))
        return false;
    return true;
  };
  if (a.isList() && b.isList())
    return elementwise(a.toListRef(), b.toListRef());
  if (a.isTuple() && b.isTuple())
    return elementwise(a.toTupleRef().elements(), b.toTupleRef().elements());
  if (a.isGenericDict() && b.isGenericDict()) {
    auto x = a.toGenericDict(), y = b.toGenericDict();
    if (x.size() != y.size())
      return false;
    for (const auto &e : x) {
      auto it = y.find(e.key());
      if (it == y.end() || !valuesEqual(e.value(), it->value()))
        return false;
    }
    return true;
  }
  if (a.isDevice() && b.isDevice())
    return a.toDevice() == b.toDevice();
  return a.isSameIdentity(b);
}

bool valueLess(const c10::IValue &a, const c10::IValue &b) {
  if (isNumber(a) && isNumber(b)) {
    if (isIntLike(a) && isIntLike(b))
      return asInt(a) < asInt(b);
    return asDouble(a) < asDouble(b);
  }
  if (a.isString() && b.isString())
    return a.toStringRef() < b.toStringRef();
  auto lexicographic = [](const auto &x, const auto &y) {
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (valueLess(x[i], y[i]))
        return true;
      if (valueLess(y[i], x[i]))
        return false;
    }
    return x.size() < y.size();
  };
  if (a.isList() && b.isList())
    return lexicographic(a.toListRef(), b.toListRef());
  if (a.isTuple() && b.isTuple())
    return lexicographic(a.toTupleRef().elements(), b.toTupleRef().elements());
  if (a.isTensor() && b.isTensor())
    return a.toTensor().lt(b.toTensor()).is_nonzero();
  // Script objects compare by their class's __lt__ (the compiler checked it).
  if (a.isObject())
    if (const Function *lt = ScriptUnit::methodOfObject(a.toObjectRef(), "__lt__")) {
      Stack r = lt->run({a, b});
      return !r.empty() && r[0].isBool() && r[0].toBool();
    }
  throw PythonError("TypeError", "'<' not supported between instances of '" + a.tagKind() +
                                     "' and '" + b.tagKind() + "'");
}

std::string valueStr(const c10::IValue &v) {
  // TorchScript's str() and print() are c10's IValue printer: strings
  // unquoted even inside containers, whole floats as `1.`, others with 17
  // significant digits.
  std::ostringstream os;
  os << v;
  return os.str();
}

int64_t floorDivide(int64_t a, int64_t b) {
  if (b == 0)
    throw PythonError("ZeroDivisionError", "integer division or modulo by zero");
  if (b == -1) // INT64_MIN / -1 traps in hardware; int arithmetic wraps
    return int64_t(0 - uint64_t(a));
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    --q;
  return q;
}

int64_t floorModulo(int64_t a, int64_t b) {
  if (b == -1) // a - (a // -1) * -1 overflows for INT64_MIN
    return 0;
  return a - floorDivide(a, b) * b;
}

double floorModulo(double a, double b) {
  if (b == 0)
    throw PythonError("ZeroDivisionError", "float modulo");
  double r = std::fmod(a, b);
  if (r != 0 && ((r < 0) != (b < 0)))
    r += b;
  return r;
}

c10::IValue listLike(const c10::List<c10::IValue> &like, std::vector<c10::IValue> elems) {
  c10::impl::GenericList out(like.elementType());
  out.reserve(elems.size());
  for (auto &e : elems)
    out.push_back(std::move(e));
  return out;
}

size_t normalizeIndex(int64_t index, size_t size, const char *what) {
  int64_t i = index < 0 ? index + int64_t(size) : index;
  if (i < 0 || i >= int64_t(size))
    throw PythonError("IndexError", std::string(what) + " index out of range");
  return size_t(i);
}

namespace {

/// Puts a leaf copy of every tensor reachable from `v` into `memo`, so that
/// IValue::deepcopy takes them instead of cloning.
void copyTensorsAsLeaves(const c10::IValue &v, c10::IValue::HashAliasedIValueMap &memo,
                         std::unordered_set<const void *> &visited) {
  if (v.isTensor()) {
    const at::Tensor &t = v.toTensor();
    if (t.defined() && !memo.count(v))
      memo[v] = t.detach().clone().requires_grad_(t.requires_grad());
    return;
  }
  if (!v.isPtrType() || !visited.insert(v.internalToPointer()).second)
    return;
  if (v.isObject()) {
    const auto &obj = v.toObjectRef();
    for (size_t i = 0; i < obj.slots().size(); ++i)
      copyTensorsAsLeaves(obj.getSlot(i), memo, visited);
  } else if (v.isList()) {
    for (const c10::IValue &e : v.toListRef())
      copyTensorsAsLeaves(e, memo, visited);
  } else if (v.isTuple()) {
    for (const c10::IValue &e : v.toTupleRef().elements())
      copyTensorsAsLeaves(e, memo, visited);
  } else if (v.isGenericDict()) {
    for (const auto &entry : v.toGenericDict()) {
      copyTensorsAsLeaves(entry.key(), memo, visited);
      copyTensorsAsLeaves(entry.value(), memo, visited);
    }
  }
}

} // namespace

c10::IValue deepCopy(const c10::IValue &v) {
  c10::IValue::HashAliasedIValueMap memo;
  std::unordered_set<const void *> visited;
  copyTensorsAsLeaves(v, memo, visited);
  return v.deepcopy(memo);
}

} // namespace ember::runtime
