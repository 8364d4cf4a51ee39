//===- passes/PassManager.cpp - the pass table, pipelines and runner ------===//
//
// Passes are registered by one line each in Passes.def, never by static
// constructors. Pipelines are named here so that what the Python package
// runs reproduces as `ember-opt --pipeline=NAME`.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "ir/Log.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"

#include <cstdlib>
#include <iostream>
#include <sstream>

namespace ember {

const std::vector<PassInfo> &allPasses() {
  static const std::vector<PassInfo> table = {
#define PASS(name, description, factory) {name, description, &factory},
#include "passes/Passes.def"
  };
  return table;
}

const PassInfo *findPass(const std::string &name) {
  for (const auto &p : allPasses())
    if (name == p.name)
      return &p;
  return nullptr;
}

std::vector<std::string> pipelineNamed(const std::string &name) {
  // `default` is the profiling-insensitive cleanup TorchScript runs on the
  // first call (reference §4.2), minus the passes ember has not built yet.
  if (name == "default")
    return {"inline", "constant-propagation", "constant-pooling", "dce", "cse", "peephole",
            "constant-propagation", "cse", "dce"};
  if (name == "cleanup")
    return {"constant-propagation", "constant-pooling", "dce"};
  // What runs on every graph the frontend emits, TorchScript's cleanup
  // passes: operator aliases take their canonical names, the emitter's
  // unused flags and refinement casts go, constant scalar work is folded,
  // constants are pooled at the top.
  if (name == "frontend")
    return {"normalize-ops", "lower-simple-tuples", "constant-propagation-immutable", "dce",
            "constant-pooling", "canonicalize-outputs"};
  // What the jit executor runs on a graph whose tensor inputs are typed from
  // a call: facts about the inputs fold (peephole), then what they decide;
  // loops whose trip counts became constants unroll, lists they grow become
  // constructions, and all that folds again; then elementwise chains become
  // fusion groups.
  if (name == "specialize")
    return {"peephole", "constant-propagation", "dce", "cse", "peephole", "constant-propagation",
            "dce", "loop-unroll", "remove-mutation", "constant-propagation", "peephole", "cse", "dce",
            "fuse-elementwise", "dce"};
  // What freezing runs once attributes are constants (reference §4.3):
  // eval-mode branches and dropout go; batch norms and per-channel
  // arithmetic fold into the conv or linear weights before them, three
  // rounds (conv -> mul -> add -> batch_norm), each made constants; then
  // constants are pooled so that cse sees equal computations on them (the
  // shape lists of three views in attention become one, as in torch.jit).
  if (name == "freeze")
    return {"constant-propagation",
            "remove-dropout",
            "dce",
            "fold-batch-norm",
            "fold-conv-arithmetic",
            "constant-propagation",
            "dce",
            "fold-batch-norm",
            "fold-conv-arithmetic",
            "constant-propagation",
            "dce",
            "fold-batch-norm",
            "fold-conv-arithmetic",
            "constant-propagation",
            "peephole",
            "constant-pooling",
            "cse",
            "dce"};
  return {};
}

std::vector<std::string> pipelineNames() {
  return {"cleanup", "default", "freeze", "frontend", "specialize"};
}

void runPasses(CompilationUnit &unit, const std::vector<std::string> &passes,
               const PassManagerOptions &opts, Statistics *stats) {
  for (const std::string &name : passes) {
    const PassInfo *info = findPass(name);
    if (!info) {
      std::string known;
      for (const auto &p : allPasses())
        known += std::string(known.empty() ? "" : ", ") + p.name;
      throw PassError("unknown pass '" + name + "' (known passes: " + known + ")");
    }
    auto pass = info->create();
    PassContext ctx{&unit, stats};
    bool log = logEnabled(name);
    for (const auto &g : unit.functions()) {
      if (log)
        std::cerr << "[" << name << "] before:\n" << toString(*g);
      bool changed = pass->run(*g, ctx);
      if (log)
        std::cerr << "[" << name << "] after (" << (changed ? "changed" : "unchanged") << "):\n"
                  << toString(*g);
    }
    if (opts.verifyEach) {
      try {
        verify(unit);
      } catch (const VerificationError &e) {
        throw e.withContext("IR is invalid after pass '" + name + "': ");
      }
    }
    if (opts.printAfterAll && opts.printer) {
      std::ostringstream ss;
      printCompilationUnit(ss, unit);
      opts.printer(name, ss.str());
    }
  }
}

} // namespace ember
