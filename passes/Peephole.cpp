//===- passes/Peephole.cpp - peephole -------------------------------------===//
//
// Local rewrites, each a small function tried on every node (reference §4.1):
//   - int/float identities: x + 0, x - 0, x * 1, x // 1 (ints) -> x;
//     x * 0 -> 0 for ints;
//   - double transpose: t(t(x)) and transpose(transpose(x, a, b), a, b);
//   - list idioms on a ListConstruct nothing writes (torch's
//     PeepholeOptimizeListIdioms): len -> constant, l[i] for a constant i in
//     range -> the element, l1 + l2 and l[a:b:c] with constant bounds -> one
//     ListConstruct, ListUnpack -> the elements;
//   - dim / size / size(d) / dtype / device / is_cuda of refined tensors;
//     x.type_as(y) -> x when both have the same known dtype and device;
//     dim(convNd(x)) -> the rank of x when it is known (torch folds it to
//     N + 2 always, which is wrong for an unbatched input);
//   - `x is None` / `x is not None` when x is never or always None;
//   - an if whose bool output is true in the then-branch and false in the
//     else-branch (what `c and True`, `c or False` emit) -> the condition;
//   - TupleIndex / TupleUnpack of a TupleConstruct -> its elements;
//   - unchecked_cast to the value's own type -> the value;
//   - int(NumToTensor(x)) -> x (and the float and implicit forms).
// The tensor queries are the "shape peepholes" a caller may turn off, as
// torch does where it pre-optimises a callee (types there are not yet
// specialised).
// Rewrites leave dead producers behind for dce. A list built by a rewrite
// from a list that is written to counts as written to: the alias analysis
// made before the rewrites does not know it.
//
//===----------------------------------------------------------------------===//
#include "passes/AliasAnalysis.h"
#include "passes/Passes.h"

#include "ir/Constants.h"
#include "ir/SliceIndices.h"

#include <unordered_set>

namespace ember {
namespace {

class Peephole {
public:
  Peephole(Graph &g, bool shapes) : g_(g), aa_(g), shapes_(shapes) {}
  int64_t rewrites = 0;

  void runBlock(Block *b) {
    for (Node *n : b->nodes()) {
      for (Block *sub : n->blocks())
        runBlock(sub);
      g_.setInsertPoint(n);
      if (Value *r = rewrite(n)) {
        n->output()->replaceAllUsesWith(r);
        ++rewrites;
      } else if (rewriteUnpack(n) || rewriteShortCircuit(n)) {
        ++rewrites;
      }
    }
    g_.setInsertPoint(g_.block());
  }

private:
  static bool is(const Node *n, const char *kind) { return n->kind().qualString() == kind; }
  static bool isScalar(const Value *v, TypeKind k) { return v->type()->kind() == k; }

  Value *rewrite(Node *n) {
    if (n->outputs().size() != 1)
      return nullptr;
    if (Value *r = arithmetic(n))
      return r;
    if (Value *r = transposes(n))
      return r;
    if (Value *r = shapes_ ? tensorQueries(n) : nullptr)
      return r;
    if (Value *r = scalarRoundTrips(n))
      return r;
    if (Value *r = noneChecks(n))
      return r;
    if (Value *r = containers(n))
      return r;
    if (Value *r = listIdioms(n))
      return r;
    return nullptr;
  }

  Value *arithmetic(Node *n) {
    if (n->inputs().size() != 2)
      return nullptr;
    Value *x = n->input(0), *y = n->input(1);
    TypeKind out = n->output()->type()->kind();
    if (out != TypeKind::Int && out != TypeKind::Float)
      return nullptr;
    if (!isScalar(x, out) || (!isScalar(y, TypeKind::Int) && !isScalar(y, TypeKind::Float)))
      return nullptr;
    auto c = constantValue(y);
    if (!c || !(c->isInt() || c->isDouble()))
      return nullptr;
    double v = c->isInt() ? double(c->toInt()) : c->toDouble();
    if ((is(n, "aten::add") || is(n, "aten::sub")) && v == 0)
      return x;
    if (is(n, "aten::mul") && v == 1)
      return x;
    if (is(n, "aten::floordiv") && v == 1 && out == TypeKind::Int)
      return x;
    if (is(n, "aten::mul") && v == 0 && out == TypeKind::Int && c->isInt())
      return g_.insertConstant(int64_t(0));
    return nullptr;
  }

