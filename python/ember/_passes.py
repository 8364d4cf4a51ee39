"""TorchScript's graph tools from Python: read a graph from its text format
(the role of torch's own IR parser) and run ember's passes or pipelines on it, as
ember-opt does on the command line. Graphs are values: run_passes returns a
new graph and leaves the one it was given, and the function it came from,
as they were."""
from . import _C
from ._compiled import Graph

# TorchScript's names for the passes ember has under another name
# (torch._C._jit_pass_<name>).
_TORCH_NAMES = {"loop_unrolling": "loop-unroll", "constant_propagation_immutable_types":
                "constant-propagation-immutable", "fuse": "fuse-elementwise"}


def parse_ir(text, filename="<string>"):
    """The graph `text` defines, in TorchScript's graph format (the form
    `print(fn.graph)` shows). A text that does not parse, or a graph that is
    not well formed, raises ember.CompileError with the diagnostic."""
    return Graph(_C._parse_ir(text, filename))


def list_passes():
    """{name: description} of ember's passes (passes/Passes.def)."""
    return dict(_C._pass_table())


def _pass_name(name):
    known = list_passes()
    if name in known:
        return name
    canonical = _TORCH_NAMES.get(name, name.replace("_", "-"))
    if canonical not in known:
        raise ValueError("unknown pass '%s'; ember's passes: %s" % (name, ", ".join(sorted(known))))
    return canonical


def run_passes(graph, passes=(), pipeline=None):
    """A copy of `graph` (an ember graph, or its text) after the passes named
    in `passes` (ember's kebab-case names, or TorchScript's: "dce",
    "constant_propagation", "loop_unrolling") and then those of the named
    `pipeline` ("default", "cleanup", "frontend", "specialize", "freeze"),
    verified after each pass."""
    if isinstance(passes, str):
        passes = [passes]
    names = [_pass_name(p) for p in passes]
    if pipeline is not None:
        if pipeline not in _C._pipeline_names():
            raise ValueError("unknown pipeline '%s'; ember's pipelines: %s"
                             % (pipeline, ", ".join(_C._pipeline_names())))
        names += _C._pipeline(pipeline)
    if isinstance(graph, Graph):
        view = object.__getattribute__(graph, "_view")
    elif isinstance(graph, str):
        view = _C._parse_ir(graph, "<string>")
    else:
        view = graph
    return Graph(_C._run_passes(view, names))
