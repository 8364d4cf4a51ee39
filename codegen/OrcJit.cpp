//===- codegen/OrcJit.cpp - one ORC LLJIT for the process -----------------===//
//
// 1. On first use: initialise the native target, detect the host CPU and its
//    features (or take EMBER_JIT_CPU), build an LLJIT that also resolves symbols of the process
//    (libm and libc functions that LLVM's optimiser introduces).
// 2. Per module: run LLVM's default pipeline for the requested level with
//    the host's TargetMachine (so the vectorisers see AVX2/AVX-512), then add
//    it under a new ResourceTracker and look up its entry.
// Compiles are serialised by one mutex: they happen on first calls only, and
// the TargetMachine used for optimisation is not shared between threads.
//
//===----------------------------------------------------------------------===//
#include "codegen/OrcJit.h"

#include "codegen/JitRuntime.h"
#include "ir/Log.h"

#include <llvm/ExecutionEngine/Orc/Core.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/Target/TargetMachine.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

namespace ember::codegen {

struct OrcJit::State {
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::unique_ptr<llvm::TargetMachine> machine;
  std::mutex mutex;
  std::atomic<uint64_t> counter{0};
  std::string vectorMathIsas;
};

struct JitCode::Tracker {
  llvm::orc::ResourceTrackerSP tracker;
};

namespace {
[[noreturn]] void fail(const std::string &what, llvm::Error error) {
  throw std::runtime_error(what + ": " + llvm::toString(std::move(error)));
}

template <typename T> T take(const std::string &what, llvm::Expected<T> value) {
  if (!value)
    fail(what, value.takeError());
  return std::move(*value);
}
/// glibc's vector math library, for the vector variants fused kernels
/// declare (codegen/CpuKernel.cpp). Without it kernels call libm per element.
void loadVectorMath(OrcJit::State &state, llvm::orc::LLJIT &jit) {
  if (!jit.getTargetTriple().isX86() || !jit.getTargetTriple().isOSLinux())
    return;
  auto mvec = llvm::orc::DynamicLibrarySearchGenerator::Load("libmvec.so.1",
                                                             jit.getDataLayout().getGlobalPrefix());
  if (!mvec) {
    logLine("jit", "libmvec.so.1 not loaded (" + llvm::toString(mvec.takeError()) +
                       "): fused kernels call libm per element");
    return;
  }
  jit.getMainJITDylib().addGenerator(std::move(*mvec));
  // The ISAs of the CPU code is generated for (the host, or EMBER_JIT_CPU).
  const llvm::MCSubtargetInfo *cpu = state.machine->getMCSubtargetInfo();
  state.vectorMathIsas = "b";
  if (cpu->checkFeatures("+avx2,+fma"))
    state.vectorMathIsas += "d";
  if (cpu->checkFeatures("+avx512f"))
    state.vectorMathIsas += "e";
}
} // namespace

OrcJit::OrcJit() : state_(std::make_unique<State>()) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  auto host = take("cannot detect the host CPU", llvm::orc::JITTargetMachineBuilder::detectHost());
  // EMBER_JIT_CPU=haswell (say) generates code for that CPU instead of the
  // host's: for tools that emulate fewer features (valgrind has no AVX-512).
  if (const char *cpu = std::getenv("EMBER_JIT_CPU"); cpu && *cpu) {
    host.setCPU(cpu);
    host.getFeatures() = llvm::SubtargetFeatures();
  }
  state_->machine = take("cannot make a target machine", host.createTargetMachine());
  state_->jit = take("cannot start LLJIT", llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(host).create());
  auto &jit = *state_->jit;
  auto process = take("cannot open the process's symbols",
                      llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
                          jit.getDataLayout().getGlobalPrefix()));
  jit.getMainJITDylib().addGenerator(std::move(process));
  loadVectorMath(*state_, jit);
  // The runtime helpers are linked into whichever library embeds ember (a
  // Python extension loaded RTLD_LOCAL, say): define them by address.
  llvm::orc::SymbolMap helpers;
  for (const RuntimeSymbol &s : runtimeSymbols())
    helpers[jit.mangleAndIntern(s.name)] = {llvm::orc::ExecutorAddr::fromPtr(s.address),
                                            llvm::JITSymbolFlags::Exported |
                                                llvm::JITSymbolFlags::Callable};
  if (auto err = jit.getMainJITDylib().define(llvm::orc::absoluteSymbols(std::move(helpers))))
    fail("cannot define the runtime helpers", std::move(err));
}

OrcJit &OrcJit::instance() {
  // Never destroyed: native code of functions alive at exit stays valid.
  static OrcJit *jit = new OrcJit();
  return *jit;
}

void OrcJit::configure(llvm::Module &module) const {
  module.setTargetTriple(state_->jit->getTargetTriple().str());
  module.setDataLayout(state_->jit->getDataLayout());
}

const std::string &OrcJit::vectorMathIsas() const { return state_->vectorMathIsas; }

std::string OrcJit::uniqueName(const std::string &name) {
  return "ember." + name + "." + std::to_string(state_->counter++);
}

void OrcJit::optimize(llvm::Module &module, const CompileOptions &options) {
  if (llvm::verifyModule(module, &llvm::errs()))
    throw std::runtime_error("the lowered LLVM module does not verify");
  if (options.optLevel == 0)
    return;
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(state_->machine.get());
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = options.optLevel == 1   ? llvm::OptimizationLevel::O1
                                  : options.optLevel == 2 ? llvm::OptimizationLevel::O2
                                                          : llvm::OptimizationLevel::O3;
  pb.buildPerModuleDefaultPipeline(level).run(module, mam);
}

std::unique_ptr<JitCode> OrcJit::add(std::unique_ptr<llvm::LLVMContext> context,
                                     std::unique_ptr<llvm::Module> module,
                                     const std::string &entry, const CompileOptions &options) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  optimize(*module, options);
  auto &jit = *state_->jit;
  std::unique_ptr<JitCode> code(new JitCode());
  code->tracker_ = std::make_unique<JitCode::Tracker>();
  code->tracker_->tracker = jit.getMainJITDylib().createResourceTracker();
  if (auto err = jit.addIRModule(code->tracker_->tracker,
                                 llvm::orc::ThreadSafeModule(std::move(module), std::move(context))))
    fail("cannot add the module to the JIT", std::move(err));
  auto address = take("cannot compile " + entry, jit.lookup(entry));
  code->entry_ = address.toPtr<void *>();
  return code;
}

JitCode::~JitCode() {
  if (tracker_ && tracker_->tracker)
    llvm::consumeError(tracker_->tracker->remove());
}

} // namespace ember::codegen
