//===- codegen/ElementwiseLowering.cpp - one element of a fused kernel ----===//
//
// The table of elementwise operator lowerings, one entry per FusibleOps.def
// key. Each entry computes one element from its operands, which it reads
// converted to the operator's computation type. The formulas are the ones
// ATen's CPU kernels use (sigmoid as 1 / (1 + exp(-x)), gelu with erf or
// with the tanh approximation, clamp and relu letting NaN through), so fused
// results stay within rounding of eager's.
//
//===----------------------------------------------------------------------===//
#include "codegen/ElementwiseLowering.h"

#include "codegen/Lowering.h"

#include <llvm/IR/Intrinsics.h>

#include <cmath>
#include <unordered_map>

namespace ember::codegen {

llvm::Type *llvmType(llvm::LLVMContext &ctx, ElemType t) {
  switch (t) {
  case ElemType::Bool: return llvm::Type::getInt1Ty(ctx);
  case ElemType::Int32: return llvm::Type::getInt32Ty(ctx);
  case ElemType::Int64: return llvm::Type::getInt64Ty(ctx);
  case ElemType::Float32: return llvm::Type::getFloatTy(ctx);
  case ElemType::Float64: return llvm::Type::getDoubleTy(ctx);
  }
  return nullptr;
}

llvm::Value *ElementEmitter::convert(llvm::Value *v, ElemType from, ElemType to) {
  if (from == to)
    return v;
  llvm::Type *target = typeOf(to);
  if (to == ElemType::Bool) // nonzero is true; NaN is true, as in torch
    return isFloat(from) ? b.CreateFCmpUNE(v, llvm::ConstantFP::get(v->getType(), 0.0))
                         : b.CreateICmpNE(v, llvm::ConstantInt::get(v->getType(), 0));
  if (from == ElemType::Bool)
    return isFloat(to) ? b.CreateUIToFP(v, target) : b.CreateZExt(v, target);
  if (isFloat(from) && isFloat(to))
    return b.CreateFPCast(v, target);
  if (isFloat(from))
    return b.CreateFPToSI(v, target);
  if (isFloat(to))
    return b.CreateSIToFP(v, target);
  return b.CreateSExtOrTrunc(v, target);
}

llvm::Value *ElementEmitter::number(double v, ElemType t) {
  llvm::Type *ty = typeOf(t);
  if (isFloat(t))
    return llvm::ConstantFP::get(ty, v);
  return llvm::ConstantInt::get(ty, uint64_t(int64_t(v)), /*isSigned=*/true);
}

namespace {

/// An operator's view of its operands.
class Args {
public:
  Args(ElementEmitter &e, const KernelValue &v, const std::vector<Operand> &ops)
      : e(e), b(e.b), v(v), ops_(ops) {}
  ElementEmitter &e;
  llvm::IRBuilder<> &b;
  const KernelValue &v;

  bool isFloat() const { return codegen::isFloat(v.compute); }
  /// Operand i in the computation type.
  llvm::Value *num(size_t i) const {
    const Operand &op = ops_.at(i);
    if (op.value)
      return e.convert(op.value, op.type, v.compute);
    const c10::IValue &c = *op.constant;
    if (c.isInt() && !isFloat())
      return llvm::ConstantInt::get(e.typeOf(v.compute), uint64_t(c.toInt()), true);
    if (c.isInt() || c.isDouble() || c.isBool())
      return e.number(c.isDouble() ? c.toDouble() : c.isInt() ? double(c.toInt()) : c.toBool(),
                      v.compute);
    throw LoweringError(v.op + ": argument " + std::to_string(i) + " is not a number");
  }
  /// Operand i as a bool (where's condition).
  llvm::Value *flag(size_t i) const {
    const Operand &op = ops_.at(i);
    if (!op.value)
      throw LoweringError(v.op + ": a constant condition");
    return e.convert(op.value, op.type, ElemType::Bool);
  }
  const c10::IValue *constant(size_t i) const { return ops_.at(i).constant; }
  /// True for a None constant and for kNoArg.
  bool isNone(size_t i) const { return i == kNoArg || (constant(i) && constant(i)->isNone()); }
  static constexpr size_t kNoArg = SIZE_MAX;
  bool isConstantOne(size_t i) const {
    const c10::IValue *c = constant(i);
    return c && ((c->isInt() && c->toInt() == 1) || (c->isDouble() && c->toDouble() == 1.0));
  }
  void requireFloat() const {
    if (!isFloat())
      throw LoweringError(v.op + " on " + toString(v.compute) + " values");
  }
  void requireNumber() const {
    if (v.compute == ElemType::Bool)
      throw LoweringError(v.op + " on bool values");
  }

