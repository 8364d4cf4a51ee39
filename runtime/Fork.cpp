//===- runtime/Fork.cpp - fork/wait on ATen's inter-op thread pool --------===//
//
// Each fork is a task claimed exactly once: by a pool thread, or by the
// first thread that waits for it before any pool thread got to it. A waiter
// therefore only blocks on work that is already running, and nested forks
// cannot deadlock a small pool.
//
//===----------------------------------------------------------------------===//
#include "runtime/Fork.h"

#include "runtime/ScriptError.h"

#include <ATen/Parallel.h>
#include <ATen/ThreadLocalState.h>

#include <atomic>
#include <mutex>
#include <unordered_map>

namespace ember::runtime {
namespace {

struct ForkTask {
  std::function<c10::IValue()> body;
  c10::intrusive_ptr<c10::ivalue::Future> future;
  at::ThreadLocalState state;
  std::atomic<bool> claimed{false};
};

std::mutex pendingMutex;
std::unordered_map<const c10::ivalue::Future *, std::shared_ptr<ForkTask>> pending;

void runTask(const std::shared_ptr<ForkTask> &task) {
  if (task->claimed.exchange(true))
    return;
  {
    std::lock_guard<std::mutex> lock(pendingMutex);
    pending.erase(task->future.get());
  }
  at::ThreadLocalStateGuard guard(task->state);
  try {
    c10::IValue v = task->body();
    task->future->markCompleted(std::move(v));
  } catch (...) {
    task->future->setError(std::current_exception());
  }
}

} // namespace

c10::intrusive_ptr<c10::ivalue::Future> launchFork(c10::TypePtr type,
                                                   std::function<c10::IValue()> body) {
  auto task = std::make_shared<ForkTask>();
  task->body = std::move(body);
  task->future = c10::make_intrusive<c10::ivalue::Future>(std::move(type));
  {
    std::lock_guard<std::mutex> lock(pendingMutex);
    pending[task->future.get()] = task;
  }
  at::launch([task] { runTask(task); });
  return task->future;
}

c10::IValue waitFuture(const c10::intrusive_ptr<c10::ivalue::Future> &future) {
  std::shared_ptr<ForkTask> task;
  {
    std::lock_guard<std::mutex> lock(pendingMutex);
    auto it = pending.find(future.get());
    if (it != pending.end())
      task = it->second;
  }
  if (task)
    runTask(task);
  future->wait();
  if (future->hasError()) {
    try {
      std::rethrow_exception(future->exception_ptr());
    } catch (const ScriptError &e) {
      throw ScriptError(e); // a copy: the caller adds its own frames
    }
  }
  return future->value();
}

} // namespace ember::runtime
