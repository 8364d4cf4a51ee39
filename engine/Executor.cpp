//===- engine/Executor.cpp - which executor runs script functions ---------===//
#include "engine/Executor.h"

#include "engine/Specialization.h"
#include "ir/Log.h"
#include "runtime/Code.h"
#include "runtime/Interpreter.h"
#include "runtime/ScriptUnit.h"

#ifdef EMBER_HAVE_JIT
#include "codegen/FusedKernels.h"
#include "codegen/Lowering.h"
#include "codegen/NativeFunction.h"
#endif

#include <chrono>
#include <cstdlib>
#include <mutex>

namespace ember {
namespace {

std::mutex executorMutex;
std::string current = "interp";

#ifdef EMBER_HAVE_JIT
/// Native code for `code` when that pays (or `always`), else null: the
/// code is interpreted, with a log line saying why.
std::unique_ptr<runtime::CompiledCode> nativeFor(const runtime::Code &code, bool always) {
  if (!always && !codegen::worthCompiling(code)) {
    logLine("jit", code.name + " runs in the interpreter: no loop and few scalar operators, "
                               "nothing native code would do faster");
    return nullptr;
  }
  auto start = std::chrono::steady_clock::now();
  try {
    auto native = codegen::compileNative(code, codegen::CompileOptions{});
    if (logEnabled("jit")) {
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      logLine("jit", "compiled " + code.name + " in " + std::to_string(ms) + " ms");
    }
    return native;
  } catch (const std::exception &e) {
    logLine("jit", code.name + " runs in the interpreter: " + e.what());
    return nullptr;
  }
}
#endif

#ifdef EMBER_HAVE_JIT
/// Runs one (specialised) graph: natively when that pays, else interpreted.
class GraphRunner final : public runtime::CompiledCode {
public:
  GraphRunner(std::shared_ptr<Graph> graph, std::unique_ptr<runtime::Code> code,
              std::unique_ptr<runtime::CompiledCode> native)
      : graph_(std::move(graph)), code_(std::move(code)), native_(std::move(native)) {}
  runtime::Stack run(runtime::Stack inputs) const override {
    return native_ ? native_->run(std::move(inputs)) : runtime::runCode(*code_, std::move(inputs));
  }

private:
  std::shared_ptr<Graph> graph_;
  std::unique_ptr<runtime::Code> code_;
  std::unique_ptr<runtime::CompiledCode> native_;
};

std::unique_ptr<runtime::CompiledCode> runGraph(std::shared_ptr<Graph> graph,
                                                runtime::ScriptUnit &unit,
                                                const std::string &name, bool always) {
  auto code = runtime::buildCode(*graph, unit, name);
  auto native = nativeFor(*code, always);
  return std::make_unique<GraphRunner>(std::move(graph), std::move(code), std::move(native));
}
#endif

bool apply(const std::string &name) {
  if (name == "interp") {
    runtime::setFunctionCompiler(nullptr);
    current = name;
    return true;
  }
#ifdef EMBER_HAVE_JIT
  if (name == "jit" || name == "native") {
    bool always = name == "native";
    runtime::setFunctionCompiler([always](const runtime::Function &fn) {
      auto runner = [always](std::shared_ptr<Graph> g, runtime::ScriptUnit &unit,
                             const std::string &name) { return runGraph(std::move(g), unit, name, always); };
      if (auto specializing = makeSpecializing(fn, runner))
        return specializing;
      return nativeFor(fn.code(), always);
    });
    current = name;
    return true;
  }
#endif
  return false;
}

} // namespace

void installExecutor() {
  static std::once_flag once;
  std::call_once(once, [] {
#ifdef EMBER_HAVE_JIT
    runtime::setFusionCompiler(codegen::compileCpuKernel);
#endif
    std::lock_guard<std::mutex> lock(executorMutex);
    const char *env = std::getenv("EMBER_EXECUTOR");
    std::string wanted = env && *env ? env : "jit";
    if (!apply(wanted)) {
      logLine("jit", "EMBER_EXECUTOR=" + wanted + " is not available; using the interpreter");
      apply("interp");
    }
  });
}

std::string executorName() {
  installExecutor();
  std::lock_guard<std::mutex> lock(executorMutex);
  return current;
}

bool setExecutor(const std::string &name) {
  installExecutor();
  std::lock_guard<std::mutex> lock(executorMutex);
  return apply(name);
}

} // namespace ember
