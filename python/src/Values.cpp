//===- python/src/Values.cpp - Python objects <-> IValues -----------------===//
//
// The boundary: tensors cross as the same at::Tensor (THPVariable), so
// storage and autograd history are shared; containers are converted by the
// declared type, as TorchScript's argument matching does.
//
//===----------------------------------------------------------------------===//
#include "python/src/Values.h"
#include "ir/Constants.h"
#include "ir/CustomClasses.h"
#include "runtime/CustomObjects.h"

#include <torch/csrc/Device.h>
#include <torch/csrc/Dtype.h>
#include <torch/csrc/DynamicTypes.h>
#include <torch/csrc/Generator.h>
#include <torch/csrc/autograd/python_variable.h>

#include <ATen/core/class_type.h>
#include <ATen/core/enum_type.h>
#include <ATen/core/jit_type.h>

#include <map>

namespace ember::python {

namespace {

[[noreturn]] void mismatch(py::handle obj, const TypePtr &type) {
  throw py::type_error("expected a value of type '" + type->annotationStr() + "' but found '" +
                       std::string(py::str(py::type::handle_of(obj).attr("__name__"))) + "'");
}

/// False when `p` is a Python scalar of another kind than `kind`.
bool naturallyOf(PyObject *p, TypeKind kind) {
  switch (kind) {
  case TypeKind::Int: return PyLong_Check(p) && !PyBool_Check(p);
  case TypeKind::Float: return PyFloat_Check(p);
  case TypeKind::Bool: return PyBool_Check(p);
  default: return true;
  }
}

/// A collections.namedtuple class for a NamedTuple type, made once per
/// name and fields, as torch.jit returns NamedTuples to Python.
py::object namedTupleClass(const std::string &qualifiedName, const std::vector<std::string> &fields) {
  static auto &classes = *new std::map<std::pair<std::string, std::vector<std::string>>, py::object>();
  auto key = std::make_pair(qualifiedName, fields);
  auto it = classes.find(key);
  if (it != classes.end())
    return it->second;
  std::string name = qualifiedName.substr(qualifiedName.rfind('.') + 1);
  py::object cls = py::module_::import("collections").attr("namedtuple")(name, py::cast(fields));
  classes.emplace(key, cls);
  return cls;
}

} // namespace

/// The common type of `values` (Tensor, int, ...), Any when they differ.
static c10::TypePtr commonType(const std::vector<c10::IValue> &values) {
  c10::TypePtr t;
  for (const auto &v : values) {
    c10::TypePtr here = v.isTensor() ? c10::TensorType::get() : v.type();
    if (!t)
      t = here;
    else if (*t != *here)
      return c10::AnyType::get();
  }
  return t ? t : c10::TensorType::get();
}

/// A list or dict without a declared type: its element types are those
/// its values share (trace inputs and outputs: lists and dicts of tensors).
static c10::IValue containerInferred(py::handle obj) {
  if (PyList_Check(obj.ptr())) {
    std::vector<c10::IValue> elems;
    for (auto e : obj)
      elems.push_back(toIValueInferred(e));
    c10::impl::GenericList list(commonType(elems));
    for (auto &e : elems)
      list.push_back(std::move(e));
    return list;
  }
  std::vector<c10::IValue> keys, values;
  for (auto item : obj.cast<py::dict>()) {
    keys.push_back(toIValueInferred(item.first));
    values.push_back(toIValueInferred(item.second));
  }
  c10::impl::GenericDict dict(commonType(keys), commonType(values));
  for (size_t i = 0; i < keys.size(); ++i)
    dict.insert_or_assign(keys[i], values[i]);
  return dict;
}

/// A member of a Python Enum where no type is declared (an `Any`): of the
/// enum type the class compiles to (`__torch__.Color`), int, float or str
/// valued.
static c10::IValue enumInferred(py::handle obj) {
  py::tuple described =
      py::module_::import("ember._resolver").attr("_enum_description")(py::type::of(obj));
  std::vector<c10::EnumNameValue> members;
  c10::TypePtr valueType;
  for (auto m : described[1].cast<py::list>()) {
    auto pair = m.cast<py::tuple>();
    c10::IValue value = toIValueInferred(pair[1]);
    if (!value.isInt() && !value.isDouble() && !value.isString())
      throw py::type_error("cannot convert a member of enum '" + described[0].cast<std::string>() +
                           "': TorchScript enums hold int, float or str values");
    valueType = value.type();
    members.emplace_back(pair[0].cast<std::string>(), std::move(value));
  }
  auto type = c10::EnumType::create(c10::QualifiedName(described[0].cast<std::string>()),
                                    valueType, members, {});
  std::string name = obj.attr("name").cast<std::string>();
  for (const auto &[n, v] : members)
    if (n == name)
      return c10::IValue(c10::make_intrusive<c10::ivalue::EnumHolder>(type, name, v));
  throw py::type_error("'" + name + "' is not a member of its enum");
}

c10::IValue toIValueInferred(py::handle obj) {
  if (obj.is_none())
    return c10::IValue();
  if (THPVariable_Check(obj.ptr()))
    return THPVariable_Unpack(obj.ptr());
  if (PyBool_Check(obj.ptr()))
    return obj.cast<bool>();
  if (PyLong_Check(obj.ptr()))
    return obj.cast<int64_t>();
  if (PyFloat_Check(obj.ptr()))
    return obj.cast<double>();
  if (PyComplex_Check(obj.ptr()))
    return c10::complex<double>(PyComplex_RealAsDouble(obj.ptr()),
                                PyComplex_ImagAsDouble(obj.ptr()));
  if (PyUnicode_Check(obj.ptr()))
    return obj.cast<std::string>();
  if (THPDtype_Check(obj.ptr()))
    return int64_t(reinterpret_cast<THPDtype *>(obj.ptr())->scalar_type);
  if (THPDevice_Check(obj.ptr()))
    return reinterpret_cast<THPDevice *>(obj.ptr())->device;
  if (THPGenerator_Check(obj.ptr()))
    return reinterpret_cast<THPGenerator *>(obj.ptr())->cdata;
  if (PyTuple_Check(obj.ptr())) {
    std::vector<c10::IValue> elems;
    for (auto e : obj)
      elems.push_back(toIValueInferred(e));
    return c10::ivalue::Tuple::create(std::move(elems));
  }
  if (PyList_Check(obj.ptr()) || PyDict_Check(obj.ptr()))
    return containerInferred(obj);
  static py::handle enumBase = py::object(py::module_::import("enum").attr("Enum")).release();
  if (py::isinstance(obj, enumBase))
    return enumInferred(obj);
  throw py::type_error("cannot convert a '" +
                       std::string(py::str(py::type::handle_of(obj).attr("__name__"))) +
                       "' to a TorchScript value");
}

/// A value for a script class (or module) type: a script object as it is,
/// or a Python instance of the class as a new object with its attributes,
/// as TorchScript converts one. An instance of a subclass converts too,
/// read as the annotated class (torchvision's SSDMatcher in a `Matcher`
/// attribute): script classes have no inheritance.
/// The script object of `obj` (a script object, or a scripted module whose
/// script object is `_c`), checked against `type`; nothing if it has none.
static std::optional<c10::IValue> scriptObjectIn(py::handle obj, const TypePtr &type,
                                                 const runtime::ScriptUnit &unit) {
  py::handle handle = obj;
  if (!py::isinstance<ScriptObjectHandle>(handle)) {
    if (!py::hasattr(obj, "_c") || !py::isinstance<ScriptObjectHandle>(obj.attr("_c")))
      return std::nullopt;
    handle = obj.attr("_c");
  }
  c10::IValue v = handle.cast<ScriptObjectHandle &>().value;
  if (std::string why = whyNotOfType(v, type, unit); !why.empty())
    throw py::type_error(why);
  return v;
}

static c10::IValue scriptObjectOf(py::handle obj, const TypePtr &type,
                                  const runtime::ScriptUnit &unit) {
  if (auto v = scriptObjectIn(obj, type, unit))
    return *v;
  const runtime::ScriptClass *cls = unit.findClass(type->name());
  std::string shortName = type->name().substr(type->name().rfind('.') + 1);
  bool named = false;
  for (py::handle base : py::type::handle_of(obj).attr("__mro__"))
    named = named || std::string(py::str(base.attr("__name__"))) == shortName;
  if (!cls || type->isModule())
    mismatch(obj, type);
  // TorchScript's words when the object lacks an attribute of the class.
  for (const auto &[name, t] : cls->attributes)
    if (!py::hasattr(obj, name.c_str()))
      throw py::type_error("Tried to cast object to type " + type->annotationStr() +
                           " but object was missing attribute " + name);
  if (!named)
    mismatch(obj, type);
  auto object = c10::ivalue::Object::create(c10::StrongTypePtr(nullptr, cls->c10Type),
                                            cls->c10Type->numAttributes());
  for (size_t i = 0; i < cls->attributes.size(); ++i) {
    const auto &[name, t] = cls->attributes[i];
    try {
      object->setSlot(i, toIValue(obj.attr(name.c_str()), t, unit));
    } catch (const py::type_error &e) {
      throw py::type_error("Could not cast attribute '" + name + "' to type " +
                           t->annotationStr() + ": " + e.what());
    }
  }
  return object;
}

/// A torchbind object (torch.ScriptObject) of the class `type` names: its
/// `__getstate__()` from Python is (state, class name), as pickling it
/// gives; ember makes its own object of the class from that state (packed
/// weights are packed again), so the two are not one object.
static c10::IValue customObjectOf(py::handle obj, const TypePtr &type) {
  static py::handle scriptObject =
      py::object(py::module_::import("torch").attr("ScriptObject")).release();
  if (!py::isinstance(obj, scriptObject))
    mismatch(obj, type);
  py::tuple stateAndName = obj.attr("__getstate__")();
  if (stateAndName.size() != 2 || stateAndName[1].cast<std::string>() != type->name())
    mismatch(obj, type);
  auto setState = customClassMethod(type->name(), "__setstate__");
  if (!setState || setState->arguments.size() != 2)
    throw py::type_error("the custom class '" + type->name() + "' has no __setstate__");
  runtime::ScriptUnit none;
  c10::IValue object;
  try {
    object = runtime::newCustomObject(type->name());
    runtime::setCustomObjectState(object,
                                  toIValue(stateAndName[0], setState->arguments[1].type, none));
  } catch (const std::invalid_argument &e) {
    throw py::type_error(e.what());
  }
  return object;
}

/// A torch.ScriptObject of the custom class object `v`, made from its state
/// as unpickling one does.
static py::object customObjectToPython(const c10::IValue &v,
                                       const std::shared_ptr<ScriptProgram> &program) {
  py::object state = toPython(runtime::customObjectState(v), nullptr, program);
  py::object cls = py::module_::import("torch").attr("ScriptObject");
  py::object out = cls.attr("__new__")(cls);
  out.attr("__setstate__")(py::make_tuple(state, v.toObjectRef().type()->name()->qualifiedName()));
  return out;
}

/// An int, float, bool or complex from what torch.jit's pybind11 casts
/// accept for it.
static c10::IValue numberToIValue(py::handle obj, const TypePtr &type) {
  PyObject *p = obj.ptr();
  switch (type->kind()) {
  case TypeKind::Int:
  case TypeKind::SymInt:
    // A dtype is an int in TorchScript (an attribute `self.dtype`).
    if (THPDtype_Check(p))
      return int64_t(reinterpret_cast<THPDtype *>(p)->scalar_type);
    // As torch.jit's pybind11 casts: an int, a bool or anything with
    // __index__ (a one-element integer tensor, a numpy integer).
    if (!PyLong_Check(p)) {
      if (THPVariable_Check(p) && THPVariable_Unpack(p).numel() == 1)
        return THPVariable_Unpack(p).item().toLong();
      if (!PyIndex_Check(p))
        mismatch(obj, type);
    }
    return obj.cast<int64_t>();
  case TypeKind::Float: {
    // Anything with __float__, as torch.jit's pybind11 cast.
    if (PyUnicode_Check(p))
      mismatch(obj, type);
    double d = PyFloat_AsDouble(p);
    if (d == -1.0 && PyErr_Occurred()) {
      PyErr_Clear();
      mismatch(obj, type);
    }
    return d;
  }
  case TypeKind::Bool:
    // True, False, None, or anything with __bool__ (numbers, tensors), as
    // torch.jit's pybind11 cast.
    if (PyBool_Check(p) || obj.is_none() ||
        (Py_TYPE(p)->tp_as_number && Py_TYPE(p)->tp_as_number->nb_bool)) {
      int truth = PyObject_IsTrue(p);
      if (truth < 0) {
        PyErr_Clear();
        mismatch(obj, type);
      }
      return truth == 1;
    }
    mismatch(obj, type);
  case TypeKind::Complex: {
    // Anything with __complex__, __float__ or __index__, as torch.jit's
    // pybind11 cast.
    if (PyUnicode_Check(p))
      mismatch(obj, type);
    Py_complex c = PyComplex_AsCComplex(p);
    if (c.real == -1.0 && PyErr_Occurred()) {
      PyErr_Clear();
      mismatch(obj, type);
    }
    return c10::complex<double>(c.real, c.imag);
  }
  default:
    mismatch(obj, type);
  }
}

c10::IValue toIValue(py::handle obj, const TypePtr &type, const runtime::ScriptUnit &unit) {
  PyObject *p = obj.ptr();
  switch (type->kind()) {
  case TypeKind::Tensor:
    if (!THPVariable_Check(p))
      mismatch(obj, type);
    return THPVariable_Unpack(p);
  case TypeKind::Int:
  case TypeKind::SymInt:
  case TypeKind::Float:
  case TypeKind::Bool:
  case TypeKind::Complex:
    return numberToIValue(obj, type);
  case TypeKind::Str:
    if (!PyUnicode_Check(p))
      mismatch(obj, type);
    return obj.cast<std::string>();
  case TypeKind::Number:
    if (PyComplex_Check(p))
      return c10::complex<double>(PyComplex_RealAsDouble(p), PyComplex_ImagAsDouble(p));
    return toIValueInferred(obj);
  case TypeKind::None:
    if (!obj.is_none())
      mismatch(obj, type);
    return c10::IValue();
  case TypeKind::Optional:
    return obj.is_none() ? c10::IValue() : toIValue(obj, type->elem(), unit);
  case TypeKind::Enum: {
    // A member of the Python Enum class the type was compiled from.
    const auto &members = type->enumMembers();
    std::string shortName = type->name().substr(type->name().rfind('.') + 1);
    static py::handle enumBase = py::object(py::module_::import("enum").attr("Enum")).release();
    if (py::isinstance(obj, enumBase) &&
        py::str(py::type::of(obj).attr("__name__")).cast<std::string>() == shortName) {
      std::string name = obj.attr("name").cast<std::string>();
      for (size_t i = 0; i < members.size(); ++i)
        if (members[i].name == name)
          return enumMemberValue(type, i);
    }
    mismatch(obj, type);
  }
  case TypeKind::Union:
    // A member by the value's own type, as torch.jit infers it: 1 is an
    // int even where the Union also holds float or bool.
    for (const TypePtr &alt : type->contained()) {
      if (!naturallyOf(p, alt->kind()))
        continue;
      try {
        return toIValue(obj, alt, unit);
      } catch (const py::type_error &) {
      }
    }
    mismatch(obj, type);
  case TypeKind::List: {
    if (!PyList_Check(p) && !PyTuple_Check(p)) {
      if (auto shared = containerValue(obj, type))
        return *shared;
      mismatch(obj, type);
    }
    c10::impl::GenericList l(unit.c10Type(type->elem()));
    for (auto e : obj)
      l.push_back(toIValue(e, type->elem(), unit));
    return l;
  }
  case TypeKind::Tuple: {
    if (!PyTuple_Check(p) || py::len(obj) != type->contained().size())
      mismatch(obj, type);
    std::vector<c10::IValue> elems;
    size_t i = 0;
    for (auto e : obj)
      elems.push_back(toIValue(e, type->contained()[i++], unit));
    if (type->isNamedTuple())
      return c10::ivalue::Tuple::createNamed(std::move(elems),
                                             unit.c10Type(type)->expect<c10::TupleType>());
    return c10::ivalue::Tuple::create(std::move(elems));
  }
  case TypeKind::Dict: {
    if (!PyDict_Check(p)) {
      if (auto shared = containerValue(obj, type))
        return *shared;
      mismatch(obj, type);
    }
    const TypePtr &k = type->contained()[0], &v = type->contained()[1];
    c10::impl::GenericDict d(unit.c10Type(k), unit.c10Type(v));
    for (auto item : py::reinterpret_borrow<py::dict>(obj))
      d.insert_or_assign(toIValue(item.first, k, unit), toIValue(item.second, v, unit));
    return d;
  }
  case TypeKind::Device:
    if (THPDevice_Check(p))
      return reinterpret_cast<THPDevice *>(p)->device;
    if (PyUnicode_Check(p))
      return c10::Device(obj.cast<std::string>());
    mismatch(obj, type);
  case TypeKind::Generator:
    if (!THPGenerator_Check(p))
      mismatch(obj, type);
    return reinterpret_cast<THPGenerator *>(p)->cdata;
  case TypeKind::ScalarType:
    if (!THPDtype_Check(p))
      mismatch(obj, type);
    return int64_t(reinterpret_cast<THPDtype *>(p)->scalar_type);
  case TypeKind::Interface:
    // A scripted object of any class that implements it.
    if (auto v = scriptObjectIn(obj, type, unit))
      return *v;
    mismatch(obj, type);
  case TypeKind::Class:
    if (isCustomClassName(type->name()))
      return customObjectOf(obj, type);
    return scriptObjectOf(obj, type, unit);
  default:
    return toIValueInferred(obj);
  }
}

py::object toPython(const c10::IValue &v, const TypePtr &type,
                    const std::shared_ptr<ScriptProgram> &program) {
  if (v.isNone())
    return py::none();
  if (v.isTensor())
    return py::reinterpret_steal<py::object>(THPVariable_Wrap(v.toTensor()));
  if (v.isBool())
    return py::bool_(v.toBool());
  if (v.isInt()) {
    if (type && type->kind() == TypeKind::ScalarType)
      return py::reinterpret_borrow<py::object>(
          reinterpret_cast<PyObject *>(torch::getTHPDtype(c10::ScalarType(v.toInt()))));
    return py::int_(v.toInt());
  }
  if (v.isDouble())
    return py::float_(v.toDouble());
  if (v.isComplexDouble()) {
    auto c = v.toComplexDouble();
    return py::reinterpret_steal<py::object>(PyComplex_FromDoubles(c.real(), c.imag()));
  }
  if (v.isString())
    return py::str(v.toStringRef());
  if (v.isDevice())
    return py::reinterpret_steal<py::object>(THPDevice_New(v.toDevice()));
  if (v.isGenerator())
    return py::reinterpret_steal<py::object>(THPGenerator_Wrap(v.toGenerator()));
  auto elemType = [&](size_t i) -> TypePtr {
    return type && i < type->contained().size() ? type->contained()[i] : nullptr;
  };
  if (v.isList()) {
    py::list out;
    TypePtr elem = type && type->kind() == TypeKind::List ? type->elem() : nullptr;
    for (const c10::IValue &e : v.toListRef())
      out.append(toPython(e, elem, program));
    return out;
  }
  if (v.isTuple()) {
    const auto &elems = v.toTupleRef().elements();
    py::tuple out(elems.size());
    for (size_t i = 0; i < elems.size(); ++i)
      out[i] = toPython(elems[i], elemType(i), program);
    if (type && type->isNamedTupleClass())
      return namedTupleClass(type->name(), type->fieldNames())(*out);
    return out;
  }
  if (v.isGenericDict()) {
    py::dict out;
    for (const auto &e : v.toGenericDict())
      out[toPython(e.key(), elemType(0), program)] = toPython(e.value(), elemType(1), program);
    return out;
  }
  if (v.isObject() && isCustomClassName(v.toObjectRef().type()->name()->qualifiedName()))
    return customObjectToPython(v, program);
  if (v.isObject()) {
    // With the program that made it, which knows its methods.
    auto owner = programOwning(v.toObjectRef().type().get());
    return py::cast(ScriptObjectHandle{v, owner ? owner : program});
  }
  if (v.isEnum()) {
    // The Python class it was compiled from (made up for one only loaded).
    const auto &e = v.toEnumHolder();
    py::list members;
    for (const auto &[name, value] : e->type()->enumNamesValues())
      members.append(py::make_tuple(name, toPython(value, nullptr, program)));
    return py::module_::import("ember._resolver")
        .attr("_enum_member")(e->qualifiedClassName(), e->name(), members);
  }
  throw py::type_error("cannot convert a TorchScript '" + v.tagKind() + "' to Python");
}

} // namespace ember::python
