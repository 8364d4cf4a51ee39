//===- runtime/kernels/ScalarKernels.cpp - int/float/bool/complex ops -----===//
//
// TorchScript's scalar builtins with Python semantics: floor division and
// modulo round toward negative infinity, `/` is true division, division by
// zero raises ZeroDivisionError. One kernel serves every overload of a name:
// it computes in the operands' natural type and then converts to the type
// the overload declares (`pow.int` returns float, `pow.int_to_int` int).
//
//===----------------------------------------------------------------------===//
#include "runtime/Kernels.h"
#include "runtime/Values.h"

#include <ATen/ATen.h>

#include <cmath>

namespace ember::runtime {
namespace {

/// As TorchScript's checkImplicitTensorToNum: a tensor that requires grad
/// cannot silently become a number (its gradient would be lost).
void checkNoGradForScalar(const at::Tensor &t) {
  if (t.requires_grad())
    throw PythonError("RuntimeError",
                      "Cannot input a tensor that requires grad as a scalar argument");
}

using IValue = c10::IValue;
using Complex = c10::complex<double>;

/// Converts a natural result to the kind an overload declares.
IValue coerce(IValue v, TypeKind out) {
  if (out == TypeKind::Float && (v.isInt() || v.isBool()))
    return asDouble(v);
  if (out == TypeKind::Int && v.isBool())
    return int64_t(v.toBool());
  if (out == TypeKind::Int && v.isDouble())
    return int64_t(v.toDouble());
  if (out == TypeKind::Complex && !v.isComplexDouble())
    return asComplex(v);
  return v;
}

TypeKind outputKind(const Node &n) {
  return n.outputs().size() == 1 ? n.output()->type()->kind() : TypeKind::Any;
}

enum class Arith { Add, Sub, Mul, Div, FloorDiv, Mod, Pow, Min, Max, And, Or, Xor, Shl, Shr };

// int arithmetic wraps on overflow (as compiled code does), never UB.
IValue arithFloat(Arith op, double a, double b);

IValue arithInt(Arith op, int64_t a, int64_t b, bool bools) {
  switch (op) {
  case Arith::Add: return int64_t(uint64_t(a) + uint64_t(b));
  case Arith::Sub: return int64_t(uint64_t(a) - uint64_t(b));
  case Arith::Mul: return int64_t(uint64_t(a) * uint64_t(b));
  case Arith::Div:
    if (b == 0)
      throw PythonError("ZeroDivisionError", "division by zero");
    return double(a) / double(b);
  case Arith::FloorDiv: return floorDivide(a, b);
  case Arith::Mod: return floorModulo(a, b);
  case Arith::Pow: {
    if (b < 0)
      return arithFloat(op, double(a), double(b));
    int64_t r = 1, base = a;
    for (int64_t e = b; e; e >>= 1, base *= base)
      if (e & 1)
        r *= base;
    return r;
  }
  case Arith::Min: return std::min(a, b);
  case Arith::Max: return std::max(a, b);
  case Arith::And: return bools ? IValue(bool(a & b)) : IValue(a & b);
  case Arith::Or: return bools ? IValue(bool(a | b)) : IValue(a | b);
  case Arith::Xor: return bools ? IValue(bool(a ^ b)) : IValue(a ^ b);
  case Arith::Shl:
  case Arith::Shr:
    if (b < 0)
      throw PythonError("ValueError", "negative shift count");
    if (b >= 64)
      return op == Arith::Shl ? int64_t(0) : (a < 0 ? int64_t(-1) : int64_t(0));
    return op == Arith::Shl ? int64_t(uint64_t(a) << b) : a >> b;
  }
  return IValue();
}

IValue arithFloat(Arith op, double a, double b) {
  switch (op) {
  case Arith::Add: return a + b;
  case Arith::Sub: return a - b;
  case Arith::Mul: return a * b;
  case Arith::Div:
    if (b == 0)
      throw PythonError("ZeroDivisionError", "float division by zero");
    return a / b;
  case Arith::FloorDiv:
    if (b == 0)
      throw PythonError("ZeroDivisionError", "float divmod()");
    return std::floor(a / b);
  case Arith::Mod: return floorModulo(a, b);
  case Arith::Pow:
    // TorchScript's check (Python raises ZeroDivisionError).
    if (a == 0 && b < 0)
      throw PythonError("RuntimeError", "0.0 cannot be raised to a negative power");
    return std::pow(a, b);
  case Arith::Min: return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b);
  case Arith::Max: return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b);
  default: throw PythonError("TypeError", "unsupported operand types: 'float' and 'float'");
  }
}

