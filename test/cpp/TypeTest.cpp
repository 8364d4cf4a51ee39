// Unit tests for types: printing, parsing, subtyping and unification.
#include "ir/Type.h"
#include "ir/TypeParser.h"

#include <gtest/gtest.h>

using namespace ember;

static TypePtr T(const char *s) { return parseTypeString(s); }

TEST(Type, PrintsAsTorchScript) {
  for (const char *s : {"Tensor", "int[]", "Tensor?", "Dict(str, Tensor)", "(int, str)",
                        "NamedTuple(a : int, b : Tensor)", "Future[int]", "Union(int, str)",
                        "Float(3, 4, strides=[4, 1], requires_grad=0, device=cpu)",
                        "Long(*, 2)", "FloatTensor", "__torch__.M", "Float(requires_grad=0, device=cpu)"})
    EXPECT_EQ(T(s)->str(), s);
  EXPECT_EQ(T("Optional[List[int]]")->annotationStr(), "Optional[List[int]]");
  EXPECT_EQ(T("Dict(str, int[])")->annotationStr(), "Dict[str, List[int]]");
  EXPECT_EQ(T("Scalar")->annotationStr(), "number");
}

TEST(Type, Subtyping) {
  EXPECT_TRUE(T("int")->isSubtypeOf(T("int?")));
  EXPECT_TRUE(T("NoneType")->isSubtypeOf(T("Tensor?")));
  EXPECT_TRUE(T("int")->isSubtypeOf(T("Scalar")));
  EXPECT_TRUE(T("float")->isSubtypeOf(T("Scalar")));
  EXPECT_FALSE(T("str")->isSubtypeOf(T("Scalar")));
  EXPECT_TRUE(T("Float(2, 3)")->isSubtypeOf(T("Tensor")));
  EXPECT_FALSE(T("Tensor")->isSubtypeOf(T("Float(2, 3)")));
  EXPECT_TRUE(T("(int, Float(2))")->isSubtypeOf(T("(int, Tensor)")));
  EXPECT_FALSE(T("int[]")->isSubtypeOf(T("float[]")));
  EXPECT_TRUE(T("int")->isSubtypeOf(T("Union(int, str)")));
  EXPECT_TRUE(T("Union(int, str)")->isSubtypeOf(T("Any")));
  EXPECT_FALSE(T("Union(int, str)")->isSubtypeOf(T("int")));
  EXPECT_TRUE(T("NamedTuple(a : int)")->isSubtypeOf(T("(int)")));
  EXPECT_FALSE(T("(int)")->isSubtypeOf(T("NamedTuple(a : int)")));
  EXPECT_TRUE(T("int?")->isSubtypeOf(T("Union(int, NoneType, str)")));
}

TEST(Type, Unification) {
  EXPECT_EQ(unifyTypes(T("int"), T("NoneType"))->str(), "int?");
  EXPECT_EQ(unifyTypes(T("Float(2, 3)"), T("Float(2, 4)"))->str(), "Float(2, *)");
  EXPECT_EQ(unifyTypes(T("Float(2)"), T("Long(2)"))->str(), "Tensor(2)");
  EXPECT_EQ(unifyTypes(T("(int, NoneType)"), T("(int, str)"))->str(), "(int, str?)");
  EXPECT_EQ(unifyTypes(T("int"), T("str")), nullptr);
  EXPECT_EQ(unifyTypes(T("Float(2)[]"), T("Long(2)[]"))->str(), "Tensor[]");
}

TEST(Type, UnionNormalises) {
  EXPECT_EQ(T("Union(int, NoneType)")->str(), "int?");
  EXPECT_EQ(T("Union(int, Union(str, int))")->str(), "Union(int, str)");
}
