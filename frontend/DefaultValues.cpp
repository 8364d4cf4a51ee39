//===- frontend/DefaultValues.cpp - schema defaults as constants ----------===//
//
// Defaults are kept as Python literal text in schemas — what the dispatcher
// prints for ATen operators (`1`, `None`, `[0, 1]`, `"mean"`, `1e-05`) and
// what a script function's signature says. A call that leaves an argument
// out gets the default as a constant of the formal's type (an int default
// of a float formal is a float, as TorchScript stores it).
//
//===----------------------------------------------------------------------===//
#include "frontend/DefaultValues.h"
#include "frontend/EmitterImpl.h"

#include "frontend/Parser.h"
#include "ir/Constants.h"

#include <cmath>
#include <optional>
#include <sstream>

namespace ember::frontend {
namespace {

/// A script default that is no literal (`K`, `f(1)`).
struct NotALiteral {};

class LiteralReader {
public:
  /// `strict`: words that are not literals throw NotALiteral (script
  /// signatures); otherwise they read as numbers (ATen's schema defaults).
  explicit LiteralReader(const std::string &text, bool strict = false)
      : s_(text), strict_(strict) {}

  c10::IValue read(const TypePtr &type) {
    skip();
    TypePtr t = type && type->kind() == TypeKind::Optional ? type->elem() : type;
    if (s_.compare(pos_, 13, "torch.device(") == 0)
      return device();
    if (peek('[') || peek('(')) {
      char close = s_[pos_] == '[' ? ']' : ')';
      ++pos_;
      bool tuple = t && t->kind() == TypeKind::Tuple;
      TypePtr elem = t && t->kind() == TypeKind::List ? t->elem() : nullptr;
      std::vector<c10::IValue> items;
      while (skip(), !peek(close)) {
        if (tuple && items.size() < t->contained().size())
          elem = t->contained()[items.size()];
        items.push_back(read(elem));
        skip();
        if (peek(','))
          ++pos_;
      }
      ++pos_;
      // A tuple formal's default is a tuple (`c: Tuple[int, int] = (1, 2)`).
      if (tuple)
        return c10::ivalue::Tuple::create(std::move(items));
      return toList(items, elem);
    }
    if (peek('"') || peek('\'')) {
      char q = s_[pos_++];
      size_t start = pos_;
      while (pos_ < s_.size() && s_[pos_] != q)
        pos_ += s_[pos_] == '\\' ? 2 : 1;
      std::string raw = s_.substr(start, pos_ - start);
      ++pos_;
      return c10::IValue(decodeEscapes(raw));
    }
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != ']' && s_[pos_] != ')')
      ++pos_;
    std::string word = s_.substr(start, pos_ - start);
    while (!word.empty() && isspace(static_cast<unsigned char>(word.back())))
      word.pop_back();
    return scalar(word, t);
  }

  /// Whether only spaces follow what was read.
  bool atEnd() {
    skip();
    return pos_ == s_.size();
  }

private:
  c10::IValue scalar(const std::string &w, const TypePtr &t) {
    if (w == "None")
      return c10::IValue();
    if (w == "True" || w == "False")
      return c10::IValue(w == "True");
    // A script signature's default is its source text: `torch.float32`,
    // `torch.contiguous_format`, `math.pi` name constants.
    if (w.rfind("torch.", 0) == 0) {
      if (auto code = dtypeCode(w.substr(6)))
        return c10::IValue(*code);
      if (auto code = enumCode(w.substr(6)))
        return c10::IValue(*code);
    }
    // An enum's member (`Color.GREEN`) for an enum formal.
    if (t && t->kind() == TypeKind::Enum) {
      std::string member = w.substr(w.rfind('.') + 1);
      const auto &members = t->enumMembers();
      for (size_t i = 0; i < members.size(); ++i)
        if (members[i].name == member)
          return enumMemberValue(t, i);
    }
    bool negative = !w.empty() && w[0] == '-';
    std::string name = negative ? w.substr(1) : w;
    if (name == "math.pi" || name == "math.e" || name == "math.tau" || name == "math.inf") {
      double v = name == "math.pi" ? M_PI : name == "math.e" ? M_E : name == "math.tau" ? 2 * M_PI
                                                                                        : INFINITY;
      return c10::IValue(negative ? -v : v);
    }
    bool isFloat = w.find_first_of(".eE") != std::string::npos || w.find("inf") != std::string::npos ||
                   w.find("nan") != std::string::npos;
    char *end = nullptr;
    c10::IValue v = isFloat || (t && t->kind() == TypeKind::Float)
                        ? c10::IValue(strtod(w.c_str(), &end))
                        : c10::IValue(static_cast<int64_t>(strtoll(w.c_str(), &end, 10)));
    if (strict_ && (w.empty() || *end != '\0'))
      throw NotALiteral{};
    return v;
  }

