//===- serialization/PickleReader.cpp - read TorchScript's pickles --------===//
//
// A stack machine over pickle protocol 2 opcodes, restricted to what
// torch.jit.save writes (reference §6.3). The reader is written for hostile
// input:
//  1. Every length and index is checked against the bytes left; memo ids
//     index a map, so a large id allocates nothing.
//  2. GLOBAL resolves only the handful of functions TorchScript pickles use
//     and the archive's own classes; nothing is imported, nothing runs but
//     a class's compiled `__setstate__`.
//  3. Containers are sealed once they are placed in another one, and their
//     nesting depth is tracked as they are built, so no pickle can make a
//     cycle or a structure deep enough to overflow the stack when it is
//     destroyed or converted.
//  4. A tensor must lie inside its storage, and a storage inside its record.
//
//===----------------------------------------------------------------------===//
#include "serialization/Pickle.h"

#include "ir/CustomClasses.h"
#include "runtime/CustomObjects.h"

#include <ATen/ATen.h>
#include <ATen/core/class_type.h>
#include <ATen/core/enum_type.h>

#include <cstring>
#include <unordered_map>

namespace ember::serialization {
namespace {

/// Deeper nesting than any TorchScript value needs; shallow enough that
/// destroying the value recursively is safe on any thread's stack.
constexpr uint32_t kMaxDepth = 400;

/// What a GLOBAL names: a function of TorchScript's pickles, a storage
/// type, or a class of the archive's code.
struct Global : torch::CustomClassHolder {
  // clang-format off
  enum class Kind {
    Class, Enum, StorageType, RebuildTensor, RebuildQTensor, IntList, DoubleList, BoolList,
    TensorList, TypeTag, OrderedDict, Device, Complex,
  };
  // clang-format on
  Kind kind;
  std::string name; // module.name, for messages
  c10::ClassTypePtr cls;
  c10::TypePtr enumType;
  at::ScalarType dtype = at::kFloat;
};

std::optional<at::ScalarType> storageDtype(const std::string &name) {
  static const std::string suffix = "Storage";
  if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix))
    return std::nullopt;
  std::string base = name.substr(0, name.size() - suffix.size());
#define EMBER_DTYPE_CASE(_, st)                                                                    \
  if (base == c10::toString(at::ScalarType::st))                                                   \
    return at::ScalarType::st;
  AT_FORALL_SCALAR_TYPES_WITH_COMPLEX_AND_QINTS(EMBER_DTYPE_CASE)
#undef EMBER_DTYPE_CASE
  return std::nullopt;
}

std::optional<at::QScheme> qscheme(const std::string &name) {
  for (int i = 0; i < int(at::COMPILE_TIME_NUM_QSCHEMES); ++i)
    if (name == c10::toString(at::QScheme(i)))
      return at::QScheme(i);
  return std::nullopt;
}

std::string tagName(const c10::IValue &v) { return v.tagKind(); }

class Reader {
public:
  Reader(const char *data, size_t size, const PickleEnvironment &env)
      : p_(data), begin_(data), end_(data + size), env_(env) {}

  c10::IValue run();

private:
  const char *p_, *begin_, *end_;
  const PickleEnvironment &env_;
  size_t opOffset_ = 0;
  std::vector<c10::IValue> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint32_t, c10::IValue> memo_;
  struct Shape {
    uint32_t depth = 1;
    bool sealed = false;
    /// A tuple holding a class or function reference: only an argument
    /// tuple (of REDUCE, NEWOBJ, a persistent id), never a value.
    bool holdsGlobal = false;
    /// Keeps the value alive while reading, so its address is not reused.
    c10::IValue keep;
  };
  std::unordered_map<const void *, Shape> shapes_;
  std::unordered_map<std::string, at::Tensor> storages_;

