//===- ir/Printer.h - graphs in TorchScript's text format -----------------===//
#pragma once

#include "ir/Graph.h"

#include <ostream>
#include <string>

namespace ember {

struct PrintOptions {
  /// Append ` # file:line:col` to nodes that carry a source location.
  bool sourceLocations = true;
  /// Print `<name>(` instead of `graph(` in the header (for files holding
  /// several functions).
  bool useFunctionName = false;
};

void printGraph(std::ostream &out, const Graph &g, const PrintOptions &opts = {});
std::string toString(const Graph &g, const PrintOptions &opts = {});
/// One node as the graph printer shows it (with its blocks), unindented.
std::string toString(const Node &n, const PrintOptions &opts = {});
/// Prints every function; each header names its function when there are
/// several.
void printCompilationUnit(std::ostream &out, const CompilationUnit &cu,
                          const PrintOptions &opts = {});

/// The pieces of the format, shared with diagnostics and tests.
void printQuotedString(std::ostream &out, const std::string &s);
/// IValue::repr of a double: `1.`, `-0.`, `0.10000000000000001`.
void printDouble(std::ostream &out, double d);
void printAttributeValue(std::ostream &out, const AttributeValue &a);

} // namespace ember
