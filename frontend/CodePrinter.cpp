//===- frontend/CodePrinter.cpp - graphs as TorchScript's Python code -----===//
//
// TorchScript's PythonPrint (reference §3), step by step:
//   1. a reverse scan of each block decides which values are printed inline
//      at their single use: single-output nodes without blocks, unnamed
//      (unless only returned), not loop-carried, not isinstance, and only
//      where inlining keeps the order of side effects — the expression tree
//      must match the node order walking backwards (canInline, scanNode);
//      constants are always inline;
//   2. constants come first, then the nodes: an inlined node becomes the
//      text of its expression, any other an assignment to a name — the
//      variable's name (`x`, `x0`, `x1` when taken) or a temporary `_0`;
//   3. a line that would reach 40 columns takes its inlined inputs out
//      into temporaries, every input up to the last long one, so that
//      evaluation order is kept;
//   4. `aten::` operators print as `torch.<op>(...)`, others as
//      `ops.<ns>.<op>(...)`, keyword-only arguments as `name=value`, and
//      trailing arguments equal to their defaults are left out;
//   5. If and Loop become `if`/`else` and `for`/`while`, with the values
//      they carry assigned before the loop, at the end of the body and at
//      the end of each branch.
//
//===----------------------------------------------------------------------===//
#include "frontend/CodePrinterImpl.h"

#include "frontend/DefaultValues.h"
#include "ir/Constants.h"
#include "ir/Printer.h"

#include <climits>
#include <map>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace ember::frontend {
namespace {

const std::unordered_set<std::string> &reservedNames() {
  static const std::unordered_set<std::string> names = {
      "_", "as", "aten", "attribute", "CONSTANTS", "fork", "getattr", "inf", "nan", "infj",
      "nanj", "ops", "__torch__", "and", "assert", "async", "await", "break", "class",
      "continue", "def", "del", "elif", "else", "except", "False", "finally", "for", "from",
      "global", "if", "import", "in", "is", "lambda", "None", "nonlocal", "not", "or", "pass",
      "raise", "return", "True", "try", "with", "while", "yield", "uninitialized",
      "unchecked_cast"};
  return names;
}

} // namespace

std::string reprOf(const c10::IValue &v) {
  std::ostringstream ss;
  // Values with no literal form (IValue::repr refuses them) get a
  // placeholder; the printer moves those into its constant table.
  v.repr(ss, [](std::ostream &os, const c10::IValue &x) {
    if (!(x.isTensor() || x.isObject() || x.isCapsule() || x.isFuture()))
      return false;
    os << "<" << x.tagKind() << " at " << x.internalToPointer() << ">";
    return true;
  });
  return ss.str();
}

std::string makeValidIdentifier(const std::string &candidate) {
  std::string out = candidate.empty() || isdigit(static_cast<unsigned char>(candidate[0])) ? "_" : "";
  for (char c : candidate)
    out += isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
  return out;
}

bool isReservedCodeName(const std::string &name) { return reservedNames().count(name) > 0; }

static bool hasNonAscii(const std::string &s) {
  for (unsigned char c : s)
    if (c >= 0x80)
      return true;
  return false;
}

std::string CodePrinterImpl::constantRepr(const c10::IValue &v) {
  // Without a caller's table (`.code`), tensors still print as TorchScript
  // prints them, numbered in a table of this printer's own.
  if (!constantTable)
    constantTable = &ownTable;
  std::ostringstream ss;
  // Archives (a caller's table) also move strings with non-ASCII text out of
  // the code, as TorchScript does; `.code` prints them as literals, so it
  // compiles back on its own.
  bool archive = constantTable != &ownTable;
  v.repr(ss, [this, archive](std::ostream &os, const c10::IValue &x) {
    if (!(x.isTensor() || x.isObject() ||
          (archive && x.isString() && hasNonAscii(x.toStringRef()))))
      return false;
    // Equal tensors (same type, sizes and values) share one entry, as in
    // TorchScript's getOrAddConstant.
    auto same = [&x](const c10::IValue &known) {
      if (known.isSameIdentity(x))
        return true;
      if (!known.isTensor() || !x.isTensor())
        return false;
      const at::Tensor &a = known.toTensor(), &b = x.toTensor();
      return a.options().type_equal(b.options()) && a.sizes() == b.sizes() && a.equal(b);
    };
    size_t i = 0;
    while (i < constantTable->size() && !same((*constantTable)[i]))
      ++i;
    if (i == constantTable->size())
      constantTable->push_back(x);
    os << "CONSTANTS.c" << i;
    return true;
  });
  return ss.str();
}


