"""warnings.warn in compiled code warns as torch.jit's does: once per warn
site per call (a loop does not repeat it, a second call does), each site
separately; and getattr with a default on modules and NamedTuples, refused
on plain tuples."""
import warnings
from typing import NamedTuple, Tuple

import pytest
import torch

import ember


def _messages(fn, calls=1):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(calls):
            fn()
    return [str(w.message) for w in caught if w.category is UserWarning]


def w1():
    warnings.warn("I am warning you")


def w2():
    warnings.warn("I am warning you")


def warn_from(caller: str):
    warnings.warn("I am warning you from " + caller)


# Test that a warning in a loop is given once per call, and again on the
# next call.
def test_warn_once_per_site_and_call():
    @ember.script
    def once():
        warnings.warn("I am warning you")

    @ember.script
    def loop():
        for _ in range(10):
            warnings.warn("I am warning you")

    @ember.script
    def loop_call():
        for _ in range(10):
            w1()

    assert _messages(once) == ["I am warning you"]
    assert _messages(loop) == ["I am warning you"]
    assert _messages(loop_call) == ["I am warning you"]
    assert _messages(once, calls=2) == ["I am warning you"] * 2


# Test that two warn sites warn once each, also in a loop, and that one
# function called from two places warns for each.
def test_warn_sites_are_separate():
    @ember.script
    def two():
        w1()
        w2()

    @ember.script
    def two_in_loop():
        for _ in range(10):
            w1()
            w2()

    @ember.script
    def foo():
        warn_from("foo")

    @ember.script
    def bar():
        warn_from("bar")

    assert _messages(two) == ["I am warning you"] * 2
    assert _messages(two_in_loop) == ["I am warning you"] * 2
    assert _messages(lambda: (foo(), bar())) == ["I am warning you from foo",
                                                "I am warning you from bar"]


# Test that a warning is reported at its place in the script source, as
# torch.jit reports it, and that under Python's default filter each call
# still warns (the place is not the caller's line, which would warn once).
def test_warnings_are_reported_at_the_script_source():
    @ember.script
    def fn():
        for _ in range(3):
            w1()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        fn()
        fn()
    assert [(w.filename, w.lineno) for w in caught] == [(__file__, w1.__code__.co_firstlineno + 1)] * 2


# Test getattr with a default on a module: a present attribute reads it, a
# missing one gives the default without a GetAttr.
def test_getattr_with_default_on_module():
    class A(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.init_attr_val = 1.0

        def forward(self, x):
            y = getattr(self, "init_attr_val")  # noqa: B009
            w: list[float] = [1.0]
            z = getattr(self, "missing", w)
            z.append(y)
            return z

    m = ember.script(A())
    assert m(torch.zeros(1)) == A()(torch.zeros(1)) == [1.0, 1.0]
    graph = str(m.graph)
    assert 'prim::GetAttr[name="init_attr_val"]' in graph
    assert "missing" not in graph and "float[] = prim::ListConstruct" in graph


class MyTuple(NamedTuple):
    x: str
    y: torch.Tensor


# Test getattr with defaults on a NamedTuple, and its refusal on a tuple.
def test_getattr_on_tuples():
    def fn(x: MyTuple) -> Tuple[str, torch.Tensor, int]:
        return getattr(x, "x", "fdsa"), getattr(x, "y", torch.ones((3, 3))), getattr(x, "z", 7)

    inp = MyTuple(x="test", y=torch.ones(3, 3) * 2)
    got, expected = ember.script(fn)(inp), fn(inp)
    assert got[0] == expected[0] and torch.equal(got[1], expected[1]) and got[2] == expected[2]

    def plain(x: Tuple[str, int]) -> int:
        return getattr(x, "x", 2)

    with pytest.raises(RuntimeError, match="but got a normal Tuple"):
        ember.script(plain)
