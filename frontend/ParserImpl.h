//===- frontend/ParserImpl.h - the parser class, shared by its files -----===//
//
// Private to frontend/: the recursive-descent parser is one class whose
// methods live in Parser.cpp (statements), ParseExpressions.cpp (operators
// and trailers) and ParseAtoms.cpp (literals, strings, f-strings, brackets).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "frontend/AST.h"
#include "frontend/Lexer.h"

#include <algorithm>
#include <string>
#include <vector>

namespace ember::frontend::detail {

class Parser {
public:
  Parser(std::shared_ptr<const SourceBuffer> buffer)
      : buf_(std::move(buffer)), toks_(tokenize(buf_)) {}

  Module parseModule() {
    Module m;
    m.source = buf_;
    while (!at(TokKind::End)) {
      if (accept(TokKind::Newline) || accept(TokKind::TypeComment))
        continue;
      parseStatement(m.body);
    }
    return m;
  }

  ExprPtr parseSingleExpression() {
    skipLayout();
    ExprPtr e = parseTestList();
    skipLayout();
    if (!at(TokKind::End))
      errorAt(cur(), "unexpected " + describe(cur()) + " after the expression");
    return e;
  }

private:
  /// Bounds recursion so that hostile input (thousands of nested brackets)
  /// gets a diagnostic instead of exhausting the stack.
  struct DepthGuard {
    Parser &p;
    DepthGuard(Parser &parser) : p(parser) {
      if (++p.depth_ > kMaxDepth)
        p.errorAt(p.cur(), "code is nested too deeply (more than " + std::to_string(kMaxDepth) +
                               " levels)");
    }
    ~DepthGuard() { --p.depth_; }
  };
  static constexpr int kMaxDepth = 1200;

  // --- token helpers ---------------------------------------------------------
  const Token &cur() const { return toks_[pos_]; }
  const Token &peek(size_t n = 1) const { return toks_[std::min(pos_ + n, toks_.size() - 1)]; }
  bool at(TokKind k) const { return cur().kind == k; }
  bool atOp(const char *op) const { return cur().kind == TokKind::Op && cur().text == op; }
  bool atName(const char *name) const { return cur().kind == TokKind::Name && cur().text == name; }
  Token next() {
    Token t = cur();
    if (t.kind != TokKind::End)
      ++pos_;
    return t;
  }
  bool accept(TokKind k) {
    if (!at(k))
      return false;
    next();
    return true;
  }
  bool acceptOp(const char *op) {
    if (!atOp(op))
      return false;
    next();
    return true;
  }
  bool acceptName(const char *name) {
    if (!atName(name))
      return false;
    next();
    return true;
  }
  void skipLayout() {
    while (at(TokKind::Newline) || at(TokKind::Indent) || at(TokKind::Dedent) ||
           at(TokKind::TypeComment))
      next();
  }

  SourceSpan spanOf(const Token &t) const { return {buf_, t.offset, std::max<size_t>(t.length, 1)}; }
  static SourceSpan spanOver(const SourceSpan &from, const Expr &last);

  SourceSpan spanFrom(const SourceSpan &start) const {
    size_t end = pos_ > 0 ? toks_[pos_ - 1].offset + toks_[pos_ - 1].length : start.offset;
    return {buf_, start.offset, end > start.offset ? end - start.offset : 1};
  }

  static std::string describe(const Token &t) {
    switch (t.kind) {
    case TokKind::Newline: return "end of line";
    case TokKind::Indent: return "an indented block";
    case TokKind::Dedent: return "the end of the block";
    case TokKind::End: return "end of input";
    case TokKind::String: return "a string";
    case TokKind::TypeComment: return "a type comment";
    default: return "'" + t.text + "'";
    }
  }

  [[noreturn]] void errorAt(const Token &t, const std::string &message) const {
    throw CompileError(spanOf(t), message);
  }
  [[noreturn]] void errorAt(const SourceSpan &s, const std::string &message) const {
    throw CompileError(s, message);
  }
  /// A construct of Python that TorchScript does not compile.
  [[noreturn]] void unsupportedAt(const Token &t, const std::string &message) const {
    throw NotSupportedError(spanOf(t), message);
  }
  [[noreturn]] void unsupportedAt(const SourceSpan &s, const std::string &message) const {
    throw NotSupportedError(s, message);
  }

  Token expectOp(const char *op) {
    if (!atOp(op))
      errorAt(cur(), std::string("expected '") + op + "' but found " + describe(cur()));
    return next();
  }
  Token expectName(const char *what) {
    if (!at(TokKind::Name) || isKeyword(cur().text))
      errorAt(cur(), std::string("expected ") + what + " but found " + describe(cur()));
    return next();
  }
  void expectNewline() {
    if (!accept(TokKind::Newline))
      errorAt(cur(), "expected end of line but found " + describe(cur()));
  }

  // --- statements (Parser.cpp) ----------------------------------------------
  void parseStatement(std::vector<StmtPtr> &out);
  void parseSimpleStatements(std::vector<StmtPtr> &out);
  StmtPtr parseSmallStatement();
  bool atEndOfStatement() const;
  StmtPtr parseExpressionStatement();
  void checkTarget(const Expr &e);
  std::vector<StmtPtr> parseSuite(std::string *typeComment = nullptr,
                                  SourceSpan *typeCommentSpan = nullptr);
  StmtPtr parseDecorated();
  StmtPtr parseFunction(std::vector<ExprPtr> decorators);
  StmtPtr parseClass(std::vector<ExprPtr> decorators);
  StmtPtr parseIf();
  StmtPtr parseWhile();
  StmtPtr parseFor();
  void rejectLoopElse(const char *loop);
  StmtPtr parseWith();

  // --- expressions (ParseExpressions.cpp) ----------------------------------
  ExprPtr make(ExprKind k, const SourceSpan &start);
  ExprPtr parseNamedTest();
  ExprPtr parseTestListStar();
  ExprPtr parseTestList();
  ExprPtr parseTargetList();
  ExprPtr parseSequence(bool allowStar, bool targets);
  ExprPtr parseStarred();
  ExprPtr parseTest();
  ExprPtr parseLambda();
  ExprPtr parseBoolOp(const char *op, ExprPtr (Parser::*sub)());
  ExprPtr parseOrTest();
  ExprPtr parseAndTest();
  ExprPtr parseNotTest();
  std::string compareOp();
  ExprPtr parseComparison();
  ExprPtr parseBinary(int level);
  ExprPtr parseExpr();
  ExprPtr parseFactor();
  ExprPtr parsePower();
  ExprPtr parseAtomExpr();
  void parseArguments(Expr &call);
  ExprPtr parseSubscript();

  // --- atoms (ParseAtoms.cpp) -----------------------------------------------
  ExprPtr parseAtom();
  ExprPtr parseStrings();
  ExprPtr parseBracketed(const char *open);
  void parseComprehension(Expr &e);
  void parseFStringInto(Expr &e, const Token &tok);
  ExprPtr parseEmbedded(size_t begin, size_t end);

  std::shared_ptr<const SourceBuffer> buf_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  int functionDepth_ = 0;
  int depth_ = 0;
};

} // namespace ember::frontend::detail
