"""torch.jit's tracing entry points while an ember trace records.

- fork and wait: the forked function's operators go into the subgraph of a
  prim::fork node, and wait becomes aten::wait, as torch.jit's tracer
  records them (engine/TraceFork.cpp).
- `torch.jit.is_tracing()` is True, so code that asks (torchvision's) takes
  the path it takes under torch.jit.trace, and functions decorated with
  `torch.jit.script_if_tracing` are compiled by ember.script and keep their
  control flow (the decorator's wrapper calls `is_tracing` and `script` of
  torch.jit._trace).

While a trace records, these attributes are replaced by functions that act
so in the thread that traces and call the originals in any other thread."""
import threading
import weakref

import torch
import torch.jit._trace

from . import _api

_thread = threading.local()  # .recorder: the recorder of this thread's trace
_originals = {}
_compiled = weakref.WeakKeyDictionary()  # script_if_tracing functions, by ember.script
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
        return _originals[(torch.jit, "fork")](fn, *args, **kwargs)
    recorder.enter_fork(list(args) + list(kwargs.values()))
    result = fn(*args, **kwargs)
    return TracedFuture(result, recorder, recorder.exit_fork(result))


def wait(future):
    if isinstance(future, _api.Future):
        return future.wait()
    return _originals[(torch.jit, "wait")](future)


def is_tracing():
    return getattr(_thread, "recorder", None) is not None


def script(obj, *args, **kwargs):
    if not is_tracing():
        return _originals[(torch.jit._trace, "script")](obj, *args, **kwargs)
    from ._script import script as ember_script
    if obj not in _compiled:
        _compiled[obj] = ember_script(obj, *args, **kwargs)
    return _compiled[obj]


# (module, attribute, replacement while recording)
_PATCHES = [(torch.jit, "fork", fork), (torch.jit, "_fork", fork), (torch.jit, "wait", wait),
            (torch.jit, "_wait", wait), (torch.jit, "is_tracing", is_tracing),
            (torch.jit._trace, "is_tracing", is_tracing), (torch.jit._trace, "script", script)]


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
                for module, name, replacement in _PATCHES:
                    _originals[(module, name)] = getattr(module, name)
                    setattr(module, name, replacement)
        self.previous = getattr(_thread, "recorder", None)
        _thread.recorder = self.recorder

    def __exit__(self, *exc):
        _thread.recorder = self.previous
        with _lock:
            _depth[0] -= 1
            if _depth[0] == 0:
                for module, name, _ in _PATCHES:
                    setattr(module, name, _originals[(module, name)])
        return False


def current_recorder():
    return getattr(_thread, "recorder", None)
