//===- ir/Diagnostic.h - file:line:col diagnostics with a caret -----------===//
//
// Every user-facing error in ember renders the same way:
//
//   file.ir:3:12: error: expected ')' but found ','
//     %y : int = aten::add(%x, %z,, %w)
//                                ~
//
// The IR parser, the schema parser and (later) the frontend throw
// CompileError with the rendered text; tools print it and exit with 1.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace ember {

/// A named buffer of source text, shared by every range that points into it.
struct SourceBuffer {
  std::string name;
  std::string text;
  /// 1-based line and column of a byte offset.
  std::pair<size_t, size_t> lineCol(size_t offset) const;
  /// The text of the line holding `offset`, without its newline.
  std::string lineText(size_t offset) const;
};

/// Reads a file, or standard input for "-" (named `<stdin>`). Returns null
/// when the file cannot be opened.
std::shared_ptr<SourceBuffer> loadSource(const std::string &path);

struct SourceSpan {
  std::shared_ptr<const SourceBuffer> buffer;
  size_t offset = 0;
  size_t length = 1;
};

/// Renders `file:line:col: <severity>: message`, the source line, and an
/// underline (`~~~~` over the span's length, clipped to the line).
std::string renderDiagnostic(const SourceSpan &span, const std::string &severity,
                             const std::string &message);

/// Where compile-time warnings go, rendered as `file:line:col: warning:
/// ...` with the source line. The default writes to stderr; the Python
/// package routes them to `warnings.warn`, as TorchScript's TORCH_WARN.
using WarningHandler = std::function<void(const std::string &rendered)>;
void setWarningHandler(WarningHandler handler);
void emitWarning(const SourceSpan &span, const std::string &message);

/// A user's mistake, already rendered. Notes are rendered after the error.
class CompileError : public std::runtime_error {
public:
  CompileError(const SourceSpan &span, const std::string &message);
  CompileError &addNote(const SourceSpan &span, const std::string &message);
  /// Appends lines of text (a list of candidates, say) after the source.
  CompileError &addDetail(const std::string &text);
  const std::string &rendered() const { return rendered_; }
  const char *what() const noexcept override { return rendered_.c_str(); }
  const std::string &message() const { return message_; }

private:
  std::string message_;
  std::string rendered_;
};

/// A Python construct TorchScript does not compile (a lambda, a `try`
/// block, `*args`, dict expansion): torch.jit's frontend raises these as
/// NotSupportedError, a class of its own that code written for it catches.
class NotSupportedError : public CompileError {
public:
  using CompileError::CompileError;
};

} // namespace ember
