//===- frontend/Lexer.cpp - tokens of the TorchScript language ------------===//
//
// Algorithm, one pass over the text:
//   1. at the start of a logical line (outside brackets), measure the
//      indentation (a tab advances to the next multiple of 8) and emit INDENT
//      or DEDENTs against the stack of open levels, whose base is the first
//      line's indentation; blank and comment-only lines do not count;
//   2. then lex tokens to the end of the line; inside (), [] and {} and after
//      a trailing backslash the line continues;
//   3. at the end of a logical line emit NEWLINE; at the end of input, the
//      DEDENTs that close every level, then End.
//
//===----------------------------------------------------------------------===//
#include "frontend/Lexer.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <unordered_set>

namespace ember::frontend {

bool isKeyword(const std::string &name) {
  static const std::unordered_set<std::string> keywords = {
      "False", "None",   "True",    "and",      "as",     "assert", "async", "await",
      "break", "class",  "continue", "def",     "del",    "elif",   "else",  "except",
      "finally", "for",  "from",    "global",   "if",     "import", "in",    "is",
      "lambda", "nonlocal", "not",  "or",       "pass",   "raise",  "return", "try",
      "while", "with",   "yield"};
  return keywords.count(name) > 0;
}

namespace {

const char *const kOperators[] = {
    "**=", "//=", ">>=", "<<=", "...", "->", ":=", "**", "//", "<<", ">>", "<=", ">=", "==",
    "!=",  "+=",  "-=",  "*=",  "/=",  "%=", "&=", "|=", "^=", "@=", "+",  "-",  "*",  "/",
    "%",   "@",   "&",   "|",   "^",   "~",  "<",  ">",  "(",  ")",  "[",  "]",  "{",  "}",
    ",",   ":",   ".",   ";",   "="};

void appendUtf8(std::string &out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

class Lexer {
public:
  Lexer(const std::shared_ptr<const SourceBuffer> &buffer) : buf_(buffer), s_(buffer->text) {}

  std::vector<Token> run() {
    indents_.push_back(0);
    while (pos_ < s_.size()) {
      if (atLineStart_ && depth_ == 0 && !handleIndentation())
        continue;
      lexLine();
    }
    if (!tokens_.empty() && tokens_.back().kind != TokKind::Newline &&
        tokens_.back().kind != TokKind::Dedent)
      push(TokKind::Newline, "", pos_, 0);
    if (depth_ > 0)
      error(openBrackets_.back(), 1, "'" + std::string(1, s_[openBrackets_.back()]) +
                                         "' was never closed");
    while (indents_.size() > 1) {
      indents_.pop_back();
      push(TokKind::Dedent, "", pos_, 0);
    }
    push(TokKind::End, "", pos_, 0);
    return std::move(tokens_);
  }

private:
  [[noreturn]] void error(size_t offset, size_t length, const std::string &message) {
    throw CompileError(SourceSpan{buf_, offset, std::max<size_t>(length, 1)}, message);
  }

  void push(TokKind kind, std::string text, size_t offset, size_t length,
            std::string value = "") {
    tokens_.push_back({kind, std::move(text), std::move(value), offset, length});
  }

  /// Measures the indentation of a new line. Returns false when the line is
  /// blank or holds only a comment (it was consumed).
  bool handleIndentation() {
    size_t col = 0, i = pos_;
    while (i < s_.size() && (s_[i] == ' ' || s_[i] == '\t' || s_[i] == '\f')) {
      col = s_[i] == '\t' ? (col / 8 + 1) * 8 : col + 1;
      ++i;
    }
    if (i >= s_.size()) {
      pos_ = i;
      return false;
    }
    if (s_[i] == '\n' || s_[i] == '\r' || s_[i] == '#') {
      if (s_[i] == '#')
        lexComment(i);
      else
        pos_ = i;
      // Consume the end of the blank or comment line.
      while (pos_ < s_.size() && s_[pos_] != '\n')
        ++pos_;
      if (pos_ < s_.size())
        ++pos_;
      return false;
    }
    pos_ = i;
    atLineStart_ = false;
    // Source cut from a file (a method of a class) keeps its columns: its
    // first line's indentation is the base the others are measured from.
    if (tokens_.empty())
      indents_.back() = col;
    if (col < indents_.front())
      error(i, 1, "unindent does not match any outer indentation level");
    if (col > indents_.back()) {
      indents_.push_back(col);
      push(TokKind::Indent, "", i, 0);
    } else {
      while (col < indents_.back()) {
        indents_.pop_back();
        push(TokKind::Dedent, "", i, 0);
      }
      if (col != indents_.back())
        error(i, 1, "unindent does not match any outer indentation level");
    }
    return true;
  }

  /// A comment starting at `i`: kept when it is a `# type:` comment.
  void lexComment(size_t i) {
    size_t end = s_.find('\n', i);
    if (end == std::string::npos)
      end = s_.size();
    std::string text = s_.substr(i + 1, end - i - 1);
    size_t k = text.find_first_not_of(" \t");
    if (k != std::string::npos && text.compare(k, 5, "type:") == 0) {
      std::string value = text.substr(k + 5);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\r'))
        value.pop_back();
      value.erase(0, std::min(value.find_first_not_of(' '), value.size()));
      if (value.rfind("ignore", 0) != 0)
        push(TokKind::TypeComment, "# type:", i, end - i, value);
    }
    pos_ = end;
  }

  void lexLine() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '\n') {
        ++pos_;
        if (depth_ == 0) {
          push(TokKind::Newline, "", pos_ - 1, 1);
          atLineStart_ = true;
          return;
        }
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
        ++pos_;
        continue;
      }
      if (c == '\\' && pos_ + 1 < s_.size() &&
          (s_[pos_ + 1] == '\n' || (s_[pos_ + 1] == '\r' && pos_ + 2 < s_.size()))) {
        pos_ += s_[pos_ + 1] == '\r' ? 3 : 2;
        continue;
      }
      if (c == '#') {
        lexComment(pos_);
        continue;
      }
      if (std::isalpha((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80) {
        lexNameOrString();
        continue;
      }
      if (std::isdigit((unsigned char)c) ||
          (c == '.' && pos_ + 1 < s_.size() && std::isdigit((unsigned char)s_[pos_ + 1]))) {
        lexNumber();
        continue;
      }
      if (c == '"' || c == '\'') {
        lexString(pos_, "");
        continue;
      }
      lexOperator();
    }
  }

  void lexNameOrString() {
    size_t start = pos_;
    while (pos_ < s_.size() &&
           (std::isalnum((unsigned char)s_[pos_]) || s_[pos_] == '_' ||
            (unsigned char)s_[pos_] >= 0x80))
      ++pos_;
    std::string name = s_.substr(start, pos_ - start);
    if (pos_ < s_.size() && (s_[pos_] == '"' || s_[pos_] == '\'') && name.size() <= 2) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      static const std::unordered_set<std::string> prefixes = {"r", "b", "f", "u", "rb", "br",
                                                               "fr", "rf"};
      if (prefixes.count(lower)) {
        lexString(start, lower);
        return;
      }
    }
    push(TokKind::Name, name, start, pos_ - start);
  }

