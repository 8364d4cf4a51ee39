//===- engine/Upgraders.cpp - old operator semantics in old archives ------===//
//
// An archive records the format version it was written at (reference
// §6.4), and operators whose meaning changed since are run as they ran
// then: the version map (torch's operator_upgraders/version_map.cpp) names,
// for each changed overload, the version that changed it and an upgrader,
// a TorchScript function that computes the old result with today's
// operators. ember keeps the same table; the upgraders are its own
// TorchScript, compiled once by ember's frontend.
//
// For each node of a graph compiled from archive code whose overload is in
// the table with a bump above the archive's version:
//   1. the upgrader's graph is copied in front of the node, its parameters
//      bound to the node's inputs (the upgrader takes the overload's
//      arguments in order);
//   2. the node's outputs are replaced by the copy's and the node goes.
// The frontend's cleanup then runs as on any graph, so `true_divide` and
// `divide` in an upgrader print as `aten::div`, as in torch.jit.
//
//===----------------------------------------------------------------------===//
#include "engine/Upgraders.h"

#include "frontend/Emitter.h"
#include "frontend/Parser.h"
#include "ir/Schema.h"

#include <map>
#include <memory>

namespace ember {
namespace {

struct Upgrader {
  uint64_t bumpedAt;    // the first version with today's meaning
  const char *function; // defined in kUpgraderSource
};

/// Overload (`aten::div.Tensor`) -> its upgrader.
const std::map<std::string, Upgrader> &versionMap() {
  static const std::map<std::string, Upgrader> table = {
      {"aten::div.Tensor", {4, "div_Tensor_0_3"}},
      {"aten::div.Scalar", {4, "div_Scalar_0_3"}},
      {"aten::div.out", {4, "div_out_0_3"}},
      {"aten::div_.Tensor", {4, "div__Tensor_0_3"}},
      {"aten::div_.Scalar", {4, "div__Scalar_0_3"}},
      {"aten::full", {5, "full_0_4"}},
      {"aten::full.out", {5, "full_out_0_4"}},
      {"aten::linspace", {8, "linspace_0_7"}},
      {"aten::linspace.out", {8, "linspace_out_0_7"}},
      {"aten::logspace", {9, "logspace_0_8"}},
      {"aten::logspace.out", {9, "logspace_out_0_8"}},
  };
  return table;
}

// Before version 4 `/` of two integer tensors (or an integer tensor and an
// int) divided and truncated; a float on either side divided truly. Before
// version 5 `full` without a dtype made a float tensor even of an integer
// fill. Before 8 and 9, `steps` of linspace and logspace could be None,
// meaning 100.
constexpr const char *kUpgraderSource = R"SCRIPT(
def div_Tensor_0_3(self: Tensor, other: Tensor) -> Tensor:
    if self.is_floating_point() or other.is_floating_point():
        return self.true_divide(other)
    return self.divide(other, rounding_mode='trunc')

def div_Scalar_0_3(self: Tensor, other: number) -> Tensor:
    if self.is_floating_point() or isinstance(other, float):
        return self.true_divide(other)
    return self.divide(other, rounding_mode='trunc')

def div_out_0_3(self: Tensor, other: Tensor, out: Tensor) -> Tensor:
    if self.is_floating_point() or other.is_floating_point() or out.is_floating_point():
        return self.true_divide(other, out=out)
    return self.divide(other, rounding_mode='trunc', out=out)

def div__Tensor_0_3(self: Tensor, other: Tensor) -> Tensor:
    if self.is_floating_point() or other.is_floating_point():
        return self.true_divide_(other)
    return self.divide_(other, rounding_mode='trunc')

def div__Scalar_0_3(self: Tensor, other: number) -> Tensor:
    if self.is_floating_point() or isinstance(other, float):
        return self.true_divide_(other)
    return self.divide_(other, rounding_mode='trunc')

def full_0_4(size: List[int], fill_value: number, dtype: Optional[int], layout: Optional[int],
             device: Optional[Device], pin_memory: Optional[bool]) -> Tensor:
    if dtype is None:
        fill_value = float(fill_value)
    return torch.full(size, fill_value, dtype=dtype, layout=layout, device=device,
                      pin_memory=pin_memory)

def full_out_0_4(size: List[int], fill_value: number, out: Tensor) -> Tensor:
    return torch.full(size, fill_value, out=out)

def linspace_0_7(start: number, end: number, steps: Optional[int], dtype: Optional[int],
                 layout: Optional[int], device: Optional[Device],
                 pin_memory: Optional[bool]) -> Tensor:
    if steps is None:
        steps = 100
    return torch.linspace(start, end, steps, dtype=dtype, layout=layout, device=device,
                          pin_memory=pin_memory)

def linspace_out_0_7(start: number, end: number, steps: Optional[int], out: Tensor) -> Tensor:
    if steps is None:
        steps = 100
    return torch.linspace(start, end, steps, out=out)

def logspace_0_8(start: number, end: number, steps: Optional[int], base: float,
                 dtype: Optional[int], layout: Optional[int], device: Optional[Device],
                 pin_memory: Optional[bool]) -> Tensor:
    if steps is None:
        steps = 100
    return torch.logspace(start, end, steps, base, dtype=dtype, layout=layout, device=device,
                          pin_memory=pin_memory)

def logspace_out_0_8(start: number, end: number, steps: Optional[int], base: float,
                     out: Tensor) -> Tensor:
    if steps is None:
        steps = 100
    return torch.logspace(start, end, steps, base, out=out)
)SCRIPT";

/// The upgrader graphs, compiled on first use.
class UpgraderGraphs {
public:
  UpgraderGraphs() {
    auto buffer = std::make_shared<SourceBuffer>(SourceBuffer{"<ember upgraders>", kUpgraderSource});
    compiler_.addModule(std::make_shared<frontend::Module>(frontend::parseSource(buffer)));
    for (const auto &[overload, upgrader] : versionMap())
      graphs_[upgrader.function] = compiler_.compileFunction(upgrader.function);
  }
  const Graph *graph(const std::string &function) const { return graphs_.at(function); }

private:
  frontend::Compiler compiler_;
  std::map<std::string, const Graph *> graphs_;
};

const UpgraderGraphs &upgraderGraphs() {
  static const UpgraderGraphs graphs;
  return graphs;
}

/// The upgrader for `n` at `version`, or null when `n` runs as written.
const Upgrader *upgraderFor(const Node *n, uint64_t version) {
  const FunctionSchema *s = n->schema();
  if (!s)
    return nullptr;
  auto it = versionMap().find(s->overload.empty() ? s->name : s->name + "." + s->overload);
  if (it == versionMap().end() || version >= it->second.bumpedAt)
    return nullptr;
  return &it->second;
}

int64_t upgradeBlock(Block *b, uint64_t version) {
  int64_t rewritten = 0;
  for (Node *n : b->nodes()) {
    for (Block *inner : n->blocks())
      rewritten += upgradeBlock(inner, version);
    const Upgrader *u = upgraderFor(n, version);
    if (!u)
      continue;
    Graph &g = *n->owningGraph();
    const Graph &callee = *upgraderGraphs().graph(u->function);
    Node *savedInsertPoint = g.insertPoint();
    g.setInsertPoint(n);
    std::vector<Value *> results = insertGraph(g, callee, n->inputs(), [&](Node *copy) {
      copy->setSourceLocation(n->sourceLocation());
    });
    g.setInsertPoint(savedInsertPoint);
    for (size_t i = 0; i < results.size(); ++i)
      n->output(i)->replaceAllUsesWith(results[i]);
    n->destroy();
    ++rewritten;
  }
  return rewritten;
}

} // namespace

int64_t applyUpgraders(Graph &g, uint64_t version) {
  if (version > kLastUpgradedVersion)
    return 0;
  return upgradeBlock(g.block(), version);
}

} // namespace ember
