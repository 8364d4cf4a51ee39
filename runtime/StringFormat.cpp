//===- runtime/StringFormat.cpp - str.format and printf-style '%' ---------===//
//
// Both formatters share one routine that renders a value under a parsed
// spec. Values without a spec print as `str()` does, which for floats is
// TorchScript's spelling; `{:g}`, `{:.2f}` and friends follow Python.
//
//===----------------------------------------------------------------------===//
#include "runtime/StringFormat.h"

#include "runtime/Kernels.h"
#include "runtime/Values.h"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace ember::runtime {
namespace {

struct Spec {
  char fill = ' ', align = 0, sign = '-', type = 0;
  bool alternate = false, zero = false, comma = false;
  int64_t width = -1, precision = -1;
};

Spec parseSpec(const std::string &text) {
  Spec s;
  size_t i = 0, n = text.size();
  auto isAlign = [](char c) { return c == '<' || c == '>' || c == '^' || c == '='; };
  if (n >= 2 && isAlign(text[1])) {
    s.fill = text[0];
    s.align = text[1];
    i = 2;
  } else if (n >= 1 && isAlign(text[0])) {
    s.align = text[0];
    i = 1;
  }
  if (i < n && (text[i] == '+' || text[i] == '-' || text[i] == ' '))
    s.sign = text[i++];
  if (i < n && text[i] == '#')
    s.alternate = true, ++i;
  if (i < n && text[i] == '0')
    s.zero = true, ++i;
  size_t start = i;
  while (i < n && std::isdigit((unsigned char)text[i]))
    ++i;
  if (i > start)
    s.width = std::stoll(text.substr(start, i - start));
  if (i < n && (text[i] == ',' || text[i] == '_'))
    s.comma = true, ++i;
  if (i < n && text[i] == '.') {
    start = ++i;
    while (i < n && std::isdigit((unsigned char)text[i]))
      ++i;
    if (i == start)
      throw PythonError("ValueError", "Format specifier missing precision");
    s.precision = std::stoll(text.substr(start, i - start));
  }
  if (i < n)
    s.type = text[i++];
  if (i != n)
    throw PythonError("ValueError", "Invalid format specifier '" + text + "'");
  return s;
}

std::string groupThousands(const std::string &digits) {
  std::string out;
  int count = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (count && count % 3 == 0)
      out += ',';
    out += *it;
    ++count;
  }
  return std::string(out.rbegin(), out.rend());
}

std::string formatNumber(const c10::IValue &v, const Spec &s) {
  char type = s.type;
  bool isInt = isIntLike(v) && !v.isBool();
  if (!type)
    type = isInt ? 'd' : 0;
  std::string body;
  bool negative = false;
  if (type == 'd' || type == 'x' || type == 'X' || type == 'o' || type == 'b' || type == 'c') {
    if (!isIntLike(v))
      throw PythonError("ValueError", std::string("Unknown format code '") + type +
                                          "' for object of type 'float'");
    int64_t i = asInt(v);
    negative = i < 0;
    uint64_t u = negative ? uint64_t(0) - uint64_t(i) : uint64_t(i);
    int base = type == 'd' ? 10 : type == 'o' ? 8 : type == 'b' ? 2 : 16;
    if (type == 'c')
      return std::string(1, char(i));
    do {
      body += (type == 'X' ? "0123456789ABCDEF" : "0123456789abcdef")[u % base];
      u /= base;
    } while (u);
    body = std::string(body.rbegin(), body.rend());
    if (s.comma && base == 10)
      body = groupThousands(body);
    if (s.alternate && base != 10)
      body = std::string("0") + (type == 'o' ? 'o' : type == 'b' ? 'b' : type) + body;
  } else {
    double d = asDouble(v);
    negative = std::signbit(d) && !std::isnan(d);
    double a = std::fabs(d);
    if (!type) {
      if (s.precision < 0)
        body = valueStr(c10::IValue(a)); // Python's repr-like default
      else {
        char buf[512];
        std::snprintf(buf, sizeof buf, "%.*g", int(s.precision), a);
        body = buf;
      }
    } else {
      int prec = s.precision < 0 ? 6 : int(s.precision);
      double x = type == '%' ? a * 100 : a;
      char f = type == '%' ? 'f' : type;
      if (f != 'f' && f != 'F' && f != 'e' && f != 'E' && f != 'g' && f != 'G')
        throw PythonError("ValueError", std::string("Unknown format code '") + type +
                                            "' for object of type 'float'");
      std::string fmt = std::string("%") + (s.alternate ? "#" : "") + ".*" + f;
      char buf[512];
      std::snprintf(buf, sizeof buf, fmt.c_str(), prec, x);
      body = buf;
      if (s.comma) {
        size_t dot = body.find_first_of(".eE");
        body = groupThousands(body.substr(0, dot)) + (dot == std::string::npos ? "" : body.substr(dot));
      }
      if (type == '%')
        body += '%';
    }
  }
  std::string sign = negative ? "-" : s.sign == '+' ? "+" : s.sign == ' ' ? " " : "";
  int64_t len = int64_t(sign.size() + body.size());
  if (s.width > len && (s.zero || s.align == '=') && s.align != '<' && s.align != '>' && s.align != '^')
    return sign + std::string(size_t(s.width - len), s.zero ? '0' : s.fill) + body;
  return sign + body;
}

std::string applyAlign(const std::string &text, const Spec &s, bool numeric) {
  int64_t len = int64_t(text.size());
  if (s.width <= len)
    return text;
  size_t pad = size_t(s.width - len);
  char align = s.align ? s.align : numeric ? '>' : '<';
  if (align == '=')
    align = '>';
  if (align == '<')
    return text + std::string(pad, s.fill);
  if (align == '>')
    return std::string(pad, s.fill) + text;
  return std::string(pad / 2, s.fill) + text + std::string(pad - pad / 2, s.fill);
}

