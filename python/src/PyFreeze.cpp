//===- python/src/PyFreeze.cpp - freezing from Python ---------------------===//
//
// `ember.freeze` reaches engine/Freeze.cpp here: a module's script object
// in, the frozen module's object (of a new class in the same program) out.
// The `ember` package wraps it as a RecursiveScriptModule.
//
//===----------------------------------------------------------------------===//
#include "engine/Module.h"
#include "python/src/Bindings.h"

#include <pybind11/stl.h>

namespace ember::python {

void bindFreezing(py::module_ &m) {
  // _freeze(ScriptObject, [preserved attribute or method], optimize_numerics)
  //   -> ScriptObject
  m.def("_freeze", [](const ScriptObjectHandle &object, std::vector<std::string> preserved,
                      bool optimizeNumerics) {
    Module frozen = [&] {
      py::gil_scoped_release release;
      return freeze(Module(object.program, object.value), preserved, optimizeNumerics);
    }();
    return ScriptObjectHandle{frozen.object(), frozen.program()};
  });
}

} // namespace ember::python
