//===- runtime/FusionGroup.cpp - running prim::FusionGroup nodes ----------===//
//
// Each FusionGroup node gets one runner, shared by every call and thread:
//   1. Decide: kernels on (EMBER_FUSION), a compiler installed, and no input
//      that requires grad while grad mode is on (fused kernels have no
//      backward, so autograd runs the unfused ops).
//   2. Look the input signature up in the runner's cache; on a miss compile
//      once, under the lock, and keep the result even when the compiler
//      refused (so a refused signature costs one lookup, not a compile).
//      At most kMaxSignatures are kept; later new signatures run unfused.
//   3. Run the kernel, or the subgraph on the interpreter.
//
//===----------------------------------------------------------------------===//
#include "runtime/FusionGroup.h"

#include "ir/Log.h"
#include "runtime/Code.h"
#include "runtime/Interpreter.h"

#include <ATen/core/grad_mode.h>
#include <ATen/core/Tensor.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <shared_mutex>

namespace ember::runtime {
namespace {

constexpr size_t kMaxSignatures = 8;

std::mutex compilerMutex;
FusionCompiler &fusionCompiler() {
  static FusionCompiler c;
  return c;
}

std::atomic<bool> &enabledFlag() {
  static std::atomic<bool> flag{[] {
    const char *env = std::getenv("EMBER_FUSION");
    return !(env && std::strcmp(env, "0") == 0);
  }()};
  return flag;
}

std::atomic<int64_t> compiledCount{0}, kernelRunCount{0}, unfusedRunCount{0};

/// Dtype, device, sizes and strides of each tensor; the kind of each scalar.
std::vector<int64_t> signatureOf(const Stack &inputs) {
  std::vector<int64_t> key;
  for (const c10::IValue &v : inputs) {
    if (v.isTensor()) {
      const at::Tensor &t = v.toTensor();
      key.insert(key.end(), {int64_t(t.scalar_type()), int64_t(t.device().type()),
                             int64_t(t.device().index()), int64_t(t.layout()), t.dim()});
      key.insert(key.end(), t.sizes().begin(), t.sizes().end());
      if (t.layout() == at::kStrided) // sparse tensors have no strides
        key.insert(key.end(), t.strides().begin(), t.strides().end());
    } else {
      key.push_back(v.isDouble() ? -1 : v.isInt() ? -2 : v.isBool() ? -3 : -4);
    }
  }
  return key;
}

bool needsAutograd(const Stack &inputs) {
  if (!at::GradMode::is_enabled())
    return false;
  for (const c10::IValue &v : inputs)
    if (v.isTensor() && v.toTensor().requires_grad())
      return true;
  return false;
}

class FusionRunner {
public:
  FusionRunner(const Node &node, ScriptUnit &unit, const std::string &function)
      : graph_(node.g(attr::Subgraph())), function_(function),
        unfused_(buildCode(*graph_, unit, function)) {}

  void operator()(Stack &s) const {
    size_t n = graph_->inputs().size();
    Stack inputs(std::make_move_iterator(s.end() - n), std::make_move_iterator(s.end()));
    drop(s, n);
    const FusedKernel *kernel = kernelFor(inputs);
    Stack out = kernel ? kernel->run(inputs) : runUnfused(std::move(inputs));
    (kernel ? kernelRunCount : unfusedRunCount)++;
    for (c10::IValue &v : out)
      s.push_back(std::move(v));
  }

private:
  const FusedKernel *kernelFor(const Stack &inputs) const {
    if (!enabledFlag().load(std::memory_order_relaxed) || needsAutograd(inputs))
      return nullptr;
    std::vector<int64_t> key = signatureOf(inputs);
    {
      std::shared_lock<std::shared_mutex> lock(mutex_);
      for (const auto &[k, kernel] : kernels_)
        if (k == key)
          return kernel.get();
    }
    std::unique_lock<std::shared_mutex> lock(mutex_);
    for (const auto &[k, kernel] : kernels_)
      if (k == key)
        return kernel.get();
    if (kernels_.size() >= kMaxSignatures)
      return nullptr;
    kernels_.emplace_back(key, compile(inputs));
    return kernels_.back().second.get();
  }

  std::shared_ptr<const FusedKernel> compile(const Stack &inputs) const {
    FusionCompiler compiler;
    {
      std::lock_guard<std::mutex> lock(compilerMutex);
      compiler = fusionCompiler();
    }
    if (!compiler)
      return nullptr;
    std::string why;
    std::shared_ptr<const FusedKernel> kernel = compiler(*graph_, inputs, why);
    if (kernel)
      compiledCount++;
    logLine("fusion", kernel ? "compiled a kernel for a fusion group of " + function_
                             : "a fusion group of " + function_ + " runs unfused: " + why);
    return kernel;
  }

  Stack runUnfused(Stack inputs) const {
    const Code &code = *unfused_;
    Frame f;
    f.code = &code;
    f.regs = code.initial;
    for (size_t i = 0; i < code.body.params.size(); ++i)
      f.regs[code.body.params[i]] = std::move(inputs[i]);
    for (const Instr &I : code.body.instrs) {
      f.current = &I;
      try {
        runInstruction(code, I, f);
      } catch (...) {
        throw NodeFailure{I.node, std::current_exception()};
      }
    }
    Stack out;
    for (uint32_t r : code.body.results)
      out.push_back(f.regs[r]);
    return out;
  }

  std::shared_ptr<Graph> graph_;
  std::string function_;
  std::unique_ptr<Code> unfused_;
  mutable std::shared_mutex mutex_;
  mutable std::vector<std::pair<std::vector<int64_t>, std::shared_ptr<const FusedKernel>>> kernels_;
};

} // namespace

void setFusionCompiler(FusionCompiler compiler) {
  std::lock_guard<std::mutex> lock(compilerMutex);
  fusionCompiler() = std::move(compiler);
}

void setFusionEnabled(bool enabled) { enabledFlag().store(enabled); }
bool fusionEnabled() { return enabledFlag().load(); }

FusionCounters fusionCounters() {
  return {compiledCount.load(), kernelRunCount.load(), unfusedRunCount.load()};
}

Operation fusionGroupOperation(const Node &node, ScriptUnit &unit, const std::string &function) {
  auto runner = std::make_shared<FusionRunner>(node, unit, function);
  return [runner](Stack &s) { (*runner)(s); };
}

} // namespace ember::runtime