  [[noreturn]] void fail(const std::string &what) const {
    throw FormatError("offset " + std::to_string(opOffset_) + ": " + what);
  }
  void need(size_t n) {
    if (size_t(end_ - p_) < n)
      fail("the pickle ends in the middle of an opcode");
  }
  template <typename T> T read() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, p_, sizeof(T));
    p_ += sizeof(T);
    return v;
  }
  std::string readBytes(size_t n) {
    need(n);
    std::string s(p_, n);
    p_ += n;
    return s;
  }
  std::string readLine() {
    const char *nl = static_cast<const char *>(std::memchr(p_, '\n', end_ - p_));
    if (!nl || nl - p_ > 1024)
      fail("GLOBAL without a short newline-terminated name");
    std::string s(p_, nl);
    p_ = nl + 1;
    return s;
  }
  c10::IValue pop() {
    if (stack_.empty() || (!marks_.empty() && marks_.back() >= stack_.size()))
      fail("an opcode needs a value but the stack is empty");
    c10::IValue v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  c10::IValue &top() {
    if (stack_.empty())
      fail("an opcode needs a value but the stack is empty");
    return stack_.back();
  }
  std::vector<c10::IValue> popToMark() {
    if (marks_.empty())
      fail("an opcode needs a MARK but there is none");
    size_t m = marks_.back();
    marks_.pop_back();
    std::vector<c10::IValue> items(std::make_move_iterator(stack_.begin() + m),
                                   std::make_move_iterator(stack_.end()));
    stack_.resize(m);
    return items;
  }

  static bool isContainer(const c10::IValue &v) {
    return v.isList() || v.isGenericDict() || v.isTuple() || v.isObject();
  }
  Shape &shape(const c10::IValue &v) {
    Shape &s = shapes_[v.internalToPointer()];
    if (s.keep.isNone())
      s.keep = v;
    return s;
  }
  /// Records that `child` is now inside `parent` (a fresh tuple, or a
  /// list, dict or object being filled).
  void adopt(const c10::IValue &parent, const c10::IValue &child, bool mutating) {
    if (child.isCapsule())
      fail("a class or function reference cannot be used as a value");
    Shape &ps = shape(parent);
    if (mutating && ps.sealed)
      fail("the pickle changes a container after placing it in another one");
    if (!isContainer(child))
      return;
    if (shape(child).holdsGlobal)
      fail("a class or function reference cannot be used as a value");
    if (child.internalToPointer() == parent.internalToPointer())
      fail("a container cannot contain itself");
    Shape &cs = shape(child);
    cs.sealed = true;
    ps.depth = std::max(ps.depth, cs.depth + 1);
    if (ps.depth > kMaxDepth)
      fail("values are nested more than " + std::to_string(kMaxDepth) + " deep");
  }
  c10::IValue makeTuple(std::vector<c10::IValue> items) {
    c10::IValue t = c10::ivalue::Tuple::create(items);
    for (const auto &i : items) {
      if (i.isCapsule())
        shape(t).holdsGlobal = true;
      else
        adopt(t, i, false);
    }
    return t;
  }
  c10::IValue newList() {
    c10::IValue l = c10::impl::GenericList(c10::AnyType::get());
    shape(l);
    return l;
  }
  c10::IValue newDict() {
    c10::IValue d = c10::impl::GenericDict(c10::AnyType::get(), c10::AnyType::get());
    shape(d);
    return d;
  }
  void append(c10::IValue &list, c10::IValue item) {
    if (!list.isList())
      fail(std::string("APPEND to a ") + tagName(list) + ", not a list");
    adopt(list, item, true);
    list.toList().push_back(std::move(item));
  }
  void setItem(c10::IValue &dict, c10::IValue key, c10::IValue value) {
    if (!dict.isGenericDict())
      fail(std::string("SETITEM on a ") + tagName(dict) + ", not a dict");
    if (!(key.isString() || key.isInt() || key.isDouble() || key.isComplexDouble() ||
          key.isBool() || key.isTensor() || key.isDevice()))
      fail(std::string("a dict key cannot be a ") + tagName(key));
    adopt(dict, key, true);
    adopt(dict, value, true);
    dict.toGenericDict().insert_or_assign(std::move(key), std::move(value));
  }

  /// The opcodes of one kind: true if `op` was one of them.
  bool pushScalar(uint8_t op);
  bool buildContainer(uint8_t op);
  /// APPENDS/LIST items into a list, SETITEMS/DICT pairs into a dict.
  void fill(c10::IValue &target, std::vector<c10::IValue> items, bool isList);
  void global();
  void newObject();
  void build();
  void reduce();
  void persistentId();
  struct Geometry {
    at::Tensor base;
    int64_t offset = 0;
    std::vector<int64_t> sizes, strides;
  };
  Geometry geometry(const std::vector<c10::IValue> &args, const char *usage);
  c10::IValue rebuildTensor(const std::vector<c10::IValue> &args);
  c10::IValue rebuildQTensor(const std::vector<c10::IValue> &args);
  void setCustomState(const c10::IValue &obj, const c10::IValue &state);
  c10::IValue typedList(Global::Kind kind, const c10::IValue &arg);
  c10::IValue tagged(const std::vector<c10::IValue> &args);
  void checkSlots(const c10::IValue &object);
};

