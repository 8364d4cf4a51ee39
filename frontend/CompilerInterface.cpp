//===- frontend/CompilerInterface.cpp - the Compiler's public methods -----===//
//
// What Compiler (Emitter.h) offers its users -- the engine, the archive
// loader, the tools -- on top of CompilerImpl: adding files and assembled
// classes, compiling on request, and describing classes for the printer.
//
//===----------------------------------------------------------------------===//
#include "frontend/CodePrinterImpl.h"
#include "frontend/DefaultValues.h"
#include "frontend/EmitterImpl.h"

#include <algorithm>

namespace ember::frontend {

Compiler::Compiler(GlobalResolver resolver)
    : impl_(std::make_unique<CompilerImpl>(std::move(resolver))) {}
Compiler::~Compiler() = default;

void Compiler::addModule(std::shared_ptr<const Module> module) { impl_->addModule(std::move(module)); }

Graph *Compiler::compileFunction(const std::string &name) { return impl_->compile(name, nullptr); }

void Compiler::compileAll() {
  for (const auto &name : std::vector<std::string>(impl_->order)) {
    if (ClassInfo *c = impl_->findClass(name)) {
      if (c->methods.count("__init__"))
        impl_->methodSchema(*c, "__init__", c->def->span);
      for (const auto &s : c->def->body)
        if (s->kind == StmtKind::FunctionDef)
          impl_->methodSchema(*c, methodNameOf(*s), s->span);
      continue;
    }
    impl_->compile(name, nullptr);
  }
}

CompilationUnit &Compiler::unit() { return impl_->unit(); }

void Compiler::addGraph(const std::string &name, std::shared_ptr<Graph> graph,
                        FunctionSchema schema) {
  if (impl_->unit().find(name))
    throw std::invalid_argument("a function named '" + name + "' exists already");
  graph->setName(name);
  impl_->unit().add(std::move(graph));
  impl_->addSchema(name, std::move(schema));
  size_t dot = name.rfind('.');
  if (dot != std::string::npos)
    if (ClassInfo *c = impl_->findClass(name.substr(0, dot)))
      c->graphMethods.push_back(name.substr(dot + 1));
}

const FunctionSchema *Compiler::schema(const std::string &graphName) const {
  return impl_->compiledSchema(graphName);
}

void Compiler::orderMethods(const std::string &className, const std::vector<std::string> &first) {
  ClassInfo *c = impl_->findClass(className);
  if (!c)
    throw std::invalid_argument("no class '" + className + "'");
  for (const std::string &m : first)
    if (std::find(c->compileOrder.begin(), c->compileOrder.end(), m) == c->compileOrder.end())
      c->compileOrder.push_back(m);
}

/// `methods` of class `c` (named `className`) in the order they were first
/// compiled; methods never compiled keep their place after those.
static void sortByCompileOrder(std::vector<std::pair<const Graph *, const FunctionSchema *>> &methods,
                               const ClassInfo &c, const std::string &className) {
  auto rank = [&](const FunctionSchema *s) {
    std::string method = s->name.substr(className.size() + 1);
    return std::find(c.compileOrder.begin(), c.compileOrder.end(), method) - c.compileOrder.begin();
  };
  std::stable_sort(methods.begin(), methods.end(),
                   [&](const auto &a, const auto &b) { return rank(a.second) < rank(b.second); });
}

std::optional<ClassToPrint> Compiler::classToPrint(const std::string &className) {
  ClassInfo *c = impl_->findClass(className);
  if (!c)
    return std::nullopt;
  ClassToPrint p;
  p.type = c->type;
  p.attributes = c->attributes;
  p.parameters = c->parameters;
  p.buffers = c->buffers;
  p.forwardPreHooks = c->forwardPreHooks;
  p.forwardHooks = c->forwardHooks;
  p.fieldDefaults = c->defaults;
  for (const auto &s : c->def->body) {
    // A bare `Final` is a function attribute (`self.act = F.relu`), which
    // code calls by its global name: not a constant of the class.
    ResolvedAnnotation a;
    if (s->kind == StmtKind::AnnAssign && s->value && s->targets[0]->kind == ExprKind::Name)
      a = resolveAnnotation(*s->annotation, impl_->typeResolver());
    if (a.isFinal && a.type) {
      auto text = [](const Expr &e) {
        return sourceText(e);
      };
      // Printed as TorchScript prints the value (`0.10000000000000001`,
      // `(1,)`), whatever spelling the source used.
      std::string value = text(*s->value);
      try {
        c10::IValue v = defaultIValue(value, a.type);
        if (a.type->kind() == TypeKind::Tuple && v.isList()) // read as a list
          v = c10::ivalue::Tuple::create(v.toListRef().vec());
        value = reprOf(v);
      } catch (const std::exception &) {
        // not a literal TorchScript reads back (an expression): as written
      }
      p.constants.push_back({s->targets[0]->text, text(*s->annotation), value});
    }
    if (s->kind != StmtKind::FunctionDef)
      continue;
    std::string name = className + "." + methodNameOf(*s);
    if (c->isInterface) { // declarations only: no graph
      p.methods.push_back({nullptr, &impl_->methodSchema(*c, methodNameOf(*s), s->span)});
      continue;
    }
    // A static method whose calls name it as a function of the module
    // (`__torch__.origin()`, TorchScript's qualified name for it) is
    // printed as that function, not in the class: torch.jit.load reads no
    // decorators.
    bool isStatic = c->staticMethods.count(s->name) > 0;
    if (isStatic && impl_->qualifiedNameOf(name) != name)
      continue;
    const FunctionSchema *schema = impl_->compiledSchema(name);
    Graph *g = impl_->unit().find(name);
    if (schema && g)
      p.methods.push_back({g, schema});
    if (isStatic)
      p.staticMethods.push_back(s->name);
  }
  for (const std::string &method : c->graphMethods) {
    std::string name = className + "." + method;
    if (const FunctionSchema *schema = impl_->compiledSchema(name))
      p.methods.push_back({impl_->unit().find(name), schema});
  }
  if (c->assembled) // a module's methods in the order they were compiled
    sortByCompileOrder(p.methods, *c, className);
  return p;
}

} // namespace ember::frontend
