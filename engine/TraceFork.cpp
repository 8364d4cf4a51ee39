//===- engine/TraceFork.cpp - forks in traces -----------------------------===//
//
// `torch.jit.fork(fn, *args)` called while tracing, as TorchScript's tracer
// records it (reference §8): fn's operators go into the subgraph of a
// prim::fork node rather than inline, so the trace runs them
// asynchronously, and `torch.jit.wait` becomes aten::wait:
//
//   %fut : Future[Float(3)] = prim::fork_0(%x)
//   %y : Float(3) = aten::wait(%fut)
//   with prim::fork_0 = graph(%x : Float(3)):
//     ...
//
// The subgraph's inputs are the arguments, then any value of the caller
// (an input, a parameter, an earlier result) the forked code reads,
// lifted when it first reads it.
//
//===----------------------------------------------------------------------===//
#include "engine/Tracer.h"

#include "passes/Passes.h"

namespace ember {

void TraceRecorder::enterFork(const std::vector<c10::IValue> &inputs) {
  std::vector<Value *> callerInputs;
  for (const auto &in : inputs)
    callerInputs.push_back(valueFor(in));
  Value *callerSelf = cur().self;
  auto attributes = cur().attributes;
  frames_.emplace_back();
  Frame &f = cur();
  f.graph = std::make_shared<Graph>();
  f.fork = true;
  if (callerSelf) {
    // The module, for submodule calls made in the forked code.
    f.self = f.graph->addInput("self");
    f.self->setType(callerSelf->type());
    f.attributes = std::move(attributes);
    f.inputsInCaller.push_back(callerSelf);
  }
  f.inputsInCaller.insert(f.inputsInCaller.end(), callerInputs.begin(), callerInputs.end());
  for (const auto &in : inputs)
    addInput(in, "");
}

bool TraceRecorder::knownToCaller(const at::Tensor &t) const {
  const void *impl = t.unsafeGetTensorImpl();
  for (size_t i = 0; i + 1 < frames_.size(); ++i)
    if (frames_[i].tensors.count(impl) || frames_[i].attributes.count(impl))
      return true;
  return false;
}

Value *TraceRecorder::liftIntoFork(const c10::IValue &v) {
  // The caller's value (found, or made, there), then an input standing
  // for it here.
  Frame fork = std::move(frames_.back());
  frames_.pop_back();
  Value *outer = nullptr;
  try {
    outer = valueFor(v);
  } catch (...) {
    frames_.push_back(std::move(fork));
    throw;
  }
  frames_.push_back(std::move(fork));
  Frame &f = cur();
  Value *inner = f.graph->addInput();
  inner->setType(outer->type());
  if (outer->hasDebugName())
    inner->setDebugName(outer->debugName());
  f.inputsInCaller.push_back(outer);
  f.tensors[v.toTensor().unsafeGetTensorImpl()] = inner;
  keepAlive_.push_back(v.toTensor());
  return inner;
}

size_t TraceRecorder::exitFork(const c10::IValue &output) {
  if (frames_.size() < 2 || !cur().fork)
    throw std::logic_error("exitFork without enterFork");
  cur().graph->registerOutput(valueFor(output));
  Frame done = std::move(frames_.back());
  frames_.pop_back();
  PassContext ctx{nullptr, nullptr};
  findPass("dce")->create()->run(*done.graph, ctx);
  // As TorchScript's closures capture: only what the forked code reads.
  for (size_t i = done.graph->inputs().size(); i-- > 0;)
    if (!done.graph->inputs()[i]->hasUses()) {
      done.graph->block()->eraseInput(i);
      done.inputsInCaller.erase(done.inputsInCaller.begin() + long(i));
    }
  Node *before = cur().graph->block()->returnNode()->prev();
  Node *fork = cur().graph->insert(Symbol::prim("fork"), done.inputsInCaller, 1);
  TypePtr result = done.graph->outputs()[0]->type();
  fork->g_(attr::Subgraph(), done.graph);
  fork->output()->setType(Type::future(result));
  locate(before);
  futures_.push_back(fork->output());
  return futures_.size() - 1;
}

void TraceRecorder::recordWait(size_t future, const c10::IValue &result) {
  if (future >= futures_.size())
    throw std::logic_error("recordWait of an unknown future");
  Value *fut = futures_[future];
  if (fut->owningGraph() != cur().graph.get())
    throw std::invalid_argument("a future forked while tracing is waited for outside the "
                                "function that forked it; wait for it there");
  Node *before = cur().graph->block()->returnNode()->prev();
  Node *wait = cur().graph->insert(Symbol::aten("wait"), {fut}, 1);
  wait->output()->setType(fut->type()->elem());
  unpack(result, wait->output(), /*isInput=*/false);
  locate(before);
}

} // namespace ember