  void lexNumber() {
    size_t start = pos_;
    auto digits = [&](auto pred) {
      while (pos_ < s_.size() && (pred(s_[pos_]) || s_[pos_] == '_'))
        ++pos_;
    };
    auto dec = [](char ch) { return std::isdigit((unsigned char)ch) != 0; };
    TokKind kind = TokKind::Int;
    if (s_[pos_] == '0' && pos_ + 1 < s_.size() && std::strchr("xXoObB", s_[pos_ + 1])) {
      char base = char(std::tolower(s_[pos_ + 1]));
      pos_ += 2;
      size_t first = pos_;
      if (base == 'x')
        digits([](char ch) { return std::isxdigit((unsigned char)ch) != 0; });
      else if (base == 'o')
        digits([](char ch) { return ch >= '0' && ch <= '7'; });
      else
        digits([](char ch) { return ch == '0' || ch == '1'; });
      if (pos_ == first)
        error(start, pos_ - start, "invalid number literal '" + s_.substr(start, pos_ - start) + "'");
    } else {
      digits(dec);
      if (pos_ < s_.size() && s_[pos_] == '.') {
        kind = TokKind::Float;
        ++pos_;
        digits(dec);
      }
      if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
        size_t save = pos_++;
        if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-'))
          ++pos_;
        if (pos_ < s_.size() && std::isdigit((unsigned char)s_[pos_])) {
          kind = TokKind::Float;
          digits(dec);
        } else {
          pos_ = save;
        }
      }
      if (pos_ < s_.size() && (s_[pos_] == 'j' || s_[pos_] == 'J')) {
        kind = TokKind::Imaginary;
        ++pos_;
      }
    }
    if (pos_ < s_.size() && (std::isalpha((unsigned char)s_[pos_]) || s_[pos_] == '_'))
      error(start, pos_ - start + 1,
            "invalid number literal '" + s_.substr(start, pos_ - start + 1) + "'");
    std::string text = s_.substr(start, pos_ - start);
    text.erase(std::remove(text.begin(), text.end(), '_'), text.end());
    push(kind, text, start, pos_ - start);
  }

