//===- codegen/KernelSpec.cpp - describing a fusion group's kernel --------===//
//
// 1. Inputs: CPU, strided, contiguous tensors of a supported dtype, and
//    int/float/bool scalars. Anything else is refused (the group then runs
//    unfused, which also keeps eager's output layout for strided inputs).
// 2. Types: every operator's result dtype comes from ATen itself, by running
//    the operator on one-element stand-ins of the same dtypes (zero-dim
//    where the real value is zero-dim, since that changes type promotion).
//    So promotion rules are never restated here. Comparisons also record
//    the common type of their operands (at::result_type).
// 3. Shapes: broadcast through the body; every output must have the full
//    broadcast shape (an output of a smaller shape would need its own loop).
// 4. Loop: size-1 dimensions go, then adjacent dimensions merge wherever
//    every operand steps through them as one (outer stride == inner stride
//    times inner extent), so contiguous same-shape inputs give one loop.
//
//===----------------------------------------------------------------------===//
#include "codegen/KernelSpec.h"

#include "codegen/Lowering.h"
#include "ir/Constants.h"
#include "ir/Schema.h"

#include <ATen/ATen.h>
#include <ATen/ExpandUtils.h>

#include <unordered_map>

namespace ember::codegen {

namespace {

/// The reductions expandReduction writes out.
const std::unordered_set<std::string> &expandedReductions() {
  static const std::unordered_set<std::string> keys = {
      "aten::sum.dim_IntList", "aten::mean.dim",         "aten::amax",      "aten::amin",
      "aten::softmax.int",     "aten::log_softmax.int", "aten::layer_norm"};
  return keys;
}

bool isComparison(const std::string &key) {
  for (const char *p : {"aten::eq.", "aten::ne.", "aten::lt.", "aten::le.", "aten::gt.", "aten::ge."})
    if (key.rfind(p, 0) == 0)
      return true;
  return false;
}

std::string keyOf(const Node &n) {
  const FunctionSchema *s = n.schema();
  return s->name + (s->overload.empty() ? "" : "." + s->overload);
}

class Describer {
public:
  Describer(const Graph &group, const runtime::Stack &inputs) : group_(group), inputs_(inputs) {}

  KernelSpec run() {
    spec_.numInputs = inputs_.size();
    for (size_t i = 0; i < inputs_.size(); ++i)
      addInput(i);
    for (const Node *n : group_.nodes())
      n->kind() == prim::Constant() || n->kind().qualString() == "prim::ListConstruct" ? addConstant(*n)
                                                                                      : addOp(*n);
    for (const Value *out : group_.outputs())
      addOutput(info_.at(out));
    buildLoop();
    return std::move(spec_);
  }

private:
  struct Info {
    size_t index = 0;
    bool tensor = false;
    std::vector<int64_t> sizes;
  };

  void addInput(size_t i) {
    const c10::IValue &v = inputs_[i];
    KernelValue kv;
    kv.input = i;
    Info info;
    if (v.isTensor()) {
      const at::Tensor &t = v.toTensor();
      std::string what = "input " + std::to_string(i);
      if (!t.device().is_cpu() || t.layout() != at::kStrided)
        throw LoweringError(what + " is not a strided CPU tensor");
      if (!t.is_contiguous())
        throw LoweringError(what + " is not contiguous");
      kv.kind = KernelValue::Kind::Tensor;
      kv.type = kv.compute = checkedElemType(t.scalar_type(), what);
      info.tensor = true;
      info.sizes = t.sizes().vec();
      full_ = at::infer_size(full_, info.sizes);
      stand_.push_back(at::ones(t.dim() == 0 ? at::IntArrayRef{} : at::IntArrayRef{1},
                                at::TensorOptions().dtype(t.scalar_type())));
    } else if (v.isDouble() || v.isInt() || v.isBool()) {
      kv.kind = KernelValue::Kind::Scalar;
      kv.type = kv.compute = v.isDouble() ? ElemType::Float64 : v.isInt() ? ElemType::Int64 : ElemType::Bool;
      stand_.push_back(v);
    } else {
      throw LoweringError("input " + std::to_string(i) + " is a " + v.tagKind());
    }
    define(group_.inputs()[i], std::move(kv), std::move(info));
  }

