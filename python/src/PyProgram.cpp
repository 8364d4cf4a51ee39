//===- python/src/PyProgram.cpp - programs, functions and classes ---------===//
//
// A ScriptProgram compiled from Python sources, with a resolver that reads
// Python globals; its functions callable with Python values; module
// classes assembled from a header and method sources by the `ember`
// package (ember.script of an nn.Module).
//
//===----------------------------------------------------------------------===//
#include "frontend/DefaultValues.h"
#include "frontend/Parser.h"
#include "ir/Printer.h"
#include "python/src/Bindings.h"

#include "engine/Specialization.h"
#include "runtime/Interpreter.h"

#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <ATen/core/class_type.h>

#include <algorithm>
#include <mutex>
#include <unordered_map>

namespace ember::python {
namespace {

/// The module of `text`; with `className`, its class is compiled under that
/// name, the qualified one TorchScript gives it (`mod.Point`), as archive
/// code names it.
std::shared_ptr<frontend::Module> parse(const std::string &text, const std::string &file,
                                        const std::string &className = "") {
  auto buffer = std::make_shared<SourceBuffer>(SourceBuffer{file, text});
  auto module = std::make_shared<frontend::Module>(frontend::parseSource(buffer));
  if (className.empty())
    return module;
  for (auto &s : module->body) {
    if (s->kind != frontend::StmtKind::ClassDef)
      continue;
    s->name = className;
    // TorchScript takes a Python class's methods in name order (from
    // inspect.getmembers), which is the order archives list them in.
    std::vector<frontend::StmtPtr *> defs;
    for (auto &m : s->body)
      if (m->kind == frontend::StmtKind::FunctionDef)
        defs.push_back(&m);
    std::vector<frontend::StmtPtr> sorted;
    for (auto *d : defs)
      sorted.push_back(std::move(*d));
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto &a, const auto &b) { return a->name < b->name; });
    for (size_t i = 0; i < defs.size(); ++i)
      *defs[i] = std::move(sorted[i]);
    break;
  }
  return module;
}

/// The frontend's GlobalValue for the resolver's answer `(kind, payload...)`;
/// empty for a value TorchScript cannot hold as a constant.
std::optional<frontend::GlobalValue> globalValueOf(const py::object &v) {
  auto kind = v[py::int_(0)].cast<std::string>();
  frontend::GlobalValue g;
  if (kind == "module")
    g.module = v[py::int_(1)].cast<std::string>();
  else if (kind == "function") {
    g.function = v[py::int_(1)].cast<std::string>();
    if (py::len(v) > 2)
      g.qualifiedName = v[py::int_(2)].cast<std::string>();
  }
  else if (kind == "python" || kind == "unused") {
    // (def name, name the runtime calls it by)
    auto names = v[py::int_(1)].cast<std::pair<std::string, std::string>>();
    g.function = names.first;
    g.pythonName = names.second;
    g.functionKind = kind == "python" ? frontend::MethodKind::Python : frontend::MethodKind::Unused;
  }
  else if (kind == "member") {
    g.function = v[py::int_(1)].cast<std::string>();
    g.member = v[py::int_(2)].cast<std::string>();
  } else if (kind == "op")
    g.op = v[py::int_(1)].cast<std::string>();
  else if (kind == "exception")
    g.exception = v[py::int_(1)].cast<std::string>();
  else if (kind == "unusable")
    g.unusable = v[py::int_(1)].cast<std::string>();
  else if (kind == "graph") {
    // (name in this program, qualified name, the traced function's handle)
    g.function = v[py::int_(1)].cast<std::string>();
    g.qualifiedName = v[py::int_(2)].cast<std::string>();
    const auto &traced = v[py::int_(3)].cast<const FunctionHandle &>();
    g.graph = traced.program->inlinedGraph(traced.fn->name());
    auto schema = std::make_shared<FunctionSchema>(traced.schema());
    schema->name = g.function;
    g.graphSchema = schema;
  }
  else if (kind == "overloads")
    g.overloads = v[py::int_(1)].cast<std::vector<std::string>>();
  else if (kind == "dispatch") {
    auto t = v[py::int_(1)].cast<std::tuple<std::string, size_t, bool, std::string, std::string>>();
    auto d = std::make_shared<frontend::GlobalValue::BoolDispatch>();
    std::tie(d->argName, d->index, d->defaultValue, d->ifTrue, d->ifFalse) = t;
    g.dispatch = d;
  } else {
    try {
      g.constant = std::make_shared<c10::IValue>(toIValueInferred(v[py::int_(1)]));
    } catch (const py::type_error &) {
      return std::nullopt;
    }
  }
  return g;
}

