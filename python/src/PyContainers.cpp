//===- python/src/PyContainers.cpp - ScriptDict and ScriptList ------------===//
//
// `ember.script` of a dict or a list (torch.jit.script's ScriptDict and
// ScriptList): a container of one TorchScript type whose elements Python
// and compiled code share, so a compiled function's changes show in
// Python. This binds the container (`_C.ScriptContainer`): its type, and
// element access that converts, and checks, each key and value on the way
// in as a parameter of that type would be; the Python classes in
// _script_containers.py give it the dict and list protocols.
//
//===----------------------------------------------------------------------===//
#include "python/src/Bindings.h"

#include "frontend/Annotations.h"
#include "frontend/Parser.h"

#include <ATen/core/Dict.h>
#include <ATen/core/List.h>

namespace ember::python {
namespace {

runtime::ScriptUnit &noUnit() {
  static auto *unit = new runtime::ScriptUnit();
  return *unit;
}

/// The type an annotation's text names (`Dict[str, List[int]]`).
TypePtr annotationType(const std::string &text) {
  auto buffer = std::make_shared<SourceBuffer>(SourceBuffer{"<type>", text});
  return frontend::resolveAnnotation(*frontend::parseExpression(buffer)).type;
}

/// `key` as a key of the dict's type; throws `Error` when it is not one.
template <typename Error> c10::IValue keyOf(const ScriptContainerHandle &h, py::handle key) {
  try {
    return toIValue(key, h.type->contained()[0], noUnit());
  } catch (const py::type_error &) {
    throw Error(py::repr(key).cast<std::string>());
  }
}

/// A list index counted from the end when negative; IndexError when out
/// of range (`insert` may take the end).
size_t indexOf(const c10::List<c10::IValue> &list, int64_t i, bool insert = false) {
  int64_t size = int64_t(list.size());
  if (i < 0)
    i += size;
  if (insert)
    return size_t(std::clamp<int64_t>(i, 0, size));
  if (i < 0 || i >= size)
    throw py::index_error("list index out of range");
  return size_t(i);
}

void bindDictMethods(py::class_<ScriptContainerHandle> &c) {
  auto dict = [](ScriptContainerHandle &h) { return h.value.toGenericDict(); };
  c.def("dict_getitem",
        [dict](ScriptContainerHandle &h, py::handle key) {
          auto d = dict(h);
          auto it = d.find(keyOf<py::key_error>(h, key));
          if (it == d.end())
            throw py::key_error(py::repr(key).cast<std::string>());
          return toPython(it->value(), h.type->contained()[1], nullptr);
        })
      .def("dict_setitem",
           [dict](ScriptContainerHandle &h, py::handle key, py::handle value) {
             c10::IValue k = keyOf<py::type_error>(h, key);
             dict(h).insert_or_assign(k, toIValue(value, h.type->contained()[1], noUnit()));
           })
      .def("dict_delitem",
           [dict](ScriptContainerHandle &h, py::handle key) {
             if (!dict(h).erase(keyOf<py::type_error>(h, key)))
               throw py::key_error(py::repr(key).cast<std::string>());
           })
      // As torch.jit's ScriptDict: a key of another type is a KeyError.
      .def("dict_contains",
           [dict](ScriptContainerHandle &h, py::handle key) {
             return dict(h).contains(keyOf<py::key_error>(h, key));
           })
      .def("dict_keys", [dict](ScriptContainerHandle &h) {
        py::list out;
        for (const auto &e : dict(h))
          out.append(toPython(e.key(), h.type->contained()[0], nullptr));
        return out;
      });
}

void bindListMethods(py::class_<ScriptContainerHandle> &c) {
  c.def("list_getitem",
        [](ScriptContainerHandle &h, int64_t i) {
          auto list = h.value.toList();
          return toPython(list.get(indexOf(list, i)), h.type->elem(), nullptr);
        })
      .def("list_setitem",
           [](ScriptContainerHandle &h, int64_t i, py::handle value) {
             auto list = h.value.toList();
             size_t at = indexOf(list, i);
             list.set(at, toIValue(value, h.type->elem(), noUnit()));
           })
      .def("list_delitem",
           [](ScriptContainerHandle &h, int64_t i) {
             auto list = h.value.toList();
             list.erase(list.begin() + int64_t(indexOf(list, i)));
           })
      .def("list_insert", [](ScriptContainerHandle &h, int64_t i, py::handle value) {
        auto list = h.value.toList();
        c10::IValue v = toIValue(value, h.type->elem(), noUnit());
        list.insert(list.begin() + int64_t(indexOf(list, i, /*insert=*/true)), std::move(v));
      });
}

} // namespace

std::optional<c10::IValue> containerValue(py::handle obj, const TypePtr &type) {
  if (!py::hasattr(obj, "_c"))
    return std::nullopt;
  py::object c = obj.attr("_c");
  if (!py::isinstance<ScriptContainerHandle>(c))
    return std::nullopt;
  const auto &h = c.cast<ScriptContainerHandle &>();
  if (!h.type->equals(*type)) // shared, so the types must agree exactly
    throw py::type_error("expected a value of type '" + type->annotationStr() +
                         "' but found a script container of type '" + h.type->annotationStr() +
                         "'");
  return h.value;
}

void bindContainers(py::module_ &m) {
  py::class_<ScriptContainerHandle> c(m, "ScriptContainer");
  c.def(py::init([](py::handle data, const std::string &typeText) {
     TypePtr type = annotationType(typeText);
     if (type->kind() != TypeKind::Dict && type->kind() != TypeKind::List)
       throw py::type_error("a script container is a Dict or a List, not '" + typeText + "'");
     return ScriptContainerHandle{toIValue(data, type, noUnit()), type};
   }))
      .def_property_readonly("type", [](ScriptContainerHandle &h) { return h.type->annotationStr(); })
      .def("__len__", [](ScriptContainerHandle &h) {
        return h.value.isList() ? h.value.toListRef().size() : h.value.toGenericDict().size();
      });
  bindDictMethods(c);
  bindListMethods(c);
}

} // namespace ember::python
