//===- runtime/UnboxedOps.cpp - the unboxed kernels of UnboxedOps.def -----===//
//
// Each line of the table becomes a function that reads its arguments through
// `Args` (typed views of the IValues where they lie) and returns the
// operator's result as an IValue. The arguments are read as the boxed
// wrapper of the same operator would read them, so both calls compute the
// same thing; only the stack traffic differs.
//
//===----------------------------------------------------------------------===//
#include "runtime/UnboxedOps.h"

#include "ir/Schema.h"

#include <ATen/ATen.h>

#include <cstdlib>
#include <cstring>
#include <unordered_map>

namespace ember::runtime {
namespace {

struct Args {
  const c10::IValue *regs;
  const uint32_t *in;

  const c10::IValue &v(int k) const { return regs[in[k]]; }
  const at::Tensor &t(int k) const { return v(k).toTensor(); }
  c10::optional<at::Tensor> ot(int k) const { return v(k).toOptional<at::Tensor>(); }
  at::Scalar s(int k) const { return v(k).toScalar(); }
  int64_t i(int k) const { return v(k).toInt(); }
  double f(int k) const { return v(k).toDouble(); }
  bool b(int k) const { return v(k).toBool(); }
  std::vector<int64_t> ints(int k) const { return v(k).toIntVector(); }
  c10::optional<at::ScalarType> dtype(int k) const { return v(k).toOptional<at::ScalarType>(); }
  c10::string_view str(int k) const { return v(k).toStringRef(); }
};

namespace kernels {
#define UNBOXED(NAME, KEY, ARITY, CALL)                                                            \
  c10::IValue NAME(const c10::IValue *regs, const uint32_t *in) {                                  \
    Args a{regs, in};                                                                              \
    return CALL;                                                                                   \
  }
#include "runtime/UnboxedOps.def"
} // namespace kernels

} // namespace

const uint32_t kConsecutive[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

const std::vector<UnboxedOp> &unboxedOps() {
  static const std::vector<UnboxedOp> ops = {
#define UNBOXED(NAME, KEY, ARITY, CALL) {KEY, "ember_aten_" #NAME, ARITY, &kernels::NAME},
#include "runtime/UnboxedOps.def"
  };
  return ops;
}

const UnboxedOp *findUnboxedOp(const Node &node) {
  // EMBER_UNBOXED=0 leaves every operator boxed: to measure what the table
  // saves, or to rule it out when chasing a difference.
  static const auto *byKey = [] {
    auto *m = new std::unordered_map<std::string, const UnboxedOp *>();
    const char *env = std::getenv("EMBER_UNBOXED");
    if (!(env && std::strcmp(env, "0") == 0))
      for (const UnboxedOp &op : unboxedOps())
        (*m)[op.key] = &op;
    return m;
  }();
  const FunctionSchema *schema = node.schema();
  if (!schema || node.outputs().size() != 1)
    return nullptr;
  auto it = byKey->find(schema->overload.empty() ? schema->name
                                                 : schema->name + "." + schema->overload);
  if (it == byKey->end() || node.inputs().size() != it->second->arity)
    return nullptr;
  return it->second;
}

} // namespace ember::runtime
