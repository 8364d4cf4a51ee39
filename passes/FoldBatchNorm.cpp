//===- passes/FoldBatchNorm.cpp - fold-batch-norm -------------------------===//
//
// TorchScript's FoldFrozenConvBatchnorm and FoldFrozenLinearBatchnorm
// (reference §4.3), as one rewrite: an inference batch_norm whose
// statistics and affine parameters are constants, fed by a conv or linear
// whose weight and bias are constants, becomes that conv or linear with a
// new weight and bias. With s = bn_w * rsqrt(running_var + eps):
//   weight' = weight * s.reshape([-1, 1, ...])
//   bias'   = (bias - running_mean) * rsqrt(running_var + eps) * bn_w + bn_b
// the formula (and order of operations) of torch.nn.utils.fusion.
//
// Algorithm, per batch_norm node:
//   1. Check `training` is the constant False, the statistics, eps and the
//      producer's weight and bias are constants (bias and the affine
//      parameters may be None), and the channel counts agree.
//   2. Check every other use of the producer's output only asks its shape
//      (aten::dim, aten::size), since its values change.
//   3. Insert the arithmetic above before the producer, on the constants,
//      rewire the producer to it and the batch_norm's uses to the producer.
// The arithmetic is left for constant-propagation to fold into new weight
// constants, so this pass never evaluates a tensor itself.
//
// Like TorchScript, a linear folds when its output features equal the
// norm's features (or the norm has one): right for the [N, C] inputs of
// BatchNorm1d after a Linear, which is the pattern in practice.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "ir/Constants.h"

namespace ember {
namespace {

bool is(const Node *n, const char *kind) { return n->kind().qualString() == kind; }

/// The constant tensor `v` holds; nullopt if it is not one.
std::optional<at::Tensor> constantTensor(const Value *v) {
  auto c = constantValue(v);
  if (!c || !c->isTensor() || !c->toTensor().is_floating_point())
    return std::nullopt;
  return c->toTensor();
}

/// A constant tensor, or the constant None.
bool isConstantTensorOrNone(const Value *v) {
  auto c = constantValue(v);
  return c && (c->isNone() || (c->isTensor() && c->toTensor().is_floating_point()));
}

bool isNone(const Value *v) { return v->type()->kind() == TypeKind::None; }

/// The rank of the weight of a conv or linear `n` folds into (0 if `n` is
/// neither): the reshape of the scale has that many dimensions.
int64_t weightRank(const Node *n) {
  if (is(n, "aten::linear") && n->inputs().size() == 3)
    return 2;
  if (n->inputs().size() != 7)
    return 0;
  if (is(n, "aten::conv1d"))
    return 3;
  if (is(n, "aten::conv2d"))
    return 4;
  if (is(n, "aten::conv3d"))
    return 5;
  return 0;
}

/// Steps 1 and 2 for batch_norm `bn` fed by `producer`.
bool canFold(const Node *bn, const Node *producer) {
  auto training = constantValue(bn->input(5));
  auto eps = constantValue(bn->input(7));
  if (!training || !training->isBool() || training->toBool() || !eps || !eps->isDouble())
    return false;
  auto mean = constantTensor(bn->input(3));
  auto var = constantTensor(bn->input(4));
  auto weight = constantTensor(producer->input(1));
  if (!mean || !var || !weight || !isConstantTensorOrNone(bn->input(1)) ||
      !isConstantTensorOrNone(bn->input(2)) || !isConstantTensorOrNone(producer->input(2)))
    return false;
  int64_t rank = weightRank(producer);
  if (weight->dim() != rank || mean->dim() != 1)
    return false;
  int64_t outFeatures = weight->size(0), features = mean->size(0);
  bool linear = rank == 2;
  if (features != outFeatures && !(linear && features == 1))
    return false;
  for (const Use &u : producer->output()->uses())
    if (u.user != bn && !is(u.user, "aten::dim") && !is(u.user, "aten::size"))
      return false;
  return true;
}

/// Step 3.
void fold(Graph &g, Node *bn, Node *producer, int64_t rank) {
  g.setInsertPoint(producer);
  auto op = [&](const char *name, std::vector<Value *> inputs) {
    return g.insert(Symbol::aten(name), inputs)->output();
  };
  // The norm's constants may be defined after the producer (freezing puts
  // each where its attribute was read): use copies then.
  auto here = [&](Value *v) {
    Node *def = v->node();
    if (def->owningBlock() == producer->owningBlock() && def->isBefore(producer))
      return v;
    return g.insertConstant(*constantValue(v), v->type());
  };
  Value *one = g.insertConstant(int64_t(1));
  Value *bnWeight = isNone(bn->input(1)) ? nullptr : here(bn->input(1));
  Value *bnBias = isNone(bn->input(2)) ? nullptr : here(bn->input(2));
  Value *mean = here(bn->input(3));
  Value *rsqrt = op("rsqrt", {op("add", {here(bn->input(4)), here(bn->input(7)), one})});
  Value *scale = bnWeight ? op("mul", {bnWeight, rsqrt}) : rsqrt;
  std::vector<int64_t> shape(size_t(rank), 1);
  shape[0] = -1;
  Value *shapeValue = g.insertConstant(c10::IValue(shape));
  Value *weight = op("mul", {producer->input(1), op("reshape", {scale, shapeValue})});
  Value *bias = isNone(producer->input(2)) ? op("neg", {mean})
                                           : op("sub", {producer->input(2), mean, one});
  bias = op("mul", {bias, rsqrt});
  if (bnWeight)
    bias = op("mul", {bias, bnWeight});
  if (bnBias)
    bias = op("add", {bias, bnBias, one});
  g.setInsertPoint(g.block());
  producer->replaceInput(1, weight);
  producer->replaceInput(2, bias);
  bn->output()->replaceAllUsesWith(producer->output());
  bn->destroy();
}

int64_t foldBlock(Graph &g, Block *b) {
  int64_t folded = 0;
  for (Node *n : b->nodes()) {
    for (Block *inner : n->blocks())
      folded += foldBlock(g, inner);
    if (!is(n, "aten::batch_norm") || n->inputs().size() != 9)
      continue;
    Node *producer = n->input(0)->node();
    int64_t rank = weightRank(producer);
    if (rank == 0 || !canFold(n, producer))
      continue;
    fold(g, n, producer, rank);
    ++folded;
  }
  return folded;
}

class FoldBatchNormPass : public Pass {
public:
  bool run(Graph &g, PassContext &ctx) override {
    int64_t folded = foldBlock(g, g.block());
    ctx.count("fold-batch-norm", "folded", folded);
    return folded > 0;
  }
};

} // namespace

std::unique_ptr<Pass> createFoldBatchNormPass() { return std::make_unique<FoldBatchNormPass>(); }

} // namespace ember
