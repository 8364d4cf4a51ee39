//===- runtime/kernels/MathKernels.cpp - the `math` module ----------------===//
//
// `math.*` on Python numbers. Results follow TorchScript's overloads: most
// functions return float for int arguments, floor/ceil return int, and the
// `Scalar` overloads keep the argument's kind. Domain errors give nan/inf
// as TorchScript does, except where TorchScript raises (factorial).
//
//===----------------------------------------------------------------------===//
#include "runtime/Kernels.h"
#include "runtime/Values.h"

#include <cmath>
#include <numeric>

namespace ember::runtime {
namespace {

using IValue = c10::IValue;
using Complex = c10::complex<double>;

double roundHalfEven(double x) { return std::nearbyint(x); }

void addUnary(KernelTable &t, const char *name, double (*f)(double),
              Complex (*cf)(const Complex &) = nullptr) {
  t.add(name, Operation([f, cf](Stack &s) {
          IValue a = pop(s);
          if (a.isComplexDouble()) {
            if (!cf)
              throw PythonError("TypeError", "must be real number, not complex");
            return s.push_back(cf(a.toComplexDouble()));
          }
          s.push_back(f(asDouble(a)));
        }));
}

void addBinary(KernelTable &t, const char *name, double (*f)(double, double)) {
  t.add(name, Operation([f](Stack &s) {
          IValue b = pop(s), a = pop(s);
          s.push_back(f(asDouble(a), asDouble(b)));
        }));
}

/// floor/ceil: int from float, int unchanged.
void addRounding(KernelTable &t, const char *name, double (*f)(double)) {
  t.add(name, [f](const Node &n, const TypeConverter &) -> Operation {
    bool scalar = n.output()->type()->kind() == TypeKind::Number;
    return [f, scalar](Stack &s) {
      IValue a = pop(s);
      if (isIntLike(a))
        return s.push_back(asInt(a));
      double r = f(a.toDouble());
      s.push_back(scalar ? IValue(r) : IValue(int64_t(r)));
    };
  });
}

template <typename F> Complex complexOf(F f, const Complex &z) {
  std::complex<double> r = f(std::complex<double>(z.real(), z.imag()));
  return Complex(r.real(), r.imag());
}

} // namespace

void addMathKernels(KernelTable &t) {
#define EMBER_UNARY(NAME, FN)                                                                      \
  addUnary(t, "aten::" NAME, [](double x) { return std::FN(x); },                                       \
           [](const Complex &z) {                                                                  \
             return complexOf([](std::complex<double> w) { return std::FN(w); }, z);               \
           })
  EMBER_UNARY("sin", sin);
  EMBER_UNARY("cos", cos);
  EMBER_UNARY("tan", tan);
  EMBER_UNARY("asin", asin);
  EMBER_UNARY("acos", acos);
  EMBER_UNARY("atan", atan);
  EMBER_UNARY("sinh", sinh);
  EMBER_UNARY("cosh", cosh);
  EMBER_UNARY("tanh", tanh);
  EMBER_UNARY("asinh", asinh);
  EMBER_UNARY("acosh", acosh);
  EMBER_UNARY("atanh", atanh);
  EMBER_UNARY("exp", exp);
  EMBER_UNARY("sqrt", sqrt);
  EMBER_UNARY("log10", log10);
#undef EMBER_UNARY
  addUnary(t, "aten::expm1", [](double x) { return std::expm1(x); });
  addUnary(t, "aten::log1p", [](double x) { return std::log1p(x); });
  addUnary(t, "aten::erf", [](double x) { return std::erf(x); });
  addUnary(t, "aten::erfc", [](double x) { return std::erfc(x); });
  addUnary(t, "aten::gamma", [](double x) { return std::tgamma(x); });
  addUnary(t, "aten::lgamma", [](double x) { return std::lgamma(x); });
  addUnary(t, "aten::fabs", [](double x) { return std::fabs(x); });
  // As Python (and TorchScript): one multiplication by the rounded factor.
  addUnary(t, "aten::degrees", [](double x) { return x * (180.0 / M_PI); });
  addUnary(t, "aten::radians", [](double x) { return x * (M_PI / 180.0); });
  addUnary(t, "aten::angle", [](double x) { return x < 0 ? M_PI : 0.0; });
  t.add("aten::angle.complex", Operation([](Stack &s) {
          Complex z = pop(s).toComplexDouble();
          s.push_back(std::atan2(z.imag(), z.real()));
        }));
  // cmath.rect: r * (cos(phi) + i sin(phi)), with Python's special cases
  // left to the C library as torch.jit leaves them.
  t.add("aten::polar", Operation([](Stack &s) {
          double phi = asDouble(pop(s)), r = asDouble(pop(s));
          std::complex<double> z = std::polar(r, phi);
          s.push_back(Complex(z.real(), z.imag()));
        }));
  addBinary(t, "aten::atan2", [](double a, double b) { return std::atan2(a, b); });
  addBinary(t, "aten::copysign", [](double a, double b) { return std::copysign(a, b); });
  addBinary(t, "aten::fmod", [](double a, double b) { return std::fmod(a, b); });
  addBinary(t, "aten::mathremainder", [](double a, double b) { return std::remainder(a, b); });
  addRounding(t, "aten::floor", [](double x) { return std::floor(x); });
  addRounding(t, "aten::ceil", [](double x) { return std::ceil(x); });
  t.add("aten::round", Operation([](Stack &s) { s.push_back(roundHalfEven(asDouble(pop(s)))); }));
  t.add("aten::log", Operation([](Stack &s) {
          // log(x); the two-argument overloads are registered below.
          IValue a = pop(s);
          if (a.isComplexDouble())
            return s.push_back(complexOf([](std::complex<double> w) { return std::log(w); },
                                         a.toComplexDouble()));
          s.push_back(std::log(asDouble(a)));
        }));
  for (const char *o : {"aten::log.int_int", "aten::log.float_float", "aten::log.int_float",
                        "aten::log.float_int", "aten::log.Scalar_Scalar"})
    addBinary(t, o, [](double a, double b) { return std::log(a) / std::log(b); });
  for (const char *o : {"aten::isnan.float", "aten::isinf.float", "aten::isfinite.float"}) {
    std::string k = o;
    bool (*f)(double) = k.find("isnan") != std::string::npos   ? [](double x) { return std::isnan(x); }
                        : k.find("isinf") != std::string::npos ? [](double x) { return std::isinf(x); }
                                                               : [](double x) { return std::isfinite(x); };
    t.add(o, Operation([f](Stack &s) { s.push_back(f(pop(s).toDouble())); }));
  }
  // cmath's: nan if either part is, inf if either part is (and not nan),
  // finite if both are.
  t.add("aten::isnan.complex", Operation([](Stack &s) {
          Complex z = pop(s).toComplexDouble();
          s.push_back(std::isnan(z.real()) || std::isnan(z.imag()));
        }));
  t.add("aten::isinf.complex", Operation([](Stack &s) {
          Complex z = pop(s).toComplexDouble();
          s.push_back(std::isinf(z.real()) || std::isinf(z.imag()));
        }));
  t.add("aten::isfinite.complex", Operation([](Stack &s) {
          Complex z = pop(s).toComplexDouble();
          s.push_back(std::isfinite(z.real()) && std::isfinite(z.imag()));
        }));
  t.add("aten::factorial.int", Operation([](Stack &s) {
          int64_t n = pop(s).toInt();
          if (n < 0)
            throw PythonError("ValueError", "factorial() not defined for negative values");
          int64_t r = 1;
          for (int64_t i = 2; i <= n; ++i)
            r *= i;
          s.push_back(r);
        }));
  t.add("aten::gcd.int", Operation([](Stack &s) {
          int64_t b = pop(s).toInt(), a = pop(s).toInt();
          s.push_back(std::gcd(a, b));
        }));
  t.add("aten::frexp", Operation([](Stack &s) {
          int e = 0;
          double m = std::frexp(pop(s).toDouble(), &e);
          s.push_back(m);
          s.push_back(int64_t(e));
        }));
  t.add("aten::modf", Operation([](Stack &s) {
          double ip = 0, fp = std::modf(pop(s).toDouble(), &ip);
          s.push_back(fp);
          s.push_back(ip);
        }));
  t.add("aten::ldexp", Operation([](Stack &s) {
          int64_t e = pop(s).toInt();
          s.push_back(std::ldexp(pop(s).toDouble(), int(e)));
        }));
}

} // namespace ember::runtime
