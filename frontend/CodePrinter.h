//===- frontend/CodePrinter.h - graphs as TorchScript's Python code -------===//
//
// The `.code` form of functions and classes: what ScriptFunction.code shows
// and what `.pt` archives store under code/ (reference §3). The printed
// text compiles back to an equivalent graph with the frontend.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Graph.h"
#include "ir/Schema.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace c10 {
struct IValue;
}

namespace ember::frontend {

/// A class to print: a script class or module with its attributes in slot
/// order and its methods, or a NamedTuple with field defaults.
struct ClassToPrint {
  TypePtr type;
  std::vector<std::pair<std::string, TypePtr>> attributes;
  std::vector<std::string> parameters, buffers; // modules only
  std::vector<std::string> forwardPreHooks, forwardHooks; // modules only
  /// Each method's graph and schema (self first); an interface's methods
  /// have no graph.
  std::vector<std::pair<const Graph *, const FunctionSchema *>> methods;
  std::vector<std::string> staticMethods; // printed with @staticmethod
  std::vector<std::optional<std::string>> fieldDefaults; // NamedTuples
  /// `Final` constants as the class's source spells them: (name,
  /// annotation, value), printed `name : Final[int] = 3`.
  std::vector<std::tuple<std::string, std::string, std::string>> constants;
};

class CodePrinterImpl;

/// Prints functions and classes in TorchScript's Python syntax. Temporary
/// names (`_0`, `_1`, ...) are numbered across everything one printer
/// prints, as TorchScript numbers them across a code file.
class CodePrinter {
public:
  CodePrinter();
  ~CodePrinter();
  /// `def name(...)`. `typedFirstArgument` false leaves `self` untyped, as
  /// `.code` of a module method shows it.
  void printFunction(const std::string &name, const Graph &g, const FunctionSchema &schema,
                     bool typedFirstArgument = true);
  void printClass(const ClassToPrint &c);
  std::string str() const;
  /// Archives keep tensors (and other values with no literal form) out of
  /// the code: with a table set, such a constant prints `CONSTANTS.c<N>`,
  /// N its index in the table (appended to when new).
  void setConstantTable(std::vector<c10::IValue> *table);

private:
  std::unique_ptr<CodePrinterImpl> impl_;
};

} // namespace ember::frontend
