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

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
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

  /// Tensors reachable as attributes of a module (its parameters and
  /// buffers, its submodules' too), each with its path of attribute names.
  using AttributePaths = std::vector<std::pair<at::Tensor, std::vector<std::string>>>;
  /// Makes the graph a method: a first input `self` of `classType`, whose
  /// attribute tensors are read with prim::GetAttr where the trace uses
  /// them. Call before addInput.
  void setSelf(const TypePtr &classType, const AttributePaths &attributes);
  /// How the recorder learns the type of a module's attribute (a
  /// submodule's class) for prim::GetAttr chains.
  /// How a recorded value gets its name: TorchScript's tracer names a
  /// value, when an operator first uses it, after the local variable of
  /// the calling Python frame that holds it (empty: none does).
  /// Where the Python code running an operator is (file, line), asked at
  /// each recorded operator: not every operator reaches a torch function
  /// mode (`t[0]` does not), so the location is taken when it records.
  void setLocationLookup(std::function<std::pair<std::string, uint32_t>()> fn) {
    locationLookup_ = std::move(fn);
  }
  void setNameLookup(std::function<std::string(const at::Tensor &)> fn) {
    nameLookup_ = std::move(fn);
  }
  void setAttributeTypes(std::function<TypePtr(const TypePtr &owner, const std::string &name)> fn) {
    attributeType_ = std::move(fn);
  }
  /// A call of a submodule's forward, reached from the current module by
  /// `path`, begins: its operators go into a graph of its own (self typed
  /// `classType`), and the caller's graph gets prim::CallMethod.
  void enterModule(const std::vector<std::string> &path, const TypePtr &classType,
                   const std::vector<c10::IValue> &inputs, const AttributePaths &attributes);
  /// A submodule scripted into the trace's program, reached by `path`, was
  /// called with `inputs` (recording paused) and returned `output`: the
  /// graph calls its compiled forward, control flow and all.
  void recordMethodCall(const std::vector<std::string> &path, const TypePtr &classType,
                        const std::vector<c10::IValue> &inputs, const c10::IValue &output,
                        const TypePtr &returnType);
  /// The submodule's call returned `output`: returns its finished graph.
  /// The caller calls it as `method` of class `className` (a submodule
  /// called again gets a method per call, `forward1` and on, as in
  /// TorchScript's traces). The graph is final once the trace is
  /// (tracedMethods): what it returns depends on what the caller uses.
  void exitModule(const c10::IValue &output, const std::string &className,
                  const std::string &method);
  /// `torch.jit.fork(fn, *inputs)` while tracing: fn's operators go into
  /// the subgraph of a prim::fork node, taking `inputs` and whatever
  /// recorded values of the caller it reads, as TorchScript's traces show
  /// forks (its work runs asynchronously when the trace runs).
  void enterFork(const std::vector<c10::IValue> &inputs);
  /// fn returned `output`: the caller's graph gets the prim::fork node.
  /// Returns the future's number for recordWait.
  size_t exitFork(const c10::IValue &output);
  /// `torch.jit.wait` of future `future` gave `result`: aten::wait.
  void recordWait(size_t future, const c10::IValue &result);
  struct TracedMethod {
    std::string className, method;
    std::shared_ptr<Graph> graph;
  };
  /// The submodules' methods, in the order their calls returned; final
  /// after finish().
  const std::vector<TracedMethod> &tracedMethods() const { return methods_; }
  bool hasTracedMethod(const std::string &className, const std::string &method) const;

  /// The value standing for `v` in the graph (recorded tensors by identity,
  /// containers element by element, anything else a constant).
  Value *valueFor(const c10::IValue &v);
  /// Makes `t` a constant wherever the trace uses it, though it shares a
  /// recorded tensor's storage: `x.data` (a detached alias of `x`), as
  /// TorchScript's traces record it.
  void addConstant(const at::Tensor &t) {
    detached_.insert(t.unsafeGetTensorImpl());
    keepAlive_.push_back(t);
  }
  /// Records one operator call (called by the dispatcher hook).
  void record(const c10::FunctionSchema &schema, const std::vector<c10::IValue> &inputs,
              const std::vector<c10::IValue> &outputs);
  /// `t.size(dim)` while tracing, as TorchScript's tracer records it: an
  /// `aten::size` node and `prim::NumToTensor`, and a 0-dim Long tensor
  /// standing for the size, so arithmetic on it is recorded too and the
  /// trace stays valid for other sizes.
  at::Tensor sizeOf(const at::Tensor &t, int64_t dim);
  /// `t.numel()` while tracing: `aten::numel`, as sizeOf.
  at::Tensor numelOf(const at::Tensor &t);
  /// `t.contiguous()` of a tensor that already is: no operator runs, yet
  /// TorchScript's tracer records `aten::contiguous` (python_variable_methods),
  /// and later uses of `t` read its result.
  void recordContiguous(const at::Tensor &t, int64_t memoryFormat);
  /// The ints (and tensors standing for ints) a Python call passes, in
  /// order, before the operators it calls are recorded: an int argument
  /// that came from a recorded size tensor becomes `aten::Int` of it
  /// rather than a constant. An empty list clears them.
  void expectInts(std::vector<c10::IValue> ints) {
    pendingInts_ = std::move(ints);
    pendingCursor_ = 0;
  }
  /// A scripted function was called with `inputs` and returned `output`
  /// (run with recording paused): its graph, calls inlined, goes into the
  /// trace whole, so its control flow is kept, as TorchScript's tracer
  /// keeps the calls of scripted code. Only for graphs canRecordWhole takes.
  void recordScriptCall(const Graph &callee, const std::vector<c10::IValue> &inputs,
                        const c10::IValue &output);
  /// False when the graph names types of its own program (script classes)
  /// or calls Python: its operators are recorded one by one instead.
  static bool canRecordWhole(const Graph &callee);
  /// Where the Python code making the next calls is: nodes recorded from
  /// now on carry it (`# file:line:0`, as in TorchScript's traces).
  void setLocation(const std::string &file, uint32_t line);
  /// Warnings collected while recording (a tensor made a constant, ...).
  const std::vector<std::string> &warnings() const { return warnings_; }
  /// Adds a warning in recording order (Python's own, a tensor read as a
  /// Python value).
  void warn(std::string text) { warnings_.push_back(std::move(text)); }

