//===- frontend/EmitterImpl.h - the IR emitter's private interface --------===//
//
// Shared by the emitter's files, one per concern:
//   Compiler.cpp        the unit: definitions, on-demand compilation, recursion
//   Environment.cpp     scopes and SSA: frames, joins of branches and loops
//   EmitStatements.cpp  assignments, return/del, statement lists
//   EmitRaise.cpp       raise, assert, torch._assert and torch._check
//   EmitControlFlow.cpp if, while, for (and the exits out of them)
//   EmitExpressions.cpp operators, comparisons, literals, subscripts
//   EmitCalls.cpp       calls: operators by schema, script functions, methods
//   EmitBuiltins.cpp    Python builtins (len, range, print, isinstance, ...)
//
// The emitter writes SSA directly. Each control-flow block has a Frame of
// the variables assigned in it; an `if` joins the frames of its branches
// into the node's outputs, a loop carries the variables its body assigns
// (found by a syntactic pre-scan). `return`, `break` and `continue` set
// flag variables (`$ret`, `$brk`, `$skip`) that the joins carry like user
// variables; statements after a block that may exit run under a guard, or
// move into the branch that does not exit (what TorchScript's exit
// transforms produce).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "frontend/CallBinding.h"
#include "frontend/Emitter.h"

#include <array>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace ember::frontend {

/// What an expression denotes before it becomes (or instead of becoming) an
/// IR value: modules such as `torch`, operators, builtins, functions, types.
/// The exception classes Python defines (`ValueError`), which TorchScript
/// records as `builtins.<name>`.
bool isBuiltinException(const std::string &name);
/// The dtype code of a legacy typed constructor (`LongTensor`: 4), or -1.
int legacyTensorDtype(const std::string &name);

struct Sugared {
  enum class Kind {
    Value,     // value
    Namespace, // name: `torch`, `math`, `torch.nn.functional`, `ops.aten`, ...
    Operator,  // name: qualified operator; value: the receiver of a method call
    Builtin,   // name: a Python builtin or language form (`len`, `annotate`)
    Function,  // name: a script function of the unit
    Iterable,  // name: `range`, `enumerate` or `zip`; items: their arguments
    TypeValue, // type: a type used as a value (`int`, `List[int]`, a class)
    Method,    // name: a method of the script object `value`
    Dispatch,  // dispatch: a boolean dispatch between two globals
    Overloads, // name: the function; items: one Function per overload
    Slice,     // `slice(...)`: items: start, stop, step (value null when omitted)
  };
  Kind kind = Kind::Value;
  Value *value = nullptr;
  std::string name;
  TypePtr type;
  std::vector<Sugared> items;
  /// A nested `def` (printed code's `__forked_function`), for fork().
  const Stmt *closure = nullptr;
  std::shared_ptr<const GlobalValue::BoolDispatch> dispatch;

  static Sugared of(Value *v) {
    Sugared s;
    s.value = v;
    return s;
  }
  static Sugared make(Kind k, std::string name, Value *self = nullptr) {
    Sugared s;
    s.kind = k;
    s.name = std::move(name);
    s.value = self;
    return s;
  }
  bool isValue() const { return kind == Kind::Value; }
};

/// How a statement list can leave: never, on some paths (return, break or
/// continue), on every path by one of those, or always by raising.
enum class ExitKind { Never, Maybe, Always, Raises };

struct Binding {
  Sugared value;
  TypePtr declared;     // from an annotation: later assignments must fit it
  SourceSpan where;     // the assignment that gave this value
  bool refined = false; // an Optional refinement rather than an assignment
  /// Bound only by the refinements of conditional expressions and `and`/
  /// `or` (their joins): TorchScript's emitter does not see these.
  bool fromExpression = false;
};

/// Why a name is undefined after a join: the error for a use, and a note.
struct Undefined {
  std::string message;
  SourceSpan where;
  std::string note;
};

struct Frame {
  enum class Kind { Function, Branch, Loop, Comprehension };
  Kind kind;
  Block *block;
  std::vector<std::string> order; // names in first-assignment order
  std::unordered_map<std::string, Binding> vars;
  /// Names defined on some paths only: why, and where, for the error on use.
  std::unordered_map<std::string, Undefined> undefined;
};

/// A statement list by reference, so that lists can be concatenated.
using StmtRefs = std::vector<const Stmt *>;
inline StmtRefs refsOf(const std::vector<StmtPtr> &stmts) {
  StmtRefs r;
  for (const auto &s : stmts)
    r.push_back(s.get());
  return r;
}

/// An actual argument: a value, its keyword (empty when positional) and span.
struct NamedValue {
  Value *value;
  std::string keyword;
  SourceSpan span;
};

/// Optional refinements a condition implies when it is true and when false.
struct Refinements {
  std::vector<std::pair<std::string, TypePtr>> whenTrue, whenFalse;
  /// Set when the types alone decide the condition (`x is None` on a
  /// NoneType, `torch.jit.is_scripting()`): an `if` emits one branch.
  std::optional<bool> staticValue;
};

