//===- python/src/PyExecutor.cpp - choosing the executor ------------------===//
#include "python/src/Bindings.h"

#include "engine/Executor.h"
#include "engine/Specialization.h"
#include "ir/Printer.h"
#include "runtime/FusionGroup.h"

#include <pybind11/stl.h>

#include <sstream>

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
  m.def("_fusion_strategy", [] { return fusionStrategy().steps; });
  m.def("_set_fusion_strategy", [](std::vector<std::pair<std::string, int>> steps) {
    try {
      setFusionStrategy(FusionStrategy{std::move(steps)});
    } catch (const std::invalid_argument &e) {
      throw py::value_error(e.what());
    }
  });
  m.def("_fusion_enabled", &runtime::fusionEnabled, "Whether fusion groups run compiled kernels");
  m.def("_set_fusion_enabled", &runtime::setFusionEnabled,
        "False: fusion groups run their ops one by one (EMBER_FUSION=0)");
  m.def("_fusion_counters", [] {
    runtime::FusionCounters c = runtime::fusionCounters();
    return py::dict(py::arg("compiled") = c.compiled, py::arg("kernel_runs") = c.kernelRuns,
                    py::arg("unfused_runs") = c.unfusedRuns);
  });
  m.def("_last_executed_optimized_graph", []() -> py::object {
    auto g = lastExecutedOptimizedGraph();
    if (!g)
      return py::none();
    return graphView(*g);
  });
}

} // namespace ember::python
