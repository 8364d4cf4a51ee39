//===- engine/TraceModules.cpp - submodule calls in a module's trace ------===//
//
// A traced module keeps its hierarchy (reference §8.3): each submodule's
// forward is recorded into a graph of its own and called with
// prim::CallMethod, and attributes are read with prim::GetAttr. The shape
// of the result follows what TorchScript's tracer makes of its scope
// blocks once they are lifted into methods:
//  1. one GetAttr chain per attribute path and graph, built at the top of
//     the graph when the path is first used, so the last used comes first
//     (ConvertTracedAttrReferences inserts each chain at the top as it
//     meets it);
//  2. a value takes the name of the Python local holding it where it is
//     first used, even inside a submodule: the name goes to the value in
//     the caller's graph, or, for a value a submodule returned, to the
//     value in the submodule's graph that it was;
//  3. a submodule's inputs are the tensors its trace used, in the order it
//     first used them (unused arguments are dropped), named as the
//     caller's values, or not at all (the schema then says `argument_<i>`);
//  4. when the caller's graph is done, each call returns only the tensors
//     the caller used afterwards, in the order of that first use; a call's
//     result is typed without the example's sizes, as a method's result is.
//
//===----------------------------------------------------------------------===//
#include "engine/Tracer.h"

#include "passes/Passes.h"

#include <algorithm>

