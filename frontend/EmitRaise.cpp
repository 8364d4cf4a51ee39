//===- frontend/EmitRaise.cpp - raise, assert and torch._check ------------===//
//
// The statements and builtins that raise, as TorchScript emits them:
//   raise ValueError(msg)      -> prim::RaiseException(msg, "builtins.ValueError")
//   raise AssertionError(msg), assert c, msg, torch._assert(c, msg)
//                              -> prim::RaiseException("AssertionError: " + msg)
//   torch._check(c, lambda: msg) and its kin
//                              -> if not c: prim::RaiseException(msg, class)
//
//===----------------------------------------------------------------------===//
#include "frontend/EmitterImpl.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "ir/Constants.h"

namespace ember::frontend {

bool isBuiltinException(const std::string &name) {
  static const std::unordered_set<std::string> names = {
      "Exception",         "ValueError",        "RuntimeError",       "TypeError",
      "KeyError",          "IndexError",        "AssertionError",     "NotImplementedError",
      "StopIteration",     "ZeroDivisionError", "AttributeError",     "ArithmeticError",
      "OverflowError",     "LookupError",       "FloatingPointError", "ImportError",
      "NameError",         "UnicodeError",      "OSError",            "ModuleNotFoundError"};
  return names.count(name) > 0;
}

void FunctionEmitter::emitRaise(const Stmt &s) {
  std::string cls = "builtins.Exception";
  Value *message = nullptr;
  if (!s.value)
    error(s.span, "a bare 'raise' has no exception to re-raise in TorchScript (there is no "
                  "'try'); raise an exception such as RuntimeError(\"message\")");
  {
    const Expr *exc = s.value.get();
    const Expr *callee = exc->kind == ExprKind::Call ? exc->operands[0].get() : exc;
    std::string name = dottedName(*callee);
    cls = exceptionClass(*callee);
    if (name == "AssertionError" && exc->kind == ExprKind::Call && exc->operands.size() <= 2)
      return emitAssertionError(exc->operands.size() == 2 ? exc->operands[1].get() : nullptr, s.span);
    if (exc->kind == ExprKind::Call && exc->operands.size() > 1)
      message = exceptionMessage(*exc, s.span);
  }
  if (!message)
    message = constStr("");
  insert(Symbol::prim("RaiseException"), {message, constStr(cls)}, 0, s.span);
}

// The class an exception expression names, as TorchScript records it:
// `builtins.ValueError`, `mymodule.MyError` for a Python exception class.
std::string FunctionEmitter::exceptionClass(const Expr &callee) {
  std::string name = dottedName(callee);
  if (isBuiltinException(name))
    return "builtins." + name;
  if (name.empty())
    error(callee.span, "exceptions must derive from BaseException");
  Sugared s = emitExpr(callee);
  if (s.kind == Sugared::Kind::Builtin && s.name.rfind("$exception:", 0) == 0)
    return s.name.substr(11);
  error(callee.span, "exceptions must derive from BaseException, but '" + name + "' is not an "
                     "exception class");
}

// The message of `Error(args...)`: the argument as a str, or, for several,
// the str of their tuple (`(hello, goodbye)`), as TorchScript formats them.
Value *FunctionEmitter::exceptionMessage(const Expr &call, const SourceSpan &span) {
  std::vector<Value *> args;
  for (size_t i = 1; i < call.operands.size(); ++i)
    args.push_back(emitValue(*call.operands[i]));
  Value *arg = args[0];
  if (args.size() > 1) {
    std::vector<TypePtr> types;
    for (Value *a : args)
      types.push_back(a->type());
    arg = insertValue(Symbol::prim("TupleConstruct"), args, Type::tuple(types), span);
  }
  if (arg->type()->kind() == TypeKind::Str)
    return arg;
  return emitOperator("aten::str", {{arg, "", call.operands[1]->span}}, span);
}

void FunctionEmitter::emitAssert(const Stmt &s) {
  emitAssertion(*s.value, s.annotation.get(), s.span);
}

// As TorchScript: an AssertionError (a failed assert, `raise
// AssertionError(msg)`) reads "AssertionError: <msg>" and carries no class.
void FunctionEmitter::emitAssertionError(const Expr *messageExpr, const SourceSpan &span) {
  Value *message = messageExpr ? emitValue(*messageExpr) : constStr("");
  if (message->type()->kind() != TypeKind::Str)
    message = emitOperator("aten::str", {{message, "", messageExpr->span}}, span);
  raiseAssertionError(message, span);
}

void FunctionEmitter::raiseAssertionError(Value *message, const SourceSpan &span) {
  if (auto text = constantValue(message)) {
    if (!message->hasUses())
      message->node()->destroy();
    message = constStr("AssertionError: " + text->toStringRef());
  } else {
    message = emitOperator("aten::add", {{constStr("AssertionError: "), "", span},
                                         {message, "", span}},
                           span);
  }
  insert(Symbol::prim("RaiseException"), {message, constNone()}, 0, span);
}

void FunctionEmitter::emitAssertion(const Expr &test, const Expr *messageExpr,
                                    const SourceSpan &span) {
  SourceSpan at = span;
  Refinements refinements;
  Value *cond = emitCondition(test, refinements);
  if (refinements.staticValue) {
    // A condition the types decide: as TorchScript's static if, only the
    // branch taken is compiled (nothing, or the raise).
    if (*refinements.staticValue)
      applyRefinements(refinements.whenTrue);
    else
      emitAssertionError(messageExpr, at);
    return;
  }
  emitBranches(
      cond, refinements, [] { return ExitKind::Never; },
      [&] {
        emitAssertionError(messageExpr, at);
        return ExitKind::Raises;
      },
      span);
  applyRefinements(refinements.whenTrue, /*sameType=*/false);
}

// torch._assert(condition, message): a call of TorchScript's builtin
// `def _assert(condition: bool, message: str): assert condition, message`,
// inlined: both arguments are computed first, and nothing is refined.
void FunctionEmitter::emitTorchAssert(const Expr &call) {
  if (call.operands.size() != 3 || !call.keywords.empty())
    error(call.span, "expected torch._assert(condition, message)");
  Value *cond = emitValue(*call.operands[1], Type::get(TypeKind::Bool));
  if (cond->type()->kind() != TypeKind::Bool)
    cond = emitOperator("aten::Bool", {{cond, "", call.operands[1]->span}}, call.span);
  Value *message = emitValue(*call.operands[2], Type::get(TypeKind::Str));
  if (message->type()->kind() != TypeKind::Str)
    error(call.operands[2]->span, "torch._assert's message must be a str, but found '" +
                                      message->type()->annotationStr() + "'");
  emitBranches(
      cond, Refinements{}, [] { return ExitKind::Never; },
      [&] {
        raiseAssertionError(message, call.span);
        return ExitKind::Raises;
      },
      call.span);
}

// torch._check(cond, message=None) and its kin: `if not cond: raise
// Error(message)`. torch._check_with names the class first; the message is a
// string or a parameterless lambda, evaluated only when the check fails.
void FunctionEmitter::emitCheck(const std::string &name, const Expr &call) {
  static const std::unordered_map<std::string, std::string> classes = {
      {"torch._check", "RuntimeError"},       {"torch._check_index", "IndexError"},
      {"torch._check_value", "ValueError"},   {"torch._check_type", "TypeError"},
      {"torch._check_not_implemented", "NotImplementedError"}};
  std::vector<const Expr *> args;
  for (size_t i = 1; i < call.operands.size(); ++i)
    args.push_back(call.operands[i].get());
  std::string cls;
  if (auto c = classes.find(name); c != classes.end()) {
    cls = "builtins." + c->second;
  } else {
    std::string type = args.empty() ? "" : dottedName(*args[0]);
    if (type.empty())
      error(call.span, "expected an exception class first: " + name + "(ValueError, cond, message)");
    cls = isBuiltinException(type) ? "builtins." + type : type;
    args.erase(args.begin());
  }
  args.resize(std::max<size_t>(args.size(), 2), nullptr);
  for (const auto &k : call.keywords) {
    if (k.name != "cond" && k.name != "message")
      error(k.span, "unexpected keyword argument '" + k.name + "' for " + name);
    args[k.name == "cond" ? 0 : 1] = k.value.get();
  }
  if (!args[0] || args.size() > 2)
    error(call.span, "expected " + name + "(cond, message=None)");
  const Expr *messageExpr = args[1];
  Refinements refinements;
  Value *cond = emitCondition(*args[0], refinements);
  emitBranches(
      cond, refinements, [] { return ExitKind::Never; },
      [&] {
        Value *message = nullptr;
        if (!messageExpr || messageExpr->kind == ExprKind::None) {
          message = constStr("Expected cond to be True, but got False. (Could this error message "
                             "be improved? If so, please report an enhancement request to "
                             "PyTorch.)");
        } else {
          const Expr &text = messageExpr->kind == ExprKind::Lambda ? *messageExpr->operands[0]
                                                                   : *messageExpr;
          message = emitValue(text);
          if (message->type()->kind() != TypeKind::Str)
            message = emitOperator("aten::str", {{message, "", text.span}}, call.span);
        }
        insert(Symbol::prim("RaiseException"), {message, constStr(cls)}, 0, call.span);
        return ExitKind::Raises;
      },
      call.span);
  applyRefinements(refinements.whenTrue, /*sameType=*/false);
}

} // namespace ember::frontend
