//===- frontend/Classes.cpp - script classes and NamedTuples --------------===//
//
// A `class` at module level is a script class (or, deriving from
// NamedTuple, a named tuple type). Its attributes are the class-level
// annotations plus what `__init__` assigns to `self`, in that order — so a
// class's `__init__` is compiled before any other method reads an
// attribute. `Final` class-level constants are kept as expressions and
// folded where they are read. Methods compile on demand into graphs named
// `Class.method` whose first input is `self`.
//
//===----------------------------------------------------------------------===//
#include "frontend/EmitterImpl.h"

namespace ember::frontend {

/// The members of `class E(Enum)`: `NAME = <int | float | str literal>`,
/// all of one kind, as TorchScript requires.
static std::vector<EnumMember> enumMembers(const Stmt &def) {
  std::vector<EnumMember> members;
  for (const auto &s : def.body) {
    if (s->kind == StmtKind::Pass || (s->kind == StmtKind::ExprStmt && s->value->kind == ExprKind::Str))
      continue; // a docstring
    if (s->kind != StmtKind::Assign || s->targets.size() != 1 ||
        s->targets[0]->kind != ExprKind::Name)
      throw CompileError(s->span, "an enum class may only assign values to its members "
                                  "(`RED = 1`)");
    const Expr *v = s->value.get();
    bool negative = v->kind == ExprKind::UnaryOp && v->text == "-";
    if (negative)
      v = v->operands[0].get();
    EnumMember m{s->targets[0]->text, int64_t(0)};
    if (v->kind == ExprKind::Int)
      m.value = (negative ? -1 : 1) * std::stoll(v->text, nullptr, 0);
    else if (v->kind == ExprKind::Float)
      m.value = (negative ? -1.0 : 1.0) * std::stod(v->text);
    else if (v->kind == ExprKind::Str && !negative)
      m.value = v->text;
    else
      throw CompileError(v->span, "enum member values must be int, float or str literals");
    if (!members.empty() && members[0].value.index() != m.value.index())
      throw CompileError(v->span, "Could not unify type list: enum members must all have values "
                                         "of one type");
    members.push_back(std::move(m));
  }
  if (members.empty())
    throw CompileError(def.span, "enum class '" + def.name + "' has no members");
  return members;
}

void CompilerImpl::addClass(std::shared_ptr<const Module> module, const Stmt &def) {
  if (classes_.count(def.name) || defs_.count(def.name)) {
    CompileError e(def.span, "'" + def.name + "' is defined twice");
    throw e;
  }
  ClassInfo &c = classes_[def.name];
  c.def = &def;
  c.module = module;
  bool isModule = false;
  auto lastName = [](const Expr &e) {
    std::string name = dottedName(e);
    return name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1);
  };
  for (const auto &b : def.bases) {
    std::string last = lastName(*b);
    c.isNamedTuple |= last == "NamedTuple";
    c.isEnum |= last == "Enum";
    c.isInterface |= last == "Interface" || last == "ModuleInterface";
    isModule |= last == "Module" || last == "ModuleInterface";
  }
  for (const auto &d : def.decorators)
    c.isInterface |= lastName(*d) == "interface"; // Python source

