//===- ir/Printer.cpp - graphs in TorchScript's text format ---------------===//
//
// Writes exactly what TorchScript's Graph::print writes (reference §1.3-1.5):
//   1. the header `graph(%a : T,\n      %b : U):`;
//   2. each node at two spaces per level: outputs with types, ` = `, the kind
//      (with `_<k>` for subgraph carriers), `[attrs]`, `(inputs)`, optional
//      `, scope: ...` and ` # file:line:col`;
//   3. sub-blocks as `block<i>(...):`, their nodes, `-> (...)`;
//   4. `  return (...)`, then every subgraph as `with <kind>_<k> = graph...`.
//
//===----------------------------------------------------------------------===//
#include "ir/Printer.h"

#include "ir/Constants.h"

#include <ATen/core/Formatting.h>

#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>

namespace ember {

void printQuotedString(std::ostream &out, const std::string &s) {
  // As c10::printQuotedString: bytes outside printable ASCII become a
  // backslash and three digits computed on the *signed* char, so UTF-8 bytes
  // come out as e.g. `\0)+`. TextLexer decodes that form back.
  out << '"';
  for (char ch : s) {
    switch (ch) {
    case '\\': out << "\\\\"; break;
    case '\'': out << "\\'"; break;
    case '"': out << "\\\""; break;
    case '\a': out << "\\a"; break;
    case '\b': out << "\\b"; break;
    case '\f': out << "\\f"; break;
    case '\n': out << "\\n"; break;
    case '\r': out << "\\r"; break;
    case '\t': out << "\\t"; break;
    case '\v': out << "\\v"; break;
    default:
      if (ch > 0x1f && ch < 0x7f) {
        out << ch;
      } else {
        int v = ch;
        char buf[4] = "000";
        buf[2] = char(buf[2] + v % 8);
        v /= 8;
        buf[1] = char(buf[1] + v % 8);
        v /= 8;
        buf[0] = char(buf[0] + v);
        out << "\\" << buf;
      }
    }
  }
  out << '"';
}

void printDouble(std::ostream &out, double d) {
  int c = std::fpclassify(d);
  if ((c == FP_NORMAL || c == FP_ZERO) && std::abs(d) < 1e10) {
    int64_t i = int64_t(d);
    if (double(i) == d) {
      if (i == 0 && std::signbit(d))
        out << "-";
      out << i << ".";
      return;
    }
  }
  auto prec = out.precision();
  out << std::setprecision(std::numeric_limits<double>::max_digits10) << d
      << std::setprecision(prec);
}

static void printComplex(std::ostream &out, std::complex<double> c) {
  printDouble(out, c.real());
  out << (c.imag() >= 0 ? "+" : "-");
  printDouble(out, std::abs(c.imag()));
  out << "j";
}

static void printTensorAttr(std::ostream &out, const at::Tensor &t) {
  if (t.numel() == 1) {
    auto s = t.view(std::vector<int64_t>{}).item();
    out << "{";
    if (s.isFloatingPoint())
      out << s.toDouble();
    else if (s.isComplex())
      out << s.toComplexDouble();
    else
      out << s.toLong();
    out << "}";
  } else if (t.numel() <= 10) {
    std::ostringstream ss;
    ss << t;
    std::string text = ss.str();
    for (char &ch : text)
      if (ch == '\n')
        ch = ' ';
    out << text;
  } else {
    out << "<Tensor>";
  }
}

template <typename T, typename F>
static void printList(std::ostream &out, const std::vector<T> &items, const char *elemType,
                      F printItem) {
  if (items.empty()) {
    out << "annotate(List[" << elemType << "], [])";
    return;
  }
  out << "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i)
      out << ", ";
    printItem(items[i]);
  }
  out << "]";
}

void printAttributeValue(std::ostream &out, const AttributeValue &a) {
  switch (a.kind) {
  case AttributeKind::i: out << a.i; break;
  case AttributeKind::f: printDouble(out, a.f); break;
  case AttributeKind::c: printComplex(out, a.c); break;
  case AttributeKind::s: printQuotedString(out, a.s); break;
  case AttributeKind::is: printList(out, a.is, "int", [&](int64_t v) { out << v; }); break;
  case AttributeKind::fs: printList(out, a.fs, "float", [&](double v) { printDouble(out, v); }); break;
  case AttributeKind::cs:
    printList(out, a.cs, "complex", [&](std::complex<double> v) { printComplex(out, v); });
    break;
  case AttributeKind::ss:
    printList(out, a.ss, "str", [&](const std::string &v) { printQuotedString(out, v); });
    break;
  case AttributeKind::ty: out << a.ty->str(); break;
  case AttributeKind::tys:
    out << "[";
    for (size_t i = 0; i < a.tys.size(); ++i)
      out << (i ? ", " : "") << a.tys[i]->str();
    out << "]";
    break;
  case AttributeKind::g: out << "<Graph>"; break;
  case AttributeKind::gs: out << "[<Graphs>]"; break;
  case AttributeKind::t:
    if (a.ival && a.ival->isTensor())
      printTensorAttr(out, a.ival->toTensor());
    else
      out << "<Tensor>";
    break;
  case AttributeKind::ts: out << "[<Tensors>]"; break;
  case AttributeKind::ival:
    if (!a.ival) {
      out << "None";
      break;
    }
    a.ival->repr(out, [](std::ostream &ss, const c10::IValue &v) -> bool {
      if (v.isTensor()) {
        printTensorAttr(ss, v.toTensor());
        return true;
      }
      if (v.isTensorList()) {
        ss << "[<Tensors>]";
        return true;
      }
      if (v.isObject()) {
        ss << "object(" << &v.toObjectRef() << ")";
        return true;
      }
      if (v.isDouble()) {
        printDouble(ss, v.toDouble());
        return true;
      }
      return false;
    });
    break;
  }
}

