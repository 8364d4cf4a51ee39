//===- frontend/Annotations.cpp - type annotations to types ---------------===//
//
// The annotation language of TorchScript (its language reference, "Types"):
// builtin names, the typing module's generics (with or without the
// `typing.` prefix, and the lower-case builtins `list`, `dict`, `tuple`),
// torch's `device`, `dtype`, `layout`, `memory_format`, `Generator`,
// `Final`, `BroadcastingListN`, PEP 604 unions and string annotations.
//
//===----------------------------------------------------------------------===//
#include "frontend/Annotations.h"

#include "frontend/DefaultValues.h"

#include "frontend/Parser.h"
#include "ir/CustomClasses.h"

#include <algorithm>
#include <sstream>
#include <unordered_map>

namespace ember::frontend {

void checkDictKeyType(const TypePtr &key, const SourceSpan &span) {
  // TorchScript's DictType::create accepts these key types only.
  static const TypeKind keyKinds[] = {TypeKind::Any,    TypeKind::Int,     TypeKind::Bool,
                                      TypeKind::Float,  TypeKind::Complex, TypeKind::Str,
                                      TypeKind::Tensor, TypeKind::Device};
  if (std::find(std::begin(keyKinds), std::end(keyKinds), key->kind()) == std::end(keyKinds))
    throw CompileError(span, "Cannot create dict for key type '" + key->str() +
                                 "', only int, float, complex, Tensor, device and string keys "
                                 "are supported");
}

void checkGeneratedDictKeyType(const TypePtr &key, const SourceSpan &span) {
  if (key->kind() == TypeKind::Union)
    throw CompileError(span, "Dicts may only contain homogeneous keys, but the type of the first "
                             "generated key was " +
                                 key->annotationStr());
  checkDictKeyType(key, span);
}

std::string dottedName(const Expr &e) {
  if (e.kind == ExprKind::Name)
    return e.text;
  if (e.kind == ExprKind::Attribute) {
    std::string base = dottedName(*e.operands[0]);
    return base.empty() ? "" : base + "." + e.text;
  }
  return "";
}

namespace {

/// Drops a `typing.` / `torch.` / `t.` qualifier for the names known here.
/// TorchScript's words for a container type used without its contained types.
std::string bareContainerMessage(const std::string &name) {
  std::string cap = name;
  cap[0] = static_cast<char>(std::toupper(cap[0]));
  if (cap == "Dict")
    return "Attempted to use Dict without contained types. Please add contained type, e.g. "
           "Dict[int, int]";
  return "Attempted to use " + cap + " without a contained type. Please add a contained type, "
         "e.g. " + cap + "[int]";
}

std::string canonicalName(std::string name) {
  // (`ember.` names ember's copies of torch.jit's: ember.Final, ember.Future.)
  for (const char *prefix :
       {"typing.", "typing_extensions.", "torch.jit.", "torch.", "t.", "ember.", "jit."})
    if (name.rfind(prefix, 0) == 0) {
      std::string rest = name.substr(std::string(prefix).size());
      if (rest.find('.') == std::string::npos)
        return rest;
    }
  if (name == "torch.nn.Module")
    return name;
  return name;
}

class Resolver {
public:
  Resolver(const TypeNameResolver &user) : user_(user) {}

