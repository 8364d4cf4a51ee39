//===- frontend/ParseAtoms.cpp - literals, strings, brackets ---------------===//
//
// The atoms of an expression: names, numbers, adjacent string literals,
// f-strings (each replacement field parsed at its place in the file),
// parenthesised, list and dict displays, and comprehensions.
//
//===----------------------------------------------------------------------===//
#include "frontend/ParserImpl.h"
#include "frontend/Parser.h"

#include <functional>

namespace ember::frontend::detail {

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
      unsupportedAt(cur(), "Dict expansion (e.g. `{**dict}`) is not supported");
    ExprPtr key = parseTest();
    if (!atOp(":"))
      unsupportedAt(start, "sets are not supported in TorchScript; use a List, or a Dict with bool "
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
    unsupportedAt(cur(),
                  "generators ('yield') are not supported in TorchScript; build and return a "
                  "list instead");
  ExprPtr first = atOp("*") ? parseStarred() : parseNamedTest();
  if (atName("for")) {
    // A generator expression `(f(x) for x in xs)` is a list comprehension,
    // as TorchScript reads it.
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

} // namespace ember::frontend::detail
