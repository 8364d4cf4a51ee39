//===- runtime/ScriptUnit.cpp - functions, classes and their c10 types ----===//
#include "runtime/ScriptUnit.h"
#include "ir/Constants.h"
#include "ir/CustomClasses.h"

#include <ATen/core/class_type.h>
#include <ATen/core/ivalue.h>
#include <torch/custom_class.h>

#include <algorithm>
#include <mutex>
#include <ATen/core/jit_type.h>

namespace ember::runtime {

namespace {
// Every live unit, so that an operator holding only an object (sorting a
// list of script objects by their __lt__) can find the object's methods.
std::mutex unitsMutex;
std::vector<ScriptUnit *> &liveUnits() {
  static std::vector<ScriptUnit *> units;
  return units;
}
} // namespace

ScriptUnit::ScriptUnit() {
  std::lock_guard<std::mutex> lock(unitsMutex);
  liveUnits().push_back(this);
}

ScriptUnit::~ScriptUnit() {
  std::lock_guard<std::mutex> lock(unitsMutex);
  auto &units = liveUnits();
  units.erase(std::remove(units.begin(), units.end(), this), units.end());
}

Function *ScriptUnit::methodOfObject(const c10::ivalue::Object &obj, const std::string &name) {
  std::vector<ScriptUnit *> units;
  {
    std::lock_guard<std::mutex> lock(unitsMutex);
    units = liveUnits();
  }
  for (ScriptUnit *unit : units)
    if (ScriptClass *cls = unit->findClass(obj.type().get()))
      return unit->findMethod(*cls, name);
  return nullptr;
}

Function *ScriptUnit::addFunction(const std::string &name, std::shared_ptr<Graph> graph) {
  std::unique_lock<std::shared_mutex> lock(mutex_);
  auto &slot = functions_[name];
  if (!slot)
    slot = std::make_unique<Function>(*this, name, std::move(graph));
  return slot.get();
}

Function *ScriptUnit::findFunction(const std::string &name) const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : it->second.get();
}

ScriptClass *ScriptUnit::addClass(const TypePtr &type) {
  std::unique_lock<std::shared_mutex> lock(mutex_);
  auto &slot = classes_[type->name()];
  if (!slot) {
    slot = std::make_unique<ScriptClass>();
    slot->type = type;
    // No compilation unit: ember's unit keeps the methods.
    slot->c10Type = c10::ClassType::create(c10::QualifiedName(type->name()), {}, type->isModule());
    byC10Type_[slot->c10Type.get()] = slot.get();
  }
  return slot.get();
}

void ScriptUnit::setAttributes(ScriptClass &cls,
                               const std::vector<std::pair<std::string, TypePtr>> &attrs,
                               const std::vector<std::string> &parameters,
                               const std::vector<std::string> &buffers) {
  auto has = [](const std::vector<std::string> &v, const std::string &n) {
    return std::find(v.begin(), v.end(), n) != v.end();
  };
  for (const auto &[name, type] : attrs) {
    if (cls.c10Type->hasAttribute(name))
      continue;
    cls.attributes.push_back({name, type});
    cls.c10Type->addAttribute(name, c10Type(type), has(parameters, name), has(buffers, name));
  }
}

void ScriptUnit::addMethod(ScriptClass &cls, const std::string &name, Function *fn) {
  std::unique_lock<std::shared_mutex> lock(mutex_);
  cls.methods[name] = fn;
}

Function *ScriptUnit::findMethod(ScriptClass &cls, const std::string &name) {
  {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    auto it = cls.methods.find(name);
    if (it != cls.methods.end())
      return it->second;
  }
  return methodLoader_ ? methodLoader_(cls, name) : nullptr;
}

ScriptClass *ScriptUnit::findClass(const std::string &qualName) const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  auto it = classes_.find(qualName);
  return it == classes_.end() ? nullptr : it->second.get();
}

ScriptClass *ScriptUnit::findClass(const c10::ClassType *type) const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  auto it = byC10Type_.find(type);
  return it == byC10Type_.end() ? nullptr : it->second;
}

c10::TypePtr ScriptUnit::c10Type(const TypePtr &t) const {
  using namespace c10;
  auto each = [&](const std::vector<ember::TypePtr> &ts) {
    std::vector<c10::TypePtr> out;
    for (const auto &e : ts)
      out.push_back(c10Type(e));
    return out;
  };
  switch (t->kind()) {
  case TypeKind::Tensor: return TensorType::get();
  case TypeKind::Int: case TypeKind::SymInt: return IntType::get();
  case TypeKind::Float: return FloatType::get();
  case TypeKind::Bool: return BoolType::get();
  case TypeKind::Str: return StringType::get();
  case TypeKind::Complex: return ComplexType::get();
  case TypeKind::None: return NoneType::get();
  case TypeKind::Number: return NumberType::get();
  case TypeKind::Device: return DeviceObjType::get();
  case TypeKind::Layout: return LayoutType::get();
  case TypeKind::ScalarType: return ScalarTypeType::get();
  case TypeKind::MemoryFormat: return MemoryFormatType::get();
  case TypeKind::Generator: return GeneratorType::get();
  case TypeKind::Stream: return StreamObjType::get();
  case TypeKind::Storage: return StorageType::get();
  case TypeKind::Capsule: return CapsuleType::get();
  case TypeKind::AnyList: return AnyListType::get();
  case TypeKind::AnyTuple: return AnyTupleType::get();
  case TypeKind::AnyClass: return AnyClassType::get();
  case TypeKind::AnyEnum: return AnyEnumType::get();
  case TypeKind::QScheme: return QSchemeType::get();
  case TypeKind::List: return ListType::create(c10Type(t->elem()));
  case TypeKind::Dict: return DictType::create(c10Type(t->contained()[0]), c10Type(t->contained()[1]));
  case TypeKind::Optional: return OptionalType::create(c10Type(t->elem()));
  case TypeKind::Union: return UnionType::create(each(t->contained()));
  case TypeKind::Future: return FutureType::create(c10Type(t->elem()));
  case TypeKind::Tuple:
    if (t->isNamedTuple()) {
      // An operator's named results (`max.dim`) make a NamedTuple with no name.
      c10::optional<QualifiedName> name;
      if (!t->name().empty())
        name = QualifiedName(t->name());
      return TupleType::createNamed(name, t->fieldNames(), each(t->contained()));
    }
    return TupleType::create(each(t->contained()));
  case TypeKind::Enum:
    if (c10::TypePtr e = c10EnumType(t))
      return e;
    return AnyEnumType::get();
  case TypeKind::Class:
    if (ScriptClass *c = findClass(t->name()))
      return c->c10Type;
    if (isCustomClassName(t->name()))
      if (c10::ClassTypePtr custom = torch::getCustomClass(t->name()))
        return custom;
    return AnyClassType::get();
  case TypeKind::Interface:
    // With no methods listed, any class (module) object fits: the compiler
    // checked the methods, and a call finds them on the object's class.
    return InterfaceType::create(QualifiedName(t->name()), t->isModule());
  default: return AnyType::get();
  }
}

} // namespace ember::runtime
