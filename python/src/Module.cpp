//===- python/src/Module.cpp - the ember._C extension module --------------===//
//
// Converts, calls and translates errors (STYLE rule 16): a ScriptProgram
// compiled from Python sources with a resolver that reads Python globals,
// its functions callable with Python values, script objects with attribute
// access and method calls. C++ diagnostics become ember.CompileError and
// script exceptions ember.Error, both classes defined in Python.
//
//===----------------------------------------------------------------------===//
#include "frontend/CodePrinter.h"
#include "frontend/DefaultValues.h"
#include "frontend/Parser.h"
#include "ir/Printer.h"
#include "python/src/Values.h"
#include "runtime/Interpreter.h"
#include "runtime/ScriptError.h"

#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <ATen/core/class_type.h>

namespace ember::python {
namespace {

// Leaked on purpose: destroying Python objects at process exit, after the
// interpreter is gone, would crash.
py::object &compileErrorClass = *new py::object();
py::object &scriptErrorClass = *new py::object();

std::shared_ptr<const frontend::Module> parse(const std::string &text, const std::string &file) {
  auto buffer = std::make_shared<SourceBuffer>(SourceBuffer{file, text});
  return std::make_shared<frontend::Module>(frontend::parseSource(buffer));
}

/// Builds the frontend's resolver from a Python object with `source(name)`
/// -> (text, filename) | None and `value(name)` -> (kind, payload) | None.
frontend::GlobalResolver pythonResolver(py::object resolver) {
  frontend::GlobalResolver r;
  r.function = [resolver](const std::string &name) -> std::shared_ptr<const frontend::Module> {
    py::gil_scoped_acquire gil;
    py::object src = resolver.attr("source")(name);
    if (src.is_none())
      return nullptr;
    auto pair = src.cast<std::pair<std::string, std::string>>();
    return parse(pair.first, pair.second);
  };
  r.value = [resolver](const std::string &name) -> std::optional<frontend::GlobalValue> {
    py::gil_scoped_acquire gil;
    py::object v = resolver.attr("value")(name);
    if (v.is_none())
      return std::nullopt;
    auto kind = v[py::int_(0)].cast<std::string>();
    frontend::GlobalValue g;
    if (kind == "module")
      g.module = v[py::int_(1)].cast<std::string>();
    else if (kind == "function")
      g.function = v[py::int_(1)].cast<std::string>();
    else {
      try {
        g.constant = std::make_shared<c10::IValue>(toIValueInferred(v[py::int_(1)]));
      } catch (const py::type_error &) {
        return std::nullopt;
      }
    }
    return g;
  };
  return r;
}

/// Binds Python positional and keyword arguments to a schema's parameters.
runtime::Stack bindArguments(const FunctionSchema &schema, size_t skip, py::args args,
                             py::kwargs kwargs, const runtime::ScriptUnit &unit) {
  runtime::Stack stack;
  size_t nargs = args.size();
  const auto &params = schema.arguments;
  if (nargs > params.size() - skip)
    throw py::type_error(schema.name + "() takes " + std::to_string(params.size() - skip) +
                         " positional arguments but " + std::to_string(nargs) + " were given");
  size_t used = 0;
  for (size_t i = skip; i < params.size(); ++i) {
    const Argument &a = params[i];
    size_t k = i - skip;
    if (k < nargs) {
      stack.push_back(toIValue(args[k], a.type, unit));
    } else if (kwargs.contains(a.name.c_str())) {
      stack.push_back(toIValue(kwargs[a.name.c_str()], a.type, unit));
      ++used;
    } else if (a.defaultValue) {
      stack.push_back(frontend::defaultIValue(*a.defaultValue, a.type));
    } else {
      throw py::type_error(schema.name + "() is missing value for argument '" + a.name + "'");
    }
  }
  if (used != kwargs.size())
    throw py::type_error(schema.name + "() got an unexpected keyword argument");
  return stack;
}

py::object runFunction(const std::shared_ptr<ScriptProgram> &program, runtime::Function &fn,
                       runtime::Stack stack) {
  runtime::Stack out;
  {
    py::gil_scoped_release release;
    out = fn.run(std::move(stack));
  }
  const FunctionSchema *schema = program->schema(fn.name());
  TypePtr ret = schema && !schema->returns.empty() ? schema->returns[0].type : nullptr;
  return out.size() == 1 ? toPython(out[0], ret, program) : py::none();
}

/// A compiled function as Python sees it.
struct FunctionHandle {
  std::shared_ptr<ScriptProgram> program;
  runtime::Function *fn;
  const FunctionSchema &schema() const { return *program->schema(fn->name()); }
};

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
    } catch (const CompileError &e) {
      PyErr_SetString(compileErrorClass.ptr(), e.what());
    }
  });
}

