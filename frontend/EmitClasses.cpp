//===- frontend/EmitClasses.cpp - objects, methods and `with` -------------===//
//
// Script objects in graphs, as TorchScript writes them:
//   Point(1, 2)      -> prim::CreateObject, then prim::CallMethod[name="__init__"]
//   p.x              -> prim::GetAttr[name="x"]
//   self.x = v       -> prim::SetAttr[name="x"] (in __init__, this defines x)
//   p.norm()         -> prim::CallMethod[name="norm"](p)
//   len(p), p[i], p == q, p + q -> the class's __len__, __getitem__, __eq__, __add__
//   Pair(a, b)       -> prim::TupleConstruct for a NamedTuple, defaults filled in
// `with ctx as v:` calls the object's __enter__ and __exit__ around the
// body (prim::Enter / prim::Exit); `with torch.no_grad():` does so with
// torch's no_grad class (LibraryClasses.h), as TorchScript compiles it.
//
//===----------------------------------------------------------------------===//
#include "frontend/EmitterImpl.h"

#include <algorithm>

#include "ir/Constants.h"
#include "ir/CustomClasses.h"
#include <set>

#include <functional>

namespace ember::frontend {

Sugared FunctionEmitter::classAttribute(Value *object, const std::string &attr,
                                        const SourceSpan &span) {
  if (object->type()->kind() == TypeKind::Class && isCustomClassName(object->type()->name())) {
    if (!customClassMethod(object->type()->name(), attr))
      error(span, "'" + object->type()->annotationStr() + "' has no attribute '" + attr + "'");
    return Sugared::make(Sugared::Kind::Method, attr, object);
  }
  ClassInfo *c = compiler_.classOfType(object->type());
  if (!c)
    error(span, "'" + object->type()->annotationStr() + "' has no attribute '" + attr + "'");
  bool inOwnInit = class_ == c && def_.name == "__init__";
  if (!inOwnInit)
    compiler_.prepareClass(*c, span);
  if (TypePtr t = c->attributeType(attr)) {
    Value *v = insertValue(Symbol::prim("GetAttr"), {object}, t, span);
    v->node()->s_(attr::name(), attr);
    // As TorchScript's createGetAttr: the value is named after the
    // attribute (so `.code` shows `weight = self.weight`); a numeric
    // name (a ModuleList index) gets a leading `_`.
    if (!attr.empty() && std::all_of(attr.begin(), attr.end(), ::isdigit))
      v->setDebugName("_" + attr);
    else if (meaningfulName(attr))
      v->setDebugName(attr);
    return Sugared::of(v);
  }
  if (auto p = c->propertyGetters.find(attr); p != c->propertyGetters.end())
    return Sugared::of(emitMethodCall(object, p->second, {}, span));
  for (const auto &s : c->def->body)
    if (s->kind == StmtKind::AnnAssign && s->value && s->targets[0]->kind == ExprKind::Name &&
        s->targets[0]->text == attr &&
        resolveAnnotation(*s->annotation, compiler_.typeResolver()).isFinal)
      return emitExpr(*s->value); // a Final constant
  bool dictView = (attr == "keys" || attr == "values" || attr == "items") &&
                  isModuleDict(object->type());
  if (c->methods.count(attr) || c->overloads.count(attr) || dictView) {
    Sugared m = Sugared::make(Sugared::Kind::Method, attr, object);
    return m;
  }
  // nn.Module's `modules()`, `children()`, `parameters()`, `buffers()` and
  // their `named_` forms: the module tree as TorchScript unrolls it (a
  // tuple of the submodules or tensors, `(name, value)` pairs when named).
  static const std::set<std::string> trees = {"modules", "children", "parameters", "buffers",
                                              "named_modules", "named_children",
                                              "named_parameters", "named_buffers"};
  if (trees.count(attr) && c->type->isModule())
    return Sugared::make(Sugared::Kind::Builtin, "$tree:" + attr, object);
  if (auto why = c->untyped.find(attr); why != c->untyped.end()) {
    // The Python class's name, as torch.jit names it (not a mangled one).
    std::string pyName = c->def->name.substr(c->def->name.rfind('.') + 1);
    error(span, "module '" + pyName + "' has no attribute '" + attr +
                    "': the Python module has it, but it was not scripted (" + why->second + ")");
  }
  if (c->isInterface)
    error(span, "'" + c->def->name + "' object has no attribute or method '" + attr +
                    "': the interface declares no such method");
  if (c->type->isModule()) // torch.jit's words for a module
    error(span, "Module '" + c->def->name.substr(c->def->name.rfind('.') + 1) +
                    "' has no attribute '" + attr + "'; assign it in __init__() to use it here");
  std::string message = "'" + c->def->name + "' object has no attribute or method '" + attr +
                        "'";
  if (bindsAtClassLevel(*c->def, attr))
    error(span, message + ". '" + attr + "' is defined as a class attribute on type '" +
                    c->def->name + "'. Class attributes are not supported in TorchScript; "
                    "assign it to self in __init__, or annotate it Final");
  error(span, message + (inOwnInit ? "; assign it in __init__ before reading it"
                                   : ". Did you forget to initialize an attribute in __init__()?"));
}

/// Whether `t` is `cls` or contains it (`Optional[Tree]` in Tree).
bool FunctionEmitter::mentionsType(const TypePtr &t, const TypePtr &cls) {
  if (t->kind() == cls->kind() && t->str() == cls->str())
    return true;
  for (const auto &c : t->contained())
    if (mentionsType(c, cls))
      return true;
  return false;
}

/// Whether the class body itself binds `name` (`x = 1`, `(a, b), [c, d] =
/// ...`, `e: int = 0`): a Python class attribute, which TorchScript objects
/// do not have.
bool FunctionEmitter::bindsAtClassLevel(const Stmt &classDef, const std::string &name) {
  std::function<bool(const Expr &)> binds = [&](const Expr &target) {
    if (target.kind == ExprKind::Name)
      return target.text == name;
    if (target.kind == ExprKind::Tuple || target.kind == ExprKind::List)
      return std::any_of(target.operands.begin(), target.operands.end(),
                         [&](const ExprPtr &e) { return binds(*e); });
    return false;
  };
  for (const auto &s : classDef.body)
    if (s->kind == StmtKind::Assign || s->kind == StmtKind::AnnAssign)
      for (const auto &target : s->targets)
        if (binds(*target))
          return true;
  return false;
}

Value *FunctionEmitter::emitModuleTree(Value *module, const std::string &what,
                                       const SourceSpan &span) {
  bool named = what.rfind("named_", 0) == 0;
  std::string kind = named ? what.substr(6) : what; // modules, children, parameters, buffers
  bool tensors = kind == "parameters" || kind == "buffers";
  // TorchScript's `named_buffers()` lists the module's own buffers only;
  // `parameters()`, `buffers()` and `named_parameters()`, which torch.jit
  // cannot compile, recurse as nn.Module's do.
  bool recurse = kind != "children" && what != "named_buffers";
  std::vector<Value *> items;
  auto add = [&](const std::string &name, Value *v) {
    if (named) {
      Value *k = constStr(name);
      v = insertValue(Symbol::prim("TupleConstruct"), {k, v}, Type::tuple({k->type(), v->type()}),
                      span);
    }
    items.push_back(v);
  };
  // Depth first, as nn.Module walks the tree: a module's own tensors, then
  // each submodule (and, but for children(), what it holds).
  std::function<void(Value *, const std::string &)> walk = [&](Value *m, const std::string &prefix) {
    ClassInfo *c = compiler_.classOfType(m->type());
    if (!c)
      return;
    compiler_.prepareClass(*c, span);
    if (tensors)
      for (const std::string &name : kind == "parameters" ? c->parameters : c->buffers) {
        TypePtr t = c->attributeType(name);
        if (t && (t->kind() == TypeKind::Tensor || t->kind() == TypeKind::Optional))
          add(prefix + name, asValue(classAttribute(m, name, span), span));
      }
    for (const auto &[name, type] : c->attributes) {
      if (type->kind() == TypeKind::Interface && type->isModule()) // torch.jit's words
        error(span, "Could not compile " + what + "() because module is an interface type: "
                    "submodule '" + prefix + name + "' is known only by its interface '" +
                    type->annotationStr() + "'");
      if (type->kind() != TypeKind::Class || !type->isModule())
        continue;
      Value *child = asValue(classAttribute(m, name, span), span);
      if (!tensors)
        add(prefix + name, child);
      if (recurse)
        walk(child, prefix + name + ".");
    }
  };
  if (kind == "modules")
    add("", module);
  walk(module, "");
  std::vector<TypePtr> types;
  for (Value *v : items)
    types.push_back(v->type());
  return insertValue(Symbol::prim("TupleConstruct"), items, Type::tuple(types), span);
}

bool FunctionEmitter::hasAttribute(const Sugared &base, const std::string &attr) {
  if (base.kind == Sugared::Kind::Namespace)
    return true;
  if (!base.isValue())
    return false;
  const TypePtr &t = base.value->type();
  if (t->isNamedTuple()) {
    const auto &fields = t->fieldNames();
    return std::find(fields.begin(), fields.end(), attr) != fields.end();
  }
  if (ClassInfo *c = compiler_.classOfType(t))
    return c->attributeType(attr) || c->methods.count(attr) || c->propertyGetters.count(attr);
  return false;
}

void FunctionEmitter::emitAttributeAssign(const Expr &target, Value *v, const SourceSpan &span,
                                          TypePtr declared) {
  Value *object = emitValue(*target.operands[0]);
  ClassInfo *c = compiler_.classOfType(object->type());
  if (!c || c->isNamedTuple)
    error(target.span, "cannot assign to attribute '" + target.text + "' of a value of type '" +
                           object->type()->annotationStr() + "'");
  bool definesHere = class_ == c && def_.name == "__init__" &&
                     target.operands[0]->kind == ExprKind::Name &&
                     target.operands[0]->text == def_.params[0].name;
  if (!definesHere)
    compiler_.prepareClass(*c, span);
  if (auto p = c->propertySetters.find(target.text); p != c->propertySetters.end()) {
    emitMethodCall(object, p->second, {{v, "", span}}, span);
    return;
  }
  if (c->propertyGetters.count(target.text))
    error(target.span, "property '" + target.text + "' of '" + c->def->name + "' has no setter");
  TypePtr t = c->attributeType(target.text);
  if (!t) {
    if (!definesHere)
      error(target.span, "Tried to set nonexistent attribute: " + target.text +
                             ". Did you forget to initialize it in __init__()? ('" +
                             c->def->name + "' has no attribute '" + target.text +
                             "'; attributes are defined by assignments to self in __init__)");
    t = declared ? declared : v->type();
    // TorchScript's rules for defining an attribute in __init__: at the top
    // level (a type must not depend on a branch), and not of the class's
    // own type (recursive class types are not supported).
    if (std::any_of(frames_.begin(), frames_.end(),
                    [](const Frame &f) { return f.kind != Frame::Kind::Function; }))
      error(span, "First assignment cannot be in a control-flow block. Initialize the field '" +
                      target.text + "' at the top level first");
    if (mentionsType(t, c->type))
      error(span, "Recursive class types are not supported: attribute '" + target.text +
                      "' of '" + c->def->name + "' would have type '" + t->annotationStr() +
                      "', which contains the class itself");
    c->attributes.push_back({target.text, t});
    c->attributeSpans[target.text] = span;
  }
  Value *conv = convertTo(v, t);
  if (!conv) {
    CompileError e(span, "Wrong type for attribute assignment. Expected " +
                             t->annotationStr() + " but got " + v->type()->annotationStr() +
                             " (attribute '" + target.text + "' is type '" +
                             t->annotationStr() + "')");
    e.addNote(c->attributeSpans[target.text], "the attribute is defined here");
    throw e;
  }
  insert(Symbol::prim("SetAttr"), {object, conv}, 0, span)->s_(attr::name(), target.text);
}

Value *FunctionEmitter::emitHookedCall(Value *module, ClassInfo &c, std::vector<NamedValue> args,
                                       const SourceSpan &span) {
  auto tupleOf = [&](const std::vector<NamedValue> &values) {
    std::vector<Value *> elems;
    std::vector<TypePtr> types;
    for (const NamedValue &v : values) {
      if (!v.keyword.empty())
        error(v.span, "a module with forward hooks takes positional arguments only; pass '" +
                          v.keyword + "' by position");
      elems.push_back(v.value);
      types.push_back(v.value->type());
    }
    return insertValue(Symbol::prim("TupleConstruct"), elems, Type::tuple(types), span);
  };
  // Hooks are called as functions of the class's namespace
  // (`__torch__.Sub.pre(sub, (x,))`), as TorchScript prints them: a hook is
  // not a method of the class for torch.jit.load.
  auto callHook = [&](const std::string &hook, std::vector<NamedValue> hookArgs) {
    hookArgs.insert(hookArgs.begin(), NamedValue{module, "", span});
    return emitScriptCall(c.def->name + "." + hook, hookArgs, span);
  };
  Value *input = tupleOf(args);
  for (const std::string &hook : c.forwardPreHooks) {
    Value *r = callHook(hook, {NamedValue{input, "", span}});
    if (r->type()->kind() == TypeKind::None)
      continue;
    input = r->type()->kind() == TypeKind::Tuple ? r : tupleOf({NamedValue{r, "", span}});
    const auto &types = input->type()->contained();
    Node *unpack = insert(Symbol::prim("TupleUnpack"), {input}, types.size(), span);
    args.clear();
    for (size_t i = 0; i < types.size(); ++i) {
      unpack->output(i)->setType(types[i]);
      args.push_back(NamedValue{unpack->output(i), "", span});
    }
  }
  Value *out = emitMethodCall(module, "forward", args, span);
  for (const std::string &hook : c.forwardHooks) {
    Value *r = callHook(hook, {NamedValue{input, "", span}, NamedValue{out, "", span}});
    if (r->type()->kind() != TypeKind::None)
      out = r;
  }
  return out;
}

/// prim::CallMethod of `method` on `self`, its arguments bound against
/// `full` (self first); several results (a C++ method's) are one tuple.
Value *FunctionEmitter::emitCallMethodNode(Value *self, const std::string &method,
                                           const FunctionSchema &full,
                                           const std::string &displayName,
                                           std::vector<NamedValue> args, const SourceSpan &span) {
  auto schema = std::make_shared<FunctionSchema>(full);
  schema->arguments.erase(schema->arguments.begin()); // self
  typeEmptyLiterals(*schema, args);
  std::vector<CallArgument> actuals;
  for (const auto &a : args)
    actuals.push_back({a.value->type(), a.keyword, a.span});
  CallBinding b = bindOverloads(displayName, {schema}, actuals, span);
  std::vector<Value *> inputs = materializeCall(b, args, span);
  inputs.insert(inputs.begin(), self);
  std::vector<TypePtr> results;
  for (const auto &r : full.returns)
    results.push_back(r.type);
  TypePtr ret = results.empty()       ? Type::get(TypeKind::None)
                : results.size() == 1 ? results[0]
                                      : Type::tuple(std::move(results));
  return insertValue(Symbol::prim("CallMethod"), inputs, ret, span)
      ->node()
      ->s_(attr::name(), method)
      ->output();
}

Value *FunctionEmitter::emitMethodCall(Value *self, const std::string &called,
                                       std::vector<NamedValue> args, const SourceSpan &span) {
  if (self->type()->kind() == TypeKind::Class && isCustomClassName(self->type()->name())) {
    // A method of a C++ custom class (`packed.unpack()`), by its schema in
    // torch's class registry.
    auto full = customClassMethod(self->type()->name(), called);
    if (!full)
      error(span, "'" + self->type()->annotationStr() + "' has no method '" + called + "'");
    return emitCallMethodNode(self, called, *full, self->type()->annotationStr() + "." + called,
                              std::move(args), span);
  }
  ClassInfo *c = compiler_.classOfType(self->type());
  auto overloaded = c->overloads.find(called);
  const std::string &method = overloaded == c->overloads.end()
                                  ? called
                                  : pickOverload(called, overloaded->second, c, args, span);
  const FunctionSchema &full = compiler_.methodSchema(*c, method, callSite(span));
  if (c->staticMethods.count(method))
    return emitScriptCall(c->def->name + "." + method, args, span);
  return emitCallMethodNode(self, method, full, c->def->name + "." + method, std::move(args), span);
}

Value *FunctionEmitter::emitMagic(Value *self, const std::string &method,
                                  std::vector<NamedValue> args, const SourceSpan &span) {
  ClassInfo *c = compiler_.classOfType(self->type());
  if (!c || c->isNamedTuple || !c->methods.count(method))
    return nullptr;
  return emitMethodCall(self, method, std::move(args), span);
}

Value *FunctionEmitter::emitConstruct(ClassInfo &c, const Expr &call) {
  std::vector<NamedValue> args = emitArguments(call);
  if (c.isNamedTuple) {
    FunctionSchema s;
    s.name = c.def->name;
    for (size_t i = 0; i < c.type->fieldNames().size(); ++i) {
      Argument a;
      a.name = c.type->fieldNames()[i];
      a.type = c.type->contained()[i];
      a.defaultValue = c.defaults[i];
      s.arguments.push_back(a);
    }
    typeEmptyLiterals(s, args);
    std::vector<CallArgument> actuals;
    for (const auto &a : args)
      actuals.push_back({a.value->type(), a.keyword, a.span});
    CallBinding b = bindOverloads(c.def->name, {std::make_shared<FunctionSchema>(s)}, actuals,
                                  call.span);
    return insertValue(Symbol::prim("TupleConstruct"), materializeCall(b, args, call.span),
                       c.type, call.span);
  }
  Value *object = insertValue(Symbol::prim("CreateObject"), {}, c.type, call.span);
  if (c.methods.count("__init__"))
    emitMethodCall(object, "__init__", std::move(args), call.span);
  else if (!args.empty())
    error(call.span, "'" + c.def->name + "' takes no arguments: it has no __init__");
  return object;
}

// What `with object:` enters, after TorchScript's checks of the object's
// __enter__ and __exit__ and its messages.
TypePtr FunctionEmitter::contextManagerEntered(Value *object, const SourceSpan &span) {
  ClassInfo *c = compiler_.classOfType(object->type());
  if (!c)
    error(span, "With item expression must return an object (found '" +
                    object->type()->annotationStr() + "'); use an instance of a class that "
                    "defines __enter__ and __exit__, or torch.no_grad()");
  if (!c->methods.count("__enter__") || !c->methods.count("__exit__"))
    error(span, "'" + object->type()->annotationStr() + "' does not define __enter__ and "
                "__exit__ methods, which a 'with' item needs");
  const FunctionSchema &enter = compiler_.methodSchema(*c, "__enter__", span);
  if (enter.arguments.size() != 1 || enter.returns.size() != 1)
    error(span, "__enter__ must have only one argument and one return value");
  const FunctionSchema &exit = compiler_.methodSchema(*c, "__exit__", span);
  if (exit.arguments.size() != 4)
    error(span, "__exit__ must have four arguments (self, type, value, traceback)");
  for (size_t i = 1; i < 4; ++i)
    if (exit.arguments[i].type->kind() != TypeKind::Any)
      error(span, "argument " + std::to_string(i) + " of __exit__ must have Any type; "
                  "TorchScript does not currently support passing exception type, value, or "
                  "traceback to the __exit__ function.");
  return enter.returns[0].type;
}

void FunctionEmitter::emitWith(const Stmt &s) {
  std::vector<std::pair<Value *, bool>> exits; // the object, or the saved grad mode
  for (const auto &item : s.items) {
    const Expr &ctx = *item.context;
    std::string name = ctx.kind == ExprKind::Call ? dottedName(*ctx.operands[0]) : "";
    if (name == "torch.enable_grad") {
      // TorchScript cannot compile torch.enable_grad's class; save and
      // set the grad mode instead.
      Value *saved = emitOperator("aten::is_grad_enabled", {}, ctx.span);
      emitOperator("aten::set_grad_enabled", {{constBool(true), "", ctx.span}}, ctx.span);
      exits.push_back({saved, true});
      continue;
    }
    Value *object = emitValue(ctx);
    TypePtr entered = contextManagerEntered(object, ctx.span);
    // As TorchScript emits them: no source range, and prim::Exit with one
    // (unused) Tensor-typed result.
    Value *v = insertValue(Symbol::prim("Enter"), {object}, entered, SourceSpan{});
    if (item.target)
      emitAssignTo(*item.target, Sugared::of(v), ctx.span);
    exits.push_back({object, false});
  }
  emitStatements(s.body);
  for (auto it = exits.rbegin(); it != exits.rend(); ++it) {
    if (it->second)
      emitOperator("aten::set_grad_enabled", {{it->first, "", s.span}}, s.span);
    else
      insert(Symbol::prim("Exit"), {it->first}, 1, SourceSpan{})
          ->output()
          ->setType(Type::get(TypeKind::Tensor));
  }
}

const std::string *magicMethodOf(const std::string &op) {
  static const std::map<std::string, std::string> magic = {
      {"+", "__add__"},  {"-", "__sub__"},  {"*", "__mul__"},      {"/", "__truediv__"},
      {"//", "__floordiv__"}, {"%", "__mod__"}, {"**", "__pow__"}, {"@", "__matmul__"},
      {"&", "__and__"},  {"|", "__or__"},   {"^", "__xor__"},      {"<<", "__lshift__"},
      {">>", "__rshift__"}, {"==", "__eq__"}, {"!=", "__ne__"},    {"<", "__lt__"},
      {"<=", "__le__"},  {">", "__gt__"},   {">=", "__ge__"}};
  auto m = magic.find(op);
  return m == magic.end() ? nullptr : &m->second;
}

Value *FunctionEmitter::emitClassOperator(const std::string &op, Value *lhs, Value *rhs,
                                          const SourceSpan &span) {
  if (op == "in" || op == "not in") {
    Value *v = emitMagic(rhs, "__contains__", {{lhs, "", span}}, span);
    if (v && op == "not in")
      v = emitOperator("aten::__not__", {{v, "", span}}, span);
    return v;
  }
  const std::string *m = magicMethodOf(op);
  return m ? emitMagic(lhs, *m, {{rhs, "", span}}, span) : nullptr;
}

} // namespace ember::frontend
