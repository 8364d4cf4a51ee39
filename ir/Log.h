//===- ir/Log.h - EMBER_LOG topics ----------------------------------------===//
//
// `EMBER_LOG=a:b:>c` turns on the log of each named topic (a pass name,
// `jit`, `import`); a leading `>` asks for more detail, as in
// PYTORCH_JIT_LOG_LEVEL. Logs go to standard error, never standard output.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <string>

namespace ember {

/// True when EMBER_LOG names `topic`.
bool logEnabled(const std::string &topic);
/// Writes `[ember topic] message` to standard error if the topic is on.
void logLine(const std::string &topic, const std::string &message);

} // namespace ember
