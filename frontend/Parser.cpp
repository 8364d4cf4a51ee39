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

#include "frontend/Lexer.h"

#include <algorithm>
#include <functional>
#include <unordered_map>

namespace ember::frontend {
namespace {

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

  // --- statements ------------------------------------------------------------
  void parseStatement(std::vector<StmtPtr> &out) {
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
        errorAt(t, "'try' blocks are not supported in TorchScript; check the condition "
                   "explicitly and 'raise' instead");
      if (k == "async")
        errorAt(t, "async functions are not supported in TorchScript; use torch.jit.fork "
                   "and torch.jit.wait for parallelism");
    }
    if (t.kind == TokKind::Op && t.text == "@")
      return out.push_back(parseDecorated());
    parseSimpleStatements(out);
  }

  void parseSimpleStatements(std::vector<StmtPtr> &out) {
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

  StmtPtr parseSmallStatement() {
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
        errorAt(t, "'" + k + "' is not supported in TorchScript; pass the value as an argument "
                   "or keep it as a module attribute");
      if (k == "import" || k == "from") {
        if (functionDepth_ > 0)
          errorAt(t, "import statements are not supported inside TorchScript functions; "
                     "import at module level");
        auto s = std::make_unique<Stmt>(StmtKind::Import, start);
        while (!atEndOfStatement())
          next();
        s->span = spanFrom(start);
        s->name = buf_->text.substr(s->span.offset, s->span.length);
        return s;
      }
      if (k == "yield")
        errorAt(t, "generators ('yield') are not supported in TorchScript; build and return "
                   "a list instead");
    }
    return parseExpressionStatement();
  }

  bool atEndOfStatement() const {
    return at(TokKind::Newline) || at(TokKind::End) || atOp(";") || at(TokKind::TypeComment);
  }

  StmtPtr parseExpressionStatement() {
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
      errorAt(cur(), "assignment expressions (:=) are not supported in TorchScript; assign on "
                     "a separate line");
    auto s = std::make_unique<Stmt>(StmtKind::ExprStmt, start);
    s->value = std::move(first);
    s->span = spanFrom(start);
    return s;
  }

