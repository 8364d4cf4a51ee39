"""Module containers and compiled submodules, in the style of torch.jit's
test/jit/test_module_containers.py: ModuleList/Sequential/ModuleDict
indexing and its errors (torch.jit's words), modules that were scripted
before being held by another, and `# type:` comments without a return."""
import io
from collections import OrderedDict
from typing import List

import pytest
import torch
import torch.nn as nn

import ember


class Sub(nn.Module):
    def __init__(self, i: int):
        super().__init__()
        self.i = i

    def forward(self, x):
        return x - self.i


class Indexed(nn.Module):
    def __init__(self):
        super().__init__()
        self.mods = nn.ModuleList([Sub(i) for i in range(10)])
        self.d = nn.ModuleDict({"a": Sub(1)})

    def forward(self, v):
        return self.mods[4](self.mods[-1].forward(self.d["a"](v)))


def test_literal_indices_resolve_statically():
    m = Indexed()
    x = torch.tensor(1)
    assert torch.equal(ember.script(m)(x), m(x))


class BadIndex(Indexed):
    def forward(self, v):
        return self.mods[-11](v)


class VariableIndex(Indexed):
    def forward(self, v):
        i = 3
        return self.mods[i](v)


class MissingKey(Indexed):
    def forward(self, v):
        return self.d["b"](v)


class VariableKey(Indexed):
    def forward(self, v):
        k = "a"
        return self.d[k](v)


