//===- engine/Executor.cpp - which executor runs script functions ---------===//
#include "engine/Executor.h"

#include "ir/Log.h"
#include "runtime/ScriptUnit.h"

#ifdef EMBER_HAVE_JIT
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
std::unique_ptr<runtime::CompiledCode> compileOrInterpret(const runtime::Function &fn, bool always) {
  if (!always && !codegen::worthCompiling(fn)) {
    logLine("jit", fn.name() + " runs in the interpreter: no loop and few scalar operators, "
                               "nothing native code would do faster");
    return nullptr;
  }
  auto start = std::chrono::steady_clock::now();
  try {
    auto native = codegen::compileFunction(fn, codegen::CompileOptions{});
    if (logEnabled("jit")) {
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      logLine("jit", "compiled " + fn.name() + " in " + std::to_string(ms) + " ms");
    }
    return native;
  } catch (const std::exception &e) {
    logLine("jit", fn.name() + " runs in the interpreter: " + e.what());
    return nullptr;
  }
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
    runtime::setFunctionCompiler(
        [always](const runtime::Function &fn) { return compileOrInterpret(fn, always); });
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
