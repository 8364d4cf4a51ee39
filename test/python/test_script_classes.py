"""Script classes as torch.jit compiles them: compared with eager Python
(the same class run uncompiled), and errors in torch.jit's words."""
from typing import Any, Dict, List, Optional, Tuple

import pytest
import torch

import ember


class Vec:
    def __init__(self, x: float, y: float = 0.0):
        self.x = x
        self.y = y

    def __neg__(self) -> "Vec":
        return Vec(-self.x, -self.y)

    def __bool__(self) -> bool:
        return self.x != 0.0 or self.y != 0.0

    def __int__(self) -> int:
        return int(self.x)

    def __float__(self) -> float:
        return self.x + self.y

    def __lt__(self, other: "Vec") -> bool:
        return self.x < other.x

    @staticmethod
    def origin() -> "Vec":
        return Vec(0.0)

    @classmethod
    def unit(cls, x: float) -> "Vec":
        return cls(x, 1.0)

    @property
    def norm1(self) -> float:
        return abs(self.x) + abs(self.y)


class Registry:
    def __init__(self, sizes: Tuple[int, int] = (3, 4), name: Optional[str] = None):
        self.sizes = sizes
        self.table: Dict[str, int] = {"a": 1, "b": 2}
        self.last = torch.jit.annotate(Optional[Vec], None)

    def remember(self, v: Vec):
        self.last = v

    def __delitem__(self, key: str):
        del self.table[key]

    @torch.jit.unused
    def debug(self, x: int, *rest, **options) -> int:
        return len(options)


def magic(a: float, b: float) -> Tuple[float, int, float, bool, bool, float]:
    v = -Vec(a, b)
    u = Vec.unit(a)
    return v.x, int(Vec(a)), float(v), bool(Vec.origin()), bool(u), u.norm1


def sorting(xs: List[float], reverse: bool) -> Tuple[List[float], List[float]]:
    vs = [Vec(x) for x in xs]
    ordered = [v.x for v in sorted(vs)]
    vs.sort(reverse=reverse)
    return ordered, [v.x for v in vs]


def registry(key: str) -> Tuple[int, int, List[str], bool]:
    r = Registry()
    had = r.last is None
    r.remember(Vec(1.0))
    del r[key]
    return r.sizes[0], r.sizes[1], list(r.table.keys()), had and r.last is not None


@pytest.mark.parametrize("args", [(1.5, -2.0), (0.0, 0.0), (-3.0, 4.0)])
def test_magic_methods_static_and_class_methods_match_eager(args):
    assert ember.script(magic)(*args) == magic(*args)


@pytest.mark.parametrize("reverse", [False, True])
def test_lists_of_objects_sort_by_lt(reverse):
    xs = [3.0, -1.0, 2.0, 2.5]
    assert ember.script(sorting)(xs, reverse) == sorting(xs, reverse)


def test_tuple_defaults_optional_attributes_and_delitem_match_eager():
    assert ember.script(registry)("a") == registry("a")


def test_tuple_default_of_a_function_is_a_tuple():
    def f(t: Tuple[int, int] = (1, 2)) -> int:
        return t[0] * 10 + t[1]
    assert ember.script(f)() == 12


def test_unused_method_with_varargs_compiles_and_raises_when_called():
    def call_debug() -> int:
        return Registry().debug(1)
    scripted = ember.script(call_debug)
    with pytest.raises(ember.Error, match="Cannot call @unused methods"):
        scripted()


def test_python_instances_convert_and_script_objects_are_shared():
    def bump(v: Vec) -> Vec:
        v.x = v.x + 1.0
        return v

    out = ember.script(bump)(Vec(1.0, 2.0))
    assert (out.x, out.y) == (2.0, 2.0)
    obj = ember.script(Vec(5.0, -1.0))
    assert obj.norm1 == 6.0
    ember.script(bump)(obj)
    assert obj.x == 6.0  # compiled code changed the object Python holds