  Value *transposes(Node *n) {
    if (is(n, "aten::t") && n->inputs().size() == 1) {
      Node *p = n->input(0)->node();
      if (is(p, "aten::t") && !aa_.hasWriters(p->output()) && !aa_.hasWriters(p->input(0)))
        return p->input(0);
    }
    if (is(n, "aten::transpose") && n->inputs().size() == 3) {
      Node *p = n->input(0)->node();
      if (!is(p, "aten::transpose") || p->inputs().size() != 3)
        return nullptr;
      auto a1 = constantInt(n->input(1)), b1 = constantInt(n->input(2));
      auto a2 = constantInt(p->input(1)), b2 = constantInt(p->input(2));
      if (!a1 || !b1 || !a2 || !b2)
        return nullptr;
      bool same = (*a1 == *a2 && *b1 == *b2) || (*a1 == *b2 && *b1 == *a2);
      if (same && !aa_.hasWriters(p->output()) && !aa_.hasWriters(p->input(0)))
        return p->input(0);
    }
    return nullptr;
  }

  Value *tensorQueries(Node *n) {
    if (n->inputs().empty() || n->input(0)->type()->kind() != TypeKind::Tensor)
      return nullptr;
    const TensorInfo &info = n->input(0)->type()->tensorInfo();
    if (is(n, "aten::dim") && info.sizes)
      return g_.insertConstant(int64_t(info.sizes->size()));
    if (is(n, "prim::dtype") && info.dtype)
      return g_.insertConstant(int64_t(*info.dtype));
    if (is(n, "prim::device") && info.device)
      return g_.insertConstant(c10::IValue(*info.device));
    if ((is(n, "prim::is_cuda") || is(n, "aten::is_cuda")) && info.device)
      return g_.insertConstant(info.device->is_cuda());
    if (is(n, "aten::type_as") && n->inputs().size() == 2 &&
        n->input(1)->type()->kind() == TypeKind::Tensor) {
      const TensorInfo &other = n->input(1)->type()->tensorInfo();
      if (info.dtype && info.device && info.dtype == other.dtype && info.device == other.device)
        return n->input(0);
    }
    if (is(n, "aten::dim") && n->inputs().size() == 1) {
      Node *p = n->input(0)->node();
      bool conv = is(p, "aten::conv1d") || is(p, "aten::conv2d") || is(p, "aten::conv3d");
      if (conv && !p->inputs().empty() && p->input(0)->type()->kind() == TypeKind::Tensor &&
          p->input(0)->type()->tensorInfo().sizes && !aa_.hasWriters(n->input(0)))
        return g_.insertConstant(int64_t(p->input(0)->type()->tensorInfo().sizes->size()));
    }
    if (is(n, "aten::size") && info.sizes) {
      if (n->inputs().size() == 1) {
        std::vector<int64_t> sizes;
        for (const auto &s : *info.sizes) {
          if (!s)
            return nullptr;
          sizes.push_back(*s);
        }
        return g_.insertConstant(c10::IValue(sizes));
      }
      if (n->inputs().size() == 2 && n->input(1)->type()->kind() == TypeKind::Int) {
        auto d = constantInt(n->input(1));
        int64_t rank = int64_t(info.sizes->size());
        if (!d || *d < -rank || *d >= rank)
          return nullptr;
        const auto &s = (*info.sizes)[*d < 0 ? *d + rank : *d];
        if (s)
          return g_.insertConstant(int64_t(*s));
      }
    }
    return nullptr;
  }