bool CodePrinterImpl::canInline(const Value *v) const {
  const Node *n = v->node();
  if (n->outputs().size() != 1 || v->uses().size() != 1 || !n->blocks().empty())
    return false;
  const Use &use = v->uses()[0];
  if (v->hasDebugName() && use.user->kind() != prim::Return())
    return false;
  if (use.user->kind() == prim::Loop() && use.offset >= 2)
    return false;
  Symbol k = use.user->kind();
  if (k == Symbol::prim("fork") || k == Symbol::prim("rpc_async"))
    return false;
  return n->kind() != Symbol::prim("isinstance");
}

const Node *CodePrinterImpl::scanValue(const Node *blockPoint, const Value *v) {
  const Node *n = v->node();
  if (n == blockPoint && canInline(v)) {
    blockPoint = scanNode(blockPoint);
    inlined_.insert(n);
  } else if (n->kind() == prim::Constant()) {
    inlined_.insert(n);
  }
  return blockPoint;
}

const Node *CodePrinterImpl::scanNode(const Node *n) {
  if (inlined_.count(n))
    return n;
  for (const Block *b : n->blocks())
    scanBlock(b);
  const Node *blockPoint = n;
  do
    blockPoint = blockPoint->prev();
  while (blockPoint->kind() == prim::Constant());
  const auto &inputs = n->inputs();
  for (auto it = inputs.rbegin(); it != inputs.rend(); ++it)
    blockPoint = scanValue(blockPoint, *it);
  return blockPoint;
}

void CodePrinterImpl::scanBlock(const Block *b) {
  scanNode(b->returnNode());
  std::vector<Node *> nodes = b->nodes();
  for (auto it = nodes.rbegin(); it != nodes.rend(); ++it)
    scanNode(*it);
}

void CodePrinterImpl::printFunction(const std::string &name, const Graph &g,
                                    const FunctionSchema &schema, bool typedFirst) {
  expr_.clear();
  inlined_.clear();
  used_.clear();
  annotatedUnions_.clear();
  loopAliases_.clear();
  indent() << "def " << name << "(";
  for (size_t i = 0; i < schema.arguments.size() && i < g.inputs().size(); ++i) {
    const Argument &arg = schema.arguments[i];
    std::string argName = genName(arg.name);
    if (i == 0) {
      out << argName;
      if (typedFirst)
        out << ": " << arg.type->annotationStr();
    } else {
      out << ",\n    " << argName << ": " << arg.type->annotationStr();
    }
    if (arg.defaultValue)
      out << "=" << constantRepr(defaultOf(arg));
    expr_[g.inputs()[i]] = argName;
  }
  TypePtr ret = schema.returns.empty() ? Type::get(TypeKind::None) : schema.returns[0].type;
  out << ") -> " << ret->annotationStr() << ":\n";
  printBody(g.block());
}

void CodePrinterImpl::printBody(const Block *b) {
  // As TorchScript's buildConstantList: constants print in the order they
  // are used (a node's inputs, then its blocks; each block's return last),
  // whatever order the graph defines them in.
  std::vector<const Node *> constants;
  std::unordered_set<const Node *> seen;
  std::function<void(const Block *)> collect;
  auto uses = [&](const Node *n) {
    for (const Value *in : n->inputs())
      if (in->node()->kind() == prim::Constant() && seen.insert(in->node()).second)
        constants.push_back(in->node());
    for (const Block *inner : n->blocks())
      collect(inner);
  };
  collect = [&](const Block *blk) {
    for (const Node *n : blk->nodes())
      uses(n);
    uses(blk->returnNode());
  };
  collect(b);
  scanBlock(b);
  ++level_;
  for (const Node *c : constants)
    printNode(c, /*printConstants=*/true);
  printBlock(b, !b->outputs().empty());
  printNode(b->returnNode(), false);
  --level_;
}

void CodePrinterImpl::printBlock(const Block *b, bool hasOtherStatements) {
  // Constants print at the top of the function, so a block holding only
  // constants is empty here (TorchScript pools them out of blocks first).
  bool empty = true;
  for (const Node *n : b->nodes())
    empty = empty && n->kind() == prim::Constant();
  if (!hasOtherStatements && empty)
    indent() << "pass\n";
  for (const Node *n : b->nodes())
    printNode(n, false);
}

