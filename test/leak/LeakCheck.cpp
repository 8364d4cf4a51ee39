// Runs compiled code many times so that valgrind can tell whether anything
// leaks per call (test/leak/run-leak-check.sh): native loops carrying
// tensors, fusion-group kernels, unboxed ATen calls, boxed list and string
// work, errors raised from native code and from ATen, and calls between
// functions. Usage: ember-leakcheck N.
#include "engine/Executor.h"
#include "engine/ScriptProgram.h"
#include "frontend/Parser.h"
#include "runtime/FusionGroup.h"
#include "runtime/ScriptError.h"

#include <ATen/ATen.h>

#include <cstdio>
#include <cstdlib>

using namespace ember;

namespace {

const char *kSource = R"PY(
def helper(x: Tensor, k: int) -> Tensor:
    return torch.sigmoid(x * 0.5) + k

def work(x: Tensor, n: int) -> Tensor:
    names = ["a", "b"]
    for i in range(n):
        x = torch.relu(x * 0.9 + 0.1) - 0.05
        m = x.view([8, 8])
        x = torch.addmm(m, m, m.t()).reshape([64]) * 0.01
        names.append(str(i))
        if i % 2 == 0:
            x = helper(x, len(names))
    return x * float(len(names))

def fails(x: Tensor, n: int) -> Tensor:
    for i in range(n):
        if i == 3:
            raise ValueError("stop at " + str(i))
        x = x + 1.0
    return x

def fails_in_op(x: Tensor, n: int) -> Tensor:
    for i in range(n):
        if i == 3:
            x = torch.mm(x, x)
        x = torch.sigmoid(x)
    return x
)PY";

} // namespace

int main(int argc, char **argv) {
  int calls = argc > 1 ? std::atoi(argv[1]) : 10;
  if (!setExecutor("jit")) {
    std::puts("ember is built without LLVM: nothing to check");
    return 0;
  }
  ScriptProgram program;
  auto buffer = std::make_shared<SourceBuffer>(SourceBuffer{"leak.py", kSource});
  program.addSource(std::make_shared<frontend::Module>(frontend::parseSource(buffer)));
  at::Tensor x = at::randn({64});
  double checksum = 0;
  int raised = 0;
  for (int i = 0; i < calls; ++i) {
    checksum += program.function("work")->run({x, int64_t(6)}).at(0).toTensor().sum().item<double>();
    try {
      program.function("fails")->run({x, int64_t(5)});
    } catch (const runtime::ScriptError &) {
      ++raised;
    }
    try { // an error inside an unboxed ATen call (mm of a vector)
      program.function("fails_in_op")->run({x, int64_t(5)});
    } catch (const runtime::ScriptError &) {
      ++raised;
    }
  }
  int64_t kernels = runtime::fusionCounters().kernelRuns;
  std::printf("%d calls, checksum %.4f, %d errors, %lld kernel runs\n", calls, checksum, raised,
              static_cast<long long>(kernels));
  // The check is only worth something if the compiled paths ran.
  return raised == 2 * calls && kernels >= calls ? 0 : 1;
}
