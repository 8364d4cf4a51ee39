//===- engine/Tracer.h - record tensor operations into a graph -----------===//
//
// ember.trace runs Python code once on example inputs while a TraceRecorder
// is active on the thread. Every ATen operator call is seen at the c10
// dispatcher, above autograd and above the decomposition of composite
// operators — so a trace shows `aten::linear` and `aten::batch_norm`, the
// operators a TorchScript user sees, not what they decompose into. Each
// call becomes a node whose tensor inputs are the values that produced
// those tensors (graph inputs or earlier nodes) and whose other inputs are
// constants; outputs get the complete tensor types of what the call
// returned (reference §8).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Graph.h"

#include <ATen/core/ivalue.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace ember {

class TraceRecorder {
public:
  explicit TraceRecorder(const std::string &name);
  ~TraceRecorder();
  TraceRecorder(const TraceRecorder &) = delete;
  TraceRecorder &operator=(const TraceRecorder &) = delete;

  /// A graph input standing for `value` (a tensor, or tuples and lists of
  /// tensors, unpacked as TorchScript's tracer unpacks them).
  void addInput(const c10::IValue &value, const std::string &name);
  /// Starts recording this thread's operator calls (one recorder per
  /// thread; nested tracing is an error).
  void start();
  void stop();
  /// Sets the graph's outputs from the values the traced code returned.
  void setOutputs(const std::vector<c10::IValue> &outputs);
  /// The finished graph (dead nodes removed).
  std::shared_ptr<Graph> finish();

  /// The value standing for `v` in the graph (recorded tensors by identity,
  /// containers element by element, anything else a constant).
  Value *valueFor(const c10::IValue &v);
  /// Records one operator call (called by the dispatcher hook).
  void record(const c10::FunctionSchema &schema, const std::vector<c10::IValue> &inputs,
              const std::vector<c10::IValue> &outputs);
  /// Warnings collected while recording (a tensor made a constant, ...).
  const std::vector<std::string> &warnings() const { return warnings_; }

private:
  std::shared_ptr<Graph> graph_;
  std::unordered_map<const void *, Value *> tensors_; // TensorImpl -> value
  std::vector<at::Tensor> keepAlive_; // so recorded TensorImpls are not reused
  std::vector<std::string> warnings_;
  bool active_ = false;
};

/// The ember type of a tensor as a trace shows it: dtype, sizes, strides,
/// requires_grad and device (`Float(2, 3, strides=[3, 1], ...)`).
TypePtr tracedTensorType(const at::Tensor &t);

} // namespace ember
