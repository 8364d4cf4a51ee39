"""copy.copy and copy.deepcopy of compiled modules, as torch.jit's
RecursiveScriptModule.__copy__/__deepcopy__ behave: each case runs under
torch.jit.script too, so the expectations are torch.jit's."""
import copy
import io

import pytest
import torch
import torch.nn as nn

import ember


class Inner(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 3)
        self.register_buffer("scale", torch.full((3,), 2.0))

    def forward(self, x):
        return self.lin(x) * self.scale


class Outer(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = Inner()
        self.count = 1

    def forward(self, x):
        return self.inner(x) + self.count


SCRIPTERS = [pytest.param(ember.script, id="ember"), pytest.param(torch.jit.script, id="torch.jit")]


# Test that a deep copy computes the same, owns its tensors and attributes,
# and keeps parameters requiring grad.
@pytest.mark.parametrize("script", SCRIPTERS)
def test_deepcopy_is_independent(script):
    m = script(Outer())
    c = copy.deepcopy(m)
    x = torch.rand(2, 3)
    torch.testing.assert_close(c(x), m(x))
    with torch.no_grad():
        c.inner.lin.weight.add_(1.0)
    c.count = 5
    assert not torch.equal(c.inner.lin.weight, m.inner.lin.weight)
    assert m.count == 1 and c.count == 5
    # torch.jit's deep copy clones tensors (a parameter's copy records the
    # clone for autograd); ember's is the same copy.
    assert c.inner.lin.weight.requires_grad
    assert c.inner.scale.data_ptr() != m.inner.scale.data_ptr()
    assert c.code == m.code


# Test that a shallow copy shares tensors and submodules but not the
# top-level attributes.
@pytest.mark.parametrize("script", SCRIPTERS)
def test_copy_shares_tensors(script):
    m = script(Outer())
    c = copy.copy(m)
    with torch.no_grad():
        c.inner.lin.bias.fill_(3.0)
    assert torch.equal(m.inner.lin.bias, torch.full((3,), 3.0))
    c.count = 7
    assert m.count == 1
    x = torch.rand(2, 3)
    torch.testing.assert_close(c(x) - 6, m(x))


# Test that a module loaded from an archive copies, and its deep copy saves
# to an archive that torch.jit.load runs.
def test_deepcopy_of_loaded_module_saves():
    buffer = io.BytesIO()
    ember.save(ember.script(Outer()), buffer)
    buffer.seek(0)
    loaded = ember.load(buffer)
    c = copy.deepcopy(loaded)
    x = torch.rand(2, 3)
    torch.testing.assert_close(c(x), loaded(x))
    out = io.BytesIO()
    ember.save(c, out)
    out.seek(0)
    torch.testing.assert_close(torch.jit.load(out)(x), loaded(x))


# Test that a deep copy's parameters are leaves that require grad, as
# upstream test_copy expects (torch 1.13's are clones, not leaves; torch 2.x
# fixed it).
def test_deepcopy_parameters_are_leaves():
    m = ember.script(Outer())
    c = copy.deepcopy(m)
    for p, q in zip(m.parameters(), c.parameters()):
        assert q.is_leaf and q.requires_grad == p.requires_grad
        assert q.data_ptr() != p.data_ptr() and torch.equal(p, q)
    c(torch.rand(2, 3)).sum().backward()
    assert all(q.grad is not None for q in c.parameters())
    assert all(p.grad is None for p in m.parameters())
