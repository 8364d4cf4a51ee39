"""The Python face of a scripted module: RecursiveScriptModule, an nn.Module
whose parameters, buffers and attributes are the slots of its script object,
so compiled code and Python see the same state; its methods as
ScriptMethods; scripted containers that index and iterate like the
originals. ember/_module.py builds them.
"""
import builtins
import collections.abc
import inspect
import textwrap
import types

import torch

from ._compiled import CompiledView, Graph, Text
from ._errors import CompileError
from . import _legacy_module as _legacy
from ._legacy_module import ScriptMeta, actual as _legacy_actual


class _SlotDict(collections.abc.MutableMapping):
    """A module's parameters or buffers, kept in the script object's slots
    (what nn.Module's `_parameters` / `_buffers` dicts are to Python)."""

    def __init__(self, handle, names):
        self._handle = handle
        self._names = list(names)

    def __getitem__(self, name):
        if name not in self._names:
            raise KeyError(name)
        return getattr(self._handle, name)

    def __setitem__(self, name, value):
        if name not in self._names:
            raise KeyError("'%s' is not a slot of this script module; TorchScript modules cannot "
                           "gain parameters or buffers after scripting" % name)
        setattr(self._handle, name, value)

    def __delitem__(self, name):
        raise TypeError("cannot delete '%s' from a script module" % name)

    def __iter__(self):
        return iter(self._names)

    def __len__(self):
        return len(self._names)


class _ConstMap:
    """The constants table of `code_with_constants`, as torch.jit's ConstMap."""

    def __init__(self, mapping):
        self.const_mapping = mapping

    def __getattr__(self, name):
        try:
            return self.__dict__["const_mapping"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name):
        return self.const_mapping[name]


class ScriptMethod(CompiledView):
    """A compiled method bound to its module: callable, with `.graph`,
    `.inlined_graph`, `.code`, `.schema` and `.name`."""

    __slots__ = ()


class _OverloadedMethod:
    """An overloaded method called from Python: the first overload whose
    signature takes the arguments runs (each compiles when first tried).
    torch.jit leaves such methods uncallable from Python; ember picks as a
    call from compiled code would."""

    def __init__(self, handle, names):
        self._handle = handle
        self._names = names
        self._methods = {}

    def __call__(self, *args, **kwargs):
        reasons = []
        for name in self._names:
            method = self._methods.get(name)
            if method is None:
                try:
                    method = self._methods[name] = self._handle._method(name)
                except CompileError as e:
                    reasons.append("%s: %s" % (name, str(e).splitlines()[0]))
                    continue
            try:
                return method(*args, **kwargs)
            except TypeError as e:
                reasons.append("%s: %s" % (name, e))
        raise TypeError("no overload of '%s' takes these arguments:\n  %s"
                        % (self._names[0].rsplit("__", 1)[0], "\n  ".join(reasons)))

    @property
    def graph(self):
        return Graph(self._handle._method(self._names[0]).graph)

    @property
    def code(self):
        return Text(self._handle._method(self._names[0]).code)


class _ForwardOfActual:
    """`forward` of a legacy ScriptModule: the compiled module's (a missing
    attribute otherwise, so that nn.Module's lookup goes on)."""

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        actual = obj.__dict__.get("_actual_script_module")
        if actual is None:
            raise AttributeError("forward")
        return actual.forward


class ScriptModule(torch.nn.Module, metaclass=ScriptMeta):
    """Base class of scripted modules (torch.jit.ScriptModule's role). A
    user's subclass with @script_method methods is compiled when made, and
    forwards to the compiled module (torch.jit's first module API)."""

    forward = _ForwardOfActual()

    def __getattr__(self, name):
        actual = self.__dict__.get("_actual_script_module")
        if actual is None:
            return super().__getattr__(name)
        return getattr(actual, name)

    def __setattr__(self, name, value):
        actual = self.__dict__.get("_actual_script_module")
        if actual is None:
            return super().__setattr__(name, value)
        setattr(actual, name, value)

    def __call__(self, *args, **kwargs):
        actual = self.__dict__.get("_actual_script_module")
        if actual is None:
            return super().__call__(*args, **kwargs)
        return actual(*args, **kwargs)

    def save(self, f, _extra_files=None):
        from ._serialization import save
        save(self, f, _extra_files=_extra_files)

    def define(self, src):
        """Adds the methods that the source text `src` defines, as torch.jit's
        ScriptModule.define; their names resolve in the caller's scope. In the
        `__init__` of a ScriptModule subclass they compile with the module;
        on a ScriptModule already made, the module compiles again with them,
        from the state it holds. The module's type is then its own."""
        if "_c" in self.__dict__:
            raise RuntimeError(
                "ember: define() adds methods to a ScriptModule subclass (in its __init__ or "
                "after); a module scripted from an nn.Module takes methods written in its class")
        frame = inspect.currentframe().f_back
        scope = dict(frame.f_globals)
        scope.update(frame.f_locals)
        defined = self.__dict__.setdefault("_ember_defined", [])
        defined.append((textwrap.dedent(src), scope))
        if "_actual_script_module" in self.__dict__:
            try:
                _legacy.recompile_in_place(self)
            except BaseException:
                defined.pop()
                raise


