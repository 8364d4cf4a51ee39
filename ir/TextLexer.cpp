//===- ir/TextLexer.cpp - tokens of the graph and schema languages --------===//
#include "ir/TextLexer.h"

#include <cctype>

namespace ember {

TextLexer::TextLexer(std::shared_ptr<const SourceBuffer> buffer) : buffer_(std::move(buffer)) {
  lex();
  skipComments();
}

static bool isIdentStart(char c) { return std::isalpha((unsigned char)c) || c == '_'; }
static bool isIdentChar(char c) { return std::isalnum((unsigned char)c) || c == '_'; }

/// Three characters in '0' - 7 .. '0', not all '0': the escape TorchScript
/// prints for a negative (UTF-8) char.
static bool isSignedByteEscape(const std::string &s, size_t i) {
  if (i + 2 >= s.size())
    return false;
  bool anyNegative = false;
  for (size_t k = 0; k < 3; ++k) {
    char c = s[i + k];
    if (c < '0' - 7 || c > '0')
      return false;
    anyNegative |= c != '0';
  }
  return anyNegative && s[i] >= '0' - 2;
}

void TextLexer::lex() {
  const std::string &s = buffer_->text;
  size_t i = 0;
  bool newline = true;
  auto push = [&](TokKind k, std::string text, size_t start) {
    tokens_.push_back({k, std::move(text), start, i - start, newline});
    newline = false;
  };
  while (i < s.size()) {
    char c = s[i];
    if (c == '\n') {
      newline = true;
      ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    size_t start = i;
    if (c == '#') {
      while (i < s.size() && s[i] != '\n')
        ++i;
      push(TokKind::Comment, s.substr(start + 1, i - start - 1), start);
      continue;
    }
    if (c == '%') {
      ++i;
      while (i < s.size() && (isIdentChar(s[i]) || s[i] == '.'))
        ++i;
      push(TokKind::ValueName, s.substr(start + 1, i - start - 1), start);
      continue;
    }
    if (isIdentStart(c)) {
      while (i < s.size() && isIdentChar(s[i]))
        ++i;
      push(TokKind::Ident, s.substr(start, i - start), start);
      continue;
    }
    if (std::isdigit((unsigned char)c)) {
      while (i < s.size() && std::isdigit((unsigned char)s[i]))
        ++i;
      if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && std::isdigit((unsigned char)s[i]))
          ++i;
      }
      if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        size_t save = i++;
        if (i < s.size() && (s[i] == '+' || s[i] == '-'))
          ++i;
        if (i < s.size() && std::isdigit((unsigned char)s[i])) {
          while (i < s.size() && std::isdigit((unsigned char)s[i]))
            ++i;
        } else {
          i = save;
        }
      }
      if (i < s.size() && s[i] == 'j')
        ++i;
      push(TokKind::Number, s.substr(start, i - start), start);
      continue;
    }
    if (c == '"' || c == '\'') {
      char quote = c;
      std::string value;
      ++i;
      while (i < s.size() && s[i] != quote && s[i] != '\n') {
        if (s[i] == '\\' && i + 1 < s.size()) {
          char e = s[++i];
          switch (e) {
          case 'n': value += '\n'; break;
          case 't': value += '\t'; break;
          case 'r': value += '\r'; break;
          case 'a': value += '\a'; break;
          case 'b': value += '\b'; break;
          case 'f': value += '\f'; break;
          case 'v': value += '\v'; break;
          default:
            if (isSignedByteEscape(s, i)) {
              // TorchScript's escape of a byte >= 0x80 (see printQuotedString).
              int v = ((s[i] - '0') * 8 + (s[i + 1] - '0')) * 8 + (s[i + 2] - '0');
              value += char(v);
              i += 2;
            } else if (e >= '0' && e <= '7') {
              int v = 0, n = 0;
              while (n < 3 && i < s.size() && s[i] >= '0' && s[i] <= '7') {
                v = v * 8 + (s[i++] - '0');
                ++n;
              }
              --i;
              value += char(v);
            } else {
              value += e;
            }
          }
          ++i;
        } else {
          value += s[i++];
        }
      }
      if (i >= s.size() || s[i] != quote) {
        tokens_.push_back({TokKind::String, value, start, i - start, newline});
        error(tokens_.back(), "unterminated string literal");
      }
      ++i;
      push(TokKind::String, value, start);
      continue;
    }
    if (c == '-' && i + 1 < s.size() && s[i + 1] == '>') {
      i += 2;
      push(TokKind::Arrow, "->", start);
      continue;
    }
    if (c == ':' && i + 1 < s.size() && s[i + 1] == ':') {
      i += 2;
      push(TokKind::Punct, "::", start);
      continue;
    }
    if (std::string("()[]{},:=?*<>.-!|^/+").find(c) != std::string::npos) {
      ++i;
      push(TokKind::Punct, std::string(1, c), start);
      continue;
    }
    ++i;
    tokens_.push_back({TokKind::Punct, std::string(1, c), start, 1, newline});
    error(tokens_.back(), std::string("unexpected character '") + c + "'");
  }
  tokens_.push_back({TokKind::End, "", s.size(), 0, true});
}

