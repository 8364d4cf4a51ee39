//===- frontend/EmitCalls.cpp - calls to operators and script functions ---===//
//
// A call resolves its callee first (an operator such as `aten::add`, with
// its receiver for `x.add(y)`; a script function; a builtin), then binds the
// actual arguments with CallBinding and inserts what the plan asks for:
// defaults as constants, implicit conversions as nodes, `int[2]` broadcasts
// and tuple-to-list conversions as list constructions. Operators with
// several results return a tuple, as TorchScript's do.
//
//===----------------------------------------------------------------------===//
#include <algorithm>

#include "frontend/EmitterImpl.h"

#include "ir/Constants.h"

namespace ember::frontend {
namespace {

std::vector<CallArgument> callArguments(const std::vector<NamedValue> &args) {
  std::vector<CallArgument> out;
  for (const auto &a : args)
    out.push_back({a.value->type(), a.keyword, a.span});
  return out;
}

} // namespace

std::vector<Value *> FunctionEmitter::materializeCall(const CallBinding &b,
                                                     const std::vector<NamedValue> &args,
                                                     const SourceSpan &span) {
  FunctionEmitter &em = *this;
  std::vector<Value *> inputs;
  for (const BoundArgument &a : b.arguments) {
    if (a.source == BoundArgument::Default) {
      inputs.push_back(a.defaultConstant ? em.graph().insertConstant(*a.defaultConstant)
                                         : insertDefault(em.graph(), a.defaultValue, a.formalType,
                                                         a.repeat));
      continue;
    }
    if (a.conversion == ConversionKind::PackList) {
      std::vector<Value *> elems;
      for (size_t i : a.packed) {
        Value *e = args[i].value;
        if (e->type()->kind() == TypeKind::Tensor &&
            a.formalType->elem()->kind() == TypeKind::Int)
          e = em.insertValue(Symbol::fromQualString("aten::IntImplicit"), {e},
                             Type::get(TypeKind::Int), args[i].span);
        elems.push_back(e);
      }
      inputs.push_back(em.insertValue(Symbol::prim("ListConstruct"), elems, a.formalType, span));
      continue;
    }
    Value *v = args[a.actual].value;
    const SourceSpan &at = args[a.actual].span;
    TypePtr target = a.formalType;
    if (target && target->kind() == TypeKind::Optional && v->type()->kind() != TypeKind::Optional)
      target = target->elem();
    switch (a.conversion) {
    case ConversionKind::None:
    case ConversionKind::PackList: break;
    case ConversionKind::Implicit: v = em.insertValue(Symbol::fromQualString(a.op), {v}, target, at); break;
    case ConversionKind::BroadcastList:
      v = em.insertValue(Symbol::prim("ListConstruct"), std::vector<Value *>(a.repeat, v),
                         Type::list(v->type()), at);
      break;
    case ConversionKind::TupleToList: {
      // (No source location, as TorchScript's tryConvertToType inserts them.)
      const auto &elems = v->type()->contained();
      Node *unpack = em.insert(Symbol::prim("TupleUnpack"), {v}, elems.size(), SourceSpan{});
      for (size_t i = 0; i < elems.size(); ++i)
        unpack->output(i)->setType(elems[i]);
      v = em.insertValue(Symbol::prim("ListConstruct"), unpack->outputs(), target, SourceSpan{});
      break;
    }
    }
    if (target && target->kind() == TypeKind::Interface &&
        (v->type()->kind() == TypeKind::Class || v->type()->kind() == TypeKind::Interface) &&
        v->type() != target && v->type()->str() != target->str())
      checkImplements(v->type(), target, at);
    inputs.push_back(v);
  }
  return inputs;
}

/// Inserts the node a binding calls for; packs several results in a tuple.
static Value *emitBound(FunctionEmitter &em, Symbol kind, const CallBinding &b,
                        std::vector<Value *> inputs, const SourceSpan &span) {
  Node *n = em.insert(kind, inputs, b.returns.size(), span);
  for (size_t i = 0; i < b.returns.size(); ++i)
    n->output(i)->setType(b.returns[i]);
  if (b.returns.empty())
    return em.constNone();
  if (b.returns.size() == 1)
    return n->output();
  // Named results (`max.dim -> (Tensor values, Tensor indices)`) make an
  // anonymous NamedTuple, so `.values` and `.indices` work as in TorchScript.
  std::vector<std::string> names;
  for (const Argument &r : b.schema->returns)
    names.push_back(r.name);
  bool allNamed = std::none_of(names.begin(), names.end(),
                               [](const std::string &s) { return s.empty(); });
  TypePtr type = allNamed ? Type::namedTuple("", names, b.returns) : Type::tuple(b.returns);
  return em.insertValue(Symbol::prim("TupleConstruct"), n->outputs(), type, span);
}

Value *FunctionEmitter::emitOperator(const std::string &callee,
                                     const std::vector<NamedValue> &args,
                                     const SourceSpan &span) {
  Symbol kind = Symbol::fromQualString(callee);
  if ((callee == "aten::sort" || callee == "aten::sorted") && !args.empty())
    checkSortable(args[0].value->type(), span);
  auto overloads = OperatorRegistry::global().lookup(kind);
  CallBinding b = bindOverloads(callee, overloads, callArguments(args), span);
  return emitBound(*this, kind, b, materializeCall(b, args, span), span);
}

/// As TorchScript: a list of script objects sorts by the class's
/// `__lt__(self, other: C) -> bool`, which must exist (and is compiled now,
/// for the run-time comparison to find it).
void FunctionEmitter::checkSortable(const TypePtr &listType, const SourceSpan &span) {
  if (listType->kind() != TypeKind::List || listType->elem()->kind() != TypeKind::Class)
    return;
  TypePtr elem = listType->elem();
  ClassInfo *c = compiler_.classOfType(elem);
  if (!c || c->isNamedTuple)
    return;
  bool fits = false;
  if (c->methods.count("__lt__")) {
    const FunctionSchema &lt = compiler_.methodSchema(*c, "__lt__", span);
    fits = lt.arguments.size() == 2 && lt.arguments[1].type->str() == elem->str() &&
           lt.returns.size() == 1 && lt.returns[0].type->kind() == TypeKind::Bool;
  }
  if (!fits)
    error(span, "To sort a list of " + elem->annotationStr() + " it must define a __lt__ "
                "method with two inputs of type " + elem->annotationStr() +
                " that returns a bool");
}

Value *FunctionEmitter::tryOperator(const std::string &callee,
                                    const std::vector<NamedValue> &args,
                                    const SourceSpan &span) {
  Symbol kind = Symbol::fromQualString(callee);
  auto overloads = OperatorRegistry::global().lookup(kind);
  std::vector<CallArgument> actuals = callArguments(args);
  for (bool conversions : {false, true})
    for (const auto &s : overloads)
      if (auto b = bindCall(*s, actuals, conversions))
        return emitBound(*this, kind, *b, materializeCall(*b, args, span), span);
  return nullptr;
}

void FunctionEmitter::noteEmptyLiteral(const Expr &arg, Value *v) {
  if ((arg.kind == ExprKind::List || arg.kind == ExprKind::Dict) && arg.operands.empty())
    emptyLiterals_.insert(v);
}

// As TorchScript's schema matching: an empty `[]` or `{}` written as the
// argument takes the container type of the parameter it is passed to.
void FunctionEmitter::typeEmptyLiterals(const FunctionSchema &schema,
                                        const std::vector<NamedValue> &args) {
  for (size_t i = 0; i < args.size(); ++i) {
    Value *v = args[i].value;
    if (!emptyLiterals_.count(v) || v->hasUses())
      continue;
    const Argument *formal = nullptr;
    for (size_t j = 0; j < schema.arguments.size(); ++j)
      if (args[i].keyword.empty() ? j == i : schema.arguments[j].name == args[i].keyword)
        formal = &schema.arguments[j];
    if (formal && formal->type->kind() == v->type()->kind() && !formal->type->hasFreeVariables())
      v->setType(formal->type);
  }
}

Value *FunctionEmitter::emitScriptCall(const std::string &name,
                                       const std::vector<NamedValue> &args,
                                       const SourceSpan &span) {
  auto schema = std::make_shared<FunctionSchema>(compiler_.schemaOf(name, callSite(span)));
  typeEmptyLiterals(*schema, args);
  CallBinding b = bindOverloads(name, {schema}, callArguments(args), span);
  std::vector<Value *> inputs = materializeCall(b, args, span);
  Node *fn = insert(prim::Constant(), {}, 1, span);
  fn->s_(attr::name(), name);
  fn->output()->setType(Type::function(compiler_.qualifiedNameOf(name)));
  fn->setSourceLocation(std::nullopt);
  inputs.insert(inputs.begin(), fn->output());
  Node *call = insert(Symbol::prim("CallFunction"), inputs, 1, span);
  call->output()->setType(b.returns.empty() ? Type::get(TypeKind::None) : b.returns[0]);
  return call->output();
}

std::vector<NamedValue> FunctionEmitter::emitArguments(const Expr &call, size_t first) {
  std::vector<NamedValue> args;
  for (size_t i = first; i < call.operands.size(); ++i) {
    const Expr &a = *call.operands[i];
    if (a.kind == ExprKind::Starred) {
      // `f(*t)` passes a tuple's elements, unpacked where the call is.
      Value *t = emitValue(*a.operands[0]);
      if (t->type()->kind() != TypeKind::Tuple)
        error(a.span, "'*' in a call takes a tuple, but this is a value of type '" +
                          t->type()->annotationStr() + "'; pass the arguments one by one");
      const auto &elems = t->type()->contained();
      Node *unpack = insert(Symbol::prim("TupleUnpack"), {t}, elems.size(), SourceSpan{});
      for (size_t k = 0; k < elems.size(); ++k) {
        unpack->output(k)->setType(elems[k]);
        args.push_back({unpack->output(k), "", a.span});
      }
      continue;
    }
    args.push_back({emitValue(a), "", writtenSpan(a)});
    noteEmptyLiteral(a, args.back().value);
  }
  for (const auto &k : call.keywords) {
    args.push_back({emitValue(*k.value), k.name, k.span});
    noteEmptyLiteral(*k.value, args.back().value);
  }
  return args;
}

std::string FunctionEmitter::pickOverload(const std::string &callee,
                                          const std::vector<std::string> &candidates,
                                          ClassInfo *cls, const std::vector<NamedValue> &args,
                                          const SourceSpan &span) {
  std::vector<std::shared_ptr<const FunctionSchema>> schemas;
  for (const std::string &name : candidates)
    if (auto s = compiler_.declaredSignature(name, cls))
      schemas.push_back(std::make_shared<FunctionSchema>(*s));
  if (schemas.empty())
    error(span, "no overload of '" + callee + "' has a signature TorchScript can type");
  CallBinding b = bindOverloads(callee, schemas, callArguments(args), span);
  return b.schema->name;
}

Sugared FunctionEmitter::chooseDispatch(const GlobalValue::BoolDispatch &d, const Expr &e) {
  // As TorchScript's BooleanDispatchValue: the flag is a keyword or the
  // positional argument at `index`, and must be a constant.
  const Expr *flag = nullptr;
  for (const auto &k : e.keywords)
    if (k.name == d.argName)
      flag = k.value.get();
  if (!flag && d.index + 1 < e.operands.size())
    flag = e.operands[d.index + 1].get();
  bool value = d.defaultValue;
  if (flag) {
    Value *v = emitValue(*flag);
    auto c = constantValue(v);
    if (!c || !c->isBool())
      error(flag->span, "'" + d.argName + "' must be a constant bool here: it picks the function "
                        "to call at compile time");
    value = c->toBool();
  }
  const std::string &chosen = value ? d.ifTrue : d.ifFalse;
  auto g = compiler_.globalValue(chosen);
  if (!g)
    error(e.span, "cannot resolve '" + chosen + "'");
  return fromGlobalValue(*g, chosen, e.span);
}

/// `t.tolist()`: TorchScript's prim::tolist, whose result type comes from
/// the annotation around it (`x: List[float] = t.tolist()`), passed as the
/// list depth and an element code (int 0, float 1, bool 2, complex 3).
Value *FunctionEmitter::emitToList(Value *tensor, const TypePtr &hint, const SourceSpan &span) {
  if (!hint)
    error(span, "expected a type hint for the result of tolist(): write 'x: List[float] = "
                "t.tolist()' or 'torch.jit.annotate(List[float], t.tolist())'");
  int64_t dims = 0;
  TypePtr elem = hint;
  for (; elem->kind() == TypeKind::List; elem = elem->elem())
    ++dims;
  static const std::map<TypeKind, int64_t> codes = {
      {TypeKind::Int, 0}, {TypeKind::Float, 1}, {TypeKind::Bool, 2}, {TypeKind::Complex, 3}};
  auto code = codes.find(elem->kind());
  if (code == codes.end())
    error(span, "'" + elem->annotationStr() + "' is not one of the supported element types for "
                "tolist: use int, float, bool or complex");
  return insertValue(Symbol::prim("tolist"), {tensor, constInt(dims), constInt(code->second)},
                     hint, SourceSpan{});
}

/// `t.__getitem__(i)` spelled out, as TorchScript reads it: aten::index with
/// the one index, which must be a tensor.
Value *FunctionEmitter::emitTensorGetItem(Value *tensor, const Expr &call) {
  if (call.operands.size() != 2 || !call.keywords.empty())
    error(call.span, "__getitem__ expected exactly 1 argument");
  Value *index = emitValue(*call.operands[1]);
  if (index->type()->kind() != TypeKind::Tensor)
    error(call.operands[1]->span, "expected a Tensor index for Tensor.__getitem__ but found '" +
                                      index->type()->annotationStr() + "': write t[i] instead");
  Value *list = insertValue(Symbol::prim("ListConstruct"), {index},
                            Type::list(Type::optional(Type::tensor())), call.span);
  return emitOperator("aten::index", {{tensor, "", call.span}, {list, "", call.span}}, call.span);
}

/// As TorchScript's BuiltinFunction::tryCreate: `v.name(...)` calls the
/// operator `name` only if one of its overloads takes an argument named
/// `self` of v's type: `"a".lower()` is a method, `(1).add(1)` is not
/// (aten::add.int names its arguments a and b). The position of that
/// argument, where the receiver goes: usually the first, but
/// `x.polygamma(n)` is polygamma(int n, Tensor self) and `x.where(c, y)` is
/// where(Tensor condition, Tensor self, Tensor other), whose positional
/// arguments skip `self` as TorchScript's matchSchema does.
static std::optional<size_t> methodSelfIndex(const std::string &op, const TypePtr &receiver) {
  std::optional<size_t> found;
  for (const auto &schema : OperatorRegistry::global().lookup(Symbol::fromQualString(op))) {
    for (size_t i = 0; i < schema->arguments.size(); ++i) {
      if (schema->arguments[i].name != "self")
        continue;
      TypeEnv env;
      const TypePtr &formal = schema->arguments[i].type;
      if (formal->hasFreeVariables() ? bindTypeVariables(formal, receiver, env)
                                     : receiver->isSubtypeOf(*formal)) {
        if (i == 0)
          return i;
        found = found ? std::min(*found, i) : i;
      }
      break;
    }
  }
  return found;
}

const SourceSpan &FunctionEmitter::callSite(const SourceSpan &span) const {
  return callRange_.buffer == span.buffer && callRange_.offset == span.offset ? callRange_ : span;
}

Sugared FunctionEmitter::emitCall(const Expr &e, const TypePtr &hint) {
  // The notes of what a call compiles show the call from its callee to its
  // last argument (TorchScript's range of the call).
  SourceSpan outer = callRange_;
  callRange_ = SourceSpan{e.span.buffer, e.span.offset, rangeEnd(e) - e.span.offset};
  struct Restore {
    SourceSpan &slot, saved;
    ~Restore() { slot = saved; }
  } restore{callRange_, outer};
  return emitCallOf(e, hint);
}

Sugared FunctionEmitter::emitCallOf(const Expr &e, const TypePtr &hint) {
  const Expr &calleeExpr = *e.operands[0];
  Sugared callee = emitExpr(calleeExpr);
  switch (callee.kind) {
  case Sugared::Kind::Operator: {
    if (callee.value && callee.value->type()->kind() == TypeKind::Tensor &&
        callee.name == "aten::tolist" && e.operands.size() == 1 && e.keywords.empty())
      return Sugared::of(emitToList(callee.value, hint, e.span));
    if (callee.value && callee.value->type()->kind() == TypeKind::Tensor &&
        callee.name == "aten::__getitem__")
      return Sugared::of(emitTensorGetItem(callee.value, e));
    std::optional<size_t> selfIndex;
    if (callee.value && !(selfIndex = methodSelfIndex(callee.name, callee.value->type())))
      error(calleeExpr.span, "'" + callee.value->type()->annotationStr() +
                                 "' object has no attribute or method '" +
                                 calleeExpr.text + "'");
    std::vector<NamedValue> args = emitArguments(e);
    if (selfIndex) {
      size_t positional = 0;
      while (positional < args.size() && args[positional].keyword.empty())
        ++positional;
      NamedValue self{callee.value, "", calleeExpr.operands[0]->span};
      if (*selfIndex > positional)
        self.keyword = "self";
      args.insert(args.begin() + std::min(*selfIndex, positional), self);
    }
    if (callee.name == "aten::list_with_default" && args.size() == 2)
      return Sugared::of(emitListWithDefault(args[0].value, args[1].value, e.span));
    if (Value *list = emitNTuple(callee.name, args, e.span))
      return Sugared::of(list);
    return Sugared::of(emitOperator(callee.name, args, e.span));
  }
  case Sugared::Kind::Builtin:
    if (callee.name.rfind("$tree:", 0) == 0) {
      if (e.operands.size() > 1 || !e.keywords.empty())
        error(e.span, "'" + calleeExpr.text + "()' takes no arguments");
      return Sugared::of(emitModuleTree(callee.value, callee.name.substr(6), e.span));
    }
    if (callee.name == "$tensor-cast") {
      if (e.operands.size() > 1 || !e.keywords.empty())
        error(e.span, "'" + calleeExpr.text + "()' takes no arguments");
      Value *f = constBool(false);
      return Sugared::of(emitOperator("aten::to", {{callee.value, "", e.span},
                                                   {callee.items[0].value, "", e.span},
                                                   {f, "", e.span}, {f, "", e.span},
                                                   {constNone(), "", e.span}},
                                      e.span));
    }
    return emitBuiltin(callee.name, e, hint);
  case Sugared::Kind::Function:
    return Sugared::of(emitScriptCall(callee.name, emitArguments(e), e.span));
  case Sugared::Kind::Method:
    if ((callee.name == "keys" || callee.name == "values" || callee.name == "items") &&
        isModuleDict(callee.value->type())) {
      if (e.operands.size() > 1 || !e.keywords.empty())
        error(e.span, "'" + callee.name + "()' takes no arguments");
      return Sugared::of(emitModuleDictView(callee.value, callee.name, e.span));
    }
    // As TorchScript, which compiles a module's method when the call names
    // it, before the arguments (and the methods they call) are emitted.
    if (ClassInfo *c = compiler_.classOfType(callee.value->type());
        c && c->assembled && c->methods.count(callee.name))
      compiler_.methodSchema(*c, callee.name, callSite(e.span));
    return Sugared::of(emitMethodCall(callee.value, callee.name, emitArguments(e), e.span));
  case Sugared::Kind::TypeValue:
    if (ClassInfo *c = compiler_.findClass(callee.name))
      return Sugared::of(emitConstruct(*c, e));
    break;
  case Sugared::Kind::Namespace:
    error(calleeExpr.span, "'" + callee.name + "' is a module, not a function");
  case Sugared::Kind::Value:
    // Calling a module runs its forward; any other object its __call__.
    if (ClassInfo *c = compiler_.classOfType(callee.value->type())) {
      const char *method = callee.value->type()->isModule() ? "forward" : "__call__";
      bool hooked = !c->forwardPreHooks.empty() || !c->forwardHooks.empty();
      if (hooked && callee.value->type()->isModule())
        return Sugared::of(emitHookedCall(callee.value, *c, emitArguments(e), e.span));
      // (A traced module's forward is a graph, not source: graphMethods.)
      if (c->methods.count(method) || c->overloads.count(method) ||
          std::count(c->graphMethods.begin(), c->graphMethods.end(), method))
        return Sugared::of(emitMethodCall(callee.value, method, emitArguments(e), e.span));
    }
    break;
  case Sugared::Kind::Overloads: {
    std::vector<std::string> names;
    for (const Sugared &f : callee.items)
      names.push_back(f.name);
    std::vector<NamedValue> args = emitArguments(e);
    return Sugared::of(emitScriptCall(pickOverload(callee.name, names, nullptr, args, e.span),
                                      args, e.span));
  }
  case Sugared::Kind::Dispatch: {
    Sugared chosen = chooseDispatch(*callee.dispatch, e);
    while (chosen.kind == Sugared::Kind::Dispatch) // torch.unique dispatches twice
      chosen = chooseDispatch(*chosen.dispatch, e);
    if (chosen.kind == Sugared::Kind::Function)
      return Sugared::of(emitScriptCall(chosen.name, emitArguments(e), e.span));
    if (chosen.kind == Sugared::Kind::Operator)
      return Sugared::of(emitOperator(chosen.name, emitArguments(e), e.span));
    break;
  }
  case Sugared::Kind::Iterable:
  case Sugared::Kind::Slice: break;
  }
  std::string what = callee.isValue() ? "a value of type '" + callee.value->type()->annotationStr() + "'"
                                      : "this";
  error(calleeExpr.span, "cannot call " + what);
}

} // namespace ember::frontend