class RecursiveScriptModule(ScriptModule):
    """A scripted nn.Module: its state lives in a script object shared with
    the compiled code."""

    def __init__(self, handle, concrete_type, children, original):
        self.__dict__["_initializing"] = True
        super().__init__()
        d = self.__dict__
        d.pop("training", None)  # lives in the object's slot
        slots = handle._slots()
        d["_c"] = handle
        d["_ember_type"] = concrete_type
        d["_ember_slots"] = frozenset(n for n, _ in slots)
        d["_ember_methods"] = {}
        d["_parameters"] = _SlotDict(handle, [n for n, k in slots if k == "parameter"])
        d["_buffers"] = _SlotDict(handle, [n for n, k in slots if k == "buffer"])
        d["_modules"] = children
        d["_ember_original"] = original  # re-scripted when a parent compiles elsewhere
        d["_non_persistent_buffers_set"] = set(getattr(original, "_non_persistent_buffers_set", ()))
        # A loaded module has no Python original: its class's name stands in.
        d["original_name"] = (type(original).__name__ if original is not None
                              else concrete_type.original_name)
        # Attributes TorchScript has no type for stay Python-only, for the
        # module's @ignore'd methods (compiled code cannot see them).
        for name in concrete_type.failed:
            d[name] = getattr(original, name)
        self._shadow_module_methods()
        del d["_initializing"]

    def _shadow_module_methods(self):
        """The module's own methods named as nn.Module's (`_save_to_state_dict`,
        `extra_repr`, ...) win over them, as torch.jit puts its compiled and
        ignored methods in the instance: `state_dict()` then runs them. Other
        methods (BatchNorm's own `_load_from_state_dict`) stay Python's."""
        from ._module import _modifier
        d = self.__dict__
        for name, entry in d["_ember_type"].methods.items():
            if name == "forward" or not hasattr(ScriptModule, name) or entry.fn is None:
                continue
            if entry.kind != "script":
                d[name] = types.MethodType(entry.fn, self)
            elif _modifier(entry.fn) == "export":
                d[name] = self._method(name)

    # copy.copy and copy.deepcopy as torch.jit's: the copy is a module of
    # the same compiled class, wrapped as a loaded module is (Python-only
    # attributes of the original do not follow).
    def __copy__(self):
        from ._serialization import _wrap
        return _wrap(self._c._copy())

    def __deepcopy__(self, memo):
        from ._serialization import _wrap
        return _wrap(self._c._deepcopy())

    def _method(self, name):
        cached = self.__dict__["_ember_methods"].get(name)
        if cached is None:
            variants = self.__dict__["_ember_type"].overloads.get(name)
            if variants:
                cached = _OverloadedMethod(self.__dict__["_c"], variants)
            else:
                handle = self.__dict__["_c"]._method(name)
                if handle is None:
                    return None
                cached = ScriptMethod(handle)
            self.__dict__["_ember_methods"][name] = cached
        return cached

    def __getattr__(self, name):
        d = self.__dict__
        if "_c" not in d:
            raise AttributeError(name)
        t = d["_ember_type"]
        if name in t.constants:
            return t.constants[name]
        if name in d["_modules"]:
            return d["_modules"][name]
        if name in d["_ember_slots"]:
            return getattr(d["_c"], name)
        if "__%s_getter" % name in t.methods:  # a compiled property
            return self._method("__%s_getter" % name)()
        entry = t.methods.get(name)
        if entry is not None and entry.kind != "script":
            return types.MethodType(entry.fn, self)  # @ignore / @unused: the Python method
        method = self._method(name)
        if method is not None:
            return method
        if name in t.failed:
            raise AttributeError("'%s' was not scripted: %s" % (name, t.failed[name]))
        raise AttributeError("'RecursiveScriptModule' (original_name=%s) has no attribute '%s'"
                             % (d["original_name"], name))

    def __setattr__(self, name, value):
        d = self.__dict__
        if "_initializing" in d or "_c" not in d:
            return object.__setattr__(self, name, value)
        if name in d["_ember_type"].constants:
            raise AttributeError("cannot mutate TorchScript constant value '%s'" % name)
        if name in d["_modules"]:
            # A legacy ScriptModule's compiled module is its
            # `_actual_script_module`.
            actual = _legacy_actual(value) if builtins.isinstance(value, ScriptModule) else None
            if value is not None and not builtins.isinstance(actual, RecursiveScriptModule):
                raise RuntimeError("Cannot re-assign modules in a ScriptModule with non-scripted "
                                   "module, tried to replace existing module '%s': %s" % (name, value))
            setattr(d["_c"], name, actual._c if value is not None else None)
            d["_modules"][name] = value
        elif name in d["_ember_slots"]:
            setattr(d["_c"], name, value)
        elif "__%s_setter" % name in d["_ember_type"].methods:  # a compiled property
            self._method("__%s_setter" % name)(value)
        else:
            object.__setattr__(self, name, value)

    def __delattr__(self, name):
        if name in self.__dict__.get("_ember_slots", ()):
            raise AttributeError("cannot delete attribute '%s' of a script module" % name)
        object.__delattr__(self, name)

    def __call__(self, *args, **kwargs):
        from ._trace import _call_interceptors
        intercept = _call_interceptors.get(id(self))
        if intercept is not None:
            return intercept(*args, **kwargs)
        pre, post = self._hook_methods()
        if not pre and not post:
            return super().__call__(*args, **kwargs)
        # The module's compiled forward hooks run around forward, as the
        # compiled code of a parent module runs them.
        if kwargs:
            raise TypeError("a module with forward hooks takes positional arguments only")
        inputs = args
        for name in pre:
            result = self._method(name)(inputs)
            if result is not None:
                inputs = result if builtins.isinstance(result, tuple) else (result,)
        out = self.forward(*inputs)
        for name in post:
            result = self._method(name)(inputs, out)
            if result is not None:
                out = result
        return out

    def _hook_methods(self):
        hooks = self.__dict__.get("_ember_hooks")
        if hooks is None:
            hooks = self.__dict__["_ember_hooks"] = self.__dict__["_c"]._forward_hooks()
        return hooks

    @property
    def forward(self):
        method = self._method("forward")
        if method is None:
            raise AttributeError("'RecursiveScriptModule' (original_name=%s) has no forward"
                                 % self.original_name)
        return method

    @property
    def graph(self):
        return self.forward.graph

    @property
    def inlined_graph(self):
        return self.forward.inlined_graph

    @property
    def code(self):
        return self.forward.code

    @property
    def code_with_constants(self):
        """(code, constants): forward's code with tensors (and other values
        with no literal form) printed `CONSTANTS.cN`, as archives store it;
        `constants.cN` (or `constants["cN"]`) is the value."""
        handle = self._c._method("forward")
        code, values = handle.code_with_constants
        return code, _ConstMap({"c%d" % i: v for i, v in enumerate(values)})

    def extra_repr(self):
        return "original_name=" + self.original_name

    def _get_name(self):
        return "RecursiveScriptModule"

    def save(self, f, _extra_files=None):
        """Saves this module as torch.jit.save does (see ember.save)."""
        from ._serialization import save
        save(self, f, _extra_files)

    def save_to_buffer(self, _extra_files=None):
        """The archive `save` would write, as bytes."""
        import io
        buffer = io.BytesIO()
        self.save(buffer, _extra_files)
        return buffer.getvalue()

    def __dir__(self):
        return sorted(set(super().__dir__()) | self.__dict__["_ember_slots"])


class ScriptContainer(RecursiveScriptModule):
    """A scripted ModuleList, Sequential or ModuleDict: indexable, iterable
    and sized from Python, as the originals are."""

    def __len__(self):
        return len(self._modules)

    def __dir__(self):
        # As torch.jit's: the container class's names too (`append`, ...).
        names = set(super().__dir__())
        python_class = self.__dict__["_ember_type"].python_class
        return sorted(names | set(dir(python_class)) if python_class else names)

    def __iter__(self):
        if self._ember_type.python_class is torch.nn.ModuleDict:
            return iter(self._modules)
        return iter(self._modules.values())

    def __contains__(self, key):
        return key in self._modules

    def __getitem__(self, index):
        if builtins.isinstance(index, str):
            return self._modules[index]
        values = list(self._modules.values())
        if builtins.isinstance(index, slice):
            raise TypeError("slicing a scripted container is not supported")
        return values[index]

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()
