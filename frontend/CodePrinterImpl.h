//===- frontend/CodePrinterImpl.h - the code printer's private state ------===//
//
// Shared by CodePrinter.cpp (statements, names, inlining) and
// CodePrinterExpressions.cpp (one node as an expression).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "frontend/CodePrinter.h"

#include <ATen/core/ivalue.h>

#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace ember::frontend {

/// Names the printer never gives a value: the code dialect's own names and
/// Python keywords.
bool isReservedCodeName(const std::string &name);
std::string makeValidIdentifier(const std::string &candidate);
/// IValue::repr, the spelling of constants in code.
std::string reprOf(const c10::IValue &v);

class CodePrinterImpl {
public:
  std::ostringstream out;
  std::unordered_map<std::string, size_t> nextId;
  std::vector<c10::IValue> *constantTable = nullptr;
  std::vector<c10::IValue> ownTable;
  /// IValue::repr, with tensors and objects as `CONSTANTS.cN` when a
  /// constant table is set.
  std::string constantRepr(const c10::IValue &v);

  void printFunction(const std::string &name, const Graph &g, const FunctionSchema &schema,
                     bool typedFirst);
  void printClass(const ClassToPrint &c);
  void printInterface(const ClassToPrint &c, const std::string &shortName);

private:
  // Per function.
  std::unordered_map<const Value *, std::string> expr_;
  std::unordered_set<const Node *> inlined_;
  /// Per user, the rightmost argument offset splitLongInlines scanned.
  std::unordered_map<const Node *, int64_t> splitUses_;
  std::unordered_set<std::string> used_;
  std::unordered_set<const Value *> annotatedUnions_;
  std::unordered_set<const Value *> loopAliases_; // a loop body's carried inputs
  int level_ = 0;

  std::ostream &indent() {
    for (int i = 0; i < level_; ++i)
      out << "  ";
    return out;
  }
  std::string genName(const std::string &candidate) {
    std::string name = candidate;
    while (used_.count(name) || isReservedCodeName(name))
      name = candidate + std::to_string(nextId[name]++);
    used_.insert(name);
    return name;
  }
  std::string uniqueNameFor(const Value *v) {
    return genName(v->hasDebugName() ? makeValidIdentifier(v->debugNameBase()) : "_");
  }
  void assignNames(const std::vector<Value *> &values) {
    for (const Value *v : values)
      expr_[v] = uniqueNameFor(v);
  }
  const std::string &useOf(const Value *v) {
    auto it = expr_.find(v);
    if (it == expr_.end())
      throw std::runtime_error("code printer: value %" + v->debugName() + " used before it is printed");
    return it->second;
  }
  std::string valueList(const std::vector<Value *> &values) {
    std::string s;
    for (size_t i = 0; i < values.size(); ++i)
      s += (i ? ", " : "") + useOf(values[i]);
    return s;
  }
  bool isLongLine(const std::string &s) const { return s.size() + level_ * 2 >= 40; }

  // Step 1: which values print inline.
  bool canInline(const Value *v) const;
  const Node *scanValue(const Node *blockPoint, const Value *v);
  const Node *scanNode(const Node *n);
  void scanBlock(const Block *b);

  // Steps 2-5.
  void printBody(const Block *b);
  void printBlock(const Block *b, bool hasOtherStatements);
  void printNode(const Node *n, bool printConstants);
  void printOutputDefinition(const Node *n, const std::string &rhs);
  void printEnum(const TypePtr &t, const std::string &shortName);
  void printAssignment(const std::vector<Value *> &lhs, const std::vector<Value *> &rhs,
                       const char *annotationSep = " : ");
  void splitLongInlines(const Value *v);
  void scanLongInlines(const Node *user, int64_t offset, std::vector<const Value *> &reversed);
  void printIf(const Node *n);
  void printLoop(const Node *n);
  std::string rhs(const Node *n);
  /// Containers, tuples, objects and calls; empty for other nodes.
  std::optional<std::string> structureRHS(const Node *n);
  std::string operatorCall(const Node *n);
};

} // namespace ember::frontend