/// [reordering of inlines] An inlined expression that grew long prints as
/// its own statement; so that no statement runs before an inlined one it
/// followed, every inlined argument to its left, up through the inlined
/// users it sits in, prints first (each user's arguments scanned once).
void CodePrinterImpl::splitLongInlines(const Value *v) {
  std::vector<const Value *> reversed;
  const Use &use = v->uses().at(0);
  scanLongInlines(use.user, static_cast<int64_t>(use.offset), reversed);
  for (auto it = reversed.rbegin(); it != reversed.rend(); ++it)
    printOutputDefinition((*it)->node(), std::string(useOf(*it)));
}

void CodePrinterImpl::scanLongInlines(const Node *user, int64_t offset,
                                      std::vector<const Value *> &reversed) {
  auto it = splitUses_.find(user);
  bool seen = it != splitUses_.end();
  for (int64_t i = offset; i >= (seen ? it->second + 1 : 0); --i) {
    const Value *arg = user->input(static_cast<size_t>(i));
    if (arg->node()->kind() != prim::Constant() && inlined_.count(arg->node()))
      reversed.push_back(arg);
  }
  splitUses_[user] = offset;
  // The user's own use is being printed now: only arguments left of it.
  if (!seen && inlined_.count(user)) {
    const Use &next = user->output()->uses().at(0);
    scanLongInlines(next.user, static_cast<int64_t>(next.offset) - 1, reversed);
  }
}

void CodePrinterImpl::printOutputDefinition(const Node *n, const std::string &rhsText) {
  assignNames(n->outputs());
  indent();
  if (!n->outputs().empty())
    out << valueList(n->outputs()) << " = ";
  out << rhsText << "\n";
}

void CodePrinterImpl::printAssignment(const std::vector<Value *> &lhs,
                                      const std::vector<Value *> &rhs, const char *annotationSep) {
  if (lhs.empty())
    return;
  // An Optional or Union variable keeps its annotation where it is first
  // named (`z : Optional[int] = 1` in a branch, `out: Optional[Tensor] =
  // None` before a loop), not where a loop assigns it again.
  bool fresh = lhs.size() == 1 && !loopAliases_.count(lhs[0]);
  indent() << valueList(lhs);
  if (fresh) {
    const Value *v = lhs[0];
    TypeKind k = v->type()->kind();
    if ((k == TypeKind::Optional || k == TypeKind::Union) && !annotatedUnions_.count(v)) {
      out << annotationSep << v->type()->annotationStr();
      annotatedUnions_.insert(v);
    }
  }
  out << " = " << valueList(rhs) << "\n";
}

void CodePrinterImpl::printNode(const Node *n, bool printConstants) {
  if (!printConstants && n->kind() == prim::Constant())
    return;
  Symbol k = n->kind();
  if (k == prim::Return()) {
    if (!n->inputs().empty())
      indent() << "return " << valueList(n->inputs()) << "\n";
    return;
  }
  if (k == prim::If())
    return printIf(n);
  if (k == prim::Loop())
    return printLoop(n);
  if (k == Symbol::prim("TupleUnpack") || k == Symbol::prim("ListUnpack")) {
    assignNames(n->outputs());
    indent();
    if (!n->outputs().empty())
      out << valueList(n->outputs()) << ", = ";
    out << useOf(n->input()) << "\n";
    return;
  }
  if (k == Symbol::prim("fork")) {
    // The subgraph prints as a nested def closing over the fork's inputs.
    std::string name = genName("__forked_function");
    const Graph &sub = *n->g(attr::Subgraph());
    indent() << "def " << name << "():\n";
    for (size_t i = 0; i < n->inputs().size(); ++i)
      expr_[sub.inputs()[i]] = useOf(n->input(i));
    printBody(sub.block());
    printOutputDefinition(n, "fork(" + name + ")");
    return;
  }
  if (k == Symbol::prim("Enter")) {
    indent() << "with " << useOf(n->input());
    if (n->output()->hasUses()) {
      expr_[n->output()] = uniqueNameFor(n->output());
      out << " as " << useOf(n->output());
    }
    out << ":\n";
    ++level_;
    return;
  }
  if (k == Symbol::prim("Exit")) {
    if (n->prev()->kind() == Symbol::prim("Enter"))
      indent() << "pass\n";
    --level_;
    return;
  }
  if (k == Symbol::prim("ModuleContainerIndex")) {
    // An annotated assignment, as TorchScript's printer writes it.
    assignNames(n->outputs());
    indent() << useOf(n->output()) << " : " << n->output()->type()->annotationStr() << " = "
             << useOf(n->input(0)) << "[" << useOf(n->input(1)) << "]\n";
    return;
  }
  if (k == Symbol::prim("SetAttr")) {
    indent() << useOf(n->input(0)) << "." << n->s(attr::name()) << " = " << useOf(n->input(1))
             << "\n";
    return;
  }
  std::string text = rhs(n);
  if (!inlined_.count(n) || (k == prim::Constant() && isLongLine(text))) {
    printOutputDefinition(n, text);
    return;
  }
  expr_[n->output()] = text;
  if (isLongLine(text))
    splitLongInlines(n->output());
}

