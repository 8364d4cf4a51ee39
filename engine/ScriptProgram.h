//===- engine/ScriptProgram.h - compile sources, run them -----------------===//
//
// The join of the frontend and the runtime: sources go in (a parsed file,
// or what a resolver hands over on demand), every compiled graph is cleaned
// with the `frontend` pipeline and loaded into a runtime ScriptUnit, script
// classes get their slot layout. Functions run on first call.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "frontend/Emitter.h"
#include "runtime/ScriptUnit.h"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>

namespace ember {

class ScriptProgram {
public:
  explicit ScriptProgram(frontend::GlobalResolver resolver = {});
  ScriptProgram(const ScriptProgram &) = delete;
  ScriptProgram &operator=(const ScriptProgram &) = delete;

  void addSource(std::shared_ptr<const frontend::Module> module);
  /// The resolvers names are looked up in, in order: the one the program
  /// was made with, then those added (its host reads them back).
  std::vector<frontend::GlobalResolver> resolvers();
  /// Adds a resolver asked after the others: a module scripted from Python
  /// into a loaded program names Python globals, the archive's code none.
  void addResolver(frontend::GlobalResolver resolver);
  /// Compiles `name` (a function, or `Class.method`) with everything it
  /// calls and returns it ready to run. Throws CompileError.
  runtime::Function *function(const std::string &name);
  /// Registers a class assembled by the caller (frontend::Compiler::addClass)
  /// and lays out its slots now, so objects can be made before any method
  /// is compiled. Classes named by its attributes must be added first.
  runtime::ScriptClass &addClass(const std::string &qualifiedName,
                                 std::shared_ptr<frontend::Module> header,
                                 std::vector<frontend::ClassMethod> methods,
                                 std::map<std::string, std::vector<std::string>> overloads = {},
                                 const std::string &container = "",
                                 std::map<std::string, std::string> untyped = {});
  /// The class `name` (after `__torch__.`) with its slots laid out, and
  /// the classes its attributes name before it; loads its source through
  /// the resolver if needed (archive code). Null if there is no such class.
  runtime::ScriptClass *loadClass(const std::string &name);
  /// Compiles what an archive holds of class `name` (see
  /// frontend::Compiler::compileForExport) and loads it.
  void compileForExport(const std::string &name);
  /// Adds a graph built outside the frontend (a trace) as function `name`
  /// and returns it ready to run.
  runtime::Function *addGraph(const std::string &name, std::shared_ptr<Graph> graph,
                              FunctionSchema schema);
  /// A new object of `cls` with every slot None.
  c10::IValue newObject(const runtime::ScriptClass &cls) const;
  /// The graph of compiled function `name` with every call to a compiled
  /// function or method inlined, as TorchScript's `inlined_graph`.
  std::shared_ptr<Graph> inlinedGraph(const std::string &name);
  /// `.code` of a method, `self` untyped as Method.code prints it.
  /// With `constants`, tensors and objects print `CONSTANTS.cN` (N their
  /// index there) as in archives, for `code_with_constants`.
  std::string methodCode(const std::string &className, const std::string &method,
                         std::vector<c10::IValue> *constants = nullptr);
  /// The schema of a compiled function.
  const FunctionSchema *schema(const std::string &name) const;
  /// `.code` of a compiled function, as TorchScript prints it.
  std::string code(const std::string &name);

  /// The archive format version of the code this program compiles, for
  /// code read from an archive: calls whose operator changed meaning since
  /// that version run their upgraders (engine/Upgraders.h).
  void setArchiveVersion(uint64_t version) { archiveVersion_ = version; }

  frontend::Compiler &compiler() { return *compiler_; }
  runtime::ScriptUnit &unit() { return *unit_; }

private:
  /// Cleans and loads every graph compiled since the last call.
  void loadNewGraphs();
  runtime::ScriptClass *loadClassLocked(const std::string &name);

  /// The resolver the compiler asks: each of resolvers_ in turn.
  frontend::GlobalResolver chainedResolver();

  std::mutex mutex_;
  std::vector<frontend::GlobalResolver> resolvers_; // guarded by mutex_
  std::unique_ptr<frontend::Compiler> compiler_;
  std::unique_ptr<runtime::ScriptUnit> unit_;
  std::unordered_set<const Graph *> loaded_;
  std::unordered_set<const Graph *> finished_; // added whole: no frontend cleanup
  std::optional<uint64_t> archiveVersion_;
};

} // namespace ember