class ListOfModules(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = [nn.ReLU(), nn.ReLU()]

    def forward(self):
        return len(self.a)


@pytest.mark.parametrize("cls, message, highlight", [
    (BadIndex, "Index -11 out of range of length 10", "self.mods[-11]"),
    (VariableIndex, "Expected integer literal for index. ModuleList/Sequential indexing is only "
                    "supported with integer literals", "self.mods[i]"),
    (MissingKey, "Key Error, b", 'self.d["b"]'),
    (VariableKey, "Unable to extract string literal index. ModuleDict indexing is only supported "
                  "with string literals", "self.d[k]"),
    (ListOfModules, "Could not infer type of list element: Cannot infer concrete type of "
                    "torch.nn.Module", "self.a"),
])
def test_container_errors_use_torch_words(cls, message, highlight):
    with pytest.raises(RuntimeError, match=message.replace(".", r"\.")) as theirs:
        torch.jit.script(cls())
    with pytest.raises(ember.CompileError, match=message.replace(".", r"\.")) as ours:
        ember.script(cls())
    assert highlight in str(theirs.value) and highlight in str(ours.value)


class HoldsScripted(nn.Module):
    def __init__(self, script):
        super().__init__()
        self.relu = script(nn.ReLU())
        self.tanh = script(nn.Tanh())
        self.mods = nn.ModuleList([self.relu])
        self.d = nn.ModuleDict({"tanh": self.tanh})

    def forward(self, x):
        assert self.mods[0] is self.relu
        assert self.d["tanh"] is self.tanh
        return self.d["tanh"](self.mods[0](x))


@pytest.mark.parametrize("share", [True, False])
def test_scripted_submodules_stay_one_object(share):
    # Scripted by one call (their program is shared) or by two.
    if share:
        both = ember.script(nn.ModuleDict({"relu": nn.ReLU(), "tanh": nn.Tanh()}))
        made = iter([both.relu, both.tanh])
        m = HoldsScripted(lambda _: next(made))
    else:
        m = HoldsScripted(ember.script)
    x = torch.randn(4)
    s = ember.script(m)
    assert torch.allclose(s(x), torch.tanh(torch.relu(x)))
    assert torch.allclose(s(x), torch.jit.script(HoldsScripted(torch.jit.script))(x))
    if share:
        assert s.relu is m.relu  # the compiled module itself, as torch.jit keeps it


class EmptyDict(nn.Module):
    def __init__(self):
        super().__init__()
        self.d = nn.ModuleDict()

    def forward(self, x):
        assert "a" not in self.d
        return x


def test_empty_module_dict_contains_nothing():
    x = torch.randn(2)
    assert torch.equal(ember.script(EmptyDict())(x), x)


class CommentWithoutReturn(nn.Module):
    def forward(self, x, names):
        # type: (Tensor, List[str])
        return x + len(names)


def test_type_comment_without_return_type():
    x = torch.randn(2)
    ours, theirs = ember.script(CommentWithoutReturn()), torch.jit.script(CommentWithoutReturn())
    assert torch.equal(ours(x, ["a"]), x + 1)
    assert ours.code == theirs.code


@torch.jit.interface
class OneInput(nn.Module):
    def forward(self, inp: torch.Tensor) -> torch.Tensor:
        pass


class Twice(nn.Module):
    def forward(self, inp: torch.Tensor) -> torch.Tensor:
        return inp * 2


class Square(nn.Module):
    def forward(self, inp: torch.Tensor) -> torch.Tensor:
        return inp * inp


class TakesInt(nn.Module):
    def forward(self, inp: int) -> torch.Tensor:
        return torch.tensor(inp)


class ByValue(nn.Module):
    def __init__(self):
        super().__init__()
        self.l = nn.ModuleList([Twice(), Square()])
        self.d = nn.ModuleDict({"twice": Twice()})

    def forward(self, x: torch.Tensor, i: int, k: str):
        a: OneInput = self.l[i]
        b: OneInput = self.d[k]
        return a.forward(b.forward(x))


def test_index_by_value_under_an_interface_annotation():
    x = torch.randn(3)
    ours, theirs = ember.script(ByValue()), torch.jit.script(ByValue())
    for i in (0, 1):
        assert torch.equal(ours(x, i, "twice"), theirs(x, i, "twice"))
    assert ours.code == theirs.code
    with pytest.raises(RuntimeError, match="does not have a field with name '-1'"):
        ours(x, -1, "twice")
    # The printed `a : Iface = l[i]` reads back, in ember and in torch.jit.
    buf = io.BytesIO()
    ember.save(ours, buf)
    for load in (ember.load, torch.jit.load):
        buf.seek(0)
        assert torch.equal(load(buf)(x, 0, "twice"), theirs(x, 0, "twice"))


class WrongEntry(nn.Module):
    def __init__(self):
        super().__init__()
        self.l = nn.ModuleList([Twice(), TakesInt()])

    def forward(self, x: torch.Tensor, i: int):
        a: OneInput = self.l[i]
        return a.forward(x)


def test_every_entry_must_implement_the_interface():
    message = "Attribute 1 is not of annotated type"
    with pytest.raises(RuntimeError, match=message):
        torch.jit.script(WrongEntry())
    with pytest.raises(ember.CompileError, match=message):
        ember.script(WrongEntry())


# Test that dir() of a scripted container lists the container class's names,
# as torch.jit's does (test_recursive_script's test_dir).
@pytest.mark.parametrize("script", [ember.script, torch.jit.script], ids=["ember", "torch"])
def test_dir_of_scripted_containers(script):
    conv, linear = nn.Conv2d(3, 3, 1), nn.Linear(3, 3)
    for container in (nn.Sequential(conv, linear),
                      nn.ModuleDict(OrderedDict([("conv", conv), ("linear", linear)]))):
        scripted = set(dir(script(container)))
        missing = [n for n in dir(container) if n not in scripted and n not in (
            "training", "__delitem__", "__setitem__", "clear", "items", "keys", "pop",
            "update", "values", "__overloads__",
            "__slotnames__")]  # copyreg's cache, set on the class once any test deep-copies one
        assert missing == []


class _Named(nn.Module):
    def __init__(self, identifier: str):
        super().__init__()
        self.identifier = identifier
        self.scale = nn.Linear(3, 3)

    def forward(self, x):
        return self.scale(x)


class _Slices(nn.Module):
    def __init__(self):
        super().__init__()
        self.test = nn.ModuleList([_Named(c) for c in "ABCDE"])

    def forward(self):
        return self.test[::-2], self.test[1:4:]


class _SliceLoops(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(4)])
        self.seq = nn.Sequential(nn.ReLU(), nn.Linear(4, 4), nn.Tanh())

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = layer(x)
        for i, layer in enumerate(self.layers[::2]):
            x = layer(x) * i
        for m in self.seq[1:]:
            x = m(x)
        return x


def test_module_list_slices_are_tuples_of_the_modules():
    # torch.jit's test_module_list_slicing: a slice with constant bounds is a
    # tuple of the submodules it picks.
    expected = torch.jit.script(_Slices())()
    got = ember.script(_Slices())()
    for e, g in zip(expected, got):
        assert [m.identifier for m in g] == [m.identifier for m in e]
    assert [m.identifier for m in got[0]] == ["E", "C", "A"]
    # Loops over slices call the modules (beyond torch 1.13, which cannot
    # call a module taken from a slice).
    torch.manual_seed(0)
    model = _SliceLoops()
    x = torch.randn(2, 4)
    assert torch.allclose(ember.script(model)(x), model(x))


def test_module_list_slice_bounds_must_be_constants():
    class Dynamic(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.ReLU(), nn.Tanh()])

        def forward(self, x, n: int):
            for layer in self.layers[:n]:
                x = layer(x)
            return x

    with pytest.raises(ember.CompileError, match="slicing is only supported with integer literals"):
        ember.script(Dynamic())
