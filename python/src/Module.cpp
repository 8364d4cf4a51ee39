//===- python/src/Module.cpp - the ember._C extension module --------------===//
//
// Converts, calls and translates errors (STYLE rule 16). This file holds
// the module itself: error translation (C++ diagnostics become
// ember.CompileError, script exceptions ember.Error, both classes defined
// in Python) and the handlers that route print, warnings and @ignore'd
// methods to Python. Programs and objects are bound in PyProgram.cpp and
// PyObjects.cpp.
//
//===----------------------------------------------------------------------===//
#include "engine/Module.h"
#include "python/src/Bindings.h"
#include "runtime/Interpreter.h"
#include "runtime/Kernels.h"
#include "runtime/ScriptError.h"

#include <pybind11/functional.h>

#include <ATen/core/class_type.h>

namespace ember::python {
namespace {

// Leaked on purpose: destroying Python objects at process exit, after the
// interpreter is gone, would crash.
py::object &compileErrorClass = *new py::object();
py::object &notSupportedErrorClass = *new py::object();
py::object &scriptErrorClass = *new py::object();
py::object &serializationErrorClass = *new py::object();
py::object &argumentErrorClass = *new py::object();

void translateErrors() {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p)
        std::rethrow_exception(p);
    } catch (const runtime::ScriptError &e) {
      py::object err = scriptErrorClass(e.what());
      err.attr("python_class") = e.pythonClass();
      err.attr("message") = e.message();
      PyErr_SetObject(scriptErrorClass.ptr(), err.ptr());
    } catch (const NotSupportedError &e) {
      PyErr_SetString(notSupportedErrorClass.ptr(), e.what());
    } catch (const CompileError &e) {
      PyErr_SetString(compileErrorClass.ptr(), e.what());
    } catch (const LoadError &e) {
      PyErr_SetString(serializationErrorClass.ptr(), e.what());
    } catch (const SaveError &e) {
      PyErr_SetString(serializationErrorClass.ptr(), e.what());
    } catch (const ArgumentError &e) {
      PyErr_SetString(argumentErrorClass.ptr(), e.what());
    }
  });
}

/// Calls `call(name, receiver, *args)` in Python for prim::PythonOp; a
/// Python exception becomes a script error of the same class.
void setPythonCallHandler(py::object call) {
  runtime::setPythonCallHandler([call](const std::string &name, runtime::Stack args,
                                       const TypePtr &result) -> c10::IValue {
    py::gil_scoped_acquire gil;
    // A method's receiver knows its program; a function's arguments are
    // converted without one (objects then come back without methods).
    std::shared_ptr<ScriptProgram> program =
        !args.empty() && args[0].isObject() ? programOf(args[0].toObjectRef().type().get())
                                            : nullptr;
    static runtime::ScriptUnit &noUnit = *new runtime::ScriptUnit();
    try {
      py::tuple pyArgs(args.size() + 1);
      pyArgs[0] = py::str(name);
      for (size_t i = 0; i < args.size(); ++i)
        pyArgs[i + 1] = toPython(args[i], nullptr, program);
      py::object r = call(*pyArgs);
      return toIValue(r, result, program ? program->unit() : noUnit);
    } catch (py::error_already_set &e) {
      std::string cls = py::str(e.type().attr("__name__"));
      std::string msg = py::str(e.value());
      throw runtime::PythonError(cls, msg);
    } catch (const py::type_error &e) {
      throw runtime::PythonError("TypeError", "the result of '" + name + "': " + e.what());
    }
  });
}

} // namespace

void setErrorClasses(py::object compileError, py::object notSupportedError,
                     py::object scriptError, py::object serializationError,
                     py::object argumentError) {
  compileErrorClass = std::move(compileError);
  notSupportedErrorClass = std::move(notSupportedError);
  argumentErrorClass = std::move(argumentError);
  scriptErrorClass = std::move(scriptError);
  serializationErrorClass = std::move(serializationError);
}

} // namespace ember::python

PYBIND11_MODULE(_C, m) {
  using namespace ember::python;
  m.doc() = "ember: TorchScript, compiled (native part)";
  m.def("_set_error_classes", &setErrorClasses);
  m.def("_clear_handlers", [] {
    // Called at exit, with the GIL, so the Python callables die in time.
    ember::runtime::setPrintHandler(nullptr);
    ember::runtime::setWarnHandler(nullptr);
    ember::setWarningHandler(nullptr);
    ember::runtime::setPythonCallHandler(nullptr);
  });
  m.def("_set_print_handler", [](py::object write) {
    ember::runtime::setPrintHandler([write](const std::string &text) {
      py::gil_scoped_acquire gil;
      write(text);
    });
  });
  // Warnings of script code at run time, and of the compiler (a list of
  // heterogeneous elements typed as a Union).
  m.def("_set_warn_handler", [](py::object warn) {
    ember::runtime::setWarnHandler([warn](const std::string &text, const std::string &file,
                                          int64_t line) {
      py::gil_scoped_acquire gil;
      warn(text, file, line);
    });
    ember::setWarningHandler([warn](const std::string &text) {
      py::gil_scoped_acquire gil;
      warn(text);
    });
  });
  m.def("_set_python_call_handler", &setPythonCallHandler);
  translateErrors();
  bindObjects(m);
  bindFunctions(m);
  bindProgram(m);
  bindSerialization(m);
  bindTracing(m);
  bindExecutor(m);
  bindFreezing(m);
  bindContainers(m);
  bindGraphs(m);
  bindPasses(m);
}