  ResolvedAnnotation resolveTop(const Expr &e) {
    ResolvedAnnotation r;
    if (e.kind == ExprKind::Subscript) {
      std::string head = canonicalName(dottedName(*e.operands[0]));
      if (head == "Final") {
        r.isFinal = true;
        r.type = resolve(*argsOf(e, 1)[0]);
        return r;
      }
      if (head.rfind("BroadcastingList", 0) == 0 && head.size() > 16) {
        r.N = std::stoll(head.substr(16));
        r.type = Type::list(resolve(*argsOf(e, 1)[0]));
        return r;
      }
      // `Optional[BroadcastingList2[int]]` (torch.nn.functional's pooling
      // strides): an optional broadcasting list, `int[2]?`.
      if (head == "Optional") {
        const Expr *inner = argsOf(e, 1)[0];
        if (inner->kind == ExprKind::Subscript) {
          ResolvedAnnotation list = resolveTop(*inner);
          if (list.N) {
            list.type = Type::optional(list.type);
            return list;
          }
        }
      }
    }
    if (canonicalName(dottedName(e)) == "Final") {
      r.isFinal = true;
      return r; // the type comes from the value
    }
    // A global alias of a broadcasting list (torch.nn's `_size_2_t`): the
    // user resolver answers `$broadcast:<name>` with N copies of the
    // element type in a tuple.
    if (std::string name = dottedName(e); user_ && !name.empty())
      if (TypePtr t = user_("$broadcast:" + name); t && t->kind() == TypeKind::Tuple) {
        r.N = static_cast<int64_t>(t->contained().size());
        r.type = Type::list(t->contained()[0]);
        return r;
      }
    r.type = resolve(e);
    return r;
  }

  TypePtr resolve(const Expr &e) {
    switch (e.kind) {
    case ExprKind::None: return Type::get(TypeKind::None);
    case ExprKind::Str: return resolveString(e);
    case ExprKind::BinOp:
      if (e.text == "|")
        return Type::unionOf({resolve(*e.operands[0]), resolve(*e.operands[1])});
      break;
    case ExprKind::Subscript: return resolveGeneric(e);
    case ExprKind::Name:
    case ExprKind::Attribute: return resolveName(e);
    default: break;
    }
    throw CompileError(e.span, "expected a type annotation here");
  }

private:
  std::vector<const Expr *> argsOf(const Expr &sub, size_t expected) {
    std::vector<const Expr *> args;
    for (size_t i = 1; i < sub.operands.size(); ++i) {
      const Expr &a = *sub.operands[i];
      if (sub.operands.size() == 2 && a.kind == ExprKind::Tuple)
        for (const auto &x : a.operands)
          args.push_back(x.get());
      else
        args.push_back(&a);
    }
    if (expected && args.size() != expected)
      throw CompileError(sub.span, "'" + dottedName(*sub.operands[0]) + "' takes " +
                                       std::to_string(expected) + " type argument" +
                                       (expected > 1 ? "s" : "") + ", found " +
                                       std::to_string(args.size()));
    return args;
  }

  TypePtr resolveGeneric(const Expr &e) {
    std::string head = canonicalName(dottedName(*e.operands[0]));
    if (head == "List" || head == "list")
      return Type::list(resolve(*argsOf(e, 1)[0]));
    if (head == "Optional") {
      // Python's typing flattens Optional[Union[A, B]] to Union[A, B, None].
      TypePtr elem = resolve(*argsOf(e, 1)[0]);
      return elem->kind() == TypeKind::Union ? Type::unionOf({elem, Type::get(TypeKind::None)})
                                             : Type::optional(elem);
    }
    if (head == "Future")
      return Type::future(resolve(*argsOf(e, 1)[0]));
    if (head == "RRef")
      return Type::rref(resolve(*argsOf(e, 1)[0]));
    if (head == "Dict" || head == "dict") {
      auto args = argsOf(e, 2);
      TypePtr key = resolve(*args[0]);
      checkDictKeyType(key, args[0]->span);
      return Type::dict(key, resolve(*args[1]));
    }
    if (head == "Tuple" || head == "tuple") {
      std::vector<TypePtr> elems;
      auto args = argsOf(e, 0);
      // Tuple[()] is the empty tuple.
      if (args.size() == 1 && args[0]->kind == ExprKind::Tuple && args[0]->operands.empty())
        return Type::tuple({});
      if (e.operands.size() == 2 && e.operands[1]->kind == ExprKind::Tuple &&
          e.operands[1]->operands.empty())
        return Type::tuple({});
      for (const Expr *a : args) {
        if (a->kind == ExprKind::Ellipsis)
          throw CompileError(a->span, "variable-length tuples (Tuple[T, ...]) are not supported "
                                      "in TorchScript; use List[T] instead");
        elems.push_back(resolve(*a));
      }
      return Type::tuple(std::move(elems));
    }
    if (head == "Union") {
      std::vector<TypePtr> alts;
      for (const Expr *a : argsOf(e, 0))
        alts.push_back(resolve(*a));
      return Type::unionOf(std::move(alts));
    }
    if (head == "Final" || head.rfind("BroadcastingList", 0) == 0)
      throw CompileError(e.span, "'" + head + "' may only annotate an attribute or a parameter "
                                 "itself, not appear inside another type");
    throw CompileError(e.operands[0]->span, "Unknown type constructor " +
                                                dottedName(*e.operands[0]) +
                                                "; expected List, Dict, Tuple, Optional, Union "
                                                "or Future");
  }

