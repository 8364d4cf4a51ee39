"""Scripted code on CUDA tensors (skipped where torch sees no GPU): ATen ops
reach the CUDA kernels through the dispatcher, modules move with .cuda(),
autograd runs on the device, and results match eager on the same device."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import ember

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")


def gelu_chain(x: torch.Tensor, w: torch.Tensor, n: int) -> torch.Tensor:
    for _ in range(n):
        x = F.gelu(x @ w) + x
    return x.softmax(-1)


def index_and_mask(x: torch.Tensor, k: int) -> torch.Tensor:
    mask = x > 0
    y = torch.where(mask, x, torch.zeros_like(x))
    return y[:, :k].sum(dim=1) + x.new_ones(x.size(0)) * float(mask.sum())


def test_function_on_cuda():
    x = torch.randn(64, 32, device="cuda")
    w = torch.randn(32, 32, device="cuda") / 32 ** 0.5
    fn = ember.script(gelu_chain)
    out = fn(x, w, 3)
    assert out.device.type == "cuda"
    assert torch.allclose(out, gelu_chain(x, w, 3), atol=1e-5)
    g = ember.script(index_and_mask)
    assert torch.allclose(g(x, 5), index_and_mask(x, 5))


def test_module_moves_with_cuda_and_matches_eager():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 4 * 4, 10)).eval()
    scripted = ember.script(model)
    scripted.cuda()
    assert all(p.device.type == "cuda" for p in scripted.parameters())
    assert all(b.device.type == "cuda" for b in scripted.buffers())
    x = torch.randn(4, 3, 8, 8, device="cuda")
    # Moving the script module replaces its slots' tensors (as torch.jit's
    # does); the eager module keeps its own and is moved separately.
    model.cuda()
    assert torch.allclose(scripted(x), model(x), atol=1e-5)


def test_autograd_on_cuda():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(16, 32), nn.GELU(), nn.Linear(32, 1)).cuda()
    scripted = ember.script(model)
    x = torch.randn(8, 16, device="cuda")
    scripted(x).sum().backward()
    grads = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    model(x).sum().backward()
    for a, p in zip(grads, model.parameters()):
        assert torch.allclose(a, p.grad, atol=1e-6)


def test_lstm_on_cuda():
    torch.manual_seed(0)
    lstm = nn.LSTM(8, 16, num_layers=2).cuda()
    scripted = ember.script(lstm)
    x = torch.randn(5, 3, 8, device="cuda")
    out, (h, c) = scripted(x)
    eout, (eh, ec) = lstm(x)
    assert torch.allclose(out, eout, atol=1e-5) and torch.allclose(h, eh, atol=1e-5)


def test_device_values_in_script():
    def on(x: torch.Tensor) -> torch.Tensor:
        y = torch.ones(3, device=x.device)
        if x.is_cuda:
            y = y * 2
        return y.to("cpu")

    fn = ember.script(on)
    assert torch.equal(fn(torch.zeros(1, device="cuda")), torch.full((3,), 2.0))
    assert torch.equal(fn(torch.zeros(1)), torch.ones(3))