/// Builds the frontend's resolver from a Python object with `source(name)`
/// -> (text, filename[, qualified class name]) | None and `value(name)` -> (kind, payload) | None.
/// The `compiling` hook of a Python resolver, a named type so that the
/// program's Python resolver can be found again (Program.resolver).
struct PythonCompilingHook {
  py::object resolver;
  void operator()(const std::string &file) const {
    py::gil_scoped_acquire gil;
    resolver.attr("compiling")(file);
  }
};

frontend::GlobalResolver pythonResolver(py::object resolver) {
  frontend::GlobalResolver r;
  r.function = [resolver](const std::string &name) -> std::shared_ptr<const frontend::Module> {
    py::gil_scoped_acquire gil;
    py::object src = resolver.attr("source")(name);
    if (src.is_none())
      return nullptr;
    auto tuple = src.cast<py::tuple>();
    return parse(tuple[0].cast<std::string>(), tuple[1].cast<std::string>(),
                 tuple.size() > 2 ? tuple[2].cast<std::string>() : "");
  };
  r.type = [resolver](const std::string &name) -> TypePtr {
    py::gil_scoped_acquire gil;
    py::object qualified = resolver.attr("type")(name);
    if (qualified.is_none())
      return nullptr;
    return Type::classType(qualified.cast<std::string>(), /*isModule=*/true);
  };
  r.compiling = PythonCompilingHook{resolver};
  r.typeAlias = [resolver](const std::string &name) -> std::optional<std::string> {
    py::gil_scoped_acquire gil;
    py::object text = resolver.attr("type_alias")(name);
    if (text.is_none())
      return std::nullopt;
    return text.cast<std::string>();
  };
  r.value = [resolver](const std::string &name) -> std::optional<frontend::GlobalValue> {
    py::gil_scoped_acquire gil;
    py::object v = resolver.attr("value")(name);
    if (v.is_none())
      return std::nullopt;
    return globalValueOf(v);
  };
  return r;
}

// Which program made the objects of a class: the Python call handler needs
// it to convert the receiver of an @ignore'd method.
std::mutex programsMutex;
std::unordered_map<const c10::ClassType *, std::weak_ptr<ScriptProgram>> &programs() {
  static auto *m = new std::unordered_map<const c10::ClassType *, std::weak_ptr<ScriptProgram>>();
  return *m;
}

frontend::MethodKind methodKind(const std::string &kind) {
  if (kind == "script")
    return frontend::MethodKind::Script;
  if (kind == "python")
    return frontend::MethodKind::Python;
  if (kind == "unused")
    return frontend::MethodKind::Unused;
  throw py::value_error("unknown method kind '" + kind + "'");
}

} // namespace

std::shared_ptr<ScriptProgram> programOf(const c10::ClassType *type) {
  std::lock_guard<std::mutex> lock(programsMutex);
  auto it = programs().find(type);
  return it == programs().end() ? nullptr : it->second.lock();
}

