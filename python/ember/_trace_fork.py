"""torch.jit.fork and wait while a trace records: the forked function's
operators go into the subgraph of a prim::fork node, and wait becomes
aten::wait, as torch.jit's tracer records them (engine/TraceFork.cpp).

While a trace records, `torch.jit.fork`/`_fork` and `wait`/`_wait` (and
ember's own) are replaced by functions that record in the thread that
traces and call the originals in any other thread."""
import threading

import torch

from . import _api

_thread = threading.local()  # .recorder: the recorder of this thread's trace
_NAMES = ("fork", "_fork", "wait", "_wait")
_originals = {}
_lock = threading.Lock()
_depth = [0]


class TracedFuture(_api.Future):
    """A fork's result while tracing: its value (the forked code ran
    already) and the number of its prim::fork in the trace."""

    def __init__(self, value, recorder, index):
        super().__init__(value)
        self._recorder = recorder
        self._index = index

    def wait(self):
        if getattr(_thread, "recorder", None) is self._recorder:
            self._recorder.record_wait(self._index, self._value)
        return self._value


def fork(fn, *args, **kwargs):
    recorder = getattr(_thread, "recorder", None)
    if recorder is None:
        return _originals["fork"](fn, *args, **kwargs)
    recorder.enter_fork(list(args) + list(kwargs.values()))
    result = fn(*args, **kwargs)
    return TracedFuture(result, recorder, recorder.exit_fork(result))


def wait(future):
    if isinstance(future, _api.Future):
        return future.wait()
    return _originals["wait"](future)


def installed(recorder):
    """A context manager: fork and wait are recorded into `recorder` in
    this thread while it is open."""
    return _Installed(recorder)


class _Installed:
    def __init__(self, recorder):
        self.recorder = recorder

    def __enter__(self):
        with _lock:
            _depth[0] += 1
            if _depth[0] == 1:
                for name in _NAMES:
                    _originals[name] = getattr(torch.jit, name)
                    setattr(torch.jit, name, fork if "fork" in name else wait)
        self.previous = getattr(_thread, "recorder", None)
        _thread.recorder = self.recorder

    def __exit__(self, *exc):
        _thread.recorder = self.previous
        with _lock:
            _depth[0] -= 1
            if _depth[0] == 0:
                for name in _NAMES:
                    setattr(torch.jit, name, _originals[name])
        return False


def current_recorder():
    return getattr(_thread, "recorder", None)
