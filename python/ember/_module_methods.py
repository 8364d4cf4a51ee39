"""The methods of a module's class as recursive scripting compiles them
(reference §7.5): which are compiled, which call back into Python
(@ignore) or raise (@unused), properties as getter and setter methods,
overloads, a legacy ScriptModule's script methods and define()d ones, and
the module's forward hooks."""
import builtins
import collections
import inspect
import re

import torch

from . import _legacy_module as _legacy
from . import _overloads
from ._python_source import _method_source

_CONTAINERS = (torch.nn.ModuleList, torch.nn.Sequential, torch.nn.ModuleDict)
# Their methods are Python-only too; compiled code indexes and iterates them.
_PARAMETER_CONTAINERS = (torch.nn.ParameterList, torch.nn.ParameterDict)

# Dunder methods a module class may define for compiled code to use.
_PROPERTY_METHOD = re.compile(r"__\w+_(getter|setter)$")
_MAGIC_METHODS = frozenset(["__len__", "__contains__", "__getitem__", "__setitem__"])


# A method of a module class: its function, how it compiles ("script",
# "python" for @ignore, "unused"), whether it is static, and its source when
# ember made it (an overload: (text, file name)).
_Method = collections.namedtuple("_Method", "fn kind static source")


def _modifier(fn):
    """'export', 'ignore', 'unused' or None, from ember's or torch.jit's
    decorators (torch.jit marks functions with `_torchscript_modifier`)."""
    for flag in ("unused", "ignore", "export"):
        if getattr(fn, "_ember_" + flag, False):
            return flag
    mark = getattr(fn, "_torchscript_modifier", None)
    if builtins.isinstance(mark, str):
        word = mark.split(" ", 1)[0]
        if word in ("unused", "_drop"):
            return "unused"
        if word in ("ignore", "export"):
            return word
    return None


def _add_property(methods, name, prop):
    """A property compiles, as with torch.jit, to `__<name>_getter` (and
    `__<name>_setter`), each compiled with the module."""
    for fn, role, decorator in ((prop.fget, "getter", "@property"),
                                (prop.fset, "setter", "@%s.setter" % name)):
        key = "__%s_%s" % (name, role)
        if fn is None or key in methods or not inspect.isfunction(fn):
            continue
        try:
            source = _method_source(fn, "script", False, decorator)
        except (OSError, TypeError, SyntaxError):
            continue
        methods[key] = _Method(fn, "script", False, source)


def _unique(fns):
    out = []
    for f in fns:
        if f not in out:
            out.append(f)
    return out


def _hooks_of(module):
    """The module's forward pre-hooks and hooks, checked as torch.jit checks
    them: functions defined with def, two different ones never under one
    name. (The compiler checks their signatures against forward.)"""
    pre = list(module._forward_pre_hooks.values())
    post = list(module._forward_hooks.values())
    if getattr(module, "_forward_hooks_with_kwargs", None) or \
            getattr(module, "_forward_pre_hooks_with_kwargs", None):
        raise RuntimeError("forward hooks registered with with_kwargs=True cannot be scripted")
    names = {}
    for kind, fns in (("Pre-hook", pre), ("Hook", post)):
        for fn in fns:
            name = getattr(fn, "__name__", None)
            if not inspect.isfunction(fn) or not name or "<" in name:
                raise RuntimeError("%s %r on module '%s' must be a function defined with def to "
                                   "be scripted" % (kind, fn, type(module).__name__))
            if names.setdefault(name, fn) is not fn:  # torch.jit's words
                raise RuntimeError("%s '%s' on %s has at least two different python definitions. "
                                   "Please use unique names for all hooks."
                                   % (kind, name, type(module).__name__))
    return pre, post


def methods_of(module):
    """The methods of the module's class: name -> _Method, and the
    overloaded ones: name -> the names of its overloads."""
    methods, overloads = {}, {}
    cls = type(module)
    for klass in cls.__mro__:
        # A container's own methods are Python-only (torch.jit compiles
        # Sequential.forward alone); a subclass's methods compile.
        if (klass is torch.nn.Module or klass is object or klass in _CONTAINERS or
                klass in _PARAMETER_CONTAINERS or klass.__module__.startswith("ember.")):
            break
        unused_properties = getattr(cls, "__jit_unused_properties__", ())
        for name, member in vars(klass).items():
            if builtins.isinstance(member, property) and name not in unused_properties:
                _add_property(methods, name, member)
                continue
            if name in methods or name == "__init__":
                continue
            if (name.startswith("__") and name not in _MAGIC_METHODS
                    and not (inspect.isfunction(member) and _modifier(member) == "export")):
                continue  # a Python protocol method, unless exported
            static = builtins.isinstance(member, staticmethod)
            fn = member.__func__ if static else member
            if not inspect.isfunction(fn):
                continue
            variants = _overloads.overload_sources(fn, klass)
            if variants:
                overloads[name] = [n for n, _, _ in variants]
                for n, text, filename in variants:
                    methods[n] = _Method(fn, "script", False, (text, filename))
                continue
            kind = _modifier(fn)
            methods[name] = _Method(fn, "python" if kind == "ignore" else
                                    "unused" if kind == "unused" else "script", static, None)
    # Overloads a class lists by hand (torch's quantized LSTM: `forward`,
    # ignored, is `forward_tensor` or `forward_packed` by argument types).
    for name, names in getattr(module, "__overloads__", {}).items():
        overloads.setdefault(name, list(names))
    if builtins.isinstance(module, torch.nn.Sequential) and "forward" not in methods:
        methods["forward"] = _Method(torch.nn.Sequential.forward, "script", False, None)
    # A legacy ScriptModule's @script_method methods (taken off its class).
    for name, fn in _legacy.script_methods_of(cls).items():
        methods[name] = _Method(fn, "script", False, None)
    # Methods of a ScriptModule's define() calls.
    for text, _ in module.__dict__.get("_ember_defined", ()):
        for name, source in _legacy.defined_methods(text):
            methods[name] = _Method(None, "script", False, (source, "<string>"))
    return methods, overloads
