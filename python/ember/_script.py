"""ember.script for functions: sources from Python, globals by a resolver."""
import builtins
import inspect
import os
import textwrap
import types

import torch

from . import _C


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


def _source_of(obj):
    """The source of a function or class, dedented, with decorators blanked
    and leading blank lines so that line numbers are the file's."""
    lines, first = inspect.getsourcelines(obj)
    text = textwrap.dedent("".join(lines))
    out = []
    started = False
    for line in text.splitlines():
        if not started and line.startswith("@"):
            out.append("")
            continue
        started = started or line.startswith(("def ", "class ", "async def "))
        out.append(line)
    filename = inspect.getsourcefile(obj) or "<unknown>"
    return "\n" * (first - 1) + "\n".join(out) + "\n", filename


_CONSTANT_TYPES = (bool, int, float, str, type(None), torch.device, torch.dtype)


def _is_constant(value):
    if builtins.isinstance(value, tuple):
        return all(_is_constant(v) for v in value)
    return builtins.isinstance(value, _CONSTANT_TYPES)


class _Resolver:
    """Answers the compiler's questions about names from the Python scopes of
    the functions it compiles (globals, then closure cells, then builtins)."""

    def __init__(self):
        self._scopes = []

    def add_scope(self, fn):
        scope = dict(getattr(fn, "__globals__", {}))
        closure = getattr(fn, "__closure__", None) or ()
        for name, cell in zip(getattr(fn.__code__, "co_freevars", ()), closure):
            try:
                scope[name] = cell.cell_contents
            except ValueError:
                pass
        self._scopes.insert(0, scope)

    def _lookup(self, name):
        head, *rest = name.split(".")
        for scope in self._scopes:
            if head in scope:
                obj = scope[head]
                break
        else:
            if head == "torch":
                obj = torch
            else:
                return None
        for part in rest:
            if not hasattr(obj, part):
                return None
            obj = getattr(obj, part)
        return obj

    def source(self, name):
        obj = self._lookup(name)
        if builtins.isinstance(obj, ScriptFunction):
            obj = obj._original
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            return None
        if obj.__name__ != name.split(".")[-1] or obj.__module__ == "builtins":
            return None
        try:
            text, filename = _source_of(obj)
        except (OSError, TypeError):
            return None
        if inspect.isfunction(obj):
            self.add_scope(obj)
        else:
            for member in vars(obj).values():
                fn = getattr(member, "__func__", member)
                if inspect.isfunction(fn):
                    self.add_scope(fn)
        return text, filename

    def value(self, name):
        obj = self._lookup(name)
        if obj is None:
            return None
        if builtins.isinstance(obj, types.ModuleType):
            module = obj.__name__
            if module == "ember" or module.startswith("ember."):
                module = "torch.jit"
            return ("module", module)
        if builtins.isinstance(obj, ScriptFunction):
            obj = obj._original
        if inspect.isfunction(obj) or inspect.isclass(obj):
            if obj.__module__ in ("ember", "ember._api"):
                return None
            return ("function", obj.__name__)
        if _is_constant(obj):
            return ("constant", obj)
        return None


class _Text(str):
    """A graph's text; str() and print() show it as torch.jit's Graph does."""


class ScriptFunction:
    """A compiled function: callable like the original, with `.graph`,
    `.code`, `.schema` and `.name` as torch.jit.ScriptFunction has."""

    def __init__(self, compiled, original):
        self._compiled = compiled
        self._original = original
        self.__doc__ = original.__doc__
        self.__name__ = original.__name__
        self.__qualname__ = getattr(original, "__qualname__", original.__name__)
        self.__module__ = original.__module__

    def __call__(self, *args, **kwargs):
        return self._compiled(*args, **kwargs)

    @property
    def name(self):
        return self._compiled.name

    @property
    def graph(self):
        return _Text(self._compiled.graph)

    @property
    def code(self):
        return self._compiled.code

    @property
    def schema(self):
        return _Text(self._compiled.schema)

    def __repr__(self):
        return "<ember.ScriptFunction %s>" % self.name


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    """Compiles `obj` (a function) as torch.jit.script does."""
    if not _jit_enabled():
        return obj
    if builtins.isinstance(obj, ScriptFunction):
        return obj
    if builtins.isinstance(obj, torch.nn.Module):
        raise NotImplementedError("ember.script of nn.Module instances is not implemented yet")
    if inspect.isclass(obj):
        raise NotImplementedError("ember.script of a class on its own is not implemented yet; "
                                  "classes used by a scripted function are compiled with it")
    if not inspect.isfunction(obj):
        raise TypeError("ember.script expects a function, got %r" % type(obj).__name__)
    resolver = _Resolver()
    resolver.add_scope(obj)
    program = _C.Program(resolver)
    text, filename = _source_of(obj)
    program.add_source(text, filename)
    return ScriptFunction(program.function(obj.__name__), obj)
