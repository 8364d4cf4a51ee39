"""How compiled code finds what it names: the Python source of functions
and classes, and what each global name is (a module, an operator, a
function, a constant), in the scope of the file being compiled."""
import builtins
import collections
import dataclasses
import enum
import inspect
import re
import sys
import types
import weakref

import torch

from . import _api
from . import _defaults
from . import _errors
from . import _module
from . import _overloads
from . import _types
from ._compiled import ScriptFunction
from ._dataclasses import dataclass_source
from ._script_module import ScriptModule
from ._python_source import (_annotation_captures, _interface_header, _method_source,
                             _named_tuple_source,
                             _indented, _source_of, _without_unused_bodies,
                             source_margin)


_BUILTIN_TYPE_CLASSES = (int, float, bool, str, complex, torch.Tensor, torch.device, torch.dtype)
_CONSTANT_TYPES = (bool, int, float, str, type(None), torch.device, torch.dtype)


def _is_constant(value):
    if builtins.isinstance(value, tuple):
        return all(_is_constant(v) for v in value)
    return builtins.isinstance(value, _CONSTANT_TYPES)


def _builtin_operator(obj):
    """The operator TorchScript maps a Python callable to, or None: torch's
    C++ functions, and the helpers of torch.nn.modules.utils that
    TorchScript treats as builtins."""
    from torch.nn.modules import utils
    helpers = {utils._single: "aten::_single", utils._pair: "aten::_pair",
               utils._triple: "aten::_triple", utils._quadruple: "aten::_quadruple",
               utils._list_with_default: "aten::list_with_default",
               collections.OrderedDict: "aten::dict"}
    try:
        if obj in helpers:
            return helpers[obj]
    except TypeError:  # unhashable
        return None
    # A global holding `torch.ops.ns.name` (torchaudio's `_lfilter`) is
    # that operator.
    packet = getattr(getattr(torch, "_ops", None), "OpOverloadPacket", None)
    if packet is not None and builtins.isinstance(obj, packet):
        return obj._qualified_op_name
    # torch's C++ functions are ATen operators of the same name (F.pad's
    # __module__ is torch.nn.functional, torch.relu's torch, ...).
    module = getattr(obj, "__module__", None) or ""
    # (has_torch_function* are language forms the compiler knows by name.)
    if builtins.isinstance(obj, types.BuiltinFunctionType) and module.split(".")[0] == "torch" \
            and "has_torch_function" not in obj.__name__:
        return "aten::" + obj.__name__
    return None


def _boolean_dispatch(obj):
    """For torch's boolean_dispatch wrappers (F.max_pool2d picks
    max_pool2d_with_indices when return_indices is True): (argument name,
    position, default, global name if true, global name if false)."""
    code = getattr(obj, "__code__", None)
    if code is None or not {"arg_name", "arg_index", "if_true", "if_false"} <= set(code.co_freevars):
        return None
    cells = {n: c.cell_contents for n, c in zip(code.co_freevars, obj.__closure__)}

    def path(f):
        # A nested dispatcher (torch.unique's) is a closure named `fn`: use
        # the global name its module binds it to.
        scope = vars(sys.modules.get(f.__module__, object))
        if scope.get(f.__name__) is not f:
            for name, value in scope.items():
                if value is f:
                    return f.__module__ + "." + name
        return f.__module__ + "." + f.__name__
    return (cells["arg_name"], cells["arg_index"], bool(cells.get("default", False)),
            path(cells["if_true"]), path(cells["if_false"]))


def _qualified_name(obj):
    """TorchScript's qualified name of a function, after `__torch__.`: its
    module and name (just the name in `__main__`)."""
    module = obj.__module__
    return obj.__name__ if module in (None, "__main__") else module + "." + obj.__name__


_TRACED_NAMES = weakref.WeakKeyDictionary()  # traced ScriptFunction -> (name, qualified)
_TRACED_TAKEN = set()