private:
  /// One graph being recorded: the top-level function or method, or the
  /// forward of a submodule being called.
  struct Frame {
    std::shared_ptr<Graph> graph;
    std::unordered_map<const void *, Value *> tensors; // TensorImpl -> value
    Value *self = nullptr;
    std::unordered_map<const void *, std::vector<std::string>> attributes;
    // For a submodule's frame: where the caller's CallMethod goes.
    Value *moduleInCaller = nullptr;
    std::vector<Value *> inputsInCaller;
    std::unordered_map<std::string, Value *> attributeReads; // `.a.b` -> GetAttr chain's end
    std::vector<std::pair<Node *, Graph *>> calls; // traced submodule calls, with the callee
    std::vector<const Value *> referenced; // the graph's inputs, in the order the trace first used them
    bool fork = false; // a forked function's subgraph: reads of the caller's values are lifted
    // A submodule's path from the traced module (`l.0`), and the scope its
    // recorded ops print: each enclosing call's `__module.<path>`, joined
    // by `/` (`__module.l/__module.l.0`), as TorchScript's tracer nests them.
    std::string modulePath, scope;
  };
  /// Gives the ops a submodule's frame recorded its scope, as TorchScript's
  /// tracer scopes them (not the attribute reads and calls of its own
  /// submodules, nor what takes their results apart).
  static void scopeRecordedOps(Block &b, const std::string &scope);
  /// The value of `t` in the current fork frame, lifted from its caller.
  Value *liftIntoFork(const c10::IValue &t);
  /// True if a frame enclosing the current one has a value for `t` (a
  /// tensor it recorded or a parameter it reads).
  bool knownToCaller(const at::Tensor &t) const;
  std::vector<Value *> futures_; // prim::fork outputs, by exitFork's number
  void pruneCallResults(Frame &f);
  void takeInputsInFirstUseOrder(Frame &f);
  using CallUse = std::pair<std::pair<size_t, size_t>, size_t>; // ((position, offset), output)
  void replaceCallResult(Node *call, Node *unpack, Node *construct, Graph &callee,
                         const std::vector<CallUse> &used);
  std::vector<TracedMethod> methods_;
  /// Names a recorded value after the Python local holding it (see
  /// TraceModules.cpp): the caller's value too when it is a submodule's input.
  void nameRecorded(Value *v, const std::string &name);
  Value *namedOnFirstUse(Value *recorded, const at::Tensor &t);
  void noteLifted(Value *outer, Value *inner);
  std::unordered_map<const Value *, Value *> liftedFrom_; // a submodule's result -> its value there
  /// The value for an int argument: aten::Int (aten::ScalarImplicit for a
  /// Scalar) of the size tensor the Python call passed there, or a constant.
  Value *intValue(int64_t v, bool scalar);
  /// `scalar`: the operator takes a Scalar there.
  Value *inputValue(const c10::IValue &in, bool scalar = false);
  /// True if `t` is a value of the current graph (recorded, a parameter,
  /// or a factory's shallow copy of a recorded result).
  bool isRecorded(const at::Tensor &t);
  at::Tensor recordShapeRead(const at::Tensor &t, std::optional<int64_t> dim);
  /// The lift_fresh that ends torch.tensor(data): its data becomes a constant.
  bool recordFreshTensor(const c10::FunctionSchema &schema, const std::vector<c10::IValue> &inputs,
                         const std::vector<c10::IValue> &outputs);
  Value *shallowCopyOf(const at::Tensor &t);
  /// Maps the tensors inside `value` (recorded as `in`: an input, or a
  /// call's result) to values, unpacking containers down to them. Inputs
  /// hold only tensors and containers (anything else is refused); in a
  /// result, anything else is no traced value.
  void unpack(const c10::IValue &value, Value *in, bool isInput);
  void unpackDict(const c10::IValue &value, Value *in, bool isInput);
  Value *dictValue(const c10::IValue &v);
  void recordNode(const c10::FunctionSchema &schema, const std::vector<c10::IValue> &inputs,
                  const std::vector<c10::IValue> &outputs);
  std::function<TypePtr(const TypePtr &, const std::string &)> attributeType_;
  std::function<std::string(const at::Tensor &)> nameLookup_;
  std::function<std::pair<std::string, uint32_t>()> locationLookup_;
  Value *readAttribute(Frame &f, const std::vector<std::string> &path, const TypePtr &type);
  std::vector<Frame> frames_;
  std::shared_ptr<Graph> graph_; // the top frame's graph
  Frame &cur() { return frames_.back(); }
  std::vector<at::Tensor> keepAlive_; // so recorded TensorImpls are not reused
  std::vector<std::string> warnings_;
  std::unordered_set<const c10::TensorImpl *> detached_; // addConstant's tensors
  /// Sets the current location on the nodes after `before` that have none.
  void locate(Node *before);
  std::optional<SourceLocation> location_;
  std::unordered_map<std::string, std::shared_ptr<const std::string>> files_;
  std::vector<c10::IValue> pendingInts_;
  size_t pendingCursor_ = 0;
  std::unordered_set<const void *> callTensors_; // tensors the recorded call takes
  bool active_ = false;
};

/// The ember type of a tensor as a trace shows it: dtype, sizes, strides,
/// requires_grad and device (`Float(2, 3, strides=[3, 1], ...)`).
TypePtr tracedTensorType(const at::Tensor &t);
/// A recorded value's type: complete for tensors, from the value itself
/// otherwise (ir/Constants.h).
TypePtr typeOfValue(const c10::IValue &v);

} // namespace ember
