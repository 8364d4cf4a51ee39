//===- codegen/Lowering.h - runtime Code to native code -------------------===//
//
// The executable form the interpreter runs (runtime/Code.h) lowered to one
// LLVM function per script function: int, float and bool values live in
// machine registers, If and Loop become branches and loops, the scalar
// operators of codegen/ScalarLowering.cpp become instructions, and every
// other instruction calls back into the interpreter for that one
// instruction (codegen/JitRuntime.h). No LLVM header is needed to use this.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "codegen/JitRuntime.h"
#include "codegen/OrcJit.h"

#include <memory>
#include <stdexcept>
#include <string>

namespace ember::runtime {
struct Code;
}

namespace ember::codegen {

/// A construct the lowering does not handle; the function is interpreted.
class LoweringError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct NativeCode {
  std::unique_ptr<JitCode> code;
  NativeEntry entry = nullptr;
};

/// Whether native code would beat the interpreter by more than it costs to
/// compile (a few milliseconds): true for code with a loop or with at least
/// `minScalarOps` scalar operators. Code that is all tensor operators runs
/// one ATen call per node either way.
bool worthCompiling(const runtime::Code &code, size_t minScalarOps = 16);

/// Lowers and compiles `code`. Throws LoweringError for what the lowering
/// does not handle and std::runtime_error when LLVM fails.
NativeCode compileCode(const runtime::Code &code, const CompileOptions &options);

/// The LLVM IR of `code`, optimised at `options.optLevel` (0: as lowered).
std::string emitLLVM(const runtime::Code &code, const CompileOptions &options);

} // namespace ember::codegen