c10::IValue Reader::run() {
  while (true) {
    opOffset_ = size_t(p_ - begin_);
    if (p_ >= end_)
      fail("the pickle ends without STOP");
    auto op = static_cast<uint8_t>(*p_++);
    if (pushScalar(op) || buildContainer(op))
      continue;
    switch (op) {
    case 0x80: // PROTO
      if (uint8_t v = read<uint8_t>(); v > 4)
        fail("pickle protocol " + std::to_string(v) + " is not one TorchScript writes");
      break;
    case '.': { // STOP
      c10::IValue v = pop();
      if (!stack_.empty() || !marks_.empty())
        fail("values are left on the stack at STOP");
      if (v.isCapsule() || (isContainer(v) && shape(v).holdsGlobal))
        fail("the pickle's value is a class or function reference");
      return v;
    }
    case 0x95: read<uint64_t>(); break; // FRAME: framing only
    case '(': marks_.push_back(stack_.size()); break;
    case 'q': memo_[read<uint8_t>()] = top(); break;         // BINPUT
    case 'r': memo_[read<uint32_t>()] = top(); break;        // LONG_BINPUT
    case 0x94: memo_[uint32_t(memo_.size())] = top(); break; // MEMOIZE
    case 'h':
    case 'j': {
      uint32_t id = op == 'h' ? read<uint8_t>() : read<uint32_t>();
      auto it = memo_.find(id);
      if (it == memo_.end())
        fail("memo entry " + std::to_string(id) + " is read before it is written");
      stack_.push_back(it->second);
      break;
    }
    case 'c': global(); break;
    case 0x81: newObject(); break;
    case 'b': build(); break;
    case 'R': reduce(); break;
    case 'Q': persistentId(); break;
    default: {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", op);
      fail(std::string("opcode ") + hex + " is not one TorchScript pickles use");
    }
    }
  }
}

bool Reader::pushScalar(uint8_t op) {
  switch (op) {
  case 'N': stack_.emplace_back(); return true;
  case 0x88: stack_.emplace_back(true); return true;
  case 0x89: stack_.emplace_back(false); return true;
  case 'J': stack_.emplace_back(int64_t(read<int32_t>())); return true;
  case 'K': stack_.emplace_back(int64_t(read<uint8_t>())); return true;
  case 'M': stack_.emplace_back(int64_t(read<uint16_t>())); return true;
  case 0x8a: { // LONG1
    uint8_t n = read<uint8_t>();
    if (n > 8)
      fail("an integer of " + std::to_string(n) + " bytes does not fit in 64 bits");
    std::string b = readBytes(n);
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i)
      v |= uint64_t(uint8_t(b[i])) << (8 * i);
    if (n > 0 && n < 8 && (uint8_t(b[n - 1]) & 0x80))
      v |= ~uint64_t(0) << (8 * n); // sign-extend
    stack_.emplace_back(int64_t(v));
    return true;
  }
  case 'G': { // BINFLOAT, big-endian
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i)
      bits = (bits << 8) | read<uint8_t>();
    double d;
    std::memcpy(&d, &bits, 8);
    stack_.emplace_back(d);
    return true;
  }
  case 'X': // BINUNICODE
  case 'T': // BINSTRING
    stack_.emplace_back(readBytes(read<uint32_t>()));
    return true;
  case 0x8c: // SHORT_BINUNICODE
  case 'U':  // SHORT_BINSTRING
    stack_.emplace_back(readBytes(read<uint8_t>()));
    return true;
  default: return false;
  }
}

