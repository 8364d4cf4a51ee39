"""What ScriptFunction and ScriptMethod share: a view of one compiled
function of ember._C (callable, with its graph, code and schema)."""


class Text(str):
    """A graph's or code's text; str() and print() show it as torch.jit's
    Graph and code strings do."""


class Graph(Text):
    """A graph: its text (str(), print() and FileCheck see TorchScript's
    graph dump) and the graph API torch.jit's Graph has: nodes(), inputs(),
    outputs(), findNode(), findAllNodes(), ... on a copy of the graph."""

    def __new__(cls, view):
        self = super().__new__(cls, str(view))
        self._view = view
        return self

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(object.__getattribute__(self, "_view"), name)


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
        return Graph(self._handle.graph)

    def graph_for(self, *args, **kwargs):
        """The optimised graph that runs for these arguments (specialised on
        their tensors' dtype, device and sizes under the jit executor)."""
        return Graph(self._handle.graph_for(*args, **kwargs))

    @property
    def inlined_graph(self):
        """The graph with the calls it makes inlined."""
        return Graph(self._handle.inlined_graph)

    @property
    def code(self):
        return Text(self._handle.code)

    @property
    def schema(self):
        return Text(self._handle.schema)


class ScriptFunction(CompiledView):
    """A compiled function: callable like the original, with `.graph`,
    `.inlined_graph`, `.code`, `.schema` and `.name` as
    torch.jit.ScriptFunction has."""

    def __init__(self, compiled, original):
        super().__init__(compiled)
        self._original = original
        self.__doc__ = original.__doc__
        self.__name__ = original.__name__
        self.__qualname__ = getattr(original, "__qualname__", original.__name__)
        self.__module__ = original.__module__

    def __repr__(self):
        return "<ember.ScriptFunction %s>" % self.name

    def __call__(self, *args, **kwargs):
        from ._trace import _recording
        if not _recording:
            return self._handle(*args, **kwargs)
        # Called while tracing: run with recording paused, then put the
        # whole graph in the trace so its control flow is kept.
        recorder = _recording[-1]
        if not recorder.can_record_script_call(self._handle):
            return self._handle(*args, **kwargs)  # recorded op by op instead
        recorder.stop()
        try:
            result = self._handle(*args, **kwargs)
        finally:
            recorder.start()
        recorder.record_script_call(self._handle, result, *args, **kwargs)
        return result

    def save(self, f, _extra_files=None):
        """Saves the function as torch.jit.save does: a module whose
        `forward` is the function (see ember.save)."""
        from ._serialization import save
        save(self, f, _extra_files)

    def save_to_buffer(self, _extra_files=None):
        """The archive `save` writes, as bytes."""
        import io
        buffer = io.BytesIO()
        self.save(buffer, _extra_files)
        return buffer.getvalue()
