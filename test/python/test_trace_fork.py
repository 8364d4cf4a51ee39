"""torch.jit.fork and wait inside traced code, as torch.jit.trace records
them: the forked function's operators go into the subgraph of a prim::fork
node (run asynchronously by the trace), its result is read with
aten::wait, and values of the caller the forked code reads (inputs,
parameters, submodules) are captured as the subgraph's inputs. Every trace
runs on inputs other than the example's and is compared with eager."""
import io

import pytest
import torch
import torch.nn as nn

import ember


def double_plus_one(x):
    return x * 2 + 1


def forks_once(x):
    fut = torch.jit.fork(double_plus_one, x)
    y = torch.jit.wait(fut)
    return y - x


def forks_twice(x, y):
    a = torch.jit._fork(double_plus_one, x)
    b = torch.jit.fork(torch.mm, x, y)
    return torch.jit._wait(a) + b.wait().sum()


def forks_with_ember(x):
    fut = ember.fork(double_plus_one, x)
    return ember.wait(fut) * x


def kinds(graph):
    return [n.kind() for n in graph.nodes()]


@pytest.mark.parametrize("fn, example, other", [
    (forks_once, (torch.ones(3),), (torch.randn(5),)),
    (forks_twice, (torch.ones(2, 2), torch.ones(2, 2)), (torch.randn(3, 3), torch.randn(3, 3))),
    (forks_with_ember, (torch.ones(3),), (torch.randn(4),)),
])
def test_function_forks_are_recorded(fn, example, other):
    traced = ember.trace(fn, example)
    assert "prim::fork" in kinds(traced.graph) and "aten::wait" in kinds(traced.graph)
    if fn is not forks_with_ember:
        assert kinds(traced.graph).count("prim::fork") == \
            kinds(torch.jit.trace(fn, example).graph).count("prim::fork")
    torch.testing.assert_close(traced(*other), fn(*other))


class Scale(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(3))

    def forward(self, x):
        return x * self.weight


class ForksSubmodule(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = Scale()
        self.bias = nn.Parameter(torch.randn(3))

    def forward(self, x):
        futures = [torch.jit.fork(self.scale, x + i) for i in range(3)]
        captured = torch.jit.fork(lambda: x + self.bias)
        return sum(torch.jit.wait(f) for f in futures) + torch.jit.wait(captured)


def test_module_forks_capture_submodules_and_parameters():
    m = ForksSubmodule()
    traced = ember.trace(m, (torch.randn(2, 3),))
    assert kinds(traced.graph).count("prim::fork") == 4
    assert kinds(traced.graph).count("aten::wait") == 4
    x = torch.randn(5, 3)
    torch.testing.assert_close(traced(x), m(x))
    buf = io.BytesIO()
    ember.save(traced, buf)
    buf.seek(0)
    torch.testing.assert_close(torch.jit.load(buf)(x), m(x))


def test_fork_outside_a_trace_is_torch_jit_fork():
    # Outside a trace (and after one), torch.jit.fork is torch's own.
    ember.trace(forks_once, (torch.ones(3),))
    assert torch.jit.fork.__module__ == "torch.jit._async"
    assert torch.jit.wait(torch.jit.fork(double_plus_one, torch.ones(1))).item() == 3
