//===- runtime/kernels/StringKernels.cpp - str methods and formatting -----===//
//
// Python's `str` methods on byte strings (TorchScript strings are UTF-8
// bytes; character classes are ASCII), `str.format` with format specs,
// printf-style `%`, and the int-to-string builtins.
//
//===----------------------------------------------------------------------===//
#include "runtime/Kernels.h"
#include "runtime/StringFormat.h"
#include "runtime/Values.h"

#include <algorithm>
#include <cctype>

namespace ember::runtime {
namespace {

using IValue = c10::IValue;

c10::IValue strList(std::vector<std::string> items) {
  c10::List<std::string> l;
  for (auto &i : items)
    l.push_back(std::move(i));
  return l;
}

/// Python's slice bounds for str.find and friends.
std::pair<size_t, size_t> bounds(const std::string &s, int64_t start, int64_t end) {
  int64_t n = int64_t(s.size());
  auto clamp = [n](int64_t i) { return std::max<int64_t>(0, std::min(n, i < 0 ? i + n : i)); };
  // TorchScript's default end is -1 meaning "to the end".
  return {size_t(clamp(start)), size_t(end == -1 ? n : clamp(end))};
}

int64_t findIn(const std::string &s, const std::string &sub, int64_t start, int64_t end, bool rev) {
  auto [b, e] = bounds(s, start, end);
  if (b > e || sub.size() > e - b)
    return -1;
  std::string window = s.substr(b, e - b);
  size_t pos = rev ? window.rfind(sub) : window.find(sub);
  return pos == std::string::npos ? -1 : int64_t(b + pos);
}

bool allOf(const std::string &s, int (*pred)(int)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [pred](char c) { return pred((unsigned char)c); });
}

std::string stripChars(const std::string &s, const std::string &chars, bool left, bool right) {
  size_t b = 0, e = s.size();
  if (left)
    while (b < e && chars.find(s[b]) != std::string::npos)
      ++b;
  if (right)
    while (e > b && chars.find(s[e - 1]) != std::string::npos)
      --e;
  return s.substr(b, e - b);
}

std::vector<std::string> splitWhitespace(const std::string &s, int64_t max) {
  std::vector<std::string> out;
  size_t i = 0, n = s.size();
  while (i < n) {
    while (i < n && std::isspace((unsigned char)s[i]))
      ++i;
    if (i >= n)
      break;
    if (max >= 0 && int64_t(out.size()) == max) {
      size_t e = n;
      while (e > i && std::isspace((unsigned char)s[e - 1]))
        --e;
      out.push_back(s.substr(i, e - i));
      break;
    }
    size_t j = i;
    while (j < n && !std::isspace((unsigned char)s[j]))
      ++j;
    out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::vector<std::string> splitOn(const std::string &s, const std::string &sep, int64_t max) {
  if (sep.empty())
    throw PythonError("ValueError", "empty separator");
  std::vector<std::string> out;
  size_t start = 0;
  while (max < 0 || int64_t(out.size()) < max) {
    size_t pos = s.find(sep, start);
    if (pos == std::string::npos)
      break;
    out.push_back(s.substr(start, pos - start));
    start = pos + sep.size();
  }
  out.push_back(s.substr(start));
  return out;
}

std::string pad(const std::string &s, int64_t width, const std::string &fill, int where) {
  if (fill.size() != 1)
    throw PythonError("TypeError", "The fill character must be exactly one character long");
  if (int64_t(s.size()) >= width)
    return s;
  size_t total = size_t(width) - s.size();
  size_t left = where < 0 ? 0 : where > 0 ? total : total / 2 + (total & width & 1);
  return std::string(left, fill[0]) + s + std::string(total - left, fill[0]);
}

std::string intToBase(int64_t v, int base, const char *prefix) {
  bool neg = v < 0;
  uint64_t u = neg ? uint64_t(0) - uint64_t(v) : uint64_t(v);
  std::string digits;
  do {
    digits += "0123456789abcdef"[u % base];
    u /= base;
  } while (u);
  std::reverse(digits.begin(), digits.end());
  return (neg ? "-" : "") + std::string(prefix) + digits;
}

void addStr(KernelTable &t, const char *name, std::string (*f)(const std::string &)) {
  t.add(name, Operation([f](Stack &s) { s.push_back(f(pop(s).toStringRef())); }));
}

void addPredicate(KernelTable &t, const char *name, bool (*f)(const std::string &)) {
  t.add(name, Operation([f](Stack &s) { s.push_back(f(pop(s).toStringRef())); }));
}

void addCaseKernels(KernelTable &t) {
  addStr(t, "aten::lower", [](const std::string &s) {
    std::string r = s;
    for (char &c : r) c = char(std::tolower((unsigned char)c));
    return r;
  });
  addStr(t, "aten::upper", [](const std::string &s) {
    std::string r = s;
    for (char &c : r) c = char(std::toupper((unsigned char)c));
    return r;
  });
  addStr(t, "aten::swapcase", [](const std::string &s) {
    std::string r = s;
    for (char &c : r)
      c = std::isupper((unsigned char)c) ? char(std::tolower((unsigned char)c))
                                         : char(std::toupper((unsigned char)c));
    return r;
  });
  addStr(t, "aten::capitalize", [](const std::string &s) {
    std::string r = s;
    for (size_t i = 0; i < r.size(); ++i)
      r[i] = i == 0 ? char(std::toupper((unsigned char)r[i])) : char(std::tolower((unsigned char)r[i]));
    return r;
  });
  addStr(t, "aten::title", [](const std::string &s) {
    std::string r = s;
    bool prevCased = false;
    for (char &c : r) {
      c = prevCased ? char(std::tolower((unsigned char)c)) : char(std::toupper((unsigned char)c));
      prevCased = std::isalpha((unsigned char)c);
    }
    return r;
  });
  addPredicate(t, "aten::isdigit", [](const std::string &s) { return allOf(s, ::isdigit); });
  addPredicate(t, "aten::isdecimal", [](const std::string &s) { return allOf(s, ::isdigit); });
  addPredicate(t, "aten::isnumeric", [](const std::string &s) { return allOf(s, ::isdigit); });
  addPredicate(t, "aten::isalpha", [](const std::string &s) { return allOf(s, ::isalpha); });
  addPredicate(t, "aten::isalnum", [](const std::string &s) { return allOf(s, ::isalnum); });
  addPredicate(t, "aten::isspace", [](const std::string &s) { return allOf(s, ::isspace); });
  addPredicate(t, "aten::isprintable", [](const std::string &s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return std::isprint((unsigned char)c) != 0; });
  });
  addPredicate(t, "aten::islower", [](const std::string &s) {
    bool cased = false;
    for (char c : s) {
      if (std::isupper((unsigned char)c)) return false;
      cased |= std::islower((unsigned char)c) != 0;
    }
    return cased;
  });
  addPredicate(t, "aten::isupper", [](const std::string &s) {
    bool cased = false;
    for (char c : s) {
      if (std::islower((unsigned char)c)) return false;
      cased |= std::isupper((unsigned char)c) != 0;
    }
    return cased;
  });
  addPredicate(t, "aten::istitle", [](const std::string &s) {
    bool prevCased = false, any = false;
    for (char c : s) {
      unsigned char u = (unsigned char)c;
      if (std::isupper(u)) { if (prevCased) return false; prevCased = any = true; }
      else if (std::islower(u)) { if (!prevCased) return false; prevCased = true; }
      else prevCased = false;
    }
    return any;
  });
  addPredicate(t, "aten::isidentifier", [](const std::string &s) {
    if (s.empty() || std::isdigit((unsigned char)s[0])) return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum((unsigned char)c) || c == '_'; });
  });
}

