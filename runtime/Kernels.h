//===- runtime/Kernels.h - the operator table the interpreter runs --------===//
//
// One table maps an operator's identity (`ns::name.overload`, or `ns::name`
// for a kernel that serves every overload of a name) to a factory that makes
// the node's Operation. ATen operators that the table does not override run
// through the c10 dispatcher with a boxed stack, so CPU, CUDA and autograd
// all work; the table holds TorchScript's builtins that ATen does not
// register (scalar arithmetic, strings, lists, dicts, tensor properties).
// The constant folder and the interpreter both take operations from here, so
// a program folds to exactly what it would compute at run time.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Graph.h"

#include <ATen/core/ivalue.h>

#include <functional>
#include <string>
#include <vector>

namespace ember::runtime {

using Stack = std::vector<c10::IValue>;
/// Pops its inputs from the end of the stack and pushes its outputs.
using Operation = std::function<void(Stack &)>;
/// c10's type for an ember type (element types of new lists and dicts).
using TypeConverter = std::function<c10::TypePtr(const TypePtr &)>;
/// Makes the operation for one node (its schema and attributes are known).
using KernelFactory = std::function<Operation(const Node &, const TypeConverter &)>;

class KernelTable {
public:
  /// `key` is `ns::name.overload` or, for every overload, `ns::name`.
  void add(const std::string &key, KernelFactory factory);
  /// A node-independent operation.
  void add(const std::string &key, Operation op);
  const KernelFactory *find(const std::string &key) const;

private:
  std::unordered_map<std::string, KernelFactory> kernels_;
};

/// The table, filled on first use by the add*Kernels functions below.
const KernelTable &kernelTable();

/// The operation for `node`: ember's kernel for its overload, else the ATen
/// operator through the dispatcher (unboxed for UnboxedOps.def's), else
/// ember's kernel for every overload of its name. Null when none exists.
Operation operationFor(const Node &node, const TypeConverter &types);

// Each kernels/*.cpp file fills its part of the table.
void addScalarKernels(KernelTable &table);
void addMathKernels(KernelTable &table);
void addStringKernels(KernelTable &table);
void addListKernels(KernelTable &table);
void addDictKernels(KernelTable &table);
void addTensorKernels(KernelTable &table);
void addPrimKernels(KernelTable &table);

// Stack helpers for kernels.
inline c10::IValue pop(Stack &s) {
  c10::IValue v = std::move(s.back());
  s.pop_back();
  return v;
}
/// The i-th of the last n values.
inline c10::IValue &peek(Stack &s, size_t i, size_t n) { return s[s.size() - n + i]; }
inline void drop(Stack &s, size_t n) { s.erase(s.end() - n, s.end()); }

/// Raised by kernels for Python's errors (IndexError, KeyError, ValueError,
/// ZeroDivisionError...): carries the Python exception class.
class PythonError : public std::runtime_error {
public:
  PythonError(std::string pythonClass, const std::string &message)
      : std::runtime_error(message), pythonClass_(std::move(pythonClass)) {}
  const std::string &pythonClass() const { return pythonClass_; }

private:
  std::string pythonClass_;
};

} // namespace ember::runtime