def _traced_function_names(traced):
    """The names a traced function has in programs that call it: its
    qualified name, made unique (two traced lambdas of one module are two
    functions)."""
    names = _TRACED_NAMES.get(traced)
    if names is None:
        base = _qualified_name(traced._original).replace("<lambda>", "_lambda")
        qualified, n = base, 0
        while qualified in _TRACED_TAKEN:
            n += 1
            qualified = "%s_%d" % (base, n)
        _TRACED_TAKEN.add(qualified)
        names = _TRACED_NAMES[traced] = (qualified.replace(".", "_"), qualified)
    return names


_ENUM_CLASSES = {}
_SCRIPT_CLASSES = weakref.WeakSet()  # classes compiled from their source


def _enum_member(qualified_name, name, members):
    """The Python member for a TorchScript enum value: of the class it was
    compiled from, or of an Enum made from an archive's definition."""
    cls = _ENUM_CLASSES.get(qualified_name)
    if cls is None:
        cls = _ENUM_CLASSES[qualified_name] = enum.Enum(qualified_name.rsplit(".", 1)[-1], members)
    return cls[name]


def _enum_description(cls):
    """(qualified name, [(member name, value)]) of an Enum class, named as
    it compiles (`__torch__.Color`): a member passed where no type is
    declared (an `Any`) is a value of that enum type."""
    for name, known in _ENUM_CLASSES.items():
        if known is cls:
            break
    else:
        name = "__torch__." + _qualified_name(cls)
        _ENUM_CLASSES.setdefault(name, cls)  # a member comes back as itself
    return name, [(m.name, m.value) for m in cls]


def _enum_source(cls, key):
    """An Enum class as the TorchScript class it compiles to: its members
    and their (int, float or str) values."""
    _ENUM_CLASSES["__torch__." + key] = cls
    lines = ["class %s(Enum):" % cls.__name__]
    for member in cls:
        if not builtins.isinstance(member.value, (int, float, str)):
            kind = "Tensor" if builtins.isinstance(member.value, torch.Tensor) else type(member.value).__name__
            raise _errors.CompileError("Cannot create Enum with value type '%s' (%s.%s): enum values "
                                       "must be int, float or str" % (kind, cls.__name__, member.name))
        lines.append("    %s = %r" % (member.name, member.value))
    return "\n".join(lines) + "\n", "<enum %s.%s>" % (cls.__module__, cls.__qualname__)


class _CallbackScope:
    """A scope that asks a resolution callback (torch.jit's `rcb`)."""

    def __init__(self, rcb):
        self._rcb = rcb

    def __contains__(self, name):
        return self._rcb(name) is not None

    def __getitem__(self, name):
        return self._rcb(name)


