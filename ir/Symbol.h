//===- ir/Symbol.h - interned `ns::name` identifiers ----------------------===//
//
// Node kinds (`aten::add`, `prim::If`) and attribute names (`attr::value`)
// are interned once and compared as integers.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace ember {

class Symbol {
public:
  Symbol() = default;
  /// Interns `ns::name`; a string without `::` is taken as an attribute name.
  static Symbol fromQualString(const std::string &qual);
  static Symbol make(const std::string &ns, const std::string &name);
  static Symbol aten(const std::string &name) { return make("aten", name); }
  static Symbol prim(const std::string &name) { return make("prim", name); }
  static Symbol attr(const std::string &name) { return make("attr", name); }

  const std::string &ns() const;
  const std::string &name() const;
  /// `ns::name`.
  const std::string &qualString() const;

  bool valid() const { return id_ != 0; }
  uint32_t id() const { return id_; }
  bool operator==(Symbol o) const { return id_ == o.id_; }
  bool operator!=(Symbol o) const { return id_ != o.id_; }
  bool operator<(Symbol o) const { return id_ < o.id_; }

private:
  explicit Symbol(uint32_t id) : id_(id) {}
  uint32_t id_ = 0;
};

} // namespace ember

template <> struct std::hash<ember::Symbol> {
  size_t operator()(ember::Symbol s) const { return s.id(); }
};
