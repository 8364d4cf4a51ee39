"""Complex numbers as TorchScript has them: complex arguments, lists and
dicts across the Python boundary (ints and floats where a complex is
declared), the `cmath` module, complex(real, imag) from numbers and
tensors, arithmetic with Python's results (division, integral powers),
complex with tensors, and complex attributes, constants (`cmath.infj`) and
dict keys through archives both ways. Each result is compared with the
Python function run eagerly."""
import cmath
import io
import math
from itertools import product
from typing import Dict, List

import pytest
import torch

import ember

VALUES = [0.0, 1.0, 2.2, -1.0, -0.0, -2.2, 1, 0, 2, 10.0, -10.0]
COMPLEX_VALUES = [complex(x, y) for x, y in product(VALUES, VALUES)]


def same(want, got):
    if isinstance(want, torch.Tensor):
        return want.dtype == got.dtype and torch.allclose(want, got, equal_nan=True)
    if isinstance(want, complex):
        return isinstance(got, complex) and cmath.isclose(want, got, rel_tol=1e-12, abs_tol=1e-300) \
            or (cmath.isnan(want) and cmath.isnan(got))
    return type(want) is type(got) and (want == got or (math.isnan(want) and math.isnan(got)))


def check(fn, *args):
    want = fn(*args)
    got = ember.script(fn)(*args)
    assert same(want, got), (args, want, got)


def identity(a: complex):
    return a


def index_list(a: List[complex], idx: int):
    return a[idx]


def lookup(a: Dict[complex, complex], key: complex) -> complex:
    return a[key]


def test_values_cross_the_boundary():
    check(identity, 3 + 5j)
    assert ember.script(identity)(2) == 2 + 0j  # an int where a complex is declared
    check(index_list, [1j, 2, 3 + 4j, -5, -7j], 2)
    check(lookup, {2 + 3j: 2 - 3j, -4.3 - 2j: 3j}, -4.3 - 2j)
    with pytest.raises(ember.ArgumentError, match="Expected a value of type 'complex'"):
        ember.script(identity)("1j")


@pytest.mark.parametrize("name", ["log", "log10", "sqrt", "exp", "sin", "cos", "asin", "acos",
                                  "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
                                  "phase", "isinf", "isnan", "isfinite"])
def test_cmath_functions(name):
    source = "def func(a: complex):\n    return cmath.%s(a)\n" % name
    scope = {}
    exec(source, {"cmath": cmath}, scope)
    compiled = ember.CompilationUnit(source).func
    special = [complex(x, y) for x, y in product([math.inf, math.nan, -math.inf, 1.0], repeat=2)]
    for a in COMPLEX_VALUES + (special if name.startswith("is") else []):
        try:
            want = scope["func"](a)
        except ValueError:
            continue  # a math domain error in Python; TorchScript gives inf/nan
        assert same(want, compiled(a)), (name, a)


@pytest.mark.parametrize("name", ["pi", "e", "tau", "inf", "nan", "infj", "nanj"])
def test_cmath_constants(name):
    source = "def func():\n    return cmath.%s\n" % name
    assert same(getattr(cmath, name), ember.CompilationUnit(source).func())


def rect(x: float, y: float):
    return cmath.rect(x, y)


def magnitude(x: complex):
    return abs(x)


def test_rect_and_abs():
    for x, y in product(VALUES, VALUES):
        check(rect, float(x), float(y))
    for z in COMPLEX_VALUES:
        check(magnitude, z)


def power(x: complex, y: complex):
    return x ** y


def quotient(x: complex, y: complex):
    return x / y


def mixed(a: complex, b: int):
    return a * b, a + b, a - b, b / a, a ** 2, a ** -3, a == b, a != 1.0


def test_arithmetic_as_python():
    for x, y in zip(COMPLEX_VALUES, reversed(COMPLEX_VALUES)):
        if x != 0:
            check(power, x, y)
        if y != 0:
            check(quotient, x, y)
    assert ember.script(mixed)(1 + 2j, 3) == mixed(1 + 2j, 3)
    with pytest.raises(ember.Error, match="ZeroDivisionError"):
        ember.script(quotient)(1j, 0j)


def constructor(real: float, imag: int):
    return complex(real, imag)


def constructor_bool(real: bool, imag: bool):
    return complex(real, imag)


def constructor_tensors(real, imag):
    return complex(real, imag) + complex(2)


def test_complex_constructor():
    check(constructor, -1.9, 7)
    check(constructor_bool, True, False)
    for x, y in product([torch.rand(1), torch.randint(-5, 5, (1,)), torch.tensor([False])], repeat=2):
        check(constructor_tensors, x, y)


def total(x: List[complex]):
    return sum(x)


def with_tensor(x: complex, y: torch.Tensor):
    return x * y, x + y, x - y, x == y


def test_lists_and_tensors():
    check(total, torch.randn(4, dtype=torch.cdouble).tolist())
    y = torch.randn(2, 2, dtype=torch.cfloat)
    for want, got in zip(with_tensor(0.71 + 0.71j, y), ember.script(with_tensor)(0.71 + 0.71j, y)):
        assert same(want, got)


class ComplexModule(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = 3 + 5j
        self.b = [2 + 3j, 3 + 4j, 0 - 3j, -4 + 0j]
        self.c = {2 + 3j: 2 - 3j, -4.3 - 2j: 3j}

    def forward(self, x: int):
        if x == 2:
            return x + cmath.infj
        if x == 3:
            return x + cmath.nanj
        return x + 2j + self.a


@pytest.mark.parametrize("script, save, load", [
    (ember.script, ember.save, ember.load), (ember.script, ember.save, torch.jit.load),
    (torch.jit.script, torch.jit.save, ember.load)])
def test_archives_keep_complex_values(script, save, load):
    buf = io.BytesIO()
    save(script(ComplexModule()), buf)
    buf.seek(0)
    loaded = load(buf)
    eager = ComplexModule()
    assert (loaded.a, loaded.b, loaded.c) == (eager.a, eager.b, eager.c)
    for x in (2, 3, 4):
        assert same(eager(x), loaded(x))
