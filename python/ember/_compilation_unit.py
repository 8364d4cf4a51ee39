"""ember.CompilationUnit: TorchScript source given as a string, as
torch.jit.CompilationUnit takes it. Its functions (and classes) compile
together, call each other by name, and find other names in the scope of the
code that defined them; each is a ScriptFunction attribute of the unit."""
import ast
import inspect
import textwrap

from . import _C
from ._compiled import ScriptFunction
from ._resolver import _Resolver


class _SourceFunction:
    """What a ScriptFunction keeps of the Python function it compiled, for a
    function that only exists as source text."""

    def __init__(self, name, doc):
        self.__name__ = self.__qualname__ = name
        self.__doc__ = doc
        self.__module__ = "__torch__"


class CompilationUnit:
    """Compiles TorchScript source text: `cu = CompilationUnit(src)`, then
    `cu.fn(...)`; `define` adds more source to the same unit."""

    def __init__(self, lang=None, _frames_up=0):
        self._resolver = _Resolver()
        self._program = _C.Program(self._resolver)
        self._functions = {}
        if lang is not None:
            self.define(lang, _frames_up=_frames_up + 1)

    def define(self, src, rcb=None, _frames_up=0):
        """Compiles the functions and classes of `src`; names they do not
        define resolve through `rcb` (a function from a name to its value),
        else in the calling frame's locals and globals."""
        scope = {}
        if rcb is None:
            frame = inspect.currentframe().f_back
            for _ in range(_frames_up):
                frame = frame.f_back
            scope.update(frame.f_globals)
            scope.update(frame.f_locals)
        self._resolver.add_source_scope(scope, rcb)
        # The text as written: an indented one keeps its columns, as
        # TorchScript's do.
        self._program.add_source(src, "<string>")
        tree = ast.parse(textwrap.dedent(src))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                original = _SourceFunction(node.name, ast.get_docstring(node))
                self._functions[node.name] = ScriptFunction(self._program.function(node.name), original)

    def find_function(self, name):
        return self._functions.get(name)

    def get_functions(self):
        return list(self._functions.values())

    def __getattr__(self, name):
        functions = self.__dict__.get("_functions", {})
        if name in functions:
            return functions[name]
        raise AttributeError("'CompilationUnit' has no function named '%s'" % name)