  void checkTarget(const Expr &e) {
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

  /// `:` then a simple statement on the same line, or an indented block.
  /// A `# type:` comment right after the colon is returned in `typeComment`.
  std::vector<StmtPtr> parseSuite(std::string *typeComment = nullptr,
                                  SourceSpan *typeCommentSpan = nullptr) {
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

  StmtPtr parseDecorated() {
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

  StmtPtr parseFunction(std::vector<ExprPtr> decorators) {
    SourceSpan start = spanOf(next()); // def
    auto s = std::make_unique<Stmt>(StmtKind::FunctionDef, start);
    s->decorators = std::move(decorators);
    s->name = expectName("a function name").text;
    expectOp("(");
    bool kwOnly = false;
    while (!atOp(")")) {
      if (atOp("**"))
        errorAt(cur(), "variadic keyword arguments (**kwargs) are not supported in TorchScript; "
                       "take a Dict argument instead");
      if (atOp("*")) {
        Token star = next();
        if (at(TokKind::Name))
          errorAt(star, "variadic arguments (*args) are not supported in TorchScript; take a "
                        "List or Tuple argument instead");
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
        if (acceptOp("="))
          p.defaultValue = parseTest();
        else if (!kwOnly && !s->params.empty() && s->params.back().defaultValue)
          errorAt(name, "parameter '" + p.name + "' without a default follows a parameter with "
                        "a default; give it a default or move it before them");
        s->params.push_back(std::move(p));
      }
      if (!acceptOp(","))
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

  StmtPtr parseClass(std::vector<ExprPtr> decorators) {
    Token kw = next();
    if (functionDepth_ > 0)
      errorAt(kw, "classes cannot be defined inside a TorchScript function; define the class at "
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

  StmtPtr parseIf() {
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

  StmtPtr parseWhile() {
    SourceSpan start = spanOf(next());
    auto s = std::make_unique<Stmt>(StmtKind::While, start);
    s->value = parseNamedTest();
    s->span = spanFrom(start);
    s->body = parseSuite();
    rejectLoopElse("while");
    return s;
  }

  StmtPtr parseFor() {
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

  void rejectLoopElse(const char *loop) {
    if (atName("else"))
      errorAt(cur(), std::string("'else' after a '") + loop +
                         "' loop is not supported in TorchScript; use a flag set before "
                         "'break' instead");
  }

  StmtPtr parseWith() {
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

  // --- expressions -----------------------------------------------------------
  ExprPtr make(ExprKind k, const SourceSpan &start) {
    return std::make_unique<Expr>(k, spanFrom(start));
  }

  /// A test that may not be `x := ...` (diagnosed with a hint).
  ExprPtr parseNamedTest() {
    ExprPtr e = parseTest();
    if (atOp(":="))
      errorAt(cur(), "assignment expressions (:=) are not supported in TorchScript; assign on "
                     "a separate line");
    return e;
  }

  /// `a, b, *c` as a tuple when there is a comma.
  ExprPtr parseTestListStar() { return parseSequence(/*allowStar=*/true, /*targets=*/false); }
  ExprPtr parseTestList() { return parseSequence(/*allowStar=*/false, /*targets=*/false); }
  ExprPtr parseTargetList() { return parseSequence(/*allowStar=*/true, /*targets=*/true); }

  ExprPtr parseSequence(bool allowStar, bool targets) {
    SourceSpan start = spanOf(cur());
    auto item = [&]() -> ExprPtr {
      if (allowStar && atOp("*"))
        return parseStarred();
      return targets ? parseExpr() : parseTest();
    };
    ExprPtr first = item();
    if (!atOp(","))
      return first;
    auto tuple = std::make_unique<Expr>(ExprKind::Tuple, start);
    tuple->operands.push_back(std::move(first));
    while (acceptOp(",")) {
      if (atEndOfStatement() || atOp("=") || atOp(")") || atName("in") || atOp(":"))
        break;
      tuple->operands.push_back(item());
    }
    tuple->span = spanFrom(start);
    return tuple;
  }

  ExprPtr parseStarred() {
    SourceSpan start = spanOf(expectOp("*"));
    auto e = std::make_unique<Expr>(ExprKind::Starred, start);
    e->operands.push_back(parseExpr());
    e->span = spanFrom(start);
    return e;
  }

  ExprPtr parseTest() {
    DepthGuard guard(*this);
    if (atName("lambda"))
      errorAt(cur(), "lambda expressions are not supported in TorchScript; define a function "
                     "with 'def' instead");
    if (atName("yield"))
      errorAt(cur(), "generators ('yield') are not supported in TorchScript; build and return "
                     "a list instead");
    if (atName("await"))
      errorAt(cur(), "'await' is not supported in TorchScript; use torch.jit.wait on a future");
    SourceSpan start = spanOf(cur());
    ExprPtr body = parseOrTest();
    if (!atName("if"))
      return body;
    next();
    ExprPtr test = parseOrTest();
    if (!acceptName("else"))
      errorAt(cur(), "expected 'else' in a conditional expression but found " + describe(cur()));
    ExprPtr orelse = parseTest();
    auto e = std::make_unique<Expr>(ExprKind::IfExp, start);
    e->operands.push_back(std::move(body));
    e->operands.push_back(std::move(test));
    e->operands.push_back(std::move(orelse));
    e->span = spanFrom(start);
    return e;
  }

  ExprPtr parseBoolOp(const char *op, ExprPtr (Parser::*sub)()) {
    SourceSpan start = spanOf(cur());
    ExprPtr first = (this->*sub)();
    if (!atName(op))
      return first;
    auto e = std::make_unique<Expr>(ExprKind::BoolOp, start);
    e->text = op;
    e->operands.push_back(std::move(first));
    while (acceptName(op))
      e->operands.push_back((this->*sub)());
    e->span = spanFrom(start);
    return e;
  }
  ExprPtr parseOrTest() { return parseBoolOp("or", &Parser::parseAndTest); }
  ExprPtr parseAndTest() { return parseBoolOp("and", &Parser::parseNotTest); }

  ExprPtr parseNotTest() {
    DepthGuard guard(*this);
    if (atName("not")) {
      SourceSpan start = spanOf(next());
      auto e = std::make_unique<Expr>(ExprKind::UnaryOp, start);
      e->text = "not";
      e->operands.push_back(parseNotTest());
      e->span = spanFrom(start);
      return e;
    }
    return parseComparison();
  }

  std::string compareOp() {
    if (cur().kind == TokKind::Op) {
      static const char *ops[] = {"<", ">", "==", ">=", "<=", "!="};
      for (const char *op : ops)
        if (cur().text == op) {
          next();
          return op;
        }
      return "";
    }
    if (atName("in")) {
      next();
      return "in";
    }
    if (atName("not") && peek().kind == TokKind::Name && peek().text == "in") {
      next();
      next();
      return "not in";
    }
    if (atName("is")) {
      next();
      if (acceptName("not"))
        return "is not";
      return "is";
    }
    return "";
  }

  ExprPtr parseComparison() {
    SourceSpan start = spanOf(cur());
    ExprPtr first = parseExpr();
    std::string op = compareOp();
    if (op.empty())
      return first;
    auto e = std::make_unique<Expr>(ExprKind::Compare, start);
    e->operands.push_back(std::move(first));
    while (!op.empty()) {
      e->ops.push_back(op);
      e->operands.push_back(parseExpr());
      op = compareOp();
    }
    e->span = spanFrom(start);
    return e;
  }

  /// Binary operator levels, loosest first.
  ExprPtr parseBinary(int level) {
    static const std::vector<std::vector<std::string>> levels = {
        {"|"}, {"^"}, {"&"}, {"<<", ">>"}, {"+", "-"}, {"*", "@", "/", "%", "//"}};
    if (level == int(levels.size()))
      return parseFactor();
    SourceSpan start = spanOf(cur());
    ExprPtr lhs = parseBinary(level + 1);
    while (cur().kind == TokKind::Op) {
      const auto &ops = levels[level];
      if (std::find(ops.begin(), ops.end(), cur().text) == ops.end())
        break;
      std::string op = next().text;
      auto e = std::make_unique<Expr>(ExprKind::BinOp, start);
      e->text = op;
      e->operands.push_back(std::move(lhs));
      e->operands.push_back(parseBinary(level + 1));
      e->span = spanFrom(start);
      lhs = std::move(e);
    }
    return lhs;
  }
  ExprPtr parseExpr() { return parseBinary(0); }

  ExprPtr parseFactor() {
    DepthGuard guard(*this);
    if (atOp("-") || atOp("+") || atOp("~")) {
      Token op = next();
      SourceSpan start = spanOf(op);
      auto e = std::make_unique<Expr>(ExprKind::UnaryOp, start);
      e->text = op.text;
      e->operands.push_back(parseFactor());
      e->span = spanFrom(start);
      return e;
    }
    return parsePower();
  }

  ExprPtr parsePower() {
    SourceSpan start = spanOf(cur());
    ExprPtr base = parseAtomExpr();
    if (!atOp("**"))
      return base;
    next();
    auto e = std::make_unique<Expr>(ExprKind::BinOp, start);
    e->text = "**";
    e->operands.push_back(std::move(base));
    e->operands.push_back(parseFactor());
    e->span = spanFrom(start);
    return e;
  }

  ExprPtr parseAtomExpr() {
    SourceSpan start = spanOf(cur());
    ExprPtr e = parseAtom();
    while (true) {
      if (atOp("(")) {
        next();
        auto call = std::make_unique<Expr>(ExprKind::Call, start);
        call->operands.push_back(std::move(e));
        parseArguments(*call);
        expectOp(")");
        call->span = spanFrom(start);
        e = std::move(call);
      } else if (atOp("[")) {
        next();
        auto sub = std::make_unique<Expr>(ExprKind::Subscript, start);
        sub->operands.push_back(std::move(e));
        do {
          if (atOp("]"))
            break;
          sub->operands.push_back(parseSubscript());
        } while (acceptOp(","));
        if (sub->operands.size() == 1)
          errorAt(cur(), "expected an index but found " + describe(cur()));
        expectOp("]");
        sub->span = spanFrom(start);
        e = std::move(sub);
      } else if (atOp(".")) {
        next();
        auto attr = std::make_unique<Expr>(ExprKind::Attribute, start);
        attr->operands.push_back(std::move(e));
        attr->text = expectName("an attribute name").text;
        attr->span = spanFrom(start);
        e = std::move(attr);
      } else {
        return e;
      }
    }
  }

  void parseArguments(Expr &call) {
    while (!atOp(")")) {
      if (atOp("**"))
        errorAt(cur(), "'**' unpacking in calls is not supported in TorchScript; pass the "
                       "arguments by keyword");
      if (atOp("*")) {
        call.operands.push_back(parseStarred());
      } else if (at(TokKind::Name) && peek().kind == TokKind::Op && peek().text == "=") {
        Token name = next();
        next();
        Keyword kw;
        kw.name = name.text;
        kw.span = spanOf(name);
        kw.value = parseTest();
        call.keywords.push_back(std::move(kw));
      } else {
        if (!call.keywords.empty())
          errorAt(cur(), "positional argument follows keyword argument");
        SourceSpan start = spanOf(cur());
        ExprPtr arg = parseTest();
        if (atName("for"))
          errorAt(start, "generator expressions are not supported in TorchScript; use a list "
                         "comprehension [...] instead");
        call.operands.push_back(std::move(arg));
      }
      if (!acceptOp(","))
        break;
    }
  }

  ExprPtr parseSubscript() {
    SourceSpan start = spanOf(cur());
    ExprPtr lower;
    if (!atOp(":"))
      lower = atOp("*") ? parseStarred() : parseTest();
    if (!atOp(":"))
      return lower;
    auto slice = std::make_unique<Expr>(ExprKind::Slice, start);
    next();
    ExprPtr upper, step;
    if (!atOp(":") && !atOp("]") && !atOp(","))
      upper = parseTest();
    if (acceptOp(":") && !atOp("]") && !atOp(","))
      step = parseTest();
    slice->operands.push_back(std::move(lower));
    slice->operands.push_back(std::move(upper));
    slice->operands.push_back(std::move(step));
    slice->span = spanFrom(start);
    return slice;
  }

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

ExprPtr Parser::parseAtom() {
  const Token &t = cur();
  SourceSpan start = spanOf(t);
  switch (t.kind) {
  case TokKind::Int:
  case TokKind::Float:
  case TokKind::Imaginary: {
    Token n = next();
    auto e = std::make_unique<Expr>(n.kind == TokKind::Int     ? ExprKind::Int
                                    : n.kind == TokKind::Float ? ExprKind::Float
                                                               : ExprKind::Imaginary,
                                    start);
    e->text = n.kind == TokKind::Imaginary ? n.text.substr(0, n.text.size() - 1) : n.text;
    return e;
  }
  case TokKind::String: return parseStrings();
  case TokKind::Name: {
    if (t.text == "True" || t.text == "False" || t.text == "None") {
      Token n = next();
      return std::make_unique<Expr>(n.text == "True"    ? ExprKind::True
                                    : n.text == "False" ? ExprKind::False
                                                        : ExprKind::None,
                                    start);
    }
    if (isKeyword(t.text))
      errorAt(t, "expected an expression but found keyword '" + t.text + "'");
    auto e = std::make_unique<Expr>(ExprKind::Name, start);
    e->text = next().text;
    return e;
  }
  case TokKind::Op:
    if (t.text == "(" || t.text == "[" || t.text == "{")
      return parseBracketed(t.text.c_str());
    if (t.text == "...") {
      next();
      return std::make_unique<Expr>(ExprKind::Ellipsis, start);
    }
    break;
  default: break;
  }
  errorAt(t, "expected an expression but found " + describe(t));
}

ExprPtr Parser::parseStrings() {
  SourceSpan start = spanOf(cur());
  auto e = std::make_unique<Expr>(ExprKind::Str, start);
  while (at(TokKind::String)) {
    Token s = next();
    if (s.text.find('f') != std::string::npos) {
      if (e->kind == ExprKind::Str) {
        e->kind = ExprKind::FStr;
        if (!e->text.empty())
          e->parts.push_back({e->text, nullptr, 0, ""});
      }
      parseFStringInto(*e, s);
    } else if (e->kind == ExprKind::FStr) {
      e->parts.push_back({s.value, nullptr, 0, ""});
    } else {
      e->text += s.value;
    }
  }
  e->span = spanFrom(start);
  return e;
}

/// Splits an f-string's raw text into literal pieces and `{expr!c:spec}`
/// fields; each field expression is parsed at its place in the file.
void Parser::parseFStringInto(Expr &e, const Token &tok) {
  const std::string &src = buf_->text;
  size_t quote = tok.offset + tok.text.size();
  size_t qlen = src.compare(quote, 3, std::string(3, src[quote])) == 0 ? 3 : 1;
  size_t i = quote + qlen, end = tok.offset + tok.length - qlen;
  bool raw = tok.text.find('r') != std::string::npos;
  std::string literal;
  auto flush = [&]() {
    if (!literal.empty())
      e.parts.push_back({raw ? literal : decodeEscapes(literal), nullptr, 0, ""});
    literal.clear();
  };
  while (i < end) {
    char c = src[i];
    if ((c == '{' || c == '}') && i + 1 < end && src[i + 1] == c) {
      literal += c;
      i += 2;
      continue;
    }
    if (c == '}')
      errorAt(SourceSpan{buf_, i, 1}, "single '}' is not allowed in an f-string; write '}}'");
    if (c != '{') {
      literal += c;
      ++i;
      continue;
    }
    flush();
    // Find the end of the expression: a top-level '!', ':' or '}'.
    size_t exprBegin = i + 1, j = exprBegin;
    int depth = 0;
    while (j < end) {
      char d = src[j];
      if (d == '(' || d == '[' || d == '{')
        ++depth;
      else if ((d == ')' || d == ']' || (d == '}' && depth > 0)))
        --depth;
      else if (depth == 0 && (d == '}' || d == ':' ||
                              (d == '!' && j + 1 < end && src[j + 1] != '=')))
        break;
      else if (d == '\'' || d == '"') {
        size_t close = src.find(d, j + 1);
        j = close == std::string::npos || close >= end ? end : close;
      }
      ++j;
    }
    if (j >= end)
      errorAt(SourceSpan{buf_, i, 1}, "f-string: expected '}' closing this replacement field");
    FStringPart part;
    part.expr = parseEmbedded(exprBegin, j);
    if (src[j] == '!') {
      if (j + 2 >= end || std::string("rsa").find(src[j + 1]) == std::string::npos)
        errorAt(SourceSpan{buf_, j, 2}, "f-string: expected '!r', '!s' or '!a'");
      part.conversion = src[j + 1];
      j += 2;
    }
    if (src[j] == ':') {
      size_t specBegin = ++j;
      while (j < end && src[j] != '}')
        ++j;
      part.formatSpec = src.substr(specBegin, j - specBegin);
    }
    if (j >= end || src[j] != '}')
      errorAt(SourceSpan{buf_, i, 1}, "f-string: expected '}' closing this replacement field");
    e.parts.push_back(std::move(part));
    i = j + 1;
  }
  flush();
}

/// Parses the text in [begin, end) as one expression, with spans that point
/// into the original file: everything else is blanked out (newlines kept).
ExprPtr Parser::parseEmbedded(size_t begin, size_t end) {
  std::string masked = buf_->text;
  for (size_t k = 0; k < masked.size(); ++k)
    if ((k < begin || k >= end) && masked[k] != '\n')
      masked[k] = ' ';
  if (masked.substr(begin, end - begin).find_first_not_of(" \t\n") == std::string::npos)
    errorAt(SourceSpan{buf_, begin > 0 ? begin - 1 : 0, 1},
            "f-string: empty expression not allowed");
  auto copy = std::make_shared<SourceBuffer>(SourceBuffer{buf_->name, masked});
  Parser sub(copy);
  ExprPtr expr = sub.parseSingleExpression();
  // Re-point spans at the original buffer.
  std::function<void(Expr &)> rebase = [&](Expr &x) {
    x.span.buffer = buf_;
    for (auto &o : x.operands)
      if (o)
        rebase(*o);
    for (auto &k : x.keywords) {
      k.span.buffer = buf_;
      rebase(*k.value);
    }
    for (auto &g : x.generators) {
      rebase(*g.target);
      rebase(*g.iter);
      for (auto &c : g.conditions)
        rebase(*c);
    }
    for (auto &p : x.parts)
      if (p.expr)
        rebase(*p.expr);
  };
  rebase(*expr);
  return expr;
}

ExprPtr Parser::parseBracketed(const char *open) {
  SourceSpan start = spanOf(next());
  std::string o = open;
  const char *close = o == "(" ? ")" : o == "[" ? "]" : "}";
  ExprKind kind = o == "(" ? ExprKind::Tuple : o == "[" ? ExprKind::List : ExprKind::Dict;
  auto e = std::make_unique<Expr>(kind, start);
  if (acceptOp(close)) {
    e->span = spanFrom(start);
    return e;
  }
  if (kind == ExprKind::Dict) {
    if (atOp("**"))
      errorAt(cur(), "'**' unpacking in dict literals is not supported in TorchScript");
    ExprPtr key = parseTest();
    if (!atOp(":"))
      errorAt(start, "sets are not supported in TorchScript; use a List, or a Dict with bool "
                     "values");
    next();
    e->operands.push_back(std::move(key));
    e->operands.push_back(parseTest());
    if (atName("for")) {
      e->kind = ExprKind::DictComp;
      parseComprehension(*e);
    } else {
      while (acceptOp(",") && !atOp("}")) {
        e->operands.push_back(parseTest());
        expectOp(":");
        e->operands.push_back(parseTest());
      }
    }
    expectOp("}");
    e->span = spanFrom(start);
    return e;
  }
  if (kind == ExprKind::Tuple && atName("yield"))
    errorAt(cur(), "generators ('yield') are not supported in TorchScript; build and return a "
                   "list instead");
  ExprPtr first = atOp("*") ? parseStarred() : parseNamedTest();
  if (atName("for")) {
    if (kind == ExprKind::Tuple)
      errorAt(start, "generator expressions are not supported in TorchScript; use a list "
                     "comprehension [...] instead");
    e->kind = ExprKind::ListComp;
    e->operands.push_back(std::move(first));
    parseComprehension(*e);
    expectOp(close);
    e->span = spanFrom(start);
    return e;
  }
  if (kind == ExprKind::Tuple && atOp(")")) {
    next();
    // `(x)` is x itself; its span stays that of x, as in Python's ast.
    return first;
  }
  e->operands.push_back(std::move(first));
  while (acceptOp(",")) {
    if (atOp(close))
      break;
    e->operands.push_back(atOp("*") ? parseStarred() : parseTest());
  }
  expectOp(close);
  e->span = spanFrom(start);
  return e;
}

void Parser::parseComprehension(Expr &e) {
  while (acceptName("for")) {
    Comprehension c;
    c.target = parseTargetList();
    checkTarget(*c.target);
    if (!acceptName("in"))
      errorAt(cur(), "expected 'in' but found " + describe(cur()));
    c.iter = parseOrTest();
    while (acceptName("if"))
      c.conditions.push_back(parseOrTest());
    e.generators.push_back(std::move(c));
  }
}

} // namespace

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
  return Parser(buffer).parseModule();
}

ExprPtr parseExpression(const std::shared_ptr<const SourceBuffer> &buffer) {
  return Parser(buffer).parseSingleExpression();
}

} // namespace ember::frontend
