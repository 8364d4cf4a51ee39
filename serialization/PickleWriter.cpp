//===- serialization/PickleWriter.cpp - write TorchScript's pickles -------===//
//
// The inverse of PickleReader, byte for byte in the form torch.jit.save
// writes (reference §6.3), so torch.jit.load reads what ember writes:
// int, float and bool lists through torch.jit._pickle's build_* functions,
// other lists and dicts wrapped in restore_type_tag with their type,
// tensors through _rebuild_tensor_v2 with a ('storage', ...) persistent id,
// objects as GLOBAL + NEWOBJ + BUILD of their state. Containers, objects,
// tensors and globals are memoized, so shared values stay shared.
//
//===----------------------------------------------------------------------===//
#include "serialization/Pickle.h"

#include "ir/CustomClasses.h"
#include "runtime/CustomObjects.h"

#include <ATen/ATen.h>
#include <ATen/core/class_type.h>

#include <cstring>
#include <unordered_map>
#include <unordered_set>

namespace ember::serialization {
namespace {

constexpr int kMaxDepth = 1000;

class Writer {
public:
  explicit Writer(const PickleWriteEnvironment &env) : env_(env) {}

  std::string run(const c10::IValue &v) {
    op(0x80);
    op(2);
    push(v, 0);
    op('.');
    return std::move(out_);
  }

private:
  const PickleWriteEnvironment &env_;
  std::string out_;
  uint32_t nextMemo_ = 0;
  std::unordered_map<const void *, uint32_t> memo_;
  std::unordered_map<std::string, uint32_t> globals_;
  std::unordered_set<const void *> inProgress_;
  std::vector<c10::IValue> keepAlive_; // memoized values must keep their address

  void op(uint8_t b) { out_.push_back(char(b)); }
  template <typename T> void raw(T v) {
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));
    out_.append(buf, sizeof(T));
  }
  void putMemo(uint32_t id) {
    if (id < 256) {
      op('q');
      op(uint8_t(id));
    } else {
      op('r');
      raw<uint32_t>(id);
    }
  }
  void getMemo(uint32_t id) {
    if (id < 256) {
      op('h');
      op(uint8_t(id));
    } else {
      op('j');
      raw<uint32_t>(id);
    }
  }
  void memoize(const c10::IValue &v) {
    uint32_t id = nextMemo_++;
    memo_[v.internalToPointer()] = id;
    keepAlive_.push_back(v);
    putMemo(id);
  }
  void string(const std::string &s) {
    op('X');
    raw<uint32_t>(uint32_t(s.size()));
    out_ += s;
  }
  void integer(int64_t i) {
    if (i >= 0 && i < 256) {
      op('K');
      op(uint8_t(i));
    } else if (i >= 0 && i < 65536) {
      op('M');
      raw<uint16_t>(uint16_t(i));
    } else if (i >= INT32_MIN && i <= INT32_MAX) {
      op('J');
      raw<int32_t>(int32_t(i));
    } else {
      op(0x8a);
      op(8);
      raw<int64_t>(i);
    }
  }
  void floating(double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    op('G');
    for (int i = 7; i >= 0; --i)
      op(uint8_t(bits >> (8 * i)));
  }
  void global(const std::string &module, const std::string &name) {
    std::string key = module + "\n" + name + "\n";
    auto it = globals_.find(key);
    if (it != globals_.end()) {
      getMemo(it->second);
      return;
    }
    op('c');
    out_ += key;
    uint32_t id = nextMemo_++;
    globals_[key] = id;
    putMemo(id);
  }

  void push(const c10::IValue &v, int depth);
  void pushTensor(const at::Tensor &t);
  void pushList(const c10::IValue &v, int depth);
  void pushDict(const c10::IValue &v, int depth);
  void pushObject(const c10::IValue &v, int depth);
  void pushQuantizer(const at::Tensor &t);
};

void Writer::push(const c10::IValue &v, int depth) {
  if (depth > kMaxDepth)
    throw FormatError("cannot save values nested more than " + std::to_string(kMaxDepth) + " deep");
  if (v.isNone())
    return op('N');
  if (v.isBool())
    return op(v.toBool() ? 0x88 : 0x89);
  if (v.isInt())
    return integer(v.toInt());
  if (v.isDouble())
    return floating(v.toDouble());
  if (v.isString())
    return string(v.toStringRef());
  if (v.isComplexDouble()) {
    global("builtins", "complex");
    floating(v.toComplexDouble().real());
    floating(v.toComplexDouble().imag());
    op(0x86);
    return op('R');
  }
  if (v.isDevice()) {
    global("torch", "device");
    string(v.toDevice().str());
    op(0x85);
    return op('R');
  }
  if (v.isEnum()) {
    // As TorchScript's pickler: the class as a global, then its value,
    // applied with REDUCE (no argument tuple).
    const auto &e = v.toEnumHolder();
    std::string qual = e->qualifiedClassName();
    size_t dot = qual.rfind('.');
    global(qual.substr(0, dot), qual.substr(dot + 1));
    push(e->value(), depth + 1);
    return op('R');
  }
  if (v.isPtrType() && memo_.count(v.internalToPointer()))
    return getMemo(memo_[v.internalToPointer()]);
  if (v.isTensor()) {
    pushTensor(v.toTensor());
    return memoize(v);
  }
  if (v.isTuple()) {
    const auto &e = v.toTupleRef().elements();
    if (e.empty()) {
      op(')');
    } else {
      if (e.size() > 3)
        op('(');
      for (const auto &x : e)
        push(x, depth + 1);
      op(e.size() == 1 ? 0x85 : e.size() == 2 ? 0x86 : e.size() == 3 ? 0x87 : 't');
    }
    return memoize(v);
  }
  if (!(v.isList() || v.isGenericDict() || v.isObject()))
    throw FormatError(std::string("cannot save a value of type ") + v.type()->repr_str());
  if (!inProgress_.insert(v.internalToPointer()).second)
    throw FormatError("cannot save a value that contains itself");
  if (v.isList())
    pushList(v, depth);
  else if (v.isGenericDict())
    pushDict(v, depth);
  else
    pushObject(v, depth);
  inProgress_.erase(v.internalToPointer());
  memoize(v);
}

