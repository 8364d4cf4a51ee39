//===- runtime/ScriptError.cpp - rendering script tracebacks --------------===//
//
// The traceback reads as TorchScript's interpreter prints it, so users who
// grep logs for "Traceback of TorchScript" keep finding their errors. Also
// how an exception leaving an instruction becomes a ScriptError: its Python
// class, and the frames of the node (one per call it was inlined through).
//
//===----------------------------------------------------------------------===//
#include "runtime/ScriptError.h"

#include "runtime/Code.h"
#include "runtime/FusionGroup.h"

#include <c10/util/Exception.h>

#include <sstream>

namespace ember::runtime {

ScriptError::ScriptError(std::string pythonClass, std::string message)
    : std::runtime_error(message), pythonClass_(std::move(pythonClass)),
      message_(std::move(message)) {
  rendered_ = render();
}

void ScriptError::addFrame(TraceFrame frame) {
  frames_.push_back(std::move(frame));
  rendered_ = render();
}

static void renderFrame(std::ostringstream &os, const TraceFrame &f) {
  if (f.span && f.span->buffer) {
    const SourceBuffer &buf = *f.span->buffer;
    auto [line, col] = buf.lineCol(f.span->offset);
    os << "  File \"" << buf.name << "\", line " << line << ", in " << f.function << "\n";
    std::string text = buf.lineText(f.span->offset);
    os << "    " << text << "\n";
    size_t width = std::max<size_t>(1, std::min(f.span->length, text.size() + 1 - col));
    os << "    " << std::string(col - 1, ' ') << std::string(width, '~') << " <--- HERE\n";
  } else if (f.location && f.location->file) {
    os << "  File \"" << *f.location->file << "\", line " << f.location->line << ", in "
       << f.function << "\n";
  } else {
    os << "  In " << f.function << "\n";
  }
}

std::string ScriptError::render() const {
  std::ostringstream os;
  if (!frames_.empty()) {
    os << "The following operation failed in the TorchScript interpreter.\n"
       << "Traceback of TorchScript (most recent call last):\n";
    for (auto it = frames_.rbegin(); it != frames_.rend(); ++it)
      renderFrame(os, *it);
  }
  os << pythonClass_ << ": " << message_;
  return os.str();
}

namespace {

/// The traceback frames of the node running in `f`, innermost first: one,
/// or one per call the node was inlined through.
std::vector<TraceFrame> framesOf(const Code &code, const Frame &f) {
  const Node *n = f.current ? f.current->node : nullptr;
  if (!n)
    return {TraceFrame{code.name, std::nullopt, std::nullopt}};
  if (!n->inlinedFrom())
    return {TraceFrame{code.name, n->textSpan(), n->sourceLocation()}};
  const std::vector<InlinedCall> &calls = *n->inlinedFrom();
  std::vector<TraceFrame> frames{TraceFrame{calls[0].callee, n->textSpan(), n->sourceLocation()}};
  for (size_t k = 0; k < calls.size(); ++k)
    frames.push_back(TraceFrame{k + 1 < calls.size() ? calls[k + 1].callee : code.name,
                                calls[k].span, calls[k].loc});
  return frames;
}

} // namespace

std::exception_ptr scriptErrorFrom(const Code &code, const Frame &f, std::exception_ptr error) {
  std::vector<TraceFrame> frames = framesOf(code, f);
  auto wrap = [&](const std::string &cls, const std::string &message) {
    ScriptError err(cls, message);
    for (TraceFrame &frame : frames)
      err.addFrame(std::move(frame));
    return std::make_exception_ptr(err);
  };
  try {
    std::rethrow_exception(error);
  } catch (const NodeFailure &failure) {
    // A node of a fusion group's subgraph: report it where it was written.
    Frame inner;
    Instr at;
    at.node = failure.node;
    inner.current = &at;
    return scriptErrorFrom(code, inner, failure.error);
  } catch (ScriptError &e) {
    for (TraceFrame &frame : frames)
      e.addFrame(std::move(frame));
    return std::current_exception();
  } catch (const PythonError &e) {
    return wrap(e.pythonClass(), e.what());
  } catch (const c10::Error &e) {
    return wrap("RuntimeError", e.what_without_backtrace());
  } catch (const std::exception &e) {
    return wrap("RuntimeError", e.what());
  }
}

} // namespace ember::runtime
