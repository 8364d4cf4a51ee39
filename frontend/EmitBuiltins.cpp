//===- frontend/EmitBuiltins.cpp - Python builtins and language forms -----===//
//
// The builtins of TorchScript's language reference and the special forms
// of its code dialect, each mapped to the operator TorchScript uses:
// `len` -> aten::len, `min(a, b)` -> prim::min, `int(x)` -> aten::Int,
// `print` -> prim::Print, `annotate(T, v)` types `v`, `isinstance` folds to
// a constant when the static type decides it and is `prim::isinstance`
// otherwise. `range`, `enumerate` and `zip` stay sugared until a `for`
// (or a comprehension) iterates over them.
//
//===----------------------------------------------------------------------===//
#include "frontend/EmitterImpl.h"

#include <algorithm>
#include <functional>

namespace ember::frontend {
namespace {

const std::map<std::string, std::string> &unsupportedBuiltins() {
  static const std::map<std::string, std::string> table = {
      {"map", "use a list comprehension"},
      {"filter", "use a list comprehension with an 'if'"},
      {"iter", "iterate with 'for' directly"},
      {"next", "index the list instead"},
      {"set", "use a dict with the elements as keys"},
      {"frozenset", "use a dict with the elements as keys"},
      {"reversed", "iterate over range(len(x) - 1, -1, -1)"},
      {"super", "call the base class method through its class name"},
      {"type", "use isinstance"},
      {"callable", "call it directly"},
      {"id", "compare with 'is'"},
      {"open", "read the file outside the compiled code"},
      {"input", "pass the value as an argument"},
      {"eval", "write the code directly"},
      {"exec", "write the code directly"},
      {"globals", "pass the value as an argument"},
      {"locals", "pass the value as an argument"},
      {"vars", "pass the value as an argument"},
      {"object", "define a class"},
  };
  return table;
}

/// Operators a one-to-one builtin maps to.
const char *directOperator(const std::string &name) {
  static const std::map<std::string, const char *> table = {
      {"len", "aten::len"},       {"round", "aten::round"}, {"sum", "aten::sum"},
      {"any", "aten::any"},       {"all", "aten::all"},     {"sorted", "aten::sorted"},
      {"divmod", "aten::divmod"}, {"chr", "aten::chr"},     {"ord", "aten::ord"},
      {"hex", "aten::hex"},       {"oct", "aten::oct"},     {"bin", "aten::bin"},
      {"hash", "aten::hash"},     {"pow", "aten::pow"},     {"complex", "aten::Complex"},
      {"torch.device", "aten::device"}, {"torch.jit._unwrap_optional", "aten::_unwrap_optional"}};
  auto it = table.find(name);
  return it == table.end() ? nullptr : it->second;
}

} // namespace

bool isSpecialForm(const std::string &n) {
  static const std::unordered_set<std::string> forms = {
      "torch.jit.annotate", "torch.jit.is_scripting", "torch.jit.is_tracing",
      "torch.jit._unwrap_optional", "torch.jit.isinstance", "torch.device",
      "torch.nn.functional.has_torch_function",
      "torch.nn.functional.has_torch_function_unary",
      "torch.nn.functional.has_torch_function_variadic", "torch.overrides.has_torch_function",
      "torch.overrides.has_torch_function_unary", "torch.overrides.has_torch_function_variadic",
      "torch.jit.fork", "torch.jit.wait", "torch.jit._fork", "torch.jit._wait", "torch._assert",
      "torch._check", "torch._check_with", "torch._check_index", "torch._check_value",
      "torch._check_type", "torch._check_not_implemented"};
  return forms.count(n) > 0;
}

int legacyTensorDtype(const std::string &name) {
  static const std::unordered_map<std::string, int> dtypes = {
      {"ByteTensor", 0},  {"CharTensor", 1},   {"ShortTensor", 2}, {"IntTensor", 3},
      {"LongTensor", 4},  {"HalfTensor", 5},   {"FloatTensor", 6}, {"DoubleTensor", 7},
      {"BoolTensor", 11}, {"BFloat16Tensor", 15}};
  auto d = dtypes.find(name);
  return d == dtypes.end() ? -1 : d->second;
}

// torch.LongTensor(...) and its kin, as TorchScript compiles them: no
// argument is an empty tensor, ints are sizes (aten::empty), one other
// argument is data (aten::tensor); each of the constructor's dtype.
Value *FunctionEmitter::emitLegacyConstructor(const std::string &name, const Expr &call) {
  for (const auto &k : call.keywords)
    error(k.span, "torch." + name + "() takes no keyword arguments in TorchScript, got '" +
                      k.name + "'");
  NamedValue dtype{constInt(legacyTensorDtype(name)), "dtype", call.span};
  std::vector<Value *> args;
  for (size_t i = 1; i < call.operands.size(); ++i)
    args.push_back(emitValue(*call.operands[i]));
  bool allInts = std::all_of(args.begin(), args.end(),
                             [](Value *v) { return v->type()->kind() == TypeKind::Int; });
  if (args.size() == 1 && !allInts)
    return emitOperator("aten::tensor", {{args[0], "", call.span}, dtype}, call.span);
  if (!allInts)
    error(call.span, "Legacy constructor torch." + name + " does not support multiple positional "
                     "arguments that were not all integers");
  if (args.empty())
    args.push_back(constInt(0));
  Value *sizes = insertValue(Symbol::prim("ListConstruct"), args,
                             Type::list(Type::get(TypeKind::Int)), call.span);
  return emitOperator("aten::empty", {{sizes, "", call.span}, dtype}, call.span);
}

Sugared FunctionEmitter::emitBuiltin(const std::string &name, const Expr &call,
                                     const TypePtr &hint) {
  if (auto u = unsupportedBuiltins().find(name); u != unsupportedBuiltins().end())
    error(call.operands[0]->span, "'" + name + "' is not supported in TorchScript; " + u->second);
  if (name.rfind("$exception:", 0) == 0)
    error(call.span, "exception '" + name.substr(11) + "' cannot be used as a value; TorchScript "
                     "can only raise it ('raise " + name.substr(name.rfind('.') + 1) + "(...)')");
  if (name.rfind("$legacy:", 0) == 0)
    return Sugared::of(emitLegacyConstructor(name.substr(8), call));
  if (name.rfind("$new:", 0) == 0) {
    ClassInfo *c = compiler_.findClass(name.substr(5));
    return Sugared::of(insertValue(Symbol::prim("CreateObject"), {}, c->type, call.span));
  }
  if (name == "fork" || name == "torch.jit.fork" || name == "torch.jit._fork")
    return Sugared::of(emitFork(call));
  if (name == "wait" || name == "torch.jit.wait" || name == "torch.jit._wait")
    return Sugared::of(emitOperator("aten::wait", emitArguments(call), call.span));
  if (name == "range" || name == "enumerate" || name == "zip") {
    Sugared it = Sugared::make(Sugared::Kind::Iterable, name);
    for (size_t i = 1; i < call.operands.size(); ++i)
      it.items.push_back(emitExpr(*call.operands[i]));
    for (const auto &k : call.keywords) {
      if (name != "enumerate" || k.name != "start")
        error(k.span, "unexpected keyword argument '" + k.name + "' for " + name);
      it.items.push_back(emitExpr(*k.value));
    }
    if (it.items.empty() || (name == "enumerate" && it.items.size() > 2))
      error(call.span, "wrong number of arguments for " + name);
    return it;
  }
  if (name == "slice")
    return emitSliceObject(call);
  if (name == "print") {
    std::vector<Value *> values;
    for (const auto &a : emitArguments(call)) {
      if (!a.keyword.empty())
        error(a.span, "print() keyword arguments are not supported");
      values.push_back(a.value);
    }
    insert(Symbol::prim("Print"), values, 0, call.span);
    return Sugared::of(constNone());
  }
  if (name == "isinstance" || name == "torch.jit.isinstance")
    return Sugared::of(emitIsInstance(call, nullptr));
  if (name == "int" || name == "float" || name == "bool" || name == "str")
    return Sugared::of(emitCast(name, call));
  if (name == "min" || name == "max")
    return Sugared::of(emitMinMax(name, call));
  if (name == "torch.jit.is_scripting")
    return Sugared::of(constBool(true));
  if (name == "torch._assert") {
    emitTorchAssert(call);
    return Sugared::of(constNone());
  }
  if (name.rfind("torch._check", 0) == 0) {
    emitCheck(name, call);
    return Sugared::of(constNone());
  }
  if (name == "torch.jit.is_tracing" || name.find("has_torch_function") != std::string::npos)
    return Sugared::of(constBool(false));
  if (name == "abs") {
    if (call.operands.size() != 2 || !call.keywords.empty())
      error(call.span, "expected abs(x)");
    Value *v = emitValue(*call.operands[1]);
    const char *op = v->type()->kind() == TypeKind::Tensor ? "aten::abs" : "prim::abs";
    return Sugared::of(emitOperator(op, {{v, "", call.operands[1]->span}}, call.span));
  }
  if (name == "getattr" || name == "hasattr") {
    if (call.operands.size() < 3)
      error(call.span, name + " needs a constant attribute name: " + name + "(x, \"name\")");
    if (call.operands[2]->kind != ExprKind::Str) // torch.jit's words
      error(call.operands[2]->span, name + "'s second argument must be a string literal: " +
                                        name + "(x, \"name\")");
    Sugared base = emitExpr(*call.operands[1]);
    if (base.isValue() && base.value->type()->kind() == TypeKind::Tuple &&
        !base.value->type()->isNamedTuple())
      error(call.operands[1]->span, name + "'s first argument must be an object or NamedTuple, "
                                           "but got a normal Tuple");
    if (name == "hasattr")
      return Sugared::of(constBool(hasAttribute(base, call.operands[2]->text)));
    // getattr(m, "name", default): the default where the object has no such
    // attribute (decided at compile time, as TorchScript does).
    if (call.operands.size() == 4 && !hasAttribute(base, call.operands[2]->text))
      return emitExpr(*call.operands[3]);
    return attributeNamed(base, call.operands[2]->text, call.span);
  }
  if (name == "annotate" || name == "torch.jit.annotate" || name == "unchecked_cast" ||
      name == "uninitialized")
    return Sugared::of(emitTypeForm(name, call));
  return Sugared::of(emitCollectionBuiltin(name, call, hint));
}

Value *FunctionEmitter::emitTypeForm(const std::string &name, const Expr &call) {
  if (name == "uninitialized") {
    if (call.operands.size() != 2 || !call.keywords.empty())
      error(call.span, "expected uninitialized(T)");
    return uninitialized(resolveType(*call.operands[1], compiler_.typeResolver()));
  }
  if (call.operands.size() != 3 || !call.keywords.empty())
    error(call.span, "expected " + name + "(T, value)");
  TypePtr t = resolveType(*call.operands[1], compiler_.typeResolver());
  Value *v = emitValue(*call.operands[2], t);
  if (name == "unchecked_cast")
    return insertValue(Symbol::prim("unchecked_cast"), {v}, t, call.span);
  // As TorchScript: None annotated as an Optional is a None of that type,
  // so that a variable or attribute it defines has the Optional type.
  if (t->kind() == TypeKind::Optional && v->type()->kind() == TypeKind::None)
    return insertValue(Symbol::prim("Constant"), {}, t, call.span);
  Value *conv = convertTo(v, t);
  // Printed code writes implicit conversions as annotate(int, tensor).
  static const std::map<TypeKind, const char *> implicit = {
      {TypeKind::Int, "aten::IntImplicit"},
      {TypeKind::Float, "aten::FloatImplicit"},
      {TypeKind::Number, "aten::ScalarImplicit"}};
  if (!conv && v->type()->kind() == TypeKind::Tensor && implicit.count(t->kind()))
    conv = insertValue(Symbol::fromQualString(implicit.at(t->kind())), {v}, t, call.span);
  if (!conv)
    error(call.span, "annotate: a value of type '" + v->type()->annotationStr() +
                         "' is not a '" + t->annotationStr() + "'");
  return conv;
}

Value *FunctionEmitter::emitCollectionBuiltin(const std::string &name, const Expr &call,
                                             const TypePtr &hint) {
  if (name == "list" || name == "dict" || name == "tuple") {
    if (name == "dict")
      return emitDictCall(call, hint);
    if (call.operands.size() == 1 && name == "list" && call.keywords.empty()) {
      // `list()`: empty, of the annotated type where there is one.
      TypePtr t = hint && hint->kind() == TypeKind::List ? hint : Type::list(Type::tensor());
      return insertValue(Symbol::prim("ListConstruct"), {}, t, call.span);
    }
    if (call.operands.size() != 2 || !call.keywords.empty())
      error(call.span, name + " expected exactly 1 arguments but found " +
                           std::to_string(call.operands.size() - 1 + call.keywords.size()));
    if (name == "list")
      return emitListOf(*call.operands[1], call.span);
    Value *v = emitValue(*call.operands[1]);
    if (v->type()->kind() == TypeKind::Tuple)
      return v;
    error(call.span, "tuple() of a " + v->type()->annotationStr() +
                         ": cannot statically infer the expected size of a list in this context");
  }
  if (const char *op = directOperator(name)) {
    std::vector<NamedValue> args = emitArguments(call);
    static const std::map<std::string, std::string> magic = {
        {"len", "__len__"}, {"hash", "__hash__"}};
    if (auto m = magic.find(name); m != magic.end() && args.size() == 1)
      if (Value *v = emitMagic(args[0].value, m->second, {}, call.span))
        return v;
    return emitOperator(op, args, call.span);
  }
  error(call.operands[0]->span, "'" + name + "' cannot be called here");
}

Value *FunctionEmitter::emitCast(const std::string &name, const Expr &call) {
  if (call.operands.size() != 2 || !call.keywords.empty())
    error(call.span, name + "() expects one argument");
  Value *v = emitValue(*call.operands[1]);
  static const std::map<std::string, TypeKind> kinds = {
      {"int", TypeKind::Int}, {"float", TypeKind::Float}, {"bool", TypeKind::Bool},
      {"str", TypeKind::Str}};
  if (v->type()->kind() == kinds.at(name))
    return v;
  // int(obj), float(obj), bool(obj), str(obj) of a script class call its
  // __int__, __float__, __bool__, __str__.
  if (v->type()->kind() == TypeKind::Class) {
    if (name == "bool")
      return toBool(v, call.span);
    if (Value *r = emitMagic(v, "__" + name + "__", {}, call.span))
      return r;
  }
  std::string op = name == "str" ? "aten::str"
                                 : "aten::" + std::string(1, char(toupper(name[0]))) + name.substr(1);
  return emitOperator(op, {{v, "", call.operands[1]->span}}, call.span);
}

/// Packs the arguments of `max(a, b, c)` into the list of its first
/// overload that takes them all (`int[]`, `float[]`, `bool[]`), tensors
/// converted to the element type, as TorchScript's schema matching does.
Value *FunctionEmitter::emitVarargList(const std::string &name, const std::vector<NamedValue> &args,
                                       const SourceSpan &span) {
  for (TypeKind k : {TypeKind::Int, TypeKind::Float, TypeKind::Bool}) {
    TypePtr elem = Type::get(k);
    auto fits = [&](const NamedValue &a) {
      return a.value->type()->isSubtypeOf(*elem) ||
             (a.value->type()->kind() == TypeKind::Tensor && k != TypeKind::Bool);
    };
    if (!std::all_of(args.begin(), args.end(), fits))
      continue;
    std::vector<Value *> items;
    for (const NamedValue &a : args)
      items.push_back(a.value->type()->isSubtypeOf(*elem)
                          ? a.value
                          : emitOperator(implicitCast(a.value->type(), elem), {a}, a.span));
    return insertValue(Symbol::prim("ListConstruct"), items, Type::list(elem), span);
  }
  std::string types;
  for (const NamedValue &a : args)
    types += (types.empty() ? "" : ", ") + a.value->type()->annotationStr();
  error(span, name + "() takes arguments of one type among int, float and bool (or tensors "
              "holding one number), but found (" + types + ")");
}

/// `min`/`max` are prim::min/max, as TorchScript resolves them: a tensor
/// argument converts to int or float, and several arguments (or one that
/// is not a list) are packed into a list.
Value *FunctionEmitter::emitMinMax(const std::string &name, const Expr &call) {
  std::vector<NamedValue> args = emitArguments(call);
  if (args.empty())
    error(call.span, name + "() expects at least one argument");
  std::string op = "prim::" + name;
  if (args.size() == 2)
    return emitOperator(op, args, call.span);
  if (args.size() == 1 && args[0].value->type()->kind() == TypeKind::List)
    return emitOperator(op, args, call.span);
  return emitOperator(op, {{emitVarargList(name, args, call.span), "", call.span}}, call.span);
}

// As TorchScript: isinstance refines the variable to the alternatives of its
// Union or Optional that match in the true branch and to the others in the
// false branch; an Any is refined to the one type it is checked against,
// and stays Any in the false branch (where TorchScript casts it to Any).
void FunctionEmitter::refineIsInstance(const std::string &name, const TypePtr &actual,
                                       const std::vector<TypePtr> &members,
                                       const std::vector<TypePtr> &types,
                                       Refinements &refinements) {
  if (actual->kind() == TypeKind::Any) {
    if (types.size() == 1)
      refinements.whenTrue.push_back({name, types[0]});
    refinements.whenFalse.push_back({name, actual});
    return;
  }
  std::vector<TypePtr> yes, no;
  for (const auto &m : members) {
    bool matches = std::any_of(types.begin(), types.end(),
                               [&](const TypePtr &t) { return m->isSubtypeOf(*t); });
    (matches ? yes : no).push_back(m);
  }
  if (!yes.empty())
    refinements.whenTrue.push_back({name, Type::unionOf(yes)});
  if (!no.empty())
    refinements.whenFalse.push_back({name, Type::unionOf(no)});
}

/// True when `actual` is a module type made from the nn.Module class `t`
/// names, its mangled variants (`m.___torch_mangle_3.Linear`) included: each
/// differently configured submodule of one class has its own type.
static bool sameModuleClass(const Type &actual, const Type &t) {
  if (actual.kind() != TypeKind::Class || !actual.isModule() || t.kind() != TypeKind::Class ||
      !t.isModule())
    return false;
  std::string name = actual.name();
  size_t at = name.find("___torch_mangle_");
  if (at != std::string::npos) {
    size_t dot = name.find('.', at);
    name.erase(at, dot == std::string::npos ? std::string::npos : dot + 1 - at);
  }
  return name == t.name();
}

/// The types `isinstance` tests against: a tuple of them, nested ones
/// flattened (`(numbers.Number, (list, tuple))`); a bare `list`, `dict` or
/// `tuple` stands for the value's alternatives of that kind. `overlaps`
/// says whether some alternative may be one of them.
std::vector<TypePtr> FunctionEmitter::isInstanceTypes(const Expr &target,
                                                      const std::vector<TypePtr> &members,
                                                      bool &overlaps) {
  std::vector<const Expr *> typeExprs;
  std::function<void(const Expr &)> collect = [&](const Expr &t) {
    if (t.kind != ExprKind::Tuple)
      return typeExprs.push_back(&t);
    for (const auto &e : t.operands)
      collect(*e);
  };
  collect(target);
  std::vector<TypePtr> types;
  for (const Expr *t : typeExprs) {
    std::string n = dottedName(*t);
    if (n == "list" || n == "dict" || n == "tuple") {
      TypeKind k = n == "list" ? TypeKind::List : n == "dict" ? TypeKind::Dict : TypeKind::Tuple;
      size_t before = types.size();
      for (const auto &m : members)
        if (m->kind() == k)
          types.push_back(m);
      overlaps = overlaps || types.size() != before;
      if (types.size() == before)
        types.push_back(Type::get(TypeKind::None));
      continue;
    }
    types.push_back(resolveType(*t, compiler_.typeResolver(/*moduleTypes=*/true)));
    for (const auto &m : members)
      overlaps = overlaps || m->isSubtypeOf(*types.back()) || types.back()->isSubtypeOf(*m);
  }
  return types;
}

Value *FunctionEmitter::emitIsInstance(const Expr &call, Refinements *refinements) {
  if (call.operands.size() != 3)
    error(call.span, "expected isinstance(value, type)");
  Value *v = emitValue(*call.operands[1]);
  TypePtr actual = v->type();
  // The alternatives a value of the static type may hold at run time.
  std::vector<TypePtr> members = {actual};
  if (actual->kind() == TypeKind::Union)
    members = actual->contained();
  else if (actual->kind() == TypeKind::Optional)
    members = {actual->elem(), Type::get(TypeKind::None)};
  // A `number` is an int, a float or a complex at run time, as TorchScript
  // tests it (`isinstance(other, float)` in its div upgrader).
  for (size_t i = 0; i < members.size(); ++i)
    if (members[i]->kind() == TypeKind::Number) {
      members[i] = Type::get(TypeKind::Int);
      members.insert(members.begin() + i + 1,
                     {Type::get(TypeKind::Float), Type::get(TypeKind::Complex)});
    }
  bool overlaps = false; // some alternative may be one of the types
  std::vector<TypePtr> types = isInstanceTypes(*call.operands[2], members, overlaps);
  // A variable is refined even when the answer is static, as TorchScript
  // refines it (its branch casts it to the type it has).
  bool variable = refinements && call.operands[1]->kind == ExprKind::Name;
  for (const auto &t : types)
    if (actual->isSubtypeOf(*t) || sameModuleClass(*actual, *t)) {
      if (variable && !actual->isModule())
        refinements->whenTrue.push_back({call.operands[1]->text, actual});
      return constBool(true);
    }
  // An Optional or Union none of whose alternatives can be one of the types
  // is statically not (`isinstance(p, tuple)` on Union[int, List[int]]).
  bool dynamic = actual->kind() == TypeKind::Any ||
                 ((actual->kind() == TypeKind::Optional || actual->kind() == TypeKind::Union ||
                   actual->kind() == TypeKind::Number) &&
                  overlaps);
  if (!dynamic) {
    if (variable && !actual->isModule())
      refinements->whenFalse.push_back({call.operands[1]->text, actual});
    return constBool(false);
  }
  Node *n = insert(Symbol::prim("isinstance"), {v}, 1, call.span);
  AttributeValue a;
  a.kind = AttributeKind::tys;
  a.tys = types;
  n->setAttribute(Symbol::attr("types"), a);
  n->output()->setType(Type::get(TypeKind::Bool));
  if (refinements && call.operands[1]->kind == ExprKind::Name)
    refineIsInstance(call.operands[1]->text, actual, members, types, *refinements);
  return n->output();
}

} // namespace ember::frontend
