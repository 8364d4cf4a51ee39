//===- frontend/DefaultValues.h - schema defaults as values ---------------===//
//
// Includes ATen's IValue: include from .cpp files only.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Type.h"

#include <ATen/core/ivalue.h>

#include <string>

namespace ember::frontend {

/// A schema default (`1`, `None`, `[0, 1]`, `"mean"`, `annotate(List[int],
/// [])`) as a value of `type`; ints widen to float for float formals.
/// `broadcast` > 0 is the N of an `int[N]` formal (BroadcastingListN): a
/// single number becomes a list of N copies, as a passed one would.
c10::IValue defaultIValue(const std::string &text, const TypePtr &type, int64_t broadcast = 0);

} // namespace ember::frontend
