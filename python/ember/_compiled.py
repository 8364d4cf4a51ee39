"""What ScriptFunction and ScriptMethod share: a view of one compiled
function of ember._C (callable, with its graph, code and schema)."""


class Text(str):
    """A graph's or code's text; str() and print() show it as torch.jit's
    Graph and code strings do."""


class CompiledView:
    """Wraps an ember._C.Function (a free function, or a method bound to its
    object)."""

    __slots__ = ("_handle",)

    def __init__(self, handle):
        self._handle = handle

    def __call__(self, *args, **kwargs):
        return self._handle(*args, **kwargs)

    @property
    def name(self):
        return self._handle.name

    @property
    def graph(self):
        return Text(self._handle.graph)

    def graph_for(self, *args, **kwargs):
        """The optimised graph that runs for these arguments (specialised on
        their tensors' dtype, device and sizes under the jit executor)."""
        return Text(self._handle.graph_for(*args, **kwargs))

    @property
    def inlined_graph(self):
        """The graph with the calls it makes inlined."""
        return Text(self._handle.inlined_graph)

    @property
    def code(self):
        return Text(self._handle.code)

    @property
    def schema(self):
        return Text(self._handle.schema)
