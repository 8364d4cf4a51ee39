//===- engine/Tracer.cpp - record tensor operations into a graph ----------===//
//
// The dispatcher hook: a boxed fallback on a dispatch key that sits above
// Autograd (where composite operators decompose), switched on in the
// thread-local include set only while a recorder is active. The fallback
// runs the operator below itself and then records the call:
//  1. each input becomes the value that produced it — a recorded tensor by
//     its TensorImpl, a list or tuple element by element, anything else a
//     constant (a tensor nobody recorded becomes a tensor constant, with a
//     warning, as TorchScript's tracer does);
//  2. the node's outputs take the complete types of the returned values;
//     a returned tensor list is unpacked so its tensors can be used;
//  3. in-place operators map the written tensor to the new output, so
//     later uses see the result.
//
//===----------------------------------------------------------------------===//
#include "engine/Tracer.h"
#include "engine/TraceKey.h"

#include "ir/Constants.h"
#include "passes/Passes.h"
#include "runtime/OperatorImport.h"

#include <ATen/ATen.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <c10/core/impl/LocalDispatchKeySet.h>
#include <torch/library.h>

namespace ember {
namespace {

thread_local TraceRecorder *activeRecorder = nullptr;

void traceKernel(const c10::OperatorHandle &op, c10::DispatchKeySet keys,
                 std::vector<c10::IValue> *stack) {
  const c10::FunctionSchema &schema = op.schema();
  size_t nargs = schema.arguments().size();
  TraceRecorder *recorder = activeRecorder;
  std::vector<c10::IValue> inputs;
  if (recorder && stack->size() >= nargs)
    inputs.assign(stack->end() - nargs, stack->end());
  {
    c10::impl::ExcludeDispatchKeyGuard guard(kTraceKey);
    op.redispatchBoxed(keys.remove(kTraceKey), stack);
  }
  if (!recorder || stack->size() < schema.returns().size())
    return;
  std::vector<c10::IValue> outputs(stack->end() - schema.returns().size(), stack->end());
  recorder->record(schema, inputs, outputs);
}

TORCH_LIBRARY_IMPL(_, TESTING_ONLY_GenericMode, m) {
  m.fallback(torch::CppFunction::makeFromBoxedFunction<&traceKernel>());
}

} // namespace

TypePtr typeOfValue(const c10::IValue &v) {
  if (v.isTensor() && !v.toTensor().defined())
    return Type::tensor();
  return typeOfIValue(v);
}

TypePtr tracedTensorType(const at::Tensor &t) {
  return t.defined() ? completeTensorType(t) : Type::tensor();
}

TraceRecorder::TraceRecorder(const std::string &name) : graph_(std::make_shared<Graph>()) {
  // Nodes resolve their schemas while recording (a fork's subgraph is
  // cleaned then): the dispatcher's operators must be known first.
  initializeRuntime();
  graph_->setName(name);
  frames_.emplace_back();
  frames_.back().graph = graph_;
}

TraceRecorder::~TraceRecorder() {
  if (active_)
    stop();
}

void TraceRecorder::start() {
  if (activeRecorder)
    throw std::runtime_error("a trace is already being recorded on this thread; tracing cannot "
                             "be nested");
  activeRecorder = this;
  active_ = true;
  c10::impl::tls_set_dispatch_key_included(kTraceKey, true);
}

void TraceRecorder::stop() {
  if (!active_)
    return;
  c10::impl::tls_set_dispatch_key_included(kTraceKey, false);
  activeRecorder = nullptr;
  active_ = false;
}

void TraceRecorder::addInput(const c10::IValue &value, const std::string &name) {
  Value *in = cur().graph->addInput(name);
  in->setType(typeOfValue(value));
  unpack(value, in, /*isInput=*/true);
}

void TraceRecorder::unpack(const c10::IValue &value, Value *in, bool isInput) {
  if (value.isTensor()) {
    if (!value.toTensor().defined())
      return;
    cur().tensors[value.toTensor().unsafeGetTensorImpl()] = in;
    keepAlive_.push_back(value.toTensor());
    return;
  }
  if (value.isGenericDict())
    return unpackDict(value, in, isInput);
  if (!value.isTuple() && !value.isList()) {
    if (!isInput)
      return; // a call's int or string result: not a traced value
    throw std::invalid_argument("trace inputs must be tensors, or tuples, lists and dicts of "
                                "tensors, not " + value.type()->repr_str());
  }
  // Containers are unpacked into their elements, as TorchScript's tracer
  // does, down to the tensors of nested containers.
  std::vector<c10::IValue> elems = value.isTuple() ? value.toTupleRef().elements().vec()
                                                   : value.toList().vec();
  Node *unpack = cur().graph->insert(Symbol::prim(value.isTuple() ? "TupleUnpack" : "ListUnpack"),
                                     {in}, elems.size());
  for (size_t i = 0; i < elems.size(); ++i) {
    unpack->output(i)->setType(typeOfValue(elems[i]));
    this->unpack(elems[i], unpack->output(i), isInput);
  }
}

void TraceRecorder::setLocation(const std::string &file, uint32_t line) {
  auto &shared = files_[file];
  if (!shared)
    shared = std::make_shared<const std::string>(file);
  location_ = SourceLocation{shared, line, 0};
}

void TraceRecorder::locate(Node *before) {
  if (!location_)
    return;
  Node *end = cur().graph->block()->returnNode();
  // None constants and the lists of an operator's list arguments stay
  // without one, as TorchScript's tracer makes them.
  static const Symbol listConstruct = Symbol::prim("ListConstruct");
  for (Node *n = before->next(); n && n != end; n = n->next())
    if (!n->sourceLocation() && n->kind() != listConstruct &&
        !(n->kind() == prim::Constant() && n->output()->type()->kind() == TypeKind::None))
      n->setSourceLocation(location_);
}

void TraceRecorder::record(const c10::FunctionSchema &schema,
                           const std::vector<c10::IValue> &inputs,
                           const std::vector<c10::IValue> &outputs) {
  if (locationLookup_) {
    auto [file, line] = locationLookup_();
    if (!file.empty())
      setLocation(file, line);
  }
  Node *before = cur().graph->block()->returnNode()->prev();
  recordNode(schema, inputs, outputs);
  locate(before);
}

bool TraceRecorder::recordFreshTensor(const c10::FunctionSchema &schema,
                                      const std::vector<c10::IValue> &inputs,
                                      const std::vector<c10::IValue> &outputs) {
  // TorchScript's tracer never records lift_fresh (torch calls it with
  // tracing off): its result is its input.
  if (schema.name() != "aten::lift_fresh" || inputs.size() != 1 || !inputs[0].isTensor() ||
      outputs.size() != 1 || !outputs[0].isTensor())
    return false;
  const at::Tensor &fresh = inputs[0].toTensor();
  Value *v = valueFor(fresh);
  cur().tensors[outputs[0].toTensor().unsafeGetTensorImpl()] = v;
  keepAlive_.push_back(outputs[0].toTensor());
  // torch.tensor(data) and kin: `aten::empty`, filled from Python data
  // below the dispatcher, then `aten::to`. As in TorchScript (which does
  // not trace the empty), the filled tensor becomes a constant that the
  // `to` converts.
  Node *to = v->node();
  Node *empty = to->kind() == Symbol::aten("to") ? to->input(0)->node() : nullptr;
  if (!empty || empty->kind() != Symbol::aten("empty") || empty->output()->uses().size() != 1)
    return true;
  Graph &g = *cur().graph;
  Node *insertPoint = g.insertPoint();
  g.setInsertPoint(to);
  at::Tensor data;
  {
    c10::impl::ExcludeDispatchKeyGuard guard(kTraceKey);
    data = fresh.detach().to(at::kCPU).clone();
  }
  Value *constant = g.insertConstant(c10::IValue(data));
  g.setInsertPoint(insertPoint);
  constant->setType(tracedTensorType(data));
  constant->node()->setSourceLocation(to->sourceLocation());
  to->replaceInput(0, constant); // the empty and its sizes go with dead code
  return true;
}

void TraceRecorder::recordNode(const c10::FunctionSchema &schema,
                               const std::vector<c10::IValue> &inputs,
                               const std::vector<c10::IValue> &outputs) {
  if (recordFreshTensor(schema, inputs, outputs))
    return;
  // A size tensor the call takes as a tensor is not where its ints came
  // from (`n + 1` passes `n` as self; its alpha 1 is no size).
  callTensors_.clear();
  for (const auto &in : inputs)
    if (in.isTensor() && in.toTensor().defined())
      callTensors_.insert(in.toTensor().unsafeGetTensorImpl());
  std::vector<Value *> values;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto &args = schema.arguments();
    bool scalar = i < args.size() && (args[i].type()->kind() == c10::TypeKind::NumberType ||
                                      args[i].type()->str() == "Scalar?");
    values.push_back(inputValue(inputs[i], scalar));
  }
  // TorchScript's tracer records `detach_` as `detach` (TraceTypeManual).
  Symbol kind = Symbol::fromQualString(schema.name() == "aten::detach_" ? "aten::detach" : schema.name());
  Node *n = cur().graph->insert(kind, values, outputs.size());
  for (size_t i = 0; i < outputs.size(); ++i) {
    const c10::IValue &out = outputs[i];
    Value *o = n->output(i);
    o->setType(typeOfValue(out));
    if (out.isTensor() && out.toTensor().defined()) {
      cur().tensors[out.toTensor().unsafeGetTensorImpl()] = o;
      keepAlive_.push_back(out.toTensor());
    } else if (out.isTensorList()) {
      auto list = out.toTensorList();
      Node *unpack = cur().graph->insert(Symbol::prim("ListUnpack"), {o}, list.size());
      for (size_t k = 0; k < list.size(); ++k) {
        at::Tensor t = list.get(k);
        unpack->output(k)->setType(tracedTensorType(t));
        cur().tensors[t.unsafeGetTensorImpl()] = unpack->output(k);
        keepAlive_.push_back(t);
      }
    }
  }
}

