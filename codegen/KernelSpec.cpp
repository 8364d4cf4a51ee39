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

at::ScalarType scalarTypeOf(ElemType t) {
  switch (t) {
  case ElemType::Bool: return at::kBool;
  case ElemType::Int32: return at::kInt;
  case ElemType::Int64: return at::kLong;
  case ElemType::Float32: return at::kFloat;
  case ElemType::Float64: return at::kDouble;
  }
  return at::kFloat;
}

namespace {

std::optional<ElemType> elemTypeOf(at::ScalarType s) {
  switch (s) {
  case at::kBool: return ElemType::Bool;
  case at::kInt: return ElemType::Int32;
  case at::kLong: return ElemType::Int64;
  case at::kFloat: return ElemType::Float32;
  case at::kDouble: return ElemType::Float64;
  default: return std::nullopt;
  }
}

ElemType checkedElemType(at::ScalarType s, const std::string &what) {
  if (auto t = elemTypeOf(s))
    return *t;
  throw LoweringError(what + " has dtype " + std::string(c10::toString(s)) +
                      ", which fused kernels do not handle");
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
      n->kind() == prim::Constant() ? addConstant(*n) : addOp(*n);
    for (const Value *out : group_.outputs()) {
      const Info &info = info_.at(out);
      if (!info.tensor || info.sizes != full_)
        throw LoweringError("an output of the group is smaller than the loop (" +
                            c10::str(at::IntArrayRef(info.sizes)) + " vs " +
                            c10::str(at::IntArrayRef(full_)) + ")");
      const KernelValue &v = spec_.values[info.index];
      bool isCast = v.op == "aten::to.dtype" || v.op == "aten::type_as";
      const KernelValue &from = spec_.values[v.args[0]];
      if (isCast && from.kind == KernelValue::Kind::Tensor && from.type == v.type)
        throw LoweringError(v.op + " to the dtype its input has returns that input, which a kernel "
                                   "output cannot alias");
      spec_.outputs.push_back(info.index);
    }
    spec_.outputSizes = full_;
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

  void addConstant(const Node &n) {
    KernelValue kv;
    kv.kind = KernelValue::Kind::Constant;
    kv.constant = constantValue(n.output()).value_or(c10::IValue());
    stand_.push_back(kv.constant);
    define(n.output(), std::move(kv), Info{});
  }

  void addOp(const Node &n) {
    if (!n.schema() || n.outputs().size() != 1)
      throw LoweringError("the group holds " + n.kind().qualString() + ", which is not an operator");
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
    stand_.push_back(at::ones(result.dim() == 0 ? at::IntArrayRef{} : at::IntArrayRef{1},
                              result.options()));
    define(n.output(), std::move(kv), std::move(info));
  }

  static at::ScalarType commonType(const c10::IValue &a, const c10::IValue &b) {
    if (a.isTensor() && b.isTensor())
      return at::result_type(a.toTensor(), b.toTensor());
    if (a.isTensor())
      return at::result_type(a.toTensor(), b.toScalar());
    return at::result_type(a.toScalar(), b.toTensor());
  }

  void define(const Value *v, KernelValue kv, Info info) {
    info.index = spec_.values.size();
    spec_.values.push_back(std::move(kv));
    info_[v] = std::move(info);
  }

  /// Step 4.
  void buildLoop();

  const Graph &group_;
  const runtime::Stack &inputs_;
  KernelSpec spec_;
  std::unordered_map<const Value *, Info> info_;
  std::vector<c10::IValue> stand_; // per value: what stands in for it when typing
  std::vector<int64_t> full_;
};

void Describer::buildLoop() {
  std::vector<int64_t> sizes;
  std::vector<std::vector<int64_t>> strides(spec_.values.size());
  int64_t numel = 1;
  for (size_t d = 0; d < full_.size(); ++d) {
    numel *= full_[d];
    if (full_[d] == 1)
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
  for (size_t d = sizes.size() - 1; d-- > 0;) {
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

KernelSpec describeKernel(const Graph &group, const runtime::Stack &inputs) {
  try {
    return Describer(group, inputs).run();
  } catch (const c10::Error &e) {
    throw LoweringError(e.what_without_backtrace());
  }
}

} // namespace ember::codegen
