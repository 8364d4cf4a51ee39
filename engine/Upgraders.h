//===- engine/Upgraders.h - old operator semantics in old archives --------===//
#pragma once

#include "ir/Graph.h"

#include <cstdint>

namespace ember {

/// The newest archive format version whose code may need an upgrader:
/// code of this version or newer runs as written.
constexpr uint64_t kLastUpgradedVersion = 9;

/// Rewrites the calls in `g` whose operator changed meaning after archive
/// format `version` (TorchScript's ReplaceOldOperatorsWithUpgraders):
/// `aten::div` of integers truncated before version 4, `aten::full` of an
/// integer without a dtype gave floats before version 5, `linspace` and
/// `logspace` without `steps` took 100 before versions 8 and 9. Each such
/// call becomes the body of its upgrader, inlined. Returns the number of
/// calls rewritten.
int64_t applyUpgraders(Graph &g, uint64_t version);

} // namespace ember