/// a / b by Python's algorithm (Smith's, scaled by the larger part of b),
/// so results agree with Python's to the last bit.
Complex pythonQuotient(Complex a, Complex b) {
  double br = std::fabs(b.real()), bi = std::fabs(b.imag());
  if (br == 0 && bi == 0)
    throw PythonError("ZeroDivisionError", "complex division by zero");
  if (br >= bi) {
    double ratio = b.imag() / b.real(), denom = b.real() + b.imag() * ratio;
    return Complex((a.real() + a.imag() * ratio) / denom, (a.imag() - a.real() * ratio) / denom);
  }
  if (bi >= br) {
    double ratio = b.real() / b.imag(), denom = b.real() * ratio + b.imag();
    return Complex((a.real() * ratio + a.imag()) / denom, (a.imag() * ratio - a.real()) / denom);
  }
  return Complex(NAN, NAN); // a part of b is nan
}

/// a ** b as Python computes it: small integral powers by repeated
/// squaring, others through polar form.
Complex pythonPower(Complex a, Complex b) {
  if (b.imag() == 0 && b.real() == std::floor(b.real()) && std::fabs(b.real()) <= 100) {
    int64_t n = int64_t(b.real());
    Complex result(1, 0), p = a;
    for (uint64_t e = uint64_t(n < 0 ? -n : n); e; e >>= 1, p = p * p)
      if (e & 1)
        result = result * p;
    return n < 0 ? pythonQuotient(Complex(1, 0), result) : result;
  }
  if (b.real() == 0 && b.imag() == 0)
    return Complex(1, 0);
  if (a.real() == 0 && a.imag() == 0) {
    if (b.imag() != 0 || b.real() < 0)
      throw PythonError("ZeroDivisionError", "0.0 to a negative or complex power");
    return Complex(0, 0);
  }
  double magnitude = std::hypot(a.real(), a.imag()), angle = std::atan2(a.imag(), a.real());
  double length = std::pow(magnitude, b.real()), phase = angle * b.real();
  if (b.imag() != 0) {
    length /= std::exp(angle * b.imag());
    phase += b.imag() * std::log(magnitude);
  }
  return Complex(length * std::cos(phase), length * std::sin(phase));
}

IValue arithComplex(Arith op, Complex a, Complex b) {
  switch (op) {
  case Arith::Add: return a + b;
  case Arith::Sub: return a - b;
  case Arith::Mul: return a * b;
  case Arith::Div: return pythonQuotient(a, b);
  case Arith::Pow: return pythonPower(a, b);
  default: throw PythonError("TypeError", "unsupported operand types for complex");
  }
}

IValue arith(Arith op, const IValue &a, const IValue &b) {
  if (a.isComplexDouble() || b.isComplexDouble())
    return arithComplex(op, asComplex(a), asComplex(b));
  if (isIntLike(a) && isIntLike(b))
    return arithInt(op, asInt(a), asInt(b), a.isBool() && b.isBool());
  return arithFloat(op, asDouble(a), asDouble(b));
}

void addArith(KernelTable &t, const char *name, Arith op) {
  t.add(name, [op](const Node &n, const TypeConverter &) -> Operation {
    TypeKind out = outputKind(n);
    return [op, out](Stack &s) {
      IValue b = pop(s), a = pop(s);
      s.push_back(coerce(arith(op, a, b), out));
    };
  });
}

enum class Cmp { Eq, Ne, Lt, Le, Gt, Ge };

bool compare(Cmp c, const IValue &a, const IValue &b) {
  switch (c) {
  case Cmp::Eq: return valuesEqual(a, b);
  case Cmp::Ne: return !valuesEqual(a, b);
  case Cmp::Lt: return valueLess(a, b);
  case Cmp::Le: return !valueLess(b, a) && !(a.isDouble() && std::isnan(a.toDouble()));
  case Cmp::Gt: return valueLess(b, a);
  case Cmp::Ge: return !valueLess(a, b) && !(b.isDouble() && std::isnan(b.toDouble()));
  }
  return false;
}

