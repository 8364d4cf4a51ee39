// Unit tests for the frontend's compilation API (frontend/Emitter.h): the
// resolver a caller supplies, on-demand compilation, recursion reporting.
#include "frontend/Emitter.h"
#include "frontend/Parser.h"
#include "ir/Printer.h"

#include <ATen/ATen.h>

#include <gtest/gtest.h>

using namespace ember;
using namespace ember::frontend;

namespace {

std::shared_ptr<const Module> parse(const std::string &name, const std::string &text) {
  auto buffer = std::make_shared<SourceBuffer>(SourceBuffer{name, text});
  return std::make_shared<Module>(parseSource(buffer));
}

} // namespace

TEST(Compiler, CompilesOnlyWhatIsAskedForAndItsCallees) {
  Compiler c;
  c.addModule(parse("m.py", "def a(x: int) -> int:\n    return b(x) + 1\n"
                            "def b(x: int) -> int:\n    return x * 2\n"
                            "def unused(x: int) -> int:\n    return x\n"));
  Graph *g = c.compileFunction("a");
  ASSERT_NE(g, nullptr);
  EXPECT_NE(c.unit().find("b"), nullptr);
  EXPECT_EQ(c.unit().find("unused"), nullptr);
  EXPECT_NE(toString(*g).find("prim::CallFunction"), std::string::npos);
  ASSERT_NE(c.schema("b"), nullptr);
  EXPECT_EQ(c.schema("b")->str(), "b(int x) -> int");
}

TEST(Compiler, ResolverSuppliesFunctionsOfOtherFiles) {
  // From C++, a table of sources stands in for Python's globals.
  std::map<std::string, std::string> table = {
      {"helper", "def helper(x: float) -> float:\n    return x * 3.0\n"}};
  std::vector<std::string> asked;
  GlobalResolver resolver;
  resolver.function = [&](const std::string &name) -> std::shared_ptr<const Module> {
    asked.push_back(name);
    auto it = table.find(name);
    return it == table.end() ? nullptr : parse(name + ".py", it->second);
  };
  Compiler c(resolver);
  c.addModule(parse("main.py", "def main(x: float) -> float:\n    return helper(x)\n"));
  ASSERT_NE(c.compileFunction("main"), nullptr);
  EXPECT_NE(c.unit().find("helper"), nullptr);
  EXPECT_EQ(asked, std::vector<std::string>{"helper"});
}

TEST(Compiler, RecursionThroughTheResolverIsReportedWithTheChain) {
  GlobalResolver resolver;
  resolver.function = [&](const std::string &name) -> std::shared_ptr<const Module> {
    if (name == "g")
      return parse("g.py", "def g(x: int) -> int:\n    return f(x)\n");
    return nullptr;
  };
  Compiler c(resolver);
  c.addModule(parse("f.py", "def f(x: int) -> int:\n    return g(x)\n"));
  try {
    c.compileFunction("f");
    FAIL() << "expected a CompileError";
  } catch (const CompileError &e) {
    std::string text = e.what();
    EXPECT_NE(text.find("g.py:2:12: error: recursive call: f -> g -> f"), std::string::npos)
        << text;
    EXPECT_NE(text.find("f.py:2:12: note: 'g' is called here"), std::string::npos) << text;
  }
}

TEST(Compiler, UserTypesComeFromTheResolver) {
  GlobalResolver resolver;
  resolver.type = [](const std::string &name) -> TypePtr {
    return name == "Thing" ? Type::classType("__torch__.Thing", false) : nullptr;
  };
  Compiler c(resolver);
  c.addModule(parse("t.py", "def f(t: Thing) -> Thing:\n    return t\n"));
  ASSERT_NE(c.compileFunction("f"), nullptr);
  EXPECT_EQ(c.schema("f")->str(), "f(__torch__.Thing t) -> __torch__.Thing");
}

TEST(Compiler, ArchiveConstantsComeFromTheResolver) {
  GlobalResolver resolver;
  resolver.constant = [](const std::string &name) -> std::shared_ptr<const c10::IValue> {
    if (name == "c0")
      return std::make_shared<const c10::IValue>(at::ones({2}));
    return nullptr;
  };
  Compiler c(resolver);
  c.addModule(parse("code.py", "def f(x: Tensor) -> Tensor:\n    return torch.add(x, CONSTANTS.c0)\n"));
  Graph *g = c.compileFunction("f");
  ASSERT_NE(g, nullptr);
  EXPECT_NE(toString(*g).find("Float(2, strides=[1], requires_grad=0, device=cpu) = prim::Constant"),
            std::string::npos)
      << toString(*g);
  Compiler missing;
  missing.addModule(parse("code.py", "def f() -> Tensor:\n    return CONSTANTS.c9\n"));
  try {
    missing.compileFunction("f");
    FAIL() << "expected a CompileError";
  } catch (const CompileError &e) {
    EXPECT_NE(std::string(e.what()).find("'CONSTANTS.c9' is not in the archive's constants table"),
              std::string::npos);
  }
}
