//===- runtime/CustomObjects.h - objects of torchbind classes -------------===//
//
// Objects of C++ classes registered with torch (`torch.classes.quantized.
// LinearPackedParamsBase`): made empty, filled by the class's own
// __setstate__ and read back by its __getstate__, as archives and the
// Python boundary move them.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <ATen/core/class_type.h>
#include <ATen/core/ivalue.h>

#include <stdexcept>
#include <string>

namespace ember::runtime {

/// The class `qualifiedName` names. Throws std::invalid_argument if no
/// library registered it.
c10::ClassTypePtr customClass(const std::string &qualifiedName);

/// An object of custom class `qualifiedName` whose __setstate__ has not run
/// yet. Throws std::invalid_argument if no library registered the class.
c10::IValue newCustomObject(const std::string &qualifiedName);

/// Runs `object.__setstate__(state)`. Throws std::invalid_argument naming
/// the class when the state is not of the type the method takes (checked
/// before any C++ code sees it) or the class refuses it.
void setCustomObjectState(const c10::IValue &object, const c10::IValue &state);

/// `object.__getstate__()`; throws std::invalid_argument if the class has none.
c10::IValue customObjectState(const c10::IValue &object);

} // namespace ember::runtime