  for (const auto &s : def.body) {
    if (s->kind == StmtKind::FunctionDef) {
      // A property's getter and setter are methods `__<name>_getter` and
      // `__<name>_setter`, as TorchScript compiles them.
      std::string key = methodNameOf(*s);
      if (key == "__" + s->name + "_getter")
        c.propertyGetters[s->name] = key;
      else if (key == "__" + s->name + "_setter")
        c.propertySetters[s->name] = key;
      for (const auto &d : s->decorators)
        if (dottedName(*d) == "staticmethod")
          c.staticMethods.insert(s->name);
        else if (dottedName(*d) == "classmethod")
          c.classMethods.insert(s->name);
      c.methods[key] = s.get();
    }
    // The code dialect lists which module attributes are parameters and
    // buffers, `__parameters__ = ["weight", "bias", ]`, and the methods
    // that are forward hooks.
    if (s->kind == StmtKind::Assign && s->targets[0]->kind == ExprKind::Name &&
        s->value->kind == ExprKind::List) {
      static const std::map<std::string, std::vector<std::string> ClassInfo::*> lists = {
          {"__parameters__", &ClassInfo::parameters},
          {"__buffers__", &ClassInfo::buffers},
          {"__forward_pre_hooks__", &ClassInfo::forwardPreHooks},
          {"__forward_hooks__", &ClassInfo::forwardHooks}};
      auto list = lists.find(s->targets[0]->text);
      if (list != lists.end())
        for (const auto &e : s->value->operands)
          if (e->kind == ExprKind::Str)
            (c.*(list->second)).push_back(e->text);
    }
  }
  std::string qual = "__torch__." + def.name;
  if (c.isEnum) {
    c.type = Type::enumType(qual, enumMembers(def));
    return;
  }
  if (c.isInterface) {
    c.type = Type::interfaceType(qual, isModule);
    return;
  }
  if (!c.isNamedTuple) {
    c.type = Type::classType(qual, isModule);
    return;
  }
  // A NamedTuple's fields are its annotations; resolve them now, since the
  // type is needed whole.
  std::vector<std::string> names;
  std::vector<TypePtr> types;
  for (const auto &s : def.body) {
    if (s->kind != StmtKind::AnnAssign || s->targets[0]->kind != ExprKind::Name)
      continue;
    names.push_back(s->targets[0]->text);
    types.push_back(resolveType(*s->annotation, typeResolver()));
    std::optional<std::string> dflt;
    if (s->value)
      dflt = sourceText(*s->value);
    c.defaults.push_back(dflt);
  }
  c.type = Type::namedTuple(qual, names, types);
}

ClassInfo *CompilerImpl::findClass(const std::string &name) {
  auto it = classes_.find(name);
  return it == classes_.end() ? nullptr : &it->second;
}

ClassInfo *CompilerImpl::classOfType(const TypePtr &type) {
  const std::string &qual = type->name();
  if (qual.rfind("__torch__.", 0) != 0)
    return nullptr;
  ClassInfo *c = findClass(qual.substr(10));
  return c && c->type->equals(*type) ? c : nullptr;
}

/// The class-level annotations (`x: int`, `w : Tensor`) are the first
/// attributes, in the order written.
static void declareAttributes(CompilerImpl &compiler, ClassInfo &c) {
  for (const auto &s : c.def->body) {
    // `__annotations__["0"] = T` declares an attribute whose name is not
    // an identifier (ModuleList entries).
    if (s->kind == StmtKind::Assign && s->targets[0]->kind == ExprKind::Subscript &&
        dottedName(*s->targets[0]->operands[0]) == "__annotations__" &&
        s->targets[0]->operands.size() == 2 && s->targets[0]->operands[1]->kind == ExprKind::Str) {
      const std::string &name = s->targets[0]->operands[1]->text;
      c.attributes.push_back({name, resolveType(*s->value, compiler.typeResolver())});
      c.attributeSpans[name] = s->span;
      continue;
    }
    if (s->kind != StmtKind::AnnAssign || s->targets[0]->kind != ExprKind::Name)
      continue;
    ResolvedAnnotation a = resolveAnnotation(*s->annotation, compiler.typeResolver());
    if (a.isFinal || s->value)
      continue; // constants are not attributes
    if (!a.type)
      throw CompileError(s->annotation->span, "'Final' needs a type here, such as Final[int]");
    c.attributes.push_back({s->targets[0]->text, a.type});
    c.attributeSpans[s->targets[0]->text] = s->span;
  }
}

void CompilerImpl::prepareClass(ClassInfo &c, const SourceSpan &site) {
  if (c.initCompiled || c.isEnum || c.isInterface)
    return;
  if (c.methods.count("__init__")) {
    methodSchema(c, "__init__", site);
    return;
  }
  c.initCompiled = true;
  declareAttributes(*this, c);
}

