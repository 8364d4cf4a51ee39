//===- runtime/kernels/ListKernels.cpp - list methods and builtins --------===//
//
// Lists are c10::List values shared by reference, as Python lists are:
// append/insert/pop/sort mutate the list every alias sees. New lists keep
// the element type of the list they come from.
//
//===----------------------------------------------------------------------===//
#include "runtime/Kernels.h"
#include "runtime/Values.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace ember::runtime {
namespace {

using IValue = c10::IValue;
using List = c10::List<IValue>;

std::vector<IValue> elements(const List &l) { return std::vector<IValue>(l.begin(), l.end()); }

void sortValues(std::vector<IValue> &v, bool reverse) {
  std::stable_sort(v.begin(), v.end(), [reverse](const IValue &a, const IValue &b) {
    return reverse ? valueLess(b, a) : valueLess(a, b);
  });
}

int64_t sliceIndex(const IValue &v, int64_t size, int64_t step, bool isStart) {
  if (v.isNone())
    return step > 0 ? (isStart ? 0 : size) : (isStart ? size - 1 : -1);
  int64_t i = v.toInt();
  if (i < 0)
    i += size;
  if (step > 0)
    return std::max<int64_t>(0, std::min(size, i));
  return std::max<int64_t>(-1, std::min(size - 1, i));
}

} // namespace

/// Python slice positions [start:end:step] over `size` items.
std::vector<int64_t> slicePositions(const IValue &start, const IValue &end, int64_t step,
                                    int64_t size) {
  if (step == 0)
    throw PythonError("ValueError", "slice step cannot be zero");
  int64_t b = sliceIndex(start, size, step, true), e = sliceIndex(end, size, step, false);
  std::vector<int64_t> out;
  for (int64_t i = b; step > 0 ? i < e : i > e; i += step)
    out.push_back(i);
  return out;
}

