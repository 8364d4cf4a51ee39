"""ember.script for nn.Module instances: recursive scripting (reference §7.5).

Each module becomes a script object whose class is built from the module's
concrete type: parameters, buffers, attributes (typed by class annotations,
`__init__` annotations, ember.Attribute, or inference from the value),
submodules (scripted first), constants (`__constants__` and `Final`), and
the methods of the module's class. The class is handed to the compiler as a
header in TorchScript's code dialect plus one source per method, so
diagnostics point into the user's files. Instances whose concrete types are
equal share one class, as torch.jit's type sharing does.

The result, ScriptModule, is an nn.Module whose parameters, buffers and
attributes live in the script object's slots: the compiled code and Python
see the same tensors and the same `training` flag.
"""
import ast
import builtins
import collections
import inspect
import keyword
import sys
import textwrap
import warnings
import weakref

import torch

from . import _C
from . import _api
from ._python_source import _method_source
from . import _legacy_module as _legacy
from . import _type_sharing
from . import _types
from ._module_methods import _CONTAINERS, _PROPERTY_METHOD, _hooks_of, _modifier, _unique, methods_of
from ._compiled_modules import CompiledType as _CompiledType, is_compiled as _is_compiled, \
    program_for as _program_for
from ._script_module import RecursiveScriptModule, ScriptContainer

# nn.Module bookkeeping that is not part of a module's TorchScript type.
_INTERNAL_ATTRIBUTES = frozenset([
    "_version", "_parameters", "_buffers", "_non_persistent_buffers_set", "_backward_hooks",
    "_backward_pre_hooks", "_forward_hooks", "_forward_hooks_with_kwargs",
    "_forward_hooks_always_called", "_forward_pre_hooks", "_forward_pre_hooks_with_kwargs",
    "_state_dict_hooks", "_state_dict_pre_hooks", "_load_state_dict_pre_hooks",
    "_load_state_dict_post_hooks", "_modules", "_initializing", "dump_patches",
    "_compiled_call_impl", "__constants__", "__jit_ignored_attributes__", "_ember_defined",
])

# Script objects alive in Python, by object identity: @ignore'd methods
# called from compiled code get their module back through it.
_live = weakref.WeakValueDictionary()


_EMPTY_ANNOTATION_WARNING = (
    "The TorchScript type system doesn't support instance-level annotations on empty non-base "
    "types in `__init__`. Instead, either 1) use a type annotation in the class body, or 2) wrap "
    "the type in `torch.jit.Attribute`.")


def _own_annotations(cls):
    """The class's own annotations. Not `cls.__annotations__`: on a class
    without annotations, that stores an empty dict in the class, which then
    hides nn.Module's annotations from its instances (and torch.jit, which
    reads `module.__annotations__`, sees them)."""
    return vars(cls).get("__annotations__", {})


def _is_empty_literal(node):
    return (builtins.isinstance(node, (ast.List, ast.Dict)) and not (
        getattr(node, "elts", None) or getattr(node, "keys", None))) or (
        builtins.isinstance(node, ast.Constant) and node.value is None)


def _warn_empty_instance_annotations(cls):
    """As torch.jit: module attributes take their types from class-level
    annotations or their values, never from `self.x: T = v` in __init__;
    where that would lose the annotation's type (an empty container or
    None: `self.x: List[int] = []`, `self.x = torch.jit.annotate(List[int],
    [])`), TorchScript warns, and so does ember."""
    for klass in reversed(cls.__mro__):
        init = klass.__dict__.get("__init__")
        if not inspect.isfunction(init) or klass.__module__.startswith("torch."):
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(init)))
        except (OSError, TypeError, SyntaxError):
            continue
        for node in ast.walk(tree):
            value = getattr(node, "value", None)
            if builtins.isinstance(node, ast.Assign) and builtins.isinstance(value, ast.Call) and \
                    ast.unparse(value.func).endswith("annotate") and len(value.args) == 2:
                value = value.args[1]
            elif not builtins.isinstance(node, ast.AnnAssign):
                continue
            targets = getattr(node, "targets", [getattr(node, "target", None)])
            declared = _own_annotations(cls)
            if value is not None and _is_empty_literal(value) and any(
                    builtins.isinstance(t, ast.Attribute) and builtins.isinstance(t.value, ast.Name)
                    and t.value.id == "self" and t.attr not in declared for t in targets):
                warnings.warn(_EMPTY_ANNOTATION_WARNING, UserWarning, stacklevel=4)
                return


