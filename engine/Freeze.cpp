//===- engine/Freeze.cpp - ember.freeze -----------------------------------===//
//
// torch.jit.freeze (reference §4.3): a module in eval mode becomes a new
// module whose methods read its attributes as constants, so constant
// propagation, dropout removal and batch-norm folding see through them.
//  1. Each kept method (forward and the preserved ones) is compiled and
//     every call in it inlined, submodules' methods included.
//  2. Attribute paths (`self.a.b`) that must stay attributes are found:
//     those set by prim::SetAttr, written through an alias (attributes are
//     kept distinct in the alias analysis, so a write to one does not
//     condemn the others), reached through an object that escapes (used
//     other than by GetAttr/SetAttr), or preserved by the caller.
//  3. Every other read of a value that is not an object becomes a
//     constant holding the attribute's value; tensors are detached, so
//     frozen weights require no grad, as TorchScript's do. A value sharing
//     memory with one that is modified in place stays an attribute (a
//     view of a mutated tensor would be stale as a constant), and a
//     modified list, tuple or dict sharing memory with another attribute
//     is refused, as TorchScript refuses it.
//  4. The `freeze` pipeline runs (without its fold-* passes unless
//     optimizeNumerics).
//  5. A new class, `q.___torch_mangle_N.C` for `q.C` as TorchScript names
//     clones, keeps the attributes the graphs still read and the preserved
//     ones; the new object shares their values with the original.
//
//===----------------------------------------------------------------------===//
#include "engine/Module.h"
#include "engine/ScriptProgram.h"

#include "frontend/Parser.h"
#include "ir/Constants.h"
#include "ir/CustomClasses.h"
#include "passes/AliasAnalysis.h"
#include "passes/Passes.h"

#include <ATen/ATen.h>
#include <ATen/core/class_type.h>

#include <algorithm>
#include <functional>
#include <set>
#include <sstream>

namespace ember {
namespace {

constexpr const char *kTorchPrefix = "__torch__.";

bool is(const Node *n, const char *kind) { return n->kind().qualString() == kind; }

std::string withoutPrefix(const std::string &qualified) {
  size_t n = strlen(kTorchPrefix);
  return qualified.compare(0, n, kTorchPrefix) == 0 ? qualified.substr(n) : qualified;
}

/// `a.___torch_mangle_3.B` -> `a.B`.
std::string demangled(const std::string &name) {
  std::string out;
  std::istringstream parts(name);
  for (std::string part; std::getline(parts, part, '.');)
    if (part.rfind("___torch_mangle_", 0) != 0)
      out += (out.empty() ? "" : ".") + part;
  return out;
}

/// A script object or module, whose attributes are frozen one by one; a C++
/// custom class object (packed weights) is frozen whole, as TorchScript
/// makes it a constant.
bool isScriptObjectType(const TypePtr &t) {
  return t->kind() == TypeKind::Class && !isCustomClassName(t->name());
}

/// An attribute read or write whose receiver is `self` or an object read
/// from it: the receiver and the path of the attribute (`.a.b`).
using AttributeVisitor =
    std::function<void(Node *n, const c10::IValue &owner, const std::string &path)>;

/// Calls `visit` on each GetAttr and SetAttr whose receiver is known,
/// following reads of objects down the blocks.
class AttributeWalker {
public:
  AttributeWalker(Graph &g, const c10::IValue &self) { objects_[g.inputs()[0]] = {self, ""}; }

