//===- python/src/PyExecutor.cpp - choosing the executor ------------------===//
#include "python/src/Bindings.h"

#include "engine/Executor.h"

namespace ember::python {

void bindExecutor(py::module_ &m) {
  m.def("_executor", &executorName, "'jit', 'native' or 'interp': what runs functions on their first call");
  m.def(
      "_set_executor",
      [](const std::string &name) {
        if (!setExecutor(name))
          throw py::value_error("unknown or unavailable executor '" + name +
                                "' (expected 'jit', 'native' or 'interp')");
      },
      "Runs functions that have not been called yet with the named executor");
}

} // namespace ember::python
