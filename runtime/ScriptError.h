//===- runtime/ScriptError.h - exceptions raised by running script code ---===//
#pragma once

#include "ir/Diagnostic.h"
#include "ir/Graph.h"

#include <stdexcept>
#include <string>
#include <vector>

namespace ember::runtime {

/// One entry of a script traceback: the function and the node running in it.
struct TraceFrame {
  std::string function;
  std::optional<SourceSpan> span;
  std::optional<SourceLocation> location;
};

/// An exception raised while running script code: a `raise` in the program
/// (prim::RaiseException), a Python error of a builtin (IndexError on a list,
/// KeyError on a dict), or an error inside an ATen operator. It carries the
/// Python exception class (`builtins.ValueError`), the message, and the
/// script traceback, innermost call first.
class ScriptError : public std::runtime_error {
public:
  ScriptError(std::string pythonClass, std::string message);

  const std::string &pythonClass() const { return pythonClass_; }
  const std::string &message() const { return message_; }
  const std::vector<TraceFrame> &frames() const { return frames_; }
  /// Adds the caller's frame (the node that made the failing call).
  void addFrame(TraceFrame frame);
  /// TorchScript's rendering: the traceback (outermost call first), each
  /// frame with its source line and a `~~~ <--- HERE` marker, then
  /// `class: message`.
  std::string render() const;
  const char *what() const noexcept override { return rendered_.c_str(); }

private:
  std::string pythonClass_, message_, rendered_;
  std::vector<TraceFrame> frames_;
};

} // namespace ember::runtime
