//===- ir/Verifier.h - structural and type invariants of a graph ----------===//
#pragma once

#include "ir/Diagnostic.h"
#include "ir/Graph.h"

#include <optional>
#include <stdexcept>
#include <string>

namespace ember {

/// A broken IR invariant, with the offending node printed. When the node was
/// read from IR text, the error is rendered at its place in that text.
class VerificationError : public std::runtime_error {
public:
  explicit VerificationError(const std::string &message,
                             std::optional<SourceSpan> span = std::nullopt);
  /// The same error with `prefix` (a function, a pass) before the message.
  VerificationError withContext(const std::string &prefix) const;
  bool hasSpan() const { return span_.has_value(); }
  const char *what() const noexcept override { return rendered_.c_str(); }

private:
  std::string message_;
  std::optional<SourceSpan> span_;
  std::string rendered_;
};

/// Checks SSA scoping and dominance, use-list consistency, topological
/// order, `prim::If` / `prim::Loop` arities and types, subgraphs, and node
/// input types against the operator's overloads. Throws VerificationError.
void verify(const Graph &g);
void verify(const CompilationUnit &cu);

} // namespace ember
