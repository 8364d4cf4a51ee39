//===- frontend/Compiler.cpp - compilation units and function bodies ------===//
//
// The Compiler registers the definitions of parsed files and compiles a
// function when it is first asked for, directly or by a call from another
// function. The chain of functions being compiled is kept so that a
// recursive call is reported with the whole cycle (TorchScript does not
// support recursion). FunctionEmitter::emit builds one function: its
// parameters, its body, and its result — the returned value where every
// path returns, None where none does, and an Optional of both otherwise.
//
//===----------------------------------------------------------------------===//
#include "frontend/EmitterImpl.h"
#include "frontend/LibraryClasses.h"
#include "frontend/Parser.h"

#include "ir/Constants.h"

#include <regex>
#include <sstream>

namespace ember::frontend {
namespace {

/// `import a.b as c` / `from a import b as c, d`: (alias, dotted path)
/// pairs; a malformed statement is a CompileError at `span`.
std::vector<std::pair<std::string, std::string>> parseImport(const std::string &text,
                                                             const SourceSpan &span) {
  std::vector<std::string> words;
  std::string w;
  for (char ch : text + " ") {
    if (isspace(static_cast<unsigned char>(ch)) || ch == ',' || ch == '(' || ch == ')') {
      if (!w.empty())
        words.push_back(w), w.clear();
    } else {
      w += ch;
    }
  }
  auto malformed = [&]() -> CompileError {
    return CompileError(span, "expected 'import a.b [as c]' or 'from a import b [as c], ...'");
  };
  bool from = !words.empty() && words[0] == "from";
  if (words.size() < 2 || (from && (words.size() < 4 || words[2] != "import")))
    throw malformed();
  std::string prefix = from ? words[1] + "." : "";
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = from ? 3 : 1; i < words.size();) {
    if (words[i] == "as")
      throw malformed();
    std::string path = prefix + words[i];
    // `import a.b` binds `a`; `from m import b` binds `b`.
    std::string alias = from ? words[i] : words[i].substr(0, words[i].find('.'));
    if (!from)
      path = alias;
    if (i + 1 < words.size() && words[i + 1] == "as") {
      if (i + 2 >= words.size())
        throw malformed();
      alias = words[i + 2];
      path = prefix + words[i];
      i += 3;
    } else {
      i += 1;
    }
    out.push_back({alias, path});
  }
  return out;
}

} // namespace

void CompilerImpl::addModule(std::shared_ptr<const Module> module) {
  for (const auto &s : module->body) {
    if (s->kind == StmtKind::Import) {
      for (const auto &[alias, path] : parseImport(s->name, s->span))
        imports_[module.get()][alias] = path;
    } else if (s->kind == StmtKind::FunctionDef) {
      auto it = defs_.find(s->name);
      if (it != defs_.end()) {
        CompileError e(s->span, "function '" + s->name + "' is defined twice");
        e.addNote(it->second.def->span, "the first definition is here");
        throw e;
      }
      defs_[s->name] = {module, s.get()};
      owner_[s.get()] = module.get();
      order.push_back(s->name);
    } else if (s->kind == StmtKind::ClassDef) {
      addClass(module, *s);
      order.push_back(s->name);
    }
  }
}

bool CompilerImpl::hasFunction(const std::string &name) {
  if (defs_.count(name))
    return true;
  if (classes_.count(name))
    return false; // a class, loaded already
  if (!resolver_.function)
    return false;
  std::shared_ptr<const Module> m = resolver_.function(name);
  if (!m)
    return false;
  addModule(m);
  return defs_.count(name) > 0;
}

bool CompilerImpl::loadFunction(const std::string &lookupName, const std::string &defName) {
  if (defs_.count(defName))
    return true;
  if (classes_.count(defName))
    return false; // a class, loaded already
  if (auto library = libraryClassModule(defName)) {
    addModule(library); // torch's own, as TorchScript prints it
    return false;
  }
  std::shared_ptr<const Module> m = resolver_.function ? resolver_.function(lookupName) : nullptr;
  if (m)
    addModule(m);
  return defs_.count(defName) > 0;
}

std::optional<std::string> CompilerImpl::importedPath(const Stmt &def,
                                                      const std::string &name) const {
  auto owner = owner_.find(&def);
  if (owner == owner_.end())
    return std::nullopt;
  auto m = imports_.find(owner->second);
  if (m == imports_.end())
    return std::nullopt;
  auto it = m->second.find(name);
  if (it == m->second.end())
    return std::nullopt;
  return it->second;
}