def test_annotations_through_local_aliases():
    tensor_t = torch.Tensor

    class Holder:
        def __init__(self):
            pass

        def twice(self, x: tensor_t) -> tensor_t:
            return x * 2

    def use(x: torch.Tensor) -> torch.Tensor:
        return Holder().twice(x)

    assert torch.equal(ember.script(use)(torch.ones(2)), torch.full((2,), 2.0))


def test_interfaces_accept_richer_interfaces():
    @ember.interface
    class One:
        def one(self, x: torch.Tensor) -> torch.Tensor:
            pass

    @ember.interface
    class OneTwo:
        def one(self, x: torch.Tensor) -> torch.Tensor:
            pass

        def two(self, x: torch.Tensor) -> torch.Tensor:
            pass

    class Impl:
        def __init__(self):
            pass

        def one(self, x: torch.Tensor) -> torch.Tensor:
            return x + 1

        def two(self, x: torch.Tensor) -> torch.Tensor:
            return x + 2

    def first(x: One, t: torch.Tensor) -> torch.Tensor:
        return x.one(t)

    def widen(t: torch.Tensor) -> torch.Tensor:
        y: OneTwo = Impl()
        return first(y, t)

    globals().update(One=One, OneTwo=OneTwo, Impl=Impl, first=first)
    try:
        assert torch.equal(ember.script(widen)(torch.zeros(1)), torch.ones(1))
    finally:
        for name in ("One", "OneTwo", "Impl", "first"):
            globals().pop(name)


def test_mutable_defaults_are_refused_as_torch_jit_refuses_them():
    def f(a: List[int] = [1, 2]) -> int:  # noqa: B006
        return a[0]
    with pytest.raises(ember.CompileError, match="Mutable default parameters are not supported"):
        ember.script(f)
    with pytest.raises(RuntimeError, match="Mutable default parameters are not supported"):
        torch.jit.script(f)


def test_class_inheritance_is_refused_as_torch_jit_refuses_it():
    class Base:
        def __init__(self):
            self.b = 2

    class Derived(Base):
        def two(self) -> int:
            return self.b

    with pytest.raises(RuntimeError, match="does not support inheritance"):
        ember.script(Derived)
    with pytest.raises(RuntimeError, match="does not support inheritance"):
        torch.jit.script(Derived)


def test_missing_attribute_in_conversion_uses_torch_words():
    def get(v: Vec) -> float:
        return v.x
    with pytest.raises(ember.ArgumentError, match="missing attribute x"):
        ember.script(get)(torch.zeros(1))


class Pt:
    def __init__(self, x: float, y: float = 1.0):
        self.x = x
        self.y = y

    def __neg__(self) -> "Pt":
        return Pt(-self.x, -self.y)

    def __lt__(self, other: "Pt") -> bool:
        return self.x < other.x

    def __float__(self) -> float:
        return self.x * self.y

    @classmethod
    def on_axis(cls, x: float) -> "Pt":
        return cls(x, 0.0)


class UsesVec(torch.nn.Module):
    def forward(self, a: float) -> Tuple[float, float, float]:
        u = Pt.on_axis(a)
        v = -Pt(a)
        vs = [Pt(3.0), v, u]
        vs.sort()
        return v.x, float(vs[0]), float(Pt(a, 2.0))


def test_class_magic_round_trips_through_torch_jit_load(tmp_path):
    m = ember.script(UsesVec())
    path = str(tmp_path / "vec.pt")
    ember.save(m, path)
    loaded = torch.jit.load(path)
    assert loaded(2.5) == m(2.5) == UsesVec()(2.5)


class UsesStatic(torch.nn.Module):
    def forward(self, a: float) -> float:
        return Vec.origin().x + Vec(a).norm1


def test_static_methods_are_saved_as_torch_jit_saves_them(tmp_path):
    # torch.jit prints a static method as a function of the module
    # (`__torch__.<module>.origin()`); its parser reads no decorators.
    m = ember.script(UsesStatic())
    path = str(tmp_path / "static.pt")
    ember.save(m, path)
    assert torch.jit.load(path)(-2.0) == m(-2.0) == UsesStatic()(-2.0)
    assert ember.load(path)(-2.0) == 2.0
