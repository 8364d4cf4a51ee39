//===- python/src/Values.h - Python objects <-> IValues -------------------===//
#pragma once

#include "engine/ScriptProgram.h"
#include "ir/Type.h"

#include <pybind11/pybind11.h>

#include <ATen/core/ivalue.h>

namespace ember::python {

namespace py = pybind11;

/// A script object (class instance) seen from Python, with the program
/// that knows its methods.
struct ScriptObjectHandle {
  c10::IValue value;
  std::shared_ptr<ScriptProgram> program;
};

/// A dict or list made by `ember.script` (PyContainers.cpp): one
/// TorchScript container that Python and compiled code share.
struct ScriptContainerHandle {
  c10::IValue value;
  TypePtr type;
};
/// The shared container of `obj` when it is a ScriptDict or ScriptList of
/// type `type` (a TypeError if of another); nothing if it is not one.
std::optional<c10::IValue> containerValue(py::handle obj, const TypePtr &type);

/// Converts a Python value to the IValue a parameter of type `type` takes.
/// Tensors are shared, not copied. Throws py::type_error naming the type.
c10::IValue toIValue(py::handle obj, const TypePtr &type, const runtime::ScriptUnit &unit);
/// The program that made class `type` (its objects' methods are there),
/// among those made from Python; null when none did.
std::shared_ptr<ScriptProgram> programOwning(const c10::ClassType *type);
/// Why script object `v` cannot be a value of class or interface `type`
/// (declared in `unit`), in TorchScript's words; empty when it can.
std::string whyNotOfType(const c10::IValue &v, const TypePtr &type,
                         const runtime::ScriptUnit &unit);
/// Converts without a declared type (constants, Any).
c10::IValue toIValueInferred(py::handle obj);
/// Converts a result; `type` (when known) turns dtype codes into torch.dtype.
py::object toPython(const c10::IValue &v, const TypePtr &type,
                    const std::shared_ptr<ScriptProgram> &program);

} // namespace ember::python