bool Reader::buildContainer(uint8_t op) {
  switch (op) {
  case ')': stack_.push_back(makeTuple({})); return true;
  case 0x85: { auto a = pop(); stack_.push_back(makeTuple({a})); return true; }
  case 0x86: { auto b = pop(), a = pop(); stack_.push_back(makeTuple({a, b})); return true; }
  case 0x87: {
    auto c = pop(), b = pop(), a = pop();
    stack_.push_back(makeTuple({a, b, c}));
    return true;
  }
  case 't': stack_.push_back(makeTuple(popToMark())); return true;
  case ']': stack_.push_back(newList()); return true;
  case '}': stack_.push_back(newDict()); return true;
  case 'l': // LIST: a new list of the items since the mark
  case 'd': { // DICT
    auto items = popToMark();
    stack_.push_back(op == 'l' ? newList() : newDict());
    fill(stack_.back(), std::move(items), op == 'l');
    return true;
  }
  case 'a': { auto item = pop(); append(top(), std::move(item)); return true; }
  case 's': { auto v = pop(), k = pop(); setItem(top(), k, v); return true; }
  case 'e': // APPENDS
  case 'u': // SETITEMS
    fill(top(), popToMark(), op == 'e');
    return true;
  default: return false;
  }
}

void Reader::fill(c10::IValue &target, std::vector<c10::IValue> items, bool isList) {
  if (isList) {
    for (auto &i : items)
      append(target, std::move(i));
    return;
  }
  if (items.size() % 2)
    fail("a dict is given an odd number of keys and values");
  for (size_t i = 0; i < items.size(); i += 2)
    setItem(target, items[i], items[i + 1]);
}

/// `a.b.c`: identifiers joined by dots.
static bool isDottedName(const std::string &s) {
  bool atomStart = true;
  for (char c : s) {
    if (c == '.') {
      if (atomStart)
        return false;
      atomStart = true;
    } else if (isalpha(static_cast<unsigned char>(c)) || c == '_' ||
               (!atomStart && isdigit(static_cast<unsigned char>(c)))) {
      atomStart = false;
    } else {
      return false;
    }
  }
  return !atomStart;
}

void Reader::global() {
  std::string module = readLine();
  std::string name = readLine();
  if (!isDottedName(module) || !isDottedName(name))
    fail("GLOBAL names something that is not a dotted Python name");
  auto g = c10::make_intrusive<Global>();
  g->name = module + "." + name;
  using K = Global::Kind;
  static const std::map<std::string, K> functions = {
      {"torch._utils._rebuild_tensor_v2", K::RebuildTensor},
      {"torch.jit._pickle.build_intlist", K::IntList},
      {"torch.jit._pickle.build_doublelist", K::DoubleList},
      {"torch.jit._pickle.build_boollist", K::BoolList},
      {"torch.jit._pickle.build_tensorlist", K::TensorList},
      {"torch.jit._pickle.restore_type_tag", K::TypeTag},
      {"collections.OrderedDict", K::OrderedDict},
      {"torch.device", K::Device},
      {"builtins.complex", K::Complex},
  };
  if (auto it = functions.find(g->name); it != functions.end()) {
    g->kind = it->second;
  } else if (module == "torch" && storageDtype(name)) {
    g->kind = K::StorageType;
    g->dtype = *storageDtype(name);
  } else if (module == "torch" && qscheme(name)) {
    // A quantization scheme is pickled as the name of the enum member; it
    // stands for its value, as in TorchScript's unpickler.
    stack_.emplace_back(int64_t(*qscheme(name)));
    return;
  } else if (isCustomClassName(g->name)) {
    g->kind = K::Class;
    try {
      g->cls = runtime::customClass(g->name);
    } catch (const std::invalid_argument &e) {
      fail(e.what());
    }
  } else if (module == "__torch__" || module.rfind("__torch__.", 0) == 0) {
    if (c10::TypePtr e = env_.enumType ? env_.enumType(g->name) : nullptr) {
      g->kind = K::Enum;
      g->enumType = e;
    } else {
      g->kind = K::Class;
      g->cls = env_.classType(g->name);
    }
  } else if (g->name == "torch._utils._rebuild_qtensor") {
    g->kind = K::RebuildQTensor;
  } else if (g->name == "torch._utils._rebuild_sparse_tensor") {
    fail("'" + g->name + "': sparse tensors are not supported yet");
  } else {
    fail("GLOBAL '" + g->name + "' is not a TorchScript type or pickle function");
  }
  stack_.push_back(c10::IValue::make_capsule(g));
}

static Global *asGlobal(const c10::IValue &v) {
  if (!v.isCapsule())
    return nullptr;
  return dynamic_cast<Global *>(v.toCapsule().get());
}