namespace {

/// The TorchScript type Python data would be inferred as, for messages:
/// `List[str]`, `Dict[str, int]`; the Python class name where it has none.
std::string inferredTypeName(py::handle obj) {
  try {
    return toIValueInferred(obj).type()->annotation_str();
  } catch (const std::exception &) {
    return py::str(py::type::handle_of(obj).attr("__name__"));
  }
}

/// torch.jit's message for a value that does not fit a parameter.
[[noreturn]] void wrongArgument(const FunctionSchema &schema, size_t position, const Argument &a,
                                py::handle value, const std::string &why) {
  std::string details = a.type->kind() == TypeKind::Union
                            ? "Expected a member of " + a.type->annotationStr() +
                                  " but instead found type " + inferredTypeName(value)
                            : why;
  std::string found = py::str(py::type::handle_of(value).attr("__name__"));
  if (PyTuple_Check(value.ptr()) && py::hasattr(value, "_fields")) {
    found += " (aka NamedTuple(";
    const char *sep = "";
    for (auto field : value.attr("_fields"))
      found += sep + std::string(py::str(field)), sep = ", ";
    found += "))";
  }
  std::string expected = a.type->annotationStr();
  std::string inferred;
  if (a.inferredType) {
    inferred = "\nInferred '" + a.name + "' to be of type '" + expected +
               "' because it was not annotated with an explicit type.";
    expected += " (inferred)";
  }
  throw ArgumentError(schema.name + "() Expected a value of type '" + expected +
                      "' for argument '" + a.name + "' but instead found type '" + found + "'." +
                      inferred + "\nPosition: " + std::to_string(position) +
                      "\nValue: " + std::string(py::repr(value)) +
                      "\nDeclaration: " + schema.str() + "\nCast error details: " + details);
}

} // namespace

runtime::Stack bindArguments(const FunctionSchema &schema, size_t skip, py::args args,
                             py::kwargs kwargs, const runtime::ScriptUnit &unit) {
  runtime::Stack stack;
  size_t nargs = args.size();
  const auto &params = schema.arguments;
  if (nargs > params.size() - skip)
    throw ArgumentError(schema.name + "() expected at most " +
                        std::to_string(params.size() - skip) + " argument(s) but received " +
                        std::to_string(nargs) + " argument(s). Declaration: " + schema.str());
  size_t positional = 0;
  for (size_t i = skip; i < params.size(); ++i)
    positional += params[i].kwargOnly ? 0 : 1;
  if (nargs > positional)
    throw ArgumentError(schema.name + "() takes " + std::to_string(positional) +
                        " positional argument(s) but " + std::to_string(nargs) +
                        " were given. Declaration: " + schema.str());
  size_t used = 0;
  // A number given for an `int[2]` (BroadcastingList2) parameter stands for
  // the list of it repeated, as torch.jit accepts it.
  auto convert = [&](py::handle value, size_t i) {
    const Argument &a = params[i];
    try {
      if (a.N && a.type->kind() == TypeKind::List &&
          (PyLong_Check(value.ptr()) || PyFloat_Check(value.ptr())) && !PyBool_Check(value.ptr())) {
        py::list repeated;
        for (int64_t n = 0; n < *a.N; ++n)
          repeated.append(value);
        return toIValue(repeated, a.type, unit);
      }
      return toIValue(value, a.type, unit);
    } catch (const py::type_error &e) {
      wrongArgument(schema, i, a, value, e.what());
    }
  };
  for (size_t i = skip; i < params.size(); ++i) {
    const Argument &a = params[i];
    size_t k = i - skip;
    if (k < nargs) {
      stack.push_back(convert(args[k], i));
    } else if (kwargs.contains(a.name.c_str())) {
      stack.push_back(convert(kwargs[a.name.c_str()], i));
      ++used;
    } else if (a.defaultValue) {
      stack.push_back(frontend::defaultOf(a));
    } else {
      throw ArgumentError(schema.name + "() is missing value for argument '" + a.name +
                          "'. Declaration: " + schema.str());
    }
  }
  if (used != kwargs.size())
    for (auto item : kwargs) {
      std::string key = py::str(item.first);
      size_t i = skip;
      while (i < params.size() && params[i].name != key)
        ++i;
      if (i == params.size())
        throw ArgumentError("Unknown keyword argument '" + key + "' for operator '" + schema.name +
                            "'. Schema: " + schema.str());
      if (i - skip < nargs)
        throw ArgumentError(schema.name + "() got multiple values for argument '" + key +
                            "'. Declaration: " + schema.str());
    }
  return stack;
}

