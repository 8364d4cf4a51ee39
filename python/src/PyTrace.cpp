//===- python/src/PyTrace.cpp - recording traces from Python -------------===//
//
// The recorder (engine/Tracer.h) as the `ember` package drives it: inputs
// registered, recording switched on around the Python call, the result's
// graph added to a program as a function.
//
//===----------------------------------------------------------------------===//
#include "engine/Tracer.h"
#include "python/src/Bindings.h"

#include <pybind11/stl.h>

namespace ember::python {
namespace {

/// What a traced function's schema says of a value: tensors are `Tensor`
/// (the trace's refinements describe the example, not the contract).
TypePtr unrefined(const TypePtr &t) {
  switch (t->kind()) {
  case TypeKind::Tensor: return Type::tensor();
  case TypeKind::List: return Type::list(unrefined(t->elem()));
  case TypeKind::Tuple: {
    std::vector<TypePtr> elems;
    for (const auto &e : t->contained())
      elems.push_back(unrefined(e));
    return Type::tuple(elems);
  }
  default: return t;
  }
}

} // namespace

void bindTracing(py::module_ &m) {
  py::class_<TraceRecorder>(m, "Tracer")
      .def(py::init<const std::string &>())
      .def("add_input", [](TraceRecorder &r, py::handle value,
                           const std::string &name) { r.addInput(toIValueInferred(value), name); })
      .def("start", &TraceRecorder::start)
      .def("stop", &TraceRecorder::stop)
      .def_property_readonly("warnings", &TraceRecorder::warnings)
      // finish(program, result) -> Function: the graph returning `result`,
      // added to `program` under the trace's name.
      .def("finish", [](TraceRecorder &r, std::shared_ptr<ScriptProgram> program, py::handle result) {
        r.setOutputs({toIValueInferred(result)});
        std::shared_ptr<Graph> g = r.finish();
        FunctionSchema schema;
        schema.name = g->name();
        for (const Value *in : g->inputs())
          schema.arguments.push_back(Argument{in->debugName(), unrefined(in->type())});
        Argument ret;
        ret.type = unrefined(g->outputs()[0]->type());
        schema.returns.push_back(ret);
        std::string name = g->name();
        runtime::Function *fn = program->addGraph(name, g, std::move(schema));
        return FunctionHandle{program, fn, c10::IValue()};
      });
}

} // namespace ember::python