void addSearchKernels(KernelTable &t) {
  auto search = [](bool rev, bool raise) {
    return [rev, raise](Stack &s) {
      int64_t end = pop(s).toInt(), start = pop(s).toInt();
      std::string sub = pop(s).toStringRef(), self = pop(s).toStringRef();
      int64_t r = findIn(self, sub, start, end, rev);
      if (r < 0 && raise)
        throw PythonError("ValueError", "substring not found");
      s.push_back(r);
    };
  };
  t.add("aten::find", Operation(search(false, false)));
  t.add("aten::rfind", Operation(search(true, false)));
  t.add("aten::index.str", Operation(search(false, true)));
  t.add("aten::rindex", Operation(search(true, true)));
  t.add("aten::count", Operation([](Stack &s) {
          int64_t end = pop(s).toInt(), start = pop(s).toInt();
          std::string sub = pop(s).toStringRef(), self = pop(s).toStringRef();
          auto [b, e] = bounds(self, start, end);
          int64_t n = 0;
          if (b <= e) {
            std::string w = self.substr(b, e - b);
            if (sub.empty())
              n = int64_t(w.size()) + 1;
            else
              for (size_t p = w.find(sub); p != std::string::npos; p = w.find(sub, p + sub.size()))
                ++n;
          }
          s.push_back(n);
        }));
  auto affix = [](bool suffix) {
    return [suffix](Stack &s) {
      int64_t end = pop(s).toInt(), start = pop(s).toInt();
      std::string sub = pop(s).toStringRef(), self = pop(s).toStringRef();
      auto [b, e] = bounds(self, start, end);
      bool r = b <= e && e - b >= sub.size() &&
               self.compare(suffix ? e - sub.size() : b, sub.size(), sub) == 0;
      s.push_back(r);
    };
  };
  t.add("aten::startswith", Operation(affix(false)));
  t.add("aten::endswith", Operation(affix(true)));
}

