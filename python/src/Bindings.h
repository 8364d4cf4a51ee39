//===- python/src/Bindings.h - pieces shared by the binding files ---------===//
//
// One binding file per concept (STYLE rule 16): PyProgram.cpp (programs,
// functions, classes), PyObjects.cpp (script objects and their methods),
// Module.cpp (the module, its handlers and error translation).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "python/src/Values.h"

#include <pybind11/pybind11.h>

namespace ember::python {

/// A compiled function, or a method bound to its receiver, as Python sees
/// it: callable, with its graph, code and schema.
struct FunctionHandle {
  std::shared_ptr<ScriptProgram> program;
  runtime::Function *fn;
  c10::IValue receiver; // None for a free function
  const FunctionSchema &schema() const { return *program->schema(fn->name()); }
  /// The call's arguments as the function's inputs (the receiver first).
  runtime::Stack bind(py::args args, py::kwargs kwargs) const;
};

/// Arguments a compiled function cannot take: a wrong type, a missing or an
/// unknown one. Python sees ember.ArgumentError, a RuntimeError as torch.jit
/// raises and a TypeError as Python raises.
struct ArgumentError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Binds Python positional and keyword arguments to a schema's parameters,
/// skipping the first `skip` (self); throws ArgumentError in torch.jit's words.
runtime::Stack bindArguments(const FunctionSchema &schema, size_t skip, py::args args,
                             py::kwargs kwargs, const runtime::ScriptUnit &unit);
/// Runs with the GIL released and converts the result.
py::object runFunction(const std::shared_ptr<ScriptProgram> &program, runtime::Function &fn,
                       runtime::Stack stack);
/// The program that made objects of class `type` (null when unknown).
std::shared_ptr<ScriptProgram> programOf(const c10::ClassType *type);
/// Registers a program made from Python (ObjectTypes.cpp).
void registerProgram(const std::shared_ptr<ScriptProgram> &program);

void bindProgram(py::module_ &m);
void bindFunctions(py::module_ &m);
void bindObjects(py::module_ &m);
void bindSerialization(py::module_ &m);
void bindTracing(py::module_ &m);
void bindExecutor(py::module_ &m);
void bindFreezing(py::module_ &m);
void bindContainers(py::module_ &m);
void bindGraphs(py::module_ &m);
void bindPasses(py::module_ &m);
/// A Python view of a copy of `g` (ember._C.Graph: nodes(), inputs(), ...).
py::object graphView(const Graph &g);
/// The graph behind a view made by graphView; a TypeError for anything else.
std::shared_ptr<const Graph> graphOf(py::handle view);
/// A Python view of a type (ember._C.Type: str(), kind(), name(), ...);
/// `sharingId` as runtime::ScriptClass's.
py::object typeView(const TypePtr &type, uint64_t sharingId = 0);

} // namespace ember::python