void addCompare(KernelTable &t, const char *name, Cmp c) {
  t.add(name, Operation([c](Stack &s) {
          IValue b = pop(s), a = pop(s);
          if ((c == Cmp::Le || c == Cmp::Ge) && isNumber(a) && isNumber(b) &&
              (std::isnan(asDouble(a)) || std::isnan(asDouble(b)))) {
            s.push_back(false);
            return;
          }
          s.push_back(compare(c, a, b));
        }));
}

int64_t parseInt(const std::string &text) {
  size_t used = 0;
  int64_t v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception &) {
    used = 0;
  }
  while (used < text.size() && std::isspace((unsigned char)text[used]))
    ++used;
  if (used == 0 || used != text.size())
    throw PythonError("ValueError", "invalid literal for int() with base 10: '" + text + "'");
  return v;
}

double parseFloat(const std::string &text) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception &) {
    used = 0;
  }
  if (used == 0 || used != text.size())
    throw PythonError("ValueError", "could not convert string to float: '" + text + "'");
  return v;
}

/// A tensor used as a Python number: one element (as TorchScript demands).
at::Scalar tensorItem(const at::Tensor &t) {
  if (t.numel() != 1)
    throw PythonError("RuntimeError", "a Tensor with " + std::to_string(t.numel()) +
                                          " elements cannot be converted to Scalar");
  return t.item();
}

IValue scalarValue(const at::Scalar &s) {
  if (s.isComplex())
    return s.toComplexDouble();
  if (s.isFloatingPoint())
    return s.toDouble();
  if (s.isBoolean())
    return s.toBool();
  return s.toLong();
}

void addConversions(KernelTable &t) {
  t.add("aten::Int", Operation([](Stack &s) {
          IValue a = pop(s);
          if (a.isString())
            return s.push_back(parseInt(a.toStringRef()));
          if (a.isTensor())
            return s.push_back(tensorItem(a.toTensor()).toLong());
          if (a.isDouble()) {
            double d = a.toDouble();
            if (std::isnan(d))
              throw PythonError("ValueError", "cannot convert float NaN to integer");
            if (std::isinf(d))
              throw PythonError("OverflowError", "cannot convert float infinity to integer");
            return s.push_back(int64_t(d));
          }
          s.push_back(asInt(a));
        }));
  t.add("aten::Float", Operation([](Stack &s) {
          IValue a = pop(s);
          if (a.isString())
            return s.push_back(parseFloat(a.toStringRef()));
          if (a.isTensor())
            return s.push_back(tensorItem(a.toTensor()).toDouble());
          s.push_back(asDouble(a));
        }));
  t.add("aten::Bool", Operation([](Stack &s) {
          IValue a = pop(s);
          if (a.isTensor())
            return s.push_back(a.toTensor().is_nonzero());
          s.push_back(asDouble(a) != 0);
        }));
  t.add("aten::Complex", [](const Node &n, const TypeConverter &) -> Operation {
    auto scalar = [](IValue a) { return a.isTensor() ? scalarValue(tensorItem(a.toTensor())) : a; };
    if (n.inputs().size() == 1)
      return [scalar](Stack &s) { s.push_back(asComplex(scalar(pop(s)))); };
    // complex(real, imag) of two real numbers.
    return [scalar](Stack &s) {
      double imag = asDouble(scalar(pop(s))), real = asDouble(scalar(pop(s)));
      s.push_back(Complex(real, imag));
    };
  });
  auto implicit = [](const char *what) {
    return [what](Stack &s) {
      at::Tensor t = pop(s).toTensor();
      checkNoGradForScalar(t);
      if (t.dim() != 0)
        throw PythonError("RuntimeError", std::string("Cannot input a tensor of dimension other "
                                                      "than 0 as a scalar argument (") + what + ")");
      s.push_back(scalarValue(t.item()));
    };
  };
  t.add("aten::ScalarImplicit", Operation(implicit("Scalar")));
  t.add("aten::IntImplicit", Operation([](Stack &s) {
          at::Tensor t = pop(s).toTensor();
          checkNoGradForScalar(t);
          if (t.dim() != 0)
            throw PythonError("RuntimeError",
                              "Cannot input a tensor of dimension other than 0 as a scalar argument");
          if (at::isFloatingType(t.scalar_type()))
            throw PythonError("RuntimeError", "Cannot input a tensor of type " +
                                                  std::string(c10::toString(t.scalar_type())) +
                                                  " as an integral argument");
          s.push_back(t.item().toLong());
        }));
  t.add("aten::FloatImplicit", Operation([](Stack &s) {
          at::Tensor t = pop(s).toTensor();
          checkNoGradForScalar(t);
          if (t.dim() != 0)
            throw PythonError("RuntimeError",
                              "Cannot input a tensor of dimension other than 0 as a scalar argument");
          s.push_back(t.item().toDouble());
        }));
  t.add("aten::ComplexImplicit", Operation([](Stack &s) {
          at::Tensor t = pop(s).toTensor();
          s.push_back(t.item().toComplexDouble());
        }));
}

} // namespace