  /// int(NumToTensor(x)) -> x, and float(...) of a float: a traced size
  /// read back as a number.
  Value *scalarRoundTrips(Node *n) {
    if ((!is(n, "aten::Int") && !is(n, "aten::Float") && !is(n, "aten::IntImplicit") &&
         !is(n, "aten::FloatImplicit") && !is(n, "aten::ScalarImplicit")) ||
        n->inputs().size() != 1)
      return nullptr;
    Node *p = n->input(0)->node();
    if (is(p, "prim::NumToTensor") && p->input(0)->type()->equals(*n->output()->type()))
      return p->input(0);
    return nullptr;
  }

  Value *noneChecks(Node *n) {
    bool isOp = is(n, "aten::__is__"), isNot = is(n, "aten::__isnot__");
    if ((!isOp && !isNot) || n->inputs().size() != 2)
      return nullptr;
    const TypePtr &a = n->input(0)->type(), &b = n->input(1)->type();
    auto canBeNone = [](const TypePtr &t) {
      return t->kind() == TypeKind::None || t->kind() == TypeKind::Optional ||
             t->kind() == TypeKind::Any || t->kind() == TypeKind::Union;
    };
    if (b->kind() != TypeKind::None && a->kind() != TypeKind::None)
      return nullptr;
    const TypePtr &other = b->kind() == TypeKind::None ? a : b;
    if (other->kind() == TypeKind::None)
      return g_.insertConstant(isOp);
    if (!canBeNone(other))
      return g_.insertConstant(!isOp);
    return nullptr;
  }

  Value *containers(Node *n) {
    if (is(n, "aten::len") && n->inputs().size() == 1 &&
        is(n->input(0)->node(), "prim::TupleConstruct"))
      return g_.insertConstant(int64_t(n->input(0)->node()->inputs().size()));
    if (is(n, "prim::TupleIndex") && n->inputs().size() == 2) {
      Node *p = n->input(0)->node();
      auto i = constantInt(n->input(1));
      if (is(p, "prim::TupleConstruct") && i) {
        int64_t size = int64_t(p->inputs().size());
        int64_t idx = *i < 0 ? *i + size : *i;
        if (idx >= 0 && idx < size && p->input(idx)->type()->isSubtypeOf(*n->output()->type()))
          return p->input(idx);
      }
    }
    if (is(n, "prim::unchecked_cast") && n->inputs().size() == 1 &&
        n->input(0)->type()->equals(*n->output()->type()))
      return n->input(0);
    return nullptr;
  }

  /// The ListConstruct that made `list`, when nothing writes to the list.
  Node *unwrittenListConstruct(Value *list) {
    Node *p = list->node();
    if (!is(p, "prim::ListConstruct") || aa_.hasWriters(list) || writtenLists_.count(list))
      return nullptr;
    return p;
  }

  Value *listIdioms(Node *n) {
    if (n->inputs().empty() || n->input(0)->type()->kind() != TypeKind::List)
      return nullptr;
    Node *p = unwrittenListConstruct(n->input(0));
    if (!p)
      return nullptr;
    auto size = int64_t(p->inputs().size());
    if (is(n, "aten::len") && n->inputs().size() == 1)
      return g_.insertConstant(size);
    if (is(n, "aten::__getitem__") && n->inputs().size() == 2) {
      auto i = constantInt(n->input(1));
      if (!i || *i < -size || *i >= size)
        return nullptr;
      return p->input(*i < 0 ? *i + size : *i);
    }
    if (is(n, "aten::add") && n->inputs().size() == 2) {
      Node *q = unwrittenListConstruct(n->input(1));
      if (!q)
        return nullptr;
      std::vector<Value *> elements(p->inputs().begin(), p->inputs().end());
      elements.insert(elements.end(), q->inputs().begin(), q->inputs().end());
      return newList(n, elements);
    }
    if (is(n, "aten::slice") && n->inputs().size() == 4) {
      auto indices = constantSlice(n, size);
      if (!indices)
        return nullptr;
      std::vector<Value *> elements;
      for (int64_t i : *indices)
        elements.push_back(p->input(i));
      return newList(n, elements);
    }
    return nullptr;
  }

