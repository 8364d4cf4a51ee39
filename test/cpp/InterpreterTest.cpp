// Unit tests for the interpreter (runtime/Interpreter.h) through
// engine/ScriptProgram.h: programs compiled from source, run on values,
// compared with what Python computes.
#include "engine/ScriptProgram.h"
#include "frontend/Parser.h"
#include "runtime/ScriptError.h"

#include <ATen/ATen.h>

#include <gtest/gtest.h>

#include <thread>

using namespace ember;
using c10::IValue;

namespace {

IValue run(const std::string &source, const std::string &name, std::vector<IValue> args) {
  ScriptProgram program;
  auto buffer = std::make_shared<SourceBuffer>(SourceBuffer{"t.py", source});
  program.addSource(std::make_shared<frontend::Module>(frontend::parseSource(buffer)));
  runtime::Stack out = program.function(name)->run(std::move(args));
  return out.at(0);
}

} // namespace

TEST(Interpreter, IntegerLoopWithBranch) {
  IValue r = run("def f(n: int) -> int:\n"
                 "    s = 0\n"
                 "    for i in range(n):\n"
                 "        if i % 3 == 0:\n"
                 "            s += i // 2\n"
                 "        else:\n"
                 "            s -= 1\n"
                 "    return s\n",
                 "f", {int64_t(10)});
  // i = 0,3,6,9 add 0+1+3+4; six others subtract 6.
  EXPECT_EQ(r.toInt(), 2);
}

TEST(Interpreter, ListsAreSharedByReference) {
  IValue r = run("from typing import List\n"
                 "def g(l: List[int]) -> None:\n"
                 "    l.append(7)\n"
                 "def f() -> List[int]:\n"
                 "    a = [1, 2]\n"
                 "    b = a\n"
                 "    g(b)\n"
                 "    return a\n",
                 "f", {});
  EXPECT_EQ(r.toIntVector(), (std::vector<int64_t>{1, 2, 7}));
}

TEST(Interpreter, ClassesKeepStateInSlots) {
  IValue r = run("class Acc:\n"
                 "    def __init__(self, n: int):\n"
                 "        self.n = n\n"
                 "    def add(self, x: int) -> int:\n"
                 "        self.n += x\n"
                 "        return self.n\n"
                 "def f() -> int:\n"
                 "    a = Acc(1)\n"
                 "    a.add(2)\n"
                 "    return a.add(3)\n",
                 "f", {});
  EXPECT_EQ(r.toInt(), 6);
}

TEST(Interpreter, RaiseCarriesClassMessageAndTraceback) {
  try {
    run("def inner(x: int) -> int:\n"
        "    raise ValueError('bad ' + str(x))\n"
        "def f(x: int) -> int:\n"
        "    return inner(x)\n",
        "f", {int64_t(3)});
    FAIL() << "expected a ScriptError";
  } catch (const runtime::ScriptError &e) {
    EXPECT_EQ(e.pythonClass(), "builtins.ValueError");
    EXPECT_EQ(e.message(), "bad 3");
    ASSERT_EQ(e.frames().size(), 2u);
    EXPECT_EQ(e.frames()[0].function, "inner");
    EXPECT_EQ(e.frames()[1].function, "f");
    std::string text = e.what();
    EXPECT_NE(text.find("raise ValueError('bad ' + str(x))"), std::string::npos) << text;
    EXPECT_NE(text.find("<--- HERE"), std::string::npos) << text;
  }
}

TEST(Interpreter, ATenErrorsNameTheScriptLocation) {
  try {
    run("import torch\n"
        "def f(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:\n"
        "    return torch.matmul(x, y)\n",
        "f", {at::ones({2, 3}), at::ones({2, 3})});
    FAIL() << "expected a ScriptError";
  } catch (const runtime::ScriptError &e) {
    EXPECT_EQ(e.pythonClass(), "RuntimeError");
    EXPECT_NE(std::string(e.what()).find("line 3, in f"), std::string::npos) << e.what();
  }
}

TEST(Interpreter, ForkRunsInParallelAndWaitReturnsTheValue) {
  IValue r = run("import torch\n"
                 "def work(x: int) -> int:\n"
                 "    return x * x\n"
                 "def f() -> int:\n"
                 "    futs = [torch.jit.fork(work, i) for i in range(8)]\n"
                 "    return sum([torch.jit.wait(fu) for fu in futs])\n",
                 "f", {});
  EXPECT_EQ(r.toInt(), 140);
}

TEST(Interpreter, OneFunctionRunsOnManyThreads) {
  ScriptProgram program;
  auto buffer = std::make_shared<SourceBuffer>(SourceBuffer{
      "t.py", "import torch\n"
              "def f(x: torch.Tensor, n: int) -> torch.Tensor:\n"
              "    for _ in range(n):\n"
              "        x = x + 1\n"
              "    return x\n"});
  program.addSource(std::make_shared<frontend::Module>(frontend::parseSource(buffer)));
  runtime::Function *fn = program.function("f");
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int k = 0; k < 50; ++k) {
        at::Tensor out = fn->run({at::full({4}, double(t)), int64_t(k)}).at(0).toTensor();
        if (!out.equal(at::full({4}, double(t + k))))
          ++wrong;
      }
    });
  for (auto &th : threads)
    th.join();
  EXPECT_EQ(wrong.load(), 0);
}
