"""Compiled modules inside a module being scripted. torch.jit keeps a
ScriptModule held by an nn.Module as it is: the new parent's code calls the
same object. ember does so when the compiled module's program can take the
parent's classes; otherwise it compiles the module again from its nn.Module
(parameters stay shared)."""
import builtins

from . import _C
from . import _type_sharing
from ._script_module import RecursiveScriptModule


def is_compiled(module):
    """True for a module ember compiled already (scripted, traced or
    loaded): it keeps its program, type and state in a new parent."""
    return builtins.isinstance(module, RecursiveScriptModule) and "_c" in module.__dict__


class CompiledType:
    """The concrete type of a compiled submodule: its class as compiled."""

    def __init__(self, module):
        self.name = module._c._type_name[len("__torch__."):]
        self.module = module
        # A loaded module's class has no sharing id: its parents share no type.
        self.sharing = module._c._sharing_id or _type_sharing.unshared_id()

    def key(self):
        return ("compiled", self.name)


def program_for(module, resolver):
    """(program, imported): the program a module tree compiles into: a new
    one, or that of the compiled modules it holds, whose classes and objects
    it then uses (one object, as in torch.jit, so `is` holds between them).
    Compiled modules of other programs are compiled again from their
    nn.Modules (sharing their parameters); a traced or loaded one has none:
    those of a second program are saved and loaded into the first, under new
    class names (their tensors copied), and `imported` maps the id of each
    to (it, its copy)."""
    programs, fixed = [], []
    for m in module.modules():
        if not is_compiled(m):
            continue
        p = m._c._program
        if m.__dict__.get("_ember_original") is None:
            if not any(q is p for q in fixed):
                fixed.append(p)
        if not any(q is p for q in programs):
            programs.append(p)
    if not fixed:
        return (programs[0] if programs else _C.Program(resolver)), {}
    return fixed[0], _imported_into(fixed[0], module)


def _imported_into(program, module):
    from ._serialization import _wrap
    imported, covered = {}, set()
    for m in module.modules():
        if (id(m) in covered or not is_compiled(m) or m._c._program is program
                or m.__dict__.get("_ember_original") is not None):
            continue
        copy = _wrap(_C._import_into(program, _C._save(m._c, None, {})))
        imported[id(m)] = (m, copy)
        covered.update(id(d) for d in m.modules())
    return imported
