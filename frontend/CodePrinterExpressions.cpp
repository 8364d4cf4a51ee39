//===- frontend/CodePrinterExpressions.cpp - one node as a Python expression ===//
//
// The right-hand side TorchScript's printer writes for each kind of node:
// literals for constants, Python forms for the builtins the frontend emits
// (`int(x)`, `x[i]`, `print(...)`, `annotate(List[int], [])`,
// `unchecked_cast(T, x)`, `(obj).method(...)`, `Class.__new__(Class)`), and
// `torch.op(...)` / `ops.ns.op(...)` for operators, with keyword-only
// arguments named and trailing defaults left out (TorchScript's
// CalculateNecessaryArgs).
//
//===----------------------------------------------------------------------===//
#include "frontend/CodePrinterImpl.h"

#include "frontend/DefaultValues.h"
#include "ir/Constants.h"
#include "ir/Printer.h"

#include <sstream>

namespace ember::frontend {

/// A plain name (`x0`, `_1`): printed without parentheses before `[`.
static bool isIdentifier(const std::string &s) {
  if (s.empty() || isdigit(static_cast<unsigned char>(s[0])))
    return false;
  for (char c : s)
    if (!isalnum(static_cast<unsigned char>(c)) && c != '_')
      return false;
  return true;
}


namespace {

bool inferableElement(const TypePtr &t) {
  TypeKind k = t->kind();
  return k != TypeKind::Union && k != TypeKind::Optional && k != TypeKind::Number &&
         k != TypeKind::Any;
}

/// How many leading inputs must be printed: trailing inputs that are
/// constants equal to the schema's default are dropped.
size_t necessaryArguments(const FunctionSchema &schema, const std::vector<Value *> &inputs) {
  if (schema.arguments.size() < inputs.size())
    return inputs.size();
  size_t n = std::min(inputs.size(), schema.arguments.size());
  while (n > 0) {
    const Argument &a = schema.arguments[n - 1];
    if (!a.defaultValue || a.defaultConstant) // a tensor default is passed, as torch.jit prints it
      break;
    auto actual = constantValue(inputs[n - 1]);
    if (!actual || reprOf(*actual) != reprOf(defaultIValue(*a.defaultValue, a.type)))
      break;
    --n;
  }
  return n;
}

} // namespace

std::string CodePrinterImpl::operatorCall(const Node *n) {
  Symbol k = n->kind();
  std::string s;
  if (k == Symbol::aten("backward"))
    s = "torch.autograd.backward";
  else if (k == Symbol::aten("grad"))
    s = "torch.autograd.grad";
  else if (k.ns() == "aten")
    s = "torch." + k.name();
  else
    s = "ops." + k.ns() + "." + k.name();
  s += "(";
  const FunctionSchema *schema = n->schema();
  size_t count = schema ? necessaryArguments(*schema, n->inputs()) : n->inputs().size();
  for (size_t i = 0; i < count; ++i) {
    if (i)
      s += ", ";
    if (schema && i < schema->arguments.size() && schema->arguments[i].kwargOnly)
      s += schema->arguments[i].name + "=";
    s += useOf(n->input(i));
  }
  return s + ")";
}

std::optional<std::string> CodePrinterImpl::structureRHS(const Node *n) {
  std::string name = n->kind().qualString();
  auto list = [&](const char *open, const char *close) {
    return open + valueList(n->inputs()) + close;
  };
  if (n->outputs().size() != 1)
    return std::nullopt;
  const TypePtr &t = n->output()->type();
  std::string typeText = t->annotationStr();
  if (name == "prim::TupleConstruct") {
    std::string prefix = t->isNamedTupleClass() ? t->annotationStr() : "";
    return prefix + list("(", n->inputs().size() == 1 ? ",)" : ")");
  }
  if (name == "prim::TupleIndex")
    return "(" + useOf(n->input(0)) + ")[" + useOf(n->input(1)) + "]";
  if (name == "prim::ListConstruct") {
    if (n->inputs().empty())
      return "annotate(" + typeText + ", [])";
    if (!inferableElement(t->elem()))
      return "annotate(" + typeText + ", " + list("[", "]") + ")";
    return list("[", "]");
  }
  if (name == "prim::DictConstruct") {
    std::string d = "{";
    for (size_t i = 0; i + 1 < n->inputs().size(); i += 2)
      d += (i ? ", " : "") + useOf(n->input(i)) + ": " + useOf(n->input(i + 1));
    d += "}";
    if (n->inputs().empty() || !inferableElement(t->contained()[0]) ||
        !inferableElement(t->contained()[1]))
      return "annotate(" + typeText + ", " + d + ")";
    return d;
  }
  if (name == "prim::CreateObject")
    return typeText + ".__new__(" + typeText + ")";
  if (name == "prim::GetAttr") {
    const std::string &field = n->s(attr::name());
    if (makeValidIdentifier(field) == field)
      return useOf(n->input()) + "." + field;
    std::ostringstream q;
    printQuotedString(q, field);
    return "getattr(" + useOf(n->input()) + ", " + q.str() + ")";
  }
  if (name == "prim::CallFunction" || name == "prim::CallMethod") {
    bool method = name == "prim::CallMethod";
    std::string s = method ? "(" + useOf(n->input(0)) + ")." + n->s(attr::name()) + "("
                           : useOf(n->input(0)) + "(";
    for (size_t i = 1; i < n->inputs().size(); ++i)
      s += useOf(n->input(i)) + ", ";
    return s + ")";
  }
  return std::nullopt;
}

std::string CodePrinterImpl::rhs(const Node *n) {
  Symbol k = n->kind();
  const std::string &name = k.qualString();
  auto list = [&](const char *open, const char *close) {
    return open + valueList(n->inputs()) + close;
  };
  auto typeOf = [&]() { return n->output()->type()->annotationStr(); };
  if (k == prim::Constant()) {
    const Value *v = n->output();
    if (v->type()->kind() == TypeKind::Function) // by its qualified path
      return "__torch__." + (v->type()->name().empty() ? n->s(attr::name()) : v->type()->name());
    auto value = constantValue(v);
    if (!value)
      return "None";
    // A NamedTuple constant is its constructor called on the tuple, as
    // TorchScript prints it (`__torch__.Point(1, 2)`): a bare tuple would
    // read back as a plain Tuple.
    if (value->isTuple() && v->type()->isNamedTupleClass())
      return v->type()->annotationStr() + constantRepr(*value);
    return constantRepr(*value);
  }
  if (name == "prim::Uninitialized")
    return "uninitialized(" + typeOf() + ")";
  if (name == "aten::IntImplicit" || name == "aten::FloatImplicit" ||
      name == "aten::ScalarImplicit")
    return "annotate(" + typeOf() + ", " + useOf(n->input()) + ")";
  if (name == "prim::tolist")
    return "annotate(" + typeOf() + ", " + useOf(n->input(0)) + ".tolist())";
  if (name == "aten::Int") return list("int(", ")");
  if (name == "aten::Float") return list("float(", ")");
  if (name == "aten::Bool") return list("bool(", ")");
  if (name == "aten::str") return list("str(", ")");
  if (name == "prim::Print") return list("print(", ")");
  if (name == "aten::sorted") return list("sorted(", ")");
  if (name == "prim::EnumName") return "(" + useOf(n->input()) + ").name";
  if (name == "prim::EnumValue") return "(" + useOf(n->input()) + ").value";
  if (name == "aten::__getitem__") {
    // An inlined expression is parenthesized before `[`, as TorchScript does.
    std::string base = useOf(n->input(0));
    if (!isIdentifier(base))
      base = "(" + base + ")";
    return base + "[" + useOf(n->input(1)) + "]";
  }
  if (k.ns() == "prim")
    if (auto structural = structureRHS(n))
      return *structural;
  if (name == "prim::unchecked_cast" || name == "prim::unchecked_unwrap_optional")
    return "unchecked_cast(" + typeOf() + ", " + useOf(n->input()) + ")";
  if (name == "prim::isinstance") {
    const AttributeValue *types = n->findAttribute(Symbol::attr("types"));
    std::string s = "isinstance(" + useOf(n->input()) + ", ";
    if (types && types->tys.size() == 1)
      return s + types->tys[0]->annotationStr() + ")";
    s += "(";
    for (size_t i = 0; types && i < types->tys.size(); ++i)
      s += (i ? ", " : "") + types->tys[i]->annotationStr();
    return s + "))";
  }
  return operatorCall(n);
}

} // namespace ember::frontend