def _as_attribute(value):
    """(value, type) for ember.Attribute or torch.jit.Attribute (both a
    `(value, type)` NamedTuple named Attribute), else None."""
    if builtins.isinstance(value, tuple) and type(value).__name__ == "Attribute" and \
            getattr(type(value), "_fields", None) == ("value", "type"):
        return value.value, value.type
    return None


def _global_path(fn):
    """`module.name` under which a function can be found again, or None
    (lambdas, closures, bound methods)."""
    module = getattr(fn, "__module__", None)
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None)
    if not module or not name or "<" in name or not (inspect.isfunction(fn) or inspect.isbuiltin(fn)):
        return None
    obj = sys.modules.get(module)
    for part in name.split("."):
        obj = getattr(obj, part, None)
    return module + "." + name if obj is fn else None


def _interface_annotation(module, name):
    """The class interface (not a module interface) `module`'s attribute
    `name` is annotated with, or None."""
    ann = _own_annotations(type(module)).get(name)
    if (inspect.isclass(ann) and _api._is_interface(ann)
            and not issubclass(ann, torch.nn.Module)):
        return ann
    return None


def _attribute_name_line(name, type_text):
    if name.isidentifier() and not keyword.iskeyword(name):
        return "  %s : %s" % (name, type_text)
    return '  __annotations__["%s"] = %s' % (name, type_text)


def _is_script_function(value):
    from ._compiled import ScriptFunction
    return builtins.isinstance(value, ScriptFunction)


def _is_user_object(value):
    """An instance of a user class (one with `__call__` included, as
    torchvision's Matcher): a data attribute whose class compiles, as
    torch.jit infers it."""
    cls = type(value)
    if inspect.isroutine(value) or inspect.isclass(value):
        return False
    if cls.__module__.split(".")[0] in ("builtins", "torch", "ember", "functools", "typing"):
        return False
    # A class written in Python: not one of a C module (`_thread.lock`).
    module = sys.modules.get(cls.__module__)
    return cls.__module__ == "__main__" or getattr(module, "__file__", "").endswith(".py")


class _ConcreteType:
    """What TorchScript knows of one module instance: its slots, constants,
    methods and submodule types. Equal concrete types share a class."""

    def __init__(self, module):
        self.python_class = type(module)
        self.attributes = []   # (name, type text, kind) in slot order
        self.constants = {}    # name -> value (as Python sees it)
        self.constant_lines = []
        self.failed = {}       # attribute name -> why it has no type
        self.children = {}     # name -> _ConcreteType or None
        self.methods = {}      # name -> _Method
        self.overloads = {}    # name -> [overload method names] (@_overload_method)
        self.pre_hooks = []    # forward pre-hook functions, in order
        self.hooks = []        # forward hook functions, in order
        self.name = None       # qualified name without `__torch__.`
        self.sharing = 0       # the class's sharing id (_type_sharing)
        self.container_methods = []  # __len__, __contains__: torch.jit compiles them

    def key(self):
        # Function attributes by identity: each is bound to a name of its own.
        functions = tuple((n, v) for n, v in self.constants.items() if callable(v))
        return (self.python_class, tuple(self.attributes), tuple(self.constant_lines), functions,
                tuple((n, c.sharing if c else None) for n, c in self.children.items()),
                tuple((n, m.kind) for n, m in sorted(self.methods.items())),
                tuple(self.pre_hooks), tuple(self.hooks))


