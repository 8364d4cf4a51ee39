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

TypePtr classNamed(ScriptProgram &program, const std::string &name) {
  runtime::ScriptClass *cls = program.unit().findClass("__torch__." + name);
  if (!cls)
    throw py::key_error("no class '" + name + "'");
  return cls->type;
}

/// [(tensor, [attr, ...]), ...] from Python.
TraceRecorder::AttributePaths attributePaths(py::list pairs) {
  TraceRecorder::AttributePaths out;
  for (auto item : pairs) {
    auto pair = item.cast<py::tuple>();
    out.push_back({toIValueInferred(pair[0]).toTensor(), pair[1].cast<std::vector<std::string>>()});
  }
  return out;
}

/// Adds a trace as method `method` of class `cls`, unless it has one.
void addMethod(ScriptProgram &program, const std::string &cls, std::shared_ptr<Graph> g,
               const std::string &method = "forward") {
  std::string name = cls + "." + method;
  if (program.compiler().hasMethod(cls, method))
    return;
  FunctionSchema schema = defaultSchemaFor(*g, name);
  program.addGraph(name, std::move(g), std::move(schema));
}

} // namespace

void bindTracing(py::module_ &m) {
  py::class_<TraceRecorder>(m, "Tracer")
      .def(py::init<const std::string &>())
      // set_name_lookup(fn): fn(tensor) -> the name of the Python local
      // holding it, or "".
      .def("set_name_lookup",
           [](TraceRecorder &r, py::object fn) {
             r.setNameLookup([fn](const at::Tensor &t) -> std::string {
               py::gil_scoped_acquire gil;
               return fn(toPython(t, nullptr, nullptr)).cast<std::string>();
             });
           })
      // set_location_lookup(fn): fn() -> (file, line) of the code running
      // the operator being recorded, or None.
      .def("set_location_lookup",
           [](TraceRecorder &r, py::object fn) {
             r.setLocationLookup([fn]() -> std::pair<std::string, uint32_t> {
               py::gil_scoped_acquire gil;
               py::object where = fn();
               if (where.is_none())
                 return {"", 0};
               return where.cast<std::pair<std::string, uint32_t>>();
             });
           })
      .def("add_input", [](TraceRecorder &r, py::handle value,
                           const std::string &name) { r.addInput(toIValueInferred(value), name); })
      .def("start", &TraceRecorder::start)
      .def("add_constant",
           [](TraceRecorder &r, py::handle t) { r.addConstant(toIValueInferred(t).toTensor()); })
      .def("stop", &TraceRecorder::stop)
      .def_property_readonly("warnings", &TraceRecorder::warnings)
      .def("warn", &TraceRecorder::warn)
      .def("record_contiguous",
           [](TraceRecorder &r, py::handle t, int64_t memoryFormat) {
             r.recordContiguous(toIValueInferred(t).toTensor(), memoryFormat);
           })
      .def("numel_of",
           [](TraceRecorder &r, py::handle t) {
             at::Tensor tensor = toIValueInferred(t).toTensor();
             at::Tensor numel = r.numelOf(tensor);
             return numel.defined() ? toPython(numel, nullptr, nullptr)
                                    : py::object(py::int_(tensor.numel()));
           })
      .def("size_of",
           [](TraceRecorder &r, py::handle t, int64_t dim) {
             at::Tensor tensor = toIValueInferred(t).toTensor();
             int64_t rank = tensor.dim();
             if (dim < -std::max<int64_t>(rank, 1) || dim >= std::max<int64_t>(rank, 1))
               throw py::index_error("Dimension out of range (expected to be in range of [" +
                                     std::to_string(-rank) + ", " + std::to_string(rank - 1) +
                                     "], but got " + std::to_string(dim) + ")");
             at::Tensor size = r.sizeOf(tensor, dim); // `size(-1)` records -1, as TorchScript does
             return size.defined() ? toPython(size, nullptr, nullptr)
                                   : py::object(py::int_(tensor.size(dim)));
           })
      // record_script_call(Function, args, result): the scripted
      // function's graph goes into the trace whole.
      .def("can_record_script_call",
           [](TraceRecorder &, const FunctionHandle &fn) {
             std::shared_ptr<Graph> g = fn.program->inlinedGraph(fn.fn->name());
             return g && TraceRecorder::canRecordWhole(*g);
           })
      // record_script_call(Function, result, *args, **kwargs): the
      // arguments bound as the call binds them (defaults filled in).
      .def("record_script_call",
           [](TraceRecorder &r, const FunctionHandle &fn, py::handle result, py::args args,
              py::kwargs kwargs) {
             std::shared_ptr<Graph> g = fn.program->inlinedGraph(fn.fn->name());
             r.recordScriptCall(*g, fn.bind(args, kwargs), toIValueInferred(result));
           })
      // enter_fork(args), exit_fork(result) -> future, record_wait(future,
      // result): torch.jit.fork and wait while tracing.
      .def("enter_fork",
           [](TraceRecorder &r, const py::list &args) {
             std::vector<c10::IValue> inputs;
             for (auto a : args)
               inputs.push_back(toIValueInferred(a));
             r.enterFork(inputs);
           })
      .def("exit_fork",
           [](TraceRecorder &r, py::handle result) { return r.exitFork(toIValueInferred(result)); })
      .def("record_wait", [](TraceRecorder &r, size_t future,
                             py::handle result) { r.recordWait(future, toIValueInferred(result)); })
      .def("set_location", &TraceRecorder::setLocation)
      // expect_ints([int | Tensor, ...]): the ints a Python call passes.
      .def("expect_ints",
           [](TraceRecorder &r, py::list items) {
             std::vector<c10::IValue> ints;
             for (auto item : items)
               ints.push_back(toIValueInferred(item));
             r.expectInts(std::move(ints));
           })
      // set_self(program, class, [(tensor, [attr, ...])]): the trace is the
      // forward of a module of `class`.
      .def("set_self",
           [](TraceRecorder &r, std::shared_ptr<ScriptProgram> program, const std::string &cls,
              py::list attrs) {
             r.setAttributeTypes([program](const TypePtr &owner, const std::string &name) -> TypePtr {
               runtime::ScriptClass *c = program->unit().findClass(owner->name());
               return c ? c->attributeType(name) : nullptr;
             });
             r.setSelf(classNamed(*program, cls), attributePaths(attrs));
           })
      .def("enter_module",
           [](TraceRecorder &r, std::shared_ptr<ScriptProgram> program,
              const std::vector<std::string> &path, const std::string &cls, py::tuple inputs,
              py::list attrs) {
             std::vector<c10::IValue> values;
             for (auto in : inputs)
               values.push_back(toIValueInferred(in));
             r.enterModule(path, classNamed(*program, cls), values, attributePaths(attrs));
           })
      // record_method_call(program, [attr, ...], class, args, result): a
      // scripted submodule was called; the trace calls its forward.
      .def("record_method_call",
           [](TraceRecorder &r, std::shared_ptr<ScriptProgram> program,
              const std::vector<std::string> &path, const std::string &cls, py::tuple args,
              py::handle result) {
             const FunctionSchema *schema = program->schema(cls + ".forward");
             if (!schema || schema->returns.empty())
               throw py::value_error("'" + cls + "' has no compiled forward");
             std::vector<c10::IValue> inputs;
             for (auto a : args)
               inputs.push_back(toIValueInferred(a));
             r.recordMethodCall(path, classNamed(*program, cls), inputs, toIValueInferred(result),
                                schema->returns[0].type);
           })
      .def("exit_module",
           [](TraceRecorder &r, std::shared_ptr<ScriptProgram> program, const std::string &cls,
              py::handle output) {
             std::string method = "forward";
             for (int n = 1; program->compiler().hasMethod(cls, method) || r.hasTracedMethod(cls, method); ++n)
               method = "forward" + std::to_string(n);
             r.exitModule(toIValueInferred(output), cls, method);
           })
      // finish_module(program, class, result, method): the top-level trace
      // becomes the class's method.
      .def("finish_module",
           [](TraceRecorder &r, std::shared_ptr<ScriptProgram> program, const std::string &cls,
              py::handle result, const std::string &method) {
             r.setOutputs({toIValueInferred(result)});
             std::shared_ptr<Graph> g = r.finish();
             // Submodules' methods are final now (what they return depends on
             // what their callers used).
             for (const auto &m : r.tracedMethods())
               addMethod(*program, m.className, m.graph, m.method);
             addMethod(*program, cls, g, method);
           })
      // finish(program, result) -> Function: the graph returning `result`,
      // added to `program` under the trace's name.
      .def("finish",
           [](TraceRecorder &r, std::shared_ptr<ScriptProgram> program, py::handle result) {
             r.setOutputs({toIValueInferred(result)});
             std::shared_ptr<Graph> g = r.finish();
             std::string name = g->name();
             FunctionSchema schema = defaultSchemaFor(*g, name);
             runtime::Function *fn = program->addGraph(name, g, std::move(schema));
             return FunctionHandle{program, fn, c10::IValue()};
           });
}

} // namespace ember::python
