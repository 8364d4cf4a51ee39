//===- ir/SliceIndices.h - Python's slice rules ---------------------------===//
//
// Which elements `seq[start:end:step]` takes, as Python's slice.indices()
// and range decide: used wherever a slice with constant bounds is taken apart
// at compile time (tuples, module lists, list literals in the peephole).
//
//===----------------------------------------------------------------------===//
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

namespace ember {

/// The indices, in order, that `seq[start:end:step]` takes from a sequence of
/// `size` elements; a missing bound is None. `step` must not be zero.
inline std::vector<int64_t> sliceIndices(int64_t size, std::optional<int64_t> start,
                                         std::optional<int64_t> end, int64_t step) {
  // Bounds clamp to [-1, size - 1] going backwards, to [0, size] forwards.
  auto bound = [&](std::optional<int64_t> b, int64_t missing) {
    if (!b)
      return missing;
    int64_t k = *b < 0 ? *b + size : *b;
    return step < 0 ? std::clamp<int64_t>(k, -1, size - 1) : std::clamp<int64_t>(k, 0, size);
  };
  int64_t from = bound(start, step < 0 ? size - 1 : 0), to = bound(end, step < 0 ? -1 : size);
  std::vector<int64_t> indices;
  for (int64_t i = from; step < 0 ? i > to : i < to; i += step)
    indices.push_back(i);
  return indices;
}

} // namespace ember