void CompilerImpl::addGraphFunction(const std::string &name, const Graph &graph,
                                    const FunctionSchema &schema, const SourceSpan &use) {
  if (unit().find(name))
    return; // the resolver names each graph's function uniquely
  // The copy is all this program gets: nothing of the other program (its
  // objects, classes, Python calls) may be reached from it.
  std::function<void(const Block &)> check = [&](const Block &b) {
    for (const Node *n : b.nodes()) {
      std::string kind = n->kind().qualString();
      if (kind == "prim::GetAttr" || kind == "prim::SetAttr" || kind == "prim::CallMethod" ||
          kind == "prim::PythonOp" || kind == "prim::CreateObject")
        throw CompileError(use, "the traced function '" + name +
                                    "' uses objects of its own program (" + kind +
                                    "); compiled code can call a traced function of tensors and "
                                    "values only");
      for (const Block *inner : n->blocks())
        check(*inner);
    }
  };
  check(*graph.block());
  auto copy = graph.copy();
  copy->setName(name);
  unit().add(std::move(copy));
  addSchema(name, schema);
}

const std::string &CompilerImpl::qualifiedNameOf(const std::string &function) {
  auto it = qualifiedNames.find(function);
  if (it == qualifiedNames.end()) {
    std::string path;
    if (resolver_.value)
      if (auto g = resolver_.value(function))
        path = g->qualifiedName;
    it = qualifiedNames.emplace(function, path).first;
  }
  return it->second.empty() ? function : it->second;
}

TypePtr CompilerImpl::broadcastAlias(const std::string &name) {
  if (!resolver_.typeAlias || classes_.count(name))
    return nullptr;
  std::optional<std::string> text = resolver_.typeAlias(name);
  static const std::regex pattern(R"(BroadcastingList(\d+)\[(int|float)\])");
  std::smatch m;
  if (!text || !std::regex_match(*text, m, pattern))
    return nullptr;
  TypePtr elem = Type::get(m[2] == "int" ? TypeKind::Int : TypeKind::Float);
  return Type::tuple(std::vector<TypePtr>(std::stoul(m[1]), elem));
}

DefaultConstantResolver CompilerImpl::defaultConstants() const {
  return [this](const Expr &e) -> std::shared_ptr<const c10::IValue> {
    std::string name = dottedName(e);
    if (name.rfind("CONSTANTS.", 0) == 0)
      return constant(name.substr(10));
    if (name.empty() || name.find('.') != std::string::npos)
      return nullptr;
    std::optional<GlobalValue> g = globalValue(name);
    return g ? g->constant : nullptr;
  };
}

TypeNameResolver CompilerImpl::typeResolver(bool moduleTypes) const {
  // Resolving a name may register the source that defines it, so the
  // resolver needs the compiler's mutable state.
  auto *self = const_cast<CompilerImpl *>(this);
  return [self, moduleTypes](const std::string &name) -> TypePtr {
    if (name.rfind("$broadcast:", 0) == 0) // see Resolver::resolveTop
      return self->broadcastAlias(name.substr(11));
    bool printed = name.rfind("__torch__.", 0) == 0;
    std::string shortName = printed ? name.substr(10) : name;
    auto it = self->classes_.find(shortName);
    if (it != self->classes_.end())
      return it->second.type;
    if (self->resolver_.type)
      if (TypePtr t = self->resolver_.type(name); t && (moduleTypes || !t->isModule()))
        return t;
    if (!printed && self->resolver_.typeAlias)
      if (auto text = self->resolver_.typeAlias(name)) {
        auto buffer = std::make_shared<SourceBuffer>(SourceBuffer{"<type alias " + name + ">", *text});
        return resolveType(*parseExpression(buffer), self->typeResolver(moduleTypes));
      }
    if (printed) {
      // A class of an archive's code, in a file not read yet.
      self->loadFunction(shortName, shortName);
      it = self->classes_.find(shortName);
      return it == self->classes_.end() ? nullptr : it->second.type;
    }
    // A class of the caller's environment named in an annotation
    // (`def f(a: Acc)`): compile it from the source the resolver gives,
    // under the name the resolver gives it (`mod.Acc`).
    if (self->resolver_.value)
      if (auto g = self->resolver_.value(name); g && !g->function.empty()) {
        self->loadFunction(name, g->function);
        if (ClassInfo *c = self->findClass(g->function))
          return c->type;
      }
    std::string defName = name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1);
    if (auto known = self->classes_.find(defName); known != self->classes_.end())
      return known->second.type;
    self->loadFunction(name, defName);
    it = self->classes_.find(defName);
    return it == self->classes_.end() ? nullptr : it->second.type;
  };
}

