//===- ir/Verifier.h - structural and type invariants of a graph ----------===//
#pragma once

#include "ir/Graph.h"

#include <stdexcept>
#include <string>

namespace ember {

/// A broken IR invariant, with the offending node printed.
class VerificationError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Checks SSA scoping and dominance, use-list consistency, topological
/// order, `prim::If` / `prim::Loop` arities and types, subgraphs, and node
/// input types against the operator's overloads. Throws VerificationError.
void verify(const Graph &g);
void verify(const CompilationUnit &cu);

} // namespace ember
