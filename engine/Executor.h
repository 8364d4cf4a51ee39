//===- engine/Executor.h - which executor runs script functions -----------===//
//
// `EMBER_EXECUTOR=jit` (the default where ember is built with LLVM) compiles
// each function that has native work to do (a loop, or enough scalar
// arithmetic) on its first call; `native` compiles every function, whatever
// it does; `interp` interprets every function. A function the JIT cannot lower runs in the
// interpreter, with a line under `EMBER_LOG=jit` saying why; results never
// differ between the two.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <string>

namespace ember {

/// Installs the executor EMBER_EXECUTOR names (once per process; later calls
/// do nothing). ScriptProgram calls it; so may embedders.
void installExecutor();

/// `jit`, `native` or `interp`: what runs functions compiled from now on.
std::string executorName();
/// Switches executors for functions that have not run yet ("jit",
/// "native" or "interp"); false if `name` is unknown or the JIT is not built.
bool setExecutor(const std::string &name);

} // namespace ember