void addShapeKernels(KernelTable &t) {
  auto strip = [](bool l, bool r) {
    return [l, r](Stack &s) {
      std::string chars = pop(s).toStringRef();
      s.push_back(stripChars(pop(s).toStringRef(), chars, l, r));
    };
  };
  t.add("aten::strip", Operation(strip(true, true)));
  t.add("aten::lstrip", Operation(strip(true, false)));
  t.add("aten::rstrip", Operation(strip(false, true)));
  t.add("aten::split.str", Operation([](Stack &s) {
          int64_t max = pop(s).toInt();
          IValue sep = pop(s);
          std::string self = pop(s).toStringRef();
          s.push_back(strList(sep.isNone() ? splitWhitespace(self, max)
                                           : splitOn(self, sep.toStringRef(), max)));
        }));
  t.add("aten::rsplit", Operation([](Stack &s) {
          int64_t max = pop(s).toInt();
          std::string sep = pop(s).toStringRef(), self = pop(s).toStringRef();
          std::string rs(self.rbegin(), self.rend()), rsep(sep.rbegin(), sep.rend());
          // TorchScript's rsplit splits on the separator, ' ' by default, never on
          // runs of whitespace as Python's rsplit() does.
          std::vector<std::string> parts = splitOn(rs, rsep, max);
          std::reverse(parts.begin(), parts.end());
          for (auto &p : parts)
            std::reverse(p.begin(), p.end());
          s.push_back(strList(parts));
        }));
  t.add("aten::splitlines", Operation([](Stack &s) {
          bool keep = pop(s).toBool();
          std::string self = pop(s).toStringRef();
          std::vector<std::string> out;
          size_t i = 0;
          while (i < self.size()) {
            size_t j = self.find_first_of("\r\n", i);
            if (j == std::string::npos) {
              out.push_back(self.substr(i));
              break;
            }
            size_t k = j + (self[j] == '\r' && j + 1 < self.size() && self[j + 1] == '\n' ? 2 : 1);
            out.push_back(self.substr(i, (keep ? k : j) - i));
            i = k;
          }
          s.push_back(strList(out));
        }));
  t.add("aten::join", Operation([](Stack &s) {
          IValue values = pop(s);
          std::string sep = pop(s).toStringRef(), r;
          auto l = values.toListRef();
          for (size_t i = 0; i < l.size(); ++i)
            r += (i ? sep : "") + l[i].toStringRef();
          s.push_back(r);
        }));
  t.add("aten::replace", Operation([](Stack &s) {
          int64_t max = pop(s).toInt();
          std::string to = pop(s).toStringRef(), from = pop(s).toStringRef(), self = pop(s).toStringRef();
          std::string r;
          size_t i = 0;
          int64_t n = 0;
          if (from.empty()) {
            for (; i <= self.size() && (max < 0 || n < max); ++i, ++n)
              r += to + (i < self.size() ? std::string(1, self[i]) : "");
            r += i <= self.size() ? self.substr(std::min(i, self.size())) : "";
            return s.push_back(r);
          }
          for (size_t p; (max < 0 || n < max) && (p = self.find(from, i)) != std::string::npos; ++n) {
            r += self.substr(i, p - i) + to;
            i = p + from.size();
          }
          s.push_back(r + self.substr(i));
        }));
  auto padder = [](int where) {
    return [where](Stack &s) {
      std::string fill = pop(s).toStringRef();
      int64_t width = pop(s).toInt();
      s.push_back(pad(pop(s).toStringRef(), width, fill, where));
    };
  };
  t.add("aten::ljust", Operation(padder(-1)));
  t.add("aten::rjust", Operation(padder(1)));
  t.add("aten::center", Operation(padder(0)));
  t.add("aten::zfill", Operation([](Stack &s) {
          int64_t width = pop(s).toInt();
          std::string self = pop(s).toStringRef();
          bool sign = !self.empty() && (self[0] == '-' || self[0] == '+');
          if (int64_t(self.size()) >= width)
            return s.push_back(self);
          std::string zeros(size_t(width) - self.size(), '0');
          s.push_back(sign ? self.substr(0, 1) + zeros + self.substr(1) : zeros + self);
        }));
  t.add("aten::expandtabs", Operation([](Stack &s) {
          int64_t tab = pop(s).toInt();
          std::string self = pop(s).toStringRef(), r;
          for (char c : self) {
            if (c == '\t') {
              if (tab > 0) r += std::string(size_t(tab - int64_t(r.size() - (r.rfind('\n') + 1)) % tab), ' ');
            } else {
              r += c;
            }
          }
          s.push_back(r);
        }));
  auto partition = [](bool rev) {
    return [rev](Stack &s) {
      std::string sep = pop(s).toStringRef(), self = pop(s).toStringRef();
      if (sep.empty())
        throw PythonError("ValueError", "empty separator");
      // The schema returns three strings (not a tuple).
      size_t p = rev ? self.rfind(sep) : self.find(sep);
      std::string parts[3] = {self, "", ""};
      if (p != std::string::npos)
        parts[0] = self.substr(0, p), parts[1] = sep, parts[2] = self.substr(p + sep.size());
      else if (rev)
        std::swap(parts[0], parts[2]);
      for (auto &part : parts)
        s.push_back(std::move(part));
    };
  };
  t.add("aten::partition", Operation(partition(false)));
  t.add("aten::rpartition", Operation(partition(true)));
}

