//===- runtime/StringFormat.h - str.format and printf-style '%' -----------===//
#pragma once

#include <ATen/core/ivalue.h>

#include <string>
#include <vector>

namespace ember::runtime {

/// `fmt.format(*args)`: `{}`, `{0}`, `{:spec}` with Python's format-spec
/// mini-language ([[fill]align][sign][#][0][width][,][.precision][type]).
std::string formatString(const std::string &fmt, const std::vector<c10::IValue> &args);
/// `fmt % args`: %d %i %s %r %f %e %g %x %o %c %% with flags, width and precision.
std::string percentFormat(const std::string &fmt, const std::vector<c10::IValue> &args);

} // namespace ember::runtime
