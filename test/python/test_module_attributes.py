"""Attributes of scripted modules that hold objects of user classes, read as
torch.jit reads them, compared with eager PyTorch and with torch.jit."""
from collections import OrderedDict
from typing import Dict

import pytest
import torch
from torch import nn

import ember


class Threshold:
    """A plain class whose instances are called: a script class attribute,
    not a function attribute (torchvision's Matcher)."""

    def __init__(self, low: float):
        self.low = low

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return (x > self.low).to(torch.int64)


class StrictThreshold(Threshold):
    def __init__(self, low: float):
        super().__init__(low + 0.25)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return (x > self.low + 1.0).to(torch.int64)


class UsesThreshold(nn.Module):
    __annotations__ = {"matcher": Threshold}

    def __init__(self, matcher):
        super().__init__()
        self.matcher = matcher

    def forward(self, x):
        return self.matcher(x)


def test_callable_object_attribute_is_a_script_object():
    m = UsesThreshold(Threshold(0.5))
    scripted = ember.script(m)
    x = torch.rand(8)
    assert torch.equal(scripted(x), m(x))
    assert scripted.matcher.low == 0.5


def test_subclass_instance_is_read_as_the_annotated_class():
    # Script classes have no inheritance: torch.jit converts the subclass's
    # object as a Threshold (its attributes), and Threshold's methods run.
    m = UsesThreshold(StrictThreshold(0.25))
    x = torch.rand(8)
    got = ember.script(m)(x)
    assert torch.equal(got, torch.jit.script(m)(x))
    assert torch.equal(got, Threshold.__call__(m.matcher, x))


class Collects(nn.Module):
    def forward(self, x) -> Dict[str, torch.Tensor]:
        out = OrderedDict()
        out["a"] = x + 1
        pairs = OrderedDict([("b", x * 2)])
        out["b"] = pairs["b"]
        return out


def test_ordered_dict_is_aten_dict():
    m = Collects()
    scripted = ember.script(m)
    x = torch.randn(3)
    got, want = scripted(x), m(x)
    assert list(got) == list(want)
    assert all(torch.equal(got[k], want[k]) for k in want)
    assert scripted.code == torch.jit.script(m).code


class HoldsOptionalElements(nn.Module):
    def __init__(self):
        super().__init__()
        self.nested = [[torch.tensor([3.3, 2.3]), None]]
        self.table = {"a": None, "b": 2}

    def forward(self):
        first = self.nested[0][0]
        b = self.table["b"]
        assert first is not None and b is not None
        return first * b, self.nested[0][1] is None


# Test that None among the elements of an attribute's list or dict makes the
# element type Optional, as torch.jit unifies them (test_freezing's
# `[[tensor, None]]`).
def test_none_elements_make_optional_element_types():
    for script in (ember.script, torch.jit.script):
        out, is_none = script(HoldsOptionalElements())()
        assert torch.equal(out, torch.tensor([6.6, 4.6])) and is_none


class ReadsMissing(torch.nn.Module):
    def forward(self, x):
        return self.nothing


# Test that reading an attribute a module never had names the module in
# torch.jit's words.
@pytest.mark.parametrize("jit", [ember, torch.jit], ids=["ember", "torch"])
def test_missing_module_attribute_message(jit):
    with pytest.raises(RuntimeError, match="Module 'ReadsMissing' has no attribute 'nothing'"):
        jit.script(ReadsMissing())


class SumOfOne(torch.nn.Module):
    def forward(self, a: int) -> int:
        return sum([a])


class IgnoresAttributes(torch.nn.Module):
    __jit_ignored_attributes__ = ["a", "sub"]

    def __init__(self, a: int, b: int):
        super().__init__()
        self.a = a
        self.b = b
        self.sub = SumOfOne()

    def forward(self) -> int:
        return self.b

    @torch.jit.ignore
    def ignored_fn(self) -> int:
        return self.sub.forward(self.a)


# Test that `__jit_ignored_attributes__` leaves attributes and submodules out
# of the compiled type, Python-only on the script module as torch.jit keeps
# them for @ignore'd methods.
def test_ignored_attributes_stay_python_only():
    m = ember.script(IgnoresAttributes(1, 4))
    assert m() == 4 and m.ignored_fn() == 1
    assert "sub" not in dict(m.named_children()) and not m._c.hasattr("a")


class UsesIgnoredAttribute(torch.nn.Module):
    __jit_ignored_attributes__ = ["sub"]

    def __init__(self):
        super().__init__()
        self.sub = SumOfOne()

    def forward(self) -> int:
        return self.sub(1)


# Test that compiled code using an ignored attribute is refused in the words
# torch.jit uses, the attribute underlined.
def test_compiled_code_cannot_use_an_ignored_attribute():
    with pytest.raises(ember.CompileError, match="attribute was ignored during compilation") as info:
        ember.script(UsesIgnoredAttribute())
    line, underline = str(info.value).splitlines()[1:3]
    start = underline.index("~")
    assert line[start:start + len(underline.strip())] == "self.sub"