class CompilerImpl;
struct ClassInfo;

class FunctionEmitter {
public:
  FunctionEmitter(CompilerImpl &compiler, const Stmt &def, std::shared_ptr<Graph> graph,
                  ClassInfo *cls = nullptr);
  /// Emits the whole function; returns its schema (return type inferred
  /// when the def has no annotation).
  FunctionSchema emit(const FunctionSignature &signature);
  /// The body of an `@ignore` or `@unused` method: a call to Python, or a
  /// raise.
  FunctionSchema emitStandIn(FunctionSchema schema, MethodKind kind,
                             const std::string &pythonName);

  // Environment.cpp ---------------------------------------------------------
  void pushFrame(Frame::Kind kind, Block *block);
  Frame popFrame();
  Frame &frame() { return frames_.back(); }
  const Binding *lookup(const std::string &name) const;
  /// Every bound name, outermost frame first, in first-assignment order.
  std::vector<std::string> definitionOrder() const {
    std::vector<std::string> out;
    for (const auto &f : frames_)
      out.insert(out.end(), f.order.begin(), f.order.end());
    return out;
  }
  Sugared lookupName(const Expr &name);
  /// A name no frame binds: script functions, imports, builtins, `torch`.
  Sugared resolveGlobal(const Expr &name);
  /// Binds `name` in the innermost frame. With a declared type the value
  /// must fit it (ints widen to float, T to Optional[T]).
  void define(const std::string &name, Sugared value, const SourceSpan &where,
              TypePtr declared = nullptr, bool refined = false);
  /// Makes the If node's outputs from what its two branch frames assigned.
  /// `unnamed`: TorchScript's exit transform makes this If's outputs (a
  /// guard, or an `if` merged with the guard after it), and leaves them
  /// unnamed.
  void joinBranches(Node *ifNode, Frame &thenFrame, ExitKind thenExit, Frame &elseFrame,
                    ExitKind elseExit, const SourceSpan &span, bool unnamed = false);
  /// Joins the refinements of a conditional expression or `and`/`or`.
  void joinExpressionBranches(Node *ifNode, Frame &thenFrame, Frame &elseFrame,
                              const SourceSpan &span);
  /// The two branch frames of an `if`, and whether each cannot fall
  /// through (returns or raises: its variables do not reach the join).
  struct JoinSides {
    Frame *frames[2];
    bool dead[2];
    bool unnamed;
    bool expression = false;
  };
  void joinSides(const JoinSides &sides, Node *ifNode, const SourceSpan &span);
  void joinName(Node *ifNode, const std::string &name, const JoinSides &sides,
                const SourceSpan &span);
  /// Rebinds each refined variable to an unchecked_cast of it. In a branch
  /// the refinement holds in, TorchScript casts even to the type the value
  /// has; `sameType` false skips those (a refinement that holds after an
  /// `if` or `assert`, whose join already gives the type).
  void applyRefinements(const std::vector<std::pair<std::string, TypePtr>> &refinements,
                        bool sameType = true);
  /// Names assigned by `stmts` (not inside nested defs or comprehensions).
  static void assignedNames(const std::vector<StmtPtr> &stmts, std::vector<std::string> &out);

