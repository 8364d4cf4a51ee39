//===- engine/ScriptProgram.cpp - compile sources, run them ---------------===//
#include "engine/ScriptProgram.h"

#include "engine/Executor.h"
#include "engine/Upgraders.h"
#include "passes/Passes.h"
#include "runtime/OperatorImport.h"

#include <ATen/core/class_type.h>

namespace ember {

namespace {

/// The first answer of `ask` over the resolvers that have the hook `hook`.
template <typename Hook, typename Ask>
auto firstAnswer(const std::vector<frontend::GlobalResolver> &resolvers, Hook hook, Ask ask)
    -> decltype(ask(resolvers.front().*hook)) {
  for (const frontend::GlobalResolver &r : resolvers)
    if (r.*hook)
      if (auto answer = ask(r.*hook))
        return answer;
  return {};
}

} // namespace

ScriptProgram::ScriptProgram(frontend::GlobalResolver resolver) {
  resolvers_.push_back(std::move(resolver));
  initializeRuntime();
  installExecutor();
  compiler_ = std::make_unique<frontend::Compiler>(chainedResolver());
  unit_ = std::make_unique<runtime::ScriptUnit>();
  // A method called through an interface is compiled when first called.
  unit_->setMethodLoader([this](const runtime::ScriptClass &cls, const std::string &method) {
    const std::string &qual = cls.type->name();
    return function(qual.substr(qual.find('.') + 1) + "." + method);
  });
}

// The compiler calls these while the program's mutex is held (it compiles
// only under it), so resolvers_ does not change under them.
frontend::GlobalResolver ScriptProgram::chainedResolver() {
  using R = frontend::GlobalResolver;
  R chained;
  chained.function = [this](const std::string &name) {
    return firstAnswer(resolvers_, &R::function, [&](const auto &f) { return f(name); });
  };
  chained.type = [this](const std::string &name) {
    return firstAnswer(resolvers_, &R::type, [&](const auto &f) { return f(name); });
  };
  chained.constant = [this](const std::string &name) {
    return firstAnswer(resolvers_, &R::constant, [&](const auto &f) { return f(name); });
  };
  chained.value = [this](const std::string &name) {
    return firstAnswer(resolvers_, &R::value, [&](const auto &f) { return f(name); });
  };
  chained.typeAlias = [this](const std::string &name) {
    return firstAnswer(resolvers_, &R::typeAlias, [&](const auto &f) { return f(name); });
  };
  chained.compiling = [this](const std::string &file) {
    for (const R &r : resolvers_)
      if (r.compiling)
        r.compiling(file);
  };
  return chained;
}

std::vector<frontend::GlobalResolver> ScriptProgram::resolvers() {
  std::lock_guard<std::mutex> lock(mutex_);
  return resolvers_;
}

void ScriptProgram::addResolver(frontend::GlobalResolver resolver) {
  std::lock_guard<std::mutex> lock(mutex_);
  resolvers_.push_back(std::move(resolver));
}

void ScriptProgram::addSource(std::shared_ptr<const frontend::Module> module) {
  std::lock_guard<std::mutex> lock(mutex_);
  compiler_->addModule(std::move(module));
}

runtime::Function *ScriptProgram::function(const std::string &name) {
  std::lock_guard<std::mutex> lock(mutex_);
  compiler_->compileFunction(name);
  loadNewGraphs();
  return unit_->findFunction(name);
}

const FunctionSchema *ScriptProgram::schema(const std::string &name) const {
  return compiler_->schema(name);
}

std::string ScriptProgram::code(const std::string &name) {
  std::lock_guard<std::mutex> lock(mutex_);
  frontend::CodePrinter printer;
  if (Graph *g = compiler_->unit().find(name))
    printer.printFunction(name, *g, *compiler_->schema(name));
  return printer.str();
}

runtime::ScriptClass &ScriptProgram::addClass(const std::string &qualifiedName,
                                              std::shared_ptr<frontend::Module> header,
                                              std::vector<frontend::ClassMethod> methods,
                                              std::map<std::string, std::vector<std::string>> overloads,
                                              const std::string &container,
                                              std::map<std::string, std::string> untyped) {
  std::lock_guard<std::mutex> lock(mutex_);
  compiler_->addClass(qualifiedName, std::move(header), std::move(methods), std::move(overloads),
                      container, std::move(untyped));
  // Script classes its attributes name are laid out too.
  return *loadClassLocked(qualifiedName);
}

runtime::ScriptClass *ScriptProgram::loadClass(const std::string &name) {
  std::lock_guard<std::mutex> lock(mutex_);
  return loadClassLocked(name);
}

/// The class names inside a type (`Optional[List[__torch__.A]]` -> A).
static void classesIn(const TypePtr &t, std::vector<std::string> &out) {
  if (t->kind() == TypeKind::Class)
    out.push_back(t->name().substr(std::string("__torch__.").size()));
  for (const auto &c : t->contained())
    classesIn(c, out);
}

runtime::ScriptClass *ScriptProgram::loadClassLocked(const std::string &name) {
  if (runtime::ScriptClass *known = unit_->findClass("__torch__." + name))
    if (!known->attributes.empty() || known->c10Type->numAttributes() > 0)
      return known;
  if (!compiler_->loadClass(name) || !compiler_->prepareClass(name))
    return nullptr;
  auto info = compiler_->classToPrint(name);
  if (info->type->kind() != TypeKind::Class)
    return nullptr; // a NamedTuple
  // Declared first, so classes that name each other resolve.
  runtime::ScriptClass *cls = unit_->addClass(info->type);
  std::vector<std::string> named;
  for (const auto &[attr, type] : info->attributes)
    classesIn(type, named);
  for (const std::string &other : named)
    if (other != name && !unit_->findClass("__torch__." + other))
      loadClassLocked(other);
  unit_->setAttributes(*cls, info->attributes, info->parameters, info->buffers);
  return cls;
}

runtime::Function *ScriptProgram::addGraph(const std::string &name, std::shared_ptr<Graph> graph,
                                           FunctionSchema schema) {
  std::lock_guard<std::mutex> lock(mutex_);
  // A graph made elsewhere (a trace, a frozen method) is final: the
  // frontend's cleanup does not run on it, as TorchScript leaves traces.
  finished_.insert(graph.get());
  compiler_->addGraph(name, std::move(graph), std::move(schema));
  loadNewGraphs();
  return unit_->findFunction(name);
}

void ScriptProgram::compileForExport(const std::string &name) {
  std::lock_guard<std::mutex> lock(mutex_);
  compiler_->compileForExport(name);
  loadNewGraphs();
}

c10::IValue ScriptProgram::newObject(const runtime::ScriptClass &cls) const {
  return c10::ivalue::Object::create(c10::StrongTypePtr(nullptr, cls.c10Type),
                                     cls.c10Type->numAttributes());
}

std::shared_ptr<Graph> ScriptProgram::inlinedGraph(const std::string &name) {
  std::lock_guard<std::mutex> lock(mutex_);
  Graph *g = compiler_->unit().find(name);
  if (!g)
    return nullptr;
  // As TorchScript's inlined_graph: each callee comes in as its
  // pre-optimised graph (GraphFunction::optimized_graph: inlined, peephole
  // without shape rewrites, immutable constants folded, constants pooled);
  // the graph itself is only inlined. The callees are copies.
  CompilationUnit preoptimized;
  for (const auto &fn : compiler_->unit().functions())
    preoptimized.add(fn->copy());
  PassContext ctx{&preoptimized, nullptr};
  for (const auto &fn : preoptimized.functions()) {
    findPass("inline")->create()->run(*fn, ctx);
    if (createPeepholePass(/*shapePeepholes=*/false)->run(*fn, ctx))
      findPass("dce")->create()->run(*fn, ctx); // what the rewrites left, as torch's peephole
    findPass("constant-propagation-immutable")->create()->run(*fn, ctx);
    findPass("constant-pooling")->create()->run(*fn, ctx);
  }
  auto copy = g->copy();
  findPass("inline")->create()->run(*copy, ctx);
  return copy;
}

std::string ScriptProgram::methodCode(const std::string &className, const std::string &method,
                                      std::vector<c10::IValue> *constants) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string name = className + "." + method;
  frontend::CodePrinter printer;
  printer.setConstantTable(constants);
  if (Graph *g = compiler_->unit().find(name))
    printer.printFunction(method, *g, *compiler_->schema(name), /*typedFirstArgument=*/false);
  return printer.str();
}