  /// A string literal whose prefix (possibly empty) starts at `start`.
  void lexString(size_t start, const std::string &prefix) {
    bool raw = prefix.find('r') != std::string::npos;
    bool fmt = prefix.find('f') != std::string::npos;
    char quote = s_[pos_];
    bool triple = s_.compare(pos_, 3, std::string(3, quote)) == 0;
    pos_ += triple ? 3 : 1;
    std::string value;
    while (true) {
      if (pos_ >= s_.size())
        error(start, 1, "unterminated string literal");
      char c = s_[pos_];
      if (triple ? s_.compare(pos_, 3, std::string(3, quote)) == 0 : c == quote) {
        pos_ += triple ? 3 : 1;
        break;
      }
      if (c == '\n' && !triple)
        error(start, pos_ - start, "unterminated string literal (a string on one line must end on it)");
      if (c == '\\' && pos_ + 1 < s_.size()) {
        if (raw) {
          value += c;
          value += s_[pos_ + 1];
          pos_ += 2;
          continue;
        }
        lexEscape(value, fmt);
        continue;
      }
      value += c;
      ++pos_;
    }
    push(TokKind::String, prefix, start, pos_ - start, value);
  }

  void lexEscape(std::string &value, bool fmt) {
    size_t at = pos_;
    char e = s_[pos_ + 1];
    pos_ += 2;
    switch (e) {
    case '\n': return;
    case '\\': value += '\\'; return;
    case '\'': value += '\''; return;
    case '"': value += '"'; return;
    case 'a': value += '\a'; return;
    case 'b': value += '\b'; return;
    case 'f': value += '\f'; return;
    case 'n': value += '\n'; return;
    case 'r': value += '\r'; return;
    case 't': value += '\t'; return;
    case 'v': value += '\v'; return;
    case 'x':
    case 'u':
    case 'U': {
      size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
      if (pos_ + n > s_.size() ||
          !std::all_of(s_.begin() + pos_, s_.begin() + pos_ + n,
                       [](char ch) { return std::isxdigit((unsigned char)ch); }))
        error(at, 2, std::string("truncated \\") + e + " escape");
      uint32_t cp = std::stoul(s_.substr(pos_, n), nullptr, 16);
      pos_ += n;
      if (e == 'x')
        value += char(cp);
      else
        appendUtf8(value, cp);
      return;
    }
    default:
      if (e >= '0' && e <= '7') {
        int v = e - '0', count = 1;
        while (count < 3 && pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '7') {
          v = v * 8 + (s_[pos_++] - '0');
          ++count;
        }
        value += char(v);
        return;
      }
      // Python keeps unknown escapes as written.
      (void)fmt;
      value += '\\';
      value += e;
    }
  }

  void lexOperator() {
    for (const char *op : kOperators) {
      size_t n = std::strlen(op);
      if (s_.compare(pos_, n, op) == 0) {
        if (n == 1 && std::strchr("([{", op[0])) {
          ++depth_;
          openBrackets_.push_back(pos_);
        } else if (n == 1 && std::strchr(")]}", op[0])) {
          if (depth_ == 0)
            error(pos_, 1, std::string("unmatched '") + op + "'");
          --depth_;
          openBrackets_.pop_back();
        }
        push(TokKind::Op, op, pos_, n);
        pos_ += n;
        return;
      }
    }
    char c = s_[pos_];
    if (c == '$' || c == '?' || c == '!' || c == '`')
      error(pos_, 1, std::string("invalid character '") + c + "' in TorchScript source");
    error(pos_, 1, "invalid character in TorchScript source");
  }

  std::shared_ptr<const SourceBuffer> buf_;
  const std::string &s_;
  size_t pos_ = 0;
  int depth_ = 0;
  bool atLineStart_ = true;
  std::vector<size_t> indents_;
  std::vector<size_t> openBrackets_;
  std::vector<Token> tokens_;
};

} // namespace

std::vector<Token> tokenize(const std::shared_ptr<const SourceBuffer> &buffer) {
  return Lexer(buffer).run();
}

} // namespace ember::frontend
