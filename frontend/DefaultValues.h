//===- frontend/DefaultValues.h - schema defaults as values ---------------===//
//
// Includes ATen's IValue: include from .cpp files only.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Schema.h"
#include "ir/Type.h"

#include <ATen/core/ivalue.h>

#include <optional>
#include <string>

namespace ember::frontend {

/// A schema default (`1`, `None`, `[0, 1]`, `"mean"`, `annotate(List[int],
/// [])`) as a value of `type`; ints widen to float for float formals.
/// `broadcast` > 0 is the N of an `int[N]` formal (BroadcastingListN): a
/// single number becomes a list of N copies, as a passed one would.
c10::IValue defaultIValue(const std::string &text, const TypePtr &type, int64_t broadcast = 0);

/// The default of a schema argument: its value (a tensor has no text) or
/// the value of its text.
c10::IValue defaultOf(const Argument &argument);

/// A script function's default (its source text) checked against its
/// parameter's type and spelled as TorchScript prints the value it stores
/// (`bool b=1` stores True, `float f=2` stores 2.); nothing when the text is
/// not a literal or the value does not fit the type.
std::optional<std::string> scriptDefault(const std::string &text, const TypePtr &type,
                                         int64_t broadcast = 0);

} // namespace ember::frontend
