//===- frontend/EmitNames.cpp - global names and attributes ---------------===//
//
// What a name means when no local binds it — a script function, an
// imported module (`import torch.nn.functional as F`), `torch`, `math`,
// `ops`, a builtin — and what `base.attr` means for each kind of base:
// `torch.relu` and `ops.aten.relu` are operators, `torch.float32` a dtype
// constant, `math.pi` a float, `x.shape` a tensor property, `x.add` a
// method (an operator with `x` as its receiver).
//
//===----------------------------------------------------------------------===//
#include "frontend/EmitterImpl.h"
#include "frontend/LibraryClasses.h"
#include "ir/Constants.h"

#include <ATen/core/ivalue.h>

#include <cmath>
#include <set>

namespace ember::frontend {
namespace {

/// Submodules of `torch` and the operator-name prefix of their functions.
const std::map<std::string, std::string> &torchNamespaces() {
  static const std::map<std::string, std::string> table = {
      {"torch", ""},
      {"torch.nn", ""},
      {"torch.nn.functional", ""},
      {"torch.functional", ""},
      {"torch.linalg", "linalg_"},
      {"torch.fft", "fft_"},
      {"torch.special", "special_"},
      {"torch.nn.init", ""},
      {"torch.jit", ""},
      {"torch.autograd", ""},
      {"torch.cuda", ""},
      {"torch._C", ""},
      {"torch.Tensor", ""},
      {"torch._VF", ""},
      {"torch._C._nn", ""},
      {"torch._C._fft", ""},
      {"torch._C._linalg", ""},
      {"torch._C._special", ""},
      {"torch.backends", ""},
      {"torch.backends.cudnn", ""},
      {"torch.overrides", ""},
  };
  return table;
}

/// Python builtins and the special forms of TorchScript's code dialect.
bool isBuiltinName(const std::string &n) {
  static const std::unordered_set<std::string> names = {
      "len", "print", "range", "slice", "enumerate", "zip", "isinstance", "int", "float", "bool", "str",
      "min", "max", "abs", "round", "sum", "any", "all", "sorted", "divmod", "chr", "ord", "hex",
      "oct", "bin", "hash", "getattr", "hasattr", "list", "dict", "tuple", "annotate",
      "unchecked_cast", "uninitialized", "complex", "pow", "reversed", "fork", "wait", "super",
      "id", "callable", "iter", "next", "map", "filter", "open", "input", "type", "set",
      "frozenset", "object", "globals", "locals", "vars", "exec", "eval", "fork", "wait",
      // torch.overrides, read as TorchScript reads them: no torch function
      // dispatch in compiled code.
      "has_torch_function", "has_torch_function_unary", "has_torch_function_variadic"};
  return names.count(n) > 0;
}

/// Tensor properties TorchScript reads through dedicated operators.
const char *tensorProperty(const std::string &n) {
  static const std::map<std::string, const char *> table = {
      {"dtype", "prim::dtype"},       {"device", "prim::device"},
      {"shape", "aten::size"},        {"ndim", "aten::dim"},
      {"is_cuda", "prim::is_cuda"},   {"is_cpu", "prim::is_cpu"},
      {"is_xpu", "prim::is_xpu"},     {"is_sparse", "prim::is_sparse"},
      {"is_sparse_csr", "prim::is_sparse_csr"}, {"is_mkldnn", "prim::is_mkldnn"},
      {"is_quantized", "prim::is_quantized"},   {"is_meta", "prim::is_meta"},
      {"is_nested", "prim::is_nested"}, {"is_mps", "prim::is_mps"},
      {"is_ipu", "prim::is_ipu"},     {"is_ort", "prim::is_ort"},
      {"is_vulkan", "prim::is_vulkan"},
      {"requires_grad", "prim::requires_grad"}, {"grad", "prim::grad"},
      {"data", "prim::data"},         {"layout", "prim::layout"},
      {"T", "aten::numpy_T"},         {"mT", "aten::mT"},
      {"H", "aten::matrix_H"},        {"mH", "aten::mH"},
      {"real", "aten::real"},         {"imag", "aten::imag"},
      {"name", "prim::name"},         {"is_leaf", "aten::is_leaf"},
      {"itemsize", "aten::element_size"}, {"retains_grad", "aten::retains_grad"}};
  auto it = table.find(n);
  return it == table.end() ? nullptr : it->second;
}

} // namespace

std::optional<int64_t> dtypeCode(const std::string &name) {
  static const std::map<std::string, c10::ScalarType> table = {
      {"uint8", c10::kByte},      {"int8", c10::kChar},         {"int16", c10::kShort},
      {"short", c10::kShort},     {"int32", c10::kInt},         {"int", c10::kInt},
      {"int64", c10::kLong},      {"long", c10::kLong},         {"float16", c10::kHalf},
      {"half", c10::kHalf},       {"float32", c10::kFloat},     {"float", c10::kFloat},
      {"float64", c10::kDouble},  {"double", c10::kDouble},     {"complex64", c10::kComplexFloat},
      {"cfloat", c10::kComplexFloat}, {"complex128", c10::kComplexDouble},
      {"cdouble", c10::kComplexDouble}, {"bool", c10::kBool},   {"bfloat16", c10::kBFloat16},
      {"qint8", c10::kQInt8},     {"quint8", c10::kQUInt8},     {"qint32", c10::kQInt32}};
  auto it = table.find(name);
  if (it == table.end())
    return std::nullopt;
  return static_cast<int64_t>(it->second);
}

std::optional<int64_t> enumCode(const std::string &name) {
  static const std::map<std::string, int64_t> table = {
      {"strided", 0},         {"sparse_coo", 1},     {"sparse_csr", 2},
      {"_mkldnn", 3},         {"sparse_csc", 4},     {"sparse_bsr", 5},
      {"sparse_bsc", 6},      {"contiguous_format", 0}, {"legacy_contiguous_format", 0},
      {"preserve_format", 1}, {"channels_last", 2},  {"channels_last_3d", 3}};
  auto it = table.find(name);
  if (it == table.end())
    return std::nullopt;
  return it->second;
}

/// `infj` or `nanj` (cmath's constants, and names in printed code).
static c10::IValue imaginaryConstant(const std::string &name) {
  return c10::complex<double>(0, name == "infj" ? INFINITY : NAN);
}

Sugared FunctionEmitter::resolveGlobal(const Expr &name) {
  const std::string &n = name.text;
  // Python-level helpers TorchScript maps to builtin operators (the table
  // of torch/jit/_builtins.py) rather than compiling them.
  static const std::unordered_set<std::string> mappedToOperators = {
      "_no_grad_embedding_renorm_", "_no_grad_fill_", "_no_grad_normal_",
      "_no_grad_uniform_", "_no_grad_zero_"};
  if (mappedToOperators.count(n))
    return Sugared::make(Sugared::Kind::Operator, "aten::" + n);
  // Python code: the resolver knows what the name means in this function's
  // module (two modules may each define a `helper`), so it answers before
  // the functions compiled so far.
  if (compiler_.resolvesValues())
    if (auto g = compiler_.globalValue(n))
      return fromGlobalValue(*g, n, name.span);
  if (compiler_.hasFunction(n))
    return Sugared::make(Sugared::Kind::Function, n);
  if (ClassInfo *c = compiler_.findClass(n)) {
    Sugared s = Sugared::make(Sugared::Kind::TypeValue, n);
    s.type = c->type;
    return s;
  }
  if (auto path = compiler_.importedPath(def_, n))
    return resolveDotted(*path, name.span);
  if (auto g = compiler_.globalValue(n))
    return fromGlobalValue(*g, n, name.span);
  if (n == "torch" || n == "math" || n == "cmath" || n == "ops" || n == "typing" ||
      n == "__torch__" || n == "warnings" || n == "CONSTANTS")
    return Sugared::make(Sugared::Kind::Namespace, n);
  if (n == "_VF")
    return Sugared::make(Sugared::Kind::Namespace, "torch._VF");
  if (isBuiltinName(n))
    return Sugared::make(Sugared::Kind::Builtin, n);
  if (isBuiltinException(n))
    return Sugared::make(Sugared::Kind::Builtin, "$exception:builtins." + n);
  if (n == "inf" || n == "nan")
    return Sugared::of(constFloat(n == "inf" ? INFINITY : NAN));
  if (n == "infj" || n == "nanj") // as archive code prints complex constants
    return Sugared::of(graph().insertConstant(imaginaryConstant(n)));
  // TorchScript's words (`undefined value x`), which code written for it matches on.
  error(name.span, "undefined value " + n);
}

Sugared FunctionEmitter::fromGlobalValue(const GlobalValue &g, const std::string &name,
                                        const SourceSpan &span) {
  if (!g.module.empty()) // a module the resolver names by this same path is a leaf
    return g.module == name ? Sugared::make(Sugared::Kind::Namespace, name)
                            : resolveDotted(g.module, span);
  if (!g.op.empty()) {
    if (!OperatorRegistry::global().contains(Symbol::fromQualString(g.op)))
      error(span, "Unknown builtin op: " + g.op + " ('" + name + "' stands for it, but this torch "
                  "has no such operator). This op may not exist or may not be currently "
                  "supported in TorchScript.");
    return Sugared::make(Sugared::Kind::Operator, g.op);
  }
  if (!g.exception.empty())
    return Sugared::make(Sugared::Kind::Builtin, "$exception:" + g.exception);
  if (!g.unusable.empty())
    error(span, g.unusable);
  if (!g.overloads.empty()) {
    Sugared s = Sugared::make(Sugared::Kind::Overloads, name);
    for (const std::string &f : g.overloads)
      s.items.push_back(Sugared::make(Sugared::Kind::Function, f));
    return s;
  }
  if (g.dispatch) {
    Sugared s = Sugared::make(Sugared::Kind::Dispatch, name);
    s.dispatch = g.dispatch;
    return s;
  }
  if (!g.function.empty()) {
    if (g.functionKind != MethodKind::Script)
      compiler_.functionKinds[g.function] = {g.functionKind, g.pythonName};
    // Known now, from the name the code used; asked for by the function's
    // own name later, another file's function of that name could answer.
    if (!g.qualifiedName.empty())
      compiler_.qualifiedNames.emplace(g.function, g.qualifiedName);
    if (g.graph) {
      compiler_.addGraphFunction(g.function, *g.graph, *g.graphSchema, span);
      return Sugared::make(Sugared::Kind::Function, g.function);
    }
    // An enum member's class loads by its own key, not by the variable's name.
    bool loaded = compiler_.loadFunction(g.member.empty() ? name : g.function, g.function);
    if (loaded && g.member.empty())
      return Sugared::make(Sugared::Kind::Function, g.function);
    if (ClassInfo *c = compiler_.findClass(g.function)) {
      Sugared s = Sugared::make(Sugared::Kind::TypeValue, g.function);
      s.type = c->type;
      return g.member.empty() ? s : attributeNamed(s, g.member, span);
    }
    error(span, "'" + name + "' has no source ember can compile");
  }
  Value *c = g.constant ? graph().insertConstant(*g.constant) : nullptr;
  if (!c)
    error(span, "global '" + name + "' is not a constant TorchScript can use (int, float, bool, "
                "str, None, a tuple of these, a device or a dtype)");
  return Sugared::of(c);
}

Sugared FunctionEmitter::resolveDotted(const std::string &path, const SourceSpan &span) {
  size_t dot = path.find('.');
  std::string head = path.substr(0, dot);
  Sugared s;
  if (compiler_.hasFunction(head) && dot == std::string::npos)
    return Sugared::make(Sugared::Kind::Function, head);
  s = Sugared::make(Sugared::Kind::Namespace, head);
  while (dot != std::string::npos) {
    size_t next = path.find('.', dot + 1);
    s = attributeNamed(s, path.substr(dot + 1, next - dot - 1), span);
    dot = next;
  }
  return s;
}

Sugared FunctionEmitter::attributeOf(const Sugared &base, const Expr &e) {
  return attributeNamed(base, e.text, e.span);
}

Sugared FunctionEmitter::attributeNamed(const Sugared &base, const std::string &attr,
                                        const SourceSpan &span) {
  if (base.kind == Sugared::Kind::Namespace)
    return namespaceAttribute(base.name, attr, span);
  if (base.kind == Sugared::Kind::TypeValue) {
    ClassInfo *c = compiler_.findClass(base.name);
    // `Class.method`: a static method, or a method called with its
    // receiver first (`__torch__.Sub.pre(sub, (x,))`, how archives call
    // forward hooks).
    // `Class.classmethod(...)`: the method's `cls` stands for the class in
    // its body, so any object of the class can receive the call; a bare
    // one (`__torch__.C.__new__(__torch__.C)` in code, which torch.jit.load
    // reads). torch.jit itself supports only calls on an instance.
    if (c && c->classMethods.count(attr))
      return Sugared::make(Sugared::Kind::Method, attr,
                           insertValue(Symbol::prim("CreateObject"), {}, c->type, span));
    if (c && (c->staticMethods.count(attr) || c->methods.count(attr)))
      return Sugared::make(Sugared::Kind::Function, base.name + "." + attr);
    if (c && attr == "__new__") // `Class.__new__(Class)` in printed code
      return Sugared::make(Sugared::Kind::Builtin, "$new:" + base.name);
    if (c && c->isEnum) {
      const auto &members = c->type->enumMembers();
      for (size_t i = 0; i < members.size(); ++i)
        if (members[i].name == attr)
          return Sugared::of(graph().insertConstant(enumMemberValue(c->type, i), c->type));
      error(span, "enum '" + base.name + "' has no attribute '" + attr + "'");
    }
  }
  if (!base.isValue())
    error(span, "'" + base.name + "' has no attribute '" + attr + "'");
  Value *v = base.value;
  TypePtr t = v->type();
  if (t->kind() == TypeKind::Tensor) {
    if (const char *op = tensorProperty(attr))
      return Sugared::of(emitOperator(op, {{v, "", span}}, span));
    static const std::map<std::string, const char *> casts = {
        {"float", "float32"}, {"double", "float64"}, {"half", "float16"}, {"long", "int64"},
        {"int", "int32"},     {"short", "int16"},   {"char", "int8"},     {"byte", "uint8"},
        {"bool", "bool"},     {"bfloat16", "bfloat16"}};
    if (auto c = casts.find(attr); c != casts.end()) {
      // x.float() is x.to(torch.float32), as TorchScript compiles it.
      Sugared cast = Sugared::make(Sugared::Kind::Builtin, "$tensor-cast", v);
      cast.items.push_back(Sugared::of(constInt(*dtypeCode(c->second))));
      return cast;
    }
  }
  // An enum member's `.name` and `.value`.
  if (t->kind() == TypeKind::Enum && (attr == "name" || attr == "value"))
    return Sugared::of(attr == "name"
                           ? insertValue(Symbol::prim("EnumName"), {v}, Type::get(TypeKind::Str), span)
                           : insertValue(Symbol::prim("EnumValue"), {v}, t->enumValueType(), span));
  // `x.device.type` is a property of the device ("cpu", "cuda").
  if (t->kind() == TypeKind::Device && attr == "type")
    return Sugared::of(emitOperator("prim::type", {{v, "", span}}, span));
  if (t->isNamedTuple()) {
    const auto &fields = t->fieldNames();
    for (size_t i = 0; i < fields.size(); ++i)
      if (fields[i] == attr)
        return Sugared::of(insertValue(Symbol::prim("TupleIndex"), {v, constInt(int64_t(i))},
                                       t->contained()[i], span));
  }
  if (t->kind() == TypeKind::Class || t->kind() == TypeKind::Interface)
    return classAttribute(v, attr, span);
  if (t->kind() == TypeKind::Any)
    error(span, "'Any' object has no attribute or method '" + attr +
                    "'; refine it first (isinstance(x, T)) or annotate it with its type");
  return Sugared::make(Sugared::Kind::Operator, "aten::" + attr, v);
}

Sugared FunctionEmitter::namespaceAttribute(const std::string &ns, const std::string &attr,
                                            const SourceSpan &span) {
  std::string full = ns + "." + attr;
  if (ns == "torch" && legacyTensorDtype(attr) >= 0) // torch.LongTensor(...)
    return Sugared::make(Sugared::Kind::Builtin, "$legacy:" + attr);
  if (auto library = libraryClassNamed(full)) { // torch.no_grad
    compiler_.loadFunction(full, *library);
    Sugared s = Sugared::make(Sugared::Kind::TypeValue, *library);
    s.type = compiler_.findClass(*library)->type;
    return s;
  }
  if (ns.rfind("__torch__", 0) == 0) {
    // Printed code names script functions and classes by qualified name:
    // `__torch__.helper(x)`, `__torch__.pkg.mod.Point`.
    // Archive code names everything by its full path (`__torch__.torch.nn.
    // functional.relu`); code printed from one file may name a definition
    // of that file by its last component only.
    for (const std::string &key : {full.substr(std::string("__torch__.").size()), attr}) {
      if (compiler_.hasFunction(key))
        return Sugared::make(Sugared::Kind::Function, key);
      if (!compiler_.findClass(key) && libraryClassModule(key))
        compiler_.loadFunction(key, key); // torch.no_grad's class, in code
      if (ClassInfo *c = compiler_.findClass(key)) {
        Sugared s = Sugared::make(Sugared::Kind::TypeValue, key);
        s.type = c->type;
        return s;
      }
    }
    return Sugared::make(Sugared::Kind::Namespace, full);
  }
  if (torchNamespaces().count(full) || full == "typing" || (full.rfind("ops.", 0) == 0 && ns == "ops"))
    return Sugared::make(Sugared::Kind::Namespace, full);
  if (ns.rfind("ops.", 0) == 0)
    return Sugared::make(Sugared::Kind::Operator, ns.substr(4) + "::" + attr);
  // torch.ops.<library>.<op>: an operator a library registered with the
  // dispatcher (torchvision's nms), printed `ops.torchvision.nms`.
  if (full == "torch.ops" || ns == "torch.ops")
    return Sugared::make(Sugared::Kind::Namespace, full.substr(6));
  if (ns == "CONSTANTS") {
    auto value = compiler_.constant(attr);
    if (!value)
      error(span, "'CONSTANTS." + attr + "' is not in the archive's constants table");
    Value *c = graph().insertConstant(*value);
    if (!c)
      error(span, "'CONSTANTS." + attr + "' cannot be a graph constant");
    return Sugared::of(c);
  }
  if (ns == "warnings" && attr == "warn")
    return Sugared::make(Sugared::Kind::Operator, "aten::warn");
  if (full == "torch.backends.cudnn.enabled")
    return Sugared::of(constBool(true)); // torch's default, as a script sees it
  if (ns == "math") {
    if (attr == "pi" || attr == "e" || attr == "tau" || attr == "inf" || attr == "nan") {
      double v = attr == "pi" ? M_PI : attr == "e" ? M_E : attr == "tau" ? 2 * M_PI
                                   : attr == "inf" ? INFINITY : NAN;
      return Sugared::of(constFloat(v));
    }
    return Sugared::make(Sugared::Kind::Operator,
                         attr == "remainder" ? "aten::mathremainder" : "aten::" + attr);
  }
  if (ns == "cmath") {
    // As torch.jit's builtin table: the real constants of `math`, two
    // complex ones, phase as angle and rect as polar.
    if (attr == "infj" || attr == "nanj")
      return Sugared::of(graph().insertConstant(imaginaryConstant(attr)));
    if (attr == "phase" || attr == "rect")
      return Sugared::make(Sugared::Kind::Operator,
                           attr == "phase" ? "aten::angle" : "aten::polar");
    return namespaceAttribute("math", attr, span);
  }
  auto prefix = torchNamespaces().find(ns);
  if (prefix == torchNamespaces().end()) {
    if (auto g = compiler_.globalValue(full))
      return fromGlobalValue(*g, full, span);
    error(span, "unknown module '" + ns + "'");
  }
  std::string builtin = full;
  if (ns == "torch" || ns == "torch.jit" || ns == "torch.autograd" || ns == "torch.cuda" ||
      ns == "torch._C" || ns == "torch.nn.functional" || ns == "torch.functional" ||
      ns == "torch.overrides") {
    if (ns == "torch") {
      if (auto code = dtypeCode(attr))
        return Sugared::of(constInt(*code));
      if (auto code = enumCode(attr))
        return Sugared::of(constInt(*code));
    }
    if (isSpecialForm(full))
      return Sugared::make(Sugared::Kind::Builtin, full);
  }
  // A torch.nn.functional function written in Python compiles from its
  // source, as TorchScript compiles it, even where an ATen operator has
  // the same name (F.relu has `inplace`, aten::relu does not). Builtins
  // (F.conv2d) and dispatch wrappers (F.max_pool2d) are operators. The
  // source may define it under another name (F.threshold is `_threshold`).
  // So are the functions of torch.functional that torch.jit compiles from
  // source rather than mapping them to the operators of the same name
  // (`torch.norm(x, "fro")`; torch/jit/_builtins.py's list).
  static const std::set<std::string> functionalFromSource = {
      "stft", "istft", "lu", "cdist", "norm", "unique", "unique_consecutive", "tensordot"};
  if (ns == "torch.nn.functional" || (ns == "torch" && functionalFromSource.count(attr)))
    if (auto g = compiler_.globalValue(full);
        g && (!g->function.empty() || g->dispatch || !g->overloads.empty()))
      return fromGlobalValue(*g, full, span);
  std::string op = "aten::" + prefix->second + attr;
  if (OperatorRegistry::global().contains(Symbol::fromQualString(op)))
    return Sugared::make(Sugared::Kind::Operator, op);
  if (auto g = compiler_.globalValue(full))
    return fromGlobalValue(*g, full, span);
  if (ns == "torch.nn.functional")
    error(span, "'torch.nn.functional." + attr + "' is not an ATen operator; its Python source "
                "is needed to compile it (the ember Python package supplies it)");
  error(span, "unknown builtin '" + full + "'");
}

} // namespace ember::frontend