namespace {

class GraphPrinter {
public:
  GraphPrinter(std::ostream &out, const PrintOptions &opts) : out_(out), opts_(opts) {}

  /// One node at the left margin, with its blocks (fusion subgraphs named
  /// but not printed).
  void printTopNode(const Node *n) {
    std::vector<const Node *> groups;
    printNode(n, 0, groups);
  }

  void printGraph(const Graph &g, const char *name = "graph") {
    out_ << name << "(";
    printValuesWithTypes(g.inputs(), ",\n      ");
    out_ << "):\n";
    std::vector<const Node *> groups;
    for (const Node *n : g.nodes())
      printNode(n, 1, groups);
    out_ << "  return (";
    printValues(g.outputs());
    out_ << ")\n";
    size_t i = 0;
    for (const Node *fg : groups) {
      out_ << "with " << fg->kind().qualString() << "_" << i++ << " = ";
      GraphPrinter(out_, opts_).printGraph(*fg->g(attr::Subgraph()));
    }
  }

private:
  void indent(size_t level) {
    for (size_t i = 0; i < level; ++i)
      out_ << "  ";
  }

  void printValues(const std::vector<Value *> &vs) {
    for (size_t i = 0; i < vs.size(); ++i)
      out_ << (i ? ", " : "") << "%" << vs[i]->debugName();
  }

  void printValuesWithTypes(const std::vector<Value *> &vs, const char *sep) {
    for (size_t i = 0; i < vs.size(); ++i) {
      if (i)
        out_ << sep;
      out_ << "%" << vs[i]->debugName();
      if (typeVerbosity() > 0)
        out_ << " : " << vs[i]->type()->str();
    }
  }

  void printAttributes(const Node *n, bool skipSubgraph) {
    out_ << "[";
    size_t i = 0;
    for (const auto &[name, value] : n->attributes()) {
      if (skipSubgraph && name == attr::Subgraph())
        continue;
      out_ << (i++ ? ", " : "") << name.name() << "=";
      printAttributeValue(out_, value);
    }
    out_ << "]";
  }

  void printNode(const Node *n, size_t level, std::vector<const Node *> &groups) {
    indent(level);
    printValuesWithTypes(n->outputs(), ", ");
    out_ << " = ";
    if (n->hasAttribute(attr::Subgraph())) {
      out_ << n->kind().qualString() << "_" << groups.size();
      if (n->attributes().size() > 1 && n->kind().name() != "DifferentiableGraph")
        printAttributes(n, /*skipSubgraph=*/true);
      groups.push_back(n);
    } else {
      out_ << n->kind().qualString();
      if (n->hasAttributes())
        printAttributes(n, /*skipSubgraph=*/false);
    }
    out_ << "(";
    printValues(n->inputs());
    out_ << ")";
    if (!n->scope().empty())
      out_ << ", scope: " << n->scope();
    if (opts_.sourceLocations && n->sourceLocation()) {
      const SourceLocation &loc = *n->sourceLocation();
      out_ << " # " << (loc.file ? *loc.file : std::string("<unknown>")) << ":" << loc.line
           << ":" << loc.col;
    }
    out_ << "\n";
    for (size_t i = 0; i < n->blocks().size(); ++i) {
      const Block *b = n->blocks()[i];
      indent(level + 1);
      out_ << "block" << i << "(";
      printValuesWithTypes(b->inputs(), ", ");
      out_ << "):\n";
      for (const Node *nested : b->nodes())
        printNode(nested, level + 2, groups);
      indent(level + 2);
      out_ << "-> (";
      printValues(b->outputs());
      out_ << ")\n";
    }
  }

  std::ostream &out_;
  const PrintOptions &opts_;
};

} // namespace

void printGraph(std::ostream &out, const Graph &g, const PrintOptions &opts) {
  GraphPrinter(out, opts).printGraph(g, opts.useFunctionName ? g.name().c_str() : "graph");
}

std::string toString(const Graph &g, const PrintOptions &opts) {
  std::ostringstream ss;
  printGraph(ss, g, opts);
  return ss.str();
}

std::string toString(const Node &n, const PrintOptions &opts) {
  std::ostringstream ss;
  GraphPrinter(ss, opts).printTopNode(&n);
  return ss.str();
}

void printCompilationUnit(std::ostream &out, const CompilationUnit &cu, const PrintOptions &opts) {
  PrintOptions named = opts;
  named.useFunctionName = cu.functions().size() > 1 || opts.useFunctionName;
  for (const auto &f : cu.functions())
    printGraph(out, *f, named);
}

} // namespace ember
