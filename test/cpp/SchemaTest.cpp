// Unit tests for schemas: parsing, printing, overload resolution, and the
// import of every ATen schema from the c10 dispatcher.
#include "ir/Diagnostic.h"
#include "ir/Schema.h"
#include "ir/TypeParser.h"
#include "runtime/OperatorImport.h"

#include <gtest/gtest.h>

using namespace ember;

static TypePtr T(const char *s) { return parseTypeString(s); }

TEST(Schema, ParsesAndPrints) {
  const char *texts[] = {
      "aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
      "aten::sum.dim_IntList(Tensor self, int[1]? dim, bool keepdim=False, *, int? dtype=None) -> Tensor",
      "aten::add_.Tensor(Tensor(a!) self, Tensor other, *, Scalar alpha=1) -> Tensor(a!)",
      "aten::chunk(Tensor(a -> *) self, int chunks, int dim=0) -> Tensor(a)[]",
      "aten::append.t(t[](a!) self, t(c -> *) el) -> t[](a!)",
      "prim::TupleUnpack(Any tup) -> ...",
      "aten::max.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)",
      "aten::format(str self, ...) -> str",
  };
  for (const char *t : texts)
    EXPECT_EQ(parseSchema(t).str(), t);
  FunctionSchema s = parseSchema(texts[2]);
  EXPECT_TRUE(s.isMutable());
  EXPECT_TRUE(s.arguments[0].alias->isWrite);
  EXPECT_TRUE(s.arguments[2].kwargOnly);
  EXPECT_EQ(*s.arguments[2].defaultValue, "1");
}

TEST(Schema, MalformedSchemaIsADiagnostic) {
  try {
    parseSchema("aten::foo(Tensor self,, int x) -> Tensor", "bad.schema");
    FAIL() << "expected a CompileError";
  } catch (const CompileError &e) {
    EXPECT_EQ(std::string(e.what()).substr(0, 38), "bad.schema:1:23: error: expected a typ");
  }
}

TEST(Schema, MatchBindsTypeVariables) {
  FunctionSchema s = parseSchema("aten::__getitem__.t(t[](a) list, int idx) -> t(*)");
  auto outs = matchSchema(s, {T("str[]"), T("int")});
  ASSERT_TRUE(outs);
  EXPECT_EQ((*outs)[0]->str(), "str");
  EXPECT_FALSE(matchSchema(s, {T("str"), T("int")}));
  FunctionSchema opt = parseSchema("aten::f(t? x, t y) -> t");
  outs = matchSchema(opt, {T("NoneType"), T("int")});
  ASSERT_TRUE(outs);
  EXPECT_EQ((*outs)[0]->str(), "int");
}

TEST(Schema, AtenSchemasComeFromTheDispatcher) {
  size_t n = registerATenOperators();
  // About 3,200 on torch 1.13, more on 2.x.
  EXPECT_GT(n, 2000u);
  auto &reg = OperatorRegistry::global();
  auto adds = reg.lookup(Symbol::aten("add"));
  bool tensorOverload = false;
  for (const auto &s : adds)
    tensorOverload |= s->overload == "Tensor";
  EXPECT_TRUE(tensorOverload);
  // Resolution picks the overload the actual types select.
  auto *s = reg.resolve(Symbol::aten("add"), {T("Tensor"), T("Tensor"), T("int")});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->overload, "Tensor");
  s = reg.resolve(Symbol::aten("add"), {T("int"), T("int")});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->overload, "int");
  s = reg.resolve(Symbol::aten("add"), {T("str"), T("str")});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->overload, "str");
  EXPECT_EQ(reg.resolve(Symbol::aten("add"), {T("str"), T("int")}), nullptr);
  // Alias annotations survive the import.
  s = reg.resolve(Symbol::aten("add_"), {T("Tensor"), T("Tensor"), T("int")});
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(s->isMutable());
}
