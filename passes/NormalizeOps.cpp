//===- passes/NormalizeOps.cpp - normalize-ops ----------------------------===//
//
// TorchScript's NormalizeOps, run on every graph its frontend emits and on
// every trace: an operator that is only another name for one ATen already
// has (`torch.true_divide`, `x.absolute()`, `torch.special.expit`) becomes
// that operator, so graphs, `.code` and the passes see one spelling per
// operation. The table is torch 1.13's alias map (passes/normalize_ops.cpp),
// checked against torch.jit.script's graphs.
//
// 1. For each node whose kind is an alias and which takes a Tensor or a
//    list of them (`degrees` and `radians` also have number overloads,
//    which stay), build a node of the canonical kind with the same inputs,
//    attributes, location and scope, just before it. `rsub` of two tensors
//    is `sub` with the operands swapped, as torch.jit emits it.
// 2. If the canonical operator accepts those inputs, its outputs take the
//    old outputs' types and names and their uses; the alias goes.
// 3. `a is b` and `a is not b` of two bools become `a == b` and `a != b`
//    (bools are values, so identity is equality), as torch.jit emits them.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "ir/Type.h"

#include <algorithm>
#include <unordered_map>

namespace ember {
namespace {

const std::unordered_map<std::string, std::string> &aliasTable() {
  static const std::unordered_map<std::string, std::string> table = [] {
    std::unordered_map<std::string, std::string> t = {
        {"det", "linalg_det"},
        {"matrix_power", "linalg_matrix_power"},
        {"matrix_exp", "linalg_matrix_exp"},
        {"ger", "outer"},
        {"linalg_matmul", "matmul"},
        {"inverse", "linalg_inv"},
        {"concat", "cat"},
        {"row_stack", "vstack"},
        {"moveaxis", "movedim"},
        {"orgqr", "linalg_householder_product"},
        {"adjoint", "mH"},
        {"special_erf", "erf"},
        {"special_erfc", "erfc"},
        {"special_erfinv", "erfinv"},
        {"special_expit", "sigmoid"},
        {"special_exp2", "exp2"},
        {"special_expm1", "expm1"},
        {"special_logit", "logit"},
        {"special_logsumexp", "logsumexp"},
        {"special_round", "round"},
        {"special_log1p", "log1p"},
        {"special_sinc", "sinc"},
        {"special_digamma", "digamma"},
        {"special_psi", "digamma"},
        {"special_i0", "i0"},
        {"special_xlogy", "xlogy"},
        {"special_log_softmax", "log_softmax"},
        {"special_softmax", "softmax"},
        {"special_multigammaln", "mvlgamma"},
        {"special_polygamma", "polygamma"},
        {"special_gammainc", "igamma"},
        {"special_gammaincc", "igammac"},
        {"special_gammaln", "lgamma"},
    };
    // Aliases whose in-place form (trailing `_`) is an alias too.
    const std::pair<const char *, const char *> withInPlace[] = {
        {"absolute", "abs"},     {"arccos", "acos"},        {"arcsin", "asin"},
        {"arctan", "atan"},      {"arctan2", "atan2"},      {"arccosh", "acosh"},
        {"arcsinh", "asinh"},    {"arctanh", "atanh"},      {"fix", "trunc"},
        {"negative", "neg"},     {"subtract", "sub"},       {"greater_equal", "ge"},
        {"greater", "gt"},       {"less_equal", "le"},      {"less", "lt"},
        {"not_equal", "ne"},     {"divide", "div"},         {"multiply", "mul"},
        {"true_divide", "div"},  {"degrees", "rad2deg"},    {"radians", "deg2rad"},
        {"clip", "clamp"},       {"swapdims", "transpose"}, {"swapaxes", "transpose"},
    };
    for (const auto &[alias, canonical] : withInPlace) {
      t[alias] = canonical;
      t[std::string(alias) + "_"] = std::string(canonical) + "_";
    }
    return t;
  }();
  return table;
}

bool isTensorOrList(const TypePtr &t) {
  return t->kind() == TypeKind::Tensor ||
         (t->kind() == TypeKind::List && t->elem()->kind() == TypeKind::Tensor);
}

/// The canonical kind for an alias node, or null.
const std::string *canonicalName(const Node *n) {
  if (n->kind().ns() != "aten" ||
      std::none_of(n->inputs().begin(), n->inputs().end(),
                   [](const Value *v) { return isTensorOrList(v->type()); }))
    return nullptr;
  auto it = aliasTable().find(n->kind().name());
  return it == aliasTable().end() ? nullptr : &it->second;
}

/// `rsub(a, b, alpha)` of two tensors, which is `sub(b, a, alpha)`.
bool isTensorRsub(const Node *n) {
  return n->kind().qualString() == "aten::rsub" && n->inputs().size() == 3 &&
         n->input(0)->type()->kind() == TypeKind::Tensor &&
         n->input(1)->type()->kind() == TypeKind::Tensor;
}

/// Replaces `n` with a node of kind aten::`name` taking `inputs`; false (and no change)
/// when no overload of that operator takes n's inputs.
bool replaceWithCanonical(Node *n, const std::string &name, const std::vector<Value *> &inputs) {
  Graph *g = n->owningGraph();
  Node *r = g->create(Symbol::fromQualString("aten::" + name), inputs, 0);
  if (!r->schema()) {
    r->destroy();
    return false;
  }
  r->insertBefore(n);
  r->copyAttributes(*n);
  r->setSourceLocation(n->sourceLocation());
  r->setScope(n->scope());
  r->setInlinedFrom(n->inlinedFrom());
  for (Value *o : n->outputs())
    o->replaceAllUsesWith(r->addOutput()->copyMetadata(o));
  n->destroy();
  return true;
}

/// `__is__` / `__isnot__` of two bools, as `eq` / `ne`; null for anything else.
const char *boolIdentityAsEquality(const Node *n) {
  if (n->inputs().size() != 2 || n->input(0)->type()->kind() != TypeKind::Bool ||
      n->input(1)->type()->kind() != TypeKind::Bool)
    return nullptr;
  const std::string kind = n->kind().qualString();
  if (kind == "aten::__is__")
    return "eq";
  if (kind == "aten::__isnot__")
    return "ne";
  return nullptr;
}

int64_t normalizeBlock(Block *b) {
  int64_t replaced = 0;
  for (Node *n : b->nodes()) {
    for (Block *inner : n->blocks())
      replaced += normalizeBlock(inner);
    if (const std::string *name = canonicalName(n))
      replaced += replaceWithCanonical(n, *name, n->inputs());
    else if (isTensorRsub(n))
      replaced += replaceWithCanonical(n, "sub", {n->input(1), n->input(0), n->input(2)});
    else if (const char *equality = boolIdentityAsEquality(n))
      replaced += replaceWithCanonical(n, equality, n->inputs());
  }
  return replaced;
}

class NormalizeOpsPass : public Pass {
public:
  bool run(Graph &g, PassContext &ctx) override {
    int64_t replaced = normalizeBlock(g.block());
    ctx.count("normalize-ops", "replaced", replaced);
    return replaced > 0;
  }
};

} // namespace

std::unique_ptr<Pass> createNormalizeOpsPass() { return std::make_unique<NormalizeOpsPass>(); }

} // namespace ember
