//===- python/src/PyObjects.cpp - script objects seen from Python ---------===//
//
// A script object (a class instance or a module) as a Python value:
// attribute reads and writes go to its slots, converted by the slot's
// declared type; methods come back bound to the object, compiled on first
// use. The `ember` package builds ScriptModule (an nn.Module) on top.
//
//===----------------------------------------------------------------------===//
#include "python/src/Bindings.h"
#include "runtime/Values.h"

#include <pybind11/stl.h>

#include <ATen/core/class_type.h>

namespace ember::python {
namespace {

runtime::ScriptClass &classOf(const ScriptObjectHandle &self) {
  const c10::ClassType *type = self.value.toObjectRef().type().get();
  runtime::ScriptClass *cls = self.program->unit().findClass(type);
  if (!cls)
    throw py::type_error("'" + type->repr_str() + "' is not a class of this program");
  return *cls;
}

/// The method `name` bound to the object, compiled now (a CompileError
/// if it does not compile); nothing if the class has no such method.
/// The object's class name as the compiler knows it (after `__torch__.`).
std::string compilerName(const ScriptObjectHandle &self) {
  return classOf(self).type->name().substr(std::string("__torch__.").size());
}

std::optional<FunctionHandle> method(const ScriptObjectHandle &self, const std::string &name) {
  std::string qual = compilerName(self);
  if (!self.program->compiler().hasMethod(qual, name))
    return std::nullopt;
  return FunctionHandle{self.program, self.program->function(qual + "." + name), self.value};
}

} // namespace

void bindObjects(py::module_ &m) {
  py::class_<ScriptObjectHandle>(m, "ScriptObject")
      .def("__getattr__",
           [](ScriptObjectHandle &self, const std::string &name) -> py::object {
             auto &obj = self.value.toObjectRef();
             if (auto slot = obj.type()->findAttributeSlot(name))
               return toPython(obj.getSlot(*slot), classOf(self).attributeType(name), self.program);
             if (auto fn = method(self, name))
               return py::cast(*fn);
             // A property reads through its getter (`__<name>_getter`).
             if (auto getter = method(self, "__" + name + "_getter"))
               return py::cast(*getter)();
             throw py::attribute_error("'" + obj.type()->repr_str() + "' object has no attribute '" +
                                       name + "'");
           })
      .def("__setattr__",
           [](ScriptObjectHandle &self, const std::string &name, py::handle value) {
             auto &obj = self.value.toObjectRef();
             auto slot = obj.type()->findAttributeSlot(name);
             if (!slot)
               throw py::attribute_error("cannot add attribute '" + name + "' to a script object of type '" +
                                         obj.type()->repr_str() + "'");
             TypePtr declared = classOf(self).attributeType(name);
             try {
               obj.setSlot(*slot, declared ? toIValue(value, declared, self.program->unit())
                                           : toIValueInferred(value));
             } catch (const py::type_error &e) {
               // A RuntimeError, as torch.jit raises, and a TypeError.
               throw ArgumentError("attribute '" + name + "': " + e.what());
             }
           })
      // torch.jit's C++ object API as its Python tests use it (`m._c.getattr("training")`).
      .def("getattr", [](py::object self, const std::string &name) {
        return self.attr("__getattr__")(name);
      })
      .def("setattr", [](py::object self, const std::string &name, py::handle value) {
        self.attr("__setattr__")(name, value);
      })
      .def("hasattr", [](ScriptObjectHandle &self, const std::string &name) {
        return self.value.toObjectRef().type()->findAttributeSlot(name).has_value();
      })
      .def_property_readonly("_id", [](ScriptObjectHandle &self) {
        return reinterpret_cast<uintptr_t>(&self.value.toObjectRef());
      })
      .def_property_readonly("_program", [](ScriptObjectHandle &self) { return self.program; })
      .def_property_readonly("_type_name", [](ScriptObjectHandle &self) {
        return self.value.toObjectRef().type()->name()->qualifiedName();
      })
      // copy.copy / copy.deepcopy of a module, as torch.jit's Module::copy
      // and deepcopy: a new object of the same class; its slots share the
      // values, or hold deep copies of them (tensors cloned, submodules
      // copied, one copy per shared value).
      .def("_copy", [](ScriptObjectHandle &self) {
        return ScriptObjectHandle{c10::IValue(self.value.toObjectRef().copy()), self.program};
      })
      .def("_deepcopy", [](ScriptObjectHandle &self) {
        return ScriptObjectHandle{runtime::deepCopy(self.value), self.program};
      })
      // [(name, kind)] in slot order; kind is "parameter", "buffer",
      // "module" or "attribute".
      .def_property_readonly("_sharing_id",
                             [](ScriptObjectHandle &self) { return classOf(self).sharingId; })
      .def("_type", [](ScriptObjectHandle &self) {
        const runtime::ScriptClass &cls = classOf(self);
        return typeView(cls.type, cls.sharingId);
      })
      .def("_slots", [](ScriptObjectHandle &self) {
        const auto &type = self.value.toObjectRef().type();
        std::vector<std::pair<std::string, std::string>> out;
        auto isModule = [](const c10::TypePtr &t) {
          if (auto c = t->cast<c10::ClassType>())
            return c->is_module();
          auto i = t->cast<c10::InterfaceType>(); // holds a module
          return i && i->is_module();
        };
        for (size_t i = 0; i < type->numAttributes(); ++i) {
          const char *kind = type->is_parameter(i)                ? "parameter"
                             : type->is_buffer(i)                 ? "buffer"
                             : isModule(type->getAttribute(i)) ? "module"
                                                                  : "attribute";
          out.push_back({type->getAttributeName(i), kind});
        }
        return out;
      })
      // [(name, value as source text)]: the class's `Final` constants.
      .def("_constants", [](ScriptObjectHandle &self) {
        auto info = self.program->compiler().classToPrint(compilerName(self));
        std::vector<std::pair<std::string, std::string>> out;
        if (info)
          for (const auto &[name, annotation, value] : info->constants)
            out.push_back({name, value});
        return out;
      })
      // ([pre-hook method], [hook method]): what calling the module runs
      // around forward.
      .def("_forward_hooks", [](ScriptObjectHandle &self) {
        auto info = self.program->compiler().classToPrint(compilerName(self));
        std::vector<std::string> pre, post;
        if (info) {
          pre = info->forwardPreHooks;
          post = info->forwardHooks;
        }
        return std::make_pair(pre, post);
      })
      // torch.jit's C++ module API: the methods compiled so far (forward,
      // exports and what they call), and whether a method is defined.
      .def("_method_names", [](ScriptObjectHandle &self) {
        // A class read from code (a loaded archive) has all its methods.
        self.program->compileForExport(compilerName(self));
        std::vector<std::string> out;
        if (auto info = self.program->compiler().classToPrint(compilerName(self)))
          for (const auto &[graph, schema] : info->methods) {
            const std::string &name = schema->name;
            out.push_back(name.substr(name.rfind('.') + 1));
          }
        return out;
      })
      .def("_has_method", [](ScriptObjectHandle &self, const std::string &name) {
        return method(self, name).has_value();
      })
      .def("_method", [](ScriptObjectHandle &self, const std::string &name) -> py::object {
        if (auto fn = method(self, name))
          return py::cast(*fn);
        return py::none();
      });
}

} // namespace ember::python
