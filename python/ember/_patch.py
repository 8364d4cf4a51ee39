"""ember.patch_torch(): route torch.jit's entry points to ember, for code that
cannot be edited; ember.unpatch_torch() puts torch.jit's own back.

The entry points ember implements are replaced: `script`, `trace`,
`trace_module`, `save`, `load`, `freeze`, `optimize_for_inference`,
`CompilationUnit`, and `ScriptModule` with `script_method`;
`patched_entry_points()` says which ones are ember's.
"""
import torch

from ._compilation_unit import CompilationUnit
from ._freeze import freeze, optimize_for_inference
from ._legacy_module import script_method
from ._script import script
from ._script_module import ScriptModule
from ._serialization import load, save
from ._trace import trace
from ._trace_module import trace_module

# torch.jit attribute -> ember's replacement.
# ScriptModule and script_method: torch.jit's first module API (a subclass
# made after patch_torch() compiles with ember).
_REPLACEMENTS = {"script": script, "trace": trace, "trace_module": trace_module, "save": save,
                 "load": load, "ScriptModule": ScriptModule, "script_method": script_method,
                 "freeze": freeze, "optimize_for_inference": optimize_for_inference,
                 "CompilationUnit": CompilationUnit, "_script_pdt": script}
_saved = {}


def patch_torch():
    """Routes torch.jit's entry points (`script`, `trace`, `save`, `load`,
    ...) to ember. Calling it twice is harmless."""
    for name, replacement in _REPLACEMENTS.items():
        current = getattr(torch.jit, name, None)
        if current is None:
            continue  # not in this torch (`_script_pdt` is torch 2's)
        if current is not replacement:
            _saved.setdefault(name, current)
            setattr(torch.jit, name, replacement)


def unpatch_torch():
    """Restores what patch_torch replaced."""
    for name, original in list(_saved.items()):
        setattr(torch.jit, name, original)
        del _saved[name]


def patched_entry_points():
    """The torch.jit names currently routed to ember."""
    return sorted(n for n, r in _REPLACEMENTS.items() if getattr(torch.jit, n, None) is r)