  void walk(Block *b, const AttributeVisitor &visit) {
    for (Node *n : b->nodes()) {
      for (Block *inner : n->blocks())
        walk(inner, visit);
      if ((!is(n, "prim::GetAttr") && !is(n, "prim::SetAttr")) || n->inputs().empty())
        continue;
      auto it = objects_.find(n->input(0));
      if (it == objects_.end())
        continue;
      auto [owner, ownerPath] = it->second;
      std::string path = ownerPath + "." + n->s(attr::name());
      if (is(n, "prim::GetAttr") && n->output()->type()->kind() == TypeKind::Class)
        objects_[n->output()] = {owner.toObjectRef().getAttr(n->s(attr::name())), path};
      visit(n, owner, path);
    }
  }

private:
  std::unordered_map<const Value *, std::pair<c10::IValue, std::string>> objects_;
};

/// The storages of the tensors in `v`, looking into lists, tuples and
/// dicts (an object's attributes are attributes of their own).
void collectStorages(const c10::IValue &v, std::set<const void *> &out) {
  if (v.isTensor()) {
    if (v.toTensor().defined() && v.toTensor().has_storage())
      out.insert(v.toTensor().storage().unsafeGetStorageImpl());
  } else if (v.isList()) {
    for (const c10::IValue &e : v.toListRef())
      collectStorages(e, out);
  } else if (v.isTuple()) {
    for (const c10::IValue &e : v.toTupleRef().elements())
      collectStorages(e, out);
  } else if (v.isGenericDict()) {
    for (const auto &e : v.toGenericDict()) {
      collectStorages(e.key(), out);
      collectStorages(e.value(), out);
    }
  }
}

bool sharesStorage(const c10::IValue &v, const std::set<const void *> &storages) {
  std::set<const void *> mine;
  collectStorages(v, mine);
  return std::any_of(mine.begin(), mine.end(), [&](const void *s) { return storages.count(s); });
}

/// The value at attribute path `.a.b` of `self`.
c10::IValue valueAt(const c10::IValue &self, const std::string &path) {
  c10::IValue v = self;
  std::istringstream parts(path.substr(1));
  for (std::string part; std::getline(parts, part, '.');)
    v = v.toObjectRef().getAttr(part);
  return v;
}

/// Calls `visit(path, value)` on every attribute of `object` and of the
/// objects it holds, depth first.
void forEachAttribute(const c10::IValue &object, const std::string &prefix,
                      const std::function<void(const std::string &, const c10::IValue &)> &visit) {
  const auto &obj = object.toObjectRef();
  for (size_t i = 0; i < obj.type()->numAttributes(); ++i) {
    std::string path = prefix + "." + obj.type()->getAttributeName(i);
    const c10::IValue &v = obj.getSlot(i);
    if (v.isObject())
      forEachAttribute(v, path, visit);
    else
      visit(path, v);
  }
}

/// True if object value `v` is used other than as the receiver of GetAttr
/// and SetAttr: then anything may change its attributes.
bool escapes(const Value *v) {
  for (const Use &u : v->uses()) {
    bool receiver = u.offset == 0 && (is(u.user, "prim::GetAttr") || is(u.user, "prim::SetAttr"));
    if (!receiver)
      return true;
  }
  return false;
}

class Freezer {
public:
  Freezer(const Module &module, const std::vector<std::string> &preserved, bool optimizeNumerics)
      : module_(module), program_(*module.program()), optimizeNumerics_(optimizeNumerics) {
    className_ = withoutPrefix(module.type_name());
    cls_ = program_.loadClass(className_);
    if (!cls_)
      throw FreezeError("cannot freeze '" + module.type_name() + "': it is not a script class");
    // Hooks of the submodules are inlined where forward calls them; the
    // module's own would be lost with its class.
    auto info = program_.compiler().classToPrint(className_);
    if (info && (!info->forwardPreHooks.empty() || !info->forwardHooks.empty()))
      throw FreezeError("cannot freeze '" + module.type_name() + "': it has forward hooks of its "
                        "own, which a frozen module does not keep yet; register them on a "
                        "submodule or remove them before freezing");
    for (const std::string &name : preserved)
      preserve(name);
    if (program_.compiler().hasMethod(className_, "forward") &&
        std::find(methods_.begin(), methods_.end(), "forward") == methods_.end())
      methods_.insert(methods_.begin(), "forward");
  }

  Module run() {
    std::vector<std::shared_ptr<Graph>> graphs;
    for (const std::string &method : methods_)
      graphs.push_back(inlinedMethod(method));
    for (const auto &g : graphs)
      findUnfreezable(*g);
    findMutatedStorages();
    for (const auto &g : graphs)
      freezeAttributes(*g);
    std::vector<std::string> pipeline = pipelineNamed("freeze");
    if (!optimizeNumerics_)
      pipeline.erase(std::remove_if(pipeline.begin(), pipeline.end(),
                                    [](const std::string &p) { return p.rfind("fold-", 0) == 0; }),
                     pipeline.end());
    CompilationUnit unit;
    for (const auto &g : graphs)
      unit.add(g);
    runPasses(unit, pipeline, PassManagerOptions{});
    for (const auto &g : graphs)
      collectKept(g->block(), g->inputs()[0]);
    return build(graphs);
  }

private:
  void preserve(const std::string &name) {
    if (name.find('.') != std::string::npos)
      return preserveInSubmodule(name);
    if (program_.compiler().hasMethod(className_, name)) {
      methods_.push_back(name);
    } else if (cls_->attributeType(name)) {
      unfreezable_.insert("." + name);
      keptAttributes_.insert(name);
    } else {
      throw FreezeError("cannot preserve '" + name + "': '" + module_.type_name() +
                        "' has no method or attribute of that name");
    }
  }