class _Builder:
    """Scripts a module tree into one program."""

    def __init__(self, program, resolver, imported=None):
        self.program = program
        self.resolver = resolver
        self.types = {}     # concrete type key -> _ConcreteType
        self.names = set()  # qualified names given out
        self.recompiled = {}  # id(compiled module of another program) -> (it, new wrapper)
        # id(traced or loaded module of another program) -> (it, its copy)
        self.imported = imported or {}
        # For a trace (torch.jit's make_module of a module with exports):
        # the module whose forward is the trace's, not compiled from its
        # source.
        self.forward_traced = None

    # Concrete types -------------------------------------------------------

    def concrete_type(self, module):
        if id(module) in self.imported:
            return _CompiledType(self.imported[id(module)][1])
        if _is_compiled(module):
            if module._c._program is self.program:
                return _CompiledType(module)
            module = module.__dict__["_ember_original"]
        if type(module).__module__ == "torch.jit._script":
            raise RuntimeError(
                "cannot script a module that holds a torch.jit ScriptModule (%s): ember compiles "
                "Python modules, not TorchScript's compiled objects; use the nn.Module it was "
                "scripted from, or call ember.patch_torch() first so that torch.jit.script "
                "makes ember modules" % type(module).__name__)
        t = _ConcreteType(module)
        ignored = set(getattr(module, "__jit_ignored_attributes__", ()))
        for name, child in module._modules.items():
            if name not in ignored:
                t.children[name] = self.concrete_type(child) if child is not None else None
        annotations = dict(getattr(module, "__annotations__", {}))
        _warn_empty_instance_annotations(type(module))
        # Built as torch.jit builds it: the constants are added to the type in
        # an order that follows from this set's (hash-dependent) order.
        constant_names = set(getattr(module, "__constants__", ()))
        for n, a in annotations.items():
            if _types.is_final(a):
                constant_names.add(n)

        def typed(name, value):
            ann = annotations.get(name)
            if ann is not None and not _types.is_final(ann):
                try:
                    return _types.annotation_text(ann, self.class_name)
                except _types.Unsupported:
                    # `aux: Optional[nn.Module] = None`: module types come
                    # from instances, so a None value is just None.
                    if value is None:
                        return "NoneType"
                    raise
            if _as_attribute(value) is not None:
                return _types.annotation_text(_as_attribute(value)[1], self.class_name)
            try:
                return _types.infer_text(value)
            except _types.Unsupported:
                # An instance of a user class: a script class, compiled
                # from its source (torch.jit infers this for classes that
                # were scripted; ember compiles any it can).
                if _is_user_object(value) and not builtins.isinstance(value, torch.nn.Module):
                    return self.class_name(type(value))
                raise

        # `__jit_ignored_attributes__`: Python-only, whatever they hold.
        for name in sorted(ignored):
            if hasattr(module, name):
                t.failed[name] = "attribute was ignored during compilation"
        for name, p in module._parameters.items():
            if name not in ignored:
                t.attributes.append((name, typed(name, p) if p is not None else
                                     typed(name, None), "parameter"))
        for name, b in module._buffers.items():
            if name not in ignored:
                t.attributes.append((name, typed(name, b), "buffer"))
        for name, value in module.__dict__.items():
            if (name in _INTERNAL_ATTRIBUTES or name in constant_names or name in ignored
                    or name in module._parameters or name in module._buffers
                    or name in module._modules):
                continue
            if callable(value) and not builtins.isinstance(value, torch.Tensor) \
                    and not _is_user_object(value):
                # A function attribute (`self.activation = F.relu`) compiles
                # as the global it names.
                path = _global_path(value)
                if path is None and (inspect.isfunction(value) or inspect.isbuiltin(value)
                                     or _is_script_function(value)):
                    # A local function or a scripted one: a name the
                    # resolver binds to it (compiled from its source).
                    path = self.resolver.bind_anonymous(value)
                if path is None:
                    t.failed[name] = ("failed to convert Python type: '%s' to a TorchScript "
                                      "type; only functions (and torch's operators) can be "
                                      "attributes" % type(value).__name__)
                else:
                    t.constants[name] = value
                    t.constant_lines.append("  %s : Final = %s" % (name, path))
                    self.resolver.add_module_root(path)
                continue
            try:
                t.attributes.append((name, typed(name, value), "attribute"))
            except _types.Unsupported as e:
                t.failed[name] = str(e)
        for name, child in t.children.items():
            # A submodule under a module interface's annotation has the
            # interface's type: any implementation may be assigned later.
            iface = annotations.get(name)
            type_text = (self.class_name(iface) if child and _api._is_interface(iface)
                         else "__torch__." + child.name if child else "NoneType")
            t.attributes.append((name, type_text, "module"))
        for name in _C._unordered_map_order(list(constant_names)):
            if not hasattr(module, name) or name in module._modules:
                continue
            value = getattr(module, name)
            type_text, literal = _types.constant_literal(value)
            t.constants[name] = tuple(value) if builtins.isinstance(value, list) else value
            t.constant_lines.append("  %s : Final[%s] = %s" % (name, type_text, literal))
        t.methods, t.overloads = methods_of(module)
        if self.forward_traced is module:  # the module a trace gives its forward
            t.methods.pop("forward", None)
        t.pre_hooks, t.hooks = _hooks_of(module)
        key = t.key()
        if "_ember_defined" in module.__dict__:
            key += (object(),)  # methods of define() calls: a type of its own, as torch.jit's
        if key in self.types:
            return self.types[key]
        t.name = self.unique_name(type(module))
        t.sharing = _type_sharing.sharing_id(key)
        self.types[key] = t
        self.declare(t, module)
        return t

    def class_name(self, cls):
        if issubclass(cls, torch.nn.Module) and not _api._is_interface(cls):
            return None  # submodule types come from the instances
        # A script class or interface: compiled from its source on demand.
        return "__torch__." + self.resolver.class_key(cls)

    def unique_name(self, cls):
        module = cls.__module__
        base = cls.__name__ if module == "__main__" else module + "." + cls.__name__
        name, n = base, 0
        while name in self.names or self.program.has_class(name):
            head, _, tail = base.rpartition(".")
            name = (head + "." if head else "") + "___torch_mangle_%d.%s" % (n, tail)
            n += 1
        self.names.add(name)
        return name

    def declare(self, t, module):
        """Hands the class to the compiler: the header, then the methods."""
        params = "".join('"%s", ' % n for n, _, k in t.attributes if k == "parameter")
        buffers = "".join('"%s", ' % n for n, _, k in t.attributes if k == "buffer")
        lines = ["class %s(Module):" % t.name.rpartition(".")[2],
                 "  __parameters__ = [%s]" % params,
                 "  __buffers__ = [%s]" % buffers]
        for field, hooks in (("__forward_pre_hooks__", t.pre_hooks), ("__forward_hooks__", t.hooks)):
            if hooks:
                lines.append("  %s = [%s]" % (field, "".join('"%s", ' % h.__name__ for h in hooks)))
        lines += [_attribute_name_line(n, ty) for n, ty, _ in t.attributes]
        lines += t.constant_lines
        header = "\n".join(lines) + "\n"
        sources = []
        for _, scope in module.__dict__.get("_ember_defined", ()):
            self.resolver.add_source_scope(scope)
        for name, m in t.methods.items():
            try:
                text, filename = m.source or _method_source(m.fn, m.kind, m.static)
            except (OSError, TypeError, SyntaxError):
                continue  # no source (a builtin or a C function): not compiled
            if m.fn is None:  # a define()d method
                sources.append((text, filename, m.kind))
                continue
            if _C._parse_error(text, filename) is not None:
                if name == "forward" or _modifier(m.fn) == "export":
                    sources.append((text, filename, m.kind))  # report it
                continue  # compiled only if called; as torch.jit, unused code may be any Python
            self.resolver.add_scope(m.fn)
            sources.append((text, filename, m.kind))
        for hook in _unique(t.pre_hooks + t.hooks):
            if hook.__name__ in t.methods:  # torch.jit's words
                raise RuntimeError("Can't define hook: %s on class: __torch__.%s because a method or "
                                   "hook with that name already exists." % (hook.__name__, t.name))
            self.resolver.add_scope(hook)
            text, filename = _method_source(hook, "script", False)
            sources.append((text, filename, "script"))
        container = ""
        if builtins.isinstance(module, (torch.nn.ModuleList, torch.nn.Sequential,
                                        torch.nn.ParameterList)):
            container = "list"
        elif builtins.isinstance(module, (torch.nn.ModuleDict, torch.nn.ParameterDict)):
            container = "dict"
        if container and "__len__" not in t.methods:
            # As torch.jit: a container's length is a constant of its type.
            sources.append(("def __len__(self) -> int:\n    return %d\n" % len(module),
                            "<%s>" % t.name, "script"))
            if builtins.isinstance(module, _CONTAINERS):
                t.container_methods.append("__len__")
        if builtins.isinstance(module, torch.nn.ModuleDict) and "__contains__" not in t.methods:
            keys = ("[%s]" % ", ".join('"%s"' % k for k in module.keys()) if len(module)
                    else "annotate(List[str], [])")
            sources.append(("def __contains__(self, key: str) -> bool:\n    return key in %s\n"
                            % keys, "<%s>" % t.name, "script"))
            t.container_methods.append("__contains__")
        self.program.add_class(t.name, (header, "<%s>" % t.name), sources, t.overloads, container,
                               t.failed, sharing=t.sharing)

    # Objects --------------------------------------------------------------

    def instantiate(self, module, t):
        if builtins.isinstance(t, _CompiledType):
            if id(module) in self.imported:
                return self.imported[id(module)][1]
            return module  # the compiled module itself, shared as torch.jit shares it
        if _is_compiled(module):
            # Compiled elsewhere: compiled again here, once, so that it stays
            # one object wherever the tree holds it.
            if id(module) not in self.recompiled:
                self.recompiled[id(module)] = (
                    module, self.instantiate(module.__dict__["_ember_original"], t))
            return self.recompiled[id(module)][1]
        handle = self.program.new_object(t.name)
        children = collections.OrderedDict()
        for name, _, kind in t.attributes:
            if kind == "module":
                child = module._modules[name]
                wrapped = self.instantiate(child, t.children[name]) if child is not None else None
                children[name] = wrapped
                setattr(handle, name, wrapped._c if wrapped is not None else None)
            elif kind == "parameter":
                setattr(handle, name, module._parameters[name])
            elif kind == "buffer":
                setattr(handle, name, module._buffers[name])
            else:
                value = module.__dict__[name]
                declared = _as_attribute(value)
                value = declared[0] if declared is not None else value
                iface = _interface_annotation(module, name)
                if iface is not None and not _is_compiled(value):
                    value = self.interface_object(value, iface, name)
                try:
                    setattr(handle, name, value)
                except TypeError as e:  # torch.jit raises RuntimeError here
                    raise RuntimeError("%s (attribute '%s' of %s)"
                                       % (e, name, type(module).__name__)) from None
        cls = ScriptContainer if builtins.isinstance(module, _CONTAINERS) else RecursiveScriptModule
        wrapper = cls(handle, t, children, module)
        _live[handle._id] = wrapper
        return wrapper

    def interface_object(self, value, iface, name):
        """A Python instance of a script class, for an attribute annotated
        with a (class) interface: converted as an object of its class,
        which must implement the interface (TorchScript's rule: the class
        must have been scripted)."""
        cls = type(value)
        if not self.resolver.is_script_class(cls):
            raise RuntimeError(
                "Could not cast attribute '%s' to type %s: the value is not a TorchScript "
                "compatible type (an instance of %s, a class never compiled by ember.script)"
                % (name, iface.__name__, cls.__name__))
        try:
            return self.program.object_of(self.resolver.class_key(cls), value,
                                          self.resolver.class_key(iface))
        except TypeError as e:
            raise RuntimeError(str(e)) from None

    def exported_names(self, wrapper):
        """The @export methods of the wrapper's class."""
        t = wrapper._ember_type
        return sorted(name for name, m in t.methods.items() if m.source is None
                      and m.kind == "script" and _modifier(m.fn) == "export")

    def compile_entry_points(self, wrapper):
        """Compiles `forward` and the exported methods of every module, as
        torch.jit does when it scripts a module."""
        t = wrapper._ember_type
        if not builtins.isinstance(t, _ConcreteType):
            return  # compiled already (a module of this program, traced or loaded)
        # In torch.jit's order, which is the order of the methods in saved
        # code: the overloads of overloaded methods, forward, the exported
        # methods by name; then what they call, as they call it.
        names = [v for name in sorted(t.overloads) for v in t.overloads[name]]
        legacy = _legacy.script_methods_of(type(wrapper.__dict__["_ember_original"])) \
            if wrapper.__dict__.get("_ember_original") is not None else {}
        entries = [name for name, m in t.methods.items() if m.source is None and m.kind == "script"
                   and name not in t.overloads
                   and (name == "forward" or _modifier(m.fn) == "export" or name in legacy)]
        names += sorted(entries, key=lambda n: (n != "forward", n))
        names += [name for name, m in t.methods.items()
                  if m.kind == "script" and _PROPERTY_METHOD.match(name)]
        self.program.order_methods(t.name, names)
        for name in names:
            wrapper._c._method(name)
        self.program.check_hooks(t.name)
        for hook in _unique(t.pre_hooks + t.hooks):
            wrapper._c._method(hook.__name__)
        for name in t.container_methods:  # torch.jit defines them on containers
            wrapper._c._method(name)
        for child in wrapper._modules.values():
            if child is not None:
                self.compile_entry_points(child)