void CodePrinterImpl::printIf(const Node *n) {
  assignNames(n->outputs());
  indent() << "if " << useOf(n->input()) << ":\n";
  for (size_t b = 0; b < 2; ++b) {
    if (b == 1)
      indent() << "else:\n";
    ++level_;
    const Block *block = n->blocks()[b];
    printBlock(block, !block->outputs().empty());
    printAssignment(n->outputs(), block->outputs());
    --level_;
  }
}

void CodePrinterImpl::printLoop(const Node *n) {
  const Block *body = n->blocks()[0];
  Value *maxTrip = n->input(0), *cond = n->input(1);
  auto constBool = [](const Value *v) { return constantBool(v); };
  auto trip = constantInt(maxTrip);
  auto condIn = constBool(cond), condNext = constBool(body->outputs()[0]);
  Value *counter = body->inputs()[0];
  bool alwaysTrue = condIn && *condIn && condNext && *condNext;
  bool tripSpecified = !trip || *trip != INT64_MAX || counter->hasUses();
  if (!alwaysTrue && tripSpecified)
    throw std::runtime_error("code printer: a loop with both a trip count and a condition "
                             "cannot be printed as Python");
  bool asFor = alwaysTrue && tripSpecified;
  std::vector<Value *> carriedOut = n->outputs();
  std::vector<Value *> carriedIn(n->inputs().begin() + 2, n->inputs().end());
  assignNames(carriedOut);
  for (size_t i = 0; i < carriedOut.size(); ++i) {
    expr_[body->inputs()[i + 1]] = useOf(carriedOut[i]);
    loopAliases_.insert(body->inputs()[i + 1]);
  }
  for (size_t i = 0; i < carriedOut.size(); ++i)
    printAssignment({carriedOut[i]}, {carriedIn[i]}, ": "); // torch.jit spells it so here
  assignNames({counter});
  if (asFor) {
    indent() << "for " << useOf(counter) << " in range(" << useOf(maxTrip) << "):\n";
  } else {
    printAssignment({counter}, {cond});
    indent() << "while " << useOf(counter) << ":\n";
  }
  ++level_;
  size_t offset = asFor ? 1 : 0;
  std::vector<Value *> blockIn(body->inputs().begin() + offset, body->inputs().end());
  std::vector<Value *> blockOut(body->outputs().begin() + offset, body->outputs().end());
  printBlock(body, !blockIn.empty());
  printAssignment(blockIn, blockOut);
  --level_;
}

void CodePrinterImpl::printEnum(const TypePtr &t, const std::string &shortName) {
  // As TorchScript prints enums: string values in double quotes.
  indent() << "class " << shortName << "(Enum):\n";
  ++level_;
  for (const auto &m : t->enumMembers()) {
    indent() << m.name << " = ";
    if (auto *s = std::get_if<std::string>(&m.value))
      out << '"' << *s << '"';
    else if (auto *i = std::get_if<int64_t>(&m.value))
      out << *i;
    else
      out << reprOf(c10::IValue(std::get<double>(m.value)));
    out << "\n";
  }
  --level_;
}