  /// `sub.a` or `sub.method`: the submodule stays, with that attribute
  /// (or, for a method, all it may read).
  void preserveInSubmodule(const std::string &name) {
    c10::IValue owner = module_.object();
    std::string path;
    std::istringstream parts(name);
    std::vector<std::string> names;
    for (std::string part; std::getline(parts, part, '.');)
      names.push_back(part);
    for (size_t i = 0; i + 1 < names.size(); ++i) {
      const auto &obj = owner.toObjectRef();
      if (!obj.type()->hasAttribute(names[i]) || !obj.getAttr(names[i]).isObject())
        throw FreezeError("cannot preserve '" + name + "': '" + names[i] + "' is not a submodule");
      owner = obj.getAttr(names[i]);
      path += "." + names[i];
    }
    const c10::ClassType &type = *owner.toObjectRef().type();
    std::string cls = withoutPrefix(type.name()->qualifiedName());
    if (program_.compiler().hasMethod(cls, names.back()))
      unfreezable_.insert(path);
    else if (type.hasAttribute(names.back()))
      unfreezable_.insert(path + "." + names.back());
    else
      throw FreezeError("cannot preserve '" + name + "': '" + type.repr_str() +
                        "' has no method or attribute '" + names.back() + "'");
    keptAttributes_.insert(names[0]);
  }

  /// Step 1.
  std::shared_ptr<Graph> inlinedMethod(const std::string &method) {
    std::string name = className_ + "." + method;
    program_.function(name);
    std::shared_ptr<Graph> g = program_.inlinedGraph(name);
    for (Node *n : g->nodes())
      if (is(n, "prim::PythonOp"))
        throw FreezeError("cannot freeze '" + method + "': it calls Python code (an @ignore'd "
                          "function or method), which a frozen module cannot hold");
    return g;
  }

  /// Step 2.
  void findUnfreezable(Graph &g) {
    for (const Value *out : g.outputs())
      if (out == g.inputs()[0]) // torch.jit's words
        throw FreezeError("attempted to freeze a module that return itself");
    if (escapes(g.inputs()[0]))
      unfreezable_.insert("");
    AliasAnalysis aa(g, /*distinctAttributes=*/true);
    AttributeWalker(g, module_.object()).walk(g.block(), [&](Node *n, const c10::IValue &,
                                                             const std::string &path) {
      Value *v = is(n, "prim::GetAttr") ? n->output() : nullptr;
      bool isObject = v && isScriptObjectType(v->type());
      bool written = v && !isObject && AliasAnalysis::isMutableType(v->type()) && aa.hasWriters(v);
      if (!v || (isObject && escapes(v)) || written)
        unfreezable_.insert(path);
      if (written)
        mutated_.insert(path);
    });
  }

  /// The memory of the values modified in place (step 3); a modified
  /// container may not share it with another attribute.
  void findMutatedStorages() {
    if (unfreezable_.count(""))
      return; // self escapes: nothing folds
    for (const std::string &path : mutated_) {
      c10::IValue v = valueAt(module_.object(), path);
      std::set<const void *> own;
      collectStorages(v, own);
      mutatedStorages_.insert(own.begin(), own.end());
      if (v.isTensor() || own.empty())
        continue;
      forEachAttribute(module_.object(), "", [&](const std::string &other, const c10::IValue &o) {
        if (other != path && sharesStorage(o, own))
          throw FreezeError("module contains attributes values that overlaps: 'self" + path +
                            "' is modified in place and shares memory with 'self" + other +
                            "'; give them separate tensors (clone one) to freeze the module");
      });
    }
  }

  bool frozen(const std::string &path) const {
    for (const std::string &p : unfreezable_)
      if (path == p || path.compare(0, p.size() + 1, p + ".") == 0 || p.empty())
        return false;
    return true;
  }

  /// Step 3.
  void freezeAttributes(Graph &g) {
    AttributeWalker(g, module_.object()).walk(g.block(), [&](Node *n, const c10::IValue &owner,
                                                             const std::string &path) {
      Value *out = is(n, "prim::GetAttr") ? n->output() : nullptr;
      if (!out || isScriptObjectType(out->type()) || !frozen(path))
        return;
      c10::IValue value = owner.toObjectRef().getAttr(n->s(attr::name()));
      if (sharesStorage(value, mutatedStorages_))
        return; // it sees the in-place changes: it stays an attribute
      if (value.isTensor() && value.toTensor().requires_grad())
        value = value.toTensor().detach();
      g.setInsertPoint(n);
      Value *c = g.insertConstant(value);
      g.setInsertPoint(g.block());
      if (!c)
        return; // not a constant TorchScript can hold: the read stays
      if (!c->type()->isSubtypeOf(*out->type()) && out->type()->kind() != TypeKind::Any &&
          c->type()->kind() != TypeKind::Tensor)
        c->setType(out->type());
      c->setDebugName("self" + path);
      out->replaceAllUsesWith(c);
      n->destroy();
    });
  }

