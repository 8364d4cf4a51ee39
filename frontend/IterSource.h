//===- frontend/IterSource.h - what a `for` iterates over -----------------===//
//
// Internal to the frontend: the iteration sources of `for` loops and
// comprehensions (EmitIterables.cpp), used by the loop emitter.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "frontend/EmitterImpl.h"

namespace ember::frontend {

/// Where the elements of a `for` come from.
struct IterSource {
  enum Kind { Range, Sequence, Zip, Enumerate, Unrolled } kind = Sequence;
  Value *seq = nullptr;                                  // Sequence, Unrolled
  Value *start = nullptr, *stop = nullptr, *step = nullptr; // Range (start null: range(n))
  Value *offset = nullptr;                               // Enumerate start
  std::vector<IterSource> parts;                         // Zip, Enumerate
  SourceSpan span;
};

/// The iteration source an iterable expression denotes; `enumerate` and
/// `zip` over a module list or tuple become one unrolled tuple. `span` is
/// the iterable's (errors point there), `loop` the loop's (what walking the
/// iterable emits sits there, as in TorchScript).
IterSource iterSourceOf(FunctionEmitter &em, const Sugared &s, const SourceSpan &span,
                        const SourceSpan &loop);
/// The counter of `enumerate(x, start)`: `range(start, INT64_MAX)`, as
/// TorchScript iterates it.
IterSource enumerateCounter(FunctionEmitter &em, const IterSource &src);
/// The trip count of a source that is not unrolled.
Value *lengthOf(FunctionEmitter &em, const IterSource &src);
/// The element at trip `index`.
Value *elementAt(FunctionEmitter &em, const IterSource &src, Value *index);
/// Binds a `for` target to the element at `index`.
void bindElement(FunctionEmitter &em, const Expr &target, const IterSource &src, Value *index);

} // namespace ember::frontend
