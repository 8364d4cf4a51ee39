// Unit tests of fused kernels (codegen/KernelSpec.h, codegen/FusedKernels.h):
// the operator table and its lowerings agree, and kernels describe and run
// groups given as IR text.
#include "ir/Parser.h"
#include "runtime/FusionGroup.h"

#ifdef EMBER_HAVE_JIT
#include "codegen/FusedKernels.h"
#include "codegen/KernelSpec.h"
#endif

#include <ATen/ATen.h>

#include <gtest/gtest.h>

using namespace ember;

#ifdef EMBER_HAVE_JIT
namespace {

std::shared_ptr<Graph> group(const std::string &text) {
  return parseGraph(text, "group.ir");
}

const char *kBiasSwish = R"IR(graph(%x : Tensor, %b : Tensor):
  %one : int = prim::Constant[value=1]()
  %y : Tensor = aten::add(%x, %b, %one)
  %s : Tensor = aten::sigmoid(%y)
  %r : Tensor = aten::mul(%y, %s)
  return (%r)
)IR";

} // namespace

TEST(Fusion, EveryFusibleOpHasACpuLowering) {
  std::string missing;
  EXPECT_TRUE(codegen::lowersEveryFusibleOp(missing)) << "no lowering for: " << missing;
}

TEST(Fusion, LoopMergesContiguousDimensionsAndKeepsBroadcasts) {
  auto g = group(kBiasSwish);
  runtime::Stack same{at::randn({4, 5, 6}), at::randn({4, 5, 6})};
  EXPECT_EQ(codegen::describeKernel(*g, same).loop, (std::vector<int64_t>{120}));
  runtime::Stack row{at::randn({4, 5, 6}), at::randn({6})};
  codegen::KernelSpec spec = codegen::describeKernel(*g, row);
  EXPECT_EQ(spec.loop, (std::vector<int64_t>{20, 6}));
  EXPECT_EQ(spec.values[1].strides, (std::vector<int64_t>{0, 1}));
  runtime::Stack column{at::randn({4, 1}), at::randn({1, 3})};
  spec = codegen::describeKernel(*g, column);
  EXPECT_EQ(spec.loop, (std::vector<int64_t>{4, 3}));
  EXPECT_EQ(spec.values[0].strides, (std::vector<int64_t>{1, 0}));
}

TEST(Fusion, KernelMatchesEagerAndRefusesWhatItCannotRun) {
  auto g = group(kBiasSwish);
  at::Tensor x = at::randn({300, 7}), b = at::randn({7});
  std::string why;
  auto kernel = codegen::compileCpuKernel(*g, {x, b}, why);
  ASSERT_TRUE(kernel) << why;
  at::Tensor y = x + b;
  EXPECT_TRUE(at::allclose(kernel->run({x, b}).at(0).toTensor(), y * at::sigmoid(y), 1e-5, 1e-6));
  EXPECT_FALSE(codegen::compileCpuKernel(*g, {x.t(), b}, why));
  EXPECT_NE(why.find("not contiguous"), std::string::npos) << why;
  EXPECT_FALSE(codegen::compileCpuKernel(*g, {x.to(at::kHalf), b}, why));
  EXPECT_NE(why.find("Half"), std::string::npos) << why;
}
#endif
