"""ember.script for functions and classes: sources from Python, globals by a
resolver (_resolver.py)."""
import builtins
import enum
import inspect
import os

import torch

from . import _C
from . import _api
from . import _module
from . import _pdt
from . import _script_containers
from ._compiled import ScriptFunction
from ._python_source import _indented, _method_source, source_margin
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
    return program, key


def _is_class_instance(obj):
    """An instance of a user's Python class (what torch.jit.script turns
    into a script object of the class)."""
    cls = type(obj)
    return (not inspect.isfunction(obj) and not inspect.ismethod(obj) and hasattr(obj, "__dict__")
            and cls.__module__ not in ("builtins", "functools") and inspect.isclass(cls)
            and not callable(getattr(obj, "__wrapped__", None)))


def _script_object(obj):
    """A Python object as a script object of its class, as torch.jit.script
    makes one of an instance: the class compiled, its attributes copied;
    compiled code and Python then share the object."""
    program, key = _compile_class(type(obj))
    return program.object_of(key, obj, "")


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    """Compiles `obj` as torch.jit.script does: a function, a class, an
    nn.Module, an instance of a script class, or a dict or list (a
    ScriptDict or ScriptList shared with compiled code). A function's
    unannotated parameters take their types from `example_inputs`, a list
    of argument tuples (torch.jit's profile-directed typing)."""
    if not _jit_enabled():
        return obj
    if builtins.isinstance(obj, ScriptFunction):
        return obj
    if builtins.isinstance(obj, ScriptModule):
        return obj
    obj = _module.prepare_scriptable(obj)
    if builtins.isinstance(obj, torch.nn.Module):
        return _module.script_module(obj, _Resolver())
    if inspect.isclass(obj):
        if len(obj.mro()) > 2 and not (issubclass(obj, (tuple, enum.Enum)) or _api._is_interface(obj)):
            raise RuntimeError("TorchScript classes does not support inheritance yet. Please "
                               "directly inherit from object (%s derives from %s)"
                               % (obj.__name__, obj.__bases__[0].__name__))
        _compile_class(obj)
        return obj
    if _is_class_instance(obj):
        return _script_object(obj)
    if builtins.isinstance(obj, (dict, list)):
        return _script_containers.script_container(obj)
    if not inspect.isfunction(obj):
        raise TypeError("ember.script expects a function, got %r" % type(obj).__name__)
    resolver = _Resolver()
    resolver.add_scope(obj)
    resolver.claim(obj)
    program = _C.Program(resolver)
    # An @unused function compiles as torch.jit compiles it: its parameters
    # Any, its body a raise (torchaudio's edit_distance).
    if _module._modifier(obj) == "unused":
        text, filename = _method_source(obj, "unused", False)
    else:
        text, filename = _source_of(obj)
        if example_inputs:
            text = _pdt.annotate(text, obj, example_inputs)
        text = _indented(text, source_margin(obj))
    program.add_source(text, filename)
    return ScriptFunction(program.function(obj.__name__), obj)