void addConversionKernels(KernelTable &t) {
  t.add("aten::str", Operation([](Stack &s) { s.push_back(valueStr(pop(s))); }));
  t.add("aten::add.str", Operation([](Stack &s) {
          std::string b = pop(s).toStringRef();
          s.push_back(pop(s).toStringRef() + b);
        }));
  t.add("aten::len.str", Operation([](Stack &s) { s.push_back(int64_t(pop(s).toStringRef().size())); }));
  Operation charAt = [](Stack &s) {
    int64_t i = pop(s).toInt();
    std::string self = pop(s).toStringRef();
    s.push_back(std::string(1, self[normalizeIndex(i, self.size(), "string")]));
  };
  t.add("aten::__getitem__.str", charAt);
  t.add("prim::StringIndex", charAt);
  t.add("aten::list", Operation([](Stack &s) {
          // list(str): one string per character; list(t[]) is a copy.
          IValue v = pop(s);
          if (v.isString()) {
            std::vector<std::string> chars;
            for (char c : v.toStringRef())
              chars.push_back(std::string(1, c));
            return s.push_back(strList(chars));
          }
          auto l = v.toList();
          s.push_back(listLike(l, std::vector<IValue>(l.begin(), l.end())));
        }));
  t.add("aten::chr", Operation([](Stack &s) {
          int64_t i = pop(s).toInt();
          if (i < 0 || i > 0x10FFFF)
            throw PythonError("ValueError", "chr() arg not in range(0x110000)");
          std::string r;
          if (i < 0x80) r += char(i);
          else if (i < 0x800) { r += char(0xC0 | (i >> 6)); r += char(0x80 | (i & 0x3F)); }
          else if (i < 0x10000) { r += char(0xE0 | (i >> 12)); r += char(0x80 | ((i >> 6) & 0x3F)); r += char(0x80 | (i & 0x3F)); }
          else { r += char(0xF0 | (i >> 18)); r += char(0x80 | ((i >> 12) & 0x3F)); r += char(0x80 | ((i >> 6) & 0x3F)); r += char(0x80 | (i & 0x3F)); }
          s.push_back(r);
        }));
  t.add("aten::ord", Operation([](Stack &s) {
          std::string c = pop(s).toStringRef();
          if (c.size() != 1)
            throw PythonError("TypeError", "ord() expected a character, but string of length " +
                                               std::to_string(c.size()) + " found");
          s.push_back(int64_t((unsigned char)c[0]));
        }));
  t.add("aten::hex", Operation([](Stack &s) { s.push_back(intToBase(pop(s).toInt(), 16, "0x")); }));
  t.add("aten::oct", Operation([](Stack &s) { s.push_back(intToBase(pop(s).toInt(), 8, "0o")); }));
  t.add("aten::bin", Operation([](Stack &s) { s.push_back(intToBase(pop(s).toInt(), 2, "0b")); }));
  t.add("aten::format", [](const Node &n, const TypeConverter &) -> Operation {
    size_t count = n.inputs().size();
    return [count](Stack &s) {
      std::vector<IValue> args(s.end() - count, s.end());
      drop(s, count);
      std::vector<IValue> rest(args.begin() + 1, args.end());
      s.push_back(formatString(args[0].toStringRef(), rest));
    };
  });
  t.add("aten::percentFormat", Operation([](Stack &s) {
          IValue args = pop(s);
          std::string self = pop(s).toStringRef();
          std::vector<IValue> values;
          if (args.isTuple())
            values = args.toTupleRef().elements().vec();
          else
            values.push_back(args);
          s.push_back(percentFormat(self, values));
        }));
}

} // namespace

void addStringKernels(KernelTable &t) {
  addCaseKernels(t);
  addSearchKernels(t);
  addShapeKernels(t);
  addConversionKernels(t);
}

} // namespace ember::runtime