  /// A constant, or a list of int constants (a reduction's `dim`).
  void addConstant(const Node &n) {
    KernelValue kv;
    kv.kind = KernelValue::Kind::Constant;
    if (n.kind() == prim::Constant()) {
      kv.constant = constantValue(n.output()).value_or(c10::IValue());
    } else {
      c10::List<int64_t> list;
      for (const Value *e : n.inputs()) {
        const c10::IValue *c = constantOf(e);
        if (!c || !c->isInt())
          throw LoweringError("a list argument that is not of int constants");
        list.push_back(c->toInt());
      }
      kv.constant = list;
    }
    stand_.push_back(kv.constant);
    define(n.output(), std::move(kv), Info{});
  }

  void addOutput(const Info &info) {
    const KernelValue &v = spec_.values[info.index];
    std::vector<int64_t> expected = full_;
    if (v.perRow && !expected.empty())
      expected.back() = 1;
    if (!info.tensor || info.sizes != expected)
      throw LoweringError("an output of the group is smaller than the loop (" +
                          c10::str(at::IntArrayRef(info.sizes)) + " vs " +
                          c10::str(at::IntArrayRef(full_)) + ")");
    bool isCast = v.op == "aten::to.dtype" || v.op == "aten::type_as";
    const KernelValue *from = isCast ? &spec_.values[v.args[0]] : nullptr;
    if (from && from->kind == KernelValue::Kind::Tensor && from->type == v.type)
      throw LoweringError(v.op + " to the dtype its input has returns that input, which a kernel "
                                 "output cannot alias");
    spec_.outputs.push_back(info.index);
    spec_.outputSizes.push_back(expected);
  }

  void addOp(const Node &n) {
    if (!n.schema() || n.outputs().size() != 1)
      throw LoweringError("the group holds " + n.kind().qualString() + ", which is not an operator");
    if (isReduction(keyOf(n))) {
      Info info;
      info.tensor = true;
      info.index = expandReduction(n, info.sizes);
      stand_[info.index] = at::ones({1}, at::TensorOptions().dtype(scalarTypeOf(spec_.values[info.index].type)));
      info_[n.output()] = std::move(info);
      return;
    }
    KernelValue kv;
    kv.op = keyOf(n);
    Info info;
    info.tensor = true;
    runtime::Stack stack;
    for (const Value *v : n.inputs()) {
      const Info &in = info_.at(v);
      kv.args.push_back(in.index);
      stack.push_back(stand_[in.index]);
      if (in.tensor)
        info.sizes = at::infer_size(info.sizes, in.sizes);
    }
    std::vector<c10::IValue> operands = stack;
    runtime::Operation op = runtime::operationFor(n, [](const TypePtr &) { return c10::TypePtr(); });
    if (!op)
      throw LoweringError("no kernel for " + kv.op);
    op(stack);
    at::Tensor result = stack.back().toTensor();
    kv.type = kv.compute = checkedElemType(result.scalar_type(), "the result of " + kv.op);
    if (isComparison(kv.op))
      kv.compute = checkedElemType(commonType(operands[0], operands[1]), "the operands of " + kv.op);
    divideByReciprocal(kv);
    stand_.push_back(at::ones(result.dim() == 0 ? at::IntArrayRef{} : at::IntArrayRef{1},
                              result.options()));
    define(n.output(), std::move(kv), std::move(info));
  }