class _Resolver:
    """Answers the compiler's questions about names from the Python scopes of
    the functions it compiles (globals, then closure cells, then builtins)."""

    def __init__(self):
        self._scopes = []
        self._synthesized = {}  # overload name -> (text, file name)
        self._overload_names = {}  # overload name -> its qualified name
        self._functions = {}  # the name the program knows a function by -> the function
        self._classes = {}  # qualified name -> the class compiled under it
        self._anonymous = []  # functions bound by bind_anonymous

    def add_module_root(self, path):
        """Makes the package at the head of a function attribute's path
        (`torchvision` for `torchvision.models...._pass_through_h`) a name,
        behind every other scope: the module's class source names it."""
        root = path.split(".")[0]
        if root in sys.modules:
            self._scopes.append((None, {root: sys.modules[root]}))

    def bind_anonymous(self, obj):
        """A global name for a function no module names (a closure, a
        scripted function held by a module attribute)."""
        name = "__ember_attribute_fn_%d" % len(self._anonymous)
        self._anonymous.append(obj)
        self._scopes.append((None, {name: obj}))
        return name

    def claim(self, fn):
        """Reserves the function's own name for it (the function scripted)."""
        self._functions.setdefault(fn.__name__, fn)

    def _function_key(self, fn):
        """The name `fn` is compiled under: its own, unless a function of
        another module took that name first (`a.helper` and `b.helper`);
        then `helper__1`, ... so that each compiles from its own source."""
        key, n = fn.__name__, 0
        while self._functions.setdefault(key, fn) is not fn:
            n += 1
            key = "%s__%d" % (fn.__name__, n)
        return key

    def class_key(self, cls):
        """The qualified name a class compiles under, as TorchScript names
        it (`mod.Point`, `Point` in `__main__`); a second class of the same
        name (a class defined in two test functions) gets a mangled one."""
        for key, known in self._classes.items():
            if known is cls:
                return key
        key = _qualified_name(cls)
        head, _, tail = key.rpartition(".")
        n = 0
        while self._classes.setdefault(key, cls) is not cls:
            key = (head + "." if head else "") + "___torch_mangle_%d.%s" % (n, tail)
            n += 1
        return key

    def is_script_class(self, cls):
        """Whether `cls` was compiled as a script class (here or by
        ember.script), as TorchScript's class registry answers it."""
        return cls in _SCRIPT_CLASSES

    def _class_source(self, cls, key):
        """(text, file, key): the source of a class, to be compiled under
        its qualified name `key`."""
        _SCRIPT_CLASSES.add(cls)
        if issubclass(cls, tuple) and hasattr(cls, "_fields"):
            text, filename = _named_tuple_source(cls)
        elif issubclass(cls, enum.Enum):
            text, filename = _enum_source(cls, key)
        else:
            try:
                text, filename = _source_of(cls)
            except (OSError, TypeError):
                return None
            if _api._is_interface(cls):
                text = _interface_header(text, cls)
            text = _without_unused_bodies(text, cls)
            if dataclasses.is_dataclass(cls):
                text = dataclass_source(text, cls)
            for member in vars(cls).values():
                accessors = ((member.fget, member.fset) if builtins.isinstance(member, property)
                             else (getattr(member, "__func__", member),))
                for fn in accessors:
                    if inspect.isfunction(fn):
                        self.add_scope(fn)
            # As TorchScript's resolver: the class's own name means the
            # class in its methods, even where no Python scope binds it yet
            # (a decorated class referring to itself).
            self._scopes.append((filename, {cls.__name__: cls}))
            text = _indented(text, source_margin(cls))
        return text, filename, key

    def _function_source(self, name):
        """The source of the function compiled as `name`; when that is not
        its own name, its `def` takes the name."""
        fn = self._functions[name]
        try:
            text, filename = _source_of(fn)
        except (OSError, TypeError):
            return None
        text = re.sub(r"^(\s*)def\s+%s\b" % re.escape(fn.__name__), r"\1def " + name, text,
                      count=1, flags=re.MULTILINE)
        self.add_scope(fn)
        return _indented(text, source_margin(fn)), filename

    def add_scope(self, fn):
        scope = dict(getattr(fn, "__globals__", {}))
        closure = getattr(fn, "__closure__", None) or ()
        for name, cell in zip(getattr(fn.__code__, "co_freevars", ()), closure):
            try:
                scope[name] = cell.cell_contents
            except ValueError:
                pass
        scope.update(_annotation_captures(fn))
        try:
            filename = inspect.getsourcefile(fn)
        except TypeError:
            filename = None
        self._scopes.insert(0, (filename, scope))

    def add_source_scope(self, scope, rcb=None):
        """The names of code given as text (CompilationUnit): `scope`, or
        what `rcb` answers for a name (None when it knows none)."""
        self._scopes.insert(0, ("<string>", scope if rcb is None else _CallbackScope(rcb)))

    def compiling(self, filename):
        """The compiler is compiling a function of `filename`: its names
        resolve in that file's scopes first."""
        self._file = filename

    def _lookup(self, name):
        head, *rest = name.split(".")
        here = getattr(self, "_file", None)
        ordered = [s for f, s in self._scopes if f == here] + [s for f, s in self._scopes if f != here]
        for scope in ordered:
            if head in scope:
                obj = scope[head]
                break
        else:
            if head == "torch":
                obj = torch
            elif "." in name and head in sys.modules:
                obj = sys.modules[head]  # a global path such as `mymodule.fn`
            else:
                return None
        for part in rest:
            if not hasattr(obj, part):
                return None
            obj = getattr(obj, part)
        return obj

    def source(self, name):
        if name in self._synthesized:
            return self._synthesized[name]
        if name.startswith("__ember_attribute_fn_"):
            fn = self._lookup(name)
            fn = fn._original if builtins.isinstance(fn, ScriptFunction) else fn
            return self._function_source(self._function_key(fn)) if inspect.isfunction(fn) else None
        if name in self._classes:
            return self._class_source(self._classes[name], name)
        # A function value() handed out compiles from its own source under
        # the name it was given (`b.helper` as helper__1); a name that means
        # nothing in the file asking is such a name.
        target = self._lookup(name)
        for key, fn in self._functions.items():
            if fn is target:
                return self._function_source(key)
        if target is None and name in self._functions:
            return self._function_source(name)
        obj = self._lookup(name)
        if builtins.isinstance(obj, ScriptFunction):
            obj = obj._original
        if _boolean_dispatch(obj) is not None or _builtin_operator(obj) is not None:
            return None
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and \
                _module._modifier(obj) in ("ignore", "unused"):
            return None  # a stand-in (or, for a class, an error), through value()
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            return None
        if obj.__module__ == "builtins":
            return None
        # A class compiles under its own qualified name whatever variable
        # holds it (`_Out = namedtuple("Out", ...)`); a function must be
        # the one its name says.
        if inspect.isfunction(obj) and obj.__name__ != name.split(".")[-1]:
            return None
        if (inspect.isclass(obj) and issubclass(obj, torch.nn.Module)
                and not _api._is_interface(obj)):
            return None  # a module type, through type(); never a script class
        if inspect.isclass(obj):
            return self._class_source(obj, self.class_key(obj))
        if _overloads.overload_sources(obj):
            return None  # compiled per overload, through value()
        try:
            text, filename = _source_of(obj)
        except (OSError, TypeError):
            return None
        self.add_scope(obj)
        return _indented(text, source_margin(obj)), filename

    def type(self, name):
        """The qualified name of the module type an nn.Module subclass names
        (`isinstance(layer, nn.TransformerEncoderLayer)`), as TorchScript
        looks the class up among the types compiled so far, or None."""
        obj = self._lookup(name)
        if (inspect.isclass(obj) and issubclass(obj, torch.nn.Module)
                and not _api._is_interface(obj)):
            return "__torch__." + _qualified_name(obj)
        return None

    def type_alias(self, name):
        """The annotation text of a global type alias (`Out = Tuple[Tensor,
        Tensor]`), or None."""
        obj = self._lookup(name)
        if obj is None or builtins.isinstance(obj, (str, types.ModuleType)):
            return None
        # A variable holding a builtin type (`tensor_t = torch.Tensor`) is
        # that type; other classes are script classes or modules.
        if inspect.isclass(obj) and obj not in _BUILTIN_TYPE_CLASSES:
            return None
        try:
            return _types.annotation_text(obj)
        except (_types.Unsupported, TypeError):
            return None

    def _stand_in(self, fn):
        """An @ignore'd (or @unused) function: compiled code calls back into
        Python (or raises); only its signature is compiled."""
        kind = "python" if _module._modifier(fn) == "ignore" else "unused"
        key = "%s.%s" % (fn.__module__, fn.__qualname__)
        text, filename = _method_source(fn, kind, False)
        self._synthesized[fn.__name__] = (text, filename)
        _module._python_functions[key] = fn
        return (kind, (fn.__name__, key))

    def value(self, name):
        tensor = _defaults.tensor_default(name)
        if tensor is not None:
            return ("constant", tensor)
        if name in self._overload_names:
            return ("function", name, self._overload_names[name])
        renamed = self._functions.get(name)
        if renamed is not None and renamed.__name__ != name:
            return ("function", name, _qualified_name(renamed))
        obj = self._lookup(name)
        if obj is None:
            return None
        if builtins.isinstance(obj, types.ModuleType):
            module = obj.__name__
            if module == "ember" or module.startswith("ember."):
                module = "torch.jit"
            elif module.split(".")[0] != "torch" and sys.modules.get(module) is not obj:
                # Not importable by its name (a ModuleType made at run time,
                # with a __getattr__ say): its attributes are read through
                # the name that holds it.
                module = name
            return ("module", module)
        if builtins.isinstance(obj, (torch.jit.ScriptModule, ScriptModule)):
            # torch.jit's words: a module is called through an attribute of self.
            return ("unusable", "Cannot call a ScriptModule that is not a submodule of the caller")
        if builtins.isinstance(obj, ScriptFunction) and getattr(obj, "_traced", False):
            # Compiled code calls the trace's graph, not the Python source.
            name, qualified = _traced_function_names(obj)
            return ("graph", name, qualified, obj._handle)
        if builtins.isinstance(obj, ScriptFunction):
            obj = obj._original
        op = _builtin_operator(obj)
        if op is not None:
            return ("op", op)
        dispatch = _boolean_dispatch(obj)
        if dispatch is not None:
            return ("dispatch", dispatch)
        if inspect.isfunction(obj) and _module._modifier(obj) in ("ignore", "unused"):
            return self._stand_in(obj)
        if inspect.isclass(obj) and issubclass(obj, BaseException):
            return ("exception", "%s.%s" % (obj.__module__, obj.__qualname__))
        if inspect.isclass(obj) and _module._modifier(obj) in ("ignore", "unused"):
            return ("unusable", "Cannot instantiate class '%s' in a script function: it is "
                    "marked @ignore; TorchScript cannot make objects of Python classes"
                    % obj.__name__)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            if obj.__module__ in ("ember", "ember._api"):
                return None
            overloads = _overloads.overload_sources(obj) if inspect.isfunction(obj) else []
            if overloads:
                self.add_scope(obj)
                # As TorchScript: the first overload takes the function's
                # qualified name, the others a mangled one.
                head, _, tail = _qualified_name(obj).rpartition(".")
                for i, (overload, text, filename) in enumerate(overloads):
                    self._synthesized[overload] = (text, filename)
                    mangle = "___torch_mangle_%d." % (i - 1) if i else ""
                    self._overload_names[overload] = (head + "." if head else "") + mangle + tail
                return ("overloads", [o for o, _, _ in overloads])
            if inspect.isfunction(obj):
                return ("function", self._function_key(obj), _qualified_name(obj))
            key = self.class_key(obj)
            return ("function", key, key)
        if builtins.isinstance(obj, enum.Enum):
            return ("member", self.class_key(type(obj)), obj.name)
        if _is_constant(obj):
            return ("constant", obj)
        call = getattr(type(obj), "__call__", None)
        if inspect.isfunction(call) and _module._modifier(call) == "ignore":
            return self._callable_stand_in(name, obj)
        return None

    def _callable_stand_in(self, name, obj):
        """An object whose class's `__call__` is @ignore'd: compiled code
        calls it in Python, with the signature of its `__call__` (what
        torch.jit reads: unannotated parameters and result Tensor, `*args`
        one parameter)."""
        sig = inspect.signature(obj.__call__)
        params = []
        for p in sig.parameters.values():
            if p.kind == p.VAR_KEYWORD:
                continue
            params.append("%s: %s" % (p.name, "Tensor" if p.annotation is p.empty
                                      else _types.annotation_text(p.annotation)))
        result = ("Tensor" if sig.return_annotation is sig.empty
                  else _types.annotation_text(sig.return_annotation))
        key = "%s.%s.__call__#%d" % (type(obj).__module__, type(obj).__qualname__, id(obj))
        self._synthesized[name] = ("def %s(%s) -> %s:\n    pass\n" % (name, ", ".join(params), result),
                                   "<%s>" % key)
        _module._python_functions[key] = obj.__call__
        return ("python", (name, key))