void Reader::newObject() {
  c10::IValue args = pop();
  c10::IValue cls = pop();
  Global *g = asGlobal(cls);
  if (!g || g->kind != Global::Kind::Class)
    fail("NEWOBJ of something that is not a class of the archive");
  if (!args.isTuple() || !args.toTupleRef().elements().empty())
    fail("NEWOBJ of '" + g->name + "' with arguments");
  // A custom class object holds its C++ object in one slot, which its
  // __setstate__ fills.
  size_t slots = isCustomClassName(g->name) ? 1 : g->cls->numAttributes();
  c10::IValue obj = c10::ivalue::Object::create(c10::StrongTypePtr(nullptr, g->cls), slots);
  shape(obj);
  stack_.push_back(obj);
}

void Reader::build() {
  c10::IValue state = pop();
  c10::IValue &obj = top();
  if (!obj.isObject())
    fail(std::string("BUILD on a ") + tagName(obj) + ", not an object");
  adopt(obj, state, true);
  const c10::ClassTypePtr &cls = obj.toObjectRef().type();
  if (isCustomClassName(cls->name()->qualifiedName()))
    return setCustomState(obj, state);
  if (env_.setState && env_.setState(obj, state))
    return;
  if (!state.isGenericDict())
    fail("the state of a '" + cls->repr_str() + "' must be a dict of its attributes");
  auto &o = obj.toObjectRef();
  for (const auto &entry : state.toGenericDict()) {
    if (!entry.key().isString())
      fail("the state of a '" + cls->repr_str() + "' has a key that is not an attribute name");
    const std::string &name = entry.key().toStringRef();
    auto slot = cls->findAttributeSlot(name);
    if (!slot)
      fail("'" + cls->repr_str() + "' has no attribute '" + name + "', which the pickle sets");
    o.setSlot(*slot, entry.value());
  }
  checkSlots(obj);
}

/// A custom class object is rebuilt by its C++ `__setstate__` (for
/// quantized packed weights, the packing), which takes the state its
/// schema declares and nothing else.
void Reader::setCustomState(const c10::IValue &obj, const c10::IValue &state) {
  try {
    runtime::setCustomObjectState(obj, state);
  } catch (const std::invalid_argument &e) {
    fail(e.what());
  }
}

/// Lists and dicts of archives older than type tags (format < 3) come back
/// holding Any: they take the declared type once their items fit it.
static bool retag(const c10::IValue &v, const c10::TypePtr &declared) {
  if (v.isNone())
    return declared->kind() == c10::TypeKind::OptionalType || declared->kind() == c10::TypeKind::NoneType ||
           declared->kind() == c10::TypeKind::AnyType;
  c10::TypePtr t = declared;
  if (auto opt = t->cast<c10::OptionalType>())
    t = opt->getElementType();
  if (v.isList()) {
    auto lt = t->cast<c10::ListType>();
    if (!lt)
      return false;
    c10::List<c10::IValue> list = v.toList();
    for (const auto &e : list)
      if (!retag(e, lt->getElementType()))
        return false;
    list.unsafeSetElementType(lt->getElementType());
    return true;
  }
  if (v.isGenericDict()) {
    auto dt = t->cast<c10::DictType>();
    if (!dt)
      return false;
    c10::Dict<c10::IValue, c10::IValue> dict = v.toGenericDict();
    for (const auto &e : dict)
      if (!retag(e.key(), dt->getKeyType()) || !retag(e.value(), dt->getValueType()))
        return false;
    dict.unsafeSetKeyType(dt->getKeyType());
    dict.unsafeSetValueType(dt->getValueType());
    return true;
  }
  if (v.isTuple()) {
    auto tt = t->cast<c10::TupleType>();
    if (!tt)
      return v.type()->isSubtypeOf(*declared);
    const auto &elems = v.toTupleRef().elements();
    if (elems.size() != tt->elements().size())
      return false;
    for (size_t i = 0; i < elems.size(); ++i)
      if (!retag(elems[i], tt->elements()[i]))
        return false;
    return true;
  }
  return v.type()->isSubtypeOf(*declared);
}

void Reader::checkSlots(const c10::IValue &object) {
  const auto &o = object.toObjectRef();
  const c10::ClassTypePtr &cls = o.type();
  for (size_t i = 0; i < cls->numAttributes(); ++i) {
    const c10::IValue &v = o.getSlot(i);
    const c10::TypePtr &declared = cls->getAttribute(i);
    if (!retag(v, declared))
      fail("attribute '" + cls->getAttributeName(i) + "' of '" + cls->repr_str() + "' is declared " +
           declared->repr_str() + " but the pickle gives it a " + v.type()->repr_str());
  }
}