  TypePtr resolveName(const Expr &e) {
    std::string full = dottedName(e);
    if (full.empty())
      throw CompileError(e.span, "expected a type annotation here");
    static const std::unordered_map<std::string, TypeKind> simple = {
        {"int", TypeKind::Int},          {"float", TypeKind::Float},
        {"bool", TypeKind::Bool},        {"str", TypeKind::Str},
        {"complex", TypeKind::Complex},  {"Tensor", TypeKind::Tensor},
        {"Any", TypeKind::Any},          {"NoneType", TypeKind::None},
        {"device", TypeKind::Device},    {"Device", TypeKind::Device},
        {"dtype", TypeKind::Int},        {"layout", TypeKind::Int},
        {"memory_format", TypeKind::Int}, {"qscheme", TypeKind::Int},
        {"Generator", TypeKind::Generator}, {"Stream", TypeKind::Stream},
        {"number", TypeKind::Number},
        // torch.types' aliases, as torch.nn.functional spells them.
        {"DType", TypeKind::Int},        {"_dtype", TypeKind::Int},
        {"_device", TypeKind::Device},   {"_size", TypeKind::Int},
    };
    std::string name = canonicalName(full);
    if (full == "torch.Tensor" || full == "Tensor")
      return Type::tensor();
    if (full == "numbers.Number") // as TorchScript reads `isinstance(x, numbers.Number)`
      return Type::get(TypeKind::Number);
    if (full == "_size" || full == "torch.types._size")
      return Type::list(Type::get(TypeKind::Int));
    auto it = simple.find(name);
    if (it != simple.end() && (name == full || full.rfind("torch.", 0) == 0 ||
                               full.rfind("typing.", 0) == 0))
      return Type::get(it->second);
    if (name == "List" || name == "list" || name == "Dict" || name == "dict" || name == "Optional" ||
        name == "Tuple" || name == "tuple" || name == "Union" || name == "Future")
      throw CompileError(e.span, bareContainerMessage(name));
    if (TypePtr t = customClassType(full))
      return t;
    if (user_)
      if (TypePtr t = user_(full))
        return t;
    // TorchScript's words, which code written for it matches on.
    throw CompileError(e.span, "Unknown type name '" + full + "'");
  }

  TypePtr resolveString(const Expr &e) {
    // A string annotation is parsed as an expression at its place in the
    // file: blank everything but the string's contents.
    const SourceSpan &s = e.span;
    auto buffer = std::make_shared<SourceBuffer>(SourceBuffer{s.buffer->name, s.buffer->text});
    std::string &text = buffer->text;
    size_t begin = s.offset + 1, end = s.offset + s.length - 1;
    for (size_t k = 0; k < text.size(); ++k)
      if ((k < begin || k >= end) && text[k] != '\n')
        text[k] = ' ';
    ExprPtr parsed = parseExpression(buffer);
    return resolve(*parsed);
  }

