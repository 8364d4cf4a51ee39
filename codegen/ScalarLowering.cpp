//===- codegen/ScalarLowering.cpp - int/float/bool operators as instructions
//
// The native half of the scalar builtins of runtime/kernels/ScalarKernels.cpp,
// keyed by the same operator names: when every operand and result of the node
// is an int, float or bool, the operator becomes LLVM instructions. Python's
// semantics are kept: `//` and `%` round toward negative infinity, `/` is true
// division, int arithmetic wraps. Where the interpreter would raise (division
// by zero) or where the case is rare and subtle (INT64_MIN // -1, a float
// too large for int), a guard sends the node to the interpreter's kernel,
// which computes or raises exactly as it does there. Operators not listed,
// and listed ones with other operand types, stay interpreter calls.
//
//===----------------------------------------------------------------------===//
#include "codegen/LoweringContext.h"

#include "runtime/Code.h"

#include <llvm/IR/Intrinsics.h>

#include <unordered_map>

namespace ember::codegen {
namespace {

using runtime::Instr;
using LValue = llvm::Value;

enum class Op { Add, Sub, Mul, Div, FloorDiv, Mod, Min, Max, And, Or, Xor };
enum class Cmp { Eq, Ne, Lt, Le, Gt, Ge };

bool isFloat(NativeKind k) { return k == NativeKind::Float; }

/// Result of `a op b` on ints (bools widened), before conversion to the
/// node's declared result kind. Null: leave the node to the interpreter.
LValue *intArith(LoweringContext &cx, const Instr &I, Op op, LValue *a, LValue *b) {
  auto &b_ = cx.builder();
  switch (op) {
  case Op::Add: return b_.CreateAdd(a, b);
  case Op::Sub: return b_.CreateSub(a, b);
  case Op::Mul: return b_.CreateMul(a, b);
  case Op::Min: return b_.CreateSelect(b_.CreateICmpSLT(b, a), b, a);
  case Op::Max: return b_.CreateSelect(b_.CreateICmpSGT(b, a), b, a);
  case Op::And: return b_.CreateAnd(a, b);
  case Op::Or: return b_.CreateOr(a, b);
  case Op::Xor: return b_.CreateXor(a, b);
  case Op::Div:
  case Op::FloorDiv:
  case Op::Mod: {
    // b == 0 raises; b == -1 would trap on INT64_MIN: both go to the kernel.
    LValue *fail = op == Op::Div ? b_.CreateICmpEQ(b, b_.getInt64(0))
                                 : b_.CreateICmpULT(b_.CreateAdd(b, b_.getInt64(1)), b_.getInt64(2));
    cx.guarded(I, fail, [&]() -> std::vector<LValue *> {
      LValue *r;
      if (op == Op::Div) {
        r = b_.CreateFDiv(b_.CreateSIToFP(a, b_.getDoubleTy()), b_.CreateSIToFP(b, b_.getDoubleTy()));
        return {cx.convert(r, NativeKind::Float, cx.kind(I.out[0]))};
      }
      LValue *q = b_.CreateSDiv(a, b), *m = b_.CreateSRem(a, b);
      // Round toward -inf: adjust when the remainder's sign differs from b's.
      LValue *adjust = b_.CreateAnd(b_.CreateICmpNE(m, b_.getInt64(0)),
                                    b_.CreateICmpSLT(b_.CreateXor(m, b), b_.getInt64(0)));
      r = op == Op::FloorDiv ? b_.CreateSub(q, b_.CreateZExt(adjust, b_.getInt64Ty()))
                             : b_.CreateAdd(m, b_.CreateSelect(adjust, b, b_.getInt64(0)));
      return {cx.convert(r, NativeKind::Int, cx.kind(I.out[0]))};
    });
    return nullptr; // outputs defined by guarded()
  }
  }
  return nullptr;
}

bool lowerArith(LoweringContext &cx, const Instr &I, Op op) {
  if (I.in.size() != 2 || I.out.size() != 1)
    return false;
  NativeKind ka = cx.kind(I.in[0]), kb = cx.kind(I.in[1]), ko = cx.kind(I.out[0]);
  if (ka == NativeKind::None || kb == NativeKind::None || ko == NativeKind::None)
    return false;
  auto &b_ = cx.builder();
  bool bools = ka == NativeKind::Bool && kb == NativeKind::Bool;
  if (isFloat(ka) || isFloat(kb)) {
    LValue *a = cx.as(I.in[0], NativeKind::Float), *b = cx.as(I.in[1], NativeKind::Float);
    LValue *r;
    switch (op) {
    case Op::Add: r = b_.CreateFAdd(a, b); break;
    case Op::Sub: r = b_.CreateFSub(a, b); break;
    case Op::Mul: r = b_.CreateFMul(a, b); break;
    case Op::Div:
      cx.guarded(I, b_.CreateFCmpOEQ(b, llvm::ConstantFP::get(b_.getDoubleTy(), 0.0)),
                 [&]() -> std::vector<LValue *> {
                   return {cx.convert(b_.CreateFDiv(a, b), NativeKind::Float, ko)};
                 });
      return true;
    default: return false; // float //, %, min, max: NaN and sign rules stay in the kernel
    }
    cx.define(I.out[0], cx.convert(r, NativeKind::Float, ko));
    return true;
  }
  if (bools && (op == Op::And || op == Op::Or || op == Op::Xor)) {
    LValue *a = cx.get(I.in[0]), *b = cx.get(I.in[1]);
    LValue *r = op == Op::And ? b_.CreateAnd(a, b) : op == Op::Or ? b_.CreateOr(a, b) : b_.CreateXor(a, b);
    cx.define(I.out[0], cx.convert(r, NativeKind::Bool, ko));
    return true;
  }
  LValue *a = cx.as(I.in[0], NativeKind::Int), *b = cx.as(I.in[1], NativeKind::Int);
  if (LValue *r = intArith(cx, I, op, a, b))
    cx.define(I.out[0], cx.convert(r, NativeKind::Int, ko));
  return true;
}

bool lowerCompare(LoweringContext &cx, const Instr &I, Cmp c) {
  if (I.in.size() != 2 || I.out.size() != 1 || cx.kind(I.out[0]) != NativeKind::Bool)
    return false;
  NativeKind ka = cx.kind(I.in[0]), kb = cx.kind(I.in[1]);
  if (ka == NativeKind::None || kb == NativeKind::None)
    return false;
  auto &b_ = cx.builder();
  LValue *r;
  if (isFloat(ka) || isFloat(kb)) {
    // Ordered predicates, except !=: any comparison with NaN is false.
    static const llvm::CmpInst::Predicate preds[] = {
        llvm::CmpInst::FCMP_OEQ, llvm::CmpInst::FCMP_UNE, llvm::CmpInst::FCMP_OLT,
        llvm::CmpInst::FCMP_OLE, llvm::CmpInst::FCMP_OGT, llvm::CmpInst::FCMP_OGE};
    r = b_.CreateFCmp(preds[int(c)], cx.as(I.in[0], NativeKind::Float), cx.as(I.in[1], NativeKind::Float));
  } else {
    static const llvm::CmpInst::Predicate preds[] = {
        llvm::CmpInst::ICMP_EQ, llvm::CmpInst::ICMP_NE, llvm::CmpInst::ICMP_SLT,
        llvm::CmpInst::ICMP_SLE, llvm::CmpInst::ICMP_SGT, llvm::CmpInst::ICMP_SGE};
    r = b_.CreateICmp(preds[int(c)], cx.as(I.in[0], NativeKind::Int), cx.as(I.in[1], NativeKind::Int));
  }
  cx.define(I.out[0], r);
  return true;
}

/// One native operand and one native result.
bool unary(LoweringContext &cx, const Instr &I) {
  return I.in.size() == 1 && I.out.size() == 1 && cx.kind(I.in[0]) != NativeKind::None &&
         cx.kind(I.out[0]) != NativeKind::None;
}

bool lowerNeg(LoweringContext &cx, const Instr &I) {
  if (!unary(cx, I))
    return false;
  auto &b_ = cx.builder();
  NativeKind k = cx.kind(I.in[0]);
  LValue *r = isFloat(k) ? b_.CreateFNeg(cx.get(I.in[0]))
                         : b_.CreateNeg(cx.as(I.in[0], NativeKind::Int));
  cx.define(I.out[0], cx.convert(r, isFloat(k) ? NativeKind::Float : NativeKind::Int, cx.kind(I.out[0])));
  return true;
}

bool lowerNot(LoweringContext &cx, const Instr &I) {
  if (!unary(cx, I) || cx.kind(I.out[0]) != NativeKind::Bool)
    return false;
  cx.define(I.out[0], cx.builder().CreateNot(cx.as(I.in[0], NativeKind::Bool)));
  return true;
}

/// int(x), float(x), bool(x) of a number.
bool lowerCast(LoweringContext &cx, const Instr &I, NativeKind to) {
  if (!unary(cx, I) || cx.kind(I.out[0]) != to)
    return false;
  auto &b_ = cx.builder();
  NativeKind from = cx.kind(I.in[0]);
  LValue *x = cx.get(I.in[0]);
  if (from == NativeKind::Float && to == NativeKind::Int) {
    // NaN, infinities and floats beyond int64 go to the kernel (it raises or
    // saturates as the interpreter does).
    auto *fabs = llvm::Intrinsic::getDeclaration(b_.GetInsertBlock()->getModule(),
                                                 llvm::Intrinsic::fabs, {b_.getDoubleTy()});
    LValue *inRange = b_.CreateFCmpOLT(b_.CreateCall(fabs, {x}),
                                       llvm::ConstantFP::get(b_.getDoubleTy(), 9.2e18));
    cx.guarded(I, b_.CreateNot(inRange), [&]() -> std::vector<LValue *> {
      return {b_.CreateFPToSI(x, b_.getInt64Ty())};
    });
    return true;
  }
  cx.define(I.out[0], cx.convert(x, from, to));
  return true;
}

bool lowerUninitialized(LoweringContext &cx, const Instr &I) {
  if (I.out.size() != 1 || cx.kind(I.out[0]) == NativeKind::None)
    return false;
  cx.define(I.out[0], llvm::Constant::getNullValue(cx.typeOf(cx.kind(I.out[0]))));
  return true;
}

using Lowering = std::function<bool(LoweringContext &, const Instr &)>;

const std::unordered_map<std::string, Lowering> &table() {
  static const auto *t = [] {
    auto *m = new std::unordered_map<std::string, Lowering>();
    auto arith = [&](const char *name, Op op) {
      (*m)[name] = [op](LoweringContext &cx, const Instr &I) { return lowerArith(cx, I, op); };
    };
    auto compare = [&](const char *name, Cmp c) {
      (*m)[name] = [c](LoweringContext &cx, const Instr &I) { return lowerCompare(cx, I, c); };
    };
    auto cast = [&](const char *name, NativeKind k) {
      (*m)[name] = [k](LoweringContext &cx, const Instr &I) { return lowerCast(cx, I, k); };
    };
    arith("aten::add", Op::Add);
    arith("aten::sub", Op::Sub);
    arith("aten::mul", Op::Mul);
    arith("aten::div", Op::Div);
    arith("aten::floordiv", Op::FloorDiv);
    arith("aten::remainder", Op::Mod);
    arith("prim::min", Op::Min);
    arith("prim::max", Op::Max);
    arith("aten::__and__", Op::And);
    arith("aten::__or__", Op::Or);
    arith("aten::__xor__", Op::Xor);
    compare("aten::eq", Cmp::Eq);
    compare("aten::ne", Cmp::Ne);
    compare("aten::lt", Cmp::Lt);
    compare("aten::le", Cmp::Le);
    compare("aten::gt", Cmp::Gt);
    compare("aten::ge", Cmp::Ge);
    cast("aten::Int", NativeKind::Int);
    cast("aten::Float", NativeKind::Float);
    cast("aten::Bool", NativeKind::Bool);
    (*m)["aten::neg"] = lowerNeg;
    (*m)["aten::__not__"] = lowerNot;
    (*m)["prim::Uninitialized"] = lowerUninitialized;
    return m;
  }();
  return *t;
}

} // namespace

bool lowerScalarOp(LoweringContext &cx, const Instr &I) {
  if (!I.node)
    return false;
  auto it = table().find(I.node->kind().qualString());
  return it != table().end() && it->second(cx, I);
}

} // namespace ember::codegen

namespace ember::codegen {

bool isScalarOp(const runtime::Instr &I) {
  if (!I.node || I.kind != runtime::InstrKind::Op || !table().count(I.node->kind().qualString()))
    return false;
  auto native = [](const Value *v) { return nativeKindOf(*v->type()) != NativeKind::None; };
  for (const Value *v : I.node->inputs())
    if (!native(v))
      return false;
  for (const Value *v : I.node->outputs())
    if (!native(v))
      return false;
  return true;
}

} // namespace ember::codegen