  // EmitStatements.cpp -----------------------------------------------------
  void emitStatements(const std::vector<StmtPtr> &stmts, size_t from = 0);
  void emitStatements(const StmtRefs &stmts, size_t from = 0);
  /// Marks stmts[from...] as belonging to the block of the statement being
  /// emitted, before they are emitted inside a branch.
  void continueInBranch(const StmtRefs &stmts, size_t from);
  void emitStatement(const Stmt &s);
  void emitAssignTo(const Expr &target, Sugared value, const SourceSpan &span,
                    TypePtr declared = nullptr);
  /// Targets assigned a variable's value as it is (`y = x`, `a, b = b, a`):
  /// TorchScript reads the variable into a new value (prim::Load), which
  /// takes the name and then goes, so the value read keeps its own name.
  void markVariableCopies(const Expr &target, const Expr &value);
  std::unordered_set<const Expr *> copyTargets_;
  /// Values no assignment names: an unannotated `[]`, which TorchScript
  /// makes afresh after emission (unnamed, with no source location).
  std::unordered_set<const Value *> anonymous_;
  void emitUnpack(const Expr &target, Value *v, const SourceSpan &span);
  void emitAugAssign(const Stmt &s);
  void emitAttributeAssign(const Expr &target, Value *v, const SourceSpan &span,
                           TypePtr declared = nullptr);
  /// `module(args)` for a module with forward hooks, as TorchScript emits
  /// it: each pre-hook gets the inputs as a tuple and may replace them,
  /// then forward runs, then each hook gets the inputs and the output and
  /// may replace the output.
  Value *emitHookedCall(Value *module, ClassInfo &c, std::vector<NamedValue> args,
                        const SourceSpan &span);
  Value *emitMethodCall(Value *self, const std::string &method, std::vector<NamedValue> args,
                        const SourceSpan &span);
  /// `a + b` etc. on a script object: its magic method, or null if the
  /// class has none.
  Value *emitMagic(Value *self, const std::string &method, std::vector<NamedValue> args,
                   const SourceSpan &span);
  Value *emitConstruct(ClassInfo &c, const Expr &call);
  /// The submodule attributes of a ModuleList/Sequential/ModuleDict type,
  /// in order; empty for any other type.
  std::vector<std::string> moduleContainerEntries(const TypePtr &type);
  /// `self.layers[1:]`: a tuple of the entries a slice with constant bounds
  /// picks from a ModuleList or Sequential.
  Value *emitModuleContainerSlice(Value *container, const std::array<Value *, 3> &slice,
                                  const SourceSpan &span);
  Value *emitModuleContainerIndex(Value *container, const Expr &index, const SourceSpan &span,
                                  const TypePtr &hint = nullptr);
  Value *emitDynamicContainerIndex(Value *container, Value *index, const TypePtr &iface,
                                   const SourceSpan &span);
  /// `m.modules()` (includeSelf) or `m.children()`: a tuple of the modules,
  /// iterated unrolled.
  /// `module.modules()`, `.children()`, `.parameters()`, `.buffers()` or
  /// a `named_` form (`what`), unrolled into a tuple.
  Value *emitModuleTree(Value *module, const std::string &what, const SourceSpan &span);
  /// True for a ModuleDict's type.
  bool isModuleDict(const TypePtr &type);
  /// `d.keys()`, `d.values()`, `d.items()` of a ModuleDict: a tuple of its
  /// keys, submodules or (key, submodule) pairs, for loops to unroll.
  Value *emitModuleDictView(Value *dict, const std::string &method, const SourceSpan &span);
  Value *emitClassOperator(const std::string &op, Value *lhs, Value *rhs, const SourceSpan &span);
  static bool bindsAtClassLevel(const Stmt &classDef, const std::string &name);
  static bool mentionsType(const TypePtr &t, const TypePtr &cls);
  void checkSortable(const TypePtr &listType, const SourceSpan &span);
  void emitReturn(const Stmt &s);
  /// What `return` converts to the declared type, as TorchScript's
  /// tryConvertToType with conversions allowed: a tensor or `number` to an
  /// int or float, and a tuple element by element.
  Value *convertReturned(Value *v, const TypePtr &declared, const SourceSpan &span);
  void emitExit(const Stmt &s);
  /// Tests the innermost `while` loop's condition again into `$cond`.
  void emitLoopConditionAgain(const SourceSpan &span);
  void emitRaise(const Stmt &s);
  void emitAssert(const Stmt &s);
  /// `assert test, message`.
  void emitAssertion(const Expr &test, const Expr *message, const SourceSpan &span);
  /// `_pair(x)` and its kin, inlined as TorchScript does; null for other
  /// operators or arguments they do not take.
  Value *emitNTuple(const std::string &op, const std::vector<NamedValue> &args,
                    const SourceSpan &span);
  /// `_list_with_default(out_size, defaults)`, inlined as TorchScript does.
  Value *emitListWithDefault(Value *outSize, Value *defaults, const SourceSpan &span);
  void emitAssertionError(const Expr *message, const SourceSpan &span);
  void raiseAssertionError(Value *message, const SourceSpan &span);
  void emitTorchAssert(const Expr &call);
  void emitCheck(const std::string &name, const Expr &call);
  /// True for a ModuleList, Sequential or ModuleDict type, even an empty one.
  bool isModuleContainer(const TypePtr &type);
  void emitDelete(const Stmt &s);
  void emitWith(const Stmt &s);
  /// Sets a flag variable to a constant.
  void setFlag(const char *name, bool on, const SourceSpan &span);
  bool inLoop() const;
  /// How the `$skip` side of a guard around the statements after a `return`
  /// that may have run leaves: outside loops it means the function
  /// returned, so what the guarded statements assign is dead there (as
  /// TorchScript's exit transform joins it with prim::Uninitialized); in a
  /// loop a `continue` or `break` skips too, and the values flow on.
  ExitKind skippedExit() const { return inLoop() ? ExitKind::Never : ExitKind::Always; }