  const TypeNameResolver &user_;
};

/// Splits `(A, B) -> R` at its top-level arrow.
std::pair<std::string, std::string> splitTypeComment(const std::string &c) {
  int depth = 0;
  for (size_t i = 0; i + 1 < c.size(); ++i) {
    if (c[i] == '(' || c[i] == '[')
      ++depth;
    else if (c[i] == ')' || c[i] == ']')
      --depth;
    else if (depth == 0 && c[i] == '-' && c[i + 1] == '>')
      return {c.substr(0, i), c.substr(i + 2)};
  }
  return {c, ""};
}

/// Parses a piece of a type comment as an expression, with spans inside the
/// comment in the original file.
ExprPtr parseCommentPiece(const SourceSpan &cs, size_t pieceOffset, size_t pieceLength) {
  auto buffer = std::make_shared<SourceBuffer>(SourceBuffer{cs.buffer->name, cs.buffer->text});
  std::string &text = buffer->text;
  for (size_t k = 0; k < text.size(); ++k)
    if ((k < pieceOffset || k >= pieceOffset + pieceLength) && text[k] != '\n')
      text[k] = ' ';
  return parseExpression(buffer);
}

/// The types of `# type: (...) -> R`: each parameter's own comment, in
/// order (torch.jit's get_type_line joins them the same way).
std::vector<ResolvedAnnotation> parameterComments(const Stmt &def, bool isMethod, Resolver &r) {
  std::vector<ResolvedAnnotation> types;
  for (size_t i = isMethod ? 1 : 0; i < def.params.size(); ++i) {
    const Param &p = def.params[i];
    if (p.typeComment.empty())
      throw CompileError(p.span, "parameter '" + p.name + "' needs a '# type:' comment, as the "
                                 "signature comment '# type: (...) -> ...' takes them from "
                                 "its parameters");
    const SourceSpan &cs = p.typeCommentSpan;
    size_t offset = cs.buffer->text.find(p.typeComment, cs.offset);
    types.push_back(r.resolveTop(*parseCommentPiece(cs, offset, p.typeComment.size())));
  }
  return types;
}

} // namespace

ResolvedAnnotation resolveAnnotation(const Expr &annotation, const TypeNameResolver &resolver) {
  return Resolver(resolver).resolveTop(annotation);
}

TypePtr resolveType(const Expr &annotation, const TypeNameResolver &resolver) {
  ResolvedAnnotation a = resolveAnnotation(annotation, resolver);
  if (!a.type)
    throw CompileError(annotation.span, "'Final' needs a type here, such as Final[int]");
  return a.type;
}

ResolvedAnnotation typeCommentOf(const Stmt &assign, const TypeNameResolver &resolver) {
  const SourceSpan &cs = assign.typeCommentSpan;
  size_t valueOffset = cs.buffer->text.find(assign.typeComment, cs.offset);
  ExprPtr e = parseCommentPiece(assign.typeCommentSpan, valueOffset, assign.typeComment.size());
  return Resolver(resolver).resolveTop(*e);
}

/// The default of parameter `p`, kept as TorchScript stores it: the text of
/// the value of the parameter's type, or, for a tensor (which has no
/// literal), the value itself.
static void setDefault(Argument &arg, const Param &p, const DefaultConstantResolver &constants,
                       bool annotated) {
  std::string text = sourceText(*p.defaultValue);
  std::optional<std::string> value = scriptDefault(text, arg.type, arg.N.value_or(0));
  bool tensorFormal = arg.type->kind() == TypeKind::Tensor ||
                      (arg.type->kind() == TypeKind::Optional &&
                       arg.type->elem()->kind() == TypeKind::Tensor);
  if (!value && constants && tensorFormal)
    if (auto c = constants(*p.defaultValue); c && c->isTensor()) {
      arg.defaultConstant = c;
      std::ostringstream repr; // the schema shows the tensor, as TorchScript's
      repr << *c;
      value = repr.str();
    }
  if (!value)
    throw CompileError(p.defaultValue->span, "Expected a default value of type " + arg.type->annotationStr() +
                               " on parameter \"" + p.name + "\", found '" + text + "'" +
                               (annotated ? std::string()
                                          : " (a parameter without annotation is a Tensor)"));
  arg.defaultValue = *value;
}

FunctionSignature signatureOf(const Stmt &def, bool isMethod, const TypeNameResolver &resolver,
                              const DefaultConstantResolver &constants) {
  FunctionSignature sig;
  FunctionSchema &schema = sig.schema;
  schema.name = def.name;
  Resolver r(resolver);

  // A comment's parameter types may be BroadcastingListN, as annotations.
  std::vector<ResolvedAnnotation> commentParams;
  TypePtr commentReturn;
  bool haveComment = !def.typeComment.empty();
  if (haveComment) {
    const SourceSpan &cs = def.typeCommentSpan;
    const std::string &full = cs.buffer->text;
    size_t valueOffset = full.find(def.typeComment, cs.offset);
    auto [params, ret] = splitTypeComment(def.typeComment);
    // `-> R` may be left out, as TorchScript's parseTypeComment allows: the
    // return type is then inferred.
    size_t open = params.find_first_not_of(" \t");
    if (open == std::string::npos || params[open] != '(')
      throw CompileError(cs, "a signature type comment must look like '# type: (int, Tensor) -> "
                             "Tensor'");
    std::string trimmed = params;
    trimmed.erase(std::remove(trimmed.begin(), trimmed.end(), ' '), trimmed.end());
    if (trimmed == "(...)") {
      commentParams = parameterComments(def, isMethod, r);
    } else {
      ExprPtr paramsExpr = parseCommentPiece(cs, valueOffset, params.size());
      if (paramsExpr->kind == ExprKind::Tuple)
        for (const auto &p : paramsExpr->operands)
          commentParams.push_back(r.resolveTop(*p));
      else
        commentParams.push_back(r.resolveTop(*paramsExpr));
    }
    if (!ret.empty()) {
      ExprPtr retExpr = parseCommentPiece(cs, valueOffset + params.size() + 2, ret.size());
      commentReturn = r.resolve(*retExpr);
    }
    size_t expected = def.params.size() - (isMethod && !def.params.empty() ? 1 : 0);
    if (commentParams.size() != expected && commentParams.size() != def.params.size())
      throw CompileError(cs, "the type comment gives " + std::to_string(commentParams.size()) +
                                 " parameter types but '" + def.name + "' takes " +
                                 std::to_string(expected) + " parameters");
  }
  size_t commentShift = def.params.size() - commentParams.size();
  for (size_t i = 0; i < def.params.size(); ++i) {
    const Param &p = def.params[i];
    Argument arg;
    arg.name = p.name;
    arg.kwargOnly = p.kwOnly;
    bool isSelf = isMethod && i == 0;
    // As TorchScript's mergeTypesFromTypeComment: where a signature comment
    // and annotations both type a parameter, the comment wins.
    if (haveComment && i >= commentShift) {
      arg.type = commentParams[i - commentShift].type;
      arg.N = commentParams[i - commentShift].N;
      if (!arg.type)
        throw CompileError(def.typeCommentSpan, "'Final' cannot type a parameter");
    } else if (p.annotation) {
      ResolvedAnnotation a = r.resolveTop(*p.annotation);
      if (!a.type)
        throw CompileError(p.annotation->span, "'Final' needs a type here, such as Final[int]");
      arg.type = a.type;
      arg.N = a.N;
    } else if (isSelf) {
      arg.type = Type::get(TypeKind::Any); // the class type, known to the caller
    } else {
      arg.type = Type::tensor();
      arg.inferredType = true;
    }
    if (p.defaultValue)
      setDefault(arg, p, constants, /*annotated=*/p.annotation || haveComment);
    schema.arguments.push_back(std::move(arg));
  }
  if (commentReturn) {
    Argument ret;
    ret.type = commentReturn;
    schema.returns.push_back(std::move(ret));
  } else if (def.annotation) {
    Argument ret;
    ret.type = r.resolve(*def.annotation);
    schema.returns.push_back(std::move(ret));
  } else {
    sig.returnInferred = true;
  }
  return sig;
}

std::string methodNameOf(const Stmt &def) {
  for (const auto &d : def.decorators) {
    std::string decorator = dottedName(*d);
    if (decorator == "property")
      return "__" + def.name + "_getter";
    if (decorator == def.name + ".setter")
      return "__" + def.name + "_setter";
  }
  return def.name;
}

} // namespace ember::frontend
