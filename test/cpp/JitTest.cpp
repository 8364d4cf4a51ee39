// Differential unit tests for the JIT executor (codegen/, engine/Executor.h):
// each program is compiled twice, once interpreted and once as native code,
// and both runs must agree on results and on errors.
#include "engine/Executor.h"
#include "engine/ScriptProgram.h"
#include "frontend/Parser.h"
#include "runtime/ScriptError.h"

#include <ATen/ATen.h>

#include <gtest/gtest.h>

using namespace ember;
using c10::IValue;

namespace {

struct Outcome {
  IValue value;
  std::string error; // "Class: message" when the program raised
};

Outcome runWith(const std::string &executor, const std::string &source, std::vector<IValue> args) {
  EXPECT_TRUE(setExecutor(executor));
  ScriptProgram program;
  auto buffer = std::make_shared<SourceBuffer>(SourceBuffer{"t.py", source});
  program.addSource(std::make_shared<frontend::Module>(frontend::parseSource(buffer)));
  Outcome o;
  try {
    o.value = program.function("f")->run(std::move(args)).at(0);
  } catch (const runtime::ScriptError &e) {
    o.error = e.pythonClass() + ": " + e.message();
  }
  setExecutor("jit");
  return o;
}

/// Runs `source`'s `f` under both executors on each argument list.
void expectSame(const std::string &source, const std::vector<std::vector<IValue>> &cases) {
  if (!setExecutor("native"))
    GTEST_SKIP() << "ember is built without LLVM";
  for (const auto &args : cases) {
    Outcome interp = runWith("interp", source, args), native = runWith("native", source, args);
    EXPECT_EQ(interp.error, native.error);
    if (interp.error.empty() && native.error.empty()) {
      if (interp.value.isTensor())
        EXPECT_TRUE(at::equal(interp.value.toTensor(), native.value.toTensor()));
      else
        EXPECT_EQ(interp.value, native.value) << interp.value << " vs " << native.value;
    }
  }
}

} // namespace

TEST(Jit, ScalarArithmeticFollowsPython) {
  expectSame("def f(a: int, b: int) -> float:\n"
             "    q = a // b + a % b * 3 - min(a, b) + max(a, -b)\n"
             "    return q / 2 + float(a < b) - float(a != b)\n",
             {{int64_t(7), int64_t(2)}, {int64_t(-7), int64_t(2)}, {int64_t(7), int64_t(-2)},
              {int64_t(-7), int64_t(-2)}, {int64_t(5), int64_t(0)},
              {int64_t(INT64_MIN), int64_t(-1)}});
}

TEST(Jit, LoopsCarryNativeAndBoxedValues) {
  expectSame("from typing import List\n"
             "def f(n: int) -> List[int]:\n"
             "    out: List[int] = []\n"
             "    a, b = 0, 1\n"
             "    i = 0\n"
             "    while i < n:\n"
             "        i += 1\n"
             "        if a % 2 == 1:\n"
             "            continue\n"
             "        out.append(a)\n"
             "        if len(out) > 5:\n"
             "            break\n"
             "        a, b = b, a + b\n"
             "        a, b = b, a + b\n"
             "    return out\n",
             {{int64_t(0)}, {int64_t(3)}, {int64_t(40)}});
}

TEST(Jit, FloatsNaNAndConversions) {
  expectSame("def f(x: float, y: float) -> int:\n"
             "    c = 0\n"
             "    if x < y: c += 1\n"
             "    if x <= y: c += 2\n"
             "    if x == y: c += 4\n"
             "    if x != y: c += 8\n"
             "    return c + int(x / y)\n",
             {{1.5, 2.5}, {2.0, 2.0}, {std::nan(""), 1.0}, {1.0, 0.0}, {-7.5, 2.0}});
}

TEST(Jit, TensorsAndRaisesInLoops) {
  expectSame("import torch\n"
             "def f(x: torch.Tensor, n: int) -> torch.Tensor:\n"
             "    for i in range(n):\n"
             "        if i == 7:\n"
             "            raise ValueError('seven')\n"
             "        x = x * 2 + i\n"
             "    return x\n",
             {{at::ones({3}), int64_t(4)}, {at::ones({3}), int64_t(9)}});
}
