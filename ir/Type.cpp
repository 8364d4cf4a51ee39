//===- ir/Type.cpp - TorchScript types: printing, subtyping, unification --===//
//
// Printing follows aten/src/ATen/core/type.cpp: the graph-dump form
// (`operator<<` there, `str()` here) recurses with itself into lists,
// optionals, futures and tuples, but uses the plainer `Type::str()` form
// (`plainStr()` here) inside dicts and unions, where a refined tensor is just
// `Tensor`.
//
//===----------------------------------------------------------------------===//
#include "ir/Type.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <sstream>
#include <unordered_map>

namespace ember {

struct TypeBuilder {
  static std::shared_ptr<Type> make(TypeKind kind) { return std::make_shared<Type>(kind); }
  static std::vector<TypePtr> &contained(Type &t) { return t.contained_; }
  static std::string &name(Type &t) { return t.name_; }
  static std::vector<std::string> &fieldNames(Type &t) { return t.fieldNames_; }
  static TensorInfo &tensor(Type &t) { return t.tensor_; }
  static bool &isModule(Type &t) { return t.isModule_; }
  static std::vector<EnumMember> &enumMembers(Type &t) { return t.enumMembers_; }
};

bool TensorInfo::operator==(const TensorInfo &o) const {
  return dtype == o.dtype && sizes == o.sizes && strides == o.strides && device == o.device &&
         requiresGrad == o.requiresGrad && undefined == o.undefined;
}

int typeVerbosity() {
  static int level = [] {
    const char *env = std::getenv("PYTORCH_JIT_TYPE_VERBOSITY");
    return env ? std::atoi(env) : 3;
  }();
  return level;
}

namespace {

struct NameTable {
  std::vector<std::pair<c10::ScalarType, std::string>> entries;
  NameTable() {
#define EMBER_SCALAR_NAME(_, name) entries.emplace_back(c10::ScalarType::name, #name);
    AT_FORALL_SCALAR_TYPES_WITH_COMPLEX_AND_QINTS(EMBER_SCALAR_NAME)
#undef EMBER_SCALAR_NAME
  }
};

const NameTable &scalarNames() {
  static NameTable table;
  return table;
}

const char *simpleName(TypeKind kind) {
  switch (kind) {
  case TypeKind::Tensor: return "Tensor";
  case TypeKind::Int: return "int";
  case TypeKind::Float: return "float";
  case TypeKind::Bool: return "bool";
  case TypeKind::Str: return "str";
  case TypeKind::Complex: return "complex";
  case TypeKind::None: return "NoneType";
  case TypeKind::Number: return "Scalar";
  case TypeKind::Device: return "Device";
  case TypeKind::Layout: return "Layout";
  case TypeKind::ScalarType: return "ScalarType";
  case TypeKind::MemoryFormat: return "MemoryFormat";
  case TypeKind::Generator: return "Generator";
  case TypeKind::Stream: return "Stream";
  case TypeKind::Storage: return "Storage";
  case TypeKind::Capsule: return "Capsule";
  case TypeKind::Any: return "Any";
  case TypeKind::AnyList: return "list";
  case TypeKind::AnyTuple: return "tuple";
  case TypeKind::AnyClass: return "AnyClassType";
  case TypeKind::AnyEnum: return "AnyEnumType";
  case TypeKind::Function: return "Function";
  case TypeKind::SymInt: return "SymInt";
  case TypeKind::Quantizer: return "Quantizer";
  case TypeKind::QScheme: return "QScheme";
  case TypeKind::Dimname: return "Dimname";
  default: return nullptr;
  }
}

void printTensor(std::ostream &out, const TensorInfo &t) {
  int verbosity = typeVerbosity();
  if (t.dtype) {
    out << scalarTypeName(*t.dtype);
    if (!t.sizes)
      out << "Tensor";
  } else {
    out << "Tensor";
  }
  if (verbosity >= 1 && t.sizes) {
    size_t ndim = t.sizes->size();
    bool stridesKnown = ndim > 0 && t.strides && t.strides->size() == ndim;
    if (stridesKnown)
      for (const auto &s : *t.strides)
        stridesKnown = stridesKnown && s.has_value();
    out << "(";
    size_t i = 0;
    for (; i < ndim; ++i) {
      if (i > 0)
        out << ", ";
      if ((*t.sizes)[i])
        out << *(*t.sizes)[i];
      else
        out << "*";
    }
    if (stridesKnown && verbosity >= 2) {
      out << ", strides=[";
      for (size_t j = 0; j < ndim; ++j)
        out << (j ? ", " : "") << *(*t.strides)[j];
      out << "]";
    }
    if (verbosity >= 3) {
      if (t.requiresGrad)
        out << (i++ > 0 ? ", " : "") << "requires_grad=" << int(*t.requiresGrad);
      if (t.device)
        out << (i++ > 0 ? ", " : "") << "device=" << t.device->str();
    }
    out << ")";
  } else if (verbosity >= 3) {
    size_t i = 0;
    if (t.requiresGrad) {
      out << "(requires_grad=" << int(*t.requiresGrad);
      i++;
    }
    if (t.device)
      out << (i++ > 0 ? ", " : "(") << "device=" << t.device->str();
    if (i > 0)
      out << ")";
  }
  if (t.undefined && *t.undefined)
    out << "[Undefined]";
}

// TorchScript's `Type::str()`.
std::string plainStr(const Type &t);

void printUnion(std::ostream &out, const Type &t, bool annotation) {
  // A union holding int, float and complex prints them as one `number`,
  // last, as TorchScript's unionStr does.
  auto isNumber = [](const TypePtr &a) {
    return a->kind() == TypeKind::Int || a->kind() == TypeKind::Float ||
           a->kind() == TypeKind::Complex;
  };
  bool holdsNumber =
      std::count_if(t.contained().begin(), t.contained().end(), isNumber) == 3;
  out << (annotation ? "Union[" : "Union(");
  const char *sep = "";
  for (const auto &alt : t.contained()) {
    if (holdsNumber && isNumber(alt))
      continue;
    out << sep << (annotation ? alt->annotationStr() : plainStr(*alt));
    sep = ", ";
  }
  if (holdsNumber)
    out << sep << (annotation ? "number" : "Scalar");
  out << (annotation ? "]" : ")");
}

std::string plainStr(const Type &t) {
  std::ostringstream out;
  switch (t.kind()) {
  case TypeKind::List: out << plainStr(*t.elem()) << "[]"; break;
  case TypeKind::Optional: out << plainStr(*t.elem()) << "?"; break;
  case TypeKind::Future: out << "Future(" << plainStr(*t.elem()) << ")"; break;
  case TypeKind::RRef: out << "RRef(" << plainStr(*t.elem()) << ")"; break;
  case TypeKind::Dict:
    out << "Dict(" << plainStr(*t.contained()[0]) << ", " << plainStr(*t.contained()[1]) << ")";
    break;
  case TypeKind::Tuple:
    if (t.isNamedTupleClass()) {
      out << t.name();
    } else {
      out << "(";
      for (size_t i = 0; i < t.contained().size(); ++i)
        out << (i ? ", " : "") << plainStr(*t.contained()[i]);
      out << ")";
    }
    break;
  case TypeKind::Union: printUnion(out, t, /*annotation=*/false); break;
  case TypeKind::Class: out << t.name(); break;
  case TypeKind::Interface:
    // As TorchScript's InterfaceType::str(): the unqualified name.
    out << "InterfaceType<" << t.name().substr(t.name().rfind('.') + 1) << ">";
    break;
  case TypeKind::Enum: out << "Enum<" << t.name() << ">"; break;
  case TypeKind::Var: out << t.name(); break;
  default: out << simpleName(t.kind()); break;
  }
  return out.str();
}

} // namespace

std::string scalarTypeName(c10::ScalarType t) {
  for (const auto &e : scalarNames().entries)
    if (e.first == t)
      return e.second;
  return "Undefined";
}

std::optional<c10::ScalarType> scalarTypeFromName(const std::string &name) {
  for (const auto &e : scalarNames().entries)
    if (e.second == name)
      return e.first;
  return std::nullopt;
}

std::string Type::schemaStr() const { return plainStr(*this); }

std::string Type::str() const {
  std::ostringstream out;
  switch (kind_) {
  case TypeKind::Tensor: printTensor(out, tensor_); break;
  case TypeKind::List: out << elem()->str() << "[]"; break;
  case TypeKind::Optional: out << elem()->str() << "?"; break;
  case TypeKind::Future: out << "Future[" << elem()->str() << "]"; break;
  case TypeKind::RRef: out << "RRef[" << elem()->str() << "]"; break;
  case TypeKind::Tuple:
    if (isNamedTuple())
      out << "NamedTuple";
    out << "(";
    for (size_t i = 0; i < contained_.size(); ++i) {
      if (i > 0)
        out << ", ";
      if (isNamedTuple())
        out << fieldNames_[i] << " : ";
      out << contained_[i]->str();
    }
    out << ")";
    break;
  case TypeKind::Function: out << "Function"; break;
  default: out << plainStr(*this); break;
  }
  return out.str();
}

std::string Type::annotationStr() const {
  std::ostringstream out;
  switch (kind_) {
  case TypeKind::Tensor: out << "Tensor"; break;
  case TypeKind::Number: out << "number"; break;
  case TypeKind::List: out << "List[" << elem()->annotationStr() << "]"; break;
  case TypeKind::Optional: out << "Optional[" << elem()->annotationStr() << "]"; break;
  case TypeKind::Future: out << "Future[" << elem()->annotationStr() << "]"; break;
  case TypeKind::RRef: out << "RRef[" << elem()->annotationStr() << "]"; break;
  case TypeKind::Dict:
    out << "Dict[" << contained_[0]->annotationStr() << ", " << contained_[1]->annotationStr()
        << "]";
    break;
  case TypeKind::Tuple:
    if (isNamedTuple() && !name_.empty()) {
      out << name_;
    } else {
      out << "Tuple[";
      if (contained_.empty())
        out << "()";
      for (size_t i = 0; i < contained_.size(); ++i)
        out << (i ? ", " : "") << contained_[i]->annotationStr();
      out << "]";
    }
    break;
  case TypeKind::Union: printUnion(out, *this, /*annotation=*/true); break;
  case TypeKind::Class:
  case TypeKind::Interface:
  case TypeKind::Enum: out << name_; break;
  default: out << plainStr(*this); break;
  }
  return out.str();
}

bool Type::equals(const Type &o) const {
  if (this == &o)
    return true;
  if (kind_ != o.kind_ || contained_.size() != o.contained_.size())
    return false;
  switch (kind_) {
  case TypeKind::Tensor: return tensor_ == o.tensor_;
  case TypeKind::Class:
  case TypeKind::Interface:
  case TypeKind::Enum:
  case TypeKind::Var:
  case TypeKind::Function: return name_ == o.name_;
  case TypeKind::Tuple:
    if (fieldNames_ != o.fieldNames_ || (isNamedTuple() && name_ != o.name_ && !name_.empty() &&
                                         !o.name_.empty()))
      return false;
    break;
  default: break;
  }
  for (size_t i = 0; i < contained_.size(); ++i)
    if (!contained_[i]->equals(*o.contained_[i]))
      return false;
  return true;
}

static bool tensorSubtype(const TensorInfo &a, const TensorInfo &b) {
  // b must not know anything a does not, and what both know must agree.
  auto fieldOk = [](const auto &x, const auto &y) { return !y || x == y; };
  return fieldOk(a.dtype, b.dtype) && fieldOk(a.sizes, b.sizes) && fieldOk(a.strides, b.strides) &&
         fieldOk(a.device, b.device) && fieldOk(a.requiresGrad, b.requiresGrad) &&
         fieldOk(a.undefined, b.undefined);
}

bool Type::isSubtypeOf(const Type &o) const {
  if (o.kind() == TypeKind::Any || equals(o))
    return true;
  if (kind_ == TypeKind::Union) {
    for (const auto &alt : contained_)
      if (!alt->isSubtypeOf(o))
        return false;
    return true;
  }
  if (kind_ == TypeKind::Optional)
    return Type::get(TypeKind::None)->isSubtypeOf(o) && elem()->isSubtypeOf(o);
  switch (o.kind()) {
  case TypeKind::Optional:
    return kind_ == TypeKind::None || isSubtypeOf(*o.elem());
  case TypeKind::Union:
    for (const auto &alt : o.contained())
      if (isSubtypeOf(*alt))
        return true;
    return false;
  case TypeKind::Number:
    return kind_ == TypeKind::Int || kind_ == TypeKind::Float || kind_ == TypeKind::Complex;
  case TypeKind::Tensor: return kind_ == TypeKind::Tensor && tensorSubtype(tensor_, o.tensorInfo());
  case TypeKind::AnyList: return kind_ == TypeKind::List;
  case TypeKind::AnyTuple: return kind_ == TypeKind::Tuple;
  case TypeKind::AnyClass: return kind_ == TypeKind::Class;
  case TypeKind::Interface: // a class or interface may fit: its methods decide
    return (kind_ == TypeKind::Class || kind_ == TypeKind::Interface) &&
           (isModule_ || !o.isModule());
  case TypeKind::AnyEnum: return kind_ == TypeKind::Enum;
  case TypeKind::Tuple: {
    if (kind_ != TypeKind::Tuple || contained_.size() != o.contained().size())
      return false;
    if (!isNamedTuple() && o.isNamedTuple())
      return false;
    if (isNamedTuple() && o.isNamedTuple() && fieldNames_ != o.fieldNames())
      return false;
    for (size_t i = 0; i < contained_.size(); ++i)
      if (!contained_[i]->isSubtypeOf(*o.contained()[i]))
        return false;
    return true;
  }
  case TypeKind::Future:
    return kind_ == TypeKind::Future && elem()->isSubtypeOf(*o.elem());
  case TypeKind::List:
    // Lists are invariant, but a list of refined tensors is still a list of
    // tensors for the purpose of calling an operator.
    return kind_ == TypeKind::List && elem()->kind() == TypeKind::Tensor &&
           o.elem()->kind() == TypeKind::Tensor && o.elem()->tensorInfo().isUnrefined();
  default: return false;
  }
}

bool Type::hasFreeVariables() const {
  if (kind_ == TypeKind::Var)
    return true;
  for (const auto &c : contained_)
    if (c->hasFreeVariables())
      return true;
  return false;
}

TypePtr Type::unrefined() const {
  if (kind_ == TypeKind::Tensor)
    return Type::tensor();
  if (contained_.empty())
    return shared_from_this();
  auto copy = std::make_shared<Type>(*this);
  for (auto &c : TypeBuilder::contained(*copy))
    c = c->unrefined();
  return copy;
}

TypePtr Type::get(TypeKind kind) {
  static std::unordered_map<int, TypePtr> *cache = [] {
    auto *m = new std::unordered_map<int, TypePtr>();
    for (int k = 0; k <= int(TypeKind::Dimname); ++k)
      (*m)[k] = TypeBuilder::make(TypeKind(k));
    return m;
  }();
  return cache->at(int(kind));
}

TypePtr Type::tensor() { return get(TypeKind::Tensor); }

TypePtr Type::tensor(TensorInfo info) {
  if (info.isUnrefined())
    return tensor();
  auto t = TypeBuilder::make(TypeKind::Tensor);
  TypeBuilder::tensor(*t) = std::move(info);
  return t;
}

static TypePtr withContained(TypeKind kind, std::vector<TypePtr> elems) {
  auto t = TypeBuilder::make(kind);
  TypeBuilder::contained(*t) = std::move(elems);
  return t;
}

TypePtr Type::list(TypePtr elem) { return withContained(TypeKind::List, {std::move(elem)}); }
TypePtr Type::dict(TypePtr k, TypePtr v) {
  return withContained(TypeKind::Dict, {std::move(k), std::move(v)});
}
TypePtr Type::tuple(std::vector<TypePtr> elems) {
  return withContained(TypeKind::Tuple, std::move(elems));
}
TypePtr Type::namedTuple(std::string qualName, std::vector<std::string> names,
                         std::vector<TypePtr> elems) {
  auto t = TypeBuilder::make(TypeKind::Tuple);
  TypeBuilder::contained(*t) = std::move(elems);
  TypeBuilder::fieldNames(*t) = std::move(names);
  TypeBuilder::name(*t) = std::move(qualName);
  return t;
}
TypePtr Type::optional(TypePtr elem) {
  if (elem->kind() == TypeKind::Optional || elem->kind() == TypeKind::None)
    return elem;
  return withContained(TypeKind::Optional, {std::move(elem)});
}

TypePtr Type::unionOf(std::vector<TypePtr> alternatives) {
  // As TorchScript's UnionType::create: flatten, merge alternatives that
  // unify, sort by kind then spelling. A union of T and None is
  // Optional[T]; of int, float and complex, `number`.
  std::vector<TypePtr> flat = standardizeUnion(alternatives);
  if (flat.empty())
    return get(TypeKind::None);
  if (flat.size() == 1)
    return flat[0];
  size_t numbers = 0, nones = 0;
  for (const auto &t : flat) {
    numbers += t->kind() == TypeKind::Int || t->kind() == TypeKind::Float ||
               t->kind() == TypeKind::Complex;
    nones += t->kind() == TypeKind::None;
  }
  if (nones && flat.size() == 2)
    return optional(flat[0]->kind() == TypeKind::None ? flat[1] : flat[0]);
  if (numbers == 3 && flat.size() == 3 + nones)
    return nones ? optional(get(TypeKind::Number)) : get(TypeKind::Number);
  return withContained(TypeKind::Union, std::move(flat));
}
TypePtr Type::future(TypePtr elem) { return withContained(TypeKind::Future, {std::move(elem)}); }
TypePtr Type::rref(TypePtr elem) { return withContained(TypeKind::RRef, {std::move(elem)}); }
TypePtr Type::classType(std::string qualName, bool isModule) {
  auto t = TypeBuilder::make(TypeKind::Class);
  TypeBuilder::name(*t) = std::move(qualName);
  TypeBuilder::isModule(*t) = isModule;
  return t;
}
TypePtr Type::interfaceType(std::string qualName, bool isModule) {
  auto t = TypeBuilder::make(TypeKind::Interface);
  TypeBuilder::name(*t) = std::move(qualName);
  TypeBuilder::isModule(*t) = isModule;
  return t;
}
TypePtr Type::enumType(std::string qualName, std::vector<EnumMember> members) {
  auto t = TypeBuilder::make(TypeKind::Enum);
  TypeBuilder::name(*t) = std::move(qualName);
  TypeBuilder::enumMembers(*t) = std::move(members);
  return t;
}
TypePtr Type::enumValueType() const {
  if (enumMembers_.empty())
    return Type::get(TypeKind::Any);
  switch (enumMembers_[0].value.index()) {
  case 0: return Type::get(TypeKind::Int);
  case 1: return Type::get(TypeKind::Float);
  default: return Type::get(TypeKind::Str);
  }
}
TypePtr Type::function(std::string name) {
  auto t = TypeBuilder::make(TypeKind::Function);
  TypeBuilder::name(*t) = std::move(name);
  return t;
}
TypePtr Type::var(std::string name) {
  auto t = TypeBuilder::make(TypeKind::Var);
  TypeBuilder::name(*t) = std::move(name);
  return t;
}

static TensorInfo mergeTensors(const TensorInfo &a, const TensorInfo &b) {
  TensorInfo r;
  auto keep = [](const auto &x, const auto &y) { return x == y ? x : std::nullopt; };
  r.dtype = keep(a.dtype, b.dtype);
  r.device = keep(a.device, b.device);
  r.requiresGrad = keep(a.requiresGrad, b.requiresGrad);
  r.undefined = keep(a.undefined, b.undefined);
  r.strides = keep(a.strides, b.strides);
  if (a.sizes && b.sizes && a.sizes->size() == b.sizes->size()) {
    r.sizes.emplace();
    for (size_t i = 0; i < a.sizes->size(); ++i)
      r.sizes->push_back((*a.sizes)[i] == (*b.sizes)[i] ? (*a.sizes)[i] : std::nullopt);
  }
  return r;
}

TypePtr unifyTypes(const TypePtr &a, const TypePtr &b) {
  if (a->isSubtypeOf(*b))
    return b;
  if (b->isSubtypeOf(*a))
    return a;
  if (a->kind() == TypeKind::Tensor && b->kind() == TypeKind::Tensor)
    return Type::tensor(mergeTensors(a->tensorInfo(), b->tensorInfo()));
  if (a->kind() == TypeKind::None)
    return Type::optional(b);
  if (b->kind() == TypeKind::None)
    return Type::optional(a);
  if (a->kind() == TypeKind::Tuple && b->kind() == TypeKind::Tuple &&
      a->contained().size() == b->contained().size() && !a->isNamedTuple() &&
      !b->isNamedTuple()) {
    std::vector<TypePtr> elems;
    for (size_t i = 0; i < a->contained().size(); ++i) {
      auto u = unifyTypes(a->contained()[i], b->contained()[i]);
      if (!u)
        return nullptr;
      elems.push_back(u);
    }
    return Type::tuple(std::move(elems));
  }
  if (a->kind() == TypeKind::Future && b->kind() == TypeKind::Future) {
    auto u = unifyTypes(a->elem(), b->elem());
    return u ? Type::future(u) : nullptr;
  }
  auto ua = a->unrefined(), ub = b->unrefined();
  if (ua->isSubtypeOf(*ub))
    return ub;
  if (ub->isSubtypeOf(*ua))
    return ua;
  return nullptr;
}

} // namespace ember
