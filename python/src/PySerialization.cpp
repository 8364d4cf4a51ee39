//===- python/src/PySerialization.cpp - archives from Python --------------===//
//
// `ember.load` and `ember.save` reach the C++ loader and saver here: a path or the archive's bytes
// in, the module's script object (and the extra files asked for) out. The
// `ember` package wraps the object as a RecursiveScriptModule.
//
//===----------------------------------------------------------------------===//
#include "engine/Module.h"
#include "python/src/Bindings.h"

#include <pybind11/stl.h>

namespace ember::python {

void bindSerialization(py::module_ &m) {
  // _load(path | bytes, map_location: str | None, [extra file names])
  //   -> (ScriptObject, {name: bytes})
  m.def("_load", [](py::object source, std::optional<std::string> mapLocation,
                    std::vector<std::string> extraNames) {
    std::optional<c10::Device> device;
    if (mapLocation) {
      try {
        device = c10::Device(*mapLocation);
      } catch (const c10::Error &) {
        throw py::value_error("map_location '" + *mapLocation + "' is not a device");
      }
    }
    ExtraFiles extra;
    for (const auto &n : extraNames)
      extra[n] = "";
    std::optional<Module> loaded;
    if (py::isinstance<py::bytes>(source)) {
      std::string bytes = source.cast<std::string>();
      py::gil_scoped_release release;
      loaded = loadFromBytes(std::move(bytes), device, &extra);
    } else {
      std::string path = source.cast<std::string>();
      py::gil_scoped_release release;
      loaded = load(path, device, &extra);
    }
    py::dict files;
    for (const auto &[n, content] : extra)
      files[py::str(n)] = py::bytes(content);
    return py::make_tuple(ScriptObjectHandle{loaded->object(), loaded->program()}, files);
  });
  // _import_into(Program, bytes) -> ScriptObject: an archive's module
  // loaded into a program that has code of its own (engine::importInto).
  m.def("_import_into", [](const std::shared_ptr<ScriptProgram> &program, py::bytes bytes) {
    std::string data = bytes;
    py::gil_scoped_release release;
    Module module = importInto(program, std::move(data));
    return ScriptObjectHandle{module.object(), module.program()};
  });
  // _function_module(Function) -> ScriptObject: the module torch.jit.save
  // wraps a function in to save it.
  m.def("_function_module", [](const FunctionHandle &fn) {
    Module module = moduleOfFunction(fn.program, fn.fn->name());
    return ScriptObjectHandle{module.object(), module.program()};
  });
  // _save(ScriptObject, path | None, {name: bytes}) -> None | bytes: writes
  // the archive to `path`, or returns its bytes.
  m.def("_save", [](const ScriptObjectHandle &object, std::optional<std::string> path,
                    std::map<std::string, std::string> extra) -> py::object {
    Module module(object.program, object.value);
    if (path) {
      py::gil_scoped_release release;
      save(module, *path, extra);
      return py::none();
    }
    std::string bytes;
    {
      py::gil_scoped_release release;
      bytes = saveToBytes(module, extra);
    }
    return py::bytes(bytes);
  });
}

} // namespace ember::python
