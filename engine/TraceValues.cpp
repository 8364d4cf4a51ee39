//===- engine/TraceValues.cpp - what traced values are in the graph -------===//
//
// How the values a traced call passes become graph values (reference §8.1):
// recorded tensors by their TensorImpl (or the storage of a shallow copy),
// parameters as prim::GetAttr chains, containers element by element, dicts
// as prim::DictConstruct, sizes read in Python as aten::size nodes whose
// ints reach later calls as aten::Int, and anything else as a constant.
//
//===----------------------------------------------------------------------===//
#include "engine/TraceKey.h"
#include "engine/Tracer.h"

#include "ir/Constants.h"
#include "ir/TypeParser.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace ember {

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

void TraceRecorder::unpackDict(const c10::IValue &value, Value *in, bool isInput) {
  // Each entry is read with aten::__getitem__ on its constant key, as
  // TorchScript's tracer reads dict inputs and the dicts scripted calls return.
  Graph &g = *cur().graph;
  TypePtr keyType, valueType;
  for (const auto &entry : value.toGenericDict()) {
    if (!(entry.key().isString() || entry.key().isInt())) {
      if (!isInput)
        continue; // no constant key to read it with: not a traced value
      throw std::invalid_argument("a dict traced as an input must have string or int keys");
    }
    Value *key = g.insertConstant(entry.key());
    keyType = key->type();
    Value *item = g.insert(Symbol::aten("__getitem__"), {in, key}, 1)->output();
    // Tensors are read as Tensor; nested containers keep their types.
    item->setType(entry.value().isTensor() ? Type::tensor() : typeOfValue(entry.value()));
    unpack(entry.value(), item, isInput);
    valueType = item->type();
  }
  if (isInput) // a call's result has its callee's type
    in->setType(Type::dict(keyType ? keyType : Type::get(TypeKind::Str),
                           valueType ? valueType : Type::tensor()));
}

/// A recorded value takes the name of the Python local holding it when
/// first used, as TorchScript's tracer names it.
Value *TraceRecorder::namedOnFirstUse(Value *recorded, const at::Tensor &t) {
  Frame &f = cur();
  if (recorded->node() == f.graph->block()->paramNode() &&
      std::find(f.referenced.begin(), f.referenced.end(), recorded) == f.referenced.end())
    f.referenced.push_back(recorded);
  if (!recorded->hasDebugName() && nameLookup_) {
    std::string name = nameLookup_(t);
    if (!name.empty())
      nameRecorded(recorded, name);
  }
  return recorded;
}