  // EmitControlFlow.cpp ----------------------------------------------------
  /// Classifies how `stmts` can leave the current block.
  ExitKind classify(const StmtRefs &stmts, bool loopExitsCount, size_t from = 0) const;
  ExitKind classifyStmt(const Stmt &s, bool loopExitsCount) const;
  /// Emits an `if` and then `rest[restFrom...]`, the statements after it.
  void emitIf(const Stmt &s, const StmtRefs &rest, size_t restFrom);
  void emitWhile(const Stmt &s);
  void emitFor(const Stmt &s);
  /// A prim::Loop: `length` trips of a `for` (null for a `while` on
  /// `cond`); `body` emits one iteration given the element index.
  /// `target`: a `for` statement's target, assigned by each iteration (so
  /// carried when defined before the loop, as TorchScript's `for`).
  void emitLoop(Value *length, const Expr *cond, const std::vector<StmtPtr> *stmts,
                const std::function<void(Value *)> &body, const SourceSpan &span,
                const Expr *target = nullptr);
  Value *carriedValue(const Binding &b, const TypePtr &type, const SourceSpan &span);
  void finishLoop(Node *loop, Value *length, const Expr *cond,
                  const std::vector<std::string> &carried, const std::vector<TypePtr> &types,
                  Value *index, const SourceSpan &span);
  /// The condition a loop body ends with: the `while` test again, or
  /// `index + 1 < length` for a `for` in the while form, and not `$brk`.
  Value *negatedFlag(Value *flag, size_t uses, const SourceSpan &span);
  Value *loopCondition(Block *block, Value *length, const Expr *cond, Value *next,
                       const SourceSpan &span);
  /// Carries `$ret` and the returned value out of a loop; returns its type.
  TypePtr carryReturn(Node *loop, Value *ret, Value *retval);
  void emitUnrolled(const Expr &target, Value *tuple, const std::vector<StmtPtr> *stmts,
                    const std::function<void()> &body, const SourceSpan &span);
  /// Emits `If(cond)` with `thenBody`/`elseBody` emitted by the callbacks.
  void emitBranches(Value *cond, const Refinements &refinements,
                    const std::function<ExitKind()> &thenBody,
                    const std::function<ExitKind()> &elseBody, const SourceSpan &span,
                    bool unnamed = false);
  /// A `for` loop over `iter` whose body is `body` (statements, or a
  /// comprehension's element); `target` is bound on each iteration.
  void emitForLoop(const Expr &target, const Expr &iter, const std::vector<StmtPtr> *stmts,
                   const std::function<void()> &body, const SourceSpan &span);
  /// The same over an iterable already emitted (`list(range(n))`).
  void emitForLoop(const Expr &target, const Sugared &iter, const SourceSpan &iterSpan,
                   const std::vector<StmtPtr> *stmts, const std::function<void()> &body,
                   const SourceSpan &span);
  /// The declared return type, null while it is being inferred.
  const TypePtr &declaredReturn() const { return declaredReturn_; }

  // EmitExpressions.cpp ----------------------------------------------------
  Sugared emitExpr(const Expr &e, const TypePtr &hint = nullptr);
  Sugared emitExprKind(const Expr &e, const TypePtr &hint);
  Value *emitValue(const Expr &e, const TypePtr &hint = nullptr);
  Value *asValue(const Sugared &s, const SourceSpan &span);
  /// A condition: converted to bool (Tensor, int and float too), with the
  /// refinements it implies.
  Value *emitCondition(const Expr &e, Refinements &refinements);
  /// The condition of an `if` statement or ternary.
  Value *emitBranchCondition(const Expr &e, Refinements &refinements);
  Value *toBool(Value *v, const SourceSpan &span);
  Value *emitUnary(const Expr &e);
  Value *emitShortCircuit(const Expr &e, size_t n, Refinements &refinements);
  Value *emitCompare(const Expr &e, Refinements &refinements);
  Value *emitTernary(const Expr &e, const TypePtr &hint);
  Value *emitTupleLiteral(const Expr &e, const TypePtr &hint);
  Sugared emitSliceObject(const Expr &call);
  Value *emitLegacyConstructor(const std::string &name, const Expr &call);
  void noteEmptyLiteral(const Expr &arg, Value *v);
  void typeEmptyLiterals(const FunctionSchema &schema, const std::vector<NamedValue> &args);
  TypePtr contextManagerEntered(Value *object, const SourceSpan &span);
  std::string exceptionClass(const Expr &callee);
  Value *exceptionMessage(const Expr &call, const SourceSpan &span);
  TypePtr elementType(const std::vector<Value *> &values, const std::vector<SourceSpan> &spans,
                      const TypePtr &elemHint, const TypePtr &container, const char *what);
  void filtered(const Comprehension &c, size_t i, const std::function<void()> &body);
  Sugared emitSubscriptExpr(const Expr &e, const TypePtr &hint = nullptr);
  Value *emitSubscript(const Expr &e);
  Value *subscriptOf(Value *base, const Expr &e, const TypePtr &hint = nullptr);
  /// The bounds of a slice index (`a:b:c`, `slice(a, b, c)` or a variable
  /// holding a slice), emitted; null for an omitted bound. Empty when
  /// `index` is not a slice.
  std::optional<std::array<Value *, 3>> sliceParts(const Expr &index, const SourceSpan &where);
  Value *tupleSubscript(Value *tuple, const Expr &index, const SourceSpan &span);
  /// `t[indices]` on a tensor: the view after selects, slices and
  /// unsqueezes, and the list of tensor indices (null when none) that
  /// aten::index or aten::index_put_ then applies.
  struct TensorView {
    Value *view;
    Value *indices;
  };
  TensorView emitTensorView(Value *t, const Expr &e);
  void emitSubscriptAssign(const Expr &target, Value *rhs, const SourceSpan &span);
  Value *emitListLiteral(const Expr &e, const TypePtr &hint);
  Value *emitDictLiteral(const Expr &e, const TypePtr &hint);
  Value *emitComprehension(const Expr &e, const TypePtr &hint);
  Value *emitListOf(const Expr &operand, const SourceSpan &span);
  Value *emitDictOf(const Expr &operand, const TypePtr &hint, const SourceSpan &span);
  Value *emitDictCall(const Expr &call, const TypePtr &hint);
  Value *emitFString(const Expr &e);
  Value *emitBinary(const std::string &op, Value *lhs, Value *rhs, const SourceSpan &span);
  Value *emitTupleConcat(Value *lhs, Value *rhs, const SourceSpan &span);