void Reader::reduce() {
  c10::IValue argsValue = pop();
  c10::IValue fn = pop();
  Global *g = asGlobal(fn);
  if (!g)
    fail(std::string("REDUCE of a ") + tagName(fn) + ", not a function");
  if (g->kind == Global::Kind::Enum) {
    // The member whose value was pickled.
    for (const auto &[name, value] : g->enumType->expect<c10::EnumType>()->enumNamesValues())
      if (value == argsValue) {
        stack_.emplace_back(c10::make_intrusive<c10::ivalue::EnumHolder>(
            g->enumType->expect<c10::EnumType>(), name, value));
        return;
      }
    fail("'" + g->name + "' has no member with the pickled value");
  }
  if (!argsValue.isTuple())
    fail("REDUCE of '" + g->name + "' without an argument tuple");
  std::vector<c10::IValue> args = argsValue.toTupleRef().elements().vec();
  using K = Global::Kind;
  switch (g->kind) {
  case K::RebuildTensor: stack_.push_back(rebuildTensor(args)); break;
  case K::RebuildQTensor: stack_.push_back(rebuildQTensor(args)); break;
  case K::IntList:
  case K::DoubleList:
  case K::BoolList:
  case K::TensorList:
    if (args.size() != 1)
      fail("'" + g->name + "' takes one list");
    stack_.push_back(typedList(g->kind, args[0]));
    break;
  case K::TypeTag: stack_.push_back(tagged(args)); break;
  case K::OrderedDict: stack_.push_back(newDict()); break; // a tensor's (empty) hooks
  case K::Device:
    if (args.size() != 1 || !args[0].isString())
      fail("torch.device takes one string");
    try {
      stack_.emplace_back(c10::Device(args[0].toStringRef()));
    } catch (const c10::Error &) {
      fail("'" + args[0].toStringRef() + "' is not a device");
    }
    break;
  case K::Complex:
    if (args.size() != 2 || !args[0].isDouble() || !args[1].isDouble())
      fail("complex takes two floats");
    stack_.emplace_back(c10::complex<double>(args[0].toDouble(), args[1].toDouble()));
    break;
  case K::Class: fail("'" + g->name + "' is a class: it is built with NEWOBJ, not REDUCE");
  case K::Enum: break; // handled above
  case K::StorageType: fail("'" + g->name + "' is not callable");
  }
}

c10::IValue Reader::typedList(Global::Kind kind, const c10::IValue &arg) {
  if (!arg.isList())
    fail("a typed list is built from a list");
  using K = Global::Kind;
  c10::TypePtr elem = kind == K::IntList      ? c10::TypePtr(c10::IntType::get())
                      : kind == K::DoubleList ? c10::TypePtr(c10::FloatType::get())
                      : kind == K::BoolList   ? c10::TypePtr(c10::BoolType::get())
                                              : c10::TypePtr(c10::TensorType::get());
  c10::impl::GenericList out(elem);
  for (const auto &e : arg.toList()) {
    c10::IValue v = e;
    bool ok = kind == K::IntList      ? v.isInt()
              : kind == K::DoubleList ? v.isDouble()
              : kind == K::BoolList   ? v.isBool()
                                      : v.isTensor();
    if (!ok)
      fail("a " + elem->repr_str() + "[] holds a " + tagName(v));
    out.push_back(v);
  }
  c10::IValue l(out);
  shape(l);
  return l;
}

c10::IValue Reader::tagged(const std::vector<c10::IValue> &args) {
  if (args.size() != 2 || !args[1].isString() || !(args[0].isList() || args[0].isGenericDict()))
    fail("restore_type_tag takes a list or dict and a type");
  c10::TypePtr type;
  try {
    type = env_.parseType(args[1].toStringRef());
  } catch (const std::exception &e) {
    fail("type tag '" + args[1].toStringRef() + "': " + e.what());
  }
  if (!type || !retag(args[0], type))
    fail("a container tagged '" + args[1].toStringRef() + "' holds values of other types");
  return args[0];
}