Value *TraceRecorder::valueFor(const c10::IValue &v) {
  if (v.isTensor()) {
    const at::Tensor &t = v.toTensor();
    if (!t.defined())
      return cur().graph->insertNoneConstant();
    auto it = cur().tensors.find(t.unsafeGetTensorImpl());
    if (it != cur().tensors.end())
      return namedOnFirstUse(it->second, t);
    if (cur().fork && knownToCaller(t))
      return liftIntoFork(v);
    // A parameter or buffer of the module being traced: read it from self
    // (before looking for a shallow copy: an input may be a view of it).
    auto attr = cur().attributes.find(t.unsafeGetTensorImpl());
    if (attr != cur().attributes.end()) {
      Value *read = readAttribute(cur(), attr->second, Type::tensor());
      cur().tensors[t.unsafeGetTensorImpl()] = read;
      keepAlive_.push_back(t);
      return read;
    }
    Value *same = detached_.count(t.unsafeGetTensorImpl()) ? nullptr : shallowCopyOf(t);
    if (same)
      return namedOnFirstUse(same, t);
    // A tensor the trace did not compute: its value is baked in.
    Value *c = cur().graph->insertConstant(v, tracedTensorType(t));
    if (!c)
      throw std::runtime_error("Cannot insert a Tensor that requires grad as a constant. Consider "
                               "making it a parameter or input, or detaching the gradient");
    // As TorchScript's tracer: no warning (a captured tensor is a constant
    // of the traced code by design).
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
  return recordShapeRead(t, dim);
}

at::Tensor TraceRecorder::numelOf(const at::Tensor &t) {
  return recordShapeRead(t, std::nullopt);
}

bool TraceRecorder::isRecorded(const at::Tensor &t) {
  const void *impl = t.unsafeGetTensorImpl();
  return cur().tensors.count(impl) || cur().attributes.count(impl) || shallowCopyOf(t);
}

at::Tensor TraceRecorder::recordShapeRead(const at::Tensor &t, std::optional<int64_t> dim) {
  if (!isRecorded(t))
    return at::Tensor(); // not part of the trace: a plain int
  Graph &g = *cur().graph;
  Node *before = g.block()->returnNode()->prev();
  Value *self = valueFor(t);
  Node *read = dim ? g.insert(Symbol::aten("size"), {self, g.insertConstant(*dim)}, 1)
                   : g.insert(Symbol::aten("numel"), {self}, 1);
  read->output()->setType(Type::get(TypeKind::Int));
  at::Tensor standIn;
  {
    c10::impl::ExcludeDispatchKeyGuard guard(kTraceKey);
    standIn = at::scalar_tensor(dim ? t.size(*dim) : t.numel(), at::TensorOptions().dtype(at::kLong));
  }
  locate(before);
  // As TorchScript's createNumToTensor: no source location, and the type
  // of an int as a tensor (`Long(device=cpu)`, requires_grad unknown).
  Node *toTensor = g.insert(Symbol::prim("NumToTensor"), {read->output()}, 1);
  TensorInfo info = tracedTensorType(standIn)->tensorInfo();
  info.requiresGrad.reset();
  toTensor->output()->setType(Type::tensor(info));
  cur().tensors[standIn.unsafeGetTensorImpl()] = toTensor->output();
  keepAlive_.push_back(standIn);
  return standIn;
}

void TraceRecorder::recordContiguous(const at::Tensor &t, int64_t memoryFormat) {
  if (!isRecorded(t))
    return;
  Graph &g = *cur().graph;
  Node *before = g.block()->returnNode()->prev();
  Value *self = valueFor(t);
  Node *n = g.insert(Symbol::aten("contiguous"), {self, g.insertConstant(memoryFormat)}, 1);
  n->output()->setType(tracedTensorType(t));
  cur().tensors[t.unsafeGetTensorImpl()] = n->output();
  keepAlive_.push_back(t);
  locate(before);
}

Value *TraceRecorder::intValue(int64_t v, bool scalar) {
  // The next Python int equal to `v` is where this argument came from.
  for (size_t i = pendingCursor_; i < pendingInts_.size(); ++i) {
    const c10::IValue &p = pendingInts_[i];
    bool isTensor = p.isTensor() && p.toTensor().defined() && p.toTensor().dim() == 0;
    if (isTensor && callTensors_.count(p.toTensor().unsafeGetTensorImpl()))
      continue;
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
    // As TorchScript's tracer, the conversion sits right after the tensor
    // it reads: `aten::ScalarImplicit` where the operator takes a Scalar.
    Value *source = it->second;
    Node *convert = cur().graph->create(Symbol::aten(scalar ? "ScalarImplicit" : "Int"), {source}, 1);
    convert->output()->setType(Type::get(scalar ? TypeKind::Number : TypeKind::Int));
    if (source->node()->kind() == prim::Param())
      convert->insertBefore(cur().graph->block()->nodes().front());
    else
      convert->insertAfter(source->node());
    return convert->output();
  }
  return cur().graph->insertConstant(v);
}

Value *TraceRecorder::inputValue(const c10::IValue &in, bool scalar) {
  if (pendingInts_.empty())
    return valueFor(in);
  if (in.isInt())
    return intValue(in.toInt(), scalar);
  if (!in.isIntList())
    return valueFor(in);
  std::vector<Value *> elems;
  for (int64_t v : in.toIntList())
    elems.push_back(intValue(v, /*scalar=*/false));
  Value *l = cur().graph->insert(Symbol::prim("ListConstruct"), elems, 1)->output();
  l->setType(Type::list(Type::get(TypeKind::Int)));
  return l;
}

} // namespace ember