void TextLexer::skipComments() {
  while (tokens_[pos_].kind == TokKind::Comment)
    ++pos_;
}

const Token &TextLexer::peek(size_t ahead) const {
  size_t p = pos_;
  while (true) {
    while (tokens_[p].kind == TokKind::Comment)
      ++p;
    if (ahead == 0 || tokens_[p].kind == TokKind::End)
      return tokens_[p];
    --ahead;
    ++p;
  }
}

Token TextLexer::next() {
  skipComments();
  Token t = tokens_[pos_];
  if (t.kind != TokKind::End)
    ++pos_;
  // Leave comments in place so trailingComment() can see them.
  return t;
}

const Token *TextLexer::trailingComment() const {
  if (pos_ < tokens_.size() && tokens_[pos_].kind == TokKind::Comment &&
      !tokens_[pos_].newlineBefore)
    return &tokens_[pos_];
  return nullptr;
}

void TextLexer::skipTrailingComment() {
  if (trailingComment())
    ++pos_;
  skipComments();
}

void TextLexer::skipTo(size_t offset) {
  while (tokens_[pos_].kind != TokKind::End && tokens_[pos_].offset < offset)
    ++pos_;
}

bool TextLexer::isPunct(const std::string &p, size_t ahead) const {
  const Token &t = peek(ahead);
  return (t.kind == TokKind::Punct || t.kind == TokKind::Arrow) && t.text == p;
}

bool TextLexer::isIdent(const std::string &name, size_t ahead) const {
  const Token &t = peek(ahead);
  return t.kind == TokKind::Ident && t.text == name;
}

bool TextLexer::acceptPunct(const std::string &p) {
  if (!isPunct(p))
    return false;
  next();
  return true;
}

bool TextLexer::acceptIdent(const std::string &name) {
  if (!isIdent(name))
    return false;
  next();
  return true;
}

std::string TextLexer::describe(const Token &t) {
  switch (t.kind) {
  case TokKind::End: return "end of input";
  case TokKind::String: return "a string";
  case TokKind::ValueName: return "'%" + t.text + "'";
  case TokKind::Number: return "number '" + t.text + "'";
  default: return "'" + t.text + "'";
  }
}

Token TextLexer::expectPunct(const std::string &p) {
  skipComments();
  const Token &t = peek();
  if (!((t.kind == TokKind::Punct || t.kind == TokKind::Arrow) && t.text == p))
    error(t, "expected '" + p + "' but found " + describe(t));
  return next();
}

Token TextLexer::expect(TokKind kind, const char *what) {
  skipComments();
  const Token &t = peek();
  if (t.kind != kind)
    error(t, std::string("expected ") + what + " but found " + describe(t));
  return next();
}

void TextLexer::error(const Token &at, const std::string &message) const {
  throw CompileError(span(at), message);
}

} // namespace ember
