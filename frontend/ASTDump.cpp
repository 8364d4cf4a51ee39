//===- frontend/ASTDump.cpp - syntax trees as S-expressions ---------------===//
//
// The test view of the parser's output: one node per parenthesised group,
// each tagged `@line:col` so lit tests can check source ranges too.
//
//===----------------------------------------------------------------------===//
#include "frontend/AST.h"

#include <sstream>

namespace ember::frontend {
namespace {

const char *exprName(ExprKind k) {
  switch (k) {
  case ExprKind::Name: return "name";
  case ExprKind::Int: return "int";
  case ExprKind::Float: return "float";
  case ExprKind::Imaginary: return "imag";
  case ExprKind::Str: return "str";
  case ExprKind::FStr: return "fstr";
  case ExprKind::True: return "True";
  case ExprKind::False: return "False";
  case ExprKind::None: return "None";
  case ExprKind::Ellipsis: return "...";
  case ExprKind::Attribute: return "attr";
  case ExprKind::Subscript: return "subscript";
  case ExprKind::Slice: return "slice";
  case ExprKind::Call: return "call";
  case ExprKind::BinOp: return "binop";
  case ExprKind::UnaryOp: return "unary";
  case ExprKind::BoolOp: return "boolop";
  case ExprKind::Compare: return "compare";
  case ExprKind::IfExp: return "ifexp";
  case ExprKind::List: return "list";
  case ExprKind::Tuple: return "tuple";
  case ExprKind::Dict: return "dict";
  case ExprKind::ListComp: return "listcomp";
  case ExprKind::DictComp: return "dictcomp";
  case ExprKind::Starred: return "starred";
  case ExprKind::Lambda: return "lambda";
  }
  return "?";
}

const char *stmtName(StmtKind k) {
  switch (k) {
  case StmtKind::FunctionDef: return "def";
  case StmtKind::ClassDef: return "class";
  case StmtKind::Return: return "return";
  case StmtKind::Assign: return "assign";
  case StmtKind::AugAssign: return "augassign";
  case StmtKind::AnnAssign: return "annassign";
  case StmtKind::ExprStmt: return "expr";
  case StmtKind::If: return "if";
  case StmtKind::For: return "for";
  case StmtKind::While: return "while";
  case StmtKind::Break: return "break";
  case StmtKind::Continue: return "continue";
  case StmtKind::Pass: return "pass";
  case StmtKind::Raise: return "raise";
  case StmtKind::Assert: return "assert";
  case StmtKind::With: return "with";
  case StmtKind::Delete: return "del";
  case StmtKind::Import: return "import";
  case StmtKind::LoopCondition: return "loop-condition";
  }
  return "?";
}

class Dumper {
public:
  std::ostringstream out;

  void at(const SourceSpan &s) {
    auto [line, col] = s.buffer->lineCol(s.offset);
    out << "@" << line << ":" << col;
  }

  void quoted(const std::string &s) {
    out << '"';
    for (char c : s) {
      if (c == '"' || c == '\\')
        out << '\\' << c;
      else if (c == '\n')
        out << "\\n";
      else if (c == '\t')
        out << "\\t";
      else
        out << c;
    }
    out << '"';
  }

  void expr(const Expr *e) {
    if (!e) {
      out << "_";
      return;
    }
    out << "(" << exprName(e->kind);
    at(e->span);
    switch (e->kind) {
    case ExprKind::Str: out << " "; quoted(e->text); break;
    case ExprKind::Name:
    case ExprKind::Int:
    case ExprKind::Float:
    case ExprKind::Imaginary:
    case ExprKind::BinOp:
    case ExprKind::UnaryOp:
    case ExprKind::BoolOp:
    case ExprKind::Attribute: out << " " << e->text; break;
    default: break;
    }
    for (size_t i = 0; i < e->operands.size(); ++i) {
      if (e->kind == ExprKind::Compare && i > 0)
        out << " " << e->ops[i - 1];
      out << " ";
      expr(e->operands[i].get());
    }
    for (const auto &k : e->keywords) {
      out << " (kw " << k.name << " ";
      expr(k.value.get());
      out << ")";
    }
    for (const auto &g : e->generators) {
      out << " (for ";
      expr(g.target.get());
      out << " ";
      expr(g.iter.get());
      for (const auto &c : g.conditions) {
        out << " (if ";
        expr(c.get());
        out << ")";
      }
      out << ")";
    }
    for (const auto &p : e->parts) {
      out << " ";
      if (!p.expr) {
        quoted(p.literal);
        continue;
      }
      out << "{";
      expr(p.expr.get());
      if (p.conversion)
        out << " !" << p.conversion;
      if (!p.formatSpec.empty())
        out << " :" << p.formatSpec;
      out << "}";
    }
    out << ")";
  }

  void indent(int level) { out << std::string(2 * level, ' '); }

  void block(const char *label, const std::vector<StmtPtr> &body, int level) {
    out << "\n";
    indent(level);
    out << "(" << label;
    for (const auto &s : body) {
      out << "\n";
      stmt(s.get(), level + 1);
    }
    out << ")";
  }

  void stmt(const Stmt *s, int level) {
    indent(level);
    out << "(" << stmtName(s->kind);
    at(s->span);
    if (!s->name.empty())
      out << " " << s->name;
    for (const auto &d : s->decorators) {
      out << " (decorator ";
      expr(d.get());
      out << ")";
    }
    for (const auto &b : s->bases) {
      out << " (base ";
      expr(b.get());
      out << ")";
    }
    for (const auto &p : s->params) {
      out << " (param " << p.name << (p.kwOnly ? " kwonly" : "") << " ";
      expr(p.annotation.get());
      out << " ";
      expr(p.defaultValue.get());
      out << ")";
    }
    for (const auto &t : s->targets) {
      out << " ";
      expr(t.get());
    }
    for (const auto &w : s->items) {
      out << " (item ";
      expr(w.context.get());
      out << " ";
      expr(w.target.get());
      out << ")";
    }
    if (s->value) {
      out << " ";
      expr(s->value.get());
    }
    if (s->annotation) {
      out << " (: ";
      expr(s->annotation.get());
      out << ")";
    }
    if (!s->typeComment.empty()) {
      out << " (type-comment ";
      quoted(s->typeComment);
      out << ")";
    }
    if (!s->body.empty())
      block("body", s->body, level + 1);
    if (!s->orelse.empty())
      block("else", s->orelse, level + 1);
    out << ")";
  }
};

} // namespace

std::string dumpAST(const Module &m) {
  Dumper d;
  for (const auto &s : m.body) {
    d.stmt(s.get(), 0);
    d.out << "\n";
  }
  return d.out.str();
}

} // namespace ember::frontend