  // EmitCalls.cpp ----------------------------------------------------------
  Sugared emitCall(const Expr &e, const TypePtr &hint = nullptr);
  Sugared emitCallOf(const Expr &e, const TypePtr &hint);
  /// `span` widened to the call being emitted, when it is that call's: what
  /// notes of a compilation the call starts show.
  const SourceSpan &callSite(const SourceSpan &span) const;
  Value *emitTensorGetItem(Value *tensor, const Expr &call);
  Value *emitToList(Value *tensor, const TypePtr &hint, const SourceSpan &span);
  /// The first of `candidates` (functions, or methods of `cls`) whose
  /// declared signature the arguments fit; a CompileError listing them
  /// when none does.
  std::string pickOverload(const std::string &callee, const std::vector<std::string> &candidates,
                           ClassInfo *cls, const std::vector<NamedValue> &args,
                           const SourceSpan &span);
  /// The function a boolean dispatch picks for the call `e`.
  Sugared chooseDispatch(const GlobalValue::BoolDispatch &d, const Expr &e);
  /// Emits `callee` (any overload of a qualified operator) on `args`.
  Value *emitOperator(const std::string &callee, const std::vector<NamedValue> &args,
                      const SourceSpan &span);
  /// Like emitOperator, but returns null instead of failing when no
  /// overload fits.
  Value *tryOperator(const std::string &callee, const std::vector<NamedValue> &args,
                     const SourceSpan &span);
  /// The inputs a bound call passes, with conversions and defaults inserted.
  std::vector<Value *> materializeCall(const CallBinding &b, const std::vector<NamedValue> &args,
                                       const SourceSpan &span);
  Sugared attributeOf(const Sugared &base, const Expr &e);
  Sugared attributeNamed(const Sugared &base, const std::string &attr, const SourceSpan &span);
  Sugared namespaceAttribute(const std::string &ns, const std::string &attr,
                             const SourceSpan &span);
  Sugared classAttribute(Value *object, const std::string &attr, const SourceSpan &span);
  /// `torch.nn.functional.relu`, as an import alias names it.
  Sugared resolveDotted(const std::string &path, const SourceSpan &span);
  Sugared fromGlobalValue(const GlobalValue &g, const std::string &name, const SourceSpan &span);
  std::vector<NamedValue> emitArguments(const Expr &call, size_t first = 1);
  Value *emitScriptCall(const std::string &name, const std::vector<NamedValue> &args,
                        const SourceSpan &span);

  // EmitFork.cpp -------------------------------------------------------------
  /// `torch.jit.fork(fn, args...)` / `fork(__forked_function)`: a prim::fork
  /// whose subgraph runs the call; returns the Future.
  Value *emitFork(const Expr &call);
  Value *emitForkClosure(const Stmt &def, const SourceSpan &span);
  /// Compiles a nested def's body as a closure whose free variables become
  /// inputs (recorded in captures_).
  void emitClosureBody();

  // EmitBuiltins.cpp -------------------------------------------------------
  /// Python builtins and language forms; empty Sugared::value for none.
  Sugared emitBuiltin(const std::string &name, const Expr &call, const TypePtr &hint = nullptr);
  Value *emitCast(const std::string &name, const Expr &call);
  Value *emitCollectionBuiltin(const std::string &name, const Expr &call, const TypePtr &hint);
  /// annotate(T, v), unchecked_cast(T, v), uninitialized(T).
  Value *emitTypeForm(const std::string &name, const Expr &call);
  /// hasattr: true when `base` has `attr` (known statically).
  bool hasAttribute(const Sugared &base, const std::string &attr);
  Value *emitVarargList(const std::string &name, const std::vector<NamedValue> &args,
                        const SourceSpan &span);
  Value *emitMinMax(const std::string &name, const Expr &call);
  void refineIsInstance(const std::string &name, const TypePtr &actual,
                        const std::vector<TypePtr> &members, const std::vector<TypePtr> &types,
                        Refinements &refinements);
  std::vector<TypePtr> isInstanceTypes(const Expr &target, const std::vector<TypePtr> &members,
                                       bool &overlaps);
  Value *emitIsInstance(const Expr &call, Refinements *refinements);
  bool callsIsInstance(const Expr &e);

