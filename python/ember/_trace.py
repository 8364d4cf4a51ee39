"""ember.trace: run a function once on example inputs while every ATen
operator it calls is recorded at the c10 dispatcher (engine/Tracer.cpp), and
return the recorded graph as a ScriptFunction (reference §8).

Recorded here: functions whose inputs and outputs are tensors, or tuples
and lists of tensors. check_trace compares the trace's outputs
with the function's on each check input. Not yet: modules (GetAttr and
CallMethod per submodule), re-tracing and diffing graphs in check_trace,
most tracer warnings, sizes kept dynamic (`x.size(0)` is a constant).
"""
import inspect
import warnings

import torch

from . import _C
from ._script import ScriptFunction, _jit_enabled, _Resolver


class TracerWarning(Warning):
    """Something the trace cannot represent faithfully (a Python value
    computed from a tensor, a tensor baked in as a constant)."""


def _name_of(func):
    return getattr(func, "__name__", None) or type(func).__name__


def trace(func, example_inputs, check_trace=True, check_inputs=None, check_tolerance=1e-5,
          strict=True):
    """Traces `func` on `example_inputs` (a tensor or a tuple of them), as
    torch.jit.trace does for functions."""
    if not _jit_enabled():
        return func
    if isinstance(func, torch.nn.Module):
        raise NotImplementedError("ember.trace of nn.Module instances is not implemented yet; "
                                  "script the module with ember.script instead")
    if not isinstance(example_inputs, tuple):
        example_inputs = (example_inputs,)
    try:
        names = list(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        names = []
    recorder = _C.Tracer(_name_of(func))
    for i, value in enumerate(example_inputs):
        recorder.add_input(value, names[i] if i < len(names) else "input%d" % i)
    recorder.start()
    try:
        result = func(*example_inputs)
    finally:
        recorder.stop()
    for text in recorder.warnings:
        warnings.warn(text, TracerWarning, stacklevel=2)
    program = _C.Program(_Resolver())
    traced = ScriptFunction(recorder.finish(program, result), func)
    if check_trace:
        for inputs in (check_inputs or [example_inputs]):
            if not isinstance(inputs, tuple):
                inputs = (inputs,)
            _check_outputs(func, traced, inputs, check_tolerance)
    return traced


class TracingCheckError(Exception):
    """The trace does not reproduce the traced function's outputs."""


def _check_outputs(func, traced, inputs, tolerance):
    expected = func(*inputs)
    actual = traced(*inputs)
    flat_e, flat_a = _flatten(expected), _flatten(actual)
    if len(flat_e) != len(flat_a) or any(
            not torch.allclose(e, a, rtol=tolerance, atol=tolerance)
            for e, a in zip(flat_e, flat_a)):
        raise TracingCheckError("Tracing failed sanity checks!\nERROR: Graphs differed across "
                                "invocations: the traced function's outputs differ from the "
                                "Python function's on the check inputs")


def _flatten(value):
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _flatten(v)]
    return []
