"""Basic indexing while tracing, recorded as TorchScript's tracer records it.

Python's `x[1:3, 0]` runs below the dispatcher in torch's C++ indexing code,
which skips a slice that covers a whole dimension (`x[0:5]` of 5 rows) and
reads sizes passed as indices (`x[:x.size(0) - 1]`) as plain ints. Under
torch.jit.trace that code knows it is tracing: it records every slice
(`aten::slice(x, dim, start, end, step)`, a missing end being
9223372036854775807), every integer index (`aten::select`) and every None
(`aten::unsqueeze`), with sizes kept as values. ember's tracer is not
torch's tracing state, so it does the same here: indices made only of ints,
slices, None, `...` and 0-dim integer tensors are applied one operator at a
time; anything else (tensor, list or bool indices) is left to Python.
While any trace records, torch.Tensor.__getitem__ is this module's; a thread
that is not tracing gets Python's own indexing.
"""
import contextlib
import operator
import threading

import torch

_END = 9223372036854775807


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_index_tensor(v):
    return (isinstance(v, torch.Tensor) and v.dim() == 0
            and not v.dtype.is_floating_point and not v.dtype.is_complex and v.dtype != torch.bool)


def _plan(x, index):
    """[(op, dim, [int | 0-dim tensor, ...]), ...] applying `index` to `x`,
    or None when the index is not basic (Python then applies it)."""
    items = index if isinstance(index, tuple) else (index,)
    consuming = [it for it in items if it is not None and it is not Ellipsis]
    if (x.dim() == 0 or len(consuming) > x.dim() or sum(it is Ellipsis for it in items) > 1
            or not any(isinstance(it, slice) or _is_int(it) or _is_index_tensor(it) for it in items)):
        return None
    plan, dim = [], 0
    for it in items:
        if it is Ellipsis:
            dim += x.dim() - len(consuming)
        elif it is None:
            plan.append((torch.ops.aten.unsqueeze.default, dim, []))
            dim += 1
        elif isinstance(it, slice):
            parts = [it.start, it.stop, it.step]
            if not all(p is None or _is_int(p) or _is_index_tensor(p) for p in parts):
                return None
            if it.step is not None and operator.index(it.step) <= 0:
                return None  # Python's own error
            start, stop, step = (0 if it.start is None else it.start,
                                 _END if it.stop is None else it.stop,
                                 1 if it.step is None else it.step)
            plan.append((torch.ops.aten.slice.Tensor, dim, [start, stop, step]))
            dim += 1
        elif _is_int(it) or _is_index_tensor(it):
            plan.append((torch.ops.aten.select.int, dim, [it]))
        else:
            return None
    return plan


def traced_getitem(recorder, x, index):
    """`x[index]` with each basic indexing step recorded, or NotImplemented."""
    plan = _plan(x, index)
    if plan is None:
        return NotImplemented
    out = x
    for op, dim, ints in plan:
        # Reading a size tensor's value is not a conversion to warn about.
        recorder.expect_ints(ints)
        try:
            values = [operator.index(v) for v in ints]
        finally:
            recorder.expect_ints([])
        # The recorder reads a size tensor passed as an int as that size.
        recorder.expect_ints([dim] + ints)
        try:
            out = op(out, dim, *values)
        finally:
            recorder.expect_ints([])
    return out


_original_getitem = torch.Tensor.__getitem__  # the C slot of torch._C._TensorBase
_state = threading.local()


def _getitem(self, index):
    recorder = getattr(_state, "recorder", None)
    if recorder is not None:
        out = traced_getitem(recorder, self, index)
        if out is not NotImplemented:
            return out
    return _original_getitem(self, index)


# Iterating over a tensor runs Python's Tensor.__iter__, which skips
# __torch_function__ and warns only under torch's own tracing state: while
# ember traces, this thread's iteration warns as torch.jit's does.
_original_iter = torch.Tensor.__iter__
_ITERATION_WARNING = (
    "Iterating over a tensor might cause the trace to be incorrect. Passing a tensor of different "
    "shape won't change the number of iterations executed (and might lead to errors or silently "
    "give incorrect results).")


def _iter(self):
    recorder = getattr(_state, "recorder", None)
    if recorder is not None and self.dim() != 0:
        recorder.warn(_ITERATION_WARNING)  # given with the trace's other warnings, in order
    return _original_iter(self)


def install():
    torch.Tensor.__getitem__ = _getitem
    torch.Tensor.__iter__ = _iter


def uninstall():
    del torch.Tensor.__getitem__
    torch.Tensor.__iter__ = _original_iter


@contextlib.contextmanager
def indexing_recorded_by(recorder):
    """This thread's indexing goes to `recorder` for the block."""
    previous = getattr(_state, "recorder", None)
    _state.recorder = recorder
    try:
        yield
    finally:
        _state.recorder = previous
