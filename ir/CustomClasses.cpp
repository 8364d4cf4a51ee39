//===- ir/CustomClasses.cpp - the installed custom class lookup -----------===//
#include "ir/CustomClasses.h"

namespace ember {

static CustomClassLookup &lookupSlot() {
  static CustomClassLookup lookup;
  return lookup;
}

void setCustomClassLookup(CustomClassLookup lookup) {
  lookupSlot() = std::move(lookup);
}

static CustomMethodLookup &methodSlot() {
  static CustomMethodLookup lookup;
  return lookup;
}

void setCustomMethodLookup(CustomMethodLookup lookup) {
  methodSlot() = std::move(lookup);
}

std::shared_ptr<const FunctionSchema> customClassMethod(const std::string &qualifiedName,
                                                        const std::string &method) {
  return methodSlot() ? methodSlot()(qualifiedName, method) : nullptr;
}

TypePtr customClassType(const std::string &dottedName) {
  std::string qualified =
      dottedName.rfind("torch.classes.", 0) == 0 ? "__torch__." + dottedName : dottedName;
  if (!isCustomClassName(qualified) || !lookupSlot() || !lookupSlot()(qualified))
    return nullptr;
  return Type::classType(qualified, /*isModule=*/false);
}

} // namespace ember
