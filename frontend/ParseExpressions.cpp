//===- frontend/ParseExpressions.cpp - operators, calls, subscripts ------===//
//
// Expressions by Python's precedence, loosest first: conditional, or, and,
// not, comparison chains, the binary operator levels, unary, power, then
// trailers (calls, subscripts and slices, attributes) on an atom.
//
//===----------------------------------------------------------------------===//
#include "frontend/ParserImpl.h"

namespace ember::frontend::detail {

ExprPtr Parser::make(ExprKind k, const SourceSpan &start) {
  return std::make_unique<Expr>(k, spanFrom(start));
}

/// From `from` to the end of `last`: an operator's range, as TorchScript
/// merges its operands' ranges (the parentheses around an operand are not
/// part of it, as in Python's ast).
SourceSpan Parser::spanOver(const SourceSpan &from, const Expr &last) {
  return SourceSpan{from.buffer, from.offset, rangeEnd(last) - from.offset};
}

} // namespace ember::frontend::detail

namespace ember::frontend {

size_t rangeEnd(const Expr &e) {
  size_t end = e.span.offset + e.span.length;
  if (e.kind == ExprKind::Call) { // its own span is its callee's
    for (size_t i = 1; i < e.operands.size(); ++i)
      end = std::max(end, rangeEnd(*e.operands[i]));
    for (const auto &k : e.keywords)
      end = std::max(end, rangeEnd(*k.value));
  }
  return end;
}

std::string sourceText(const Expr &e) {
  const SourceSpan &s = writtenSpan(e);
  return s.buffer->text.substr(s.offset, s.length);
}

} // namespace ember::frontend

