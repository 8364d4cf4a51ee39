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

namespace ember::frontend {
namespace {

class LiteralReader {
public:
  explicit LiteralReader(const std::string &text) : s_(text) {}

  c10::IValue read(const TypePtr &type) {
    skip();
    TypePtr t = type && type->kind() == TypeKind::Optional ? type->elem() : type;
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
    bool negative = !w.empty() && w[0] == '-';
    std::string name = negative ? w.substr(1) : w;
    if (name == "math.pi" || name == "math.e" || name == "math.tau" || name == "math.inf") {
      double v = name == "math.pi" ? M_PI : name == "math.e" ? M_E : name == "math.tau" ? 2 * M_PI
                                                                                        : INFINITY;
      return c10::IValue(negative ? -v : v);
    }
    bool isFloat = w.find_first_of(".eE") != std::string::npos || w.find("inf") != std::string::npos ||
                   w.find("nan") != std::string::npos;
    if (isFloat || (t && t->kind() == TypeKind::Float))
      return c10::IValue(strtod(w.c_str(), nullptr));
    return c10::IValue(static_cast<int64_t>(strtoll(w.c_str(), nullptr, 10)));
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
  size_t pos_ = 0;
};

} // namespace

c10::IValue defaultIValue(const std::string &spelled, const TypePtr &type, int64_t broadcast) {
  // IValue::repr writes empty lists as `annotate(List[int], [])`.
  std::string text = spelled;
  if (text.rfind("annotate(", 0) == 0) {
    int depth = 0;
    for (size_t i = 9; i < text.size(); ++i) {
      depth += text[i] == '[' || text[i] == '(' ? 1 : text[i] == ']' || text[i] == ')' ? -1 : 0;
      if (depth == 0 && text[i] == ',') {
        text = text.substr(i + 1, text.size() - i - 2);
        break;
      }
    }
  }
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

Value *insertDefault(Graph &g, const std::string &text, const TypePtr &type, int64_t broadcast) {
  c10::IValue v = defaultIValue(text, type, broadcast);
  TypePtr t = type && type->kind() == TypeKind::Optional ? type->elem() : type;
  Value *c = g.insertConstant(v, v.isNone() ? nullptr : t);
  if (!c)
    throw std::runtime_error("default value '" + text + "' cannot be a constant");
  return c;
}

} // namespace ember::frontend
