//===- runtime/Liveness.h - where values die ------------------------------===//
#pragma once

#include "ir/Graph.h"

#include <unordered_map>
#include <vector>

namespace ember::runtime {

/// For each node, the values whose last use it is (see Liveness.cpp).
using LastUses = std::unordered_map<const Node *, std::vector<const Value *>>;

/// The last uses of the values of `b` and its nested blocks; ints, floats,
/// bools and None are left out (clearing them frees nothing).
LastUses lastUses(const Block &b);

} // namespace ember::runtime