namespace ember::frontend::detail {

ExprPtr Parser::parseNamedTest() {
  ExprPtr e = parseTest();
  if (atOp(":="))
    unsupportedAt(cur(), "assignment expressions (:=) are not supported in TorchScript; assign on "
                         "a separate line");
  return e;
}

ExprPtr Parser::parseTestListStar() { return parseSequence(/*allowStar=*/true, /*targets=*/false); }

ExprPtr Parser::parseTestList() { return parseSequence(/*allowStar=*/false, /*targets=*/false); }

ExprPtr Parser::parseTargetList() { return parseSequence(/*allowStar=*/true, /*targets=*/true); }

ExprPtr Parser::parseSequence(bool allowStar, bool targets) {
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

ExprPtr Parser::parseStarred() {
  SourceSpan start = spanOf(expectOp("*"));
  auto e = std::make_unique<Expr>(ExprKind::Starred, start);
  e->operands.push_back(parseExpr());
  e->span = spanFrom(start);
  return e;
}

// `lambda: expr`, read only as the message of torch._check and its kin
// (the emitter refuses it anywhere else); a lambda with parameters is refused
// here.
ExprPtr Parser::parseLambda() {
  SourceSpan start = spanOf(cur());
  next();
  if (!atOp(":"))
    unsupportedAt(start, "lambda expressions are not supported in TorchScript; define a function "
                         "with 'def' instead");
  next();
  auto e = std::make_unique<Expr>(ExprKind::Lambda, start);
  e->operands.push_back(parseTest());
  e->span = spanFrom(start);
  return e;
}

ExprPtr Parser::parseTest() {
  DepthGuard guard(*this);
  if (atName("lambda"))
    return parseLambda();
  if (atName("yield"))
    unsupportedAt(cur(), "generators ('yield') are not supported in TorchScript; build and return "
                         "a list instead");
  if (atName("await"))
    unsupportedAt(cur(), "'await' is not supported in TorchScript; use torch.jit.wait on a future");
  SourceSpan start = spanOf(cur());
  ExprPtr body = parseOrTest();
  if (!atName("if")) {
    body->written = spanFrom(start);
    return body;
  }
  next();
  ExprPtr test = parseOrTest();
  if (!acceptName("else"))
    errorAt(cur(), "expected 'else' in a conditional expression but found " + describe(cur()));
  ExprPtr orelse = parseTest();
  auto e = std::make_unique<Expr>(ExprKind::IfExp, start);
  e->span = spanOver(body->span, *orelse);
  e->written = spanFrom(start);
  e->operands.push_back(std::move(body));
  e->operands.push_back(std::move(test));
  e->operands.push_back(std::move(orelse));
  return e;
}

ExprPtr Parser::parseBoolOp(const char *op, ExprPtr (Parser::*sub)()) {
  SourceSpan start = spanOf(cur());
  ExprPtr first = (this->*sub)();
  if (!atName(op))
    return first;
  auto e = std::make_unique<Expr>(ExprKind::BoolOp, start);
  e->text = op;
  e->operands.push_back(std::move(first));
  while (acceptName(op))
    e->operands.push_back((this->*sub)());
  e->span = spanOver(e->operands.front()->span, *e->operands.back());
  return e;
}

ExprPtr Parser::parseOrTest() { return parseBoolOp("or", &Parser::parseAndTest); }

ExprPtr Parser::parseAndTest() { return parseBoolOp("and", &Parser::parseNotTest); }

ExprPtr Parser::parseNotTest() {
  DepthGuard guard(*this);
  if (atName("not")) {
    SourceSpan start = spanOf(next());
    auto e = std::make_unique<Expr>(ExprKind::UnaryOp, start);
    e->text = "not";
    e->operands.push_back(parseNotTest());
    e->span = spanOver(start, *e->operands[0]);
    return e;
  }
  return parseComparison();
}

std::string Parser::compareOp() {
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

ExprPtr Parser::parseComparison() {
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
  e->span = spanOver(e->operands.front()->span, *e->operands.back());
  return e;
}

ExprPtr Parser::parseBinary(int level) {
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
    e->span = spanOver(e->operands[0]->span, *e->operands[1]);
    lhs = std::move(e);
  }
  return lhs;
}

ExprPtr Parser::parseExpr() { return parseBinary(0); }

ExprPtr Parser::parseFactor() {
  DepthGuard guard(*this);
  if (atOp("-") || atOp("+") || atOp("~")) {
    Token op = next();
    SourceSpan start = spanOf(op);
    auto e = std::make_unique<Expr>(ExprKind::UnaryOp, start);
    e->text = op.text;
    e->operands.push_back(parseFactor());
    e->span = spanOver(start, *e->operands[0]);
    return e;
  }
  return parsePower();
}

ExprPtr Parser::parsePower() {
  SourceSpan start = spanOf(cur());
  ExprPtr base = parseAtomExpr();
  if (!atOp("**"))
    return base;
  next();
  auto e = std::make_unique<Expr>(ExprKind::BinOp, start);
  e->text = "**";
  e->operands.push_back(std::move(base));
  e->operands.push_back(parseFactor());
  e->span = spanOver(e->operands[0]->span, *e->operands[1]);
  return e;
}

ExprPtr Parser::parseAtomExpr() {
  ExprPtr e = parseAtom();
  // A trailer's range starts where its base's does: `(a + b).sum()` from
  // `a`, as TorchScript merges the ranges of the parts.
  SourceSpan start = e->span;
  while (true) {
    if (atOp("(")) {
      next();
      // A call is where its callee is: TorchScript reports and locates it
      // there (its range for merging ends at the last argument).
      SourceSpan calleeSpan = e->span;
      auto call = std::make_unique<Expr>(ExprKind::Call, start);
      call->operands.push_back(std::move(e));
      parseArguments(*call);
      expectOp(")");
      call->span = calleeSpan;
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

void Parser::parseArguments(Expr &call) {
  while (!atOp(")")) {
    if (atOp("**"))
      unsupportedAt(cur(), "'**' unpacking in calls is not supported in TorchScript; pass the "
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
      if (atName("for")) {
        // `all(f(x) for x in xs)`: the generator is a list comprehension.
        auto comp = std::make_unique<Expr>(ExprKind::ListComp, start);
        comp->operands.push_back(std::move(arg));
        parseComprehension(*comp);
        comp->span = spanFrom(start);
        arg = std::move(comp);
      }
      call.operands.push_back(std::move(arg));
    }
    if (!acceptOp(","))
      break;
  }
}

ExprPtr Parser::parseSubscript() {
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

} // namespace ember::frontend::detail
