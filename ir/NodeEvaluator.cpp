//===- ir/NodeEvaluator.cpp - the installed evaluator ---------------------===//
#include "ir/NodeEvaluator.h"

namespace ember {

static NodeEvaluator &evaluatorSlot() {
  static NodeEvaluator evaluator;
  return evaluator;
}

void setNodeEvaluator(NodeEvaluator evaluator) { evaluatorSlot() = std::move(evaluator); }
const NodeEvaluator &nodeEvaluator() { return evaluatorSlot(); }

} // namespace ember
