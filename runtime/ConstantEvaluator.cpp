//===- runtime/ConstantEvaluator.cpp - evaluating nodes on constants ------===//
//
// The compile-time half of the operator bridge: constant propagation hands a
// node and its constant inputs here. ATen operators run through the c10
// dispatcher with a boxed IValue stack; ember's own builtins (int/float/bool
// arithmetic and comparisons with Python semantics, string and tuple
// operations) run from a table keyed by `name.overload`. Anything that
// raises is not folded, so the error surfaces at run time where the program
// would have raised it.
//
//===----------------------------------------------------------------------===//
#include "runtime/ConstantEvaluator.h"

#include "ir/Schema.h"
#include "ir/NodeEvaluator.h"

#include <ATen/core/dispatch/Dispatcher.h>

#include <cmath>
#include <functional>
#include <unordered_map>

namespace ember {
namespace {

using Values = std::vector<c10::IValue>;
using Result = std::optional<Values>;

bool isNumber(const c10::IValue &v) { return v.isInt() || v.isDouble() || v.isBool(); }
double asDouble(const c10::IValue &v) {
  return v.isDouble() ? v.toDouble() : v.isInt() ? double(v.toInt()) : double(v.toBool());
}

int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    --q;
  return q;
}

/// Numeric binary operators; `kind` is the operator name without namespace.
Result binaryNumeric(const std::string &kind, const c10::IValue &a, const c10::IValue &b,
                     TypeKind outKind) {
  if (!isNumber(a) || !isNumber(b))
    return std::nullopt;
  bool ints = (a.isInt() || a.isBool()) && (b.isInt() || b.isBool());
  if (ints) {
    int64_t x = a.isInt() ? a.toInt() : a.toBool(), y = b.isInt() ? b.toInt() : b.toBool();
    if (kind == "add") return Values{x + y};
    if (kind == "sub") return Values{x - y};
    if (kind == "mul") return Values{x * y};
    if (kind == "floordiv") {
      if (y == 0) return std::nullopt;
      return Values{floorDiv(x, y)};
    }
    if (kind == "remainder") {
      if (y == 0) return std::nullopt;
      return Values{x - floorDiv(x, y) * y};
    }
    if (kind == "div") {
      if (y == 0) return std::nullopt;
      return Values{double(x) / double(y)};
    }
    if (kind == "pow") return Values{std::pow(double(x), double(y))};
    if (kind == "min") return Values{std::min(x, y)};
    if (kind == "max") return Values{std::max(x, y)};
    if (kind == "__and__") return Values{outKind == TypeKind::Bool ? c10::IValue(bool(x & y)) : c10::IValue(x & y)};
    if (kind == "__or__") return Values{outKind == TypeKind::Bool ? c10::IValue(bool(x | y)) : c10::IValue(x | y)};
    if (kind == "__xor__") return Values{outKind == TypeKind::Bool ? c10::IValue(bool(x ^ y)) : c10::IValue(x ^ y)};
    if (kind == "__lshift__") return Values{x << y};
    if (kind == "__rshift__") return Values{x >> y};
  }
  double x = asDouble(a), y = asDouble(b);
  if (kind == "eq") return Values{x == y};
  if (kind == "ne") return Values{x != y};
  if (kind == "lt") return Values{x < y};
  if (kind == "le") return Values{x <= y};
  if (kind == "gt") return Values{x > y};
  if (kind == "ge") return Values{x >= y};
  if (ints)
    return std::nullopt;
  if (kind == "add") return Values{x + y};
  if (kind == "sub") return Values{x - y};
  if (kind == "mul") return Values{x * y};
  if (kind == "div") {
    if (y == 0) return std::nullopt;
    return Values{x / y};
  }
  if (kind == "floordiv") {
    if (y == 0) return std::nullopt;
    return Values{std::floor(x / y)};
  }
  if (kind == "remainder") {
    if (y == 0) return std::nullopt;
    double r = std::fmod(x, y);
    if (r != 0 && ((r < 0) != (y < 0)))
      r += y;
    return Values{r};
  }
  if (kind == "pow") return Values{std::pow(x, y)};
  if (kind == "min") return Values{std::min(x, y)};
  if (kind == "max") return Values{std::max(x, y)};
  return std::nullopt;
}

Result evaluateBuiltin(const Node &n, const Values &in) {
  const std::string &ns = n.kind().ns();
  const std::string &name = n.kind().name();
  TypeKind outKind = n.outputs().size() == 1 ? n.output()->type()->kind() : TypeKind::Any;
  if (ns == "prim" && name == "TupleConstruct")
    return Values{c10::ivalue::Tuple::create(in)};
  if (ns == "prim" && name == "TupleIndex" && in.size() == 2 && in[0].isTuple() && in[1].isInt()) {
    const auto &elems = in[0].toTupleRef().elements();
    int64_t i = in[1].toInt(), size = int64_t(elems.size());
    if (i < 0)
      i += size;
    if (i < 0 || i >= size)
      return std::nullopt;
    return Values{elems[i]};
  }
  if (ns == "prim" && name == "TupleUnpack" && in.size() == 1 && in[0].isTuple()) {
    const auto &elems = in[0].toTupleRef().elements();
    return Values(elems.begin(), elems.end());
  }
  if (ns != "aten" && !(ns == "prim" && (name == "min" || name == "max")))
    return std::nullopt;
  if (in.size() == 2) {
    if (name == "__is__" || name == "__isnot__") {
      if (!in[0].isNone() && !in[1].isNone())
        return std::nullopt;
      bool same = in[0].isNone() && in[1].isNone();
      return Values{name == "__is__" ? same : !same};
    }
    if (in[0].isString() && in[1].isString()) {
      const std::string &a = in[0].toStringRef(), &b = in[1].toStringRef();
      if (name == "add") return Values{a + b};
      if (name == "eq") return Values{a == b};
      if (name == "ne") return Values{a != b};
      if (name == "lt") return Values{a < b};
      if (name == "le") return Values{a <= b};
      if (name == "gt") return Values{a > b};
      if (name == "ge") return Values{a >= b};
      if (name == "__contains__") return Values{a.find(b) != std::string::npos};
      return std::nullopt;
    }
    return binaryNumeric(name, in[0], in[1], outKind);
  }
  if (in.size() == 1) {
    const c10::IValue &a = in[0];
    if (name == "__not__" && a.isBool()) return Values{!a.toBool()};
    if (name == "neg" && a.isInt()) return Values{-a.toInt()};
    if (name == "neg" && a.isDouble()) return Values{-a.toDouble()};
    if (name == "Int" && isNumber(a)) return Values{int64_t(asDouble(a))};
    if (name == "Float" && isNumber(a)) return Values{asDouble(a)};
    if (name == "Bool" && isNumber(a)) return Values{asDouble(a) != 0};
    if (name == "len" && a.isString()) return Values{int64_t(a.toStringRef().size())};
    if (name == "len" && a.isList()) return Values{int64_t(a.toListRef().size())};
    if (name == "floor" && a.isDouble()) return Values{int64_t(std::floor(a.toDouble()))};
    if (name == "ceil" && a.isDouble()) return Values{int64_t(std::ceil(a.toDouble()))};
    if (name == "abs" && a.isInt()) return Values{std::abs(a.toInt())};
    if (name == "abs" && a.isDouble()) return Values{std::abs(a.toDouble())};
  }
  return std::nullopt;
}

} // namespace

std::optional<std::vector<c10::IValue>> evaluateNode(const Node &node,
                                                     const std::vector<c10::IValue> &inputs) {
  const FunctionSchema *schema = node.schema();
  if (schema) {
    auto handle = c10::Dispatcher::singleton().findSchema({schema->name, schema->overload});
    if (handle && handle->hasSchema()) {
      try {
        torch::jit::Stack stack(inputs.begin(), inputs.end());
        handle->callBoxed(stack);
        if (stack.size() != node.outputs().size())
          return std::nullopt;
        return stack;
      } catch (const std::exception &) {
        return std::nullopt;
      }
    }
  }
  try {
    return evaluateBuiltin(node, inputs);
  } catch (const std::exception &) {
    return std::nullopt;
  }
}

void installConstantEvaluator() { setNodeEvaluator(&evaluateNode); }

} // namespace ember
