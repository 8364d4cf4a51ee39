//===- frontend/LibraryClasses.h - torch classes TorchScript compiles -----===//
//
// Classes of torch's own Python library that TorchScript compiles from
// their source, such as `torch.no_grad` (`with torch.no_grad():` creates
// one and enters it). Their source is kept here, as TorchScript prints it
// into archives, so that code compiles the same with or without Python.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "frontend/AST.h"

#include <memory>
#include <optional>
#include <string>

namespace ember::frontend {

/// The qualified name (after `__torch__.`) of the library class a Python
/// path names (`torch.no_grad` -> `torch.autograd.grad_mode.no_grad`).
std::optional<std::string> libraryClassNamed(const std::string &path);

/// The module defining library class `qualifiedName`, its class named so;
/// null if it is not a library class.
std::shared_ptr<Module> libraryClassModule(const std::string &qualifiedName);

} // namespace ember::frontend