Graph *CompilerImpl::compile(const std::string &name, const SourceSpan *callSite) {
  if (Graph *g = unit_.find(name))
    return g;
  SourceSpan site = callSite ? *callSite : SourceSpan{};
  size_t dot = name.rfind('.');
  if (ClassInfo *c = dot == std::string::npos ? nullptr : findClass(name.substr(0, dot))) {
    methodSchema(*c, name.substr(dot + 1), c->def->span);
    return unit_.find(name);
  }
  if (!hasFunction(name)) {
    if (callSite)
      throw CompileError(*callSite, "undefined function '" + name + "'");
    throw std::runtime_error("no function named '" + name + "' to compile");
  }
  schemaOf(name, site);
  return unit_.find(name);
}

const FunctionSchema &CompilerImpl::schemaOf(const std::string &name,
                                             const SourceSpan &callSite) {
  auto done = schemas_.find(name);
  if (done != schemas_.end())
    return done->second;
  auto def = defs_.find(name);
  if (def == defs_.end()) {
    // `Class.static_method`
    size_t dot = name.rfind('.');
    ClassInfo *c = dot == std::string::npos ? nullptr : findClass(name.substr(0, dot));
    if (!c)
      throw CompileError(callSite, "undefined function '" + name + "'");
    return methodSchema(*c, name.substr(dot + 1), callSite);
  }
  return schemas_[name] = compileBody(name, *def->second.def, callSite, nullptr, false);
}

FunctionSchema CompilerImpl::compileBody(const std::string &graphName, const Stmt &def,
                                         const SourceSpan &callSite, ClassInfo *cls,
                                         bool isStatic) {
  for (size_t i = 0; i < inProgress_.size(); ++i)
    if (inProgress_[i].first == graphName) {
      std::string chain;
      for (size_t j = i; j < inProgress_.size(); ++j)
        chain += inProgress_[j].first + " -> ";
      CompileError e(callSite, "recursive call: " + chain + graphName +
                                   "; TorchScript does not support recursion, write it as a loop");
      for (size_t j = i + 1; j < inProgress_.size(); ++j)
        e.addNote(inProgress_[j].second, "'" + inProgress_[j].first + "' is called here");
      throw e;
    }
  auto graph = std::make_shared<Graph>();
  graph->setName(graphName);
  inProgress_.push_back({graphName, callSite});
  filesInProgress_.push_back(def.span.buffer ? def.span.buffer->name : "");
  if (resolver_.compiling)
    resolver_.compiling(filesInProgress_.back());
  auto finish = [&] {
    inProgress_.pop_back();
    filesInProgress_.pop_back();
    if (resolver_.compiling && !filesInProgress_.empty())
      resolver_.compiling(filesInProgress_.back());
  };
  FunctionSchema schema;
  try {
    bool isMethod = cls && !isStatic;
    FunctionSignature signature = signatureOf(def, isMethod, typeResolver(), defaultConstants());
    if (isMethod) {
      if (def.params.empty())
        throw CompileError(def.span, "method '" + def.name + "' needs a 'self' parameter");
      signature.schema.arguments[0].type = cls->type;
      // As TorchScript: `__setstate__`'s unannotated state has the type
      // `__getstate__` returns.
      if (def.name == "__setstate__" && def.params.size() == 2 && !def.params[1].annotation &&
          def.typeComment.empty() && cls->methods.count("__getstate__")) {
        const FunctionSchema &getState = methodSchema(*cls, "__getstate__", def.span);
        if (!getState.returns.empty())
          signature.schema.arguments[1].type = getState.returns[0].type;
      }
    }
    FunctionEmitter emitter(*this, def, graph, isMethod ? cls : nullptr);
    schema = emitter.emit(signature);
    schema.name = graphName;
  } catch (CompileError &e) {
    // TorchScript's call stack of an error: each function being compiled
    // because another called it.
    if (inProgress_.size() >= 2 && callSite.buffer) {
      auto shortName = [](const std::string &n) { return n.substr(n.rfind('.') + 1); };
      std::string callee = cls ? shortName(cls->def->name) + "." + def.name : def.name;
      e.addNote(callSite, "'" + callee + "' is being compiled since it was called from '" +
                              shortName(inProgress_[inProgress_.size() - 2].first) + "'");
    }
    finish();
    throw;
  } catch (...) {
    finish();
    throw;
  }
  finish();
  unit_.add(graph);
  return schema;
}