  // Graph helpers ------------------------------------------------------------
  Node *insert(Symbol kind, const std::vector<Value *> &inputs, size_t outputs,
               const SourceSpan &span);
  Value *insertValue(Symbol kind, const std::vector<Value *> &inputs, TypePtr type,
                     const SourceSpan &span);
  /// Gives `n` the `# file:line:col` of `span`.
  void locate(Node *n, const SourceSpan &span);
  Value *constInt(int64_t v);
  Value *constFloat(double v);
  Value *constBool(bool v);
  Value *constStr(const std::string &v);
  Value *constNone();
  Value *uninitialized(const TypePtr &type);
  /// The constant of a number literal: one per value, at the top of the
  /// graph where the value is first written (TorchScript's
  /// materializeConstant), so constants pool in torch.jit's order.
  Value *literalConstant(const c10::IValue &value, const SourceSpan &span);
  /// Converts `v` to `type` the way assignments and returns allow (int to
  /// float is not implicit; Optional wrapping is free). Null when it can't.
  /// Whether class type `cls` fits interface `iface`: a CompileError at
  /// `span` naming the method it lacks.
  bool checkImplements(const TypePtr &cls, const TypePtr &iface, const SourceSpan &span);
  Value *convertTo(Value *v, const TypePtr &type);
  Sugared convertToOuterType(const std::string &name, Value *v, const SourceSpan &span);
  const Binding *outerBinding(const std::string &name) const;
  bool retypeEmptyLists(Value *v, const TypePtr &type);
  Value *emitCallMethodNode(Value *self, const std::string &method, const FunctionSchema &full,
                            const std::string &displayName, std::vector<NamedValue> args,
                            const SourceSpan &span);
  /// Whether the value being assigned is the literal just emitted for the
  /// statement's only target (so retyping its empty lists changes nothing
  /// else).
  bool assigningLiteral_ = false;
  Graph &graph() { return *graph_; }
  CompilerImpl &compiler() { return compiler_; }
  [[noreturn]] void error(const SourceSpan &span, const std::string &message) const;

private:
  Value *functionResult();

  CompilerImpl &compiler_;
  const Stmt &def_;
  std::shared_ptr<Graph> graph_;
  std::shared_ptr<const std::string> file_; // for node source locations
  ClassInfo *class_;                        // the class of a method being compiled
  FunctionEmitter *parent_ = nullptr;       // the function a closure is defined in
  std::vector<Value *> captures_;           // a closure's free variables, outside
  std::vector<Frame> frames_;
  /// Statements that follow an `if` or loop that may leave are emitted
  /// inside its branches, but belong to the block of that statement: the
  /// frame index of that block, for the checks TorchScript makes against
  /// the blocks around (see convertToOuterType). `logicalFrame_` is that
  /// index for the statement being emitted.
  std::unordered_map<const Stmt *, size_t> restLevel_;
  size_t logicalFrame_ = 0;
  /// `if` statements whose condition was known when emitted (`if
  /// self.rate is None:` on a None attribute) -> the branch compiled; the
  /// exit analysis after emission follows that branch.
  std::map<const Stmt *, bool> staticIfs_;
  /// The `[]` and `{}` written as call arguments (typed by the parameter).
  std::unordered_set<Value *> emptyLiterals_;
  /// The prim::Uninitialized of each type, shared (see uninitialized()).
  std::vector<std::pair<TypePtr, Value *>> uninitialized_;
  /// The number literals' constants (see literalConstant()).
  std::vector<Value *> literals_;
  /// The range of the call being emitted (see callSite()).
  SourceSpan callRange_;
  TypePtr declaredReturn_;
  /// One entry per enclosing loop: true when it is unrolled (a loop over a
  /// tuple or a module list), where break and continue are not supported.
  std::vector<bool> unrolledLoops_;
  /// Per open loop, the condition a `while` tests again (null for `for`).
  std::vector<const Expr *> loopConditions_;
};

