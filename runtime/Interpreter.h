//===- runtime/Interpreter.h - running graphs -----------------------------===//
//
// The reference executor (reference §9). A graph is turned once into Code:
// each value gets a register, constants are preloaded, every node becomes an
// instruction holding its Operation (from the kernel table) or a structural
// kind (If, Loop, calls, fork, attribute slots). Running Code walks the
// instructions with a fresh register file per call, so one Code runs on many
// threads at once.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Graph.h"

#include <ATen/core/ivalue.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ember::runtime {

class ScriptUnit;
struct Code;
using Stack = std::vector<c10::IValue>;

/// Builds the executable form of `graph`; `name` appears in tracebacks.
/// The graph must outlive the code.
std::unique_ptr<Code> buildCode(const Graph &graph, ScriptUnit &unit, const std::string &name);
/// Runs code on one value per graph input; returns the graph's outputs.
/// Exceptions come out as ScriptError with the script traceback.
Stack runCode(const Code &code, Stack inputs);

/// Where `print` and `warnings.warn` in script code go. The defaults write to
/// standard output and standard error; the Python package routes them to
/// sys.stdout and the warnings module.
using TextHandler = std::function<void(const std::string &)>;
void setPrintHandler(TextHandler handler);
void emitPrint(const std::string &text);
/// A warning's text and the script source it comes from (file and line;
/// empty and 0 when unknown), which TorchScript reports as the warning's
/// place, as Python reports a `warnings.warn` call's.
using WarnHandler = std::function<void(const std::string &text, const std::string &file, int64_t line)>;
void setWarnHandler(WarnHandler handler);
void emitWarning(const std::string &text, const std::string &file = "", int64_t line = 0);
/// As TorchScript's interpreter: a `warnings.warn` site warns once per
/// top-level call. True the first time `site` (a warn node) is reached on
/// the current chain of calls during this call.
bool firstWarningAt(const void *site);

/// How `prim::PythonOp` (an `@ignore`d method) calls back into Python: the
/// method's name, its arguments (the receiver first) and the declared
/// result type. Only the Python package installs one; without it the op
/// raises, as a module with ignored methods cannot run without Python.
using PythonCallHandler =
    std::function<c10::IValue(const std::string &name, Stack args, const TypePtr &result)>;
void setPythonCallHandler(PythonCallHandler handler);
c10::IValue callPython(const std::string &name, Stack args, const TypePtr &result);

} // namespace ember::runtime
