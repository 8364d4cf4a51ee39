//===- python/src/ObjectTypes.cpp - script objects against declared types -===//
//
// A script object handed in from Python (a scripted module assigned to a
// submodule slot, an object passed to a parameter) must be of the type the
// compiled code was written for: code reads its attributes by slot. Each
// Python program registers here, so the program that declared a type and
// the one that made an object can be found:
//   - a class type takes an object of that class, or of a class with the
//     same qualified name and the same attributes in the same slots (each
//     scripted module has its program; TorchScript shares the class);
//   - an interface type takes an object whose class's compiled methods fit
//     the interface's, as TorchScript's isSubtypeOf decides (a method of
//     another program only defined there, not compiled, does not count).
//
//===----------------------------------------------------------------------===//
#include "python/src/Bindings.h"

#include <ATen/core/class_type.h>

#include <mutex>

namespace ember::python {
namespace {

std::mutex registryMutex;
std::vector<std::weak_ptr<ScriptProgram>> &registry() {
  static auto *r = new std::vector<std::weak_ptr<ScriptProgram>>();
  return *r;
}

/// The registered program for which `match` holds, or null.
template <typename Match> std::shared_ptr<ScriptProgram> findProgram(Match match) {
  std::lock_guard<std::mutex> lock(registryMutex);
  for (const auto &weak : registry())
    if (auto p = weak.lock(); p && match(*p))
      return p;
  return nullptr;
}

bool sameLayout(const c10::ClassType &a, const c10::ClassType &b) {
  if (a.name() != b.name() || a.numAttributes() != b.numAttributes())
    return false;
  for (size_t i = 0; i < a.numAttributes(); ++i)
    if (a.getAttributeName(i) != b.getAttributeName(i))
      return false;
  return true;
}

std::string unqualified(const std::string &name) {
  static const std::string prefix = "__torch__.";
  return name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
}

} // namespace

void registerProgram(const std::shared_ptr<ScriptProgram> &program) {
  std::lock_guard<std::mutex> lock(registryMutex);
  auto &r = registry();
  r.erase(std::remove_if(r.begin(), r.end(), [](const auto &w) { return w.expired(); }), r.end());
  r.push_back(program);
}

std::shared_ptr<ScriptProgram> programOwning(const c10::ClassType *type) {
  if (auto p = programOf(type))
    return p;
  return findProgram([type](ScriptProgram &p) { return p.unit().findClass(type) != nullptr; });
}

std::string whyNotOfType(const c10::IValue &v, const TypePtr &type,
                         const runtime::ScriptUnit &unit) {
  if (!v.isObject())
    return "expected a value of type '" + type->annotationStr() + "' but found '" +
           v.tagKind() + "'";
  const c10::ClassType *have = v.toObjectRef().type().get();
  std::string found = have->name() ? have->name()->qualifiedName() : "object";
  if (type->kind() == TypeKind::Class) {
    const runtime::ScriptClass *want = unit.findClass(type->name());
    if (!want || want->c10Type.get() == have || sameLayout(*want->c10Type, *have))
      return "";
    return "Expected a value of type '" + type->name() + "' but found '" + found + "'";
  }
  auto declaring = findProgram([&unit](ScriptProgram &p) { return &p.unit() == &unit; });
  auto making = programOwning(have);
  if (!declaring || !making) // not made from Python: nothing to ask
    return "";
  // Within one program (a module being scripted) methods compile on demand.
  std::string cls = unqualified(found), iface = unqualified(type->name());
  std::string why = declaring == making
                        ? declaring->compiler().whyNotImplements(cls, iface)
                        : declaring->compiler().whyNotImplementedBy(making->compiler(), cls, iface);
  if (why.empty())
    return "";
  return "Object of type " + found + " is not compatible with interface " + type->name() + "\n" +
         why;
}

} // namespace ember::python
