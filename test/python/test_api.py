"""ember's torch.jit-style API beyond functions and modules: script classes on
their own, and patch_torch for code that calls torch.jit."""
from typing import List, NamedTuple

import pytest
import torch

import ember


@ember.script
class Accumulator:
    def __init__(self, start: int):
        self.total = start
        self.items: List[int] = []

    def add(self, x: int) -> int:
        self.total += x
        self.items.append(x)
        return self.total


def feed(acc: Accumulator, n: int) -> int:
    for i in range(n):
        acc.add(i)
    return acc.total


def test_script_class_returns_the_class():
    acc = Accumulator(10)
    assert type(acc) is Accumulator  # as torch.jit.script: still the Python class
    assert acc.add(1) == 11


def test_python_instance_converts_to_script_object():
    acc = Accumulator(10)
    scripted = ember.script(feed)
    expected = torch.jit.script(feed)(Accumulator(10), 4)
    assert scripted(acc, 4) == expected == 16
    assert acc.total == 10  # converted by copy, as torch.jit converts it


def test_script_class_errors_surface_at_decoration():
    with pytest.raises(ember.CompileError, match="test_api.py"):
        @ember.script
        class Broken:
            def __init__(self):
                self.x = 1

            def get(self) -> str:
                return self.x + "a"


def test_patch_torch_routes_script_save_and_load_to_ember(tmp_path):
    def f(x: torch.Tensor) -> torch.Tensor:
        return x * 2

    originals = (torch.jit.script, torch.jit.save, torch.jit.load, torch.jit.trace)
    ember.patch_torch()
    try:
        ember.patch_torch()  # twice is harmless
        assert ember.patched_entry_points() == [
            "CompilationUnit", "ScriptModule", "freeze", "load", "optimize_for_inference", "save",
            "script", "script_method", "trace", "trace_module"]
        scripted = torch.jit.script(f)
        assert isinstance(scripted, ember.ScriptFunction)
        assert torch.equal(scripted(torch.ones(2)), torch.full((2,), 2.0))
        module = torch.jit.script(torch.nn.Linear(2, 2))
        assert isinstance(module, ember.ScriptModule)
        path = str(tmp_path / "linear.pt")
        torch.jit.save(module, path)
        loaded = torch.jit.load(path)
        assert isinstance(loaded, ember.ScriptModule)
        x = torch.randn(3, 2)
        assert torch.equal(loaded(x), module(x))
        traced = torch.jit.trace(module, x)
        assert isinstance(traced, ember.ScriptModule)
        assert torch.equal(traced(x), module(x))
    finally:
        ember.unpatch_torch()
    assert (torch.jit.script, torch.jit.save, torch.jit.load, torch.jit.trace) == originals
    assert ember.patched_entry_points() == []
    # What ember saved while patched is a torch.jit archive.
    assert torch.equal(torch.jit.load(path)(x), module(x))


@torch.jit.ignore
def python_side(x: torch.Tensor, tag: str) -> torch.Tensor:
    calls.append(tag)
    return x + float(len({tag}))  # a set: Python only, never compiled


@ember.unused
def not_compiled(x: torch.Tensor) -> torch.Tensor:
    return {x}  # never compiled


@ember.ignore
def fails(x: torch.Tensor) -> torch.Tensor:
    raise KeyError("from Python")


calls = []


def uses_ignored(x: torch.Tensor, flag: bool) -> torch.Tensor:
    y = python_side(x, "tag") * 2
    if flag:
        y = not_compiled(y)
    return y


def uses_failing(x: torch.Tensor) -> torch.Tensor:
    return fails(x)


def test_ignored_functions_call_back_into_python():
    scripted = ember.script(uses_ignored)
    assert torch.equal(scripted(torch.zeros(2), False), torch.full((2,), 2.0))
    assert calls == ["tag"]
    assert "prim::PythonOp" not in str(scripted.graph)  # the call site calls a stand-in
    with pytest.raises(ember.Error, match="Cannot call @unused"):
        scripted(torch.zeros(2), True)


def test_exception_in_ignored_function_keeps_its_class():
    with pytest.raises(ember.Error) as info:
        ember.script(uses_failing)(torch.zeros(1))
    assert info.value.python_class.endswith("KeyError")


class Out(NamedTuple):
    logits: torch.Tensor
    count: int


def named_result(x: torch.Tensor) -> Out:
    return Out(x * 2, 3)


def test_named_tuples_come_back_with_their_fields():
    expected = torch.jit.script(named_result)(torch.ones(2))
    actual = ember.script(named_result)(torch.ones(2))
    assert type(actual).__name__ == type(expected).__name__ == "Out"
    assert actual._fields == expected._fields
    assert torch.equal(actual.logits, expected.logits) and actual.count == 3


class _Describes:
    @torch.jit.ignore
    def __call__(self, *args) -> str:
        return str(type(args[0]))


_describe = _Describes()


def _calls_an_object(x):
    return _describe(x)


# Test that an object whose class's __call__ is @ignore'd is called in
# Python from compiled code, with its __call__'s signature (torch's
# test_python_callable: `*args` is one Tensor parameter).
def test_object_with_ignored_call():
    scripted = ember.script(_calls_an_object)
    assert scripted(torch.ones(2)) == _calls_an_object(torch.ones(2)) == "<class 'torch.Tensor'>"
    assert scripted.schema == "_calls_an_object(Tensor x) -> str"


def _pdt_add(a, b):
    return a + b


def _pdt_sum(a):
    return sum(a)


def _pdt_get(a):
    return a[1]


def _pdt_same(a):
    assert a is not None
    return a


# Test profile-directed typing (torch.jit's test_pdt, without MonkeyType):
# unannotated parameters take the types of the example inputs; several
# types are Any, a type and None Optional.
@pytest.mark.parametrize("fn,examples,args,schema", [
    (_pdt_add, [(3, 4)], (10, 2), "(int a, int b) -> int"),
    (_pdt_add, [(3.9, 4.1)], (6.5, 2.9), "(float a, float b) -> float"),
    (_pdt_sum, [([4.9, 8.9],)], ([11.9, 7.6],), "(float[] a) -> float"),
    (_pdt_sum, [((3, 4, 5),)], ((1, 2, 3),), "((int, int, int) a) -> int"),
    (_pdt_get, [({0: [True], 1: [False]},)], ({0: [False], 1: [True, True]},), "(Dict(int, bool[]) a) -> bool[]"),
    (_pdt_same, [(1,), ("abc",), ([3, 4],)], ({"a": True},), "(Any a) -> Any"),
    (_pdt_same, [(1,), (None,)], (5,), "(int? a) -> int"),
], ids=["int", "float", "list", "tuple", "dict", "any", "optional"])
def test_profile_directed_typing(fn, examples, args, schema):
    scripted = ember.script(fn, example_inputs=examples)
    assert scripted.schema == fn.__name__ + schema
    assert scripted(*args) == fn(*args)
