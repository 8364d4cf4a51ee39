//===- runtime/Interpreter.cpp - the reference executor -------------------===//
//
// Graph -> Code, then a walk over it.
//  1. Registers: one per value (no reuse, as TorchScript's interpreter does;
//     tensors are reference counted anyway). Constants are preloaded into a
//     template register file that each call copies.
//  2. Instructions: operators carry an Operation from the kernel table;
//     If/Loop carry their blocks; CallFunction/CallMethod resolve their
//     callee through the unit; GetAttr/SetAttr address object slots; fork
//     carries the code of its subgraph.
//  3. Errors: any exception leaving an instruction becomes a ScriptError
//     (Python class, message) and collects one traceback frame per call
//     level on its way out.
//
//===----------------------------------------------------------------------===//
#include "runtime/Interpreter.h"

#include "ir/Constants.h"
#include "ir/CustomClasses.h"
#include "ir/Schema.h"
#include "runtime/Code.h"
#include "runtime/Fork.h"
#include "runtime/FusionGroup.h"
#include "runtime/Kernels.h"
#include "runtime/Liveness.h"
#include "runtime/ScriptError.h"
#include "runtime/ScriptUnit.h"

#include <ATen/core/class_type.h>
#include <ATen/core/function.h>
#include <ATen/core/jit_type.h>
#include <c10/util/Exception.h>

#include <atomic>
#include <iostream>
#include <mutex>
#include <set>
#include <unordered_map>

namespace ember::runtime {

Instr::Instr(Instr &&o) noexcept
    : kind(o.kind), node(o.node), in(std::move(o.in)), out(std::move(o.out)),
      drop(std::move(o.drop)), op(std::move(o.op)), unboxed(o.unboxed), blocks(std::move(o.blocks)),
      name(std::move(o.name)),
      callee(o.callee.load()), slot(o.slot.load()), sub(std::move(o.sub)),
      futureType(std::move(o.futureType)) {}

// Building ----------------------------------------------------------------------

namespace {

class CodeBuilder {
public:
  CodeBuilder(Code &code) : code_(code) {}

  void build(const Graph &g) {
    dropAfter_ = lastUses(*g.block());
    code_.body = buildBlock(*g.block());
    code_.initial.resize(regs_.size());
    for (auto &[reg, v] : constants_)
      code_.initial[reg] = v;
  }

private:
  uint32_t reg(const Value *v) {
    auto it = regs_.find(v);
    if (it != regs_.end())
      return it->second;
    uint32_t r = uint32_t(regs_.size());
    regs_[v] = r;
    code_.values.push_back(v);
    return r;
  }

  BlockCode buildBlock(const Block &b) {
    BlockCode bc;
    for (const Value *v : b.inputs())
      bc.params.push_back(reg(v));
    for (Node *n : b.nodes())
      if (n->kind() != prim::Constant())
        bc.instrs.push_back(buildInstr(*n));
      else if (auto v = constantValue(n->output()))
        constants_.push_back({reg(n->output()), *v});
      else
        reg(n->output());
    for (const Value *v : b.outputs())
      bc.results.push_back(reg(v));
    return bc;
  }

