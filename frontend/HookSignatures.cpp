//===- frontend/HookSignatures.cpp - forward hooks checked against forward -===//
//
// A module's forward pre-hooks and hooks are compiled as functions of its
// class and called around `forward`. TorchScript checks their signatures
// against forward's when it adds them (ClassType's checkForwardPreHookSchema
// and checkForwardHookSchema); so does ember, in its words:
//   1. a pre-hook takes (self, input) and a hook (self, input, output);
//   2. `input` is a Tuple of forward's parameter types;
//   3. a pre-hook has a return annotation: None, that tuple, or forward's
//      single parameter's type (a single tuple parameter must come back
//      wrapped in a tuple, as eager PyTorch needs it);
//   4. a hook's `output` has forward's return type, or the type the hook
//      before it returned (a hook returning None passes the output on).
//
//===----------------------------------------------------------------------===//
#include "frontend/EmitterImpl.h"

namespace ember::frontend {
namespace {

/// `def <hook>(self, input: Tuple[str]) -> ...`: how a message shows the
/// signature a hook needs.
std::string expectedSignature(const std::string &hook, const TypePtr &input,
                              const std::string &rest) {
  return "def " + hook + "(self, input: " + input->annotationStr() + rest;
}

} // namespace

void CompilerImpl::checkHookInput(const std::string &who, const Stmt &def,
                                  const FunctionSchema &hook, size_t arity, const TypePtr &input) {
  if (hook.arguments.size() != arity)
    throw CompileError(def.span, who + " was expected to only have exactly " +
                                     std::to_string(arity) + " inputs but it had " +
                                     std::to_string(hook.arguments.size()) + " inputs.");
  const TypePtr &got = hook.arguments[1].type;
  const SourceSpan &at = def.params[1].span;
  if (got->kind() != TypeKind::Tuple)
    throw CompileError(at, who + " expected the input argument to be typed as a Tuple but found "
                                 "type: '" + got->annotationStr() + "' instead.");
  if (got->contained().size() != input->contained().size())
    throw CompileError(at, who + " has the wrong number of contained types for the input "
                                 "argument's Tuple. Received type: '" + got->annotationStr() +
                                 "'.");
  if (!got->equals(*input))
    throw CompileError(at, who + " has the wrong inner types for the input tuple argument. "
                                 "Received type: '" + got->annotationStr() + "'.");
}

void CompilerImpl::checkPreHook(ClassInfo &c, const std::string &name, const TypePtr &input,
                                const std::string &module) {
  const Stmt &def = *c.methods.at(name);
  FunctionSignature sig = signatureOf(def, /*isMethod=*/true, typeResolver());
  std::string who = "Pre-hook '" + name + "' on module '" + module + "'";
  const auto &params = input->contained();
  std::string single = params.size() == 1 ? "', '" + params[0]->annotationStr() : "";
  std::string hint = "Pre-hooks for module '" + module + "' are expected to have the signature " +
                     expectedSignature(name, input, ") -> ") + "and return either 'None'" +
                     single + "' or '" + input->annotationStr() + "'.";
  try {
    checkHookInput(who, def, sig.schema, 2, input);
  } catch (CompileError &e) {
    throw e.addDetail(hint);
  }
  if (sig.returnInferred)
    throw CompileError(def.span, who + " is missing a return annotation. Return annotations "
                                       "are required, please add one.")
        .addDetail(hint);
  const TypePtr &ret = sig.schema.returns[0].type;
  if (ret->kind() == TypeKind::None || ret->equals(*input))
    return;
  bool singleTuple = params.size() == 1 && params[0]->kind() == TypeKind::Tuple;
  if (params.size() == 1 && !singleTuple && ret->equals(*params[0]))
    return;
  std::string message = who + " returned the wrong type of: '" + ret->annotationStr() + "'.";
  if (singleTuple)
    message += " When forward has a single tuple input argument, the return needs to be 'None' "
               "or a nested tuple containing forward's input tuple argument as in: '" +
               input->annotationStr() + "'.";
  throw CompileError(def.span, message).addDetail(hint);
}

TypePtr CompilerImpl::checkHook(ClassInfo &c, const std::string &name, const TypePtr &input,
                                const TypePtr &output, const std::string &module) {
  const Stmt &def = *c.methods.at(name);
  FunctionSignature sig = signatureOf(def, /*isMethod=*/true, typeResolver());
  std::string who = "Hook '" + name + "' on module '" + module + "'";
  std::string hint = "Hooks for module '" + module + "' are expected to have the signature " +
                     expectedSignature(name, input, ", output: " + output->annotationStr() + ")") +
                     ".";
  try {
    checkHookInput(who, def, sig.schema, 3, input);
  } catch (CompileError &e) {
    throw e.addDetail(hint);
  }
  const TypePtr &got = sig.schema.arguments[2].type;
  if (!got->equals(*output))
    throw CompileError(def.params[2].span,
                       who + " has the wrong type for the output argument. Received type: '" +
                           got->annotationStr() + "'. Expected type: '" +
                           output->annotationStr() + "'.")
        .addDetail(hint);
  // What it returns (inferred if not annotated) is what the next one gets.
  const TypePtr &ret = methodSchema(c, name, def.span).returns[0].type;
  return ret->kind() == TypeKind::None ? output : ret;
}

void CompilerImpl::checkHooks(ClassInfo &c) {
  if (c.forwardPreHooks.empty() && c.forwardHooks.empty())
    return;
  const FunctionSchema &forward = methodSchema(c, "forward", c.def->span);
  std::vector<TypePtr> params;
  for (size_t i = 1; i < forward.arguments.size(); ++i)
    params.push_back(forward.arguments[i].type);
  TypePtr input = Type::tuple(params);
  std::string module = c.def->name.substr(c.def->name.rfind('.') + 1);
  for (const std::string &hook : c.forwardPreHooks)
    checkPreHook(c, hook, input, module);
  TypePtr output = forward.returns[0].type;
  for (const std::string &hook : c.forwardHooks)
    output = checkHook(c, hook, input, output, module);
}

void Compiler::checkHooks(const std::string &className) {
  if (ClassInfo *c = impl_->findClass(className))
    impl_->checkHooks(*c);
}

} // namespace ember::frontend
