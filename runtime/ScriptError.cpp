//===- runtime/ScriptError.cpp - rendering script tracebacks --------------===//
//
// The traceback reads as TorchScript's interpreter prints it, so users who
// grep logs for "Traceback of TorchScript" keep finding their errors.
//
//===----------------------------------------------------------------------===//
#include "runtime/ScriptError.h"

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

} // namespace ember::runtime
