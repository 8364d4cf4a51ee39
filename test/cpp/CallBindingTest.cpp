// Unit tests for binding calls to operator overloads (frontend/CallBinding).
#include "frontend/CallBinding.h"
#include "ir/TypeParser.h"

#include <gtest/gtest.h>

using namespace ember;
using namespace ember::frontend;

namespace {

TypePtr T(const char *s) { return parseTypeString(s); }

CallArgument arg(const char *type, const char *keyword = "") {
  return CallArgument{T(type), keyword, SourceSpan{}};
}

CallBinding bindAten(const char *name, const std::vector<CallArgument> &args) {
  auto overloads = OperatorRegistry::global().lookup(Symbol::aten(name));
  auto buffer = std::make_shared<SourceBuffer>(SourceBuffer{"t.py", "call()"});
  return bindOverloads(std::string("aten::") + name, overloads, args, SourceSpan{buffer, 0, 6});
}

} // namespace

TEST(CallBinding, KeywordsAndDefaults) {
  CallBinding b = bindAten("add", {arg("Tensor"), arg("Tensor"), arg("int", "alpha")});
  EXPECT_EQ(b.schema->overload, "Tensor");
  ASSERT_EQ(b.arguments.size(), 3u);
  EXPECT_EQ(b.arguments[2].source, BoundArgument::Keyword);
  EXPECT_EQ(b.arguments[2].actual, 2u);
  b = bindAten("add", {arg("Tensor"), arg("Tensor")});
  EXPECT_EQ(b.arguments[2].source, BoundArgument::Default);
  EXPECT_EQ(b.arguments[2].defaultValue, "1");
}

TEST(CallBinding, OverloadChosenByTypes) {
  EXPECT_EQ(bindAten("add", {arg("Tensor"), arg("int")}).schema->overload, "Scalar");
  EXPECT_EQ(bindAten("add", {arg("int"), arg("int")}).schema->overload, "int");
  EXPECT_EQ(bindAten("add", {arg("str"), arg("str")}).schema->overload, "str");
  CallBinding b = bindAten("add", {arg("int"), arg("float")});
  EXPECT_EQ(b.schema->overload, "int_float");
  EXPECT_EQ(b.returns[0]->str(), "float");
}

TEST(CallBinding, BroadcastingListAndTupleToList) {
  CallBinding b = bindAten("sum", {arg("Tensor"), arg("int")});
  EXPECT_EQ(b.schema->overload, "dim_IntList");
  EXPECT_EQ(b.arguments[1].conversion, ConversionKind::BroadcastList);
  EXPECT_EQ(b.arguments[1].repeat, 1);
  b = bindAten("view", {arg("Tensor"), arg("(int, int)")});
  EXPECT_EQ(b.arguments[1].conversion, ConversionKind::TupleToList);
}

TEST(CallBinding, ImplicitConversionsOnlyWhenNothingElseFits) {
  FunctionSchema s = parseSchema("test::f(int a, float b, Device d) -> int");
  EXPECT_FALSE(bindCall(s, {arg("Tensor"), arg("bool"), arg("str")}, /*allowConversions=*/false));
  auto b = bindCall(s, {arg("Tensor"), arg("bool"), arg("str")}, /*allowConversions=*/true);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->arguments[0].op, "aten::IntImplicit");
  EXPECT_EQ(b->arguments[1].op, "aten::Float");
  EXPECT_EQ(b->arguments[2].op, "aten::device");
}

TEST(CallBinding, TypeVariablesBindLeftToRight) {
  CallBinding b = bindAten("__getitem__", {arg("str[]"), arg("int")});
  EXPECT_EQ(b.returns[0]->str(), "str");
  b = bindAten("append", {arg("Tensor[]"), arg("Float(2)")});
  EXPECT_EQ(b.schema->overload, "t");
}

TEST(CallBinding, VariadicSchemasTakeExtraArguments) {
  CallBinding b = bindAten("format", {arg("str"), arg("int"), arg("Tensor")});
  ASSERT_EQ(b.arguments.size(), 3u);
  EXPECT_EQ(b.arguments[2].formalType->str(), "Tensor");
}

TEST(CallBinding, NoFitListsEveryCandidateAndWhy) {
  try {
    bindAten("relu", {arg("Tensor"), arg("int", "inplace")});
    FAIL() << "expected a CompileError";
  } catch (const CompileError &e) {
    std::string text = e.what();
    EXPECT_NE(text.find("t.py:1:1: error: Arguments for call are not valid: no overload of 'aten::relu' accepts arguments "
                        "(Tensor, inplace=int)"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("unknown keyword argument 'inplace'"), std::string::npos) << text;
  }
  FunctionSchema s = parseSchema("test::g(int a, *, int b) -> int");
  std::string why;
  EXPECT_FALSE(bindCall(s, {arg("int"), arg("int")}, true, &why));
  EXPECT_EQ(why, "argument 'b' is not given");
  EXPECT_FALSE(bindCall(s, {arg("int")}, true, &why));
  EXPECT_FALSE(bindCall(s, {arg("int"), arg("int", "b"), arg("int", "c")}, true, &why));
  EXPECT_EQ(why, "unknown keyword argument 'c'");
}
