//===- frontend/EmitFork.cpp - fork and its closures ----------------------===//
//
// `torch.jit.fork(fn, *args)` runs `fn(*args)` asynchronously and gives a
// Future; `torch.jit.wait(fut)` is aten::wait. As in TorchScript, the work
// becomes the subgraph of a prim::fork node whose inputs are the values it
// captures:
//
//   %fut : Future[Tensor] = prim::fork_0(%x, %k)
//   with prim::fork_0 = graph(%x : Tensor, %k : int):
//     %r : Tensor = prim::CallFunction(%foo, %x, %k)
//
// Printed code writes it as a nested `def __forked_function():` closing
// over the variables it reads, then `fork(__forked_function)`; reading that
// back compiles the nested body with its free variables as inputs.
//
//===----------------------------------------------------------------------===//
#include "frontend/EmitterImpl.h"

namespace ember::frontend {

/// Unused constants (the emitter's exit flags) would stay in the subgraph:
/// the pass pipelines run on functions, not on the graphs nodes carry.
static void dropUnusedConstants(Block *b) {
  for (Node *n : b->nodes()) {
    for (Block *inner : n->blocks())
      dropUnusedConstants(inner);
    if (n->kind() == prim::Constant() && !n->hasUses())
      n->destroy();
  }
}

static Value *insertFork(FunctionEmitter &em, std::shared_ptr<Graph> sub,
                         const std::vector<Value *> &captured, const SourceSpan &span) {
  dropUnusedConstants(sub->block());
  TypePtr ret = sub->outputs().empty() ? Type::get(TypeKind::None) : sub->outputs()[0]->type();
  Node *fork = em.insert(Symbol::prim("fork"), captured, 1, span);
  fork->g_(attr::Subgraph(), std::move(sub));
  fork->output()->setType(Type::future(ret));
  return fork->output();
}

Value *FunctionEmitter::emitFork(const Expr &call) {
  if (call.operands.size() < 2)
    error(call.span, "fork needs a function to run: fork(fn, *args)");
  Sugared callee = emitExpr(*call.operands[1]);
  if (callee.closure) {
    if (call.operands.size() > 2 || !call.keywords.empty())
      error(call.span, "fork of a nested function takes no arguments");
    return emitForkClosure(*callee.closure, call.span);
  }
  std::vector<NamedValue> args;
  for (size_t i = 2; i < call.operands.size(); ++i)
    args.push_back({emitValue(*call.operands[i]), "", call.operands[i]->span});
  for (const auto &k : call.keywords)
    args.push_back({emitValue(*k.value), k.name, k.span});
  // `fork(self.sub, x)` runs the submodule's forward, `fork(self.m, x)`
  // the method: the receiver is captured as the first input.
  Value *receiver = nullptr;
  std::string method;
  if (callee.kind == Sugared::Kind::Method && callee.value) {
    receiver = callee.value;
    method = callee.name;
  } else if (callee.isValue() && (callee.value->type()->kind() == TypeKind::Class ||
                                  callee.value->type()->kind() == TypeKind::Interface)) {
    receiver = callee.value;
    method = "forward";
  }
  if (receiver)
    args.insert(args.begin(), {receiver, "", call.operands[1]->span});
  // The subgraph takes the arguments as inputs and makes the call.
  auto sub = std::make_shared<Graph>();
  FunctionEmitter child(compiler_, def_, sub, nullptr);
  std::vector<NamedValue> inner;
  for (const auto &a : args) {
    Value *in = sub->addInput();
    in->setType(a.value->type());
    inner.push_back({in, a.keyword, a.span});
  }
  sub->setInsertPoint(sub->block());
  Value *result;
  if (receiver)
    result = child.emitMethodCall(inner[0].value, method,
                                  std::vector<NamedValue>(inner.begin() + 1, inner.end()), call.span);
  else if (callee.kind == Sugared::Kind::Function)
    result = child.emitScriptCall(callee.name, inner, call.span);
  else if (callee.kind == Sugared::Kind::Operator)
    result = child.emitOperator(callee.name, inner, call.span);
  else if (callee.isValue()) // torch.jit's words
    error(call.span, "cannot call a value of type '" + callee.value->type()->annotationStr() +
                         "': fork needs a script function, an operator, a module or a method");
  else
    error(call.operands[1]->span, "fork needs a script function, an operator, a module or a "
                                  "method to run");
  sub->registerOutput(result);
  std::vector<Value *> captured;
  for (const auto &a : args)
    captured.push_back(a.value);
  return insertFork(*this, sub, captured, call.span);
}

Value *FunctionEmitter::emitForkClosure(const Stmt &def, const SourceSpan &span) {
  auto sub = std::make_shared<Graph>();
  FunctionEmitter child(compiler_, def, sub, nullptr);
  child.parent_ = this;
  child.emitClosureBody();
  return insertFork(*this, sub, child.captures_, span);
}

void FunctionEmitter::emitClosureBody() {
  graph_->setInsertPoint(graph_->block());
  pushFrame(Frame::Kind::Function, graph_->block());
  setFlag("$skip", false, def_.span);
  setFlag("$ret", false, def_.span);
  emitStatements(def_.body);
  graph_->registerOutput(functionResult());
}

} // namespace ember::frontend