void addScalarKernels(KernelTable &t) {
  addArith(t, "aten::add", Arith::Add);
  addArith(t, "aten::sub", Arith::Sub);
  addArith(t, "aten::mul", Arith::Mul);
  addArith(t, "aten::div", Arith::Div);
  addArith(t, "aten::floordiv", Arith::FloorDiv);
  addArith(t, "aten::remainder", Arith::Mod);
  addArith(t, "aten::pow", Arith::Pow);
  addArith(t, "prim::min", Arith::Min);
  addArith(t, "prim::max", Arith::Max);
  addArith(t, "aten::__and__", Arith::And);
  addArith(t, "aten::__or__", Arith::Or);
  addArith(t, "aten::__xor__", Arith::Xor);
  addArith(t, "aten::__lshift__", Arith::Shl);
  addArith(t, "aten::__rshift__", Arith::Shr);
  addCompare(t, "aten::eq", Cmp::Eq);
  addCompare(t, "aten::ne", Cmp::Ne);
  addCompare(t, "aten::lt", Cmp::Lt);
  addCompare(t, "aten::le", Cmp::Le);
  addCompare(t, "aten::gt", Cmp::Gt);
  addCompare(t, "aten::ge", Cmp::Ge);
  t.add("aten::__round_to_zero_floordiv.int", Operation([](Stack &s) {
          int64_t b = pop(s).toInt(), a = pop(s).toInt();
          if (b == 0)
            throw PythonError("ZeroDivisionError", "integer division by zero");
          s.push_back(b == -1 ? int64_t(0 - uint64_t(a)) : a / b);
        }));
  t.add("aten::__not__", Operation([](Stack &s) { s.push_back(!pop(s).toBool()); }));
  t.add("aten::neg", [](const Node &n, const TypeConverter &) -> Operation {
    TypeKind out = outputKind(n);
    return [out](Stack &s) {
      IValue a = pop(s);
      IValue r = a.isComplexDouble() ? IValue(-a.toComplexDouble())
                 : isIntLike(a)      ? IValue(-asInt(a))
                                     : IValue(-asDouble(a));
      s.push_back(coerce(r, out));
    };
  });
  t.add("prim::abs", Operation([](Stack &s) {
          IValue a = pop(s);
          if (a.isTensor())
            return s.push_back(a.toTensor().abs());
          if (a.isComplexDouble())
            return s.push_back(std::abs(a.toComplexDouble()));
          if (isIntLike(a))
            return s.push_back(std::abs(asInt(a)));
          s.push_back(std::fabs(asDouble(a)));
        }));
  t.add("aten::divmod", Operation([](Stack &s) {
          IValue b = pop(s), a = pop(s);
          if (isIntLike(a) && isIntLike(b)) {
            int64_t x = asInt(a), y = asInt(b);
            s.push_back(floorDivide(x, y));
            s.push_back(floorModulo(x, y));
            return;
          }
          double x = asDouble(a), y = asDouble(b);
          if (y == 0)
            throw PythonError("ZeroDivisionError", "float divmod()");
          double m = floorModulo(x, y);
          s.push_back(std::round((x - m) / y));
          s.push_back(m);
        }));
  auto identity = [](bool negate) {
    return [negate](Stack &s) {
      IValue b = pop(s), a = pop(s);
      bool same = a.isNone() || b.isNone() ? a.isNone() && b.isNone() : a.isSameIdentity(b);
      s.push_back(same != negate);
    };
  };
  // Python's hash of ints, floats, strings and tuples (tensors by identity);
  // lists and dicts raise, as in TorchScript.
  t.add("aten::hash", Operation([](Stack &s) { s.push_back(pop(s).hash()); }));
  t.add("aten::__is__", Operation(identity(false)));
  t.add("aten::__isnot__", Operation(identity(true)));
  addConversions(t);
}

} // namespace ember::runtime