  /// Elements divided by a row statistic (softmax's `e / e.sum(-1)`) are
  /// multiplied by its reciprocal instead, computed once per row: within an
  /// ulp of the division, as ATen's own softmax does.
  void divideByReciprocal(KernelValue &kv) {
    if (kv.op != "aten::div.Tensor" && kv.op != "aten::div.Scalar")
      return;
    const KernelValue &divisor = spec_.values[kv.args[1]];
    if (!isFloat(kv.compute) || !divisor.perRow || divisor.kind == KernelValue::Kind::Constant ||
        divisor.type != kv.compute)
      return;
    size_t reciprocal = synthetic("aten::reciprocal", {kv.args[1]}, kv.compute);
    kv.op = "aten::mul.Tensor";
    kv.args[1] = reciprocal;
  }

  static at::ScalarType commonType(const c10::IValue &a, const c10::IValue &b) {
    if (a.isTensor() && b.isTensor())
      return at::result_type(a.toTensor(), b.toTensor());
    if (a.isTensor())
      return at::result_type(a.toTensor(), b.toScalar());
    return at::result_type(a.toScalar(), b.toTensor());
  }

  /// The value of a Constant in the group, or null.
  const c10::IValue *constantOf(const Value *v) const {
    const KernelValue &kv = spec_.values[info_.at(v).index];
    return kv.kind == KernelValue::Kind::Constant ? &kv.constant : nullptr;
  }

  bool isNone(const Value *v) const {
    const c10::IValue *c = constantOf(v);
    return c && c->isNone();
  }
  bool isTrue(const Value *v) const {
    const c10::IValue *c = constantOf(v);
    return c && c->isBool() && c->toBool();
  }

  void define(const Value *v, KernelValue kv, Info info) {
    info.index = push(std::move(kv));
    info_[v] = std::move(info);
  }

  size_t push(KernelValue kv) {
    if (kv.kind == KernelValue::Kind::Reduce)
      kv.perRow = true;
    else if (kv.kind == KernelValue::Kind::Op)
      kv.perRow = std::all_of(kv.args.begin(), kv.args.end(), [&](size_t a) {
        const KernelValue &arg = spec_.values[a];
        return arg.perRow || arg.kind == KernelValue::Kind::Scalar || arg.kind == KernelValue::Kind::Constant;
      });
    spec_.values.push_back(std::move(kv));
    stand_.resize(spec_.values.size());
    return spec_.values.size() - 1;
  }

  // Reductions over the last dimension, expanded into row statistics.
  static bool isReduction(const std::string &key);
  size_t expandReduction(const Node &n, std::vector<int64_t> &sizes);
  size_t expandLayerNorm(const Node &n, size_t x, ElemType t, size_t one, size_t count);
  size_t synthetic(const std::string &key, std::vector<size_t> args, ElemType t);
  size_t literal(c10::IValue v);
  size_t rowStatistic(KernelValue::ReduceKind kind, size_t arg, ElemType t);

  /// Step 4.
  void buildLoop();

