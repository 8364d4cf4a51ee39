//===- runtime/ScriptUnit.h - compiled functions and classes at run time --===//
//
// What the interpreter runs: functions (a graph each, executable code built
// on first call) and script classes (a c10::ClassType giving the slot layout
// of their objects, and their methods). Calls between functions resolve by
// name through the unit, method calls through the receiver's class.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Graph.h"
#include "ir/Type.h"

#include <ATen/core/ivalue.h>

#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace ember::runtime {

class ScriptUnit;
struct Code;
using Stack = std::vector<c10::IValue>;

/// What runs a function faster than the interpreter: the engine's JIT
/// compiles a function into one on its first call.
class CompiledCode {
public:
  virtual ~CompiledCode();
  /// Same contract as Function::run.
  virtual Stack run(Stack inputs) const = 0;
};

/// Compiles `fn` (its Code is built); null leaves it to the interpreter.
/// Installed by the engine; none is installed by default.
using FunctionCompiler = std::function<std::unique_ptr<CompiledCode>(const class Function &fn)>;
void setFunctionCompiler(FunctionCompiler compiler);

/// A compiled function or method: its graph, and code built on first run.
/// Running is thread-safe: each call has its own registers.
class Function {
public:
  Function(ScriptUnit &unit, std::string name, std::shared_ptr<Graph> graph);
  ~Function();
  const std::string &name() const { return name_; }
  const std::shared_ptr<Graph> &graph() const { return graph_; }
  ScriptUnit &unit() const { return unit_; }
  /// Runs on one value per graph input; returns the graph's outputs.
  /// Throws ScriptError for exceptions raised by the program.
  Stack run(Stack inputs) const;
  /// The executable form, built on first use.
  const Code &code() const;
  /// What the installed compiler made of this function (compiling it now if
  /// it has not run yet); null when it is interpreted.
  const CompiledCode *compiled() const;

private:
  ScriptUnit &unit_;
  std::string name_;
  std::shared_ptr<Graph> graph_;
  mutable std::once_flag built_, compiled_;
  mutable std::unique_ptr<Code> code_;
  mutable std::unique_ptr<CompiledCode> native_;
};

/// A script class or module type.
struct ScriptClass {
  TypePtr type; // ember's type (qualified name)
  c10::ClassTypePtr c10Type;
  /// Slot names and their ember types, in slot order.
  std::vector<std::pair<std::string, TypePtr>> attributes;
  std::unordered_map<std::string, Function *> methods;
  /// Equal for the classes of equal concrete module types, in any program
  /// (TorchScript shares one class between them); 0 when none was given.
  uint64_t sharingId = 0;

  TypePtr attributeType(const std::string &name) const {
    for (const auto &[n, t] : attributes)
      if (n == name)
        return t;
    return nullptr;
  }
};

class ScriptUnit {
public:
  ScriptUnit();
  ~ScriptUnit();
  ScriptUnit(const ScriptUnit &) = delete;
  ScriptUnit &operator=(const ScriptUnit &) = delete;

  /// Adds (or returns the existing) function `name`.
  Function *addFunction(const std::string &name, std::shared_ptr<Graph> graph);
  Function *findFunction(const std::string &name) const;

  /// Declares a class; attributes come later (classes may refer to each
  /// other). Returns the existing one when the name is taken.
  ScriptClass *addClass(const TypePtr &type);
  /// Sets the slots of a declared class, in order.
  void setAttributes(ScriptClass &cls, const std::vector<std::pair<std::string, TypePtr>> &attrs,
                     const std::vector<std::string> &parameters,
                     const std::vector<std::string> &buffers);
  void addMethod(ScriptClass &cls, const std::string &name, Function *fn);
  /// Method `name` of `cls`; one not compiled yet (called through an
  /// interface, so nothing named it statically) comes from the loader.
  /// Null when the class has no such method.
  Function *findMethod(ScriptClass &cls, const std::string &name);
  using MethodLoader = std::function<Function *(const ScriptClass &, const std::string &)>;
  void setMethodLoader(MethodLoader loader) { methodLoader_ = std::move(loader); }
  /// Method `name` of a script object, from whichever live unit defines
  /// its class (for operators that hold only the object); null if none.
  static Function *methodOfObject(const c10::ivalue::Object &obj, const std::string &name);
  ScriptClass *findClass(const std::string &qualName) const;
  ScriptClass *findClass(const c10::ClassType *type) const;

  /// c10's type for an ember type (list element types, dict key and value
  /// types, tuples, classes of this unit).
  c10::TypePtr c10Type(const TypePtr &type) const;

private:
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<Function>> functions_;
  std::unordered_map<std::string, std::unique_ptr<ScriptClass>> classes_;
  std::unordered_map<const c10::ClassType *, ScriptClass *> byC10Type_;
  MethodLoader methodLoader_;
};

} // namespace ember::runtime
