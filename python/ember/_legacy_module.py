"""torch.jit's first module API: a subclass of ScriptModule whose methods
are marked @script_method. As torch.jit's ScriptMeta does, the class's
`__init__` runs as written (parameters, submodules and attributes are set
the nn.Module way) and then the module is scripted; the instance becomes a
face of the compiled module, which holds its state from then on."""
import ast
import builtins
import collections
import functools

import torch

from . import _C
from ._errors import CompileError


class ScriptMethodStub:
    """A method marked @script_method, compiled when its module is made."""

    def __init__(self, original_method):
        self.original_method = original_method
        functools.update_wrapper(self, original_method)


def script_method(fn):
    """Marks a method of a ScriptModule subclass for compilation (torch.jit's
    script_method)."""
    return ScriptMethodStub(fn)


def script_methods_of(cls):
    """name -> function: the @script_method methods of `cls` and its bases."""
    methods = {}
    for klass in reversed(cls.__mro__):
        methods.update(vars(klass).get("_ember_script_methods", {}))
    return methods


class ScriptMeta(type):
    """The metaclass of ScriptModule: takes the @script_method stubs off a
    user's subclass and scripts each instance once its `__init__` is done."""

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        if cls.__module__.split(".")[0] == "ember":
            return  # ember's own ScriptModule classes
        stubs = {k: v.original_method for k, v in attrs.items() if isinstance(v, ScriptMethodStub)}
        for k in stubs:
            delattr(cls, k)
        cls._ember_script_methods = stubs
        original_init = cls.__init__

        @functools.wraps(original_init)
        def init_then_script(self, *args, **kwargs):
            original_init(self, *args, **kwargs)
            if type(self) is cls and "_actual_script_module" not in self.__dict__:
                _script_in_place(self)

        cls.__init__ = init_then_script


def _script_in_place(module):
    """Scripts `module` and turns it into a face of the result: its
    parameters, buffers, submodules and attributes are read and written on
    the compiled module from now on."""
    from . import _module
    from ._resolver import _Resolver
    compiled = _module.script_module(module, _Resolver())
    d = module.__dict__
    d["_actual_script_module"] = compiled
    for name in list(d):
        if name in compiled.__dict__["_ember_slots"] or name in ("_parameters", "_buffers",
                                                                 "_modules"):
            del d[name]


def recompile_in_place(module):
    """Compiles a legacy ScriptModule again (define() added methods to it),
    from the state its compiled module holds: the same parameter, buffer and
    submodule objects, the attributes' current values. If that fails, the
    module stays as it was."""
    d = module.__dict__
    compiled = d.pop("_actual_script_module")
    parameters = collections.OrderedDict(compiled._parameters.items())
    buffers = collections.OrderedDict(compiled._buffers.items())
    modules = collections.OrderedDict(compiled._modules.items())
    attributes = {name: getattr(compiled, name) for name in compiled.__dict__["_ember_slots"]
                  if name not in parameters and name not in buffers and name not in modules}
    d.update(_parameters=parameters, _buffers=buffers, _modules=modules, **attributes)
    try:
        _script_in_place(module)
        # Compiled now, as torch.jit's define compiles them: errors show here.
        for text, _ in d["_ember_defined"]:
            for name, _ in defined_methods(text):
                d["_actual_script_module"]._c._method(name)
    except BaseException:
        d.pop("_actual_script_module", None)
        for name in ("_parameters", "_buffers", "_modules", *attributes):
            d.pop(name, None)
        d["_actual_script_module"] = compiled
        raise


def actual(module):
    """The compiled module behind a legacy ScriptModule, or `module`."""
    return module.__dict__.get("_actual_script_module", module) \
        if isinstance(module, torch.nn.Module) else module


def defined_methods(text):
    """(name, source) of each method the text of a define() call writes;
    text that is not method definitions is refused with the parser's
    diagnostic."""
    error = _C._parse_error(text, "<string>")
    if error is not None:
        raise CompileError(error)
    lines = text.splitlines(keepends=True)
    methods = []
    for node in ast.parse(text).body:
        if not builtins.isinstance(node, ast.FunctionDef):
            raise CompileError("<string>:%d:%d: error: define() takes method definitions; found "
                               "a %s statement" % (node.lineno, node.col_offset + 1,
                                                   type(node).__name__))
        first = min([node.lineno] + [d.lineno for d in node.decorator_list])
        methods.append((node.name, "\n" * (first - 1) + "".join(lines[first - 1:node.end_lineno])))
    return methods
