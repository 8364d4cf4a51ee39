//===- ir/NodeSchema.cpp - binding nodes to operator overloads ------------===//
//
// TorchScript never prints overload names: a node binds to the first
// registered overload whose formal types accept its input types (reference
// §2.2). The binding is cached on the node and dropped whenever an input or
// an input's type changes.
//
//===----------------------------------------------------------------------===//
#include "ir/Graph.h"
#include "ir/Schema.h"

#include <unordered_set>

namespace ember {

void Node::lookupSchema() const {
  std::vector<TypePtr> types;
  types.reserve(inputs_.size());
  for (const Value *v : inputs_)
    types.push_back(v->type());
  schema_ = OperatorRegistry::global().resolve(kind_, types);
  schemaValid_ = true;
}

const FunctionSchema *Node::schema() const {
  if (!schemaValid_)
    lookupSchema();
  return schema_;
}

bool Node::isKnownOperator() const { return OperatorRegistry::global().contains(kind_); }

bool Node::isNondeterministic() const {
  static const std::unordered_set<std::string> random = {
      "bernoulli", "bernoulli_", "multinomial", "normal", "normal_", "poisson", "binomial",
      "rrelu", "rrelu_with_noise", "rrelu_", "rrelu_with_noise_", "rand", "rand_like",
      "randint", "randint_like", "randn", "randn_like", "randperm", "_standard_gamma",
      "_sample_dirichlet", "uniform_", "exponential_", "geometric_", "log_normal_", "cauchy_",
      "random_", "_fused_dropout", "native_dropout"};
  static const std::unordered_set<std::string> dropout = {
      "dropout", "dropout_", "feature_dropout", "feature_dropout_", "alpha_dropout",
      "alpha_dropout_", "feature_alpha_dropout", "feature_alpha_dropout_"};
  if (kind_.ns() != "aten")
    return false;
  const std::string &name = kind_.name();
  if (random.count(name))
    return true;
  if (dropout.count(name)) {
    // Dropout is deterministic only when `train` is a constant false.
    if (inputs_.size() < 3)
      return true;
    const Value *train = inputs_[2];
    const Node *def = train->node();
    if (def->kind() != prim::Constant())
      return true;
    const AttributeValue *a = def->findAttribute(attr::value());
    return !(a && a->kind == AttributeKind::i && a->i == 0);
  }
  if (const FunctionSchema *s = schema())
    for (const auto &arg : s->arguments)
      if (arg.type->kind() == TypeKind::Generator ||
          (arg.type->kind() == TypeKind::Optional &&
           arg.type->elem()->kind() == TypeKind::Generator))
        return true;
  return false;
}

} // namespace ember
