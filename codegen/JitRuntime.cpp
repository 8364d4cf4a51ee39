//===- codegen/JitRuntime.cpp - the helpers native code calls -------------===//
#include "codegen/JitRuntime.h"

#include "runtime/Code.h"
#include "runtime/UnboxedOps.h"

#include <c10/util/SmallVector.h>

namespace {
using ember::runtime::Frame;
using ember::runtime::Instr;

bool boxed(const Frame &f, uint32_t reg) {
  return ember::codegen::nativeKindOf(*f.code->values[reg]->type()) ==
         ember::codegen::NativeKind::None;
}
} // namespace

extern "C" {

int32_t ember_jit_instr(Frame *f, const Instr *I) {
  f->current = I;
  try {
    ember::runtime::runInstruction(*f->code, *I, *f);
    return 0;
  } catch (...) {
    f->pending = std::current_exception();
    return 1;
  }
}

int32_t ember_jit_unboxed(Frame *f, const Instr *I, const void *kernel) {
  f->current = I;
  try {
    auto call = reinterpret_cast<ember::runtime::UnboxedKernel>(const_cast<void *>(kernel));
    f->regs[I->out[0]] = call(f->regs.data(), I->in.data());
  } catch (...) {
    f->pending = std::current_exception();
    return 1;
  }
  for (uint32_t r : I->drop)
    f->regs[r] = c10::IValue();
  return 0;
}

// Registers of a native kind hold that kind, except a prim::Uninitialized
// value (None), which no executed path reads as a number.
int64_t ember_jit_get_int(Frame *f, uint32_t reg) {
  const c10::IValue &v = f->regs[reg];
  return v.isInt() ? v.toInt() : v.isBool() ? int64_t(v.toBool()) : 0;
}

double ember_jit_get_float(Frame *f, uint32_t reg) {
  const c10::IValue &v = f->regs[reg];
  return v.isDouble() ? v.toDouble() : v.isInt() ? double(v.toInt()) : 0.0;
}

int32_t ember_jit_get_bool(Frame *f, uint32_t reg) {
  const c10::IValue &v = f->regs[reg];
  return v.isBool() ? v.toBool() : v.isInt() ? v.toInt() != 0 : 0;
}

void ember_jit_set_int(Frame *f, uint32_t reg, int64_t value) { f->regs[reg] = value; }
void ember_jit_set_float(Frame *f, uint32_t reg, double value) { f->regs[reg] = value; }
void ember_jit_set_bool(Frame *f, uint32_t reg, int32_t value) { f->regs[reg] = value != 0; }
void ember_jit_copy(Frame *f, uint32_t dst, uint32_t src) { f->regs[dst] = f->regs[src]; }

void ember_jit_drop(Frame *f, const Instr *I) {
  for (uint32_t r : I->drop)
    f->regs[r] = c10::IValue();
}

void ember_jit_loop_carry(Frame *f, const Instr *I, int32_t which) {
  const auto &body = I->blocks[0];
  size_t carried = I->in.size() - 2;
  if (which == 1) {
    // Through temporaries: a result may be another parameter of the body.
    c10::SmallVector<c10::IValue, 8> next(carried);
    for (size_t k = 0; k < carried; ++k)
      if (boxed(*f, body.params[k + 1]))
        next[k] = f->regs[body.results[k + 1]];
    for (size_t k = 0; k < carried; ++k)
      if (boxed(*f, body.params[k + 1]))
        f->regs[body.params[k + 1]] = std::move(next[k]);
    return;
  }
  for (size_t k = 0; k < carried; ++k) {
    uint32_t param = body.params[k + 1];
    if (which == 0 && boxed(*f, param))
      f->regs[param] = f->regs[I->in[k + 2]];
    else if (which == 2 && boxed(*f, I->out[k]) && boxed(*f, param))
      f->regs[I->out[k]] = f->regs[param];
  }
}

} // extern "C"

namespace ember::codegen {

const std::vector<RuntimeSymbol> &runtimeSymbols() {
  static const std::vector<RuntimeSymbol> symbols = [] {
    std::vector<RuntimeSymbol> all = {
#define SYMBOL(fn) {#fn, reinterpret_cast<void *>(&fn)}
        SYMBOL(ember_jit_instr),     SYMBOL(ember_jit_unboxed),   SYMBOL(ember_jit_get_int),
        SYMBOL(ember_jit_get_float), SYMBOL(ember_jit_get_bool),  SYMBOL(ember_jit_set_int),
        SYMBOL(ember_jit_set_float), SYMBOL(ember_jit_set_bool),  SYMBOL(ember_jit_copy),
        SYMBOL(ember_jit_loop_carry), SYMBOL(ember_jit_drop),
#undef SYMBOL
    };
    for (const ember::runtime::UnboxedOp &op : ember::runtime::unboxedOps())
      all.push_back({op.symbol, reinterpret_cast<void *>(op.kernel)});
    return all;
  }();
  return symbols;
}

} // namespace ember::codegen
