//===- runtime/CustomObjects.cpp - objects of torchbind classes -----------===//
#include "runtime/CustomObjects.h"

#include <ATen/core/class_type.h>
#include <ATen/core/function.h>
#include <torch/custom_class.h>

namespace ember::runtime {

c10::ClassTypePtr customClass(const std::string &qualifiedName) {
  c10::ClassTypePtr cls = torch::getCustomClass(qualifiedName);
  if (!cls)
    throw std::invalid_argument("'" + qualifiedName +
                                "' is a C++ custom class that is not registered (load the "
                                "library that defines it first)");
  return cls;
}

c10::IValue newCustomObject(const std::string &qualifiedName) {
  // The C++ object lives in the one slot its __setstate__ fills.
  return c10::ivalue::Object::create(c10::StrongTypePtr(nullptr, customClass(qualifiedName)), 1);
}

void setCustomObjectState(const c10::IValue &object, const c10::IValue &state) {
  const c10::ClassTypePtr &cls = object.toObjectRef().type();
  std::string name = cls->name()->qualifiedName();
  torch::jit::Function *setState = cls->findMethod("__setstate__");
  if (!setState || setState->getSchema().arguments().size() != 2)
    throw std::invalid_argument("the custom class '" + name + "' has no __setstate__");
  const c10::TypePtr &expected = setState->getSchema().arguments()[1].type();
  if (!state.type()->isSubtypeOf(*expected))
    throw std::invalid_argument("the state of a '" + name + "' must be a " +
                                expected->annotation_str() + ", not a " +
                                state.type()->annotation_str());
  torch::jit::Stack stack{object, state};
  try {
    setState->run(stack);
  } catch (const std::exception &e) {
    std::string msg = e.what();
    throw std::invalid_argument("the state of a '" + name +
                                "' is refused: " + msg.substr(0, msg.find('\n')));
  }
}

c10::IValue customObjectState(const c10::IValue &object) {
  const c10::ClassTypePtr &cls = object.toObjectRef().type();
  torch::jit::Function *getState = cls->findMethod("__getstate__");
  if (!getState)
    throw std::invalid_argument("the custom class '" + cls->name()->qualifiedName() +
                                "' has no __getstate__");
  torch::jit::Stack stack{object};
  getState->run(stack);
  return stack.at(0);
}

} // namespace ember::runtime