void bindObjects(py::module_ &m) {
  py::class_<ScriptObjectHandle>(m, "ScriptObject")
      .def("__getattr__",
           [](ScriptObjectHandle &self, const std::string &name) -> py::object {
             auto &obj = self.value.toObjectRef();
             auto type = obj.type();
             if (auto slot = type->findAttributeSlot(name))
               return toPython(obj.getSlot(*slot), nullptr, self.program);
             runtime::ScriptClass *cls = self.program->unit().findClass(type.get());
             if (cls && cls->methods.count(name)) {
               runtime::Function *fn = cls->methods[name];
               auto program = self.program;
               c10::IValue receiver = self.value;
               return py::cpp_function([program, fn, receiver](py::args args, py::kwargs kwargs) {
                 runtime::Stack stack = bindArguments(*program->schema(fn->name()), 1, args, kwargs,
                                                      program->unit());
                 stack.insert(stack.begin(), receiver);
                 return runFunction(program, *fn, std::move(stack));
               });
             }
             throw py::attribute_error("'" + type->repr_str() + "' object has no attribute '" + name + "'");
           })
      .def("__setattr__", [](ScriptObjectHandle &self, const std::string &name, py::handle value) {
        auto &obj = self.value.toObjectRef();
        auto slot = obj.type()->findAttributeSlot(name);
        if (!slot)
          throw py::attribute_error("cannot add attribute '" + name + "' to a script object");
        const runtime::ScriptClass *cls = self.program->unit().findClass(obj.type().get());
        TypePtr declared;
        if (auto info = cls ? self.program->compiler().classToPrint(cls->type->name().substr(
                                  cls->type->name().rfind('.') + 1))
                            : std::nullopt)
          for (const auto &[n, t] : info->attributes)
            if (n == name)
              declared = t;
        obj.setSlot(*slot, declared ? toIValue(value, declared, self.program->unit())
                                    : toIValueInferred(value));
      });
}

void bindFunctions(py::module_ &m) {
  py::class_<FunctionHandle>(m, "Function")
      .def("__call__",
           [](FunctionHandle &self, py::args args, py::kwargs kwargs) {
             runtime::Stack stack = bindArguments(self.schema(), 0, args, kwargs, self.program->unit());
             return runFunction(self.program, *self.fn, std::move(stack));
           })
      .def_property_readonly("name", [](FunctionHandle &self) { return self.fn->name(); })
      .def_property_readonly("schema", [](FunctionHandle &self) { return self.schema().str(); })
      .def_property_readonly("graph", [](FunctionHandle &self) { return toString(*self.fn->graph()); })
      .def_property_readonly("code", [](FunctionHandle &self) { return self.program->code(self.fn->name()); });
}

void bindProgram(py::module_ &m) {
  py::class_<ScriptProgram, std::shared_ptr<ScriptProgram>>(m, "Program")
      .def(py::init([](py::object resolver) {
        return std::make_shared<ScriptProgram>(pythonResolver(std::move(resolver)));
      }))
      .def("add_source", [](ScriptProgram &p, const std::string &text, const std::string &file) {
        p.addSource(parse(text, file));
      })
      .def("function", [](std::shared_ptr<ScriptProgram> p, const std::string &name) {
        runtime::Function *fn = p->function(name);
        if (!fn)
          throw py::key_error("no function '" + name + "'");
        return FunctionHandle{p, fn};
      });
}

} // namespace

void setErrorClasses(py::object compileError, py::object scriptError) {
  compileErrorClass = std::move(compileError);
  scriptErrorClass = std::move(scriptError);
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
  });
  m.def("_set_print_handler", [](py::object write) {
    ember::runtime::setPrintHandler([write](const std::string &text) {
      py::gil_scoped_acquire gil;
      write(text);
    });
  });
  m.def("_set_warn_handler", [](py::object warn) {
    ember::runtime::setWarnHandler([warn](const std::string &text) {
      py::gil_scoped_acquire gil;
      warn(text);
    });
  });
  translateErrors();
  bindObjects(m);
  bindFunctions(m);
  bindProgram(m);
}