  Instr buildInstr(const Node &n) {
    Instr I;
    I.node = &n;
    if (auto it = dropAfter_.find(&n); it != dropAfter_.end())
      for (const Value *v : it->second)
        I.drop.push_back(reg(v));
    for (const Value *v : n.inputs())
      I.in.push_back(reg(v));
    for (const Value *v : n.outputs())
      I.out.push_back(reg(v));
    std::string kind = n.kind().qualString();
    if (n.kind() == prim::If() || n.kind() == prim::Loop()) {
      I.kind = n.kind() == prim::If() ? InstrKind::If : InstrKind::Loop;
      for (const Block *b : n.blocks())
        I.blocks.push_back(buildBlock(*b));
    } else if (kind == "prim::CallFunction") {
      I.kind = InstrKind::CallFunction;
      const Node *fn = n.input(0)->node();
      if (fn->kind() != prim::Constant() || !fn->hasAttribute(attr::name()))
        throw std::runtime_error("prim::CallFunction on a value that is not a Function constant");
      I.name = fn->s(attr::name());
    } else if (kind == "prim::CallMethod" || kind == "prim::GetAttr" || kind == "prim::SetAttr") {
      I.kind = kind == "prim::CallMethod" ? InstrKind::CallMethod
               : kind == "prim::GetAttr"  ? InstrKind::GetAttr
                                          : InstrKind::SetAttr;
      I.name = n.s(attr::name());
    } else if (kind == "prim::Enter" || kind == "prim::Exit") {
      I.kind = kind == "prim::Enter" ? InstrKind::Enter : InstrKind::Exit;
    } else if (kind == "prim::fork") {
      I.kind = InstrKind::Fork;
      I.sub = std::make_unique<Code>();
      I.sub->name = code_.name;
      I.sub->unit = code_.unit;
      CodeBuilder(*I.sub).build(*n.g(attr::Subgraph()));
      I.futureType = code_.unit->c10Type(n.output()->type()->elem());
    } else if (kind == "prim::FusionGroup") {
      I.op = fusionGroupOperation(n, *code_.unit, code_.name);
    } else {
      I.op = makeOperation(n);
      if (const UnboxedOp *u = findUnboxedOp(n))
        I.unboxed = u->kernel;
    }
    return I;
  }

  Operation makeOperation(const Node &n) {
    Operation op = operationFor(n, [&](const TypePtr &t) { return code_.unit->c10Type(t); });
    if (op)
      return op;
    // Reached only if the program runs this node: the rest of the function
    // still runs, and the error names the operator.
    std::string what = n.schema() ? n.schema()->str() : n.kind().qualString();
    return [what](Stack &) {
      throw PythonError("RuntimeError", "ember's interpreter has no implementation of " + what);
    };
  }