namespace ember {

Value *TraceRecorder::readAttribute(Frame &f, const std::vector<std::string> &path,
                                    const TypePtr &type) {
  std::string key;
  for (const std::string &atom : path)
    key += "." + atom;
  auto known = f.attributeReads.find(key);
  if (known != f.attributeReads.end())
    return known->second;
  // The chain goes to the top of the graph, before the chains made earlier,
  // as ConvertTracedAttrReferences inserts each chain it meets.
  Graph &g = *f.graph;
  Node *insertPoint = g.insertPoint();
  g.setInsertPoint(g.block()->front());
  Value *v = f.self;
  for (size_t i = 0; i < path.size(); ++i) {
    Node *get = g.insert(Symbol::prim("GetAttr"), {v}, 1);
    get->s_(attr::name(), path[i]);
    const TypePtr &owner = v->type();
    TypePtr t = i + 1 == path.size() ? type : nullptr;
    if (!t) {
      // An intermediate module: its class is the attribute's declared type.
      t = attributeType_ ? attributeType_(owner, path[i]) : nullptr;
    }
    get->output()->setType(t ? t : Type::tensor());
    // As Graph::createGetAttr names it: `_0` for a container's `0`.
    bool number = std::all_of(path[i].begin(), path[i].end(), ::isdigit);
    get->output()->setDebugName(number ? "_" + path[i] : path[i]);
    v = get->output();
  }
  g.setInsertPoint(insertPoint);
  f.attributeReads[key] = v;
  return v;
}

void TraceRecorder::nameRecorded(Value *v, const std::string &name) {
  // The values a submodule's input stands for, out to the caller's own:
  // in TorchScript's trace they are one value, with one name.
  std::vector<Value *> chain{v};
  for (size_t k = frames_.size() - 1; k > 0; --k) {
    Value *last = chain.back();
    if (last->hasDebugName() || liftedFrom_.count(last))
      break;
    const auto &inputs = frames_[k].graph->inputs();
    auto it = std::find(inputs.begin(), inputs.end(), last);
    if (it == inputs.end() || it == inputs.begin()) // not an input (or self)
      break;
    size_t i = static_cast<size_t>(it - inputs.begin()) - 1;
    if (i >= frames_[k].inputsInCaller.size())
      break;
    chain.push_back(frames_[k].inputsInCaller[i]);
  }
  Value *root = chain.back();
  std::string taken = name;
  if (root->hasDebugName()) {
    taken = root->debugName();
  } else if (liftedFrom_.count(root)) {
    // A submodule's result: the name goes to the value it was there.
    Value *inner = root;
    while (liftedFrom_.count(inner))
      inner = liftedFrom_.at(inner);
    if (!inner->hasDebugName())
      inner->setDebugName(name);
    return; // the inputs standing for it stay unnamed (argument_<i>)
  }
  for (Value *c : chain)
    if (!c->hasDebugName())
      c->setDebugName(taken);
}

void TraceRecorder::setSelf(const TypePtr &classType, const AttributePaths &attributes) {
  Frame &f = cur();
  f.self = f.graph->addInput("self");
  f.self->setType(classType);
  for (const auto &[t, path] : attributes)
    f.attributes[t.unsafeGetTensorImpl()] = path;
}

void TraceRecorder::enterModule(const std::vector<std::string> &path, const TypePtr &classType,
                                const std::vector<c10::IValue> &inputs,
                                const AttributePaths &attributes) {
  Value *module = readAttribute(cur(), path, classType);
  std::vector<Value *> callerInputs;
  for (const auto &in : inputs)
    callerInputs.push_back(valueFor(in));
  std::string modulePath = cur().modulePath;
  for (const auto &part : path)
    modulePath += (modulePath.empty() ? "" : ".") + part;
  std::string scope = (cur().scope.empty() ? "" : cur().scope + "/") + "__module." + modulePath;
  frames_.emplace_back();
  frames_.back().graph = std::make_shared<Graph>();
  frames_.back().modulePath = std::move(modulePath);
  frames_.back().scope = std::move(scope);
  Frame &f = cur();
  f.moduleInCaller = module;
  f.inputsInCaller = callerInputs;
  setSelf(classType, attributes);
  for (const auto &in : inputs)
    addInput(in, "");
}

void TraceRecorder::recordMethodCall(const std::vector<std::string> &path,
                                     const TypePtr &classType,
                                     const std::vector<c10::IValue> &inputs,
                                     const c10::IValue &output, const TypePtr &returnType) {
  Node *before = cur().graph->block()->returnNode()->prev();
  std::vector<Value *> args{readAttribute(cur(), path, classType)};
  for (const auto &in : inputs)
    args.push_back(valueFor(in));
  Node *call = cur().graph->insert(Symbol::prim("CallMethod"), args, 1);
  call->s_(attr::name(), "forward");
  call->output()->setType(returnType);
  unpack(output, call->output(), /*isInput=*/false);
  locate(before);
}

/// Pairs what the caller has of a submodule's result (the call's output,
/// or the values a TupleUnpack takes out of it) with the values in the
/// submodule's graph that they are.
void TraceRecorder::noteLifted(Value *outer, Value *inner) {
  Node *construct = inner->node();
  const auto &uses = outer->uses();
  if (uses.size() == 1 && uses[0].user->kind() == Symbol::prim("TupleUnpack") &&
      construct->kind() == Symbol::prim("TupleConstruct") &&
      construct->inputs().size() == uses[0].user->outputs().size()) {
    Node *unpack = uses[0].user;
    for (size_t i = 0; i < construct->inputs().size(); ++i)
      noteLifted(unpack->output(i), construct->input(i));
    return;
  }
  liftedFrom_[outer] = inner;
}

void TraceRecorder::exitModule(const c10::IValue &output, const std::string &className,
                               const std::string &method) {
  if (frames_.size() < 2)
    throw std::logic_error("exitModule without enterModule");
  cur().graph->registerOutput(valueFor(output));
  Frame done = std::move(frames_.back());
  frames_.pop_back();
  pruneCallResults(done);
  PassContext ctx{nullptr, nullptr};
  findPass("dce")->create()->run(*done.graph, ctx);
  scopeRecordedOps(*done.graph->block(), done.scope);
  takeInputsInFirstUseOrder(done);
  for (size_t i = 0; i < done.inputsInCaller.size(); ++i) {
    const Value *outer = done.inputsInCaller[i];
    done.graph->inputs()[i + 1]->setDebugName(outer->hasDebugName() ? outer->debugName() : "");
  }
  std::vector<Value *> args{done.moduleInCaller};
  args.insert(args.end(), done.inputsInCaller.begin(), done.inputsInCaller.end());
  Node *call = cur().graph->insert(Symbol::prim("CallMethod"), args, 1);
  call->s_(attr::name(), method);
  Value *result = done.graph->outputs()[0];
  call->output()->setType(result->type()->unrefined());
  unpack(output, call->output(), /*isInput=*/false);
  noteLifted(call->output(), result);
  cur().calls.push_back({call, done.graph.get()});
  methods_.push_back({className, method, done.graph});
}

void TraceRecorder::scopeRecordedOps(Block &b, const std::string &scope) {
  static const Symbol getAttr = Symbol::prim("GetAttr"), callMethod = Symbol::prim("CallMethod"),
                      tupleUnpack = Symbol::prim("TupleUnpack"),
                      tupleConstruct = Symbol::prim("TupleConstruct");
  auto returnedOnly = [&](const Node *n) { // the tuple of the outputs, made at the call's end
    for (const auto &use : n->output()->uses())
      if (use.user != b.returnNode())
        return false;
    return n->output()->hasUses();
  };
  for (Node *n : b.nodes()) {
    for (Block *inner : n->blocks())
      scopeRecordedOps(*inner, scope);
    bool structure = n->kind() == getAttr || n->kind() == callMethod ||
                     (n->kind() == tupleUnpack && n->input(0)->node()->kind() == callMethod) ||
                     (n->kind() == tupleConstruct && returnedOnly(n));
    if (!structure && n->scope().empty())
      n->setScope(scope);
  }
}

void TraceRecorder::takeInputsInFirstUseOrder(Frame &f) {
  // TorchScript lifts the values a submodule's trace uses as its method's
  // inputs in the order the trace first used them (a dead use counts);
  // values nothing uses in the end are not inputs.
  Block &b = *f.graph->block();
  size_t n = f.inputsInCaller.size();
  if (b.inputs().size() != n + 1)
    return;
  std::vector<Value *> old(b.inputs().begin() + 1, b.inputs().end());
  std::vector<size_t> order;
  for (const Value *v : f.referenced) {
    auto it = std::find(old.begin(), old.end(), v);
    if (it != old.end() && v->hasUses())
      order.push_back(static_cast<size_t>(it - old.begin()));
  }
  for (size_t k = 0; k < n; ++k)
    if (old[k]->hasUses() && std::find(order.begin(), order.end(), k) == order.end())
      order.push_back(k);
  bool same = order.size() == n;
  for (size_t k = 0; same && k < n; ++k)
    same = order[k] == k;
  if (same)
    return;
  std::vector<Value *> callerInputs;
  for (size_t k : order) {
    Value *taken = b.addInput();
    taken->setType(old[k]->type());
    old[k]->replaceAllUsesWith(taken);
    callerInputs.push_back(f.inputsInCaller[k]);
  }
  for (size_t i = n; i >= 1; --i)
    b.eraseInput(i);
  f.inputsInCaller = std::move(callerInputs);
}

bool TraceRecorder::hasTracedMethod(const std::string &className, const std::string &method) const {
  for (const TracedMethod &m : methods_)
    if (m.className == className && m.method == method)
      return true;
  return false;
}

/// Where `n` sits in `g`'s top-level order (a node in a nested block sits
/// where its top-level ancestor does; the return node last).
static size_t positionIn(const Graph &g, const std::unordered_map<const Node *, size_t> &order,
                         const Node *n) {
  while (n->owningBlock() != g.block() && n->owningBlock()->owningNode())
    n = n->owningBlock()->owningNode();
  auto it = order.find(n);
  return it == order.end() ? order.size() : it->second;
}

void TraceRecorder::pruneCallResults(Frame &f) {
  // TorchScript lifts a submodule's trace into a method that returns the
  // values its caller uses afterwards, in the order of that first use; a
  // result the caller takes apart is pruned and reordered so.
  Graph &g = *f.graph;
  std::unordered_map<const Node *, size_t> order;
  for (Node *n : g.nodes())
    order.emplace(n, order.size());
  for (auto &[call, callee] : f.calls) {
    Value *out = call->output();
    Node *construct = callee->outputs()[0]->node();
    if (out->uses().size() != 1 || out->uses()[0].user->kind() != Symbol::prim("TupleUnpack") ||
        construct->kind() != Symbol::prim("TupleConstruct"))
      continue;
    Node *unpack = out->uses()[0].user;
    std::vector<CallUse> used;
    for (size_t i = 0; i < unpack->outputs().size(); ++i) {
      const auto &uses = unpack->output(i)->uses();
      if (uses.empty())
        continue;
      std::pair<size_t, size_t> first{SIZE_MAX, SIZE_MAX};
      for (const Use &u : uses)
        first = std::min(first, {positionIn(g, order, u.user), u.offset});
      used.push_back({first, i});
    }
    std::sort(used.begin(), used.end());
    bool same = used.size() == unpack->outputs().size();
    for (size_t k = 0; same && k < used.size(); ++k)
      same = used[k].second == k;
    if (used.empty() || same)
      continue;
    replaceCallResult(call, unpack, construct, *callee, used);
    PassContext ctx{nullptr, nullptr};
    findPass("dce")->create()->run(*callee, ctx); // what only the dropped results needed
  }
}

void TraceRecorder::replaceCallResult(Node *call, Node *unpack, Node *construct, Graph &callee,
                                      const std::vector<CallUse> &used) {
  std::vector<Value *> inner, outer;
  std::vector<TypePtr> innerTypes, callTypes;
  for (const auto &u : used) {
    inner.push_back(construct->input(u.second));
    outer.push_back(unpack->output(u.second));
    innerTypes.push_back(inner.back()->type());
    callTypes.push_back(inner.back()->type()->unrefined());
  }
  // The callee returns the used values: the one itself, or a tuple of them.
  Value *result = inner[0];
  if (inner.size() > 1) {
    Node *insertPoint = callee.insertPoint();
    callee.setInsertPoint(callee.block()->returnNode());
    Node *tuple = callee.insert(Symbol::prim("TupleConstruct"), inner, 1);
    callee.setInsertPoint(insertPoint);
    tuple->output()->setType(Type::tuple(innerTypes));
    result = tuple->output();
  }
  callee.block()->returnNode()->replaceInput(0, result);
  if (construct->output()->uses().empty())
    construct->destroy();
  // The caller reads them from the call as they are now.
  if (inner.size() == 1) {
    call->output()->setType(callTypes[0]);
    outer[0]->replaceAllUsesWith(call->output());
  } else {
    call->output()->setType(Type::tuple(callTypes));
    Node *taken = call->owningGraph()->create(Symbol::prim("TupleUnpack"), {call->output()},
                                              outer.size());
    taken->insertAfter(unpack);
    for (size_t k = 0; k < outer.size(); ++k) {
      taken->output(k)->setType(outer[k]->type());
      outer[k]->replaceAllUsesWith(taken->output(k));
    }
  }
  for (Value *v : unpack->outputs())
    liftedFrom_.erase(v); // their memory may hold other values later
  unpack->destroy();
}

} // namespace ember
