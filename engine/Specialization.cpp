//===- engine/Specialization.cpp - graphs specialised on their inputs -----===//
//
// 1. Eligibility (once per function): the functions it calls are inlined
//    (as torch.jit does first); it has Tensor inputs, and no node can
//    change a tensor's sizes or strides in place (resize_, unsqueeze_, t_,
//    ...) nor hand tensors to code the graph does not show (calls, forks,
//    Python). Then the types given to inputs stay true for the whole call.
//    requires_grad is part of the guard but never of the types: an in-place
//    op with an operand that requires grad changes it.
// 2. Per call: a key of the tensor inputs (dtype, device, requires_grad,
//    rank; sizes and strides for STATIC entries) picks the entry. A miss
//    builds one while the strategy allows it, else the generic version runs.
// 3. Building: copy the graph, type the inputs, run the `specialize`
//    pipeline, hand the graph to the runner factory (native or interpreted).
//
//===----------------------------------------------------------------------===//
#include "engine/Specialization.h"

#include "ir/Log.h"
#include "ir/Printer.h"
#include "passes/Passes.h"
#include "runtime/Interpreter.h"

#include <ATen/core/Tensor.h>

#include <mutex>
#include <shared_mutex>
#include <sstream>
#include <stdexcept>
#include <unordered_set>

namespace ember {
namespace {

std::mutex strategyMutex;
FusionStrategy &currentStrategy() {
  static FusionStrategy s;
  return s;
}

thread_local std::shared_ptr<Graph> lastGraph;

bool mayHideTensorChanges(const Block &b) {
  static const std::unordered_set<std::string> changesShape = {
      "resize_",   "resize_as_", "unsqueeze_",  "squeeze_",       "t_",       "transpose_",
      "swapdims_", "swapaxes_",  "as_strided_", "set_",           "set_data", "sparse_resize_",
      "detach_",   "_coalesced_", "sparse_resize_and_clear_", "unsafe_split_", "resize_as_sparse_"};
  static const std::unordered_set<std::string> opaque = {
      "prim::CallFunction", "prim::CallMethod", "prim::PythonOp", "prim::fork",
      "prim::Enter",        "prim::Exit"};
  for (const Node *n : b.nodes()) {
    std::string kind = n->kind().qualString();
    if (opaque.count(kind))
      return true;
    size_t sep = kind.find("::");
    if (sep != std::string::npos && changesShape.count(kind.substr(sep + 2)))
      return true;
    for (const Block *inner : n->blocks())
      if (mayHideTensorChanges(*inner))
        return true;
  }
  return false;
}

/// The names of the functions and methods `b` calls: prim::CallFunction of
/// a constant, and prim::CallMethod on a script class (`Class.method`, the
/// name the unit and the inliner know it by).
std::vector<std::string> calleesOf(const Block &b) {
  std::vector<std::string> names;
  const std::string prefix = "__torch__.";
  for (const Node *n : b.nodes()) {
    if (n->kind() == prim::Constant() && n->output()->type()->kind() == TypeKind::Function &&
        n->hasAttribute(attr::name()))
      names.push_back(n->s(attr::name()));
    if (n->kind().qualString() == "prim::CallMethod" && !n->inputs().empty()) {
      const TypePtr &self = n->input(0)->type();
      if (self->kind() == TypeKind::Class && self->name().rfind(prefix, 0) == 0)
        names.push_back(self->name().substr(prefix.size()) + "." + n->s(attr::name()));
    }
    for (const Block *inner : n->blocks())
      for (std::string &name : calleesOf(*inner))
        names.push_back(std::move(name));
  }
  return names;
}

/// Erases the tensor refinements of every value `b` defines, its nested
/// blocks' included (not of `b`'s own inputs, which the caller types).
void eraseRecordedTypes(Block &b) {
  for (Node *n : b.nodes()) {
    if (n->kind() != prim::Constant())
      for (Value *o : n->outputs())
        o->setType(o->type()->unrefined());
    for (Block *inner : n->blocks()) {
      for (Value *in : inner->inputs())
        in->setType(in->type()->unrefined());
      eraseRecordedTypes(*inner);
    }
  }
}

/// `fn`'s graph with the functions it calls inlined, as torch.jit's graph
/// executor does before optimising (inlined nodes keep their call stack for
/// tracebacks). The callees are copied: their graphs are shared and may be
/// running. Recursion leaves the calls in place.
std::shared_ptr<Graph> withCalleesInlined(const runtime::Function &fn) {
  CompilationUnit unit;
  std::unordered_set<std::string> seen;
  std::vector<std::string> pending = calleesOf(*fn.graph()->block());
  while (!pending.empty()) {
    std::string name = std::move(pending.back());
    pending.pop_back();
    const runtime::Function *callee = fn.unit().findFunction(name);
    if (!seen.insert(name).second || !callee)
      continue;
    auto copy = callee->graph()->copy();
    copy->setName(name);
    for (std::string &next : calleesOf(*copy->block()))
      pending.push_back(std::move(next));
    unit.add(std::move(copy));
  }
  if (unit.functions().empty())
    return fn.graph();
  auto g = fn.graph()->copy();
  g->setName(fn.name());
  unit.add(g);
  try {
    runPasses(unit, {"inline"}, PassManagerOptions{});
  } catch (const std::exception &e) { // recursion (PassError), or a callee the inliner refuses
    logLine("jit", fn.name() + " keeps its calls: " + e.what());
    return fn.graph();
  }
  return g;
}

class SpecializingFunction final : public runtime::CompiledCode {
public:
  SpecializingFunction(const runtime::Function &fn, std::shared_ptr<Graph> base,
                       CodeRunnerFactory factory, std::vector<size_t> tensorInputs)
      : fn_(fn), base_(std::move(base)), factory_(std::move(factory)),
        tensorInputs_(std::move(tensorInputs)) {
    for (const auto &[kind, n] : fusionStrategy().steps)
      (kind == "STATIC" ? staticLeft_ : dynamicLeft_) += n;
  }