void Reader::persistentId() {
  c10::IValue pid = pop();
  if (!pid.isTuple())
    fail("a persistent id must be a tuple");
  const auto &e = pid.toTupleRef().elements();
  Global *type = e.size() == 5 ? asGlobal(e[1]) : nullptr;
  if (e.size() != 5 || !e[0].isString() || e[0].toStringRef() != "storage" || !type ||
      type->kind != Global::Kind::StorageType || !e[2].isString() || !e[3].isString() ||
      !e[4].isInt())
    fail("a persistent id must be ('storage', <type>Storage, key, location, numel)");
  const std::string &key = e[2].toStringRef();
  auto it = storages_.find(key);
  if (it != storages_.end()) {
    stack_.push_back(it->second);
    return;
  }
  int64_t numel = e[4].toInt();
  size_t itemSize = c10::elementSize(type->dtype);
  uint64_t bytes = 0;
  if (numel < 0 || __builtin_mul_overflow(uint64_t(numel), itemSize, &bytes))
    fail("storage '" + key + "' claims " + std::to_string(numel) + " elements");
  if (e[3].toStringRef() == "meta" && c10::isQIntType(type->dtype))
    fail("storage '" + key + "' is a quantized storage on meta");
  if (e[3].toStringRef() == "meta") {
    // A meta tensor has no data and stays on meta whatever the map_location.
    at::Tensor holder = at::empty({0}, at::TensorOptions().dtype(type->dtype).device(c10::kMeta))
                            .set_(at::empty({numel}, at::TensorOptions().dtype(type->dtype)
                                                         .device(c10::kMeta)).storage(),
                                  0, {0}, {1});
    storages_[key] = holder;
    stack_.push_back(holder);
    return;
  }
  at::DataPtr data;
  if (bytes > 0) {
    auto [ptr, size] = env_.storage(key);
    if (size < bytes)
      fail("storage '" + key + "' claims " + std::to_string(bytes) + " bytes but its record holds " +
           std::to_string(size));
    data = std::move(ptr);
  }
  c10::Storage storage(c10::Storage::use_byte_size_t(), int64_t(bytes), std::move(data),
                       /*allocator=*/nullptr, /*resizable=*/false);
  std::optional<c10::Device> target = env_.mapLocation;
  const std::string &location = e[3].toStringRef();
  if (!target) {
    try {
      target = c10::Device(location);
    } catch (const c10::Error &) {
      fail("storage '" + key + "' is on '" + location + "', which is not a device");
    }
  }
  if (!target->is_cpu()) {
    try {
      at::Tensor flat = at::empty({0}, at::TensorOptions().dtype(type->dtype))
                            .set_(storage, 0, {numel}, {1})
                            .to(*target);
      storage = flat.storage();
    } catch (const c10::Error &err) {
      std::string msg = err.what_without_backtrace();
      throw FormatError("storage '" + key + "' cannot move to " + target->str() + " (" +
                        msg.substr(0, msg.find('\n')) + "); load with map_location='cpu'");
    }
  }
  at::TensorOptions options = at::TensorOptions().dtype(type->dtype).device(storage.device());
  at::Tensor holder = c10::isQIntType(type->dtype)
                          ? at::_empty_affine_quantized({0}, options, 1.0, 0)
                          : at::empty({0}, options);
  holder.set_(storage, 0, {0}, {1});
  storages_[key] = holder;
  stack_.push_back(holder);
}

/// The checked (storage, offset, sizes, strides) of a tensor's arguments,
/// both rebuild functions' first four.
Reader::Geometry Reader::geometry(const std::vector<c10::IValue> &args, const char *usage) {
  if (args.size() < 4 || !args[0].isTensor() || !args[1].isInt() || !args[2].isTuple() ||
      !args[3].isTuple())
    fail(usage);
  Geometry g;
  g.offset = args[1].toInt();
  for (const auto &s : args[2].toTupleRef().elements()) {
    if (!s.isInt() || s.toInt() < 0)
      fail("a tensor size must be a non-negative int");
    g.sizes.push_back(s.toInt());
  }
  for (const auto &s : args[3].toTupleRef().elements()) {
    if (!s.isInt() || s.toInt() < 0)
      fail("a tensor stride must be a non-negative int");
    g.strides.push_back(s.toInt());
  }
  if (g.sizes.size() != g.strides.size())
    fail("a tensor has " + std::to_string(g.sizes.size()) + " sizes but " +
         std::to_string(g.strides.size()) + " strides");
  // The storage arrives as an empty tensor of the storage's dtype.
  g.base = args[0].toTensor();
  uint64_t capacity = g.base.storage().nbytes() / g.base.element_size();
  bool empty = false;
  for (int64_t s : g.sizes)
    empty |= s == 0;
  uint64_t last = uint64_t(g.offset);
  bool overflow = g.offset < 0;
  for (size_t i = 0; i < g.sizes.size() && !empty && !overflow; ++i) {
    uint64_t step = 0;
    overflow = __builtin_mul_overflow(uint64_t(g.sizes[i] - 1), uint64_t(g.strides[i]), &step) ||
               __builtin_add_overflow(last, step, &last);
  }
  if (overflow || (empty ? last > capacity : last >= capacity))
    fail("a tensor reaches past the end of its storage (" + std::to_string(capacity) +
         " elements)");
  return g;
}

