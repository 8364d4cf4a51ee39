"""Forward hooks and pre-hooks of scripted modules, against eager PyTorch and
torch.jit: compiled into the module's class, run when compiled code calls
the module and when Python does, kept in archives in torch.jit's layout
(`__forward_pre_hooks__`, `__torch__.Sub.pre(sub, (x,))`) both ways."""
import io
from typing import Tuple

import pytest
import torch
import torch.nn as nn

import ember


class Scale(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 3)

    def forward(self, x):
        return self.lin(x) * 2


class Outer(nn.Module):
    def __init__(self):
        super().__init__()
        self.sub = Scale()
        self.other = Scale()  # same class, no hooks: must not share the hooked type

    def forward(self, x):
        return self.sub(x) + self.other(x)


def times_ten(module, inputs: Tuple[torch.Tensor]) -> Tuple[torch.Tensor]:
    return (inputs[0] * 10,)


def observe(module, inputs: Tuple[torch.Tensor]) -> None:
    pass


def minus_input(module, inputs: Tuple[torch.Tensor], output: torch.Tensor) -> torch.Tensor:
    return output - inputs[0]


def shift(module, inputs: Tuple[torch.Tensor], output: torch.Tensor) -> torch.Tensor:
    return output + 0.5


def _hooked():
    torch.manual_seed(0)
    m = Outer()
    m.sub.register_forward_pre_hook(times_ten)
    m.sub.register_forward_pre_hook(observe)
    m.sub.register_forward_hook(minus_input)
    m.register_forward_hook(shift)
    return m


def test_hooks_run_in_compiled_and_python_calls():
    eager = _hooked()
    scripted = ember.script(eager)
    x = torch.randn(2, 3)
    with torch.no_grad():
        torch.testing.assert_close(scripted(x), eager(x))          # root hook from Python
        torch.testing.assert_close(scripted.sub(x), eager.sub(x))  # submodule called directly
        torch.testing.assert_close(scripted.other(x), eager.other(x))
        # forward itself runs no hooks, as in torch.jit and eager.
        torch.testing.assert_close(scripted.forward(x), eager.forward(x))
    # Hooks are called as functions of the class's namespace, as
    # TorchScript prints them.
    code, reference = scripted.code, torch.jit.script(eager).code
    for text in (code, reference):
        assert "Scale.times_ten(sub, (x,), )" in text or "Scale.times_ten\n" in text
        assert "Scale.minus_input" in text


@pytest.mark.parametrize("writer", ["ember", "torch"])
def test_hooks_survive_archives_both_ways(writer):
    eager = _hooked()
    buffer = io.BytesIO()
    if writer == "ember":
        ember.save(ember.script(eager), buffer)
    else:
        torch.jit.save(torch.jit.script(eager), buffer)
    x = torch.randn(2, 3)
    with torch.no_grad():
        buffer.seek(0)
        loaded = ember.load(buffer)
        torch.testing.assert_close(loaded(x), eager(x))
        torch.testing.assert_close(loaded.sub(x), eager.sub(x))
        buffer.seek(0)
        reloaded = torch.jit.load(buffer)
        torch.testing.assert_close(reloaded(x), eager(x))
        torch.testing.assert_close(reloaded.sub(x), eager.sub(x))


def test_hook_without_return_annotation_is_refused_as_torch_does():
    def unannotated(module, inputs: Tuple[torch.Tensor]):
        return inputs

    m = Scale()
    m.register_forward_pre_hook(unannotated)
    with pytest.raises(RuntimeError, match="missing a return annotation"):
        ember.script(m)
    with pytest.raises(RuntimeError, match="missing a return annotation"):
        torch.jit.script(m)


def test_hooks_of_submodules_survive_freezing_and_own_hooks_are_refused():
    eager = _hooked().eval()
    with pytest.raises(RuntimeError, match="forward hooks of its own"):
        ember.freeze(ember.script(eager).eval())
    inner = Outer().eval()
    inner.sub.register_forward_pre_hook(times_ten)
    frozen = ember.freeze(ember.script(inner).eval())
    x = torch.randn(2, 3)
    with torch.no_grad():
        torch.testing.assert_close(frozen(x), inner(x))
