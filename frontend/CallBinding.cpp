//===- frontend/CallBinding.cpp - matching a call against operator schemas ===//
//
// Algorithm, per schema:
//   1. positional actuals take the formals in order (never a keyword-only
//      one, unless the schema is variadic);
//   2. every other formal takes the keyword of its name, else its default,
//      else the call is short an argument; an unknown keyword is an error;
//   3. each bound actual is converted as TorchScript would (Optional[T]
//      accepts T; `int[N]` accepts an int; a homogeneous tuple fits a list;
//      with conversions allowed, the implicit scalar casts) and must then be
//      a subtype of the formal, with type variables bound left to right.
//
//===----------------------------------------------------------------------===//
#include "frontend/CallBinding.h"


namespace ember::frontend {
namespace {

/// Fits one actual to one formal; fills the conversion of `bound`.
bool fitArgument(const Argument &formal, const TypePtr &actual, bool allowConversions,
                 TypeEnv &env, BoundArgument &bound, std::string &why) {
  TypePtr formalType = formal.type;
  // `int[N]` accepts a single int (BroadcastingList).
  TypePtr listFormal = formalType->kind() == TypeKind::Optional ? formalType->elem() : formalType;
  if (formal.N && listFormal->kind() == TypeKind::List &&
      (actual->kind() == TypeKind::Int || actual->kind() == TypeKind::Float) &&
      listFormal->elem()->kind() == actual->kind()) {
    bound.conversion = ConversionKind::BroadcastList;
    bound.repeat = *formal.N;
    bound.formalType = formalType;
    return true;
  }
  if (formalType->hasFreeVariables() &&
      !bindTypeVariables(formalType, actual, env, /*tuplesAsLists=*/true)) {
    auto bound = formalType->kind() == TypeKind::Var ? env.find(formalType->name()) : env.end();
    if (bound != env.end())
      // TorchScript's words, which code written for it matches on.
      why = "Could not match type " + actual->annotationStr() + " to " + formalType->name() +
            " in argument '" + formal.name + "': Type variable '" + formalType->name() +
            "' previously matched to type " + bound->second->annotationStr() +
            " is matched to type " + actual->annotationStr();
    else
      why = "Expected a value of type '" + formalType->str() + "' for argument '" + formal.name +
            "' but instead found type '" + actual->str() + "'";
    return false;
  }
  TypePtr concrete = substituteTypeVariables(formalType, env);
  if (!concrete) {
    why = "could not infer the type of argument '" + formal.name + "'";
    return false;
  }
  bound.formalType = concrete;
  TypePtr target = concrete;
  if (target->kind() == TypeKind::Optional && actual->kind() != TypeKind::Optional &&
      actual->kind() != TypeKind::None)
    target = target->elem();
  if (actual->isSubtypeOf(*concrete) || actual->isSubtypeOf(*target))
    return true;
  // A homogeneous tuple fits a list of its element type.
  if (actual->kind() == TypeKind::Tuple && target->kind() == TypeKind::List) {
    bool all = true;
    for (const auto &e : actual->contained())
      all = all && e->isSubtypeOf(*target->elem());
    if (all) {
      bound.conversion = ConversionKind::TupleToList;
      return true;
    }
  }
  if (allowConversions)
    if (const char *op = implicitCast(actual, target)) {
      bound.conversion = ConversionKind::Implicit;
      bound.op = op;
      return true;
    }
  // TorchScript's words (code written for it matches on them).
  why = "Expected a value of type '" + concrete->str() + "' for argument '" + formal.name +
        "' but instead found type '" + actual->str() + "'";
  return false;
}

/// TorchScript lets the last positional formal, when it is a plain list
/// (not `int[N]`, not of a type variable), take the remaining positional
/// actuals as its elements: `x.view(2, 3)`, `torch.ones(2)`.
bool packsVarargs(const FunctionSchema &schema, size_t index, const TypePtr &firstActual) {
  const Argument &arg = schema.arguments[index];
  TypePtr t = arg.type;
  if (t->kind() != TypeKind::List || arg.N || t->elem()->kind() == TypeKind::Var || arg.kwargOnly)
    return false;
  if (index + 1 < schema.arguments.size() && !schema.arguments[index + 1].kwargOnly)
    return false;
  return firstActual->kind() != TypeKind::List && firstActual->kind() != TypeKind::Tuple;
}

/// Binds the positional actuals from `next` on as the elements of the list
/// formal (`x.view(2, 3)`).
bool packRemaining(const Argument &formal, const std::vector<CallArgument> &args,
                   size_t positional, bool allowConversions, size_t &next,
                   std::vector<bool> &used, BoundArgument &bound, std::string &why) {
  bound.conversion = ConversionKind::PackList;
  bound.formalType = formal.type;
  for (; next < positional; ++next) {
    TypePtr a = args[next].type;
    bool fits = a->isSubtypeOf(*formal.type->elem()) ||
                (allowConversions && a->kind() == TypeKind::Tensor &&
                 formal.type->elem()->kind() == TypeKind::Int);
    if (!fits) {
      why = "expected a value of type '" + formal.type->elem()->str() + "' in the list '" +
            formal.name + "' but found '" + a->str() + "'";
      return false;
    }
    used[next] = true;
    bound.packed.push_back(next);
  }
  return true;
}

} // namespace

const char *implicitCast(const TypePtr &actual, const TypePtr &formal) {
  TypeKind a = actual->kind(), f = formal->kind();
  if (a == TypeKind::Tensor) {
    if (f == TypeKind::Float) return "aten::FloatImplicit";
    if (f == TypeKind::Complex) return "aten::ComplexImplicit";
    if (f == TypeKind::Int) return "aten::IntImplicit";
    if (f == TypeKind::Number) return "aten::ScalarImplicit";
  } else if (a == TypeKind::Number) {
    if (f == TypeKind::Float) return "aten::Float";
    if (f == TypeKind::Complex) return "aten::Complex";
    if (f == TypeKind::Int) return "aten::Int";
  } else if (a == TypeKind::Bool) {
    if (f == TypeKind::Float) return "aten::Float";
    if (f == TypeKind::Int || f == TypeKind::Number) return "aten::Int";
  }
  if (a == TypeKind::Str && f == TypeKind::Device)
    return "aten::device";
  return nullptr;
}


std::optional<CallBinding> bindCall(const FunctionSchema &schema,
                                    const std::vector<CallArgument> &args,
                                    bool allowConversions, std::string *whyNot) {
  std::string why;
  auto fail = [&](const std::string &reason) -> std::optional<CallBinding> {
    if (whyNot)
      *whyNot = reason;
    return std::nullopt;
  };
  CallBinding binding;
  binding.schema = &schema;
  TypeEnv env;
  std::vector<bool> used(args.size(), false);
  size_t positional = 0;
  while (positional < args.size() && args[positional].keyword.empty())
    ++positional;
  for (size_t i = positional; i < args.size(); ++i)
    if (args[i].keyword.empty())
      return fail("positional argument after a keyword argument");
  size_t nextPositional = 0;
  for (size_t fi = 0; fi < schema.arguments.size(); ++fi) {
    const Argument &formal = schema.arguments[fi];
    BoundArgument bound;
    if (nextPositional < positional && !schema.varArgs &&
        packsVarargs(schema, fi, args[nextPositional].type)) {
      if (!packRemaining(formal, args, positional, allowConversions, nextPositional, used, bound,
                         why))
        return fail(why);
      binding.arguments.push_back(std::move(bound));
      continue;
    }
    if (nextPositional < positional && !formal.kwargOnly) {
      bound.source = BoundArgument::Positional;
      bound.actual = nextPositional++;
    } else {
      // As TorchScript: an ATen operator's `self` is also `input`, the
      // name torch's Python functions give it (`torch.istft(input=x)`).
      bool selfIsInput = formal.name == "self" && schema.name.rfind("aten::", 0) == 0;
      size_t found = args.size();
      for (size_t i = positional; i < args.size(); ++i)
        if (args[i].keyword == formal.name || (selfIsInput && args[i].keyword == "input"))
          found = i;
      if (found < args.size()) {
        bound.source = BoundArgument::Keyword;
        bound.actual = found;
      } else if (formal.defaultValue) {
        bound.source = BoundArgument::Default;
        bound.defaultValue = *formal.defaultValue;
        bound.defaultConstant = formal.defaultConstant;
        bound.formalType = formal.type;
        bound.repeat = formal.N ? *formal.N : 0; // `int[2] padding=0` broadcasts too
        binding.arguments.push_back(std::move(bound));
        continue;
      } else {
        return fail("argument '" + formal.name + "' is not given");
      }
    }
    used[bound.actual] = true;
    if (!fitArgument(formal, args[bound.actual].type, allowConversions, env, bound, why))
      return fail(why);
    binding.arguments.push_back(std::move(bound));
  }
  if (schema.varArgs)
    for (; nextPositional < positional; ++nextPositional) {
      BoundArgument extra;
      extra.actual = nextPositional;
      extra.formalType = args[nextPositional].type;
      used[nextPositional] = true;
      binding.arguments.push_back(std::move(extra));
    }
  if (nextPositional < positional)
    return fail("takes " + std::to_string(nextPositional) + " positional arguments but " +
                std::to_string(positional) + " were given");
  for (size_t i = positional; i < args.size(); ++i)
    if (!used[i])
      return fail("unknown keyword argument '" + args[i].keyword + "'");
  // Defaults of still-generic formals (`t? x=None`) resolve from what the
  // other arguments bound.
  for (auto &b : binding.arguments)
    if (b.source == BoundArgument::Default && b.formalType->hasFreeVariables()) {
      TypePtr concrete = substituteTypeVariables(b.formalType, env);
      b.formalType = concrete ? concrete : Type::get(TypeKind::None);
    }
  for (const Argument &r : schema.returns) {
    TypePtr t = substituteTypeVariables(r.type, env);
    if (!t)
      return fail("could not infer the return type from the arguments");
    binding.returns.push_back(t);
  }
  return binding;
}

CallBinding bindOverloads(const std::string &callee,
                          const std::vector<std::shared_ptr<const FunctionSchema>> &overloads,
                          const std::vector<CallArgument> &args, const SourceSpan &callSpan) {
  for (bool conversions : {false, true})
    for (const auto &s : overloads)
      if (auto b = bindCall(*s, args, conversions))
        return *b;
  std::string types;
  for (size_t i = 0; i < args.size(); ++i)
    types += (i ? ", " : "") + (args[i].keyword.empty() ? "" : args[i].keyword + "=") +
             args[i].type->str();
  if (overloads.empty())
    throw CompileError(callSpan, "unknown operator '" + callee + "'");
  bool one = overloads.size() == 1;
  std::string why;
  if (one)
    bindCall(*overloads[0], args, /*allowConversions=*/true, &why);
  CompileError error(callSpan, one ? "'" + callee + "': " + why
                                   : "Arguments for call are not valid: no overload of '" +
                                         callee + "' accepts arguments (" +
                                         types + ")");
  std::string candidates = one ? "  the signature is: " + overloads[0]->str() + "\n"
                               : "  the candidates are:\n";
  for (size_t i = 0; !one && i < overloads.size(); ++i) {
    bindCall(*overloads[i], args, /*allowConversions=*/true, &why);
    candidates += "    " + overloads[i]->str() + "\n      " + why + "\n";
  }
  error.addDetail(candidates);
  throw error;
}

} // namespace ember::frontend