  Code &code_;
  std::unordered_map<const Value *, uint32_t> regs_;
  std::vector<std::pair<uint32_t, c10::IValue>> constants_;
  LastUses dropAfter_;
};

// Running -----------------------------------------------------------------------

void runBlock(const Code &code, const BlockCode &block, Frame &f);
Stack runExit(const Code &code, const c10::IValue &object);

/// The warn sites that warned during the running top-level call, each by
/// the calls that led to it (TorchScript inlines calls, so one function
/// called from two places has two sites); and that chain of calls.
struct WarnState {
  size_t depth = 0;
  std::vector<const void *> calls;
  std::set<std::vector<const void *>> warned;
};
thread_local WarnState warnState;

/// Marks a call in progress for warnings: a top-level one starts afresh.
struct CallScope {
  explicit CallScope(const void *callSite) {
    if (warnState.depth++ == 0)
      warnState.warned.clear();
    warnState.calls.push_back(callSite);
  }
  ~CallScope() {
    warnState.calls.pop_back();
    --warnState.depth;
  }
};

Stack callFunction(const Function &fn, Frame &f, const Instr &I, size_t firstArg) {
  Stack args;
  args.reserve(I.in.size() - firstArg);
  for (size_t i = firstArg; i < I.in.size(); ++i)
    args.push_back(f.regs[I.in[i]]);
  CallScope scope(&I);
  return fn.run(std::move(args));
}

void storeOutputs(Frame &f, const Instr &I, Stack &&results) {
  for (size_t i = 0; i < I.out.size() && i < results.size(); ++i)
    f.regs[I.out[i]] = std::move(results[i]);
}

const Function &methodOf(const Code &code, const c10::IValue &self, const std::string &name) {
  if (!self.isObject())
    throw PythonError("RuntimeError", "method '" + name + "' called on a value that is not an object");
  const c10::ClassType *type = self.toObjectRef().type().get();
  ScriptClass *cls = code.unit->findClass(type);
  Function *fn = cls ? code.unit->findMethod(*cls, name) : nullptr;
  // An object made by another program (passed in from Python) runs its
  // own program's method.
  if (!cls)
    fn = ScriptUnit::methodOfObject(self.toObjectRef(), name);
  if (!fn)
    throw PythonError("AttributeError", "'" + type->repr_str() + "' object has no method '" + name + "'");
  return *fn;
}

/// A method of a C++ custom class object (`packed.unpack()`): torch's
/// class registry runs it, boxed; several results become one tuple, the
/// call's one output. False for any other object.
bool callCustomMethod(Frame &f, const Instr &I) {
  const c10::IValue &self = f.regs[I.in[0]];
  if (!self.isObject())
    return false;
  const c10::ClassTypePtr &type = self.toObjectRef().type();
  if (!isCustomClassName(type->name()->qualifiedName()))
    return false;
  torch::jit::Function *method = type->findMethod(I.name);
  if (!method)
    throw PythonError("AttributeError",
                      "'" + type->repr_str() + "' object has no method '" + I.name + "'");
  Stack s;
  for (size_t in : I.in)
    s.push_back(f.regs[in]);
  method->run(s);
  if (s.size() > 1 && I.out.size() == 1)
    s = Stack{c10::ivalue::Tuple::create(std::move(s))};
  storeOutputs(f, I, std::move(s));
  return true;
}

int64_t slotOf(const Instr &I, const c10::ivalue::Object &obj) {
  int64_t s = I.slot.load(std::memory_order_relaxed);
  if (s >= 0)
    return s;
  auto found = obj.type()->findAttributeSlot(I.name);
  if (!found)
    throw PythonError("AttributeError",
                      "'" + obj.type()->repr_str() + "' object has no attribute '" + I.name + "'");
  // Every object reaching this node has the node's static class, so the
  // slot is the same for all of them.
  I.slot.store(int64_t(*found), std::memory_order_relaxed);
  return int64_t(*found);
}

void runLoop(const Code &code, const Instr &I, Frame &f) {
  int64_t maxTrips = f.regs[I.in[0]].toInt();
  bool cond = f.regs[I.in[1]].toBool();
  const BlockCode &body = I.blocks[0];
  size_t carried = I.in.size() - 2;
  for (size_t k = 0; k < carried; ++k)
    f.regs[body.params[k + 1]] = f.regs[I.in[k + 2]];
  Stack next(carried);
  for (int64_t trip = 0; cond && trip < maxTrips; ++trip) {
    f.regs[body.params[0]] = trip;
    runBlock(code, body, f);
    cond = f.regs[body.results[0]].toBool();
    for (size_t k = 0; k < carried; ++k)
      next[k] = f.regs[body.results[k + 1]];
    for (size_t k = 0; k < carried; ++k)
      f.regs[body.params[k + 1]] = std::move(next[k]);
  }
  for (size_t k = 0; k < carried; ++k)
    f.regs[I.out[k]] = f.regs[body.params[k + 1]];
}

void runInstr(const Code &code, const Instr &I, Frame &f) {
  switch (I.kind) {
  case InstrKind::Op: {
    if (I.unboxed) {
      f.regs[I.out[0]] = I.unboxed(f.regs.data(), I.in.data());
      return;
    }
    Stack &s = f.stack;
    s.clear();
    for (uint32_t r : I.in)
      s.push_back(f.regs[r]);
    I.op(s);
    size_t n = I.out.size();
    if (s.size() < n)
      throw std::runtime_error("operator " + I.node->kind().qualString() + " returned " +
                               std::to_string(s.size()) + " values, expected " + std::to_string(n));
    for (size_t i = 0; i < n; ++i)
      f.regs[I.out[i]] = std::move(s[s.size() - n + i]);
    return;
  }
  case InstrKind::If: {
    const BlockCode &b = I.blocks[f.regs[I.in[0]].toBool() ? 0 : 1];
    runBlock(code, b, f);
    for (size_t i = 0; i < I.out.size(); ++i)
      f.regs[I.out[i]] = f.regs[b.results[i]];
    return;
  }
  case InstrKind::Loop:
    return runLoop(code, I, f);
  case InstrKind::CallFunction: {
    const Function *fn = I.callee.load(std::memory_order_acquire);
    if (!fn) {
      fn = code.unit->findFunction(I.name);
      if (!fn)
        throw PythonError("RuntimeError", "function '" + I.name + "' is not compiled");
      I.callee.store(fn, std::memory_order_release);
    }
    return storeOutputs(f, I, callFunction(*fn, f, I, 1));
  }
  case InstrKind::CallMethod:
    if (callCustomMethod(f, I))
      return;
    return storeOutputs(f, I, callFunction(methodOf(code, f.regs[I.in[0]], I.name), f, I, 0));
  case InstrKind::GetAttr: {
    const auto &obj = f.regs[I.in[0]].toObjectRef();
    f.regs[I.out[0]] = obj.getSlot(slotOf(I, obj));
    return;
  }
  case InstrKind::SetAttr: {
    auto &obj = f.regs[I.in[0]].toObjectRef();
    obj.setSlot(slotOf(I, obj), f.regs[I.in[1]]);
    return;
  }
  case InstrKind::Enter: {
    Stack r = methodOf(code, f.regs[I.in[0]], "__enter__").run({f.regs[I.in[0]]});
    f.entered.push_back(f.regs[I.in[0]]);
    storeOutputs(f, I, std::move(r));
    return;
  }
  case InstrKind::Exit: {
    if (!f.entered.empty())
      f.entered.pop_back();
    Stack r = runExit(code, f.regs[I.in[0]]);
    if (!I.out.empty()) // TorchScript's prim::Exit has a result no one reads
      storeOutputs(f, I, std::move(r));
    return;
  }
  case InstrKind::Fork: {
    Stack args;
    for (uint32_t r : I.in)
      args.push_back(f.regs[r]);
    const Code *sub = I.sub.get();
    f.regs[I.out[0]] = launchFork(I.futureType, [sub, args = std::move(args)]() mutable {
      Stack r = runCode(*sub, std::move(args));
      return r.size() == 1 ? r[0] : c10::IValue(c10::ivalue::Tuple::create(std::move(r)));
    });
    return;
  }
  }
}

/// Calls `object.__exit__(None, None, None)`.
Stack runExit(const Code &code, const c10::IValue &object) {
  const Function *exit = &methodOf(code, object, "__exit__");
  Stack args{object};
  args.resize(exit->graph()->inputs().size()); // None for the exception triple
  return exit->run(std::move(args));
}

void runBlock(const Code &code, const BlockCode &block, Frame &f) {
  for (const Instr &I : block.instrs) {
    f.current = &I;
    runInstruction(code, I, f);
  }
}

} // namespace

std::unique_ptr<Code> buildCode(const Graph &graph, ScriptUnit &unit, const std::string &name) {
  auto code = std::make_unique<Code>();
  code->name = name;
  code->unit = &unit;
  CodeBuilder(*code).build(graph);
  return code;
}

void runInstruction(const Code &code, const Instr &I, Frame &f) {
  runInstr(code, I, f);
  for (uint32_t r : I.drop)
    f.regs[r] = c10::IValue();
}

Stack runCode(const Code &code, Stack inputs) {
  Frame f;
  f.code = &code;
  f.regs = code.initial;
  const auto &params = code.body.params;
  if (inputs.size() != params.size())
    throw PythonError("TypeError", code.name + "() expected " + std::to_string(params.size()) +
                                       " arguments but got " + std::to_string(inputs.size()));
  for (size_t i = 0; i < params.size(); ++i)
    f.regs[params[i]] = std::move(inputs[i]);
  try {
    runBlock(code, code.body, f);
  } catch (...) {
    std::exception_ptr error = scriptErrorFrom(code, f, std::current_exception());
    // As TorchScript: the `with` statements the exception leaves exit.
    while (!f.entered.empty()) {
      c10::IValue object = std::move(f.entered.back());
      f.entered.pop_back();
      runExit(code, object);
    }
    std::rethrow_exception(error);
  }
  Stack out;
  for (uint32_t r : code.body.results)
    out.push_back(f.regs[r]);
  return out;
}

// Functions ------------------------------------------------------------------------

Function::Function(ScriptUnit &unit, std::string name, std::shared_ptr<Graph> graph)
    : unit_(unit), name_(std::move(name)), graph_(std::move(graph)) {}

Function::~Function() = default;

const Code &Function::code() const {
  std::call_once(built_, [&] { code_ = buildCode(*graph_, unit_, name_); });
  return *code_;
}

namespace {
std::mutex compilerMutex;
FunctionCompiler &functionCompiler() {
  static FunctionCompiler c;
  return c;
}
} // namespace

CompiledCode::~CompiledCode() = default;

void setFunctionCompiler(FunctionCompiler compiler) {
  std::lock_guard<std::mutex> lock(compilerMutex);
  functionCompiler() = std::move(compiler);
}

const CompiledCode *Function::compiled() const {
  // Compile on first call; every caller waits for that one compilation.
  std::call_once(compiled_, [&] {
    FunctionCompiler compile;
    {
      std::lock_guard<std::mutex> lock(compilerMutex);
      compile = functionCompiler();
    }
    if (compile)
      native_ = compile(*this);
  });
  return native_.get();
}

bool firstWarningAt(const void *site) {
  std::vector<const void *> key = warnState.calls;
  key.push_back(site);
  return warnState.warned.insert(std::move(key)).second;
}

Stack Function::run(Stack inputs) const {
  CallScope scope(nullptr);
  if (const CompiledCode *native = compiled())
    return native->run(std::move(inputs));
  return runCode(code(), std::move(inputs));
}

// Print and warning handlers -----------------------------------------------------

namespace {
std::mutex handlerMutex;
TextHandler &printHandler() {
  static TextHandler h;
  return h;
}
WarnHandler &warnHandler() {
  static WarnHandler h;
  return h;
}
PythonCallHandler &pythonCallHandler() {
  static PythonCallHandler h;
  return h;
}
/// A copy of a handler taken under the lock, so that it runs unlocked and
/// a concurrent set cannot destroy it mid-call.
template <typename Handler> Handler current(const Handler &slot) {
  std::lock_guard<std::mutex> lock(handlerMutex);
  return slot;
}
} // namespace

void setPythonCallHandler(PythonCallHandler handler) {
  std::lock_guard<std::mutex> lock(handlerMutex);
  pythonCallHandler() = std::move(handler);
}

c10::IValue callPython(const std::string &name, Stack args, const TypePtr &result) {
  PythonCallHandler h = current(pythonCallHandler());
  if (!h)
    throw PythonError("RuntimeError", "'" + name + "' is an @ignore'd Python method and "
                                      "there is no Python here to call it");
  return h(name, std::move(args), result);
}

void setPrintHandler(TextHandler handler) {
  std::lock_guard<std::mutex> lock(handlerMutex);
  printHandler() = std::move(handler);
}
void setWarnHandler(WarnHandler handler) {
  std::lock_guard<std::mutex> lock(handlerMutex);
  warnHandler() = std::move(handler);
}

void emitPrint(const std::string &text) {
  TextHandler h = current(printHandler());
  if (h)
    return h(text);
  std::cout << text << std::flush;
}

void emitWarning(const std::string &text, const std::string &file, int64_t line) {
  WarnHandler h = current(warnHandler());
  if (h)
    return h(text, file, line);
  if (!file.empty())
    std::cerr << file << ":" << line << ": ";
  std::cerr << "UserWarning: " << text << "\n";
}

} // namespace ember::runtime
