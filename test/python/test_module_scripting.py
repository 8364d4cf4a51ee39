"""Recursive scripting of nn.Modules as torch.jit does it: function
attributes of every kind, __prepare_scriptable__, traced and loaded
submodules, and the errors torch.jit gives. Compared with eager and with
torch.jit.script."""
import io
from typing import Any, Dict, List

import pytest
import torch
from torch import nn

import ember


class CallsAttribute(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


def test_function_attributes_of_every_kind():
    def local_double(x):
        return x + x

    @ember.script
    def scripted_half(x):
        return x / 2

    x = torch.randn(3, 2)
    for fn, expected in ((local_double, x + x), (scripted_half, x / 2),
                         (torch.sigmoid, torch.sigmoid(x))):
        m = ember.script(CallsAttribute(fn))
        assert torch.allclose(m(x), expected)
    # torch.jit takes a local function and torch's operators the same way.
    assert torch.allclose(torch.jit.script(CallsAttribute(local_double))(x), x + x)


class SeluButReluWhenScripted(nn.SELU):
    def __prepare_scriptable__(self):
        return nn.ReLU()


class HoldsSelus(nn.Module):
    def __init__(self):
        super().__init__()
        shared = SeluButReluWhenScripted()
        self.seq = nn.Sequential(SeluButReluWhenScripted(), shared)
        self.last = shared

    def forward(self, x):
        return self.last(self.seq(x))


def test_prepare_scriptable_replaces_modules_as_torch_jit_does():
    x = torch.randn(4, 4)
    eager = HoldsSelus()(x)
    ours = ember.script(HoldsSelus())(x)
    theirs = torch.jit.script(HoldsSelus())(x)
    assert torch.equal(ours, theirs)
    assert torch.equal(ours, torch.relu(x))
    assert not torch.equal(ours, eager)


def test_uninitialized_module_is_reported_as_torch_jit_reports_it():
    class NoSuper(nn.Module):
        def __init__(self):
            self.x = 2

        def forward(self):
            pass

    with pytest.raises(RuntimeError, match="has not been initialized, did you forget to call"):
        ember.script(NoSuper())


class Identity(nn.Module):
    def forward(self, x):
        return x


class Loops(nn.Module):
    def __init__(self, children):
        super().__init__()
        self.children_ = children

    def forward(self, x):
        out = []
        for child in self.children_:
            out.append(child(x))
        return out


def test_traced_modules_in_a_module_list_are_called():
    traced = ember.trace(Identity(), torch.randn(1, 2))
    m = ember.script(Loops(nn.ModuleList([traced])))
    x = torch.rand(5, 5)
    assert torch.equal(m(x)[0], x)


class Holds(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x) + 1


def test_loaded_module_as_a_submodule():
    buffer = io.BytesIO()
    ember.save(ember.script(Identity()), buffer)
    buffer.seek(0)
    m = ember.script(Holds(ember.load(buffer)))
    x = torch.rand(2, 3)
    assert torch.equal(m(x), x + 1)


def test_script_object_attribute_api():
    class Trains(nn.Module):
        def forward(self) -> int:
            return 2 if self.training else 0

    module = Trains()
    training = ember.script(module)
    module.eval()
    evaluating = ember.script(module)
    assert training._c.getattr("training") is True and training() == 2
    assert evaluating._c.getattr("training") is False and evaluating() == 0
    assert training._c.hasattr("training") and not training._c.hasattr("nothing")


def test_module_interface_defined_in_a_function():
    @ember.interface
    class Unary(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            pass

    class UsesUnary(nn.Module):
        proxy: Unary

        def __init__(self):
            super().__init__()
            self.proxy = Identity()

        def forward(self, x):
            return self.proxy.forward(x) * 2

    x = torch.randn(3)
    assert torch.equal(ember.script(UsesUnary())(x), x * 2)


class CustomStateDict(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)
        self.saved: bool = False
        self.loaded: bool = False

    def forward(self, x):
        return self.fc(x)

    @torch.jit.export
    def _save_to_state_dict(self, destination: Dict[str, torch.Tensor], prefix: str,
                            keep_vars: bool):
        self.saved = True

    @torch.jit.export
    def _load_from_state_dict(self, state_dict: Dict[str, torch.Tensor], prefix: str,
                              local_metadata: Any, strict: bool, missing_keys: List[str],
                              unexpected_keys: List[str], error_msgs: List[str]):
        self.loaded = True

    @torch.jit.ignore
    def extra_repr(self):
        return "custom"


class HoldsCustomStateDict(nn.Module):
    def __init__(self):
        super().__init__()
        self.sub = CustomStateDict()

    def forward(self, x):
        return self.sub(x)


@pytest.mark.parametrize("script", [ember.script, torch.jit.script], ids=["ember", "torch"])
def test_module_methods_named_as_nn_module_methods_are_used(script):
    # test_module_apis: state_dict() and load_state_dict() run the module's
    # compiled _save_to_state_dict / _load_from_state_dict, on submodules too.
    m = script(HoldsCustomStateDict())
    assert not m.sub.saved
    state = m.state_dict()
    assert m.sub.saved and list(state) == ["sub.fc.weight", "sub.fc.bias"]
    other = script(HoldsCustomStateDict())
    other.load_state_dict(state)
    assert other.sub.loaded
    assert "custom" in repr(m.sub)


def _doubled(x):
    return x * 2


class AddsOne(nn.Module):
    def forward(self, x):
        return x + 1


class CallsHelperOnLoaded(nn.Module):
    def __init__(self, sub):
        super().__init__()
        self.sub = sub

    def forward(self, x):
        return _doubled(self.sub(x))


@pytest.mark.parametrize("jit", [ember, torch.jit], ids=["ember", "torch"])
def test_parent_of_a_loaded_module_calls_python_functions(jit):
    # The parent compiles into the loaded module's program, whose names
    # came from the archive: the parent's own globals resolve too.
    buffer = io.BytesIO()
    jit.save(jit.script(AddsOne()), buffer)
    buffer.seek(0)
    parent = jit.script(CallsHelperOnLoaded(jit.load(buffer)))
    assert torch.equal(parent(torch.ones(2)), torch.full((2,), 4.0))
    again = jit.script(CallsHelperOnLoaded(parent.sub))
    assert torch.equal(again(torch.zeros(1)), torch.full((1,), 2.0))


@pytest.mark.parametrize("jit", [ember, torch.jit], ids=["ember", "torch"])
def test_ignored_class_cannot_be_instantiated(jit):
    @torch.jit.ignore
    class PythonOnly:
        def unscriptable(self):
            return "a" + 200

    class MakesOne(nn.Module):
        def forward(self, x):
            return PythonOnly()

    with pytest.raises(Exception, match="Cannot instantiate class 'PythonOnly'"):
        jit.script(MakesOne())
