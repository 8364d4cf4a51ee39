//===- ir/Diagnostic.cpp - rendering diagnostics --------------------------===//
#include "ir/Diagnostic.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

namespace ember {

std::shared_ptr<SourceBuffer> loadSource(const std::string &path) {
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
    return std::make_shared<SourceBuffer>(SourceBuffer{"<stdin>", text.str()});
  }
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return nullptr;
  text << in.rdbuf();
  return std::make_shared<SourceBuffer>(SourceBuffer{path, text.str()});
}

/// Offset of the first character of the line holding `offset`.
static size_t lineStartOf(const std::string &text, size_t offset) {
  size_t i = std::min(offset, text.size());
  while (i > 0 && text[i - 1] != '\n')
    --i;
  return i;
}

std::pair<size_t, size_t> SourceBuffer::lineCol(size_t offset) const {
  offset = std::min(offset, text.size());
  size_t line = 1 + std::count(text.begin(), text.begin() + offset, '\n');
  return {line, offset - lineStartOf(text, offset) + 1};
}

std::string SourceBuffer::lineText(size_t offset) const {
  size_t start = lineStartOf(text, offset);
  size_t end = text.find('\n', start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string renderDiagnostic(const SourceSpan &span, const std::string &severity,
                             const std::string &message) {
  if (!span.buffer)
    return "<unknown>: " + severity + ": " + message + "\n";
  auto [line, col] = span.buffer->lineCol(span.offset);
  std::string out = span.buffer->name + ":" + std::to_string(line) + ":" + std::to_string(col) +
                    ": " + severity + ": " + message + "\n";
  std::string text = span.buffer->lineText(span.offset);
  out += text + "\n";
  std::string marker;
  for (size_t i = 0; i + 1 < col; ++i)
    marker += (i < text.size() && text[i] == '\t') ? '\t' : ' ';
  // All tildes, as TorchScript underlines a range (its test helpers find
  // the highlighted text by them).
  marker += '~';
  size_t room = text.size() > col ? text.size() - col : 0;
  for (size_t i = 1; i < span.length && i <= room; ++i)
    marker += '~';
  out += marker + "\n";
  return out;
}

static WarningHandler &warningHandler() {
  static WarningHandler &handler = *new WarningHandler();
  return handler;
}

void setWarningHandler(WarningHandler handler) { warningHandler() = std::move(handler); }

void emitWarning(const SourceSpan &span, const std::string &message) {
  std::string text = renderDiagnostic(span, "warning", message);
  if (warningHandler())
    warningHandler()(text);
  else
    std::cerr << text;
}

CompileError::CompileError(const SourceSpan &span, const std::string &message)
    : std::runtime_error(message), message_(message),
      rendered_(renderDiagnostic(span, "error", message)) {}

CompileError &CompileError::addNote(const SourceSpan &span, const std::string &message) {
  rendered_ += renderDiagnostic(span, "note", message);
  return *this;
}

CompileError &CompileError::addDetail(const std::string &text) {
  rendered_ += text;
  if (!text.empty() && text.back() != '\n')
    rendered_ += '\n';
  return *this;
}

} // namespace ember
