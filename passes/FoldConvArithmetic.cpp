//===- passes/FoldConvArithmetic.cpp - fold-conv-arithmetic ---------------===//
//
// TorchScript's FoldFrozenConvAddOrSub and FoldFrozenConvMulOrDiv
// (reference §4.3): `conv(x) + c`, `- c`, `* c` or `/ c` with c a constant
// per-channel tensor or a number becomes the conv alone, with
//   add/sub: bias'   = (bias or zeros) op c          (alpha kept)
//   mul/div: weight' = weight op c.reshape([-1, 1, ...]),
//            bias'   = bias op c                      (when there is a bias)
// so a frozen `conv -> mul -> add -> batch_norm` chain ends as one conv
// when the freeze pipeline alternates this pass, fold-batch-norm and
// constant propagation.
//
// Algorithm, per add/sub/mul/div node whose first input is a conv:
//   1. Check, as TorchScript does: every input of the conv but the data,
//      and every input of the op but the conv's output, is a constant; the
//      conv's output has no other use; its weight is floating point; a
//      tensor c does not change the output's dtype (an integer c folds, as
//      in TorchScript) and has at most the weight's rank with every size 1
//      except dimension 1, which may be the output channels (so it cannot
//      change the shape of a batched output).
//   2. Insert the arithmetic above before the conv, on copies of the
//      constants, rewire the conv to it and the op's uses to the conv.
// Constant propagation then evaluates the arithmetic into new constants;
// this pass never computes a tensor itself.
//
// As in TorchScript, an unbatched input meeting a rank-4 constant of shape
// [1, C, 1, 1] gets the conv's [C, H, W] output, not the [1, C, H, W] of
// the unfolded graph: frozen modules give torch.jit.freeze's results.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "ir/Constants.h"

#include <ATen/ATen.h>

namespace ember {
namespace {

bool is(const Node *n, const char *kind) {
  return n->kind().qualString() == kind;
}

/// The rank of the weight of conv node `n`; 0 if `n` is no conv1d/2d/3d.
int64_t convWeightRank(const Node *n) {
  if (n->inputs().size() != 7)
    return 0;
  return is(n, "aten::conv1d") ? 3 : is(n, "aten::conv2d") ? 4 : is(n, "aten::conv3d") ? 5 : 0;
}

bool addOrSub(const Node *n) {
  return (is(n, "aten::add") || is(n, "aten::sub")) && n->inputs().size() == 3;
}

bool mulOrDiv(const Node *n) {
  return (is(n, "aten::mul") || is(n, "aten::div")) && n->inputs().size() == 2;
}

bool allConstantAfterFirst(const Node *n) {
  for (size_t i = 1; i < n->inputs().size(); ++i)
    if (!constantValue(n->input(i)))
      return false;
  return true;
}

/// TorchScript's opDoesNotBroadCastWithConv: c's sizes are all 1 but for
/// dimension 1, which may be the output channels.
bool fitsChannels(const at::Tensor &c, const at::Tensor &weight) {
  if (c.dim() > weight.dim())
    return false;
  for (int64_t i = 0; i < c.dim(); ++i)
    if (c.size(i) != 1 && !(i == 1 && c.size(i) == weight.size(0)))
      return false;
  return true;
}

/// Step 1.
bool canFold(const Node *op, const Node *conv) {
  if (!allConstantAfterFirst(conv) || !allConstantAfterFirst(op) ||
      conv->output()->uses().size() != 1)
    return false;
  c10::IValue weight = *constantValue(conv->input(1));
  if (!weight.isTensor() || !weight.toTensor().is_floating_point())
    return false;
  c10::IValue c = *constantValue(op->input(1));
  if (c.isTensor()) {
    // The op must not change the output's dtype (a float64 constant of
    // rank 1 would make a float32 conv's output float64; TorchScript folds
    // it anyway and returns float32).
    const at::Tensor &t = c.toTensor(), &w = weight.toTensor();
    return fitsChannels(t, w) && at::result_type(at::empty({1}, w.options()), t) == w.scalar_type();
  }
  return c.isInt() || c.isDouble();
}

/// Step 2.
void fold(Graph &g, Node *op, Node *conv, int64_t rank) {
  g.setInsertPoint(conv);
  // A copy of constant `v` before the conv (freezing puts each constant
  // where its attribute was read, which may be after it).
  auto copy = [&](Value *v) { return g.insertConstant(*constantValue(v), v->type()); };
  auto apply = [&](Value *lhs, Value *rhs) {
    std::vector<Value *> inputs{lhs, rhs};
    if (addOrSub(op))
      inputs.push_back(copy(op->input(2)));
    return g.insert(op->kind(), inputs)->output();
  };
  const at::Tensor weight = constantValue(conv->input(1))->toTensor();
  c10::IValue c = *constantValue(op->input(1));
  // c as a [C] or [1] tensor for the bias, [C, 1, ...] or [1] for the weight.
  auto shaped = [&](bool forWeight) -> Value * {
    if (!c.isTensor())
      return copy(op->input(1));
    std::vector<int64_t> shape{c.toTensor().numel() == 1 ? 1 : -1};
    if (forWeight && shape[0] == -1)
      shape.resize(size_t(rank), 1);
    return g
        .insert(Symbol::aten("reshape"), {copy(op->input(1)), g.insertConstant(c10::IValue(shape))})
        ->output();
  };
  bool hasBias = conv->input(2)->type()->kind() != TypeKind::None;
  if (addOrSub(op)) {
    Value *bias =
        hasBias ? copy(conv->input(2))
                : g.insertConstant(c10::IValue(at::zeros({weight.size(0)}, weight.options())));
    conv->replaceInput(2, apply(bias, shaped(false)));
  } else {
    conv->replaceInput(1, apply(copy(conv->input(1)), shaped(true)));
    if (hasBias)
      conv->replaceInput(2, apply(copy(conv->input(2)), shaped(false)));
  }
  g.setInsertPoint(g.block());
  op->output()->replaceAllUsesWith(conv->output());
  op->destroy();
}

int64_t foldBlock(Graph &g, Block *b) {
  int64_t folded = 0;
  for (Node *n : b->nodes()) {
    for (Block *inner : n->blocks())
      folded += foldBlock(g, inner);
    if (!addOrSub(n) && !mulOrDiv(n))
      continue;
    Node *conv = n->input(0)->node();
    int64_t rank = convWeightRank(conv);
    if (rank == 0 || !canFold(n, conv))
      continue;
    fold(g, n, conv, rank);
    ++folded;
  }
  return folded;
}

class FoldConvArithmeticPass : public Pass {
public:
  bool run(Graph &g, PassContext &ctx) override {
    int64_t folded = foldBlock(g, g.block());
    ctx.count("fold-conv-arithmetic", "folded", folded);
    return folded > 0;
  }
};

} // namespace

std::unique_ptr<Pass> createFoldConvArithmeticPass() {
  return std::make_unique<FoldConvArithmeticPass>();
}

} // namespace ember
