//===- passes/Passes.h - the pass table and named pipelines ---------------===//
#pragma once

#include "passes/Pass.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ember {

#define PASS(name, description, factory) std::unique_ptr<Pass> factory();
#include "passes/Passes.def"

/// `peephole`, without its rewrites of tensor queries when `shapePeepholes`
/// is false (torch's pre-optimisation of a callee, whose types are not yet
/// specialised, turns them off).
std::unique_ptr<Pass> createPeepholePass(bool shapePeepholes);

struct PassInfo {
  const char *name;
  const char *description;
  std::unique_ptr<Pass> (*create)();
};

/// Every registered pass, in table order.
const std::vector<PassInfo> &allPasses();
const PassInfo *findPass(const std::string &name);

/// Named pipelines the tools and the engine use (`default`, ...). Empty when
/// the name is unknown.
std::vector<std::string> pipelineNamed(const std::string &name);
std::vector<std::string> pipelineNames();

struct PassManagerOptions {
  bool verifyEach = true;
  bool printAfterAll = false;
  /// Receives the IR text after each pass when printAfterAll is on.
  std::function<void(const std::string &pass, const std::string &ir)> printer;
};

/// Runs `passes` in order over every function of `unit`. Throws PassError on
/// an unknown pass name, and VerificationError (naming the pass) when the IR
/// is broken after a pass. `EMBER_LOG=<pass>` prints the IR before and after
/// that pass to stderr.
void runPasses(CompilationUnit &unit, const std::vector<std::string> &passes,
               const PassManagerOptions &opts, Statistics *stats = nullptr);

} // namespace ember