/// As TorchScript prints an interface: each method's signature on one line
/// (`self` untyped, no defaults) and a `pass` body.
void CodePrinterImpl::printInterface(const ClassToPrint &c, const std::string &shortName) {
  indent() << "class " << shortName << (c.type->isModule() ? "(ModuleInterface)" : "(Interface)")
           << ":\n";
  ++level_;
  for (const auto &[graph, schema] : c.methods) {
    indent() << "def " << schema->name.substr(schema->name.rfind('.') + 1) << "(self";
    for (size_t i = 1; i < schema->arguments.size(); ++i)
      out << ", " << schema->arguments[i].name << ": " << schema->arguments[i].type->annotationStr();
    TypePtr ret = schema->returns.empty() ? Type::get(TypeKind::None) : schema->returns[0].type;
    out << ") -> " << ret->annotationStr() << ":\n";
    ++level_;
    indent() << "pass\n";
    --level_;
  }
  --level_;
}

void CodePrinterImpl::printClass(const ClassToPrint &c) {
  const TypePtr &t = c.type;
  std::string qual = t->name();
  std::string shortName = qual.substr(qual.rfind('.') + 1);
  if (t->isNamedTuple()) {
    indent() << "class " << shortName << "(NamedTuple):\n";
    ++level_;
    for (size_t i = 0; i < t->fieldNames().size(); ++i) {
      indent() << t->fieldNames()[i] << " : " << t->contained()[i]->annotationStr();
      if (i < c.fieldDefaults.size() && c.fieldDefaults[i])
        out << " = " << reprOf(defaultIValue(*c.fieldDefaults[i], t->contained()[i]));
      out << "\n";
    }
    --level_;
    return;
  }
  if (t->kind() == TypeKind::Enum)
    return printEnum(t, shortName);
  if (t->kind() == TypeKind::Interface)
    return printInterface(c, shortName);
  indent() << "class " << shortName << (t->isModule() ? "(Module)" : "") << ":\n";
  ++level_;
  if (t->isModule()) {
    for (const auto *names : {&c.parameters, &c.buffers}) {
      indent() << (names == &c.parameters ? "__parameters__ = [" : "__buffers__ = [");
      for (const auto &n : *names)
        out << "\"" << n << "\", ";
      out << "]\n";
    }
    for (const auto *hooks : {&c.forwardPreHooks, &c.forwardHooks}) {
      if (hooks->empty())
        continue;
      indent() << (hooks == &c.forwardPreHooks ? "__forward_pre_hooks__ = [" : "__forward_hooks__ = [");
      for (const auto &n : *hooks)
        out << "\"" << n << "\", ";
      out << "]\n";
    }
  }
  for (size_t i = 0; i < c.attributes.size(); ++i) {
    const auto &[name, type] = c.attributes[i];
    if (makeValidIdentifier(name) == name) {
      indent() << name << " : " << type->annotationStr() << "\n";
      continue;
    }
    if (i == 0) // as TorchScript: only when the first attribute needs it
      indent() << "__annotations__ = []\n";
    indent() << "__annotations__[\"" << name << "\"] = " << type->annotationStr() << "\n";
  }
  for (const auto &[name, annotation, value] : c.constants)
    indent() << name << " : " << annotation << " = " << value << "\n";
  for (const auto &[graph, schema] : c.methods) {
    std::string method = schema->name.substr(schema->name.rfind('.') + 1);
    bool isStatic = std::find(c.staticMethods.begin(), c.staticMethods.end(), method) !=
                    c.staticMethods.end();
    if (isStatic)
      indent() << "@staticmethod\n";
    printFunction(method, *graph, *schema, /*typedFirst=*/true);
  }
  if (c.attributes.empty() && c.methods.empty() && c.constants.empty() && !t->isModule())
    indent() << "pass\n";
  --level_;
}

CodePrinter::CodePrinter() : impl_(std::make_unique<CodePrinterImpl>()) {}
CodePrinter::~CodePrinter() = default;

void CodePrinter::printFunction(const std::string &name, const Graph &g,
                                const FunctionSchema &schema, bool typedFirstArgument) {
  impl_->printFunction(name, g, schema, typedFirstArgument);
}

void CodePrinter::printClass(const ClassToPrint &c) { impl_->printClass(c); }

void CodePrinter::setConstantTable(std::vector<c10::IValue> *table) {
  impl_->constantTable = table ? table : &impl_->ownTable;
}

std::string CodePrinter::str() const { return impl_->out.str(); }

} // namespace ember::frontend
