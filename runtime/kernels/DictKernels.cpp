//===- runtime/kernels/DictKernels.cpp - dict methods ---------------------===//
//
// Dicts are c10::Dict values: insertion-ordered like Python's, shared by
// reference. One kernel serves each method for every key type.
//
//===----------------------------------------------------------------------===//
#include "runtime/Kernels.h"
#include "runtime/Values.h"

namespace ember::runtime {
namespace {

using IValue = c10::IValue;
using Dict = c10::impl::GenericDict;

Dict copyOf(const Dict &d) {
  Dict out(d.keyType(), d.valueType());
  for (const auto &e : d)
    out.insert(e.key(), e.value());
  return out;
}

} // namespace

void addDictKernels(KernelTable &t) {
  t.add("aten::get", [](const Node &n, const TypeConverter &) -> Operation {
    bool withDefault = n.inputs().size() == 3;
    return [withDefault](Stack &s) {
      IValue dflt = withDefault ? pop(s) : IValue();
      IValue key = pop(s);
      Dict d = pop(s).toGenericDict();
      auto it = d.find(key);
      s.push_back(it == d.end() ? dflt : it->value());
    };
  });
  t.add("aten::setdefault", Operation([](Stack &s) {
          IValue dflt = pop(s), key = pop(s);
          Dict d = pop(s).toGenericDict();
          auto it = d.find(key);
          if (it != d.end())
            return s.push_back(it->value());
          d.insert(key, dflt);
          s.push_back(dflt);
        }));
  t.add("aten::popitem", Operation([](Stack &s) {
          Dict d = pop(s).toGenericDict();
          if (d.empty())
            throw PythonError("KeyError", "popitem(): dictionary is empty");
          // Python pops the most recently inserted item.
          IValue key, value;
          for (const auto &e : d) {
            key = e.key();
            value = e.value();
          }
          (void)d.erase(key);
          s.push_back(c10::ivalue::Tuple::create(key, value));
        }));
  t.add("aten::keys", Operation([](Stack &s) {
          Dict d = pop(s).toGenericDict();
          c10::impl::GenericList l(d.keyType());
          for (const auto &e : d)
            l.push_back(e.key());
          s.push_back(l);
        }));
  t.add("aten::values", Operation([](Stack &s) {
          Dict d = pop(s).toGenericDict();
          c10::impl::GenericList l(d.valueType());
          for (const auto &e : d)
            l.push_back(e.value());
          s.push_back(l);
        }));
  t.add("aten::items", Operation([](Stack &s) {
          Dict d = pop(s).toGenericDict();
          c10::impl::GenericList l(c10::TupleType::create({d.keyType(), d.valueType()}));
          for (const auto &e : d)
            l.push_back(c10::ivalue::Tuple::create(e.key(), e.value()));
          s.push_back(l);
        }));
  t.add("aten::update", Operation([](Stack &s) {
          Dict other = pop(s).toGenericDict(), d = pop(s).toGenericDict();
          for (const auto &e : other)
            d.insert_or_assign(e.key(), e.value());
        }));
  t.add("aten::copy", Operation([](Stack &s) { s.push_back(copyOf(pop(s).toGenericDict())); }));
  t.add("aten::dict", [](const Node &n, const TypeConverter &types) -> Operation {
    c10::TypePtr type = types(n.output()->type());
    auto dictType = type->cast<c10::DictType>();
    c10::TypePtr k = dictType ? dictType->getKeyType() : c10::StringType::get();
    c10::TypePtr v = dictType ? dictType->getValueType() : c10::TensorType::get();
    size_t inputs = n.inputs().size();
    return [k, v, inputs](Stack &s) {
      Dict out(k, v);
      if (inputs == 0)
        return s.push_back(out);
      IValue src = pop(s);
      if (src.isGenericDict()) {
        for (const auto &e : src.toGenericDict())
          out.insert_or_assign(e.key(), e.value());
      } else {
        for (const IValue &pair : src.toListRef()) {
          const auto &kv = pair.toTupleRef().elements();
          out.insert_or_assign(kv[0], kv[1]);
        }
      }
      s.push_back(out);
    };
  });
}

} // namespace ember::runtime
