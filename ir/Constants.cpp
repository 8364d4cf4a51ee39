//===- ir/Constants.cpp - constant payloads as c10::IValue ----------------===//
//
// How a constant is stored follows TorchScript's insertConstant (reference
// §1.4): bools as `i` 0/1, devices as strings, None with no attribute,
// tensors (never requiring grad) as `t`, other containers as `ival`.
//
//===----------------------------------------------------------------------===//
#include "ir/Constants.h"
#include "ir/CustomClasses.h"

#include <ATen/core/Dict.h>
#include <ATen/core/List.h>
#include <ATen/core/class_type.h>
#include <ATen/core/enum_type.h>
#include <ATen/core/jit_type.h>

#include <map>
#include <mutex>
#include <variant>

namespace ember {

bool isConstant(const Value *v) { return v->node()->kind() == prim::Constant(); }

TypePtr completeTensorType(const at::Tensor &t) {
  TensorInfo info;
  info.dtype = t.scalar_type();
  info.sizes.emplace();
  bool strided = t.layout() == at::kStrided; // sparse tensors have no strides
  if (strided)
    info.strides.emplace();
  for (int64_t d = 0; d < t.dim(); ++d) {
    info.sizes->push_back(t.size(d));
    if (strided)
      info.strides->push_back(t.stride(d));
  }
  info.device = t.device();
  info.requiresGrad = t.requires_grad();
  return Type::tensor(std::move(info));
}

c10::TypePtr c10EnumType(const TypePtr &enumType) {
  const auto &members = enumType->enumMembers();
  if (members.empty())
    return nullptr;
  // Enum types compare by name, value type and members, so one c10 type per
  // ember type object is as good as one per name.
  static std::mutex mutex;
  static std::map<const Type *, std::pair<TypePtr, c10::TypePtr>> made;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = made.find(enumType.get());
  if (it != made.end())
    return it->second.second;
  std::vector<c10::EnumNameValue> values;
  for (const auto &m : members)
    values.emplace_back(m.name, std::visit([](const auto &x) { return c10::IValue(x); }, m.value));
  c10::TypePtr valueType = members[0].value.index() == 0   ? c10::TypePtr(c10::IntType::get())
                           : members[0].value.index() == 1 ? c10::TypePtr(c10::FloatType::get())
                                                           : c10::TypePtr(c10::StringType::get());
  auto t = c10::EnumType::create(c10::QualifiedName(enumType->name()), valueType, values, {});
  made[enumType.get()] = {enumType, t};
  return t;
}

c10::IValue enumMemberValue(const TypePtr &enumType, size_t index) {
  const EnumMember &m = enumType->enumMembers().at(index);
  c10::IValue value = std::visit([](const auto &x) { return c10::IValue(x); }, m.value);
  return c10::IValue(c10::make_intrusive<c10::ivalue::EnumHolder>(
      c10EnumType(enumType)->expect<c10::EnumType>(), m.name, std::move(value)));
}

TypePtr typeOfIValue(const c10::IValue &v, const TypePtr &hint) {
  if (hint && !hint->hasFreeVariables() && hint->kind() != TypeKind::Any)
    return hint;
  if (v.isNone())
    return Type::get(TypeKind::None);
  if (v.isBool())
    return Type::get(TypeKind::Bool);
  if (v.isInt())
    return Type::get(TypeKind::Int);
  if (v.isDouble())
    return Type::get(TypeKind::Float);
  if (v.isComplexDouble())
    return Type::get(TypeKind::Complex);
  if (v.isString())
    return Type::get(TypeKind::Str);
  if (v.isDevice())
    return Type::get(TypeKind::Device);
  if (v.isTensor())
    return completeTensorType(v.toTensor());
  if (v.isGenerator())
    return Type::get(TypeKind::Generator);
  if (v.isEnum())
    return Type::enumType(v.toEnumHolder()->qualifiedClassName());
  if (v.isObject())
    return Type::classType(v.toObjectRef().type()->name()->qualifiedName(), /*isModule=*/false);
  if (v.isTuple()) {
    std::vector<TypePtr> elems;
    for (const auto &e : v.toTupleRef().elements())
      elems.push_back(typeOfIValue(e));
    return Type::tuple(std::move(elems));
  }
  if (v.isList()) {
    auto elemType = v.toList().elementType();
    std::string s = elemType->str();
    if (s == "int")
      return Type::list(Type::get(TypeKind::Int));
    if (s == "float")
      return Type::list(Type::get(TypeKind::Float));
    if (s == "bool")
      return Type::list(Type::get(TypeKind::Bool));
    if (s == "str")
      return Type::list(Type::get(TypeKind::Str));
    if (s == "Tensor")
      return Type::list(Type::tensor());
    if (s == "complex")
      return Type::list(Type::get(TypeKind::Complex));
    auto list = v.toList();
    if (list.size() > 0)
      return Type::list(typeOfIValue(list.get(0)).get()->unrefined());
    return Type::list(Type::get(TypeKind::Any));
  }
  return Type::get(TypeKind::Any);
}

static std::optional<c10::IValue> listOf(const AttributeValue &a) {
  switch (a.kind) {
  case AttributeKind::is: return c10::IValue(a.is);
  case AttributeKind::fs: return c10::IValue(a.fs);
  case AttributeKind::ss: return c10::IValue(a.ss);
  case AttributeKind::cs: {
    c10::List<c10::complex<double>> l;
    for (const auto &c : a.cs)
      l.push_back(c10::complex<double>(c.real(), c.imag()));
    return c10::IValue(l);
  }
  default: return std::nullopt;
  }
}

std::optional<c10::IValue> constantValue(const Value *v) {
  const Node *n = v->node();
  if (n->kind() != prim::Constant())
    return std::nullopt;
  const TypePtr &type = v->type();
  const AttributeValue *a = n->findAttribute(attr::value());
  if (!a)
    return type->kind() == TypeKind::None || type->kind() == TypeKind::Optional
               ? std::optional<c10::IValue>(c10::IValue())
               : std::nullopt;
  switch (a->kind) {
  case AttributeKind::i:
    if (type->kind() == TypeKind::Bool)
      return c10::IValue(a->i != 0);
    return c10::IValue(a->i);
  case AttributeKind::f: return c10::IValue(a->f);
  case AttributeKind::c: return c10::IValue(c10::complex<double>(a->c.real(), a->c.imag()));
  case AttributeKind::s:
    if (type->kind() == TypeKind::Device) {
      try {
        return c10::IValue(c10::Device(a->s));
      } catch (const std::exception &) {
        return std::nullopt;
      }
    }
    return c10::IValue(a->s);
  case AttributeKind::is:
  case AttributeKind::fs:
  case AttributeKind::ss:
  case AttributeKind::cs: return listOf(*a);
  case AttributeKind::t:
  case AttributeKind::ts:
  case AttributeKind::ival:
    if (a->ival)
      return *a->ival;
    return std::nullopt;
  default: return std::nullopt;
  }
}

std::optional<int64_t> constantInt(const Value *v) {
  auto c = constantValue(v);
  if (c && c->isInt())
    return c->toInt();
  return std::nullopt;
}

std::optional<bool> constantBool(const Value *v) {
  auto c = constantValue(v);
  if (c && c->isBool())
    return c->toBool();
  return std::nullopt;
}

static bool insertable(const c10::IValue &v) {
  if (v.isTensor())
    return !v.toTensor().requires_grad();
  if (v.isTuple()) {
    for (const auto &e : v.toTupleRef().elements())
      if (!insertable(e))
        return false;
    return true;
  }
  if (v.isList()) {
    for (const auto &e : v.toListRef())
      if (!insertable(e))
        return false;
    return true;
  }
  if (v.isGenericDict()) {
    for (const auto &e : v.toGenericDict())
      if (!insertable(e.key()) || !insertable(e.value()))
        return false;
    return true;
  }
  // A C++ custom class object (packed weights in a frozen quantized
  // model): a constant as TorchScript's freezing makes it, `object(0x...)`.
  if (v.isObject())
    return isCustomClassName(v.toObjectRef().type()->name()->qualifiedName());
  return v.isNone() || v.isBool() || v.isInt() || v.isDouble() || v.isString() ||
         v.isDevice() || v.isComplexDouble() || v.isEnum();
}

Value *Graph::insertConstant(const c10::IValue &v, TypePtr type) {
  if (!insertable(v))
    return nullptr;
  Node *n = create(prim::Constant());
  AttributeValue a;
  TypePtr outType = type;
  if (v.isNone()) {
    outType = Type::get(TypeKind::None);
  } else if (v.isBool()) {
    a.kind = AttributeKind::i;
    a.i = v.toBool();
    outType = Type::get(TypeKind::Bool);
  } else if (v.isInt()) {
    a.kind = AttributeKind::i;
    a.i = v.toInt();
    if (!outType || outType->kind() != TypeKind::Int)
      outType = Type::get(TypeKind::Int);
  } else if (v.isDouble()) {
    a.kind = AttributeKind::f;
    a.f = v.toDouble();
    outType = Type::get(TypeKind::Float);
  } else if (v.isComplexDouble()) {
    a.kind = AttributeKind::c;
    auto c = v.toComplexDouble();
    a.c = {c.real(), c.imag()};
    outType = Type::get(TypeKind::Complex);
  } else if (v.isString()) {
    a.kind = AttributeKind::s;
    a.s = v.toStringRef();
    outType = Type::get(TypeKind::Str);
  } else if (v.isDevice()) {
    a.kind = AttributeKind::s;
    a.s = v.toDevice().str();
    outType = Type::get(TypeKind::Device);
  } else if (v.isIntList()) {
    a.kind = AttributeKind::is;
    a.is = v.toIntVector();
    outType = Type::list(Type::get(TypeKind::Int));
  } else if (v.isDoubleList()) {
    a.kind = AttributeKind::fs;
    a.fs = v.toDoubleVector();
    outType = Type::list(Type::get(TypeKind::Float));
  } else if (v.isTensor()) {
    a.kind = AttributeKind::t;
    a.ival = std::make_shared<c10::IValue>(v);
    outType = completeTensorType(v.toTensor());
  } else if (v.isTensorList()) {
    a.kind = AttributeKind::ts;
    a.ival = std::make_shared<c10::IValue>(v);
    outType = Type::list(Type::tensor());
  } else {
    a.kind = AttributeKind::ival;
    a.ival = std::make_shared<c10::IValue>(v);
    outType = typeOfIValue(v, type);
  }
  if (v.isString() && type && type->kind() == TypeKind::Str)
    outType = type;
  if (!v.isNone())
    n->setAttribute(attr::value(), std::move(a));
  n->output()->setType(outType);
  insertNode(n);
  return n->output();
}

} // namespace ember