// Python's repr of a str: single quotes unless the text holds one and no
// double quote; backslashes, quotes and control characters escaped.
std::string stringRepr(const std::string &text) {
  char quote = text.find('\'') != std::string::npos && text.find('"') == std::string::npos ? '"' : '\'';
  std::string out(1, quote);
  for (unsigned char c : text) {
    if (c == '\\' || c == static_cast<unsigned char>(quote)) {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + quote;
}

std::string formatValue(const c10::IValue &v, const std::string &specText) {
  if (specText.empty())
    return valueStr(v);
  Spec s = parseSpec(specText);
  bool numeric = isNumber(v) && !v.isComplexDouble();
  if (v.isTensor() && v.toTensor().numel() == 1 && s.type)
    return formatValue(v.toTensor().item().isFloatingPoint() ? c10::IValue(v.toTensor().item().toDouble())
                                                             : c10::IValue(v.toTensor().item().toLong()),
                       specText);
  if (numeric && (s.type != 's'))
    return applyAlign(formatNumber(v, s), s, true);
  std::string text = valueStr(v);
  if (s.precision >= 0 && int64_t(text.size()) > s.precision)
    text = text.substr(0, size_t(s.precision));
  return applyAlign(text, s, false);
}

} // namespace

std::string formatString(const std::string &fmt, const std::vector<c10::IValue> &args) {
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    char c = fmt[i];
    if (c == '}' && i + 1 < fmt.size() && fmt[i + 1] == '}') {
      out += '}';
      ++i;
      continue;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    size_t close = fmt.find('}', i);
    if (close == std::string::npos)
      throw PythonError("ValueError", "Single '{' encountered in format string");
    std::string field = fmt.substr(i + 1, close - i - 1);
    size_t colon = field.find(':');
    std::string index = field.substr(0, colon);
    std::string spec = colon == std::string::npos ? "" : field.substr(colon + 1);
    char conversion = 0;
    if (size_t bang = index.find('!'); bang != std::string::npos) {
      if (bang + 2 != index.size() || !std::strchr("rsa", index[bang + 1]))
        throw PythonError("ValueError", "Unknown conversion specifier " + index.substr(bang + 1));
      conversion = index[bang + 1];
      index.resize(bang);
    }
    size_t k = index.empty() ? next++ : size_t(std::stoul(index));
    if (k >= args.size())
      throw PythonError("IndexError", "Replacement index " + std::to_string(k) +
                                          " out of range for positional args tuple");
    if (conversion == 0)
      out += formatValue(args[k], spec);
    else // `!r`, `!a`, `!s`: the converted text is formatted as a string
      out += formatValue(conversion != 's' && args[k].isString() ? stringRepr(args[k].toStringRef())
                                                                  : valueStr(args[k]),
                         spec);
    i = close;
  }
  return out;
}

std::string percentFormat(const std::string &fmt, const std::vector<c10::IValue> &args) {
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      out += fmt[i];
      continue;
    }
    size_t j = i + 1;
    while (j < fmt.size() && std::string("-+ #0").find(fmt[j]) != std::string::npos)
      ++j;
    while (j < fmt.size() && (std::isdigit((unsigned char)fmt[j]) || fmt[j] == '.'))
      ++j;
    // TorchScript's messages (aten::percentFormat), as RuntimeErrors.
    if (j >= fmt.size())
      throw PythonError("RuntimeError", "Incomplete format specifier");
    char type = fmt[j];
    std::string flags = fmt.substr(i + 1, j - i - 1);
    i = j;
    if (type == '%') {
      out += '%';
      continue;
    }
    if (!std::strchr("sdiueEfFgGcr", type))
      throw PythonError("RuntimeError", std::string("The specifier %") + type +
                                            " is not supported in TorchScript format strings");
    if (next >= args.size())
      throw PythonError("RuntimeError", "Too few arguments for format string");
    const c10::IValue &v = args[next++];
    if (std::strchr("diueEfFgG", type) && !isNumber(v) && !v.isTensor())
      throw PythonError("RuntimeError", std::string("%") + type +
                                            " requires a number for formatting, but got " +
                                            v.tagKind());
    if (type == 'c') {
      if (v.isString() && v.toStringRef().size() == 1) {
        out += v.toStringRef();
        continue;
      }
      if (!v.isInt())
        throw PythonError("RuntimeError",
                          "%c requires an int or char for formatting, but got " + v.tagKind());
    }
    if (type == 's' || type == 'r') {
      std::string text = valueStr(v);
      Spec s = parseSpec(flags.empty() || flags[0] != '-' ? ">" + flags : "<" + flags.substr(1));
      out += applyAlign(text, s, false);
      continue;
    }
    std::string pyFlags;
    bool left = false;
    for (char f : flags.substr(0, flags.find_first_of("123456789.")))
      if (f == '-')
        left = true;
      else
        pyFlags += f;
    std::string rest = flags.substr(std::min(flags.size(), flags.find_first_of("123456789.")));
    char pyType = type == 'i' || type == 'u' ? 'd' : type;
    c10::IValue value = v;
    if (pyType == 'd' && v.isDouble())
      value = int64_t(v.toDouble());
    std::string spec = (left ? "<" : "") + pyFlags + rest + pyType;
    out += formatValue(value, spec);
  }
  if (next < args.size())
    throw PythonError("RuntimeError", "Too many arguments for format string");
  return out;
}

} // namespace ember::runtime
