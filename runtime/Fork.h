//===- runtime/Fork.h - fork/wait on ATen's inter-op thread pool ----------===//
#pragma once

#include <ATen/core/ivalue.h>

#include <functional>

namespace ember::runtime {

/// Starts `body` on ATen's inter-op thread pool with the caller's
/// thread-local state (grad mode, ...); returns the Future it completes.
c10::intrusive_ptr<c10::ivalue::Future> launchFork(c10::TypePtr type,
                                                   std::function<c10::IValue()> body);

/// Waits for `future` and returns its value, rethrowing its error. A fork
/// that no pool thread has started yet runs on the waiting thread, so waits
/// inside forks never starve the pool.
c10::IValue waitFuture(const c10::intrusive_ptr<c10::ivalue::Future> &future);

} // namespace ember::runtime