const FunctionSchema &CompilerImpl::methodSchema(ClassInfo &c, const std::string &method,
                                                 const SourceSpan &callSite) {
  std::string graphName = c.def->name + "." + method;
  auto done = schemas_.find(graphName);
  if (done != schemas_.end())
    return done->second;
  auto m = c.methods.find(method);
  if (m == c.methods.end())
    throw CompileError(callSite, "'" + c.def->name + "' has no method '" + method + "'");
  if (c.isInterface) {
    // A declaration: the signature is the schema; there is no graph.
    FunctionSignature sig =
        signatureOf(*m->second, /*isMethod=*/true, typeResolver(), defaultConstants());
    sig.schema.arguments[0].type = c.type;
    sig.schema.name = graphName;
    return schemas_[graphName] = sig.schema;
  }
  if (!c.initCompiled) {
    c.initCompiled = true;
    declareAttributes(*this, c);
    if (method != "__init__" && c.methods.count("__init__"))
      methodSchema(c, "__init__", callSite);
  }
  bool isStatic = c.staticMethods.count(method) > 0;
  if (c.assembled &&
      std::find(c.compileOrder.begin(), c.compileOrder.end(), method) == c.compileOrder.end())
    c.compileOrder.push_back(method);
  return schemas_[graphName] = compileBody(graphName, *m->second, callSite, &c, isStatic);
}

std::string CompilerImpl::whyNotImplements(ClassInfo &cls, ClassInfo &iface,
                                           const SourceSpan &site) {
  std::string self = std::string(cls.isInterface ? "Interface '" : "Class '") +
                     cls.type->annotationStr() + "'";
  return whyNotImplements(self, iface, site, [&](const std::string &name) {
    return cls.methods.count(name) ? &methodSchema(cls, name, site) : nullptr;
  });
}

std::string CompilerImpl::whyNotImplements(
    const std::string &self, ClassInfo &iface, const SourceSpan &site,
    const std::function<const FunctionSchema *(const std::string &)> &methodOf) {
  // TorchScript's words (ClassType/InterfaceType::isSubTypeImpl).
  for (const auto &[name, def] : iface.methods) {
    const FunctionSchema *have = methodOf(name);
    if (!have)
      return self + " does not have method '" + name + "' but interface '" +
             iface.type->annotationStr() + "' does.";
    // As c10's FunctionSchema::isSubtypeOf: the method's parameters have the
    // interface's names and take at least what its take, and it returns no
    // more than the interface's returns.
    const FunctionSchema &want = methodSchema(iface, name, site);
    bool fits = have->arguments.size() == want.arguments.size() &&
                have->returns.size() == want.returns.size();
    for (size_t i = 1; fits && i < want.arguments.size(); ++i)
      fits = want.arguments[i].name == have->arguments[i].name &&
             want.arguments[i].type->isSubtypeOf(*have->arguments[i].type);
    for (size_t i = 0; fits && i < want.returns.size(); ++i)
      fits = have->returns[i].type->isSubtypeOf(*want.returns[i].type);
    if (!fits) {
      std::string lower = self;
      lower[0] = char(std::tolower(lower[0]));
      return "Method '" + name + "' on " + lower + " is not compatible with interface '" +
             iface.type->annotationStr() + "'";
    }
  }
  return "";
}

bool FunctionEmitter::checkImplements(const TypePtr &cls, const TypePtr &iface,
                                      const SourceSpan &span) {
  // The type says only that a class (a module) may fit; its methods decide.
  ClassInfo *c = compiler_.classOfType(cls), *i = compiler_.classOfType(iface);
  if (!c || !i || !cls->isSubtypeOf(*iface))
    return false;
  std::string why = compiler_.whyNotImplements(*c, *i, span);
  if (!why.empty())
    error(span, why);
  return true;
}

} // namespace ember::frontend