  /// The top-level attributes the graphs still read or write.
  void collectKept(Block *b, const Value *self) {
    for (Node *n : b->nodes()) {
      for (Block *inner : n->blocks())
        collectKept(inner, self);
      if ((is(n, "prim::GetAttr") || is(n, "prim::SetAttr")) && n->input(0) == self)
        keptAttributes_.insert(n->s(attr::name()));
    }
  }

  /// Step 5.
  Module build(const std::vector<std::shared_ptr<Graph>> &graphs);
  std::string newClassName();
  std::string header(const std::string &shortName);

  const Module &module_;
  ScriptProgram &program_;
  bool optimizeNumerics_;
  std::string className_;
  runtime::ScriptClass *cls_;
  std::vector<std::string> methods_;
  std::set<std::string> unfreezable_;
  std::set<std::string> mutated_; // paths of values modified in place
  std::set<const void *> mutatedStorages_;
  std::set<std::string> keptAttributes_;
};

std::string Freezer::newClassName() {
  std::string base = demangled(className_);
  size_t dot = base.rfind('.');
  std::string qualifier = dot == std::string::npos ? "" : base.substr(0, dot + 1);
  std::string last = dot == std::string::npos ? base : base.substr(dot + 1);
  for (int n = 0;; ++n) {
    std::string name = qualifier + "___torch_mangle_" + std::to_string(n) + "." + last;
    if (!program_.loadClass(name))
      return name;
  }
}

/// The class header, in the code dialect archives use.
std::string Freezer::header(const std::string &shortName) {
  const c10::ClassType &c10Type = *cls_->c10Type;
  std::ostringstream params, buffers, attrs;
  for (const auto &[name, type] : cls_->attributes) {
    if (!keptAttributes_.count(name))
      continue;
    size_t slot = c10Type.getAttributeSlot(name);
    if (c10Type.is_parameter(slot))
      params << "\"" << name << "\", ";
    if (c10Type.is_buffer(slot))
      buffers << "\"" << name << "\", ";
    bool identifier = !name.empty() && (std::isalpha(name[0]) || name[0] == '_');
    if (identifier)
      attrs << "  " << name << " : " << type->annotationStr() << "\n";
    else
      attrs << "  __annotations__[\"" << name << "\"] = " << type->annotationStr() << "\n";
  }
  std::ostringstream out;
  out << "class " << shortName << "(Module):\n"
      << "  __parameters__ = [" << params.str() << "]\n"
      << "  __buffers__ = [" << buffers.str() << "]\n"
      << attrs.str();
  return out.str();
}

Module Freezer::build(const std::vector<std::shared_ptr<Graph>> &graphs) {
  std::string name = newClassName();
  std::string shortName = name.substr(name.rfind('.') + 1);
  auto buffer = std::make_shared<SourceBuffer>(SourceBuffer{"<frozen " + name + ">", header(shortName)});
  auto parsed = std::make_shared<frontend::Module>(frontend::parseSource(buffer));
  runtime::ScriptClass &frozenClass = program_.addClass(name, parsed, {});
  for (size_t i = 0; i < graphs.size(); ++i) {
    const std::string &method = methods_[i];
    std::string graphName = name + "." + method;
    FunctionSchema schema = *program_.schema(className_ + "." + method);
    schema.name = graphName;
    schema.arguments[0].type = frozenClass.type;
    graphs[i]->inputs()[0]->setType(frozenClass.type);
    program_.addGraph(graphName, graphs[i], std::move(schema));
  }
  c10::IValue object = program_.newObject(frozenClass);
  const auto &original = module_.object().toObjectRef();
  for (const std::string &attr : keptAttributes_)
    object.toObjectRef().setAttr(attr, original.getAttr(attr));
  return Module(module_.program(), object);
}

} // namespace

Module freeze(const Module &module, const std::vector<std::string> &preservedAttrs,
              bool optimizeNumerics) {
  const auto &object = module.object().toObjectRef();
  auto training = object.type()->findAttributeSlot("training");
  if (training && object.getSlot(*training).isBool() && object.getSlot(*training).toBool())
    throw FreezeError("Freezing is currently only implemented for modules in eval mode. Please "
                      "call .eval() on your module before freezing.");
  return Freezer(module, preservedAttrs, optimizeNumerics).run();
}

} // namespace ember