/// A script class (or NamedTuple) of the unit: its type, its attributes in
/// slot order, and its methods.
struct ClassInfo {
  TypePtr type;
  const Stmt *def = nullptr;
  std::shared_ptr<const Module> module;
  std::vector<std::pair<std::string, TypePtr>> attributes;
  std::map<std::string, SourceSpan> attributeSpans;
  std::map<std::string, const Stmt *> methods;
  std::unordered_set<std::string> staticMethods;
  std::unordered_set<std::string> classMethods; // @classmethod: `cls` is the class
  /// `@property` name -> its getter (`__<name>_getter`) and setter
  /// (`__<name>_setter`) methods, as TorchScript names them.
  std::map<std::string, std::string> propertyGetters, propertySetters;
  /// Methods of an assembled class that call Python or raise (`@ignore`,
  /// `@unused`) instead of running their body.
  std::map<std::string, MethodKind> methodKinds;
  /// Overloaded methods: the name a call uses -> the methods it picks from.
  std::map<std::string, std::vector<std::string>> overloads;
  /// "list" (ModuleList, Sequential), "dict" (ModuleDict) or empty.
  std::string containerKind;
  /// Built by Compiler::addClass (its container kind is known), rather
  /// than read from source (archive code, where the name tells).
  /// The methods of an assembled (module) class in the order they were
  /// first compiled: TorchScript adds a module's methods to its type in
  /// that order (the entry points, then what they call).
  std::vector<std::string> compileOrder;
  bool assembled = false;
  /// Attributes of the Python object with no TorchScript type, and why.
  std::map<std::string, std::string> untyped;
  bool initCompiled = false;
  bool isNamedTuple = false;
  bool isEnum = false; // `class Color(Enum)`: its type carries the members
  /// `@torch.jit.interface` (archive code: `class I(Interface)` or
  /// `(ModuleInterface)`): its methods are signatures, never compiled.
  bool isInterface = false;
  /// Methods given as graphs rather than source (a traced module's
  /// `forward`), in the order they were added.
  std::vector<std::string> graphMethods;
  /// NamedTuple field defaults, as source text.
  std::vector<std::optional<std::string>> defaults;
  /// Module attributes that are parameters and buffers (`__parameters__`).
  std::vector<std::string> parameters, buffers;
  /// Methods run around `forward` when the module is called, in order
  /// (`__forward_pre_hooks__`, `__forward_hooks__`).
  std::vector<std::string> forwardPreHooks, forwardHooks;

  TypePtr attributeType(const std::string &name) const {
    for (const auto &[n, t] : attributes)
      if (n == name)
        return t;
    return nullptr;
  }
};