  /// The indices `l[start:end:step]` takes from a list of `size` elements,
  /// Python's slice rules, when the bounds are constants (None or ints).
  static std::optional<std::vector<int64_t>> constantSlice(Node *n, int64_t size) {
    auto bound = [](const Value *v) -> std::optional<std::optional<int64_t>> {
      auto c = constantValue(v);
      if (!c || !(c->isNone() || c->isInt()))
        return std::nullopt;
      return c->isNone() ? std::optional<int64_t>() : std::optional<int64_t>(c->toInt());
    };
    auto start = bound(n->input(1)), end = bound(n->input(2));
    auto step = constantInt(n->input(3));
    if (!start || !end || !step || *step == 0)
      return std::nullopt;
    return ember::sliceIndices(size, *start, *end, *step);
  }

  /// A ListConstruct of `elements` standing for the list `n` makes.
  Value *newList(Node *n, const std::vector<Value *> &elements) {
    Node *l = g_.create(Symbol::fromQualString("prim::ListConstruct"), elements, 1);
    l->insertBefore(n);
    l->setSourceLocation(n->sourceLocation());
    l->setScope(n->scope());
    l->output()->setType(n->output()->type());
    if (aa_.hasWriters(n->output()) || writtenLists_.count(n->output()))
      writtenLists_.insert(l->output());
    return l->output();
  }

  /// `c and True` / `c or False`: an if output that is the condition itself.
  bool rewriteShortCircuit(Node *n) {
    if (!is(n, "prim::If") || n->blocks().size() != 2)
      return false;
    bool any = false;
    for (size_t i = 0; i < n->outputs().size(); ++i) {
      if (n->output(i)->type()->kind() != TypeKind::Bool || !n->output(i)->hasUses())
        continue;
      auto thenValue = constantValue(n->blocks()[0]->outputs()[i]);
      auto elseValue = constantValue(n->blocks()[1]->outputs()[i]);
      if (thenValue && thenValue->isBool() && thenValue->toBool() && elseValue &&
          elseValue->isBool() && !elseValue->toBool()) {
        n->output(i)->replaceAllUsesWith(n->input(0));
        any = true;
      }
    }
    return any;
  }

  bool rewriteUnpack(Node *n) {
    bool tuple = is(n, "prim::TupleUnpack");
    if ((!tuple && !is(n, "prim::ListUnpack")) || n->inputs().size() != 1)
      return false;
    Node *p = tuple ? n->input(0)->node() : unwrittenListConstruct(n->input(0));
    if (!p || !is(p, tuple ? "prim::TupleConstruct" : "prim::ListConstruct") ||
        p->inputs().size() != n->outputs().size())
      return false;
    bool any = false;
    for (size_t i = 0; i < n->outputs().size(); ++i)
      if (n->output(i)->hasUses()) {
        n->output(i)->replaceAllUsesWith(p->input(i));
        any = true;
      }
    return any;
  }

  Graph &g_;
  AliasAnalysis aa_;
  bool shapes_;
  std::unordered_set<const Value *> writtenLists_;
};

class PeepholePass : public Pass {
public:
  explicit PeepholePass(bool shapes) : shapes_(shapes) {}
  bool run(Graph &g, PassContext &ctx) override {
    Peephole p(g, shapes_);
    p.runBlock(g.block());
    ctx.count("peephole", "rewrites", p.rewrites);
    return p.rewrites > 0;
  }

private:
  bool shapes_;
};

} // namespace

std::unique_ptr<Pass> createPeepholePass() { return std::make_unique<PeepholePass>(true); }

std::unique_ptr<Pass> createPeepholePass(bool shapePeepholes) {
  return std::make_unique<PeepholePass>(shapePeepholes);
}

} // namespace ember
