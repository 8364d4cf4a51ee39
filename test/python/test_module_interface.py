"""Module interfaces as torch.jit's test_module_interface pins them: calls
through an interface, lists of interface values, the check that a module
implements an interface (its compiled methods, argument types
contravariant, return types covariant), swapping a submodule held as an
interface or as a class for another scripted module, and the errors for
what does not fit."""
from typing import Any, List

import pytest
import torch
from torch import nn

import ember


class OrigModule(nn.Module):
    def one(self, inp1: torch.Tensor, inp2: torch.Tensor) -> torch.Tensor:
        return inp1 + inp2 + 1

    def two(self, input: torch.Tensor) -> torch.Tensor:
        return input + 2

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return input + self.one(input, input) + 1


class NewModule(nn.Module):
    def one(self, inp1: torch.Tensor, inp2: torch.Tensor) -> torch.Tensor:
        return inp1 * inp2 + 1

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return self.one(input, input + 1)


@ember.interface
class OneInterface(nn.Module):
    def one(self, inp1: torch.Tensor, inp2: torch.Tensor) -> torch.Tensor:
        pass


@ember.interface
class ModuleInterface(nn.Module):
    def one(self, inp1: torch.Tensor, inp2: torch.Tensor) -> torch.Tensor:
        pass

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        r"""stuff 1"""
        pass
        r"""stuff 2"""


