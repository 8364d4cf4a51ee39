//===- ir/Symbol.cpp - the interning table --------------------------------===//
//
// One process-wide table, guarded by a mutex: symbols are created while IR is
// parsed or built, possibly from several threads, and never freed.
//
//===----------------------------------------------------------------------===//
#include "ir/Symbol.h"

#include <deque>
#include <mutex>
#include <unordered_map>

namespace ember {
namespace {

struct Entry {
  std::string ns, name, qual;
};

struct Table {
  std::mutex mutex;
  std::deque<Entry> entries; // stable addresses; index 0 is the invalid symbol
  std::unordered_map<std::string, uint32_t> byQual;
  Table() { entries.push_back({"", "", ""}); }
};

Table &table() {
  static Table *t = new Table();
  return *t;
}

} // namespace

Symbol Symbol::make(const std::string &ns, const std::string &name) {
  std::string qual = ns + "::" + name;
  Table &t = table();
  std::lock_guard<std::mutex> lock(t.mutex);
  auto it = t.byQual.find(qual);
  if (it != t.byQual.end())
    return Symbol(it->second);
  uint32_t id = uint32_t(t.entries.size());
  t.entries.push_back({ns, name, qual});
  t.byQual.emplace(std::move(qual), id);
  return Symbol(id);
}

Symbol Symbol::fromQualString(const std::string &qual) {
  auto pos = qual.find("::");
  if (pos == std::string::npos)
    return make("attr", qual);
  return make(qual.substr(0, pos), qual.substr(pos + 2));
}

static const Entry &entryOf(uint32_t id) {
  Table &t = table();
  std::lock_guard<std::mutex> lock(t.mutex);
  return t.entries[id];
}

const std::string &Symbol::ns() const { return entryOf(id_).ns; }
const std::string &Symbol::name() const { return entryOf(id_).name; }
const std::string &Symbol::qualString() const { return entryOf(id_).qual; }

} // namespace ember
