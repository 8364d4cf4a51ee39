//===- codegen/NativeFunction.h - a script function as native code --------===//
#pragma once

#include "codegen/OrcJit.h"
#include "runtime/ScriptUnit.h"

#include <memory>

namespace ember::codegen {

/// Compiles `fn` (its interpreter Code, built if needed) to native code.
/// Throws LoweringError for what the lowering does not handle and
/// std::runtime_error when LLVM fails.
std::unique_ptr<runtime::CompiledCode> compileFunction(const runtime::Function &fn,
                                                       const CompileOptions &options);
/// See Lowering.h: whether compiling `fn` pays for itself.
bool worthCompiling(const runtime::Function &fn);

} // namespace ember::codegen