  runtime::Stack run(runtime::Stack inputs) const override {
    const Entry *e = entryFor(inputs);
    if (!e)
      return generic().run(std::move(inputs));
    lastGraph = e->graph;
    return e->runner->run(std::move(inputs));
  }

  std::shared_ptr<Graph> graphFor(const runtime::Stack &inputs) const {
    const Entry *e = entryFor(inputs);
    return e ? e->graph : fn_.graph();
  }

private:
  struct Entry {
    bool exact;
    std::vector<int64_t> key;
    std::shared_ptr<Graph> graph;
    std::unique_ptr<runtime::CompiledCode> runner;
  };

  /// Empty when an input is not a defined, strided tensor (a sparse one has
  /// no strides): the generic version runs.
  std::vector<int64_t> keyOf(const runtime::Stack &in, bool exact) const {
    std::vector<int64_t> key{exact};
    for (size_t i : tensorInputs_) {
      if (i >= in.size() || !in[i].isTensor() || !in[i].toTensor().defined() ||
          in[i].toTensor().layout() != at::kStrided)
        return {};
      const at::Tensor &t = in[i].toTensor();
      key.insert(key.end(), {int64_t(t.scalar_type()), int64_t(t.device().type()),
                             int64_t(t.device().index()), int64_t(t.requires_grad()), t.dim()});
      if (exact) {
        key.insert(key.end(), t.sizes().begin(), t.sizes().end());
        key.insert(key.end(), t.strides().begin(), t.strides().end());
      }
    }
    return key;
  }

  const Entry *find(const std::vector<int64_t> &key) const {
    for (const auto &e : entries_)
      if (e->key == key)
        return e.get();
    return nullptr;
  }

  const Entry *entryFor(const runtime::Stack &inputs) const {
    std::vector<int64_t> exact = keyOf(inputs, true);
    if (exact.empty())
      return nullptr;
    std::vector<int64_t> ranked;
    {
      std::shared_lock<std::shared_mutex> lock(mutex_);
      if (const Entry *e = find(exact))
        return e;
      ranked = keyOf(inputs, false); // only when no STATIC entry matched
      if (const Entry *e = find(ranked))
        return e;
    }
    std::unique_lock<std::shared_mutex> lock(mutex_);
    if (const Entry *e = find(exact))
      return e;
    if (const Entry *e = find(ranked))
      return e;
    bool isStatic = staticLeft_ > 0;
    if (!isStatic && dynamicLeft_ <= 0)
      return nullptr;
    (isStatic ? staticLeft_ : dynamicLeft_)--;
    auto entry = std::make_unique<Entry>();
    entry->exact = isStatic;
    entry->key = isStatic ? exact : ranked;
    try {
      entry->graph = specialize(inputs, isStatic);
    } catch (const std::exception &e) {
      // A pass that cannot proceed on this graph: the call still runs, on
      // the generic version, and the log says why.
      logLine("jit", "cannot specialise " + fn_.name() + ": " + e.what() + "; running it unspecialised");
      entry->graph = fn_.graph();
    }
    entry->runner = factory_(entry->graph, fn_.unit(), fn_.name());
    entries_.push_back(std::move(entry));
    return entries_.back().get();
  }