  /// `torch.device("cuda:0")`, as IValue::repr writes a device.
  c10::IValue device() {
    size_t close = s_.find(')', pos_);
    if (close == std::string::npos)
      throw NotALiteral{};
    std::string inner = s_.substr(pos_ + 13, close - pos_ - 13);
    pos_ = close + 1;
    if (inner.size() < 2 || (inner.front() != '"' && inner.front() != '\'') ||
        inner.back() != inner.front())
      throw NotALiteral{};
    try {
      return c10::IValue(c10::Device(inner.substr(1, inner.size() - 2)));
    } catch (const c10::Error &) {
      throw NotALiteral{};
    }
  }

  static c10::IValue toList(const std::vector<c10::IValue> &items, const TypePtr &elem) {
    TypeKind k = elem ? elem->kind() : (items.empty() ? TypeKind::Int
                                        : items[0].isDouble() ? TypeKind::Float
                                        : items[0].isBool()   ? TypeKind::Bool
                                                              : TypeKind::Int);
    if (k == TypeKind::Float) {
      std::vector<double> v;
      for (const auto &i : items)
        v.push_back(i.isDouble() ? i.toDouble() : double(i.toInt()));
      return c10::IValue(v);
    }
    if (k == TypeKind::Bool) {
      c10::List<bool> v;
      for (const auto &i : items)
        v.push_back(i.toBool());
      return c10::IValue(v);
    }
    std::vector<int64_t> v;
    for (const auto &i : items)
      v.push_back(i.toInt());
    return c10::IValue(v);
  }

  bool peek(char c) const { return pos_ < s_.size() && s_[pos_] == c; }
  void skip() {
    while (pos_ < s_.size() && isspace(static_cast<unsigned char>(s_[pos_])))
      ++pos_;
  }
  const std::string &s_;
  bool strict_;
  size_t pos_ = 0;
};

/// `v` as a value of `type`, converted as torch.jit converts a Python
/// default (toIValue): an int or bool for a float, a bool for an int, an
/// int for a bool, None for a Tensor; nothing when it does not fit.
std::optional<c10::IValue> fitDefault(const c10::IValue &v, const TypePtr &type) {
  if (!type)
    return v;
  switch (type->kind()) {
  case TypeKind::Optional:
    return v.isNone() ? std::optional<c10::IValue>(v) : fitDefault(v, type->elem());
  case TypeKind::Tensor:
    return v.isNone() ? std::optional<c10::IValue>(v) : std::nullopt;
  case TypeKind::Float:
    if (v.isDouble())
      return v;
    if (v.isInt() || v.isBool())
      return c10::IValue(v.isInt() ? double(v.toInt()) : double(v.toBool()));
    return std::nullopt;
  case TypeKind::Int:
    if (v.isInt())
      return v;
    return v.isBool() ? std::optional<c10::IValue>(int64_t(v.toBool())) : std::nullopt;
  case TypeKind::Bool:
    if (v.isBool())
      return v;
    return v.isInt() ? std::optional<c10::IValue>(v.toInt() != 0) : std::nullopt;
  case TypeKind::Str:
    return v.isString() ? std::optional<c10::IValue>(v) : std::nullopt;
  case TypeKind::Device:
    return v.isDevice() ? std::optional<c10::IValue>(v) : std::nullopt;
  case TypeKind::Enum:
    return v.isEnum() ? std::optional<c10::IValue>(v) : std::nullopt;
  case TypeKind::Tuple: {
    if (!v.isTuple() || v.toTupleRef().elements().size() != type->contained().size())
      return std::nullopt;
    std::vector<c10::IValue> items;
    for (size_t i = 0; i < type->contained().size(); ++i) {
      auto item = fitDefault(v.toTupleRef().elements()[i], type->contained()[i]);
      if (!item)
        return std::nullopt;
      items.push_back(*item);
    }
    return c10::IValue(c10::ivalue::Tuple::create(std::move(items)));
  }
  case TypeKind::List:
    return v.isList() ? std::optional<c10::IValue>(v) : std::nullopt;
  default:
    return v; // classes, enums, Any, unions: as written
  }
}


/// The value text of `annotate(T, value)`, as IValue::repr writes empty
/// lists (`annotate(List[int], [])`); other text as it is.
std::string withoutAnnotate(const std::string &text) {
  if (text.rfind("annotate(", 0) != 0)
    return text;
  int depth = 0;
  for (size_t i = 9; i < text.size(); ++i) {
    depth += text[i] == '[' || text[i] == '(' ? 1 : text[i] == ']' || text[i] == ')' ? -1 : 0;
    if (depth == 0 && text[i] == ',')
      return text.substr(i + 1, text.size() - i - 2);
  }
  return text;
}

} // namespace

