//===- python/src/PyPasses.cpp - the pass table and the IR parser ---------===//
//
// TorchScript's graph tools from Python: `ember.parse_ir` reads a graph in
// TorchScript's text format (the role of torch's IR parser) and `ember.run_passes`
// runs passes or a named pipeline of the pass table on a copy of a graph, as
// ember-opt does, verifying after each. The passes are those of
// passes/Passes.def, listed by looping over the table.
//
//===----------------------------------------------------------------------===//
#include "ir/Parser.h"
#include "ir/Verifier.h"
#include "passes/Passes.h"
#include "python/src/Bindings.h"
#include "runtime/OperatorImport.h"

#include <pybind11/stl.h>

namespace ember::python {

void bindPasses(py::module_ &m) {
  // [(name, description)] of passes/Passes.def.
  m.def("_pass_table", [] {
    std::vector<std::pair<std::string, std::string>> table;
    for (const auto &p : allPasses())
      table.emplace_back(p.name, p.description);
    return table;
  });
  m.def("_pipeline_names", &pipelineNames);
  m.def("_pipeline", &pipelineNamed);
  // _parse_ir(text, file name) -> Graph: the first graph the text defines.
  // Both need the operator schemas, and constant folding the evaluator the
  // runtime installs: initializeRuntime (idempotent) sees to both.
  m.def("_parse_ir", [](const std::string &text, const std::string &file) {
    initializeRuntime();
    auto unit = parseIR(text, file);
    verify(*unit);
    if (unit->functions().empty())
      throw py::value_error("the text defines no graph");
    return graphView(*unit->functions().front());
  });
  // _run_passes(Graph, [pass name]) -> Graph: the passes run on a copy.
  m.def("_run_passes", [](py::handle graph, const std::vector<std::string> &passes) {
    initializeRuntime();
    std::shared_ptr<Graph> g = graphOf(graph)->copy();
    CompilationUnit unit;
    unit.add(g);
    PassManagerOptions opts;
    opts.verifyEach = true;
    {
      py::gil_scoped_release release;
      runPasses(unit, passes, opts, nullptr);
    }
    return graphView(*g);
  });
}

} // namespace ember::python