/// State of one compilation: the definitions, what is compiled, and the
/// chain of functions being compiled (for the recursion error).
class CompilerImpl {
public:
  explicit CompilerImpl(GlobalResolver resolver) : resolver_(std::move(resolver)) {}
  void addModule(std::shared_ptr<const Module> module);
  void addAssembledClass(const std::string &qualifiedName, std::shared_ptr<Module> header,
                         std::vector<ClassMethod> methods,
                         std::map<std::string, std::vector<std::string>> overloads,
                         const std::string &container, std::map<std::string, std::string> untyped);
  /// The signature of function `name` (a method of `cls` when given)
  /// without compiling its body; empty if its annotations do not resolve.
  std::optional<FunctionSchema> declaredSignature(const std::string &name, ClassInfo *cls);
  /// Functions that call Python or raise instead of running their body
  /// (`@ignore`, `@unused`): their kind and the name the runtime calls.
  std::map<std::string, std::pair<MethodKind, std::string>> functionKinds;
  /// A function's dotted path (see GlobalValue::qualifiedName), asked of
  /// the resolver once per function; the name itself when it has none.
  const std::string &qualifiedNameOf(const std::string &function);
  /// Function name -> its dotted path, or empty when the resolver has none.
  std::map<std::string, std::string> qualifiedNames;
  Graph *compile(const std::string &name, const SourceSpan *callSite);
  /// The schema of a function, compiling it if needed.
  const FunctionSchema &schemaOf(const std::string &name, const SourceSpan &callSite);
  bool hasFunction(const std::string &name);
  /// The class called `name` (unqualified), or null.
  ClassInfo *findClass(const std::string &name);
  ClassInfo *classOfType(const TypePtr &type);
  /// Declares the class's attributes (compiling __init__, which defines
  /// some) unless done already.
  void prepareClass(ClassInfo &c, const SourceSpan &site);
  /// The first method of interface `iface` that class `cls` lacks (or has
  /// with another number of parameters), or empty when it implements all.
  /// Why `cls` (a class or interface) does not implement `iface`, in
  /// TorchScript's words; empty when it does.
  /// Checks a module's forward pre-hooks and hooks against its forward
  /// (HookSignatures.cpp); a CompileError in torch.jit's words.
  void checkHooks(ClassInfo &c);
  void checkPreHook(ClassInfo &c, const std::string &name, const TypePtr &input,
                    const std::string &module);
  TypePtr checkHook(ClassInfo &c, const std::string &name, const TypePtr &input,
                    const TypePtr &output, const std::string &module);
  void checkHookInput(const std::string &who, const Stmt &def, const FunctionSchema &hook,
                      size_t arity, const TypePtr &input);
  std::string whyNotImplements(ClassInfo &cls, ClassInfo &iface, const SourceSpan &site);
  /// The check itself: `self` names the class ("Class 'C'"), `methodOf`
  /// gives its method's schema (null if it has none).
  std::string whyNotImplements(
      const std::string &self, ClassInfo &iface, const SourceSpan &site,
      const std::function<const FunctionSchema *(const std::string &)> &methodOf);
  /// The schema of a method (self first), compiling it and the class's
  /// __init__ (which defines the attributes) if needed.
  const FunctionSchema &methodSchema(ClassInfo &c, const std::string &method,
                                     const SourceSpan &callSite);
  /// What `name` stands for through an import of the file defining `def`.
  std::optional<std::string> importedPath(const Stmt &def, const std::string &name) const;
  /// Names in annotations. An nn.Module class is a type only where
  /// `isinstance` tests a submodule (`moduleTypes`); as an annotation
  /// TorchScript does not know it.
  TypeNameResolver typeResolver(bool moduleTypes = false) const;
  /// N copies of T in a tuple when the global `name` is an alias of
  /// BroadcastingListN[T] (torch.nn's `_size_2_t`), else null.
  TypePtr broadcastAlias(const std::string &name);
  bool resolvesValues() const { return bool(resolver_.value); }
  std::optional<GlobalValue> globalValue(const std::string &name) const {
    return resolver_.value ? resolver_.value(name) : std::nullopt;
  }
  /// Asks the resolver for `lookupName` and registers the source it gives;
  /// true if that source defines the function `defName`.
  bool loadFunction(const std::string &lookupName, const std::string &defName);
  /// `CONSTANTS.<name>` from the resolver, or null.
  std::shared_ptr<const c10::IValue> constant(const std::string &name) const {
    return resolver_.constant ? resolver_.constant(name) : nullptr;
  }
  /// Defaults without a literal: `CONSTANTS.<name>` in archive code, or a
  /// global name the resolver holds a constant for.
  DefaultConstantResolver defaultConstants() const;
  CompilationUnit &unit() { return unit_; }
  void addSchema(const std::string &name, FunctionSchema schema) { schemas_[name] = std::move(schema); }
  /// A copy of `graph` as function `name` (GlobalValue::graph), once.
  void addGraphFunction(const std::string &name, const Graph &graph, const FunctionSchema &schema,
                        const SourceSpan &use);
  const FunctionSchema *compiledSchema(const std::string &graphName) const {
    auto it = schemas_.find(graphName);
    return it == schemas_.end() ? nullptr : &it->second;
  }
  std::vector<std::string> order;

private:
  struct Definition {
    std::shared_ptr<const Module> module;
    const Stmt *def;
  };
  GlobalResolver resolver_;
  std::map<std::string, Definition> defs_;
  std::map<std::string, ClassInfo> classes_;
  void addClass(std::shared_ptr<const Module> module, const Stmt &def);
  FunctionSchema compileBody(const std::string &graphName, const Stmt &def,
                             const SourceSpan &callSite, ClassInfo *cls, bool isStatic);
  std::map<const Stmt *, const Module *> owner_;
  std::map<const Module *, std::map<std::string, std::string>> imports_;
  std::map<std::string, FunctionSchema> schemas_;
  std::vector<std::pair<std::string, SourceSpan>> inProgress_;
  std::vector<std::string> filesInProgress_; // the source file of each
  CompilationUnit unit_;
};

/// TorchScript names a value after the variable it is assigned to, except
/// for internal names (`$ret`) and `_`, `_0`, ... (temporaries of printed
/// code, which must not become names when the code is read back).
/// The code of a dtype named in `torch.<name>` (`float32` is 6), and of a
/// layout or memory format (`strided`, `channels_last`).
std::optional<int64_t> dtypeCode(const std::string &name);
std::optional<int64_t> enumCode(const std::string &name);

inline bool meaningfulName(const std::string &name) {
  if (name.empty() || name[0] == '$')
    return false;
  if (name[0] != '_')
    return true;
  for (size_t i = 1; i < name.size(); ++i)
    if (!isdigit(static_cast<unsigned char>(name[i])))
      return true;
  return false;
}

/// The value of a schema default (`1`, `None`, `[0, 1]`, `"mean"`) as a
/// constant of `type`, inserted at the graph's insertion point.
Value *insertDefault(Graph &g, const std::string &text, const TypePtr &type,
                     int64_t broadcast = 0);

/// TorchScript's operator for a Python operator spelling (`+` -> aten::add).
std::string operatorFor(const std::string &op, bool unary);
/// The method a binary operator calls on a script object (`+` -> `__add__`), or null.
const std::string *magicMethodOf(const std::string &op);

/// True for the callables under `torch` that are language forms rather than
/// operators (`torch.jit.annotate`, `torch.jit.is_scripting`, ...).
bool isSpecialForm(const std::string &dottedName);
/// `isinstance` or a dotted name ending in `.isinstance` (torch.jit's under
/// whatever name the function's globals give it).
bool namesIsInstance(const std::string &dottedName);

} // namespace ember::frontend
