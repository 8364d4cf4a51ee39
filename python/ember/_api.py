"""torch.jit's helper API, for code written against ember directly.

Inside compiled code these names compile exactly as their torch.jit
counterparts (the resolver maps the `ember` module to `torch.jit`); called
from Python they behave as torch.jit's do in eager mode.
"""
import inspect
import types
from typing import Any, Final, NamedTuple  # noqa: F401  (Final re-exported: ember.Final)

from . import _isinstance


def annotate(the_type, the_value):
    return the_value


def is_scripting():
    return False


def interface(cls):
    """torch.jit.interface: marks a class as an interface, a type whose
    methods (the declared signatures) any implementing class may provide. A
    module attribute annotated with a module interface holds any submodule
    that implements it; calls through it find the method on the object."""
    if not inspect.isclass(cls):
        raise RuntimeError("interface must be applied to a class")
    # Directly from object, or from nn.Module (a module interface).
    from torch import nn
    if len(cls.__mro__) != (3 if issubclass(cls, nn.Module) else 2):
        raise RuntimeError("TorchScript interface does not support inheritance yet. "
                           "Please directly inherit from 'object' or 'nn.Module'.")
    cls.__ember_interface__ = True
    return cls


def _is_interface(cls):
    """True for a class marked by ember.interface or torch.jit.interface
    (itself, not a class deriving from one)."""
    return inspect.isclass(cls) and any(
        vars(cls).get(flag, False) for flag in ("__ember_interface__", "__torch_script_interface__"))


def isinstance(obj, target_type):
    """torch.jit.isinstance: in compiled code, a type test that refines
    `obj` (an Any, Union or Optional value) to `target_type`; in Python, a
    check that looks inside containers (`List[int]`)."""
    return _isinstance.check(obj, target_type)


def _mark(fn, flag):
    setattr(fn, "_ember_" + flag, True)
    return fn


def export(fn):
    return _mark(fn, "export")


def ignore(drop=False, **kwargs):
    if callable(drop):
        return _mark(drop, "ignore")
    return lambda fn: _mark(fn, "unused" if drop else "ignore")


def unused(fn):
    return _mark(fn, "unused")


class Attribute(NamedTuple):
    """`self.x = ember.Attribute(value, type)` in `__init__` gives the
    attribute its TorchScript type (an empty list, say); like
    torch.jit.Attribute, a (value, type) pair in eager code."""
    value: Any
    type: Any


class Future:
    """The result of `ember.fork` called from Python: already computed.
    `Future[T]` annotates a future of T, in Python code too."""

    def __init__(self, value):
        self._value = value

    def __class_getitem__(cls, item):
        return types.GenericAlias(cls, item)

    def wait(self):
        return self._value


def fork(fn, *args, **kwargs):
    from . import _trace_fork
    if _trace_fork.current_recorder() is not None:
        return _trace_fork.fork(fn, *args, **kwargs)  # recorded as prim::fork
    return Future(fn(*args, **kwargs))


def wait(future):
    return future.wait()


def set_fusion_strategy(strategy):
    """How many specialisations a function keeps, as torch.jit's
    `set_fusion_strategy`: a list of ("STATIC", n) and ("DYNAMIC", n) steps
    (default [("STATIC", 2), ("DYNAMIC", 10)]). STATIC ones are specialised on
    exact sizes and strides, DYNAMIC ones on rank; when both are spent, calls
    run the generic version. Returns the previous strategy."""
    from . import _C
    old = [tuple(s) for s in _C._fusion_strategy()]
    _C._set_fusion_strategy([(str(kind), int(n)) for kind, n in strategy])
    return old


def last_executed_optimized_graph():
    """The specialised graph of the last call made on this thread by the jit
    executor (None before any)."""
    from . import _C
    from ._compiled import Graph
    view = _C._last_executed_optimized_graph()
    return None if view is None else Graph(view)
