"""ember.freeze and ember.optimize_for_inference, with torch.jit's meaning
(reference §4.3): the C++ freezer makes a new module whose methods read the
module's attributes as constants; this wraps it."""
from . import _C
from . import _legacy_module as _legacy
from ._script_module import RecursiveScriptModule
from ._serialization import _wrap


def freeze(mod, preserved_attrs=None, optimize_numerics=True):
    """torch.jit.freeze: a copy of `mod` (a scripted, traced or loaded module
    in eval mode) whose `forward` and `preserved_attrs` methods read its
    parameters and attributes as constants. Attributes the methods set or
    mutate, and those named in `preserved_attrs`, stay attributes. Dropout
    goes, and with `optimize_numerics` batch norms fold into the
    convolutions and linears before them."""
    mod = _legacy.actual(mod)  # a legacy ScriptModule's compiled module
    if not isinstance(mod, RecursiveScriptModule) or not isinstance(
            mod.__dict__.get("_c"), _C.ScriptObject):
        raise RuntimeError("Freezing expects a ScriptModule as input. Please use ember.script or "
                           "ember.trace to script your 'nn.Module'.")
    if mod.training:
        raise RuntimeError("Freezing is currently only implemented for modules in eval mode. "
                           "Please call .eval() on your module before freezing.")
    preserved = list(preserved_attrs) if preserved_attrs is not None else []
    return _wrap(_C._freeze(mod._c, preserved, bool(optimize_numerics)))


def optimize_for_inference(mod, other_methods=None):
    """torch.jit.optimize_for_inference: freezes `mod` (put in eval mode
    first) unless it is frozen already, keeping `other_methods` too. The
    fusion of what remains happens on the first call, as for any module;
    TorchScript's MKLDNN-specific rewrites have no counterpart here."""
    mod = _legacy.actual(mod)
    if not isinstance(mod, RecursiveScriptModule):
        raise RuntimeError("optimize_for_inference expects a ScriptModule as input. Please use "
                           "ember.script or ember.trace to script your 'nn.Module'.")
    if "training" in mod.__dict__.get("_ember_slots", ()):
        mod = freeze(mod.eval(), preserved_attrs=other_methods or [])
    return mod