# @ignore'd functions called from compiled code, by qualified name.
_python_functions = {}


def _call_python(name, *args):
    """Runs an @ignore'd function, or method (its receiver first), for
    compiled code."""
    fn = _python_functions.get(name)
    if fn is not None:
        return fn(*args)
    receiver, args = args[0], args[1:]
    module = _live.get(receiver._id)
    if module is None:
        raise RuntimeError("the module of the @ignore'd method '%s' is no longer alive" % name)
    fn = module._ember_type.methods[name].fn
    return fn(module, *args)


_C._set_python_call_handler(_call_python)


def prepare_scriptable(module, memo=None):
    """torch.jit's `__prepare_scriptable__` hook: an object may hand over a
    scriptable stand-in for itself; submodules are replaced in place in the
    module tree, as torch.jit replaces them."""
    memo = {} if memo is None else memo
    if id(module) in memo:
        return memo[id(module)]
    prepared = module.__prepare_scriptable__() if hasattr(module, "__prepare_scriptable__") \
        else module
    memo[id(module)] = prepared
    if builtins.isinstance(prepared, torch.nn.Module) and "_modules" in prepared.__dict__:
        for name, child in list(prepared._modules.items()):
            if child is not None:
                prepared._modules[name] = prepare_scriptable(child, memo)
    return prepared


def script_module(module, resolver):
    """Scripts `module` recursively; returns its RecursiveScriptModule."""
    if "_modules" not in module.__dict__:
        raise RuntimeError("Module '%s' has not been initialized, did you forget to call "
                           "'super()'?" % type(module).__name__)
    program, imported = _program_for(module, resolver)
    # A program of compiled submodules resolves names with its own resolver;
    # a loaded one (none from Python) takes this one after the archive's.
    if program.resolver is None:
        program.add_resolver(resolver)
    builder = _Builder(program, program.resolver, imported)
    t = builder.concrete_type(module)
    wrapper = builder.instantiate(module, t)
    builder.compile_entry_points(wrapper)
    return wrapper
