//===- frontend/AST.h - syntax trees of the TorchScript language ----------===//
//
// Expressions and statements as the parser reads them, each with the source
// span it came from (file, offset, length), so that every later diagnostic
// can point at the exact text. Nodes are plain structs with a kind and the
// fields that kind uses; the IR emitter switches on the kind.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Diagnostic.h"

#include <memory>
#include <string>
#include <vector>

namespace ember::frontend {

struct Expr;
struct Stmt;
using ExprPtr = std::unique_ptr<Expr>;
using StmtPtr = std::unique_ptr<Stmt>;

enum class ExprKind {
  Name,      // text: the identifier
  Int,       // text: the spelling (0x.., 0o.., 0b.. or decimal)
  Float,     // text: the spelling
  Imaginary, // text: the spelling without `j`
  Str,       // text: the decoded value (adjacent literals concatenated)
  FStr,      // parts: literal pieces and replacement fields
  True,
  False,
  None,
  Ellipsis,
  Attribute, // operands[0].text
  Subscript, // operands[0][operands[1..]] (several for x[a, b])
  Slice,     // operands: lower, upper, step (null when omitted)
  Call,      // operands[0](operands[1..], keywords)
  BinOp,     // text: + - * / // % ** @ & | ^ << >>
  UnaryOp,   // text: - + ~ not
  BoolOp,    // text: and / or; operands: two or more
  Compare,   // ops[i] between operands[i] and operands[i+1]
  IfExp,     // operands: body, test, orelse
  List,
  Tuple,
  Dict,      // operands: key0, value0, key1, value1, ...
  ListComp,  // operands[0]: element; generators
  DictComp,  // operands[0], operands[1]: key, value; generators
  Starred,   // *operands[0]
  Lambda,    // lambda: operands[0] (no parameters; a torch._check message)
};

struct Keyword {
  std::string name;
  ExprPtr value;
  SourceSpan span;
};

struct Comprehension {
  ExprPtr target;
  ExprPtr iter;
  std::vector<ExprPtr> conditions;
};

/// A piece of an f-string: literal text, or `{expr!conv:spec}`.
struct FStringPart {
  std::string literal;
  ExprPtr expr;
  char conversion = 0; // 'r', 's', 'a' or 0
  std::string formatSpec;
};

struct Expr {
  ExprKind kind;
  /// TorchScript's range: where the expression is reported and located.
  /// An operator's starts at its first operand (parentheses around an
  /// operand are not part of it); a call's is its callee's.
  SourceSpan span;
  /// The expression as written, parentheses and arguments included (set
  /// for what parseTest reads; see sourceText()).
  SourceSpan written;
  std::string text;
  std::vector<ExprPtr> operands;
  std::vector<std::string> ops;
  std::vector<Keyword> keywords;
  std::vector<Comprehension> generators;
  std::vector<FStringPart> parts;

  Expr(ExprKind k, SourceSpan s) : kind(k), span(std::move(s)) {}
};

/// The source text of `e` as written (a default value, a constant).
std::string sourceText(const Expr &e);
/// Where `e` is as written, when known (an argument), else its range.
inline const SourceSpan &writtenSpan(const Expr &e) { return e.written.buffer ? e.written : e.span; }
/// Where TorchScript's range of `e` ends when merged into an enclosing
/// operator's: a call's at its last argument.
size_t rangeEnd(const Expr &e);

enum class StmtKind {
  FunctionDef,
  ClassDef,
  Return,
  Assign,    // targets = value (several targets for a = b = c)
  AugAssign, // targets[0] op= value
  AnnAssign, // targets[0] : annotation [= value]
  ExprStmt,
  If,
  For,       // for targets[0] in value: body
  While,     // while value: body
  Break,
  Continue,
  Pass,
  Raise,     // value may be null (re-raise)
  Assert,    // value: test, annotation slot holds the message
  With,
  Delete,
  Import,    // text: the statement as written (module level only)
  LoopCondition, // made by the emitter: a `while` tests its condition again
};

struct Param {
  std::string name;
  ExprPtr annotation;
  ExprPtr defaultValue;
  bool kwOnly = false;
  SourceSpan span;
  std::string typeComment; // `x,  # type: int` in a signature split over lines
  SourceSpan typeCommentSpan;
};

struct WithItem {
  ExprPtr context;
  ExprPtr target; // may be null
};

struct Stmt {
  StmtKind kind;
  SourceSpan span;
  std::string name;                 // def/class name, AugAssign operator, Import text
  std::vector<ExprPtr> targets;
  ExprPtr value;
  ExprPtr annotation;               // AnnAssign type, Assert message, def return type
  std::vector<StmtPtr> body;
  std::vector<StmtPtr> orelse;
  std::vector<Param> params;
  std::vector<ExprPtr> decorators;
  std::vector<ExprPtr> bases;
  std::vector<WithItem> items;
  std::string typeComment;          // `# type:` on a def or an assignment
  SourceSpan typeCommentSpan;

  Stmt(StmtKind k, SourceSpan s) : kind(k), span(std::move(s)) {}
};

/// A parsed file: its top-level statements.
struct Module {
  std::shared_ptr<const SourceBuffer> source;
  std::vector<StmtPtr> body;
};

/// Writes the tree as S-expressions, each node with `@line:col`, for tests.
std::string dumpAST(const Module &m);

} // namespace ember::frontend