runtime::Stack FunctionHandle::bind(py::args args, py::kwargs kwargs) const {
  bool bound = !receiver.isNone();
  runtime::Stack stack = bindArguments(schema(), bound ? 1 : 0, args, kwargs, program->unit());
  if (bound)
    stack.insert(stack.begin(), receiver);
  return stack;
}

py::object runFunction(const std::shared_ptr<ScriptProgram> &program, runtime::Function &fn,
                       runtime::Stack stack) {
  runtime::Stack out;
  {
    py::gil_scoped_release release;
    out = fn.run(std::move(stack));
  }
  const FunctionSchema *schema = program->schema(fn.name());
  TypePtr ret = schema && !schema->returns.empty() ? schema->returns[0].type : nullptr;
  if (out.size() != 1)
    return py::none();
  py::object result = toPython(out[0], ret, program);
  // A module comes back as a scripted module, as torch.jit wraps it.
  if (out[0].isObject() && out[0].toObjectRef().type()->is_module())
    return py::module_::import("ember._serialization").attr("_wrap")(result);
  return result;
}

void bindFunctions(py::module_ &m) {
  py::class_<FunctionHandle>(m, "Function")
      .def("__call__",
           [](FunctionHandle &self, py::args args, py::kwargs kwargs) {
             return runFunction(self.program, *self.fn, self.bind(args, kwargs));
           })
      .def_property_readonly("name", [](FunctionHandle &self) {
        const std::string &n = self.fn->name();
        return self.receiver.isNone() ? n : n.substr(n.rfind('.') + 1);
      })
      .def_property_readonly("schema", [](FunctionHandle &self) { return self.schema().str(); })
      .def_property_readonly("graph", [](FunctionHandle &self) { return graphView(*self.fn->graph()); })
      // The graph that runs for these arguments: specialised on them under
      // the jit executor (compiling it if needed), else the graph itself.
      .def("graph_for",
           [](FunctionHandle &self, py::args args, py::kwargs kwargs) {
             return graphView(*graphFor(*self.fn, self.bind(args, kwargs)));
           })
      .def_property_readonly("inlined_graph",
                             [](FunctionHandle &self) {
                               return graphView(*self.program->inlinedGraph(self.fn->name()));
                             })
      // (code, [constants]): a method's code with tensors as CONSTANTS.cN.
      .def_property_readonly("code_with_constants",
                             [](FunctionHandle &self) {
                               std::vector<c10::IValue> table;
                               const std::string &n = self.fn->name();
                               size_t dot = n.rfind('.');
                               std::string code = self.program->methodCode(
                                   n.substr(0, dot), n.substr(dot + 1), &table);
                               py::list constants;
                               for (const auto &v : table)
                                 constants.append(toPython(v, nullptr, self.program));
                               return py::make_tuple(code, constants);
                             })
      .def_property_readonly("code", [](FunctionHandle &self) {
        if (self.receiver.isNone())
          return self.program->code(self.fn->name());
        const std::string &n = self.fn->name();
        size_t dot = n.rfind('.');
        return self.program->methodCode(n.substr(0, dot), n.substr(dot + 1));
      });
}