void ScriptProgram::loadNewGraphs() {
  // The script classes new signatures name are prepared first (their
  // __init__ compiled, so their slots are known): Python instances of them
  // convert to script objects at a call, as TorchScript converts them.
  std::vector<std::string> signatureClasses;
  for (const auto &g : compiler_->unit().functions())
    if (!loaded_.count(g.get())) {
      for (const Value *v : g->inputs())
        classesIn(v->type(), signatureClasses);
      for (const Value *v : g->outputs())
        classesIn(v->type(), signatureClasses);
    }
  for (const std::string &name : signatureClasses)
    if (!unit_->findClass("__torch__." + name) && compiler_->loadClass(name))
      compiler_->prepareClass(name);
  CompilationUnit fresh;
  CompilationUnit toClean;
  for (const auto &g : compiler_->unit().functions())
    if (!loaded_.count(g.get())) {
      fresh.add(g);
      if (!finished_.count(g.get()))
        toClean.add(g);
    }
  if (fresh.functions().empty())
    return;
  if (archiveVersion_)
    for (const auto &g : toClean.functions())
      applyUpgraders(*g, *archiveVersion_);
  if (!toClean.functions().empty())
    runPasses(toClean, pipelineNamed("frontend"), PassManagerOptions{});
  // Classes first (attributes may name other classes), then slots, then
  // functions and methods.
  std::vector<std::pair<runtime::ScriptClass *, std::string>> classes;
  for (const auto &g : fresh.functions()) {
    size_t dot = g->name().rfind('.');
    if (dot == std::string::npos || g->inputs().empty())
      continue;
    const TypePtr &self = g->inputs()[0]->type();
    if (self->kind() == TypeKind::Class)
      classes.push_back({unit_->addClass(self), g->name().substr(0, dot)});
  }
  for (auto &[cls, shortName] : classes)
    if (auto info = compiler_->classToPrint(shortName))
      unit_->setAttributes(*cls, info->attributes, info->parameters, info->buffers);
  for (const auto &g : fresh.functions()) {
    loaded_.insert(g.get());
    runtime::Function *fn = unit_->addFunction(g->name(), g);
    size_t dot = g->name().rfind('.');
    if (dot == std::string::npos || g->inputs().empty())
      continue;
    const TypePtr &self = g->inputs()[0]->type();
    if (self->kind() == TypeKind::Class)
      unit_->addMethod(*unit_->addClass(self), g->name().substr(dot + 1), fn);
  }
  for (const std::string &name : signatureClasses)
    loadClassLocked(name); // one without methods has slots too
}

} // namespace ember