namespace ember {

static bool ivalueEquals(const c10::IValue &a, const c10::IValue &b);

template <typename Seq> static bool elementsEqual(const Seq &x, const Seq &y) {
  if (x.size() != y.size())
    return false;
  for (size_t i = 0; i < x.size(); ++i)
    if (!ivalueEquals(x[i], y[i]))
      return false;
  return true;
}

static bool ivalueEquals(const c10::IValue &a, const c10::IValue &b) {
  if (a.isTensor() && b.isTensor()) {
    const at::Tensor &x = a.toTensor(), &y = b.toTensor();
    return x.scalar_type() == y.scalar_type() && x.device() == y.device() &&
           x.sizes() == y.sizes() && x.strides() == y.strides() && x.equal(y);
  }
  if (a.isTuple() && b.isTuple())
    return elementsEqual(a.toTupleRef().elements(), b.toTupleRef().elements());
  if (a.isList() && b.isList())
    return elementsEqual(a.toListRef(), b.toListRef());
  if (a.isTensor() || b.isTensor() || a.isObject() || b.isObject())
    return false;
  if (a.isGenericDict() || b.isGenericDict())
    return a.isSameIdentity(b);
  try {
    return a == b;
  } catch (const std::exception &) {
    return false;
  }
}

bool sameAttributes(const Node &a, const Node &b) {
  const auto &x = a.attributes(), &y = b.attributes();
  if (x.size() != y.size())
    return false;
  for (size_t i = 0; i < x.size(); ++i)
    if (x[i].first != y[i].first || !x[i].second.equals(y[i].second))
      return false;
  return true;
}

bool AttributeValue::equals(const AttributeValue &o) const {
  if (kind != o.kind)
    return false;
  switch (kind) {
  case AttributeKind::i: return i == o.i;
  case AttributeKind::f: return f == o.f || (std::isnan(f) && std::isnan(o.f));
  case AttributeKind::c: return c == o.c;
  case AttributeKind::s: return s == o.s;
  case AttributeKind::is: return is == o.is;
  case AttributeKind::fs: return fs == o.fs;
  case AttributeKind::cs: return cs == o.cs;
  case AttributeKind::ss: return ss == o.ss;
  case AttributeKind::ty: return ty->equals(*o.ty);
  case AttributeKind::tys:
    if (tys.size() != o.tys.size())
      return false;
    for (size_t k = 0; k < tys.size(); ++k)
      if (!tys[k]->equals(*o.tys[k]))
        return false;
    return true;
  case AttributeKind::g: return g == o.g;
  case AttributeKind::gs: return gs == o.gs;
  case AttributeKind::t:
  case AttributeKind::ts:
  case AttributeKind::ival:
    if (!ival || !o.ival)
      return ival == o.ival;
    return ivalueEquals(*ival, *o.ival);
  }
  return false;
}

} // namespace ember
