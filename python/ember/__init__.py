"""ember: TorchScript, compiled.

`ember.script` compiles Python functions (and the script classes and helper
functions they use) with ember's own frontend and runs them on ember's
runtime; the API mirrors `torch.jit`.
"""
import atexit
import sys
import warnings

import torch

from . import _C
from ._errors import (ArgumentError, CompileError, Error, NotSupportedError, SerializationError,
                      TracerWarning, TracingCheckError)
from ._script import ScriptFunction, script
from ._script_module import RecursiveScriptModule, ScriptMethod, ScriptModule
from ._legacy_module import script_method
from ._serialization import load, save
from ._compilation_unit import CompilationUnit
from ._freeze import freeze, optimize_for_inference
from ._passes import list_passes, parse_ir, run_passes
from ._trace import is_tracing, script_if_tracing, trace
from ._trace_module import trace_module
from ._patch import patch_torch, patched_entry_points, unpatch_torch
from ._api import (annotate, export, fork, ignore, interface, is_scripting, isinstance, unused,
                   wait, Final,
                   Attribute, Future, set_fusion_strategy, last_executed_optimized_graph)

def _warn(text, file="", line=0):
    """A warning of script code, reported at its place in the script source
    (as TorchScript reports it, each time a call reaches it), or one of the
    compiler, at the caller's."""
    if file:
        warnings.warn_explicit(text, UserWarning, file, line)
    else:
        warnings.warn(text, UserWarning, stacklevel=2)


_C._set_error_classes(CompileError, NotSupportedError, Error, SerializationError, ArgumentError)
_C._set_print_handler(lambda text: sys.stdout.write(text))
_C._set_warn_handler(_warn)
atexit.register(_C._clear_handlers)

__all__ = [
    "script", "CompilationUnit", "ScriptFunction", "ScriptModule", "RecursiveScriptModule", "ScriptMethod",
    "script_method",
    "patch_torch", "unpatch_torch", "patched_entry_points", "ArgumentError", "CompileError", "NotSupportedError", "Error", "annotate",
    "export", "fork", "ignore", "is_scripting", "isinstance", "unused", "wait", "Final", "Attribute",
    "Future", "load", "save", "SerializationError", "trace", "TracerWarning",
    "TracingCheckError", "trace_module", "script_if_tracing", "is_tracing",
    "set_fusion_strategy", "last_executed_optimized_graph", "interface", "freeze", "optimize_for_inference",
    "parse_ir", "run_passes", "list_passes",
]
