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
    """The program a module tree compiles into: a new one, or that of the
    compiled modules it holds, whose classes and objects it then uses (one
    object, as in torch.jit, so `is` holds between them). Compiled modules
    of other programs are compiled again from their nn.Modules (sharing
    their parameters); a traced or loaded one has none, so two of those
    from different programs cannot be combined."""
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
    if len(fixed) > 1:
        raise RuntimeError(
            "cannot script a module holding traced or loaded modules from separate ember.trace "
            "or ember.load calls; trace or load them as one module instead")
    if fixed:
        return fixed[0]
    return programs[0] if programs else _C.Program(resolver)
