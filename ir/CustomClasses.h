//===- ir/CustomClasses.h - C++ classes registered with torch -------------===//
//
// torchbind classes (`torch.classes.quantized.LinearPackedParamsBase`):
// objects of C++ classes that operators take and return, which TorchScript
// names `__torch__.torch.classes.<namespace>.<name>`. The registry is
// torch's, reached by the runtime; the IR only asks through this hook.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Schema.h"
#include "ir/Type.h"

#include <functional>
#include <string>

namespace ember {

/// Whether `qualifiedName` (`__torch__.torch.classes.ns.Name`) is a
/// registered custom class: installed by the runtime.
using CustomClassLookup = std::function<bool(const std::string &qualifiedName)>;
void setCustomClassLookup(CustomClassLookup lookup);

/// The class type of a custom class named as archive code prints it
/// (`__torch__.torch.classes.ns.Name`) or as Python writes it
/// (`torch.classes.ns.Name`); null for any other name or one not registered.
TypePtr customClassType(const std::string &dottedName);

/// The schema of method `method` of custom class `qualifiedName` (self
/// first), or null: installed by the runtime.
using CustomMethodLookup = std::function<std::shared_ptr<const FunctionSchema>(
    const std::string &qualifiedName, const std::string &method)>;
void setCustomMethodLookup(CustomMethodLookup lookup);
std::shared_ptr<const FunctionSchema> customClassMethod(const std::string &qualifiedName,
                                                        const std::string &method);

/// Whether `qualifiedName` lies in the `__torch__.torch.classes.` namespace.
inline bool isCustomClassName(const std::string &qualifiedName) {
  return qualifiedName.rfind("__torch__.torch.classes.", 0) == 0;
}

} // namespace ember