void bindProgram(py::module_ &m) {
  // The rendered diagnostic if `text` does not parse, else None.
  // torch.jit keeps a module's constants in a std::unordered_map and adds
  // them to the type in its iteration order, which is the order archives
  // print them in: the same map, filled in the same order, gives it.
  m.def("_unordered_map_order", [](const std::vector<std::string> &names) {
    std::unordered_map<std::string, int> map;
    for (const std::string &n : names)
      map.emplace(n, 0);
    std::vector<std::string> order;
    for (const auto &entry : map)
      order.push_back(entry.first);
    return order;
  });
  m.def("_parse_error", [](const std::string &text, const std::string &file) -> py::object {
    try {
      parse(text, file);
      return py::none();
    } catch (const CompileError &e) {
      return py::str(e.what());
    }
  });
  py::class_<ScriptProgram, std::shared_ptr<ScriptProgram>>(m, "Program")
      .def(py::init([](py::object resolver) {
        auto program = std::make_shared<ScriptProgram>(pythonResolver(std::move(resolver)));
        registerProgram(program);
        return program;
      }))
      // The Python resolver the program was made with or given (None for
      // one made in C++ and given none): a module scripted into the program
      // later adds its scopes.
      .def_property_readonly("resolver",
                             [](ScriptProgram &p) -> py::object {
                               for (const auto &r : p.resolvers())
                                 if (const auto *hook = r.compiling.target<PythonCompilingHook>())
                                   return hook->resolver;
                               return py::none();
                             })
      .def("add_resolver",
           [](ScriptProgram &p, py::object resolver) {
             p.addResolver(pythonResolver(std::move(resolver)));
           })
      .def(
          "add_source",
          [](ScriptProgram &p, const std::string &text, const std::string &file,
             const std::string &className) { p.addSource(parse(text, file, className)); },
          py::arg("text"), py::arg("file"), py::arg("class_name") = "")
      .def("function", [](std::shared_ptr<ScriptProgram> p, const std::string &name) {
        runtime::Function *fn = p->function(name);
        if (!fn)
          throw py::key_error("no function '" + name + "'");
        return FunctionHandle{p, fn, c10::IValue()};
      })
      // add_class(name, (header_text, file), [(text, file, kind), ...],
      // {method: [overload, ...]}, container, {attribute: why untyped},
      // sharing id): kind is "script", "python" (@ignore) or "unused";
      // container is "list", "dict" or "".
      .def("add_class",
           [](std::shared_ptr<ScriptProgram> p, const std::string &name,
              const std::pair<std::string, std::string> &header,
              const std::vector<std::tuple<std::string, std::string, std::string>> &methods,
              std::map<std::string, std::vector<std::string>> overloads,
              const std::string &container, std::map<std::string, std::string> untyped,
              uint64_t sharingId) {
             std::vector<frontend::ClassMethod> parsed;
             for (const auto &[text, file, kind] : methods)
               parsed.push_back({parse(text, file), methodKind(kind)});
             runtime::ScriptClass &cls =
                 p->addClass(name, parse(header.first, header.second), std::move(parsed),
                             std::move(overloads), container, std::move(untyped));
             cls.sharingId = sharingId;
             std::lock_guard<std::mutex> lock(programsMutex);
             programs()[cls.c10Type.get()] = p;
           },
           py::arg("name"), py::arg("header"), py::arg("methods"), py::arg("overloads"),
           py::arg("container"), py::arg("untyped"), py::arg("sharing") = 0)
      .def("order_methods",
           [](ScriptProgram &p, const std::string &name, const std::vector<std::string> &first) {
             p.compiler().orderMethods(name, first);
           })
      .def("check_hooks",
           [](ScriptProgram &p, const std::string &name) { p.compiler().checkHooks(name); })
      .def("has_class", [](std::shared_ptr<ScriptProgram> p, const std::string &name) {
        return p->unit().findClass("__torch__." + name) != nullptr;
      })
      // object_of(class, value, interface): a Python instance of script
      // class `class` as a script object of this program, checked against
      // `interface` when one is named (TorchScript's words if it does not fit).
      .def("object_of",
           [](std::shared_ptr<ScriptProgram> p, const std::string &name, py::handle value,
              const std::string &iface) {
             runtime::ScriptClass *cls = p->loadClass(name);
             if (!cls)
               throw py::type_error("no class '" + name + "'");
             if (!iface.empty()) {
               std::string why = p->compiler().whyNotImplements(name, iface);
               if (!why.empty())
                 throw py::type_error("Object of type __torch__." + name +
                                      " is not compatible with interface __torch__." + iface +
                                      "\n" + why);
             }
             return ScriptObjectHandle{toIValue(value, cls->type, p->unit()), p};
           })
      .def("new_object", [](std::shared_ptr<ScriptProgram> p, const std::string &name) {
        runtime::ScriptClass *cls = p->unit().findClass("__torch__." + name);
        if (!cls)
          throw py::key_error("no class '" + name + "'");
        return ScriptObjectHandle{p->newObject(*cls), p};
      });
}

} // namespace ember::python
