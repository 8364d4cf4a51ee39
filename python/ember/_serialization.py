"""ember.save and ember.load (and the wrapping of loaded modules): a `.pt` archive written
by torch.jit.save or ember becomes a RecursiveScriptModule whose state is
the script object the C++ loader rebuilt, as torch.jit.load returns."""
import ast
import collections
import os

import torch

from . import _C
from ._compiled import ScriptFunction
from ._script_module import RecursiveScriptModule, ScriptContainer

_CONTAINERS = {
    "__torch__.torch.nn.modules.container.ModuleList": torch.nn.ModuleList,
    "__torch__.torch.nn.modules.container.Sequential": torch.nn.Sequential,
    "__torch__.torch.nn.modules.container.ModuleDict": torch.nn.ModuleDict,
}


class _LoadedType:
    """What RecursiveScriptModule reads from a concrete type, for a module
    whose class came from an archive's code: every method is compiled code."""

    def __init__(self, type_name, constants=()):
        self.original_name = type_name.rsplit(".", 1)[-1]
        self.python_class = _CONTAINERS.get(_demangled(type_name))
        # `Final` constants, from their literal in the class's code.
        self.constants = {}
        for name, text in constants:
            try:
                self.constants[name] = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                pass  # not a Python literal (a device, inf): compiled code still has it
        self.methods = {}
        self.overloads = {}
        self.failed = {}


def _demangled(type_name):
    parts = [p for p in type_name.split(".") if not p.startswith("___torch_mangle_")]
    return ".".join(parts)


def _wrap(handle):
    children = collections.OrderedDict()
    for name, kind in handle._slots():
        if kind == "module":
            child = getattr(handle, name)
            children[name] = _wrap(child) if child is not None else None
    t = _LoadedType(handle._type_name, handle._constants())
    cls = ScriptContainer if t.python_class is not None else RecursiveScriptModule
    return cls(handle, t, children, None)


def _map_location(map_location):
    if map_location is None:
        return None
    if isinstance(map_location, (str, torch.device)):
        return str(torch.device(map_location))
    raise TypeError("map_location must be a device or a string naming one (got %s)"
                    % type(map_location).__name__)


def load(f, map_location=None, _extra_files=None):
    """Loads a module saved by torch.jit.save or ember.save. `f` is a path
    or a binary file object; `map_location` moves every tensor to that
    device; `_extra_files` maps names to fill with the `extra/` records."""
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        if not os.path.exists(path):
            raise ValueError("The provided filename %s does not exist" % path)
        if os.path.isdir(path):
            raise ValueError("The provided filename %s is a directory" % path)
        source = path
    elif hasattr(f, "read"):
        source = f.read()
        if not isinstance(source, bytes):
            raise TypeError("ember.load needs a file opened in binary mode")
    else:
        raise TypeError("ember.load takes a path or a binary file object, not %s"
                        % type(f).__name__)
    names = list(_extra_files) if _extra_files is not None else []
    handle, files = _C._load(source, _map_location(map_location), names)
    if _extra_files is not None:
        # As torch.jit.load (1.13): names the archive has get their
        # contents, the others empty bytes.
        for name in names:
            _extra_files[name] = files.get(name, b"")
    return _wrap(handle)


def _extra_bytes(extra):
    out = {}
    for name, content in (extra or {}).items():
        out[name] = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    return out


def _function_module(fn):
    """The module a function is saved as (torch.jit.save's
    PlaceholderModule), made once per function."""
    handle = fn.__dict__.get("_ember_module")
    if handle is None:
        handle = fn.__dict__["_ember_module"] = _C._function_module(fn._handle)
    return handle


def save(m, f, _extra_files=None):
    """Saves a scripted (or loaded) module in torch.jit.save's format, so
    torch.jit.load and ember.load read it. `f` is a path or a binary file
    object; `_extra_files` maps names to contents stored under `extra/`."""
    if isinstance(m, ScriptFunction):
        handle = _function_module(m)
    else:
        handle = getattr(m, "_c", None)
    if not isinstance(handle, _C.ScriptObject):
        raise TypeError("ember.save takes a module or function made by ember.script, ember.trace "
                        "or ember.load, not %s"
                        % type(m).__name__)
    extra = _extra_bytes(_extra_files)
    if isinstance(f, (str, os.PathLike)):
        _C._save(handle, os.fspath(f), extra)
    elif hasattr(f, "write"):
        f.write(_C._save(handle, None, extra))
    else:
        raise TypeError("ember.save takes a path or a binary file object, not %s"
                        % type(f).__name__)