/// True if every value of `b` has a type the trace's program knows
/// without the callee's (no script classes or named tuples).
static bool usesOnlyBuiltinTypes(const Block *b) {
  std::function<bool(const TypePtr &)> builtin = [&](const TypePtr &t) {
    if (t->kind() == TypeKind::Class || t->kind() == TypeKind::Enum ||
        t->isNamedTupleClass())
      return false;
    for (const auto &c : t->contained())
      if (!builtin(c))
        return false;
    return true;
  };
  for (const Value *in : b->inputs())
    if (!builtin(in->type()))
      return false;
  for (const Node *n : b->nodes()) {
    if (n->kind().qualString() == "prim::PythonOp")
      return false;
    for (const Value *o : n->outputs())
      if (!builtin(o->type()))
        return false;
    for (const Block *inner : n->blocks())
      if (!usesOnlyBuiltinTypes(inner))
        return false;
  }
  return true;
}

bool TraceRecorder::canRecordWhole(const Graph &callee) {
  return callee.outputs().size() == 1 && usesOnlyBuiltinTypes(callee.block());
}

void TraceRecorder::recordScriptCall(const Graph &callee, const std::vector<c10::IValue> &inputs,
                                     const c10::IValue &output) {
  if (callee.inputs().size() != inputs.size())
    throw std::invalid_argument("a scripted call records as many inputs as its graph takes");
  std::vector<Value *> args;
  for (const auto &in : inputs)
    args.push_back(valueFor(in));
  Graph &g = *cur().graph;
  std::vector<Value *> results = insertGraph(g, callee, args);
  unpack(output, results[0], /*isInput=*/false);
}

void TraceRecorder::setOutputs(const std::vector<c10::IValue> &outputs) {
  for (const auto &o : outputs)
    cur().graph->registerOutput(valueFor(o));
}

std::shared_ptr<Graph> TraceRecorder::finish() {
  stop();
  PassContext ctx{nullptr, nullptr};
  pruneCallResults(frames_.front());
  findPass("dce")->create()->run(*graph_, ctx);
  // torch.jit.trace normalizes operator aliases in the top graph only;
  // submodule methods keep `aten::absolute` as recorded.
  findPass("normalize-ops")->create()->run(*graph_, ctx);
  return graph_;
}

} // namespace ember
