//===- engine/TraceKey.h - the dispatch key the tracer records at ---------===//
#pragma once

#include <c10/core/DispatchKey.h>
#include <c10/core/impl/LocalDispatchKeySet.h>

namespace ember {

/// A key above Autograd and the composite decompositions, reserved by c10
/// for out-of-tree modes; ember uses it for nothing else. Operator calls
/// made under `c10::impl::ExcludeDispatchKeyGuard(kTraceKey)` are not
/// recorded.
constexpr c10::DispatchKey kTraceKey = c10::DispatchKey::TESTING_ONLY_GenericMode;

} // namespace ember
