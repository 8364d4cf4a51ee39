//===- frontend/EmitClasses.cpp - attributes of objects, `with` -----------===//
//
// Script classes and modules (attributes by name, methods, `self.x = v`)
// and `with` blocks over objects with __enter__/__exit__ build on class
// types, which the emitter does not compile yet: each form reports so at
// the use instead of failing later.
//
//===----------------------------------------------------------------------===//
#include "frontend/EmitterImpl.h"

namespace ember::frontend {

Sugared FunctionEmitter::classAttribute(Value *object, const std::string &attr,
                                        const SourceSpan &span) {
  error(span, "attribute '" + attr + "' of '" + object->type()->annotationStr() +
                  "': script classes are not supported by the emitter yet");
}

bool FunctionEmitter::hasAttribute(const Sugared &base, const std::string &attr) {
  if (base.kind == Sugared::Kind::Namespace)
    return true;
  error(SourceSpan{}, "hasattr on '" + attr + "': script classes are not supported yet");
}

void FunctionEmitter::emitAttributeAssign(const Expr &target, Value *v, const SourceSpan &span) {
  (void)v;
  error(span, "cannot assign to attribute '" + target.text +
                  "': script classes are not supported by the emitter yet");
}

void FunctionEmitter::emitWith(const Stmt &s) {
  error(s.span, "'with' statements are not supported by the emitter yet");
}

} // namespace ember::frontend
