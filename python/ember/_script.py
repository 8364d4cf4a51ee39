"""ember.script for functions and classes: sources from Python, globals by a
resolver (_resolver.py)."""
import builtins
import inspect
import os

import torch

from . import _C
from . import _module
from ._compiled import ScriptFunction
from ._resolver import _Resolver, _source_of
from ._script_module import ScriptModule


def _jit_enabled():
    for var in ("EMBER_JIT", "PYTORCH_JIT"):
        value = os.environ.get(var)
        if value is None:
            continue
        if value.lower() in ("0", "false", "no", "0v"):
            return False
        if value.lower() not in ("1", "true", "yes", "1v"):
            raise ValueError("%s must be 0 or 1, got %r" % (var, value))
    return True


def _compile_class(cls):
    """Compiles every method of a script class now, so that its errors
    surface where it is decorated; as torch.jit.script, the class itself is
    returned, and its Python instances convert to script objects when passed
    to compiled code."""
    resolver = _Resolver()
    key = resolver.class_key(cls)
    program = _C.Program(resolver)
    source = resolver.source(key)
    if source is None:
        _source_of(cls)  # raises why there is none
        raise TypeError("ember.script cannot compile the class %r" % cls.__name__)
    text, filename, _ = source
    program.add_source(text, filename, key)
    for name, member in vars(cls).items():
        fn = getattr(member, "__func__", member)
        if inspect.isfunction(fn):
            program.function(key + "." + name)


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    """Compiles `obj` (a function) as torch.jit.script does."""
    if not _jit_enabled():
        return obj
    if builtins.isinstance(obj, ScriptFunction):
        return obj
    if builtins.isinstance(obj, ScriptModule):
        return obj
    if builtins.isinstance(obj, torch.nn.Module):
        return _module.script_module(obj, _Resolver())
    if inspect.isclass(obj):
        _compile_class(obj)
        return obj
    if not inspect.isfunction(obj):
        raise TypeError("ember.script expects a function, got %r" % type(obj).__name__)
    resolver = _Resolver()
    resolver.add_scope(obj)
    resolver.claim(obj)
    program = _C.Program(resolver)
    text, filename = _source_of(obj)
    program.add_source(text, filename)
    return ScriptFunction(program.function(obj.__name__), obj)