namespace ember::frontend {

void CompilerImpl::addAssembledClass(const std::string &qualifiedName,
                                     std::shared_ptr<Module> header,
                                     std::vector<ClassMethod> methods,
                                     std::map<std::string, std::vector<std::string>> overloads,
                                     const std::string &container,
                                     std::map<std::string, std::string> untyped) {
  Stmt *def = nullptr;
  for (auto &s : header->body) {
    if (s->kind != StmtKind::ClassDef)
      continue;
    if (def)
      throw CompileError(s->span, "a class header defines exactly one class");
    def = s.get();
  }
  if (!def)
    throw std::invalid_argument("a class header must define a class");
  def->name = qualifiedName;
  std::map<std::string, MethodKind> kinds;
  for (ClassMethod &m : methods) {
    for (auto &s : m.source->body) {
      if (s->kind != StmtKind::FunctionDef)
        continue;
      if (m.kind != MethodKind::Script)
        kinds[s->name] = m.kind;
      def->body.push_back(std::move(s));
      break;
    }
  }
  addClass(header, *def);
  classes_[qualifiedName].methodKinds = std::move(kinds);
  classes_[qualifiedName].overloads = std::move(overloads);
  classes_[qualifiedName].containerKind = container;
  classes_[qualifiedName].assembled = true;
  classes_[qualifiedName].untyped = std::move(untyped);
}

std::optional<FunctionSchema> CompilerImpl::declaredSignature(const std::string &name,
                                                              ClassInfo *cls) {
  const Stmt *def = nullptr;
  if (cls) {
    auto m = cls->methods.find(name);
    def = m == cls->methods.end() ? nullptr : m->second;
  } else if (loadFunction(name, name)) {
    def = defs_[name].def;
  }
  if (!def)
    return std::nullopt;
  try {
    FunctionSignature sig = signatureOf(*def, cls != nullptr, typeResolver(), defaultConstants());
    if (cls && !sig.schema.arguments.empty())
      sig.schema.arguments.erase(sig.schema.arguments.begin()); // self
    sig.schema.name = name;
    return sig.schema;
  } catch (const CompileError &) {
    return std::nullopt; // an overload whose types TorchScript cannot name
  }
}

void Compiler::addClass(const std::string &qualifiedName, std::shared_ptr<Module> header,
                        std::vector<ClassMethod> methods,
                        std::map<std::string, std::vector<std::string>> overloads,
                        const std::string &container, std::map<std::string, std::string> untyped) {
  impl_->addAssembledClass(qualifiedName, std::move(header), std::move(methods),
                           std::move(overloads), container, std::move(untyped));
}

bool Compiler::hasMethod(const std::string &className, const std::string &method) {
  ClassInfo *c = impl_->findClass(className);
  return c && (c->methods.count(method) || c->overloads.count(method) ||
               std::count(c->graphMethods.begin(), c->graphMethods.end(), method));
}

bool Compiler::loadClass(const std::string &name) {
  if (impl_->findClass(name))
    return true;
  impl_->loadFunction(name, name);
  return impl_->findClass(name) != nullptr;
}

void Compiler::compileForExport(const std::string &name) {
  ClassInfo *c = impl_->findClass(name);
  if (!c || c->isNamedTuple || c->isEnum)
    return;
  impl_->prepareClass(*c, c->def->span);
  if (c->assembled)
    return;
  for (const auto &[method, def] : c->methods)
    impl_->methodSchema(*c, method, def->span);
}

std::string Compiler::whyNotImplements(const std::string &cls, const std::string &iface) {
  ClassInfo *c = impl_->findClass(cls), *i = impl_->findClass(iface);
  if (!c || !i)
    return "no class '" + (c ? iface : cls) + "'";
  return impl_->whyNotImplements(*c, *i, c->def->span);
}

std::string Compiler::whyNotImplementedBy(Compiler &other, const std::string &cls,
                                          const std::string &iface) {
  ClassInfo *i = impl_->findClass(iface);
  if (!i)
    return "no class '" + iface + "'";
  return impl_->whyNotImplements("Class '__torch__." + cls + "'", *i, i->def->span,
                                 [&](const std::string &name) {
                                   return other.schema(cls + "." + name);
                                 });
}

bool Compiler::prepareClass(const std::string &name) {
  ClassInfo *c = impl_->findClass(name);
  if (!c)
    return false;
  impl_->prepareClass(*c, c->def->span);
  return true;
}

} // namespace ember::frontend
