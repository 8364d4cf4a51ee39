"""ember.CompilationUnit: TorchScript source as a string, as
torch.jit.CompilationUnit compiles it. Functions call each other, names
resolve in the defining scope, `define` adds to the unit, and results match
torch.jit's on the same source."""
import re

import pytest
import torch

import ember


SOURCE = """
def foo(cond):
    if bool(cond):
        raise ValueError(3)
    return 1

def twice(x):
    return helper(x) + helper(x)

def helper(x):
    return x * scale()
"""


def scale() -> float:
    return 2.0


# Test that functions defined together call each other and find the names
# of the scope that defined them, with torch.jit's results.
def test_functions_call_each_other():
    cu = ember.CompilationUnit(SOURCE)
    reference = torch.jit.CompilationUnit(SOURCE)
    x = torch.randn(3)
    torch.testing.assert_close(cu.twice(x), reference.twice(x))
    assert cu.foo(torch.tensor(0)) == 1
    with pytest.raises(ember.Error, match="3"):
        cu.foo(torch.tensor(1))


# Test that define adds functions, find_function looks them up, and an
# unknown name is an AttributeError.
def test_define_and_find_function():
    cu = ember.CompilationUnit()
    cu.define("def add_one(x: int) -> int:\n    return x + 1\n")
    assert cu.add_one(2) == 3
    assert cu.find_function("add_one") is cu.add_one
    assert cu.find_function("missing") is None
    assert isinstance(cu.add_one, ember.ScriptFunction)
    assert "aten::add" in str(cu.add_one.graph)
    with pytest.raises(AttributeError, match="missing"):
        cu.missing


# Test that local variables of the defining frame are visible to the code.
def test_names_from_the_calling_frame():
    offset = 10

    def shift(x: int) -> int:
        return x + offset

    cu = ember.CompilationUnit("def use(x: int) -> int:\n    return shift(x) * 2\n")
    assert cu.use(1) == 22


# Test that indented source is accepted and that errors point into it.
def test_indented_source_and_errors():
    cu = ember.CompilationUnit("""
        def f(x):
            return x + 1
    """)
    torch.testing.assert_close(cu.f(torch.ones(1)), torch.full((1,), 2.0))
    with pytest.raises(RuntimeError, match="undefined value nowhere"):
        ember.CompilationUnit("def g(x):\n    return nowhere(x)\n")


# Test that indented source keeps its columns, as torch.jit's does: in the
# graph's source locations and in an error's position and highlight.
def test_indented_source_keeps_its_columns():
    src = """
        def f(x):
            return x * 2
    """
    assert str(ember.CompilationUnit(src).f.graph).count("# <string>:3:") == 2
    assert re.findall(r"# (<string>:\d+:\d+)", str(ember.CompilationUnit(src).f.graph)) == \
        re.findall(r"# (<string>:\d+:\d+)", str(torch.jit.CompilationUnit(src).f.graph))
    with pytest.raises(ember.CompileError) as e:
        ember.CompilationUnit("""
            def g(x):
                return x.bar()
        """)
    assert "<string>:3:24: error:" in str(e.value)
    assert "\n                return x.bar()\n                       ~~~~~\n" in str(e.value)


# Test that patch_torch routes torch.jit.CompilationUnit to ember.
def test_patched_torch_compilation_unit():
    ember.patch_torch()
    try:
        cu = torch.jit.CompilationUnit("def h(x: int) -> int:\n    return x * 3\n")
        assert isinstance(cu, ember.CompilationUnit) and cu.h(2) == 6
    finally:
        ember.unpatch_torch()
