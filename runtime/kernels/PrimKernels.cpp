//===- runtime/kernels/PrimKernels.cpp - containers, objects, effects -----===//
//
// The prim:: operators that are not control flow or calls: building and
// taking apart lists, tuples and dicts (with the element types the graph
// declares), creating objects, isinstance, casts, raising, printing,
// warnings and waiting on futures.
//
//===----------------------------------------------------------------------===//
#include "runtime/Fork.h"
#include "runtime/Interpreter.h"
#include "runtime/Kernels.h"
#include "runtime/ScriptError.h"
#include "runtime/Values.h"

#include <ATen/core/class_type.h>
#include <ATen/core/jit_type.h>

namespace ember::runtime {
namespace {

using IValue = c10::IValue;

void addContainerKernels(KernelTable &t) {
  t.add("prim::ListConstruct", [](const Node &n, const TypeConverter &types) -> Operation {
    c10::TypePtr elem = types(n.output()->type()->elem());
    size_t count = n.inputs().size();
    return [elem, count](Stack &s) {
      c10::impl::GenericList l(elem);
      l.reserve(count);
      for (size_t i = 0; i < count; ++i)
        l.push_back(std::move(peek(s, i, count)));
      drop(s, count);
      s.push_back(std::move(l));
    };
  });
  t.add("prim::ListUnpack", [](const Node &n, const TypeConverter &) -> Operation {
    size_t count = n.outputs().size();
    return [count](Stack &s) {
      auto l = pop(s).toList();
      if (l.size() != count)
        throw PythonError("ValueError", "Expected " + std::to_string(count) +
                                            " elements in a list but found " + std::to_string(l.size()));
      for (size_t i = 0; i < count; ++i)
        s.push_back(l.get(i));
    };
  });
  t.add("prim::TupleConstruct", [](const Node &n, const TypeConverter &types) -> Operation {
    size_t count = n.inputs().size();
    c10::TypePtr named = n.output()->type()->isNamedTuple() ? types(n.output()->type()) : nullptr;
    return [count, named](Stack &s) {
      std::vector<IValue> elems(std::make_move_iterator(s.end() - count), std::make_move_iterator(s.end()));
      drop(s, count);
      if (named)
        s.push_back(c10::ivalue::Tuple::createNamed(std::move(elems), named->expect<c10::TupleType>()));
      else
        s.push_back(c10::ivalue::Tuple::create(std::move(elems)));
    };
  });
  t.add("prim::EnumName", Operation([](Stack &s) { s.push_back(pop(s).toEnumHolder()->name()); }));
  t.add("prim::EnumValue", Operation([](Stack &s) { s.push_back(pop(s).toEnumHolder()->value()); }));
  t.add("prim::TupleUnpack", Operation([](Stack &s) {
          auto tuple = pop(s).toTuple();
          for (const IValue &e : tuple->elements())
            s.push_back(e);
        }));
  t.add("prim::TupleIndex", Operation([](Stack &s) {
          int64_t i = pop(s).toInt();
          auto tuple = pop(s).toTuple();
          s.push_back(tuple->elements()[normalizeIndex(i, tuple->elements().size(), "tuple")]);
        }));
  t.add("prim::TupleSlice", [](const Node &n, const TypeConverter &) -> Operation {
    int64_t b = n.i(Symbol::attr("beg")), e = n.i(Symbol::attr("end"));
    return [b, e](Stack &s) {
      auto tuple = pop(s).toTuple();
      std::vector<IValue> out(tuple->elements().begin() + b, tuple->elements().begin() + e);
      s.push_back(c10::ivalue::Tuple::create(std::move(out)));
    };
  });
  t.add("prim::DictConstruct", [](const Node &n, const TypeConverter &types) -> Operation {
    const TypePtr &type = n.output()->type();
    c10::TypePtr k = types(type->contained()[0]), v = types(type->contained()[1]);
    size_t count = n.inputs().size();
    return [k, v, count](Stack &s) {
      c10::impl::GenericDict d(k, v);
      for (size_t i = 0; i < count; i += 2)
        d.insert_or_assign(peek(s, i, count), peek(s, i + 1, count));
      drop(s, count);
      s.push_back(std::move(d));
    };
  });
}

void addObjectKernels(KernelTable &t) {
  t.add("prim::CreateObject", [](const Node &n, const TypeConverter &types) -> Operation {
    c10::TypePtr type = types(n.output()->type());
    auto cls = type->cast<c10::ClassType>();
    if (!cls)
      return nullptr;
    return [cls](Stack &s) {
      s.push_back(c10::ivalue::Object::create(c10::StrongTypePtr(nullptr, cls), cls->numAttributes()));
    };
  });
  t.add("prim::isinstance", [](const Node &n, const TypeConverter &types) -> Operation {
    std::vector<c10::TypePtr> candidates;
    for (const TypePtr &ty : n.findAttribute(Symbol::attr("types"))->tys)
      candidates.push_back(types(ty));
    return [candidates](Stack &s) {
      IValue v = pop(s);
      c10::TypePtr actual = v.type();
      bool r = false;
      for (const auto &c : candidates)
        r |= actual->isSubtypeOf(*c);
      s.push_back(r);
    };
  });
  // A module container indexed by a value (TorchScript's attribute lookup:
  // entry "-1" does not exist, as in torch.jit).
  t.add("prim::ModuleContainerIndex", Operation([](Stack &s) {
          IValue index = pop(s);
          auto obj = pop(s).toObject();
          std::string key = index.isInt() ? std::to_string(index.toInt()) : index.toStringRef();
          auto slot = obj->type()->findAttributeSlot(key);
          if (!slot)
            throw PythonError("RuntimeError", obj->type()->repr_str() +
                                                  " does not have a field with name '" + key + "'");
          s.push_back(obj->getSlot(*slot));
        }));
  t.add("prim::unchecked_cast", Operation([](Stack &) {}));
  t.add("prim::unchecked_unwrap_optional", Operation([](Stack &) {}));
  t.add("aten::_unwrap_optional", Operation([](Stack &s) {
          if (s.back().isNone())
            throw PythonError("AssertionError", "Unwrapping null optional");
        }));
  t.add("prim::Uninitialized", Operation([](Stack &s) { s.push_back(IValue()); }));
  t.add("prim::id", Operation([](Stack &s) {
          IValue v = pop(s);
          s.push_back(v.isNone() ? int64_t(0) : int64_t(reinterpret_cast<intptr_t>(v.internalToPointer())));
        }));
  t.add("prim::IfThenElse", Operation([](Stack &s) {
          IValue b = pop(s), a = pop(s);
          s.push_back(pop(s).toBool() ? a : b);
        }));
}

void addEffectKernels(KernelTable &t) {
  t.add("prim::RaiseException", Operation([](Stack &s) {
          IValue cls = pop(s);
          std::string msg = pop(s).toStringRef();
          throw ScriptError(cls.isNone() ? "RuntimeError" : cls.toStringRef(), msg);
        }));
  t.add("prim::Print", [](const Node &n, const TypeConverter &) -> Operation {
    size_t count = n.inputs().size();
    return [count](Stack &s) {
      std::string line;
      for (size_t i = 0; i < count; ++i)
        line += (i ? " " : "") + valueStr(peek(s, i, count));
      drop(s, count);
      emitPrint(line + "\n");
    };
  });
  t.add("prim::PythonOp", [](const Node &n, const TypeConverter &) -> Operation {
    size_t count = n.inputs().size();
    std::string name = n.s(attr::name());
    TypePtr result = n.output()->type();
    return [count, name, result](Stack &s) {
      Stack args(s.end() - count, s.end());
      drop(s, count);
      s.push_back(callPython(name, std::move(args), result));
    };
  });
  t.add("aten::warn", [](const Node &n, const TypeConverter &) -> Operation {
    const void *site = &n;
    // Reported where the call is in the script source, as TorchScript does.
    std::string file;
    int64_t line = 0;
    if (const auto &loc = n.sourceLocation(); loc && loc->file) {
      file = *loc->file;
      line = loc->line;
    }
    return [site, file, line](Stack &s) {
      pop(s); // stacklevel
      c10::IValue message = pop(s);
      if (firstWarningAt(site))
        emitWarning(message.toStringRef(), file, line);
    };
  });
  t.add("aten::wait", Operation([](Stack &s) { s.push_back(waitFuture(pop(s).toFuture())); }));
  t.add("prim::AddStatValue", Operation([](Stack &s) { drop(s, 2); }));
}

} // namespace

void addPrimKernels(KernelTable &t) {
  addContainerKernels(t);
  addObjectKernels(t);
  addEffectKernels(t);
}

} // namespace ember::runtime
