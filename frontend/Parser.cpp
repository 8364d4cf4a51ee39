//===- frontend/Parser.cpp - TorchScript source to syntax trees -----------===//
//
// A recursive-descent parser for the Python subset TorchScript compiles,
// following Python's grammar and operator precedence. Constructs Python has
// but TorchScript rejects inside functions (lambda, try, global, yield,
// *args, async, generator expressions, sets, ...) are diagnosed here, at the
// offending text, with a sentence saying what to write instead. Module-level
// statements other than def/class (imports, constants) are kept for the
// emitter to read or ignore.
//
//===----------------------------------------------------------------------===//
#include "frontend/Parser.h"

#include "frontend/ParserImpl.h"

#include <algorithm>
#include <functional>
#include <unordered_map>

namespace ember::frontend::detail {

void Parser::parseStatement(std::vector<StmtPtr> &out) {
  DepthGuard guard(*this);
  const Token &t = cur();
  if (t.kind == TokKind::Indent)
    errorAt(t, "unexpected indent");
  if (t.kind == TokKind::Name) {
    const std::string &k = t.text;
    if (k == "def") return out.push_back(parseFunction({}));
    if (k == "class") return out.push_back(parseClass({}));
    if (k == "if") return out.push_back(parseIf());
    if (k == "while") return out.push_back(parseWhile());
    if (k == "for") return out.push_back(parseFor());
    if (k == "with") return out.push_back(parseWith());
    if (k == "try")
      unsupportedAt(t, "'try' blocks are not supported in TorchScript; check the condition "
                       "explicitly and 'raise' instead");
    if (k == "async")
      unsupportedAt(t, "async functions are not supported in TorchScript; use torch.jit.fork "
                       "and torch.jit.wait for parallelism");
  }
  if (t.kind == TokKind::Op && t.text == "@")
    return out.push_back(parseDecorated());
  parseSimpleStatements(out);
}

void Parser::parseSimpleStatements(std::vector<StmtPtr> &out) {
  while (true) {
    out.push_back(parseSmallStatement());
    if (!acceptOp(";"))
      break;
    if (at(TokKind::Newline) || at(TokKind::TypeComment))
      break;
  }
  if (at(TokKind::TypeComment)) {
    Token c = next();
    Stmt &last = *out.back();
    if (last.kind == StmtKind::Assign) {
      last.typeComment = c.value;
      last.typeCommentSpan = spanOf(c);
    }
  }
  expectNewline();
}

StmtPtr Parser::parseSmallStatement() {
  Token t = cur();
  SourceSpan start = spanOf(t);
  if (t.kind == TokKind::Name) {
    const std::string &k = t.text;
    if (k == "pass" || k == "break" || k == "continue") {
      next();
      return std::make_unique<Stmt>(k == "pass"    ? StmtKind::Pass
                                    : k == "break" ? StmtKind::Break
                                                   : StmtKind::Continue,
                                    spanOf(t));
    }
    if (k == "return") {
      next();
      auto s = std::make_unique<Stmt>(StmtKind::Return, start);
      if (!atEndOfStatement())
        s->value = parseTestListStar();
      s->span = spanFrom(start);
      return s;
    }
    if (k == "raise") {
      next();
      auto s = std::make_unique<Stmt>(StmtKind::Raise, start);
      if (!atEndOfStatement()) {
        s->value = parseTest();
        if (acceptName("from"))
          parseTest(); // the cause is not kept, as in TorchScript
      }
      s->span = spanFrom(start);
      return s;
    }
    if (k == "assert") {
      next();
      auto s = std::make_unique<Stmt>(StmtKind::Assert, start);
      s->value = parseTest();
      if (acceptOp(","))
        s->annotation = parseTest();
      s->span = spanFrom(start);
      return s;
    }
    if (k == "del") {
      next();
      auto s = std::make_unique<Stmt>(StmtKind::Delete, start);
      do {
        if (atEndOfStatement())
          break;
        s->targets.push_back(parseExpr());
      } while (acceptOp(","));
      s->span = spanFrom(start);
      return s;
    }
    if (k == "global" || k == "nonlocal")
      unsupportedAt(t, "'" + k +
                           "' is not supported in TorchScript; pass the value as an argument "
                           "or keep it as a module attribute");
    if (k == "import" || k == "from") {
      if (functionDepth_ > 0)
        unsupportedAt(t, "import statements are not supported inside TorchScript functions; "
                         "import at module level");
      auto s = std::make_unique<Stmt>(StmtKind::Import, start);
      while (!atEndOfStatement())
        next();
      s->span = spanFrom(start);
      s->name = buf_->text.substr(s->span.offset, s->span.length);
      return s;
    }
    if (k == "yield")
      unsupportedAt(t, "generators ('yield') are not supported in TorchScript; build and return "
                       "a list instead");
  }
  return parseExpressionStatement();
}

bool Parser::atEndOfStatement() const {
  return at(TokKind::Newline) || at(TokKind::End) || atOp(";") || at(TokKind::TypeComment);
}

StmtPtr Parser::parseExpressionStatement() {
  SourceSpan start = spanOf(cur());
  ExprPtr first = parseTestListStar();
  if (atOp(":")) {
    next();
    auto s = std::make_unique<Stmt>(StmtKind::AnnAssign, start);
    checkTarget(*first);
    s->targets.push_back(std::move(first));
    s->annotation = parseTest();
    if (acceptOp("="))
      s->value = parseTestListStar();
    s->span = spanFrom(start);
    return s;
  }
  static const char *augOps[] = {"+=", "-=", "*=", "/=", "//=", "%=", "**=", "@=",
                                 "&=", "|=", "^=", "<<=", ">>="};
  for (const char *op : augOps) {
    if (atOp(op)) {
      next();
      auto s = std::make_unique<Stmt>(StmtKind::AugAssign, start);
      s->name = std::string(op).substr(0, std::string(op).size() - 1);
      checkTarget(*first);
      s->targets.push_back(std::move(first));
      s->value = parseTestList();
      s->span = spanFrom(start);
      return s;
    }
  }
  if (atOp("=")) {
    auto s = std::make_unique<Stmt>(StmtKind::Assign, start);
    std::vector<ExprPtr> chain;
    chain.push_back(std::move(first));
    while (acceptOp("="))
      chain.push_back(parseTestListStar());
    s->value = std::move(chain.back());
    chain.pop_back();
    for (auto &t : chain) {
      checkTarget(*t);
      s->targets.push_back(std::move(t));
    }
    s->span = spanFrom(start);
    return s;
  }
  if (atOp(":="))
    unsupportedAt(cur(), "assignment expressions (:=) are not supported in TorchScript; assign on "
                         "a separate line");
  auto s = std::make_unique<Stmt>(StmtKind::ExprStmt, start);
  s->value = std::move(first);
  s->span = spanFrom(start);
  return s;
}

void Parser::checkTarget(const Expr &e) {
  switch (e.kind) {
  case ExprKind::Name:
  case ExprKind::Attribute:
  case ExprKind::Subscript:
  case ExprKind::Starred: return;
  case ExprKind::Tuple:
  case ExprKind::List:
    for (const auto &o : e.operands)
      checkTarget(*o);
    return;
  default: errorAt(e.span, "cannot assign to this expression");
  }
}

std::vector<StmtPtr> Parser::parseSuite(std::string *typeComment,
                                SourceSpan *typeCommentSpan) {
  expectOp(":");
  std::vector<StmtPtr> body;
  auto takeTypeComment = [&]() {
    if (at(TokKind::TypeComment)) {
      Token c = next();
      if (typeComment && typeComment->empty()) {
        *typeComment = c.value;
        *typeCommentSpan = spanOf(c);
      }
    }
  };
  takeTypeComment();
  if (!at(TokKind::Newline)) {
    parseSimpleStatements(body);
    return body;
  }
  next();
  takeTypeComment();
  while (accept(TokKind::Newline))
    takeTypeComment();
  if (!accept(TokKind::Indent))
    errorAt(cur(), "expected an indented block but found " + describe(cur()));
  while (!at(TokKind::Dedent) && !at(TokKind::End)) {
    if (accept(TokKind::Newline) || accept(TokKind::TypeComment))
      continue;
    parseStatement(body);
  }
  accept(TokKind::Dedent);
  return body;
}

StmtPtr Parser::parseDecorated() {
  std::vector<ExprPtr> decorators;
  while (acceptOp("@")) {
    decorators.push_back(parseTest());
    expectNewline();
  }
  if (atName("def"))
    return parseFunction(std::move(decorators));
  if (atName("class"))
    return parseClass(std::move(decorators));
  errorAt(cur(), "expected 'def' or 'class' after a decorator but found " + describe(cur()));
}

// TorchScript's words for parameters it cannot compile.
constexpr const char *kVarargError = "Compiled functions can't take variable number of arguments "
                                     "or use keyword-only arguments with defaults";

StmtPtr Parser::parseFunction(std::vector<ExprPtr> decorators) {
  SourceSpan start = spanOf(next()); // def
  auto s = std::make_unique<Stmt>(StmtKind::FunctionDef, start);
  s->decorators = std::move(decorators);
  s->name = expectName("a function name").text;
  expectOp("(");
  bool kwOnly = false;
  while (!atOp(")")) {
    if (atOp("**"))
      unsupportedAt(cur(), std::string(kVarargError) + " (**kwargs); take a Dict argument instead");
    if (atOp("*")) {
      Token star = next();
      if (at(TokKind::Name))
        unsupportedAt(star, std::string(kVarargError) + " (*args); take a List or Tuple argument "
                                                        "instead");
      kwOnly = true;
    } else if (atOp("/")) {
      next(); // positional-only marker: every parameter is positional anyway
    } else {
      Param p;
      Token name = expectName("a parameter name");
      p.name = name.text;
      p.span = spanOf(name);
      p.kwOnly = kwOnly;
      if (acceptOp(":"))
        p.annotation = parseTest();
      if (atOp("=") && kwOnly)
        unsupportedAt(cur(), std::string(kVarargError) +
                                 " (a default for keyword-only parameter '" + p.name +
                                 "'); make it a positional parameter with a default");
      if (acceptOp("=")) {
        p.defaultValue = parseTest();
      } else if (!kwOnly && !s->params.empty() && s->params.back().defaultValue)
        errorAt(name, "parameter '" + p.name + "' without a default follows a parameter with "
                      "a default; give it a default or move it before them");
      s->params.push_back(std::move(p));
    }
    bool comma = acceptOp(",");
    // A parameter's own `# type:` comment follows it (after its comma).
    if (at(TokKind::TypeComment) && !s->params.empty()) {
      Token c = next();
      s->params.back().typeComment = c.value;
      s->params.back().typeCommentSpan = spanOf(c);
    }
    if (!comma)
      break;
  }
  expectOp(")");
  if (acceptOp("->"))
    s->annotation = parseTest();
  s->span = spanFrom(start);
  ++functionDepth_;
  s->body = parseSuite(&s->typeComment, &s->typeCommentSpan);
  --functionDepth_;
  return s;
}

StmtPtr Parser::parseClass(std::vector<ExprPtr> decorators) {
  Token kw = next();
  if (functionDepth_ > 0)
    unsupportedAt(kw,
                  "classes cannot be defined inside a TorchScript function; define the class at "
                  "module level");
  auto s = std::make_unique<Stmt>(StmtKind::ClassDef, spanOf(kw));
  s->decorators = std::move(decorators);
  s->name = expectName("a class name").text;
  if (acceptOp("(")) {
    while (!atOp(")")) {
      s->bases.push_back(parseTest());
      if (!acceptOp(","))
        break;
    }
    expectOp(")");
  }
  s->span = spanFrom(spanOf(kw));
  s->body = parseSuite();
  return s;
}

StmtPtr Parser::parseIf() {
  SourceSpan start = spanOf(next()); // if / elif
  auto s = std::make_unique<Stmt>(StmtKind::If, start);
  s->value = parseNamedTest();
  s->span = spanFrom(start);
  s->body = parseSuite();
  if (atName("elif")) {
    s->orelse.push_back(parseIf());
  } else if (acceptName("else")) {
    s->orelse = parseSuite();
  }
  return s;
}

StmtPtr Parser::parseWhile() {
  SourceSpan start = spanOf(next());
  auto s = std::make_unique<Stmt>(StmtKind::While, start);
  s->value = parseNamedTest();
  s->span = spanFrom(start);
  s->body = parseSuite();
  rejectLoopElse("while");
  return s;
}

StmtPtr Parser::parseFor() {
  SourceSpan start = spanOf(next());
  auto s = std::make_unique<Stmt>(StmtKind::For, start);
  ExprPtr target = parseTargetList();
  checkTarget(*target);
  s->targets.push_back(std::move(target));
  if (!acceptName("in"))
    errorAt(cur(), "expected 'in' but found " + describe(cur()));
  s->value = parseTestList();
  s->span = spanFrom(start);
  s->body = parseSuite();
  rejectLoopElse("for");
  return s;
}

void Parser::rejectLoopElse(const char *loop) {
  if (atName("else"))
    unsupportedAt(cur(), std::string("'else' after a '") + loop +
                             "' loop is not supported in TorchScript; use a flag set before "
                             "'break' instead");
}

StmtPtr Parser::parseWith() {
  SourceSpan start = spanOf(next());
  auto s = std::make_unique<Stmt>(StmtKind::With, start);
  do {
    WithItem item;
    item.context = parseTest();
    if (acceptName("as")) {
      item.target = parseExpr();
      checkTarget(*item.target);
    }
    s->items.push_back(std::move(item));
  } while (acceptOp(","));
  s->span = spanFrom(start);
  s->body = parseSuite();
  return s;
}

} // namespace ember::frontend::detail

namespace ember::frontend {

std::string decodeEscapes(const std::string &raw) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\' || i + 1 >= raw.size()) {
      out += raw[i];
      continue;
    }
    char e = raw[++i];
    switch (e) {
    case 'n': out += '\n'; break;
    case 't': out += '\t'; break;
    case 'r': out += '\r'; break;
    case '\\': out += '\\'; break;
    case '\'': out += '\''; break;
    case '"': out += '"'; break;
    case 'a': out += '\a'; break;
    case 'b': out += '\b'; break;
    case 'f': out += '\f'; break;
    case 'v': out += '\v'; break;
    case '\n': break;
    default: out += '\\'; out += e;
    }
  }
  return out;
}

Module parseSource(const std::shared_ptr<const SourceBuffer> &buffer) {
  return detail::Parser(buffer).parseModule();
}

ExprPtr parseExpression(const std::shared_ptr<const SourceBuffer> &buffer) {
  return detail::Parser(buffer).parseSingleExpression();
}

} // namespace ember::frontend