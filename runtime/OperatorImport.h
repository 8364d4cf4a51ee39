//===- runtime/OperatorImport.h - ATen schemas into ember's registry ------===//
#pragma once

#include <cstddef>

namespace ember {

/// Imports every operator schema registered with the c10 dispatcher into
/// OperatorRegistry::global(). Idempotent and thread-safe; returns the number
/// of ATen schemas imported by the first call.
size_t registerATenOperators();

/// Everything a tool needs before it reads IR: ATen schemas imported and the
/// constant evaluator installed for constant propagation.
void initializeRuntime();

} // namespace ember
