"""Python's `slice(...)` in compiled code, as torch.jit supports it: every
arity with None parts, on lists, strings, tensors (with more indices and
`...`), held in a variable, and stops past the end; plus slicing with bounds
computed at run time and tuple slices that fold to one tuple.
"""
from typing import List

import pytest
import torch

import ember


def three_nones(x: List[int]):
    return x[slice(None, None, None)]


def two_nones(x: List[int]):
    return x[slice(None, None)]


def one_none(x: List[int]):
    return x[slice(None)]


def stop_only(x: List[int]):
    return x[slice(5)]


def stop_only_with_nones(x: List[int]):
    return x[slice(None, 5, None)]


def start_stop(x: List[int]):
    return x[slice(1, 5)]


def start_stop_with_none(x: List[int]):
    return x[slice(1, 5, None)]


def start_stop_step(x: List[int]):
    return x[slice(0, 6, 2)]


def as_variable(x: List[int]):
    a = slice(1)
    return x[a]


def stop_clipped(x: List[int]):
    return x[slice(1000)]


def negative_step(x: List[int]):
    return x[slice(None, None, -2)]


LIST_CASES = [three_nones, two_nones, one_none, stop_only, stop_only_with_nones, start_stop,
              start_stop_with_none, start_stop_step, as_variable, stop_clipped, negative_step]


# Test each slice form on a list against Python.
@pytest.mark.parametrize("fn", LIST_CASES, ids=lambda f: f.__name__)
def test_list_slices(fn):
    x = list(range(10))
    assert ember.script(fn)(x) == fn(x)


def on_string(x: str):
    return x[slice(None, 3, 1)]


def on_tensor(x: torch.Tensor):
    return x[slice(None, 3, 1)]


def on_tensor_with_index(x: torch.Tensor):
    return x[slice(None, 3, 1), 0]


def on_tensor_with_dots(x: torch.Tensor):
    return x[slice(None, 3, 1), ...]


# Test slice objects on strings and tensors against Python.
def test_string_and_tensor_slices():
    assert ember.script(on_string)("foo_bar") == "foo"
    x = torch.arange(100.0).reshape(10, 10)
    for fn in (on_tensor, on_tensor_with_index, on_tensor_with_dots):
        assert torch.equal(ember.script(fn)(x), fn(x))


# Test that slice takes no keyword arguments, with TorchScript's words.
def test_slice_keyword_is_refused():
    def slice_kwarg(x: List[int]):
        return x[slice(1, stop=2)]

    with pytest.raises(RuntimeError, match="Slice does not accept any keyword arguments"):
        ember.script(slice_kwarg)


# Test that tensor slices with bounds computed at run time match constant ones.
def test_dynamic_slice_bounds():
    def t(x):
        slice1 = x[0:1]
        zero = 0
        one = zero + 1
        slice2 = x[zero:one]
        return slice1 + slice2

    x = torch.randn(3, 2, 3)
    assert torch.equal(ember.script(t)(x), t(x))


# Test that slicing a tuple chosen by a branch gives one two-element tuple.
def test_tuple_slicing():
    def tuple_slice(a):
        if bool(a):
            b = (1, 2, 3, 4)
        else:
            b = (4, 3, 2, 1)
        c = b[-4:4]
        e = c[1:-1]
        return e

    fn = ember.script(tuple_slice)
    assert fn(torch.tensor(1)) == (2, 3)
    assert fn(torch.tensor(0)) == (3, 2)
    sizes = {len(n.output().type().elements()) for n in fn.graph.findAllNodes("prim::TupleConstruct")}
    assert sizes == {2}
