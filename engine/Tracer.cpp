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

#include "ir/Constants.h"
#include "ir/TypeParser.h"
#include "passes/Passes.h"

#include <ATen/ATen.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <c10/core/impl/LocalDispatchKeySet.h>
#include <torch/library.h>

namespace ember {
namespace {

// A key above Autograd and the composite decompositions, reserved by c10
// for out-of-tree modes; ember uses it for nothing else.
constexpr c10::DispatchKey kTraceKey = c10::DispatchKey::TESTING_ONLY_GenericMode;

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

/// A recorded value's type: complete for tensors, from the value itself
/// otherwise (ir/Constants.h).
TypePtr typeOfValue(const c10::IValue &v) {
  if (v.isTensor() && !v.toTensor().defined())
    return Type::tensor();
  return typeOfIValue(v);
}

} // namespace

TypePtr tracedTensorType(const at::Tensor &t) {
  return t.defined() ? completeTensorType(t) : Type::tensor();
}

TraceRecorder::TraceRecorder(const std::string &name) : graph_(std::make_shared<Graph>()) {
  graph_->setName(name);
  frames_.push_back(Frame{graph_});
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
  if (value.isTensor()) {
    cur().tensors[value.toTensor().unsafeGetTensorImpl()] = in;
    keepAlive_.push_back(value.toTensor());
    return;
  }
  if (value.isGenericDict()) {
    addDictInput(value, in);
    return;
  }
  if (!value.isTuple() && !value.isList())
    throw std::invalid_argument("trace inputs must be tensors, or tuples, lists and dicts of "
                                "tensors, not " + value.type()->repr_str());
  // Containers are unpacked into their elements, as TorchScript's tracer does.
  std::vector<c10::IValue> elems = value.isTuple() ? value.toTupleRef().elements().vec()
                                                   : value.toList().vec();
  Node *unpack = cur().graph->insert(Symbol::prim(value.isTuple() ? "TupleUnpack" : "ListUnpack"), {in},
                                elems.size());
  for (size_t i = 0; i < elems.size(); ++i) {
    if (!elems[i].isTensor())
      throw std::invalid_argument("trace inputs must be tensors or tuples and lists of tensors");
    unpack->output(i)->setType(typeOfValue(elems[i]));
    cur().tensors[elems[i].toTensor().unsafeGetTensorImpl()] = unpack->output(i);
    keepAlive_.push_back(elems[i].toTensor());
  }
}

Value *TraceRecorder::shallowCopyOf(const at::Tensor &t) {
  // Factory functions wrap what the operator returned in a new TensorImpl
  // (make_variable shares the storage when the result is not uniquely
  // owned, and the recorder owns it too): the same storage, offset, sizes,
  // strides and dtype are the same value.
  if (t.unsafeGetTensorImpl()->is_wrapped_number() || !t.has_storage())
    return nullptr;
  for (auto k = keepAlive_.rbegin(); k != keepAlive_.rend(); ++k) {
    if (!k->has_storage() || !k->storage().is_alias_of(t.storage()) ||
        k->storage_offset() != t.storage_offset() || k->sizes() != t.sizes() ||
        k->strides() != t.strides() || k->scalar_type() != t.scalar_type())
      continue;
    auto it = cur().tensors.find(k->unsafeGetTensorImpl());
    if (it != cur().tensors.end())
      return it->second;
  }
  return nullptr;
}

void TraceRecorder::addDictInput(const c10::IValue &value, Value *in) {
  // Each entry is read with aten::__getitem__ on its constant key, as
  // TorchScript's tracer reads dict inputs.
  Graph &g = *cur().graph;
  TypePtr keyType;
  for (const auto &entry : value.toGenericDict()) {
    if (!entry.value().isTensor() || !(entry.key().isString() || entry.key().isInt()))
      throw std::invalid_argument("a dict traced as an input must map strings or ints to tensors");
    Value *key = g.insertConstant(entry.key());
    keyType = key->type();
    Value *item = g.insert(Symbol::aten("__getitem__"), {in, key}, 1)->output();
    item->setType(Type::tensor());
    cur().tensors[entry.value().toTensor().unsafeGetTensorImpl()] = item;
    keepAlive_.push_back(entry.value().toTensor());
  }
  in->setType(Type::dict(keyType ? keyType : Type::get(TypeKind::Str), Type::tensor()));
}

Value *TraceRecorder::valueFor(const c10::IValue &v) {
  if (v.isTensor()) {
    const at::Tensor &t = v.toTensor();
    if (!t.defined())
      return cur().graph->insertNoneConstant();
    auto it = cur().tensors.find(t.unsafeGetTensorImpl());
    if (it != cur().tensors.end())
      return it->second;
    if (Value *same = shallowCopyOf(t))
      return same;
    // A parameter or buffer of the module being traced: read it from self.
    auto attr = cur().attributes.find(t.unsafeGetTensorImpl());
    if (attr != cur().attributes.end()) {
      Value *read = readAttribute(cur(), attr->second, Type::tensor());
      cur().tensors[t.unsafeGetTensorImpl()] = read;
      keepAlive_.push_back(t);
      return read;
    }
    // A tensor the trace did not compute: its value is baked in.
    Value *c = cur().graph->insertConstant(v, tracedTensorType(t));
    if (!c)
      throw std::runtime_error("cannot trace: a tensor that requires grad is used but is neither an "
                               "input nor computed from one; pass it as an input");
    // Python numbers passed to tensor operators (`x * 2`) arrive as
    // wrapped-number tensors: constants by nature, as TorchScript records
    // them, with nothing to warn about.
    if (!t.unsafeGetTensorImpl()->is_wrapped_number())
      warnings_.push_back("a tensor that is not an input and not computed from one was recorded "
                          "as a constant; the trace will not follow changes to it");
    cur().tensors[t.unsafeGetTensorImpl()] = c;
    keepAlive_.push_back(t);
    return c;
  }
  if (v.isTuple() || v.isList()) {
    std::vector<c10::IValue> elems = v.isTuple() ? v.toTupleRef().elements().vec() : v.toList().vec();
    std::vector<Value *> values;
    std::vector<TypePtr> types;
    for (const auto &e : elems) {
      values.push_back(valueFor(e));
      types.push_back(values.back()->type());
    }
    if (v.isTuple()) {
      Value *t = cur().graph->insert(Symbol::prim("TupleConstruct"), values, 1)->output();
      t->setType(Type::tuple(types));
      return t;
    }
    TypePtr elem = parseTypeString(v.toList().elementType()->str(), TypeSyntax::Graph);
    Value *l = cur().graph->insert(Symbol::prim("ListConstruct"), values, 1)->output();
    l->setType(Type::list(elem));
    return l;
  }
  if (v.isGenericDict())
    return dictValue(v);
  Value *c = cur().graph->insertConstant(v);
  if (!c)
    throw std::runtime_error("cannot trace a value of type " + v.type()->repr_str());
  return c;
}

Value *TraceRecorder::dictValue(const c10::IValue &v) {
  std::vector<Value *> items;
  TypePtr keyType = Type::get(TypeKind::Str), valueType = Type::tensor();
  for (const auto &entry : v.toGenericDict()) {
    items.push_back(valueFor(entry.key()));
    items.push_back(valueFor(entry.value()));
    keyType = items[items.size() - 2]->type();
    if (!entry.value().isTensor())
      valueType = items.back()->type();
  }
  Value *d = cur().graph->insert(Symbol::prim("DictConstruct"), items, 1)->output();
  d->setType(Type::dict(keyType, valueType));
  return d;
}

at::Tensor TraceRecorder::sizeOf(const at::Tensor &t, int64_t dim) {
  const void *impl = t.unsafeGetTensorImpl();
  if (!cur().tensors.count(impl) && !cur().attributes.count(impl))
    return at::Tensor(); // not part of the trace: its size is a plain int
  Graph &g = *cur().graph;
  Node *before = g.block()->returnNode()->prev();
  Value *self = valueFor(t);
  Node *size = g.insert(Symbol::aten("size"), {self, g.insertConstant(dim)}, 1);
  size->output()->setType(Type::get(TypeKind::Int));
  at::Tensor standIn;
  {
    c10::impl::ExcludeDispatchKeyGuard guard(kTraceKey);
    standIn = at::scalar_tensor(t.size(dim), at::TensorOptions().dtype(at::kLong));
  }
  Node *toTensor = g.insert(Symbol::prim("NumToTensor"), {size->output()}, 1);
  toTensor->output()->setType(tracedTensorType(standIn));
  cur().tensors[standIn.unsafeGetTensorImpl()] = toTensor->output();
  keepAlive_.push_back(standIn);
  locate(before);
  return standIn;
}

Value *TraceRecorder::intValue(int64_t v) {
  // The next Python int equal to `v` is where this argument came from.
  for (size_t i = pendingCursor_; i < pendingInts_.size(); ++i) {
    const c10::IValue &p = pendingInts_[i];
    bool isTensor = p.isTensor() && p.toTensor().defined() && p.toTensor().dim() == 0;
    int64_t pv = v + 1;
    if (isTensor) {
      c10::impl::ExcludeDispatchKeyGuard guard(kTraceKey);
      pv = p.toTensor().item<int64_t>();
    } else if (p.isInt()) {
      pv = p.toInt();
    }
    if (pv != v)
      continue;
    pendingCursor_ = i + 1;
    auto it = isTensor ? cur().tensors.find(p.toTensor().unsafeGetTensorImpl()) : cur().tensors.end();
    if (it == cur().tensors.end())
      break;
    Node *toInt = cur().graph->insert(Symbol::aten("Int"), {it->second}, 1);
    toInt->output()->setType(Type::get(TypeKind::Int));
    return toInt->output();
  }
  return cur().graph->insertConstant(v);
}

Value *TraceRecorder::inputValue(const c10::IValue &in) {
  if (pendingInts_.empty())
    return valueFor(in);
  if (in.isInt())
    return intValue(in.toInt());
  if (!in.isIntList())
    return valueFor(in);
  std::vector<Value *> elems;
  for (int64_t v : in.toIntList())
    elems.push_back(intValue(v));
  Value *l = cur().graph->insert(Symbol::prim("ListConstruct"), elems, 1)->output();
  l->setType(Type::list(Type::get(TypeKind::Int)));
  return l;
}

void TraceRecorder::warnOnPythonValue(const c10::FunctionSchema &schema,
                                      const std::vector<c10::IValue> &inputs) {
  // TorchScript's warnings when Python takes a value out of a traced
  // tensor (reference §8.2); sizes passed on as ints are recorded instead.
  const std::string &name = schema.name();
  bool toBool = name == "aten::is_nonzero";
  if ((!toBool && name != "aten::item" && name != "aten::_local_scalar_dense") ||
      !pendingInts_.empty() || inputs.empty() || !inputs[0].isTensor())
    return;
  const at::Tensor &t = inputs[0].toTensor();
  if (!cur().tensors.count(t.unsafeGetTensorImpl()) && !shallowCopyOf(t))
    return;
  warnings_.push_back(std::string("Converting a tensor to a Python ") +
                      (toBool ? "boolean" : "number") +
                      " might cause the trace to be incorrect. We can't record the data flow of "
                      "Python values, so this value will be treated as a constant in the future. "
                      "This means that the trace might not generalize to other inputs!");
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
  for (Node *n = before->next(); n && n != end; n = n->next())
    if (!n->sourceLocation())
      n->setSourceLocation(location_);
}

void TraceRecorder::record(const c10::FunctionSchema &schema,
                           const std::vector<c10::IValue> &inputs,
                           const std::vector<c10::IValue> &outputs) {
  Node *before = cur().graph->block()->returnNode()->prev();
  recordNode(schema, inputs, outputs);
  locate(before);
}

void TraceRecorder::recordNode(const c10::FunctionSchema &schema,
                               const std::vector<c10::IValue> &inputs,
                               const std::vector<c10::IValue> &outputs) {
  warnOnPythonValue(schema, inputs);
  std::vector<Value *> values;
  for (const auto &in : inputs)
    values.push_back(inputValue(in));
  Node *n = cur().graph->insert(Symbol::fromQualString(schema.name()), values, outputs.size());
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
    if (t->kind() == TypeKind::Class || t->kind() == TypeKind::Enum || t->isNamedTuple())
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
  bindResult(output, results[0]);
}

Value *TraceRecorder::readAttribute(Frame &f, const std::vector<std::string> &path,
                                    const TypePtr &type) {
  Value *v = f.self;
  for (size_t i = 0; i < path.size(); ++i) {
    Node *get = f.graph->insert(Symbol::prim("GetAttr"), {v}, 1);
    get->s_(attr::name(), path[i]);
    const TypePtr &owner = v->type();
    TypePtr t = i + 1 == path.size() ? type : nullptr;
    if (!t) {
      // An intermediate module: its class is the attribute's declared type.
      t = attributeType_ ? attributeType_(owner, path[i]) : nullptr;
    }
    get->output()->setType(t ? t : Type::tensor());
    get->output()->setDebugName(path[i]);
    v = get->output();
  }
  return v;
}

void TraceRecorder::setSelf(const TypePtr &classType, const AttributePaths &attributes) {
  Frame &f = cur();
  f.self = f.graph->addInput("self");
  f.self->setType(classType);
  for (const auto &[t, path] : attributes)
    f.attributes[t.unsafeGetTensorImpl()] = path;
}

void TraceRecorder::enterModule(const std::vector<std::string> &path, const TypePtr &classType,
                                const std::vector<c10::IValue> &inputs,
                                const AttributePaths &attributes) {
  Value *module = readAttribute(cur(), path, classType);
  std::vector<Value *> callerInputs;
  for (const auto &in : inputs)
    callerInputs.push_back(valueFor(in));
  frames_.push_back(Frame{std::make_shared<Graph>()});
  Frame &f = cur();
  f.moduleInCaller = module;
  f.inputsInCaller = callerInputs;
  setSelf(classType, attributes);
  for (size_t i = 0; i < inputs.size(); ++i)
    addInput(inputs[i], "input" + (i ? std::to_string(i) : std::string()));
}

void TraceRecorder::recordMethodCall(const std::vector<std::string> &path,
                                     const TypePtr &classType,
                                     const std::vector<c10::IValue> &inputs,
                                     const c10::IValue &output, const TypePtr &returnType) {
  Node *before = cur().graph->block()->returnNode()->prev();
  std::vector<Value *> args{readAttribute(cur(), path, classType)};
  for (const auto &in : inputs)
    args.push_back(valueFor(in));
  Node *call = cur().graph->insert(Symbol::prim("CallMethod"), args, 1);
  call->s_(attr::name(), "forward");
  call->output()->setType(returnType);
  bindResult(output, call->output());
  locate(before);
}

std::shared_ptr<Graph> TraceRecorder::exitModule(const c10::IValue &output) {
  if (frames_.size() < 2)
    throw std::logic_error("exitModule without enterModule");
  cur().graph->registerOutput(valueFor(output));
  Frame done = std::move(frames_.back());
  frames_.pop_back();
  PassContext ctx{nullptr, nullptr};
  findPass("dce")->create()->run(*done.graph, ctx);
  std::vector<Value *> args{done.moduleInCaller};
  args.insert(args.end(), done.inputsInCaller.begin(), done.inputsInCaller.end());
  Node *call = cur().graph->insert(Symbol::prim("CallMethod"), args, 1);
  call->s_(attr::name(), "forward");
  call->output()->setType(done.graph->outputs()[0]->type());
  bindResult(output, call->output());
  return done.graph;
}

void TraceRecorder::bindResult(const c10::IValue &output, Value *v) {
  if (output.isTensor() && output.toTensor().defined()) {
    cur().tensors[output.toTensor().unsafeGetTensorImpl()] = v;
    keepAlive_.push_back(output.toTensor());
    return;
  }
  if (!output.isTuple() && !output.isList())
    return;
  std::vector<c10::IValue> elems =
      output.isTuple() ? output.toTupleRef().elements().vec() : output.toList().vec();
  Node *unpack = cur().graph->insert(Symbol::prim(output.isTuple() ? "TupleUnpack" : "ListUnpack"),
                                     {v}, elems.size());
  for (size_t i = 0; i < elems.size(); ++i) {
    unpack->output(i)->setType(typeOfValue(elems[i]));
    bindResult(elems[i], unpack->output(i));
  }
}

void TraceRecorder::setOutputs(const std::vector<c10::IValue> &outputs) {
  for (const auto &o : outputs)
    cur().graph->registerOutput(valueFor(o));
}

std::shared_ptr<Graph> TraceRecorder::finish() {
  stop();
  PassContext ctx{nullptr, nullptr};
  findPass("dce")->create()->run(*graph_, ctx);
  return graph_;
}

} // namespace ember