  llvm::Value *add(llvm::Value *x, llvm::Value *y) { return isFloat() ? b.CreateFAdd(x, y) : b.CreateAdd(x, y); }
  llvm::Value *sub(llvm::Value *x, llvm::Value *y) { return isFloat() ? b.CreateFSub(x, y) : b.CreateSub(x, y); }
  llvm::Value *mul(llvm::Value *x, llvm::Value *y) { return isFloat() ? b.CreateFMul(x, y) : b.CreateMul(x, y); }
  llvm::Value *lt(llvm::Value *x, llvm::Value *y) { return isFloat() ? b.CreateFCmpOLT(x, y) : b.CreateICmpSLT(x, y); }
  llvm::Value *gt(llvm::Value *x, llvm::Value *y) { return isFloat() ? b.CreateFCmpOGT(x, y) : b.CreateICmpSGT(x, y); }
  llvm::Value *c(double x) { return e.number(x, v.compute); }
  /// Operand i times the `alpha` operand (add, sub, rsub).
  llvm::Value *scaled(size_t i, size_t alpha) {
    requireNumber();
    return isConstantOne(alpha) ? num(i) : mul(num(i), num(alpha));
  }
  llvm::Value *call(const char *name, llvm::ArrayRef<llvm::Value *> xs) {
    requireFloat();
    return e.call(name, xs, v.compute);
  }
  llvm::Value *intrinsic(llvm::Intrinsic::ID id, llvm::Value *x) {
    return b.CreateUnaryIntrinsic(id, x);
  }
  llvm::Value *sigmoid(llvm::Value *x) {
    return b.CreateFDiv(c(1), b.CreateFAdd(c(1), call("exp", {b.CreateFNeg(x)})));
  }
  /// clamp: NaN in x goes through, a None bound is no bound.
  llvm::Value *clamp(llvm::Value *x, size_t lo, size_t hi) {
    requireNumber();
    if (!isNone(lo))
      x = b.CreateSelect(lt(x, num(lo)), num(lo), x);
    if (!isNone(hi))
      x = b.CreateSelect(gt(x, num(hi)), num(hi), x);
    return x;
  }
  llvm::Value *extreme(bool max) {
    requireNumber();
    llvm::Value *x = num(0), *y = num(1);
    if (isFloat())
      return b.CreateBinaryIntrinsic(max ? llvm::Intrinsic::maximum : llvm::Intrinsic::minimum, x, y);
    return b.CreateBinaryIntrinsic(max ? llvm::Intrinsic::smax : llvm::Intrinsic::smin, x, y);
  }
  llvm::Value *compare(llvm::CmpInst::Predicate f, llvm::CmpInst::Predicate s, llvm::CmpInst::Predicate u) {
    llvm::Value *x = num(0), *y = num(1);
    if (isFloat())
      return b.CreateFCmp(f, x, y);
    return b.CreateICmp(v.compute == ElemType::Bool ? u : s, x, y);
  }
  llvm::Value *pow(llvm::Value *x, size_t exponent) {
    requireFloat();
    if (const c10::IValue *k = constant(exponent); k && (k->isInt() || k->isDouble())) {
      double p = k->isInt() ? double(k->toInt()) : k->toDouble();
      if (p == 1)
        return x;
      if (p == 2)
        return b.CreateFMul(x, x);
      if (p == 3)
        return b.CreateFMul(b.CreateFMul(x, x), x);
      if (p == 0.5)
        return intrinsic(llvm::Intrinsic::sqrt, x);
    }
    return call("pow", {x, num(exponent)});
  }
  /// min(max(x, 0), 6), NaN passing through.
  llvm::Value *relu6(llvm::Value *x) {
    x = b.CreateSelect(b.CreateFCmpOLT(x, c(0)), c(0), x);
    return b.CreateSelect(b.CreateFCmpOGT(x, c(6)), c(6), x);
  }
  llvm::Value *gelu() {
    requireFloat();
    const c10::IValue *mode = constant(1);
    llvm::Value *x = num(0), *inner;
    if (mode && mode->isString() && mode->toStringRef() == "tanh") {
      llvm::Value *cube = b.CreateFMul(b.CreateFMul(x, x), x);
      llvm::Value *arg = b.CreateFMul(c(M_2_SQRTPI * M_SQRT1_2), b.CreateFAdd(x, b.CreateFMul(c(0.044715), cube)));
      inner = call("tanh", {arg});
    } else if (mode && mode->isString() && mode->toStringRef() == "none") {
      inner = call("erf", {b.CreateFMul(x, c(M_SQRT1_2))});
    } else {
      throw LoweringError("gelu with an approximation other than 'none' or 'tanh'");
    }
    return b.CreateFMul(b.CreateFMul(c(0.5), x), b.CreateFAdd(c(1), inner));
  }

private:
  const std::vector<Operand> &ops_;
};

using Lowering = llvm::Value *(*)(Args &);
using P = llvm::CmpInst::Predicate;

const std::unordered_map<std::string, Lowering> &loweringTable() {
  static const std::unordered_map<std::string, Lowering> table = {
      {"aten::add.Tensor", [](Args &a) { return a.add(a.num(0), a.scaled(1, 2)); }},
      {"aten::add.Scalar", [](Args &a) { return a.add(a.num(0), a.scaled(1, 2)); }},
      {"aten::sub.Tensor", [](Args &a) { return a.sub(a.num(0), a.scaled(1, 2)); }},
      {"aten::sub.Scalar", [](Args &a) { return a.sub(a.num(0), a.scaled(1, 2)); }},
      {"aten::rsub.Tensor", [](Args &a) { return a.sub(a.num(1), a.scaled(0, 2)); }},
      {"aten::rsub.Scalar", [](Args &a) { return a.sub(a.num(1), a.scaled(0, 2)); }},
      {"aten::mul.Tensor", [](Args &a) { a.requireNumber(); return a.mul(a.num(0), a.num(1)); }},
      {"aten::mul.Scalar", [](Args &a) { a.requireNumber(); return a.mul(a.num(0), a.num(1)); }},
      {"aten::div.Tensor", [](Args &a) { a.requireFloat(); return a.b.CreateFDiv(a.num(0), a.num(1)); }},
      {"aten::div.Scalar", [](Args &a) { a.requireFloat(); return a.b.CreateFDiv(a.num(0), a.num(1)); }},
      {"aten::neg", [](Args &a) { a.requireNumber(); return a.isFloat() ? a.b.CreateFNeg(a.num(0)) : a.b.CreateNeg(a.num(0)); }},
      {"aten::reciprocal", [](Args &a) { a.requireFloat(); return a.b.CreateFDiv(a.c(1), a.num(0)); }},
      {"aten::pow.Tensor_Tensor", [](Args &a) { return a.pow(a.num(0), 1); }},
      {"aten::pow.Tensor_Scalar", [](Args &a) { return a.pow(a.num(0), 1); }},
      {"aten::pow.Scalar", [](Args &a) { return a.pow(a.num(0), 1); }},
      {"aten::maximum", [](Args &a) { return a.extreme(true); }},
      {"aten::minimum", [](Args &a) { return a.extreme(false); }},
      {"aten::max.other", [](Args &a) { return a.extreme(true); }},
      {"aten::min.other", [](Args &a) { return a.extreme(false); }},
      {"aten::abs", [](Args &a) {
         a.requireNumber();
         return a.isFloat() ? a.intrinsic(llvm::Intrinsic::fabs, a.num(0))
                            : a.b.CreateBinaryIntrinsic(llvm::Intrinsic::abs, a.num(0), a.b.getFalse());
       }},
      {"aten::clamp", [](Args &a) { return a.clamp(a.num(0), 1, 2); }},
      {"aten::clamp_min", [](Args &a) { return a.clamp(a.num(0), 1, Args::kNoArg); }},
      {"aten::clamp_max", [](Args &a) { return a.clamp(a.num(0), Args::kNoArg, 1); }},
      {"aten::where.self", [](Args &a) { return a.b.CreateSelect(a.flag(0), a.num(1), a.num(2)); }},
      {"aten::where.ScalarSelf", [](Args &a) { return a.b.CreateSelect(a.flag(0), a.num(1), a.num(2)); }},
      {"aten::where.ScalarOther", [](Args &a) { return a.b.CreateSelect(a.flag(0), a.num(1), a.num(2)); }},
      {"aten::where.Scalar", [](Args &a) { return a.b.CreateSelect(a.flag(0), a.num(1), a.num(2)); }},
      {"aten::eq.Tensor", [](Args &a) { return a.compare(P::FCMP_OEQ, P::ICMP_EQ, P::ICMP_EQ); }},
      {"aten::eq.Scalar", [](Args &a) { return a.compare(P::FCMP_OEQ, P::ICMP_EQ, P::ICMP_EQ); }},
      {"aten::ne.Tensor", [](Args &a) { return a.compare(P::FCMP_UNE, P::ICMP_NE, P::ICMP_NE); }},
      {"aten::ne.Scalar", [](Args &a) { return a.compare(P::FCMP_UNE, P::ICMP_NE, P::ICMP_NE); }},
      {"aten::lt.Tensor", [](Args &a) { return a.compare(P::FCMP_OLT, P::ICMP_SLT, P::ICMP_ULT); }},
      {"aten::lt.Scalar", [](Args &a) { return a.compare(P::FCMP_OLT, P::ICMP_SLT, P::ICMP_ULT); }},
      {"aten::le.Tensor", [](Args &a) { return a.compare(P::FCMP_OLE, P::ICMP_SLE, P::ICMP_ULE); }},
      {"aten::le.Scalar", [](Args &a) { return a.compare(P::FCMP_OLE, P::ICMP_SLE, P::ICMP_ULE); }},
      {"aten::gt.Tensor", [](Args &a) { return a.compare(P::FCMP_OGT, P::ICMP_SGT, P::ICMP_UGT); }},
      {"aten::gt.Scalar", [](Args &a) { return a.compare(P::FCMP_OGT, P::ICMP_SGT, P::ICMP_UGT); }},
      {"aten::ge.Tensor", [](Args &a) { return a.compare(P::FCMP_OGE, P::ICMP_SGE, P::ICMP_UGE); }},
      {"aten::ge.Scalar", [](Args &a) { return a.compare(P::FCMP_OGE, P::ICMP_SGE, P::ICMP_UGE); }},
      {"aten::exp", [](Args &a) { return a.call("exp", {a.num(0)}); }},
      {"aten::expm1", [](Args &a) { return a.call("expm1", {a.num(0)}); }},
      {"aten::log", [](Args &a) { return a.call("log", {a.num(0)}); }},
      {"aten::log1p", [](Args &a) { return a.call("log1p", {a.num(0)}); }},
      {"aten::log2", [](Args &a) { return a.call("log2", {a.num(0)}); }},
      {"aten::log10", [](Args &a) { return a.call("log10", {a.num(0)}); }},
      {"aten::sin", [](Args &a) { return a.call("sin", {a.num(0)}); }},
      {"aten::cos", [](Args &a) { return a.call("cos", {a.num(0)}); }},
      {"aten::tanh", [](Args &a) { return a.call("tanh", {a.num(0)}); }},
      {"aten::erf", [](Args &a) { return a.call("erf", {a.num(0)}); }},
      {"aten::sqrt", [](Args &a) { a.requireFloat(); return a.intrinsic(llvm::Intrinsic::sqrt, a.num(0)); }},
      {"aten::rsqrt", [](Args &a) {
         a.requireFloat();
         return a.b.CreateFDiv(a.c(1), a.intrinsic(llvm::Intrinsic::sqrt, a.num(0)));
       }},
      {"aten::floor", [](Args &a) { return a.isFloat() ? a.intrinsic(llvm::Intrinsic::floor, a.num(0)) : a.num(0); }},
      {"aten::ceil", [](Args &a) { return a.isFloat() ? a.intrinsic(llvm::Intrinsic::ceil, a.num(0)) : a.num(0); }},
      {"aten::trunc", [](Args &a) { return a.isFloat() ? a.intrinsic(llvm::Intrinsic::trunc, a.num(0)) : a.num(0); }},
      {"aten::sigmoid", [](Args &a) { a.requireFloat(); return a.sigmoid(a.num(0)); }},
      {"aten::relu", [](Args &a) {
         a.requireNumber();
         llvm::Value *x = a.num(0);
         return a.b.CreateSelect(a.lt(x, a.c(0)), a.c(0), x);
       }},
      {"aten::silu", [](Args &a) {
         a.requireFloat();
         llvm::Value *x = a.num(0);
         return a.b.CreateFMul(x, a.sigmoid(x));
       }},
      {"aten::gelu", [](Args &a) { return a.gelu(); }},
      {"aten::leaky_relu", [](Args &a) {
         a.requireFloat();
         llvm::Value *x = a.num(0);
         return a.b.CreateSelect(a.gt(x, a.c(0)), x, a.b.CreateFMul(x, a.num(1)));
       }},
      {"aten::tan", [](Args &a) { return a.call("tan", {a.num(0)}); }},
      {"aten::atan", [](Args &a) { return a.call("atan", {a.num(0)}); }},
      {"aten::asin", [](Args &a) { return a.call("asin", {a.num(0)}); }},
      {"aten::acos", [](Args &a) { return a.call("acos", {a.num(0)}); }},
      {"aten::sinh", [](Args &a) { return a.call("sinh", {a.num(0)}); }},
      {"aten::cosh", [](Args &a) { return a.call("cosh", {a.num(0)}); }},
      {"aten::logical_not", [](Args &a) { return a.b.CreateNot(a.flag(0)); }},
      {"aten::addcmul", [](Args &a) { // self + value * t1 * t2
         a.requireNumber();
         llvm::Value *product = a.mul(a.num(1), a.num(2));
         return a.add(a.num(0), a.isConstantOne(3) ? product : a.mul(a.num(3), product));
       }},
      {"aten::lerp.Scalar", [](Args &a) { // ATen's two-sided form
         a.requireFloat();
         llvm::Value *x = a.num(0), *end = a.num(1), *w = a.num(2);
         llvm::Value *diff = a.b.CreateFSub(end, x);
         llvm::Value *low = a.b.CreateFAdd(x, a.b.CreateFMul(w, diff));
         llvm::Value *high = a.b.CreateFSub(end, a.b.CreateFMul(diff, a.b.CreateFSub(a.c(1), w)));
         return a.b.CreateSelect(a.b.CreateFCmpOLT(a.intrinsic(llvm::Intrinsic::fabs, w), a.c(0.5)), low, high);
       }},
      {"aten::masked_fill.Scalar", [](Args &a) { return a.b.CreateSelect(a.flag(1), a.num(2), a.num(0)); }},
      {"aten::hardtanh", [](Args &a) { return a.clamp(a.num(0), 1, 2); }},
      {"aten::hardsigmoid", [](Args &a) { // min(max(x + 3, 0), 6) / 6
         a.requireFloat();
         return a.b.CreateFDiv(a.relu6(a.b.CreateFAdd(a.num(0), a.c(3))), a.c(6));
       }},
      {"aten::hardswish", [](Args &a) { // x * min(max(x + 3, 0), 6) / 6
         a.requireFloat();
         llvm::Value *x = a.num(0);
         return a.b.CreateFDiv(a.b.CreateFMul(x, a.relu6(a.b.CreateFAdd(x, a.c(3)))), a.c(6));
       }},
      {"aten::elu", [](Args &a) { // x > 0 ? x * scale : expm1(x * input_scale) * alpha * scale
         a.requireFloat();
         llvm::Value *x = a.num(0), *scale = a.num(2);
         llvm::Value *negative = a.b.CreateFMul(
             a.b.CreateFMul(a.call("expm1", {a.b.CreateFMul(x, a.num(3))}), a.num(1)), scale);
         return a.b.CreateSelect(a.b.CreateFCmpOLE(x, a.c(0)), negative, a.b.CreateFMul(x, scale));
       }},
      {"aten::softplus", [](Args &a) { // x * beta > threshold ? x : log1p(exp(x * beta)) / beta
         a.requireFloat();
         llvm::Value *x = a.num(0), *beta = a.num(1);
         llvm::Value *scaled = a.b.CreateFMul(x, beta);
         llvm::Value *soft = a.b.CreateFDiv(a.call("log1p", {a.call("exp", {scaled})}), beta);
         return a.b.CreateSelect(a.b.CreateFCmpOGT(scaled, a.num(2)), x, soft);
       }},
      {"aten::threshold", [](Args &a) { // x <= threshold ? value : x
         a.requireNumber();
         llvm::Value *x = a.num(0);
         llvm::Value *below = a.isFloat() ? a.b.CreateFCmpOLE(x, a.num(1)) : a.b.CreateICmpSLE(x, a.num(1));
         return a.b.CreateSelect(below, a.num(2), x);
       }},
      {"aten::to.dtype", [](Args &a) { return a.num(0); }},
      {"aten::type_as", [](Args &a) { return a.num(0); }},
  };
  return table;
}

} // namespace

llvm::Value *lowerElementwise(ElementEmitter &e, const KernelValue &v,
                              const std::vector<Operand> &args) {
  auto it = loweringTable().find(v.op);
  if (it == loweringTable().end())
    throw LoweringError("no CPU lowering for " + v.op);
  Args a(e, v, args);
  return it->second(a);
}

bool hasElementwiseLowering(const std::string &key) { return loweringTable().count(key) > 0; }

} // namespace ember::codegen