void Writer::pushTensor(const at::Tensor &t) {
  if (t.is_sparse() || t.is_mkldnn())
    throw FormatError("cannot save a sparse or MKL-DNN tensor yet");
  global("torch._utils", t.is_quantized() ? "_rebuild_qtensor" : "_rebuild_tensor_v2");
  op('(');
  // ('storage', torch.<Type>Storage, key, location, numel), persistent.
  op('(');
  string("storage");
  global("torch", std::string(c10::toString(t.scalar_type())) + "Storage");
  string(env_.storageKey(t));
  string(t.device().str());
  integer(int64_t(t.storage().nbytes() / t.element_size()));
  op('t');
  op('Q');
  integer(t.storage_offset());
  op('(');
  for (int64_t s : t.sizes())
    integer(s);
  op('t');
  op('(');
  for (int64_t s : t.strides())
    integer(s);
  op('t');
  if (t.is_quantized())
    pushQuantizer(t);
  op(t.requires_grad() ? 0x88 : 0x89);
  global("collections", "OrderedDict");
  op(')');
  op('R');
  op('t');
  op('R');
}

/// (qscheme, scale, zero_point) or (qscheme, scales, zero_points, axis),
/// the scheme as a GLOBAL of its name, as torch.jit.save writes them.
void Writer::pushQuantizer(const at::Tensor &t) {
  at::QScheme scheme = t.qscheme();
  op('(');
  global("torch", c10::toString(scheme));
  switch (scheme) {
  case at::kPerTensorAffine:
    floating(t.q_scale());
    integer(t.q_zero_point());
    break;
  case at::kPerChannelAffine:
  case at::kPerChannelAffineFloatQParams:
    pushTensor(t.q_per_channel_scales());
    pushTensor(t.q_per_channel_zero_points());
    integer(t.q_per_channel_axis());
    break;
  default: throw FormatError("cannot save a tensor quantized " + c10::toString(scheme));
  }
  op('t');
}

void Writer::pushList(const c10::IValue &v, int depth) {
  c10::List<c10::IValue> list = v.toList();
  c10::TypePtr elem = list.elementType();
  const char *builder = elem->kind() == c10::TypeKind::IntType      ? "build_intlist"
                        : elem->kind() == c10::TypeKind::FloatType  ? "build_doublelist"
                        : elem->kind() == c10::TypeKind::BoolType   ? "build_boollist"
                        : elem->kind() == c10::TypeKind::TensorType ? "build_tensorlist"
                                                                    : nullptr;
  if (builder) {
    global("torch.jit._pickle", builder);
    op('(');
  } else {
    global("torch.jit._pickle", "restore_type_tag");
  }
  op(']');
  op('(');
  for (const auto &e : list)
    push(e, depth + 1);
  op('e');
  if (builder) {
    op('t');
  } else {
    string(c10::ListType::create(elem)->annotation_str());
    op(0x86);
  }
  op('R');
}

void Writer::pushDict(const c10::IValue &v, int depth) {
  c10::Dict<c10::IValue, c10::IValue> dict = v.toGenericDict();
  global("torch.jit._pickle", "restore_type_tag");
  op('}');
  op('(');
  for (const auto &e : dict) {
    push(e.key(), depth + 1);
    push(e.value(), depth + 1);
  }
  op('u');
  string(c10::DictType::create(dict.keyType(), dict.valueType())->annotation_str());
  op(0x86);
  op('R');
}

void Writer::pushObject(const c10::IValue &v, int depth) {
  const auto &obj = v.toObjectRef();
  const c10::ClassTypePtr &cls = obj.type();
  std::string qual = cls->name()->qualifiedName();
  size_t dot = qual.rfind('.');
  global(qual.substr(0, dot), qual.substr(dot + 1));
  op(')');
  op(0x81);
  if (isCustomClassName(qual)) {
    // Its C++ __getstate__ (for packed weights, the unpacked tensors).
    try {
      push(runtime::customObjectState(v), depth + 1);
    } catch (const std::invalid_argument &e) {
      throw FormatError(std::string("cannot save: ") + e.what());
    }
  } else if (auto state = env_.getState ? env_.getState(v) : std::nullopt) {
    push(*state, depth + 1);
  } else {
    op('}');
    op('(');
    for (size_t i = 0; i < cls->numAttributes(); ++i) {
      string(cls->getAttributeName(i));
      push(obj.getSlot(i), depth + 1);
    }
    op('u');
  }
  op('b');
}

} // namespace

std::string writePickle(const c10::IValue &value, const PickleWriteEnvironment &env) {
  return Writer(env).run(value);
}

} // namespace ember::serialization
