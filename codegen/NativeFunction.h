//===- codegen/NativeFunction.h - a script function as native code --------===//
#pragma once

#include "codegen/OrcJit.h"
#include "runtime/ScriptUnit.h"

#include <memory>

namespace ember::codegen {

/// Compiles `code` (a function's, or a specialisation's) to native code;
/// `code` must outlive the result. Throws LoweringError for what the
/// lowering does not handle and std::runtime_error when LLVM fails.
std::unique_ptr<runtime::CompiledCode> compileNative(const runtime::Code &code,
                                                     const CompileOptions &options);

} // namespace ember::codegen
