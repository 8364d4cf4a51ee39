"""Dataclasses compile as TorchScript compiles them: the methods @dataclass
generates are written out (__init__ with InitVars and __post_init__, the
comparisons of order=True, __eq__), a class's own methods win, and default
factories are refused. Each result is compared with the Python class."""
from dataclasses import InitVar, dataclass, field
from typing import List, Optional

import pytest
import torch

import ember


@dataclass(order=True)
class Point:
    x: float
    y: float
    norm: Optional[torch.Tensor] = None

    def __post_init__(self):
        self.norm = (torch.tensor(self.x) ** 2 + torch.tensor(self.y) ** 2) ** 0.5


def test_post_init_and_optional_fields():
    P = ember.script(Point)

    def fn(x: float, y: float):
        return P(x, y).norm

    for x, y in [(3.0, 4.0), (-1.5, 0.25), (0.0, 0.0)]:
        assert torch.equal(ember.script(fn)(x, y), fn(x, y))


def test_order_comparisons():
    P = ember.script(Point)

    def compare(x1: float, y1: float, x2: float, y2: float):
        a, b = P(x1, y1), P(x2, y2)
        return a == b, a < b, a <= b, a > b, a >= b

    scripted = ember.script(compare)
    for args in [(1.0, 2.0, 1.0, 2.0), (1.0, 2.0, 1.0, 3.0), (2.0, 0.0, 1.0, 3.0)]:
        assert scripted(*args) == compare(*args)


def test_init_vars_reach_post_init():
    @ember.script
    @dataclass
    class Point2:
        x: float
        y: float
        norm_p: InitVar[int] = 2
        norm: Optional[torch.Tensor] = None

        def __post_init__(self, norm_p: int):
            self.norm = (torch.tensor(self.x) ** norm_p + torch.tensor(self.y) ** norm_p) ** (1 / norm_p)

    def fn(x: float, y: float, p: int):
        return Point2(x, y, p).norm

    assert torch.allclose(ember.script(fn)(1.0, 2.0, 3), fn(1.0, 2.0, 3))


def test_own_eq_is_kept_and_defaults_apply():
    @ember.script
    @dataclass
    class CustomEq:
        a: int
        b: int = field(default=7)

        def __eq__(self, other: "CustomEq") -> bool:
            return self.a == other.a

    def fn(a: int, b1: int):
        return CustomEq(a, b1) == CustomEq(a), CustomEq(a).b

    assert ember.script(fn)(1, 2) == fn(1, 2) == (True, 7)


def test_default_factories_are_refused():
    @dataclass
    class Foo:
        x: List[int] = field(default_factory=list)

    with pytest.raises(NotImplementedError, match="Default factory"):
        ember.script(Foo)
