//===- ir/Parser.h - reading graphs in TorchScript's text format ----------===//
#pragma once

#include "ir/Graph.h"

#include <memory>
#include <string>

namespace ember {

/// Parses one or more graphs (`graph(...)`, or `name(...)` for named
/// functions). Malformed text throws CompileError with a rendered
/// `file:line:col: error:` diagnostic.
std::unique_ptr<CompilationUnit> parseIR(const std::string &text,
                                         const std::string &filename = "<string>");
/// Parses text holding exactly one graph.
std::shared_ptr<Graph> parseGraph(const std::string &text,
                                  const std::string &filename = "<string>");

} // namespace ember