namespace {

void addAccessKernels(KernelTable &t) {
  t.add("aten::__getitem__", Operation([](Stack &s) {
          IValue key = pop(s), self = pop(s);
          if (self.isGenericDict()) {
            auto d = self.toGenericDict();
            auto it = d.find(key);
            if (it == d.end())
              throw PythonError("KeyError", valueStr(key));
            return s.push_back(it->value());
          }
          List l = self.toList();
          s.push_back(l.get(normalizeIndex(key.toInt(), l.size(), "list")));
        }));
  t.add("aten::select.t", Operation([](Stack &s) {
          int64_t i = pop(s).toInt();
          List l = pop(s).toList();
          s.push_back(l.get(normalizeIndex(i, l.size(), "list")));
        }));
  t.add("aten::_set_item", Operation([](Stack &s) {
          IValue value = pop(s), key = pop(s), self = pop(s);
          if (self.isGenericDict()) {
            self.toGenericDict().insert_or_assign(key, value);
            return;
          }
          List l = self.toList();
          l.set(normalizeIndex(key.toInt(), l.size(), "list assignment"), value);
          s.push_back(self);
        }));
  t.add("aten::slice.t", Operation([](Stack &s) {
          int64_t step = pop(s).toInt();
          IValue end = pop(s), start = pop(s);
          List l = pop(s).toList();
          std::vector<IValue> out;
          for (int64_t i : slicePositions(start, end, step, int64_t(l.size())))
            out.push_back(l.get(size_t(i)));
          s.push_back(listLike(l, std::move(out)));
        }));
  t.add("aten::slice.str", Operation([](Stack &s) {
          int64_t step = pop(s).toInt();
          IValue end = pop(s), start = pop(s);
          std::string str = pop(s).toStringRef(), out;
          for (int64_t i : slicePositions(start, end, step, int64_t(str.size())))
            out += str[size_t(i)];
          s.push_back(out);
        }));
  t.add("aten::len", Operation([](Stack &s) {
          IValue v = pop(s);
          if (v.isGenericDict())
            return s.push_back(int64_t(v.toGenericDict().size()));
          if (v.isString())
            return s.push_back(int64_t(v.toStringRef().size()));
          if (v.isTensor()) {
            const at::Tensor &x = v.toTensor();
            if (x.dim() == 0)
              throw PythonError("RuntimeError", "len() of a 0-d tensor");
            return s.push_back(x.size(0));
          }
          s.push_back(int64_t(v.toListRef().size()));
        }));
  t.add("aten::__contains__", Operation([](Stack &s) {
          IValue item = pop(s), self = pop(s);
          if (self.isGenericDict())
            return s.push_back(self.toGenericDict().contains(item));
          if (self.isString())
            return s.push_back(self.toStringRef().find(item.toStringRef()) != std::string::npos);
          for (const IValue &e : self.toListRef())
            if (valuesEqual(e, item))
              return s.push_back(true);
          s.push_back(false);
        }));
}

void addMutationKernels(KernelTable &t) {
  t.add("aten::append.t", Operation([](Stack &s) {
          IValue el = pop(s);
          IValue self = pop(s);
          self.toList().push_back(el);
          s.push_back(self);
        }));
  t.add("aten::extend.t", Operation([](Stack &s) {
          List other = pop(s).toList(), self = pop(s).toList();
          std::vector<IValue> add = elements(other);
          for (auto &e : add)
            self.push_back(e);
        }));
  t.add("aten::add_.t", Operation([](Stack &s) {
          List other = pop(s).toList();
          IValue self = pop(s);
          std::vector<IValue> add = elements(other);
          for (auto &e : add)
            self.toList().push_back(e);
          s.push_back(self);
        }));
  t.add("aten::insert.t", Operation([](Stack &s) {
          IValue el = pop(s);
          int64_t i = pop(s).toInt();
          List l = pop(s).toList();
          int64_t n = int64_t(l.size());
          i = i < 0 ? std::max<int64_t>(0, i + n) : std::min(i, n);
          l.insert(l.begin() + i, el);
        }));
  t.add("aten::pop", [](const Node &n, const TypeConverter &) -> Operation {
    bool withDefault = n.inputs().size() == 3;
    return [withDefault](Stack &s) {
      IValue dflt = withDefault ? pop(s) : IValue();
      IValue key = pop(s), self = pop(s);
      if (self.isGenericDict()) {
        auto d = self.toGenericDict();
        auto it = d.find(key);
        if (it == d.end()) {
          if (!withDefault)
            throw PythonError("KeyError", valueStr(key));
          return s.push_back(dflt);
        }
        IValue v = it->value();
        (void)d.erase(key);
        return s.push_back(v);
      }
      List l = self.toList();
      if (l.empty())
        throw PythonError("IndexError", "pop from empty list");
      size_t i = normalizeIndex(key.toInt(), l.size(), "pop");
      IValue v = l.get(i);
      l.erase(l.begin() + i);
      s.push_back(v);
    };
  });
  t.add("aten::remove", Operation([](Stack &s) {
          IValue el = pop(s);
          List l = pop(s).toList();
          for (size_t i = 0; i < l.size(); ++i)
            if (valuesEqual(l.get(i), el)) {
              l.erase(l.begin() + i);
              return;
            }
          throw PythonError("ValueError", "list.remove(x): x not in list");
        }));
  t.add("aten::clear", Operation([](Stack &s) {
          IValue self = pop(s);
          if (self.isGenericDict())
            self.toGenericDict().clear();
          else
            self.toList().clear();
        }));
  t.add("aten::Delete", Operation([](Stack &s) {
          IValue key = pop(s), self = pop(s);
          if (self.isGenericDict()) {
            if (!self.toGenericDict().erase(key))
              throw PythonError("KeyError", valueStr(key));
            return;
          }
          List l = self.toList();
          l.erase(l.begin() + normalizeIndex(key.toInt(), l.size(), "list assignment"));
        }));
  t.add("aten::reverse.t", Operation([](Stack &s) {
          List l = pop(s).toList();
          std::vector<IValue> v = elements(l);
          for (size_t i = 0; i < v.size(); ++i)
            l.set(i, v[v.size() - 1 - i]);
        }));
  t.add("aten::sort", Operation([](Stack &s) {
          bool reverse = pop(s).toBool();
          List l = pop(s).toList();
          std::vector<IValue> v = elements(l);
          sortValues(v, reverse);
          for (size_t i = 0; i < v.size(); ++i)
            l.set(i, v[i]);
        }));
  t.add("aten::mul_.t", Operation([](Stack &s) {
          int64_t n = pop(s).toInt();
          IValue self = pop(s);
          List l = self.toList();
          std::vector<IValue> v = elements(l);
          l.clear();
          for (int64_t k = 0; k < n; ++k)
            for (auto &e : v)
              l.push_back(e);
          s.push_back(self);
        }));
}

void addReductionKernels(KernelTable &t) {
  t.add("aten::sorted", Operation([](Stack &s) {
          List l = pop(s).toList();
          std::vector<IValue> v = elements(l);
          sortValues(v, false);
          s.push_back(listLike(l, std::move(v)));
        }));
  auto extreme = [](bool isMax) {
    return [isMax](Stack &s) {
      List l = pop(s).toList();
      if (l.empty())
        throw PythonError("ValueError", std::string(isMax ? "max" : "min") + "() arg is an empty sequence");
      IValue best = l.get(0);
      for (size_t i = 1; i < l.size(); ++i)
        if (isMax ? valueLess(best, l.get(i)) : valueLess(l.get(i), best))
          best = l.get(i);
      s.push_back(best);
    };
  };
  auto pairwise = [](bool isMax) {
    return [isMax](Stack &s) {
      IValue b = pop(s), a = pop(s);
      s.push_back(isMax ? (valueLess(a, b) ? b : a) : (valueLess(b, a) ? b : a));
    };
  };
  for (const char *k : {"self_int", "self_float", "self_bool"}) {
    t.add(std::string("prim::max.") + k, Operation(extreme(true)));
    t.add(std::string("prim::min.") + k, Operation(extreme(false)));
  }
  for (const char *k : {"int_list", "float_list", "bool_list"}) {
    t.add(std::string("prim::max.") + k, Operation(pairwise(true)));
    t.add(std::string("prim::min.") + k, Operation(pairwise(false)));
  }
  t.add("aten::sum.int", Operation([](Stack &s) {
          int64_t r = 0;
          for (const IValue &e : pop(s).toListRef()) r += e.toInt();
          s.push_back(r);
        }));
  t.add("aten::sum.bool", Operation([](Stack &s) {
          int64_t r = 0;
          for (const IValue &e : pop(s).toListRef()) r += e.toBool();
          s.push_back(r);
        }));
  t.add("aten::sum.float", Operation([](Stack &s) {
          double r = 0;
          for (const IValue &e : pop(s).toListRef()) r += e.toDouble();
          s.push_back(r);
        }));
  t.add("aten::sum.complex", Operation([](Stack &s) {
          c10::complex<double> r = 0;
          for (const IValue &e : pop(s).toListRef())
            r += e.toComplexDouble();
          s.push_back(r);
        }));
  auto anyAll = [](bool all) {
    return [all](Stack &s) {
      for (const IValue &e : pop(s).toListRef()) {
        bool truth = e.isString() ? !e.toStringRef().empty() : asDouble(e) != 0;
        if (truth != all)
          return s.push_back(!all);
      }
      s.push_back(all);
    };
  };
  for (const char *k : {"int", "float", "bool", "str"}) {
    t.add(std::string("aten::any.") + k, Operation(anyAll(false)));
    t.add(std::string("aten::all.") + k, Operation(anyAll(true)));
  }
  auto listIndex = [](Stack &s) {
    IValue el = pop(s);
    auto l = pop(s).toListRef();
    for (size_t i = 0; i < l.size(); ++i)
      if (valuesEqual(l[i], el))
        return s.push_back(int64_t(i));
    throw PythonError("ValueError", "'" + valueStr(el) + "' is not in list");
  };
  auto listCount = [](Stack &s) {
    IValue el = pop(s);
    int64_t n = 0;
    for (const IValue &e : pop(s).toListRef())
      n += valuesEqual(e, el);
    s.push_back(n);
  };
  for (const char *k : {"int", "float", "bool", "Tensor", "str"}) {
    t.add(std::string("aten::index.list_") + k, Operation(listIndex));
    t.add(std::string("aten::count.") + k, Operation(listCount));
  }
}

void addConstructionKernels(KernelTable &t) {
  t.add("aten::add.t", Operation([](Stack &s) {
          List b = pop(s).toList(), a = pop(s).toList();
          std::vector<IValue> v = elements(a), w = elements(b);
          v.insert(v.end(), w.begin(), w.end());
          s.push_back(listLike(a, std::move(v)));
        }));
  auto repeat = [](bool listFirst) {
    return [listFirst](Stack &s) {
      IValue y = pop(s), x = pop(s);
      List l = (listFirst ? x : y).toList();
      int64_t n = (listFirst ? y : x).toInt();
      std::vector<IValue> v, e = elements(l);
      for (int64_t k = 0; k < n; ++k)
        v.insert(v.end(), e.begin(), e.end());
      s.push_back(listLike(l, std::move(v)));
    };
  };
  t.add("aten::mul.left_t", Operation(repeat(true)));
  t.add("aten::mul.right_", Operation(repeat(false)));
  t.add("aten::copy.t", Operation([](Stack &s) {
          List l = pop(s).toList();
          s.push_back(listLike(l, elements(l)));
        }));
  t.add("aten::list.t", Operation([](Stack &s) {
          List l = pop(s).toList();
          s.push_back(listLike(l, elements(l)));
        }));
  t.add("prim::rangelist", Operation([](Stack &s) {
          int64_t n = pop(s).toInt();
          c10::List<int64_t> l;
          for (int64_t i = 0; i < n; ++i)
            l.push_back(i);
          s.push_back(l);
        }));
  t.add("aten::__range_length", Operation([](Stack &s) {
          int64_t step = pop(s).toInt(), hi = pop(s).toInt(), lo = pop(s).toInt();
          if (step == 0)
            throw PythonError("ValueError", "range() arg 3 must not be zero");
          int64_t n = step > 0 ? (lo < hi ? 1 + (hi - 1 - lo) / step : 0)
                               : (lo > hi ? 1 + (lo - 1 - hi) / (-step) : 0);
          s.push_back(n);
        }));
  t.add("aten::__derive_index", Operation([](Stack &s) {
          int64_t step = pop(s).toInt(), start = pop(s).toInt(), index = pop(s).toInt();
          s.push_back(start + index * step);
        }));
  for (const char *name : {"aten::_single", "aten::_pair", "aten::_triple", "aten::_quadruple"})
    t.add(name, Operation([](Stack &) {})); // the broadcast happened at the call
  t.add("aten::list_with_default", Operation([](Stack &s) {
          size_t defaults = pop(s).toList().size();
          if (defaults <= peek(s, 0, 1).toList().size())
            throw PythonError("ValueError", "Input dimension should be at least " +
                                                std::to_string(peek(s, 0, 1).toList().size() + 1));
        }));
  t.add("aten::_infer_size", Operation([](Stack &s) {
          std::vector<int64_t> b = pop(s).toIntVector(), a = pop(s).toIntVector();
          s.push_back(c10::List<int64_t>(at::infer_size(a, b)));
        }));
}

} // namespace

void addListKernels(KernelTable &t) {
  addAccessKernels(t);
  addMutationKernels(t);
  addReductionKernels(t);
  addConstructionKernels(t);
}

} // namespace ember::runtime