@ember.interface
class OneTwoModule(nn.Module):
    def one(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        pass

    def two(self, x: torch.Tensor) -> torch.Tensor:
        pass

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pass


@ember.interface
class OneTwoClass(object):
    def one(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        pass

    def two(self, x: torch.Tensor) -> torch.Tensor:
        pass


class FooMod(nn.Module):
    def one(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return x + y

    def two(self, x: torch.Tensor) -> torch.Tensor:
        return 2 * x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.one(self.two(x), x)


class BarMod(nn.Module):
    def one(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return x * y

    def two(self, x: torch.Tensor) -> torch.Tensor:
        return 2 / x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.two(self.one(x, x))

    @ember.export
    def forward2(self, x: torch.Tensor) -> torch.Tensor:
        return self.two(self.one(x, x)) + 1


class HoldsInterface(nn.Module):
    proxy_mod: ModuleInterface

    def __init__(self, proxy=None):
        super().__init__()
        self.proxy_mod = proxy if proxy is not None else OrigModule()

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return self.proxy_mod.forward(input)


def calls_undeclared(mod: OneTwoModule, x: torch.Tensor) -> torch.Tensor:
    return mod.forward2(x)


def use_module_interface(mod_list: List[OneTwoModule], x: torch.Tensor):
    return mod_list[0].forward(x) + mod_list[1].forward(x)


def use_class_interface(mod_list: List[OneTwoClass], x: torch.Tensor) -> torch.Tensor:
    return mod_list[0].two(x) + mod_list[1].one(x, x)


def as_one_two(x: OneTwoModule) -> OneTwoModule:
    return x


# Test that calls through module and class interfaces in a list run the
# implementing modules' methods.
@pytest.mark.parametrize("fn", [use_module_interface, use_class_interface], ids=lambda f: f.__name__)
def test_calls_through_interfaces(fn):
    mods = [ember.script(FooMod()), ember.script(BarMod())]
    x = torch.rand(3, 4)
    torch.testing.assert_close(ember.script(fn)(mods, x), fn([FooMod(), BarMod()], x))


# Test that a method the interface does not declare cannot be called
# through it, even where the module has it.
def test_undeclared_method_is_refused():
    with pytest.raises(ember.CompileError, match="object has no attribute or method 'forward2'"):
        ember.script(calls_undeclared)


class NotCompatible(nn.Module):
    def two(self, x: int) -> int:
        return 2 * x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + torch.randn(3, self.two(3))


# Test that a module passed as an interface must implement it, and comes
# back as a scripted module.
def test_interface_arguments_are_checked():
    fn = ember.script(as_one_two)
    with pytest.raises(RuntimeError, match="is not compatible with interface"):
        fn(ember.script(NotCompatible()))
    assert isinstance(fn(ember.script(FooMod())), ember.RecursiveScriptModule)


@ember.interface
class TensorToAny(nn.Module):
    def forward(self, input: torch.Tensor) -> Any:
        pass


class AnyToTensor(nn.Module):
    def forward(self, input: Any) -> torch.Tensor:
        return torch.tensor([1])


def as_tensor_to_any(x: TensorToAny) -> TensorToAny:
    return x


# Test that an implementation may take more (Any for Tensor) and return
# less (Tensor for Any) than the interface says.
def test_implementations_are_contravariant_and_covariant():
    ember.script(as_tensor_to_any)(ember.script(AnyToTensor()))


# Test that an interface may not inherit from another class.
@pytest.mark.parametrize("jit", [ember, torch.jit], ids=["ember", "torch"])
def test_interface_inheritance_is_refused(jit):
    with pytest.raises(RuntimeError, match="does not support inheritance yet. Please directly"):
        @jit.interface
        class InheritMod(nn.ReLU):
            def three(self, x: torch.Tensor) -> torch.Tensor:
                return 3 * x


class WrongSignature(nn.Module):
    def forward(self, input: int) -> int:
        return input + 1


class OneNotCompiled(nn.Module):
    def one(self, inp1: torch.Tensor, inp2: torch.Tensor) -> torch.Tensor:
        return inp1 * inp2 + 1

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return input + 1


class OneExported(OneNotCompiled):
    @ember.export
    def one(self, inp1: torch.Tensor, inp2: torch.Tensor) -> torch.Tensor:
        return inp1 * inp2 + 1


# Test that a submodule held as an interface can be swapped for any
# scripted module whose compiled methods implement it, and for nothing else.
def test_interface_submodule_swap():
    m = ember.script(HoldsInterface())
    x = torch.randn(3, 4)
    torch.testing.assert_close(m(x), 3 * x + 2)
    m.proxy_mod = ember.script(NewModule())
    torch.testing.assert_close(m(x), x * (x + 1) + 1)
    with pytest.raises(RuntimeError, match="a ScriptModule with non-scripted module"):
        m.proxy_mod = NewModule()
    with pytest.raises(RuntimeError, match="is not compatible with interface"):
        m.proxy_mod = ember.script(WrongSignature())
    # `one` is not called from forward, so not compiled: it does not count.
    with pytest.raises(RuntimeError, match="is not compatible with interface"):
        m.proxy_mod = ember.script(OneNotCompiled())
    m.proxy_mod = ember.script(OneExported())
    torch.testing.assert_close(m(x), x + 1)


class OrigScriptModule(ember.ScriptModule):
    @ember.script_method
    def one(self, inp1: torch.Tensor, inp2: torch.Tensor) -> torch.Tensor:
        return inp1 + inp2 + 1

    @ember.script_method
    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return input + self.one(input, input) + 1


class NewScriptModule(ember.ScriptModule):
    @ember.script_method
    def one(self, inp1: torch.Tensor, inp2: torch.Tensor) -> torch.Tensor:
        return inp1 * inp2 + 1

    @ember.script_method
    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return self.one(input, input + 1)


# Test that legacy ScriptModules fill and replace an interface submodule.
def test_legacy_script_modules_as_interface():
    m = ember.script(HoldsInterface(OrigScriptModule()))
    x = torch.randn(3, 4)
    torch.testing.assert_close(m(x), 3 * x + 2)
    m.proxy_mod = NewScriptModule()
    torch.testing.assert_close(m(x), x * (x + 1) + 1)


class HoldsClass(nn.Module):
    def __init__(self):
        super().__init__()
        self.proxy_mod = OrigModule()

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return self.proxy_mod(input)


# Test that a submodule held as its class takes a module of the same class
# and refuses another one (compiled code reads it by slot).
def test_class_submodule_swap():
    m = ember.script(HoldsClass())
    m.proxy_mod = ember.script(OrigModule())
    expected = "Expected a value of type '__torch__.{0}.OrigModule' but found '__torch__.{0}.NewModule'"
    with pytest.raises(RuntimeError, match=expected.format(__name__)):
        m.proxy_mod = ember.script(NewModule())
    x = torch.randn(2)
    torch.testing.assert_close(m(x), OrigModule()(x))


class WalksInterface(nn.Module):
    proxy_mod: OneInterface

    def __init__(self):
        super().__init__()
        self.proxy_mod = OrigModule()

    def forward(self, input):
        return input * 2

    @ember.export
    def method(self, input):
        for module in self.modules():
            input = module(input)
        return input


# Test that modules() refuses to walk into a submodule known only by its
# interface.
def test_modules_over_an_interface_is_refused():
    with pytest.raises(ember.CompileError, match="Could not compile modules"):
        ember.script(WalksInterface())