FunctionEmitter::FunctionEmitter(CompilerImpl &compiler, const Stmt &def,
                                 std::shared_ptr<Graph> graph, ClassInfo *cls)
    : compiler_(compiler), def_(def), graph_(std::move(graph)),
      file_(std::make_shared<const std::string>(def.span.buffer ? def.span.buffer->name : "")),
      class_(cls) {}

FunctionSchema FunctionEmitter::emit(const FunctionSignature &signature) {
  FunctionSchema schema = signature.schema;
  graph_->setInsertPoint(graph_->block());
  pushFrame(Frame::Kind::Function, graph_->block());
  for (size_t i = 0; i < def_.params.size(); ++i) {
    Value *in = graph_->addInput(def_.params[i].name);
    in->setType(schema.arguments[i].type);
    define(def_.params[i].name, Sugared::of(in), def_.params[i].span);
  }
  // As TorchScript compiles a classmethod: the first parameter is an
  // instance, and its name means the class in the body (`return cls(a)`).
  if (class_ && !def_.params.empty() &&
      std::any_of(def_.decorators.begin(), def_.decorators.end(),
                  [](const ExprPtr &d) { return dottedName(*d) == "classmethod"; })) {
    Sugared cls = Sugared::make(Sugared::Kind::TypeValue, class_->def->name);
    cls.type = class_->type;
    define(def_.params[0].name, cls, def_.params[0].span);
  }
  if (!signature.returnInferred)
    declaredReturn_ = schema.returns.empty() ? Type::get(TypeKind::None) : schema.returns[0].type;
  if (class_) {
    auto kind = class_->methodKinds.find(def_.name);
    if (kind != class_->methodKinds.end())
      return emitStandIn(schema, kind->second, def_.name);
  } else if (auto kind = compiler_.functionKinds.find(def_.name);
             kind != compiler_.functionKinds.end()) {
    return emitStandIn(schema, kind->second.first, kind->second.second);
  }
  setFlag("$skip", false, def_.span);
  setFlag("$ret", false, def_.span);
  emitStatements(def_.body);
  Value *result = functionResult();
  graph_->registerOutput(result);
  Argument ret;
  ret.type = declaredReturn_ ? declaredReturn_ : result->type();
  schema.returns = {ret};
  return schema;
}

FunctionSchema FunctionEmitter::emitStandIn(FunctionSchema schema, MethodKind kind,
                                            const std::string &pythonName) {
  // As TorchScript types an ignored function: unannotated parameters and
  // result are Tensor.
  TypePtr ret = declaredReturn_ ? declaredReturn_ : Type::get(TypeKind::Tensor);
  Value *result;
  if (kind == MethodKind::Python) {
    std::vector<Value *> args(graph_->inputs().begin(), graph_->inputs().end());
    result = insertValue(Symbol::prim("PythonOp"), args, ret, def_.span);
    result->node()->s_(attr::name(), pythonName);
  } else {
    insert(Symbol::prim("RaiseException"),
           {constStr("Cannot call @unused methods"), constStr("builtins.RuntimeError")}, 0,
           def_.span);
    result = uninitialized(ret);
  }
  graph_->registerOutput(result);
  Argument r;
  r.type = ret;
  schema.returns = {r};
  return schema;
}

Value *FunctionEmitter::functionResult() {
  ExitKind k = classify(refsOf(def_.body), false);
  const Binding *retval = lookup("$retval");
  Value *result;
  if (k == ExitKind::Always) {
    result = retval->value.value;
  } else if (k == ExitKind::Raises || !retval ||
             retval->value.value->type()->kind() == TypeKind::None) {
    result = declaredReturn_ && k == ExitKind::Raises ? uninitialized(declaredReturn_) : constNone();
  } else {
    Value *ret = lookup("$ret")->value.value;
    Value *v = retval->value.value;
    TypePtr type = unifyTypes(v->type(), Type::get(TypeKind::None));
    Node *n = insert(prim::If(), {ret}, 1, def_.span);
    n->output()->setType(type ? type : Type::optional(v->type()));
    graph_->setInsertPoint(n->addBlock());
    n->blocks()[0]->registerOutput(v);
    graph_->setInsertPoint(n->addBlock());
    n->blocks()[1]->registerOutput(constNone());
    graph_->setInsertPoint(graph_->block());
    result = n->output();
  }
  if (declaredReturn_) {
    Value *conv = convertTo(result, declaredReturn_);
    if (!conv)
      error(def_.span, "function '" + def_.name + "' is annotated to return '" +
                           declaredReturn_->annotationStr() + "' but " +
                           (k == ExitKind::Maybe || !retval
                                ? std::string("does not return a value on every path")
                                : "returns '" + result->type()->annotationStr() + "'"));
    result = conv;
  }
  return result;
}