  std::shared_ptr<Graph> specialize(const runtime::Stack &inputs, bool exact) const {
    auto g = base_->copy();
    // What a trace recorded of the example's tensors (sizes, dtypes) holds
    // for the example only: the passes see what this call's inputs decide.
    eraseRecordedTypes(*g->block());
    for (size_t i : tensorInputs_) {
      const at::Tensor &t = inputs[i].toTensor();
      TensorInfo info;
      info.dtype = t.scalar_type();
      info.device = t.device();
      std::vector<std::optional<int64_t>> sizes(t.dim()), strides(t.dim());
      if (exact)
        for (int64_t d = 0; d < t.dim(); ++d) {
          sizes[d] = t.size(d);
          strides[d] = t.stride(d);
        }
      info.sizes = sizes;
      if (exact)
        info.strides = strides;
      g->inputs()[i]->setType(Type::tensor(info));
    }
    CompilationUnit unit;
    unit.add(g);
    runPasses(unit, pipelineNamed("specialize"), PassManagerOptions{});
    if (logEnabled("jit")) {
      std::ostringstream os;
      printGraph(os, *g);
      logLine("jit", "specialised " + fn_.name() + (exact ? " (static)" : " (dynamic)") +
                         ":\n" + os.str());
    }
    return g;
  }

  const runtime::CompiledCode &generic() const {
    std::call_once(genericOnce_, [&] { generic_ = factory_(fn_.graph(), fn_.unit(), fn_.name()); });
    return *generic_;
  }

  const runtime::Function &fn_;
  std::shared_ptr<Graph> base_; // the graph with its callees inlined
  CodeRunnerFactory factory_;
  std::vector<size_t> tensorInputs_;
  mutable std::shared_mutex mutex_;
  mutable std::vector<std::unique_ptr<Entry>> entries_;
  mutable int staticLeft_ = 0, dynamicLeft_ = 0;
  mutable std::once_flag genericOnce_;
  mutable std::unique_ptr<runtime::CompiledCode> generic_;
};

} // namespace

void setFusionStrategy(FusionStrategy strategy) {
  for (const auto &[kind, n] : strategy.steps)
    if ((kind != "STATIC" && kind != "DYNAMIC") || n < 0)
      throw std::invalid_argument("fusion strategy steps are (\"STATIC\" or \"DYNAMIC\", count >= 0), got (\"" +
                                  kind + "\", " + std::to_string(n) + ")");
  std::lock_guard<std::mutex> lock(strategyMutex);
  currentStrategy() = std::move(strategy);
}

FusionStrategy fusionStrategy() {
  std::lock_guard<std::mutex> lock(strategyMutex);
  return currentStrategy();
}

std::unique_ptr<runtime::CompiledCode> makeSpecializing(const runtime::Function &fn,
                                                        CodeRunnerFactory factory) {
  std::vector<size_t> tensors;
  const auto &inputs = fn.graph()->inputs();
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i]->type()->kind() == TypeKind::Tensor)
      tensors.push_back(i);
  if (tensors.empty())
    return nullptr;
  std::shared_ptr<Graph> base = withCalleesInlined(fn);
  if (mayHideTensorChanges(*base->block()))
    return nullptr;
  return std::make_unique<SpecializingFunction>(fn, std::move(base), std::move(factory),
                                                std::move(tensors));
}

std::shared_ptr<Graph> graphFor(const runtime::Function &fn, const runtime::Stack &inputs) {
  if (auto *s = dynamic_cast<const SpecializingFunction *>(fn.compiled()))
    return s->graphFor(inputs);
  return fn.graph();
}

std::shared_ptr<Graph> lastExecutedOptimizedGraph() { return lastGraph; }

} // namespace ember
