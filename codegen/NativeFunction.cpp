//===- codegen/NativeFunction.cpp - calling compiled functions ------------===//
//
// A call makes the frame the interpreter would make (constants preloaded,
// arguments in the parameter registers), enters the native code, and either
// collects the results or rethrows the exception the code left in the frame,
// with this function's traceback frame added as the interpreter adds it.
//
//===----------------------------------------------------------------------===//
#include "codegen/NativeFunction.h"

#include "codegen/Lowering.h"
#include "runtime/Code.h"
#include "runtime/ScriptError.h"

namespace ember::codegen {
namespace {

class NativeFunction final : public runtime::CompiledCode {
public:
  NativeFunction(const runtime::Code &code, NativeCode native)
      : code_(code), native_(std::move(native)) {}

  runtime::Stack run(runtime::Stack inputs) const override {
    runtime::Frame f;
    f.code = &code_;
    f.regs = code_.initial;
    const auto &params = code_.body.params;
    if (inputs.size() != params.size())
      throw runtime::PythonError("TypeError", code_.name + "() expected " +
                                                  std::to_string(params.size()) +
                                                  " arguments but got " + std::to_string(inputs.size()));
    for (size_t i = 0; i < params.size(); ++i)
      f.regs[params[i]] = std::move(inputs[i]);
    if (native_.entry(&f) != 0)
      std::rethrow_exception(runtime::scriptErrorFrom(code_, f, f.pending));
    runtime::Stack out;
    out.reserve(code_.body.results.size());
    for (uint32_t r : code_.body.results)
      out.push_back(f.regs[r]);
    return out;
  }

private:
  const runtime::Code &code_;
  NativeCode native_;
};

} // namespace

std::unique_ptr<runtime::CompiledCode> compileNative(const runtime::Code &code,
                                                     const CompileOptions &options) {
  return std::make_unique<NativeFunction>(code, compileCode(code, options));
}

} // namespace ember::codegen
