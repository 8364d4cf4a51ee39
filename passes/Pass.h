//===- passes/Pass.h - the interface every pass implements ----------------===//
#pragma once

#include "ir/Graph.h"

#include <map>
#include <string>

namespace ember {

/// Named counters a pass bumps (LLVM's STATISTIC); printed by `--stats`.
class Statistics {
public:
  void add(const std::string &pass, const std::string &counter, int64_t n = 1) {
    counters_[pass + "." + counter] += n;
  }
  const std::map<std::string, int64_t> &counters() const { return counters_; }

private:
  std::map<std::string, int64_t> counters_;
};

struct PassContext {
  /// The functions of the file being optimised (callees for `inline`).
  CompilationUnit *unit = nullptr;
  Statistics *stats = nullptr;
  void count(const char *pass, const char *counter, int64_t n = 1) {
    if (stats && n)
      stats->add(pass, counter, n);
  }
};

/// A pass that cannot proceed on some node: reported on that node, and the
/// pipeline stops.
class PassError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class Pass {
public:
  virtual ~Pass() = default;
  /// Runs on one function; returns true if the graph changed.
  virtual bool run(Graph &g, PassContext &ctx) = 0;
};

} // namespace ember
