//===- codegen/OrcJit.h - one ORC LLJIT for the process -------------------===//
//
// Modules are optimised for the host CPU (its vector features included) and
// added to one LLJIT under their own resource tracker, so the native code of
// a function is freed with the function. LLVM types appear here only as
// forward declarations; the headers stay out of ATen translation units.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
} // namespace llvm

namespace ember::codegen {

/// Native code that stays loaded while this object lives.
class JitCode {
public:
  ~JitCode();
  JitCode(const JitCode &) = delete;
  JitCode &operator=(const JitCode &) = delete;
  /// The address of the module's entry function.
  void *entry() const { return entry_; }

private:
  friend class OrcJit;
  JitCode() = default;
  struct Tracker;
  std::unique_ptr<Tracker> tracker_;
  void *entry_ = nullptr;
};

/// How hard LLVM optimises a module: 0 (fast compile) to 3.
struct CompileOptions {
  unsigned optLevel = 2;
};

class OrcJit {
public:
  /// The process's JIT, made on first use. Throws std::runtime_error if the
  /// host target cannot be initialised.
  static OrcJit &instance();

  /// Sets the host triple and data layout of a module before it is built.
  void configure(llvm::Module &module) const;
  /// Optimises `module`, compiles it and returns the code of `entry`.
  /// Throws std::runtime_error with LLVM's message on failure.
  std::unique_ptr<JitCode> add(std::unique_ptr<llvm::LLVMContext> context,
                               std::unique_ptr<llvm::Module> module, const std::string &entry,
                               const CompileOptions &options);
  /// Runs the optimisation pipeline only (for `--emit-llvm`).
  void optimize(llvm::Module &module, const CompileOptions &options);
  /// The x86 vector ABIs of glibc's libmvec that kernels may call: `b`
  /// (SSE), `d` (AVX2), `e` (AVX-512) as the host supports them; empty
  /// when libmvec could not be loaded (math is then called per element).
  const std::string &vectorMathIsas() const;
  /// A fresh symbol name for the entry of a function called `name`.
  std::string uniqueName(const std::string &name);

  struct State;

private:
  OrcJit();
  std::unique_ptr<State> state_;
};

} // namespace ember::codegen