// Graph helpers ---------------------------------------------------------------

Node *FunctionEmitter::insert(Symbol kind, const std::vector<Value *> &inputs, size_t outputs,
                              const SourceSpan &span) {
  Node *n = graph_->insert(kind, inputs, outputs);
  if (span.buffer) {
    // TorchScript's frontend builds these without a source range: they
    // print no location (a run-time traceback still shows the line).
    static const std::unordered_set<std::string> unlocated = {
        "prim::ListConstruct", "prim::TupleConstruct", "prim::DictConstruct",
        "prim::ListUnpack",    "prim::TupleUnpack",    "prim::TupleIndex",
        "prim::TupleSlice",    "prim::GetAttr",        "prim::SetAttr",
        "prim::isinstance",    "prim::EnumName",       "prim::EnumValue"};
    if (!unlocated.count(kind.qualString()))
      locate(n, span);
    n->setTextSpan(span); // the source line a run-time traceback shows
  }
  return n;
}

void FunctionEmitter::locate(Node *n, const SourceSpan &span) {
  if (!span.buffer)
    return;
  auto [line, col] = span.buffer->lineCol(span.offset);
  n->setSourceLocation(SourceLocation{file_, uint32_t(line), uint32_t(col - 1)});
}

Value *FunctionEmitter::insertValue(Symbol kind, const std::vector<Value *> &inputs, TypePtr type,
                                    const SourceSpan &span) {
  Value *v = insert(kind, inputs, 1, span)->output();
  v->setType(std::move(type));
  return v;
}

Value *FunctionEmitter::constInt(int64_t v) { return graph_->insertConstant(v); }
Value *FunctionEmitter::constFloat(double v) { return graph_->insertConstant(v); }
Value *FunctionEmitter::constBool(bool v) { return graph_->insertConstant(v); }
Value *FunctionEmitter::constStr(const std::string &v) { return graph_->insertConstant(v); }
Value *FunctionEmitter::constNone() { return graph_->insertNoneConstant(); }

Value *FunctionEmitter::literalConstant(const c10::IValue &value, const SourceSpan &span) {
  // One map per kind, as TorchScript's (an int 1 and a float 1.0 differ).
  for (Value *v : literals_) {
    std::optional<c10::IValue> known = constantValue(v);
    if (known && known->tagKind() == value.tagKind() && *known == value)
      return v;
  }
  Node *before = graph().insertPoint();
  graph().setInsertPoint(graph().block()->front());
  Value *v = graph().insertConstant(value);
  graph().setInsertPoint(before);
  locate(v->node(), span);
  literals_.push_back(v);
  return v;
}

Value *FunctionEmitter::uninitialized(const TypePtr &type) {
  // As TorchScript's exit transform: one per type, at the top of the graph.
  for (const auto &[t, v] : uninitialized_)
    if (t->equals(*type))
      return v;
  Node *n = graph().create(Symbol::prim("Uninitialized"), {}, 1);
  n->output()->setType(type);
  graph().block()->prependNode(n);
  uninitialized_.push_back({type, n->output()});
  return n->output();
}

Value *FunctionEmitter::convertTo(Value *v, const TypePtr &type) {
  if (type->kind() == TypeKind::Interface && v->type()->str() != type->str() &&
      (v->type()->kind() == TypeKind::Class || v->type()->kind() == TypeKind::Interface))
    return checkImplements(v->type(), type, def_.span) ? v : nullptr;
  if (v->type()->isSubtypeOf(*type))
    return v;
  // A homogeneous tuple converts to a list (TorchScript's tryConvertToType):
  // `return a, b` from a function annotated `-> List[Tensor]`.
  TypePtr list = type->kind() == TypeKind::Optional ? type->elem() : type;
  if (v->type()->kind() == TypeKind::Tuple && list->kind() == TypeKind::List) {
    const auto &elems = v->type()->contained();
    for (const auto &e : elems)
      if (!e->isSubtypeOf(*list->elem()))
        return nullptr;
    Node *unpack = insert(Symbol::prim("TupleUnpack"), {v}, elems.size(), SourceSpan{});
    for (size_t i = 0; i < elems.size(); ++i)
      unpack->output(i)->setType(elems[i]);
    return insertValue(Symbol::prim("ListConstruct"), unpack->outputs(), list, SourceSpan{});
  }
  return nullptr;
}

void FunctionEmitter::error(const SourceSpan &span, const std::string &message) const {
  throw CompileError(span, message);
}

} // namespace ember::frontend
