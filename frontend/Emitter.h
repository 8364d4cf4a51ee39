//===- frontend/Emitter.h - TorchScript syntax trees to graphs ------------===//
//
// The IR emitter: turns the `def`s of a parsed file into typed SSA graphs in
// TorchScript's form (reference §7.3). Functions are compiled on demand —
// compiling one compiles what it calls — so a caller can hand over a whole
// file and ask for a single function. Names the file does not define go to
// a resolver the caller supplies (a table of sources from C++, a callback
// that reads Python globals from the `ember` package).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "frontend/AST.h"
#include "frontend/Annotations.h"
#include "frontend/CodePrinter.h"
#include "ir/Graph.h"

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace ember::frontend {

/// How a method of an assembled class (Compiler::addClass), or a function the
/// resolver marks, is compiled.
enum class MethodKind {
  Script, ///< its body, as any method
  Python, ///< `@ignore`: a call back into Python (prim::PythonOp)
  Unused, ///< `@unused`: raises if called; only the signature is read
};

/// What a name from the caller's environment (Python globals and closure
/// cells) stands for when it is neither a compiled function nor a class.
struct GlobalValue {
  /// A module: its dotted path (`torch.nn.functional`, `mylib.ops`).
  std::string module;
  /// A function to compile: the name its source defines it under.
  std::string function;
  /// Its dotted path as TorchScript qualifies it (`torch.nn.functional.
  /// relu`; just the name for `__main__`): printed code calls it
  /// `__torch__.<path>` and archives define it in that path's file.
  std::string qualifiedName;
  /// A member of an enum class held in a variable (`b = Color.RED`):
  /// `function` names the class.
  std::string member;
  /// How `function` compiles: a Python function marked `@ignore` is a call
  /// back into Python (`pythonName` names it for the runtime), one marked
  /// `@unused` raises; only their signatures are read.
  MethodKind functionKind = MethodKind::Script;
  std::string pythonName;
  /// A builtin operator (`aten::adaptive_avg_pool1d`): a torch function
  /// written in C++, or one TorchScript maps to a builtin (`_pair`).
  std::string op;
  /// A function that calls one of two others by the value of a constant
  /// bool argument, as torch's boolean_dispatch (`F.max_pool2d` and
  /// `return_indices`): the argument's name and position, its default,
  /// and the global names of the two choices.
  struct BoolDispatch {
    std::string argName;
    size_t index = 0;
    bool defaultValue = false;
    std::string ifTrue, ifFalse;
  };
  std::shared_ptr<const BoolDispatch> dispatch;
  /// An overloaded function (`@_overload` stubs, as F.interpolate): one
  /// function per overload, by the names the resolver's `function` finds
  /// them under; a call takes the first whose signature fits.
  std::vector<std::string> overloads;
  /// A constant (int, float, bool, str, None, tuple of these, device,
  /// dtype), inlined as TorchScript inlines constant globals.
  std::shared_ptr<const c10::IValue> constant;
  /// A Python exception class (`class MyError(ValueError)`), by the name
  /// TorchScript records for it: `<module>.<qualified name>`.
  std::string exception;
  /// A Python value compiled code cannot use (a ScriptModule that is not a
  /// submodule): the error reported where the code names it.
  std::string unusable;
  /// A function whose graph was made elsewhere (a trace, `ember.trace`'s
  /// ScriptFunction called from compiled code): `function` names it in
  /// this program, which takes a copy of the graph, as TorchScript calls a
  /// traced function from script.
  std::shared_ptr<const Graph> graph;
  std::shared_ptr<const FunctionSchema> graphSchema;
};

/// How the emitter finds what the compiled code names but does not define.
struct GlobalResolver {
  /// A parsed file defining the function `name`, or null. The emitter keeps
  /// the module alive while it needs it.
  std::function<std::shared_ptr<const Module>(const std::string &name)> function;
  /// A user type (class, NamedTuple, enum) called `name`, or null.
  TypeNameResolver type;
  /// The value of `CONSTANTS.<name>` in archive code (tensors and other
  /// constants the code printer moved out of the text), or null.
  std::function<std::shared_ptr<const c10::IValue>(const std::string &name)> constant;
  /// A global name (or `module.attr` of a non-torch module), or empty.
  std::function<std::optional<GlobalValue>(const std::string &name)> value;
  /// The annotation a global type alias stands for
  /// (`_out = Tuple[Tensor, Tensor]` gives "Tuple[Tensor, Tensor]"), or empty.
  std::function<std::optional<std::string>(const std::string &name)> typeAlias;
  /// Told the source file of the function being compiled, when its
  /// compilation starts and when a nested one returns to it: the names
  /// above resolve in that file's scope first (two modules may each have a
  /// `helper` or a `K`).
  std::function<void(const std::string &file)> compiling;
};

class CompilerImpl;

/// One method of an assembled class: a parsed file holding one `def`.
struct ClassMethod {
  std::shared_ptr<Module> source;
  MethodKind kind = MethodKind::Script;
};

/// Compiles the definitions of one or more files into one CompilationUnit.
/// Each function's graph is named after it; calls between them are
/// `prim::CallFunction` on a `Function` constant naming the callee.
class Compiler {
public:
  explicit Compiler(GlobalResolver resolver = {});
  ~Compiler();
  Compiler(const Compiler &) = delete;
  Compiler &operator=(const Compiler &) = delete;

  /// Registers the top-level definitions of a parsed file; compiles nothing.
  /// A name defined twice is a CompileError at the second definition.
  void addModule(std::shared_ptr<const Module> module);
  /// Registers a class assembled by the caller, as `ember.script` builds
  /// one for an nn.Module: `header` holds one class in the code dialect
  /// (attribute annotations, `__parameters__`, `Final` constants), the
  /// methods come from their own files (so diagnostics point there), and
  /// the class is named `qualifiedName` (`torch.nn.modules.linear.Linear`,
  /// the part after `__torch__.`). Methods compile on demand.
  /// `overloads` maps a method name to the methods its call chooses among
  /// (`forward` -> `forward__0`, `forward__1`), as for `@_overload_method`.
  /// `container` is "list" for a ModuleList or Sequential (or a subclass),
  /// "dict" for a ModuleDict: its submodule attributes are its entries.
  /// `untyped` maps attributes of the Python object that have no
  /// TorchScript type to the reason, for the error when code reads one.
  void addClass(const std::string &qualifiedName, std::shared_ptr<Module> header,
                std::vector<ClassMethod> methods,
                std::map<std::string, std::vector<std::string>> overloads = {},
                const std::string &container = "",
                std::map<std::string, std::string> untyped = {});
  /// Declares the attributes of class `name` (compiling its `__init__` if
  /// it has one); false if there is no such class.
  bool prepareClass(const std::string &name);
  /// Why class `cls` does not implement interface `iface`, in TorchScript's
  /// words; empty when it does. Both must be loaded.
  std::string whyNotImplements(const std::string &cls, const std::string &iface);
  /// The same for class `cls` of another program's compiler `other`, where
  /// only the methods compiled there count (a scripted module's type holds
  /// its entry points and what they call, as in TorchScript).
  std::string whyNotImplementedBy(Compiler &other, const std::string &cls,
                                  const std::string &iface);
  /// Checks the forward pre-hooks and hooks of module class `className`
  /// against its forward, as TorchScript does when it adds them; throws
  /// CompileError in its words.
  void checkHooks(const std::string &className);
  /// True if class `name` is known, asking the resolver for the source
  /// that defines it if it is not registered yet (archive code).
  bool loadClass(const std::string &name);
  /// Compiles the methods of class `name` that an archive must hold: every
  /// method of a class read from source, and of an assembled class the
  /// ones compiled already (forward, exports and what they call).
  void compileForExport(const std::string &name);
  /// The methods a module class defines first, before any is compiled
  /// (TorchScript defines a module's entry points at once); the others
  /// follow in the order they are compiled. That is their order in code.
  void orderMethods(const std::string &className, const std::vector<std::string> &first);
  /// True if class `className` defines `method` (compiled or not).
  bool hasMethod(const std::string &className, const std::string &method);
  /// Compiles `name` and, on demand, everything it calls. Throws
  /// CompileError for programs TorchScript rejects.
  Graph *compileFunction(const std::string &name);
  /// Registers a graph built elsewhere (a trace) as function `name` with
  /// `schema`, so calls, `.code` and saving treat it as compiled code.
  void addGraph(const std::string &name, std::shared_ptr<Graph> graph, FunctionSchema schema);
  /// Compiles every function added, in source order.
  void compileAll();
  /// The compiled graphs, in the order their compilation finished.
  CompilationUnit &unit();
  /// The schema of a compiled function or method (`Class.method`).
  const FunctionSchema *schema(const std::string &graphName) const;
  /// A compiled class, as the code printer takes it; empty if unknown.
  std::optional<ClassToPrint> classToPrint(const std::string &className);

private:
  std::unique_ptr<CompilerImpl> impl_;
};

} // namespace ember::frontend