  const Graph &group_;
  const runtime::Stack &inputs_;
  KernelSpec spec_;
  std::unordered_map<const Value *, Info> info_;
  std::vector<c10::IValue> stand_; // per value: what stands in for it when typing
  std::vector<int64_t> full_;
};

bool Describer::isReduction(const std::string &key) {
  static const std::unordered_set<std::string> keys = {
#define FUSIBLE_OP(key)
#define FUSIBLE_REDUCTION(key) key,
#include "passes/FusibleOps.def"
  };
  return keys.count(key) > 0;
}

size_t Describer::synthetic(const std::string &key, std::vector<size_t> args, ElemType t) {
  KernelValue kv;
  kv.op = key;
  kv.args = std::move(args);
  kv.type = kv.compute = t;
  return push(std::move(kv));
}

size_t Describer::literal(c10::IValue v) {
  KernelValue kv;
  kv.kind = KernelValue::Kind::Constant;
  kv.constant = std::move(v);
  return push(std::move(kv));
}

size_t Describer::rowStatistic(KernelValue::ReduceKind kind, size_t arg, ElemType t) {
  KernelValue kv;
  kv.kind = KernelValue::Kind::Reduce;
  kv.reduce = kind;
  kv.args = {arg};
  kv.type = kv.compute = t;
  return push(std::move(kv));
}

/// layer_norm over the last dimension, with its optional weight and bias.
size_t Describer::expandLayerNorm(const Node &n, size_t x, ElemType t, size_t one, size_t count) {
  using RK = KernelValue::ReduceKind;
  int64_t width = full_.back();
  const c10::IValue *shape = constantOf(n.input(1));
  if (!shape || !shape->isIntList() || shape->toIntList().size() != 1 || shape->toIntList()[0] != width)
    throw LoweringError("layer_norm over more than the last dimension");
  size_t mean = synthetic("aten::div.Scalar", {rowStatistic(RK::Sum, x, t), count}, t);
  size_t d = synthetic("aten::sub.Tensor", {x, mean, one}, t);
  size_t square = synthetic("aten::mul.Tensor", {d, d}, t);
  size_t var = synthetic("aten::div.Scalar", {rowStatistic(RK::Sum, square, t), count}, t);
  size_t eps = info_.at(n.input(4)).index;
  size_t scale = synthetic("aten::rsqrt", {synthetic("aten::add.Scalar", {var, eps, one}, t)}, t);
  size_t out = synthetic("aten::mul.Tensor", {d, scale}, t);
  for (size_t k : {2, 3}) {
    if (isNone(n.input(k)))
      continue;
    const Info &p = info_.at(n.input(k));
    if (!p.tensor || p.sizes != std::vector<int64_t>{width})
      throw LoweringError("layer_norm with a weight or bias that is not of the row's size");
    out = k == 2 ? synthetic("aten::mul.Tensor", {out, p.index}, t)
                 : synthetic("aten::add.Tensor", {out, p.index, one}, t);
  }
  return out;
}

/// Checks that `n` reduces the last dimension of a float tensor of the
/// loop's full shape, then writes it as row statistics and elementwise ops:
///   sum -> Sum(x)              mean -> Sum(x) / D
///   amax, amin -> Max(x), Min(x)
///   softmax -> e = exp(x - Max(x)); e * (1 / Sum(e))
///   log_softmax -> d = x - Max(x); d - log(Sum(exp(d)))
///   layer_norm -> d = x - Sum(x) / D; d * rsqrt(Sum(d * d) / D + eps) * w + b
size_t Describer::expandReduction(const Node &n, std::vector<int64_t> &sizes) {
  using RK = KernelValue::ReduceKind;
  std::string key = keyOf(n);
  const Info &in = info_.at(n.input(0));
  ElemType t = spec_.values[in.index].type;
  if (!in.tensor || full_.empty() || in.sizes != full_ || full_.back() == 0 || !isFloat(t))
    throw LoweringError(key + " of a tensor that is not a non-empty float tensor of the loop's shape");
  int64_t rank = int64_t(full_.size()), width = full_.back();
  auto lastDim = [&](const Value *v) {
    const c10::IValue *c = constantOf(v);
    if (c && c->isInt())
      return c->toInt() == -1 || c->toInt() == rank - 1;
    if (c && c->isIntList() && c->toIntList().size() == 1)
      return c->toIntList()[0] == -1 || c->toIntList()[0] == rank - 1;
    return false;
  };
  size_t x = in.index, one = literal(int64_t(1)), count = literal(double(width));
  sizes = full_;
  if (key == "aten::layer_norm")
    return expandLayerNorm(n, x, t, one, count);
  if (!lastDim(n.input(1)))
    throw LoweringError(key + " over a dimension other than the last");
  if (key == "aten::softmax.int" || key == "aten::log_softmax.int") {
    if (!isNone(n.input(2)))
      throw LoweringError(key + " with a dtype");
    size_t d = synthetic("aten::sub.Tensor", {x, rowStatistic(RK::Max, x, t), one}, t);
    size_t e = synthetic("aten::exp", {d}, t);
    size_t sum = rowStatistic(RK::Sum, e, t);
    return key == "aten::softmax.int" ? synthetic("aten::mul.Tensor", {e, synthetic("aten::reciprocal", {sum}, t)}, t)
                                      : synthetic("aten::sub.Tensor", {d, synthetic("aten::log", {sum}, t), one}, t);
  }
  if (!isTrue(n.input(2)))
    throw LoweringError(key + " without keepdim=True");
  if ((key == "aten::sum.dim_IntList" || key == "aten::mean.dim") && !isNone(n.input(3)))
    throw LoweringError(key + " with a dtype");
  sizes.back() = 1;
  if (key == "aten::amax" || key == "aten::amin")
    return rowStatistic(key == "aten::amax" ? RK::Max : RK::Min, x, t);
  if (key != "aten::sum.dim_IntList" && key != "aten::mean.dim")
    throw LoweringError("no expansion for " + key);
  size_t sum = rowStatistic(RK::Sum, x, t);
  return key == "aten::mean.dim" ? synthetic("aten::div.Scalar", {sum, count}, t) : sum;
}

void Describer::buildLoop() {
  // The row of a rowwise kernel is the last dimension, kept even when it has
  // size 1 and never merged with the others.
  spec_.rowwise = std::any_of(spec_.values.begin(), spec_.values.end(),
                              [](const KernelValue &v) { return v.kind == KernelValue::Kind::Reduce; });
  std::vector<int64_t> sizes;
  std::vector<std::vector<int64_t>> strides(spec_.values.size());
  int64_t numel = 1;
  for (size_t d = 0; d < full_.size(); ++d) {
    numel *= full_[d];
    bool row = spec_.rowwise && d + 1 == full_.size();
    if (full_[d] == 1 && !row)
      continue;
    sizes.push_back(full_[d]);
    for (size_t k = 0; k < spec_.values.size(); ++k) {
      if (spec_.values[k].kind != KernelValue::Kind::Tensor)
        continue;
      const at::Tensor &t = inputs_[spec_.values[k].input].toTensor();
      int64_t axis = int64_t(d) - int64_t(full_.size() - t.dim());
      bool broadcast = axis < 0 || t.size(axis) == 1;
      strides[k].push_back(broadcast ? 0 : t.stride(axis));
    }
  }
  if (sizes.empty()) {
    sizes.push_back(1);
    for (size_t k = 0; k < spec_.values.size(); ++k)
      if (spec_.values[k].kind == KernelValue::Kind::Tensor)
        strides[k].push_back(0);
  }
  // Merge dimension d into d + 1 where every operand allows it.
  size_t mergeable = sizes.size() - (spec_.rowwise ? 1 : 0);
  for (size_t d = mergeable > 0 ? mergeable - 1 : 0; d-- > 0;) {
    bool merge = true;
    for (size_t k = 0; k < strides.size(); ++k)
      if (!strides[k].empty() && strides[k][d] != strides[k][d + 1] * sizes[d + 1])
        merge = false;
    if (!merge)
      continue;
    sizes[d] *= sizes[d + 1];
    sizes.erase(sizes.begin() + d + 1);
    for (auto &s : strides)
      if (!s.empty()) {
        s[d] = s[d + 1];
        s.erase(s.begin() + d + 1);
      }
  }
  spec_.loop = sizes;
  spec_.numel = numel;
  for (size_t k = 0; k < spec_.values.size(); ++k)
    spec_.values[k].strides = std::move(strides[k]);
}

} // namespace

bool lowersEveryFusibleOp(std::string &missing) {
  auto check = [&](const char *key, bool ok) {
    if (!ok)
      missing += std::string(missing.empty() ? "" : ", ") + key;
  };
#define FUSIBLE_OP(key) check(key, hasElementwiseLowering(key));
#define FUSIBLE_REDUCTION(key) check(key, expandedReductions().count(key) > 0);
#include "passes/FusibleOps.def"
  return missing.empty();
}

KernelSpec describeKernel(const Graph &group, const runtime::Stack &inputs) {
  try {
    return Describer(group, inputs).run();
  } catch (const c10::Error &e) {
    throw LoweringError(e.what_without_backtrace());
  }
}

} // namespace ember::codegen