c10::IValue defaultIValue(const std::string &spelled, const TypePtr &type, int64_t broadcast) {
  std::string text = withoutAnnotate(spelled);
  c10::IValue v = LiteralReader(text).read(type);
  TypePtr t = type && type->kind() == TypeKind::Optional ? type->elem() : type;
  if (v.isInt() && t && t->kind() == TypeKind::Float)
    v = c10::IValue(double(v.toInt()));
  if (broadcast > 0 && t && t->kind() == TypeKind::List && (v.isInt() || v.isDouble())) {
    if (v.isInt())
      return c10::IValue(std::vector<int64_t>(broadcast, v.toInt()));
    return c10::IValue(std::vector<double>(broadcast, v.toDouble()));
  }
  return v;
}

std::optional<std::string> scriptDefault(const std::string &text, const TypePtr &type,
                                         int64_t broadcast) {
  c10::IValue v;
  try {
    std::string value = withoutAnnotate(text);
    LiteralReader reader(value, /*strict=*/true);
    v = reader.read(type);
    if (!reader.atEnd())
      return std::nullopt;
  } catch (const NotALiteral &) {
    return std::nullopt;
  }
  TypePtr t = type && type->kind() == TypeKind::Optional ? type->elem() : type;
  if (broadcast > 0 && t && t->kind() == TypeKind::List && (v.isInt() || v.isDouble()))
    v = defaultIValue(text, type, broadcast);
  std::optional<c10::IValue> fitted = fitDefault(v, type);
  if (!fitted)
    return std::nullopt;
  if (fitted->isEnum())
    return text; // as written: IValue::repr's `Enum<Color.GREEN>` is no literal
  std::ostringstream ss;
  fitted->repr(ss, [](std::ostream &, const c10::IValue &) { return false; });
  return ss.str();
}

c10::IValue defaultOf(const Argument &argument) {
  if (argument.defaultConstant)
    return *argument.defaultConstant;
  return defaultIValue(argument.defaultValue.value_or("None"), argument.type,
                       argument.N.value_or(0));
}

Value *insertDefault(Graph &g, const std::string &text, const TypePtr &type, int64_t broadcast) {
  c10::IValue v = defaultIValue(text, type, broadcast);
  TypePtr t = type && type->kind() == TypeKind::Optional ? type->elem() : type;
  Value *c = g.insertConstant(v, v.isNone() ? nullptr : t);
  if (!c)
    throw std::runtime_error("default value '" + text + "' cannot be a constant");
  return c;
}

} // namespace ember::frontend