c10::IValue Reader::rebuildTensor(const std::vector<c10::IValue> &args) {
  const char *usage = "_rebuild_tensor_v2 takes (storage, offset, sizes, strides, requires_grad, "
                      "hooks[, metadata])";
  if (args.size() < 6 || args.size() > 7 || !args[4].isBool())
    fail(usage);
  Geometry g = geometry(args, usage);
  const at::Tensor &base = g.base;
  const c10::Storage &storage = base.storage();
  int64_t offset = g.offset;
  const std::vector<int64_t> &sizes = g.sizes, &strides = g.strides;
  if (base.is_quantized())
    fail("a tensor of a quantized storage must be rebuilt by _rebuild_qtensor");
  at::Tensor t = at::empty({0}, base.options()).set_(storage, offset, sizes, strides);
  if (args[4].toBool()) {
    if (!at::isFloatingType(t.scalar_type()) && !at::isComplexType(t.scalar_type()))
      fail("a tensor of " + std::string(c10::toString(t.scalar_type())) + " cannot require grad");
    t.requires_grad_(true);
  }
  return t;
}

/// (storage, offset, sizes, strides, (qscheme, scale(s), zero point(s)[,
/// axis]), requires_grad, hooks), as TorchScript's unpickler reads it.
c10::IValue Reader::rebuildQTensor(const std::vector<c10::IValue> &args) {
  const char *usage = "_rebuild_qtensor takes (storage, offset, sizes, strides, (qscheme, "
                      "scale, zero_point[, axis]), requires_grad, hooks)";
  if (args.size() != 7 || !args[4].isTuple() || !args[5].isBool())
    fail(usage);
  Geometry g = geometry(args, usage);
  if (!g.base.is_quantized())
    fail("_rebuild_qtensor of a storage that is not quantized");
  const auto &q = args[4].toTupleRef().elements();
  if (q.empty() || !q[0].isInt())
    fail(usage);
  at::TensorOptions options = at::TensorOptions().dtype(g.base.scalar_type());
  at::Tensor t;
  try {
    switch (at::QScheme(q[0].toInt())) {
    case at::kPerTensorAffine:
      if (q.size() != 3 || !q[1].isDouble() || !q[2].isInt())
        fail("per-tensor quantization takes (qscheme, scale, zero_point)");
      t = at::_empty_affine_quantized({0}, options, q[1].toDouble(), q[2].toInt());
      break;
    case at::kPerChannelAffine:
    case at::kPerChannelAffineFloatQParams:
      if (q.size() != 4 || !q[1].isTensor() || !q[2].isTensor() || !q[3].isInt())
        fail("per-channel quantization takes (qscheme, scales, zero_points, axis)");
      t = at::_empty_per_channel_affine_quantized({0}, q[1].toTensor(), q[2].toTensor(),
                                                  q[3].toInt(), options);
      break;
    default: fail("quantization scheme " + std::to_string(q[0].toInt()) + " cannot be loaded");
    }
    t.set_(g.base.storage(), g.offset, g.sizes, g.strides);
  } catch (const c10::Error &e) {
    std::string msg = e.what_without_backtrace();
    fail("a quantized tensor is refused: " + msg.substr(0, msg.find('\n')));
  }
  if (args[5].toBool())
    fail("a quantized tensor cannot require grad");
  return t;
}

} // namespace

c10::IValue readPickle(const char *data, size_t size, const PickleEnvironment &env) {
  return Reader(data, size, env).run();
}

} // namespace ember::serialization
