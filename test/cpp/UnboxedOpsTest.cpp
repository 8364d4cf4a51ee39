// Unit tests for the unboxed operator table (runtime/UnboxedOps.def): each
// line must name an ATen schema it reads completely, and its kernel must
// compute what the boxed dispatcher call of the same operator computes, on
// the same arguments (results, and the arguments an in-place op mutates).
#include "runtime/Kernels.h"
#include "runtime/UnboxedOps.h"

#include <ATen/ATen.h>
#include <ATen/core/dispatch/Dispatcher.h>

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

using namespace ember::runtime;
using c10::IValue;

namespace {

c10::OperatorHandle handleOf(const UnboxedOp &op) {
  std::string key = op.key;
  size_t dot = key.find('.');
  std::string name = key.substr(0, dot);
  std::string overload = dot == std::string::npos ? "" : key.substr(dot + 1);
  auto handle = c10::Dispatcher::singleton().findSchema({name, overload});
  if (!handle)
    throw std::runtime_error(std::string("no ATen operator ") + op.key);
  return *handle;
}

/// Positive values, different for each `k`: an operator reading its
/// arguments in the wrong order gives another result.
at::Tensor sample(std::vector<int64_t> shape, int k = 0) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return at::arange(n, at::kFloat).reshape(shape).mul(k + 1).add(1).div(7);
}

/// Arguments by type: a 4x4 tensor, None for optionals, 1, 0.5, false, 2,
/// [2, 8], "tanh"; then what an operator needs beyond that.
Stack sampleArguments(const UnboxedOp &op, const c10::FunctionSchema &schema) {
  Stack args;
  for (const c10::Argument &a : schema.arguments()) {
    switch (a.type()->kind()) {
    case c10::TypeKind::TensorType: args.push_back(sample({4, 4}, int(args.size()))); break;
    case c10::TypeKind::OptionalType: args.push_back(IValue()); break;
    case c10::TypeKind::IntType:
    case c10::TypeKind::SymIntType: args.push_back(int64_t(1)); break;
    case c10::TypeKind::FloatType: args.push_back(0.5); break;
    case c10::TypeKind::BoolType: args.push_back(false); break;
    case c10::TypeKind::NumberType: args.push_back(int64_t(2)); break;
    case c10::TypeKind::ListType: args.push_back(c10::List<int64_t>({2, 8})); break;
    case c10::TypeKind::StringType: args.push_back(std::string("tanh")); break;
    default: throw std::runtime_error("no sample for " + a.type()->str());
    }
  }
  static const std::map<std::string, std::function<void(Stack &)>> patches = {
      {"aten::bmm", [](Stack &s) { s = {sample({2, 4, 3}), sample({2, 3, 4}, 1)}; }},
      {"aten::permute", [](Stack &s) { s[1] = c10::List<int64_t>({1, 0}); }},
      {"aten::linear", [](Stack &s) { s[2] = sample({4}); }},
      {"aten::layer_norm",
       [](Stack &s) {
         s[1] = c10::List<int64_t>({4});
         s[2] = sample({4}, 2);
         s[3] = sample({4}, 3).neg();
       }},
  };
  if (auto it = patches.find(op.key); it != patches.end())
    it->second(args);
  return args;
}

/// A deep copy, so the two calls cannot see each other's in-place writes.
Stack cloned(const Stack &args) {
  Stack out;
  for (const IValue &v : args)
    out.push_back(v.isTensor() ? IValue(v.toTensor().clone()) : v);
  return out;
}

void expectSame(const IValue &boxed, const IValue &unboxed, const std::string &what) {
  ASSERT_EQ(boxed.isTensor(), unboxed.isTensor()) << what;
  if (!boxed.isTensor()) {
    EXPECT_EQ(boxed, unboxed) << what;
    return;
  }
  const at::Tensor &b = boxed.toTensor(), &u = unboxed.toTensor();
  EXPECT_EQ(b.scalar_type(), u.scalar_type()) << what;
  EXPECT_EQ(b.sizes(), u.sizes()) << what;
  EXPECT_EQ(b.strides(), u.strides()) << what;
  EXPECT_TRUE(at::equal(b, u)) << what;
}

} // namespace

TEST(UnboxedOps, EachLineNamesTheSchemaItReads) {
  std::set<std::string> symbols;
  for (const UnboxedOp &op : unboxedOps()) {
    SCOPED_TRACE(op.key);
    const c10::FunctionSchema &schema = handleOf(op).schema();
    EXPECT_EQ(schema.arguments().size(), op.arity);
    EXPECT_EQ(schema.returns().size(), 1u);
    EXPECT_LE(op.arity, sizeof(kConsecutive) / sizeof(kConsecutive[0]));
    EXPECT_TRUE(symbols.insert(op.symbol).second) << "symbol " << op.symbol << " twice";
    // ember's own kernel for an overload wins over the dispatcher
    // (operationFor): an unboxed line for such an overload would bypass it.
    if (!schema.overload_name().empty()) {
      EXPECT_EQ(kernelTable().find(op.key), nullptr);
    }
  }
}

TEST(UnboxedOps, KernelsComputeWhatTheBoxedCallComputes) {
  for (const UnboxedOp &op : unboxedOps()) {
    SCOPED_TRACE(op.key);
    c10::OperatorHandle handle = handleOf(op);
    Stack args = sampleArguments(op, handle.schema());
    Stack boxedArgs = cloned(args), unboxedArgs = cloned(args);
    Stack stack = boxedArgs;
    handle.callBoxed(&stack);
    ASSERT_EQ(stack.size(), 1u);
    IValue unboxed = op.kernel(unboxedArgs.data(), kConsecutive);
    expectSame(stack[0], unboxed, "result");
    for (size_t k = 0; k < args.size(); ++k)
      expectSame(boxedArgs[k], unboxedArgs[k], "argument " + std::to_string(k));
  }
}

TEST(UnboxedOps, ArgumentsAreReadWhereTheyLie) {
  // Registers 5 and 2 of a frame, not consecutive: aten::sub(r5, r2, alpha=r0).
  std::vector<IValue> regs(6);
  regs[5] = sample({3});
  regs[2] = at::ones({3});
  regs[0] = int64_t(2);
  const uint32_t in[] = {5, 2, 0};
  const UnboxedOp *sub = nullptr;
  for (const UnboxedOp &op : unboxedOps())
    if (std::string(op.key) == "aten::sub.Tensor")
      sub = &op;
  ASSERT_NE(sub, nullptr);
  IValue r = sub->kernel(regs.data(), in);
  EXPECT_TRUE(at::equal(r.toTensor(), sample({3}) - 2));
}
