//===- python/src/PyGraph.cpp - graphs, nodes, values and types -----------===//
//
// The objects torch.jit's Python API hands out for a graph (`fn.graph`):
// `graph.nodes()`, `graph.findAllNodes("prim::If")`, `node.kind()`,
// `node.output().type().sizes()`, `value.debugName()`, ... Tests written for
// torch.jit walk graphs this way. Each view holds a copy of the function's
// graph, so that nothing a user does through it reaches compiled code, and
// nodes and values compare equal when they are the same IR object.
//
//===----------------------------------------------------------------------===//
#include "python/src/Bindings.h"

#include "ir/Constants.h"
#include "ir/Printer.h"

#include <pybind11/stl.h>

namespace ember::python {
namespace {

struct GraphRef {
  std::shared_ptr<Graph> graph;
};
struct BlockRef {
  std::shared_ptr<Graph> graph;
  const Block *block;
};
struct NodeRef {
  std::shared_ptr<Graph> graph;
  const Node *node;
};
struct ValueRef {
  std::shared_ptr<Graph> graph;
  const Value *value;
};
struct TypeRef {
  TypePtr type;
  uint64_t sharingId = 0; // a module class's ScriptClass::sharingId
};
struct UseRef {
  NodeRef user;
  size_t offset;
};

template <typename T> std::vector<ValueRef> valueRefs(const std::shared_ptr<Graph> &g, const T &vs) {
  std::vector<ValueRef> out;
  for (const Value *v : vs)
    out.push_back({g, v});
  return out;
}

/// torch.jit's graph API hands out iterators (`next(graph.outputs())`).
template <typename T> py::iterator iterOf(std::vector<T> items) {
  return py::iter(py::cast(std::move(items)));
}

std::vector<NodeRef> nodeRefs(const std::shared_ptr<Graph> &g, const Block *b) {
  std::vector<NodeRef> out;
  for (const Node *n : b->nodes())
    out.push_back({g, n});
  return out;
}

/// Nodes of `kind` in `b`, in order, looking into nested blocks when
/// `recurse` (TorchScript's findAllNodes).
void findNodes(const std::shared_ptr<Graph> &g, const Block *b, Symbol kind, bool recurse,
               std::vector<NodeRef> &out) {
  for (const Node *n : b->nodes()) {
    if (n->kind() == kind)
      out.push_back({g, n});
    if (recurse)
      for (const Block *nested : n->blocks())
        findNodes(g, nested, kind, recurse, out);
  }
}

py::object findFirst(const std::shared_ptr<Graph> &g, const Block *b, const std::string &kind,
                     bool recurse) {
  std::vector<NodeRef> found;
  findNodes(g, b, Symbol::fromQualString(kind), recurse, found);
  return found.empty() ? py::none() : py::cast(found.front());
}

std::vector<NodeRef> findAll(const std::shared_ptr<Graph> &g, const Block *b,
                             const std::string &kind, bool recurse) {
  std::vector<NodeRef> found;
  findNodes(g, b, Symbol::fromQualString(kind), recurse, found);
  return found;
}

/// torch._C's class name of a type (`TensorType`, `ListType`, ...).
const char *kindName(const Type &t) {
  switch (t.kind()) {
  case TypeKind::Tensor: return "TensorType";
  case TypeKind::Int: return "IntType";
  case TypeKind::Float: return "FloatType";
  case TypeKind::Bool: return "BoolType";
  case TypeKind::Str: return "StringType";
  case TypeKind::Complex: return "ComplexType";
  case TypeKind::None: return "NoneType";
  case TypeKind::Number: return "NumberType";
  case TypeKind::Device: return "DeviceObjType";
  case TypeKind::Layout: return "LayoutType";
  case TypeKind::ScalarType: return "ScalarTypeType";
  case TypeKind::MemoryFormat: return "MemoryFormatType";
  case TypeKind::Generator: return "GeneratorType";
  case TypeKind::Stream: return "StreamObjType";
  case TypeKind::Storage: return "StorageType";
  case TypeKind::Capsule: return "CapsuleType";
  case TypeKind::Any: return "AnyType";
  case TypeKind::AnyList: return "AnyListType";
  case TypeKind::AnyTuple: return "AnyTupleType";
  case TypeKind::AnyClass: return "AnyClassType";
  case TypeKind::AnyEnum: return "AnyEnumType";
  case TypeKind::List: return "ListType";
  case TypeKind::Dict: return "DictType";
  case TypeKind::Tuple: return "TupleType";
  case TypeKind::Optional: return "OptionalType";
  case TypeKind::Union: return "UnionType";
  case TypeKind::Future: return "FutureType";
  case TypeKind::RRef: return "RRefType";
  case TypeKind::Class: return "ClassType";
  case TypeKind::Interface: return "InterfaceType";
  case TypeKind::Enum: return "EnumType";
  case TypeKind::Function: return "FunctionType";
  case TypeKind::Var: return "VarType";
  case TypeKind::SymInt: return "SymIntType";
  case TypeKind::Quantizer: return "QuantizerType";
  case TypeKind::QScheme: return "QSchemeType";
  case TypeKind::Dimname: return "DimnameType";
  }
  return "Type";
}

const TensorInfo *tensorInfo(const TypeRef &t) {
  return t.type->kind() == TypeKind::Tensor ? &t.type->tensorInfo() : nullptr;
}

/// Sizes or strides as torch.jit gives them: None unless every entry is known.
py::object concrete(const std::optional<std::vector<std::optional<int64_t>>> &dims) {
  if (!dims)
    return py::none();
  py::list out;
  for (const auto &d : *dims) {
    if (!d)
      return py::none();
    out.append(*d);
  }
  return std::move(out);
}

py::object attributePayload(const NodeRef &n, const std::string &name) {
  const AttributeValue *a = n.node->findAttribute(Symbol::attr(name));
  if (!a)
    throw py::key_error("node has no attribute '" + name + "'");
  switch (a->kind) {
  case AttributeKind::i: return py::int_(a->i);
  case AttributeKind::f: return py::float_(a->f);
  case AttributeKind::c: return py::cast(a->c);
  case AttributeKind::s: return py::str(a->s);
  case AttributeKind::is: return py::cast(a->is);
  case AttributeKind::fs: return py::cast(a->fs);
  case AttributeKind::cs: return py::cast(a->cs);
  case AttributeKind::ss: return py::cast(a->ss);
  case AttributeKind::ty: return py::cast(TypeRef{a->ty});
  case AttributeKind::g: return py::cast(GraphRef{a->g});
  case AttributeKind::t:
  case AttributeKind::ts:
  case AttributeKind::ival: return toPython(*a->ival, nullptr, nullptr);
  default: throw py::type_error("attribute '" + name + "' cannot be read from Python");
  }
}

std::vector<TypeRef> containedOf(const TypeRef &t) {
  std::vector<TypeRef> out;
  for (const auto &c : t.type->contained())
    out.push_back({c});
  return out;
}

void bindTypes(py::module_ &m) {
  py::class_<TypeRef>(m, "Type")
      // torch.jit shows a type as its annotation (`List[int]`); `str()` is
      // the IR form (`int[]`, `Float(2, 3, ...)`).
      .def("__str__", [](const TypeRef &t) { return t.type->annotationStr(); })
      .def("__repr__", [](const TypeRef &t) { return t.type->annotationStr(); })
      .def("str", [](const TypeRef &t) { return t.type->str(); })
      .def("kind", [](const TypeRef &t) { return kindName(*t.type); })
      .def_property_readonly("annotation_str", [](const TypeRef &t) { return t.type->annotationStr(); })
      .def("annotation_str_", [](const TypeRef &t) { return t.type->annotationStr(); })
      .def("__eq__",
           [](const TypeRef &a, py::object b) {
             if (py::isinstance<TypeRef>(b)) {
               const TypeRef &other = b.cast<const TypeRef &>();
               // Classes of two programs are one type where TorchScript
               // would have shared it.
               if (a.sharingId && other.sharingId)
                 return a.sharingId == other.sharingId;
               return a.type->equals(*other.type);
             }
             return a.type->str() == py::str(b).cast<std::string>();
           })
      .def("__hash__",
           [](const TypeRef &t) {
             return t.sharingId ? std::hash<uint64_t>()(t.sharingId)
                                : std::hash<std::string>()(t.type->str());
           })
      .def("isSubtypeOf", [](const TypeRef &a, const TypeRef &b) { return a.type->isSubtypeOf(*b.type); })
      // A class's, enum's or named tuple's name: torch.jit's `name()` is the
      // last component, `qualified_name()` the whole.
      .def("name",
           [](const TypeRef &t) {
             const std::string &q = t.type->name();
             return q.substr(q.rfind('.') == std::string::npos ? 0 : q.rfind('.') + 1);
           })
      .def("qualified_name", [](const TypeRef &t) { return t.type->name(); })
      .def("containedTypes", &containedOf)
      .def("elements", &containedOf)
      .def("getElementType", [](const TypeRef &t) { return TypeRef{t.type->elem()}; })
      .def("getKeyType", [](const TypeRef &t) { return TypeRef{t.type->contained().at(0)}; })
      .def("getValueType", [](const TypeRef &t) { return TypeRef{t.type->contained().at(1)}; })
      .def("name", [](const TypeRef &t) { return t.type->name(); })
      .def("qualified_name", [](const TypeRef &t) { return t.type->name(); })
      .def("sizes", [](const TypeRef &t) {
        const TensorInfo *i = tensorInfo(t);
        return i ? concrete(i->sizes) : py::none();
      })
      .def("strides", [](const TypeRef &t) {
        const TensorInfo *i = tensorInfo(t);
        return i ? concrete(i->strides) : py::none();
      })
      .def("varyingSizes", [](const TypeRef &t) -> py::object {
        const TensorInfo *i = tensorInfo(t);
        if (!i || !i->sizes)
          return py::none();
        return py::cast(*i->sizes);
      })
      .def("dim", [](const TypeRef &t) -> py::object {
        const TensorInfo *i = tensorInfo(t);
        if (!i || !i->sizes)
          return py::none();
        return py::int_(i->sizes->size());
      })
      .def("scalarType", [](const TypeRef &t) -> py::object {
        const TensorInfo *i = tensorInfo(t);
        if (!i || !i->dtype)
          return py::none();
        return py::str(c10::toString(*i->dtype));
      })
      .def("requires_grad", [](const TypeRef &t) -> py::object {
        const TensorInfo *i = tensorInfo(t);
        if (!i || !i->requiresGrad)
          return py::none();
        return py::bool_(*i->requiresGrad);
      })
      .def("device", [](const TypeRef &t) -> py::object {
        const TensorInfo *i = tensorInfo(t);
        if (!i || !i->device)
          return py::none();
        return py::module_::import("torch").attr("device")(i->device->str());
      });
}

void bindValues(py::module_ &m) {
  py::class_<UseRef>(m, "Use")
      .def_readonly("user", &UseRef::user)
      .def_readonly("offset", &UseRef::offset);
  py::class_<ValueRef>(m, "Value")
      .def("type", [](const ValueRef &v) { return TypeRef{v.value->type()}; })
      .def("debugName", [](const ValueRef &v) { return v.value->debugName(); })
      .def("unique", [](const ValueRef &v) { return v.value->unique(); })
      .def("offset", [](const ValueRef &v) { return v.value->offset(); })
      .def("node", [](const ValueRef &v) { return NodeRef{v.graph, v.value->node()}; })
      .def("uses",
           [](const ValueRef &v) {
             std::vector<UseRef> out;
             for (const Use &u : v.value->uses())
               out.push_back({NodeRef{v.graph, u.user}, u.offset});
             return out;
           })
      .def("hasUses", [](const ValueRef &v) { return v.value->hasUses(); })
      .def("isCompleteTensor",
           [](const ValueRef &v) {
             const Type &t = *v.value->type();
             if (t.kind() != TypeKind::Tensor)
               return false;
             const TensorInfo &i = t.tensorInfo();
             if (!i.dtype || !i.device || !i.sizes || !i.strides)
               return false;
             for (const auto &d : *i.sizes)
               if (!d)
                 return false;
             return true;
           })
      .def("requires_grad",
           [](const ValueRef &v) {
             const Type &t = *v.value->type();
             return t.kind() == TypeKind::Tensor && t.tensorInfo().requiresGrad.value_or(true);
           })
      .def("toIValue", [](const ValueRef &v) -> py::object {
        std::optional<c10::IValue> c = constantValue(v.value);
        return c ? toPython(*c, v.value->type(), nullptr) : py::none();
      })
      .def("__eq__", [](const ValueRef &a, const ValueRef &b) { return a.value == b.value; })
      .def("__hash__", [](const ValueRef &v) { return std::hash<const void *>()(v.value); })
      .def("__repr__", [](const ValueRef &v) {
        return "%" + v.value->debugName() + " : " + v.value->type()->str();
      });
}

/// A node's attributes (`n["value"]`, `n.i("value")`, `n.kindOf("value")`) and
/// what it says of itself: schema, location, text, equality.
void bindNodeAttributes(py::class_<NodeRef> &node) {
  node.def("hasAttribute",
           [](const NodeRef &n, const std::string &name) {
             return n.node->hasAttribute(Symbol::attr(name));
           })
      .def("hasAttributes", [](const NodeRef &n) { return n.node->hasAttributes(); })
      .def("attributeNames",
           [](const NodeRef &n) {
             std::vector<std::string> out;
             for (const auto &a : n.node->attributes())
               out.push_back(a.first.name());
             return out;
           })
      .def("kindOf",
           [](const NodeRef &n, const std::string &name) {
             const AttributeValue *a = n.node->findAttribute(Symbol::attr(name));
             if (!a)
               throw py::key_error("node has no attribute '" + name + "'");
             return std::string(toString(a->kind));
           })
      .def("__getitem__", &attributePayload)
      .def("i", &attributePayload)
      .def("f", &attributePayload)
      .def("s", &attributePayload)
      .def("t", &attributePayload)
      .def("ival", &attributePayload)
      .def("ty", &attributePayload)
      .def("g", &attributePayload)
      .def("schema",
           [](const NodeRef &n) {
             const FunctionSchema *s = n.node->schema();
             return s ? s->str() : std::string("(no schema)");
           })
      // As torch.jit's Node.matches: the node is a call of that operator
      // whose inputs fit the schema's argument types.
      .def("matches",
           [](const NodeRef &n, const std::string &text) {
             FunctionSchema want = parseSchema(text);
             if (n.node->kind().qualString() != want.name ||
                 (!want.varArgs && n.node->inputs().size() != want.arguments.size()))
               return false;
             for (size_t i = 0; i < want.arguments.size() && i < n.node->inputs().size(); ++i) {
               const TypePtr &formal = want.arguments[i].type, &actual = n.node->input(i)->type();
               // A tensor passes for a Scalar in calls, but is none.
               bool tensorForNumber =
                   actual->kind() == TypeKind::Tensor && formal->kind() == TypeKind::Number;
               if (!formal->hasFreeVariables() &&
                   (tensorForNumber || !actual->isSubtypeOf(*formal)))
                 return false;
             }
             return true;
           })
      .def("scopeName", [](const NodeRef &n) { return n.node->scope(); })
      .def("sourceRange",
           [](const NodeRef &n) -> std::string {
             const auto &loc = n.node->sourceLocation();
             if (!loc)
               return "<unknown location>";
             return (loc->file ? *loc->file : std::string("<unknown>")) + ":" +
                    std::to_string(loc->line) + ":" + std::to_string(loc->col);
           })
      .def("isNondeterministic", [](const NodeRef &n) { return n.node->isNondeterministic(); })
      .def(
          "findNode",
          [](const NodeRef &n, const std::string &kind, bool recurse) -> py::object {
            for (const Block *b : n.node->blocks()) {
              py::object found = findFirst(n.graph, b, kind, recurse);
              if (!found.is_none())
                return found;
            }
            return py::none();
          },
          py::arg("kind"), py::arg("recurse") = true)
      .def(
          "findAllNodes",
          [](const NodeRef &n, const std::string &kind, bool recurse) {
            std::vector<NodeRef> out;
            for (const Block *b : n.node->blocks())
              findNodes(n.graph, b, Symbol::fromQualString(kind), recurse, out);
            return out;
          },
          py::arg("kind"), py::arg("recurse") = true)
      .def("__eq__", [](const NodeRef &a, const NodeRef &b) { return a.node == b.node; })
      .def("__hash__", [](const NodeRef &n) { return std::hash<const void *>()(n.node); })
      .def("__str__", [](const NodeRef &n) { return toString(*n.node); })
      .def("__repr__", [](const NodeRef &n) { return toString(*n.node); });
}

void bindNodes(py::module_ &m) {
  py::class_<NodeRef> node(m, "Node");
  node
      .def("kind", [](const NodeRef &n) { return n.node->kind().qualString(); })
      .def("inputs", [](const NodeRef &n) { return iterOf(valueRefs(n.graph, n.node->inputs())); })
      .def("outputs", [](const NodeRef &n) { return iterOf(valueRefs(n.graph, n.node->outputs())); })
      .def("inputsAt", [](const NodeRef &n, size_t i) { return ValueRef{n.graph, n.node->input(i)}; })
      .def("outputsAt", [](const NodeRef &n, size_t i) { return ValueRef{n.graph, n.node->output(i)}; })
      .def("inputsSize", [](const NodeRef &n) { return n.node->inputs().size(); })
      .def("outputsSize", [](const NodeRef &n) { return n.node->outputs().size(); })
      .def("input", [](const NodeRef &n) {
        if (n.node->inputs().size() != 1)
          throw py::value_error(n.node->kind().qualString() + " has " +
                                std::to_string(n.node->inputs().size()) + " inputs, not one");
        return ValueRef{n.graph, n.node->input(0)};
      })
      .def("output", [](const NodeRef &n) {
        if (n.node->outputs().size() != 1)
          throw py::value_error(n.node->kind().qualString() + " has " +
                                std::to_string(n.node->outputs().size()) + " outputs, not one");
        return ValueRef{n.graph, n.node->output(0)};
      })
      .def("hasMultipleOutputs", [](const NodeRef &n) { return n.node->outputs().size() > 1; })
      .def("hasUses", [](const NodeRef &n) { return n.node->hasUses(); })
      .def("blocks",
           [](const NodeRef &n) {
             std::vector<BlockRef> out;
             for (const Block *b : n.node->blocks())
               out.push_back({n.graph, b});
             return iterOf(std::move(out));
           })
      .def("owningBlock", [](const NodeRef &n) { return BlockRef{n.graph, n.node->owningBlock()}; });
  bindNodeAttributes(node);
}

void bindBlocks(py::module_ &m) {
  py::class_<BlockRef>(m, "Block")
      .def("nodes", [](const BlockRef &b) { return iterOf(nodeRefs(b.graph, b.block)); })
      .def("inputs", [](const BlockRef &b) { return iterOf(valueRefs(b.graph, b.block->inputs())); })
      .def("outputs", [](const BlockRef &b) { return iterOf(valueRefs(b.graph, b.block->outputs())); })
      .def("paramNode", [](const BlockRef &b) { return NodeRef{b.graph, b.block->paramNode()}; })
      .def("returnNode", [](const BlockRef &b) { return NodeRef{b.graph, b.block->returnNode()}; })
      .def("owningNode", [](const BlockRef &b) -> py::object {
        const Node *n = b.block->owningNode();
        return n ? py::cast(NodeRef{b.graph, n}) : py::none();
      })
      .def("findNode", [](const BlockRef &b, const std::string &kind, bool recurse) {
        return findFirst(b.graph, b.block, kind, recurse);
      }, py::arg("kind"), py::arg("recurse") = true)
      .def("findAllNodes", [](const BlockRef &b, const std::string &kind, bool recurse) {
        return findAll(b.graph, b.block, kind, recurse);
      }, py::arg("kind"), py::arg("recurse") = true);
}

} // namespace

py::object typeView(const TypePtr &type, uint64_t sharingId) {
  return py::cast(TypeRef{type, sharingId});
}

py::object graphView(const Graph &g) { return py::cast(GraphRef{g.copy()}); }

std::shared_ptr<const Graph> graphOf(py::handle view) {
  if (!py::isinstance<GraphRef>(view))
    throw py::type_error("expected an ember graph, found " +
                         std::string(py::str(py::type::handle_of(view).attr("__name__"))));
  return view.cast<const GraphRef &>().graph;
}

void bindGraphs(py::module_ &m) {
  bindTypes(m);
  bindValues(m);
  bindNodes(m);
  bindBlocks(m);
  py::class_<GraphRef>(m, "Graph")
      .def("nodes", [](const GraphRef &g) { return iterOf(nodeRefs(g.graph, g.graph->block())); })
      .def("inputs", [](const GraphRef &g) { return iterOf(valueRefs(g.graph, g.graph->inputs())); })
      .def("outputs", [](const GraphRef &g) { return iterOf(valueRefs(g.graph, g.graph->outputs())); })
      .def("block", [](const GraphRef &g) { return BlockRef{g.graph, g.graph->block()}; })
      .def("param_node", [](const GraphRef &g) { return NodeRef{g.graph, g.graph->block()->paramNode()}; })
      .def("return_node", [](const GraphRef &g) { return NodeRef{g.graph, g.graph->block()->returnNode()}; })
      .def("findNode", [](const GraphRef &g, const std::string &kind, bool recurse) {
        return findFirst(g.graph, g.graph->block(), kind, recurse);
      }, py::arg("kind"), py::arg("recurse") = true)
      .def("findAllNodes", [](const GraphRef &g, const std::string &kind, bool recurse) {
        return findAll(g.graph, g.graph->block(), kind, recurse);
      }, py::arg("kind"), py::arg("recurse") = true)
      .def("copy", [](const GraphRef &g) { return GraphRef{g.graph->copy()}; })
      .def("str", [](const GraphRef &g, bool ranges) {
        PrintOptions opts;
        opts.sourceLocations = ranges;
        return toString(*g.graph, opts);
      }, py::arg("print_source_ranges") = true)
      .def("__str__", [](const GraphRef &g) { return toString(*g.graph); })
      .def("__repr__", [](const GraphRef &g) { return toString(*g.graph); });
}

} // namespace ember::python
