"""Fused elementwise kernels against eager PyTorch.

Each program is scripted afresh under the jit executor, so its first call
specialises it, groups its elementwise ops into prim::FusionGroup nodes and
compiles one kernel per group. Results must match eager within 1e-5
relative; the fusion counters show whether a kernel or the unfused ops ran,
so every case also checks that it tested what it meant to.
"""
import math
import threading
from typing import Tuple

import pytest
import torch

import ember

def _jit_available():
    old = ember._C._executor()
    try:
        ember._C._set_executor("jit")
        return True
    except ValueError:
        return False
    finally:
        ember._C._set_executor(old)


requires_jit = pytest.mark.skipif(not _jit_available(), reason="ember built without LLVM")


@pytest.fixture(autouse=True)
def jit_executor():
    old = ember._C._executor()
    if _jit_available():
        ember._C._set_executor("jit")
    ember._C._set_fusion_enabled(True)
    yield
    ember._C._set_executor(old)
    ember._C._set_fusion_enabled(True)


def counters():
    return ember._C._fusion_counters()


def run_fused(fn, *args):
    """Scripts fn, calls it under no_grad; returns (result, kernel runs, unfused runs)."""
    compiled = ember.script(fn)
    before = counters()
    with torch.no_grad():
        result = compiled(*args)
    after = counters()
    return (result, after["kernel_runs"] - before["kernel_runs"],
            after["unfused_runs"] - before["unfused_runs"])


def assert_same(actual, expected):
    if isinstance(expected, tuple):
        for a, e in zip(actual, expected):
            assert_same(a, e)
        return
    assert actual.dtype == expected.dtype
    assert actual.shape == expected.shape
    if expected.dtype.is_floating_point:
        torch.testing.assert_close(actual, expected, rtol=1e-5, atol=1e-6, equal_nan=True)
    else:
        assert torch.equal(actual, expected)


# Programs: each holds at least two fusible ops, so a group forms.

def arith(x, y):
    return (x + y * 2.0 - 1) / (y.abs() + 1.0) - torch.add(x, y, alpha=2) + (1 - x) * -y


def powers(x, y):
    return x.pow(2) + y ** 3 + torch.pow(x.abs() + 0.5, y) + 2 ** x + x.abs() ** 0.5 + 1.0 / x.reciprocal()


def extremes(x, y):
    return (torch.maximum(x, y) + torch.minimum(x, y) * 2 + torch.max(x, y) - torch.min(x, y)
            + x.clamp(-0.5, 0.5) + torch.clamp(y, min=0.0) + torch.clamp(x, max=0.2)
            + torch.clamp_min(x, 0.1) + torch.clamp_max(y, -0.1))


def selects(x, y):
    return torch.where(x > y, x, y * 2) + torch.where(x < 0.0, x, 0.5) + torch.where(y >= 0.0, 1.0, y)


def compares(x, y) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    a = (x * 2 > y).to(torch.float32) + (x <= y).to(torch.float32) + (x == x).to(torch.float32)
    return a, (x + 1 != y), (x - y).ge(0.25)


def transcendental(x):
    p = x.abs() + 0.1
    return (torch.exp(x) + torch.expm1(x) + torch.log(p) + torch.log1p(p) + torch.log2(p)
            + torch.log10(p) + torch.sqrt(p) + torch.rsqrt(p) + torch.sin(x) + torch.cos(x)
            + torch.tanh(x) + torch.erf(x))


def rounding(x):
    y = x * 3.7
    return torch.floor(y) + torch.ceil(y) * 2 + torch.trunc(y) * 4 - torch.neg(y)


def activations(x):
    f = torch.nn.functional
    return (torch.sigmoid(x) + torch.relu(x) + f.silu(x) + f.gelu(x) + f.gelu(x, approximate="tanh")
            + f.leaky_relu(x, 0.2) + f.relu(x * 2))


def more_activations(x):
    f = torch.nn.functional
    return (f.hardtanh(x, -0.5, 0.75) + f.hardsigmoid(x) + f.hardswish(x) + f.elu(x, 0.7)
            + f.softplus(x, 2.0, 3.0) + f.threshold(x, 0.1, -2.0) + f.relu6(x * 3.0) + f.selu(x))


def more_math(x, y):
    p = x.abs() * 0.5
    m = x > 0.2
    return (torch.tan(p) + torch.atan(x) + torch.asin(p.clamp(max=0.99)) + torch.acos(p.clamp(max=0.99))
            + torch.sinh(x) + torch.cosh(x) + torch.addcmul(x, y, x, value=0.5) + torch.lerp(x, y, 0.3)
            + torch.lerp(x, y, 0.8) + x.masked_fill(m, 2.5) + torch.logical_not(m).to(x.dtype))


def casts(x, d):
    return x.to(torch.float64) * d + x.type_as(d) + (x > 0).to(torch.float64)


def int_math(i, j):
    return (i * 2 + j) - (i - 3) * j, torch.maximum(i, j) + (i > j).to(torch.int64)


def mixed(i, x):
    return (i * 2 + 1) * x + i / 2


def scalars(x, s: float, k: int):
    return x * s + k - s * 0.5


def gelu_tanh(x):
    return 0.5 * x * (1.0 + torch.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)))


def bias_swish(x, b):
    y = x + b
    return y * torch.sigmoid(y)


def row_softmax(x):
    m = x.amax(dim=-1, keepdim=True)
    e = torch.exp(x - m)
    return e / e.sum(dim=-1, keepdim=True)


def row_layernorm(x, w, b):
    mean = x.mean(dim=-1, keepdim=True)
    d = x - mean
    var = (d * d).mean(dim=-1, keepdim=True)
    return d * torch.rsqrt(var + 1e-5) * w + b


def builtin_rows(x, w, b):
    f = torch.nn.functional
    y = x * 2.0
    return (torch.softmax(y, -1) + f.log_softmax(y, dim=-1) + f.layer_norm(y, [x.size(-1)], w, b)
            + f.layer_norm(y + 1.0, [x.size(-1)]))


def row_statistics(x) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    y = x * 3.0
    return (y.sum(-1, keepdim=True), y.amin(-1, keepdim=True) + 1.0, torch.sum(y, dim=[-1], keepdim=True),
            y - y.amax(dim=-1, keepdim=True))


def r(*shape, dtype=torch.float32):
    return torch.randn(*shape, dtype=dtype)


CASES = [
    ("arith", arith, lambda t: (r(257, dtype=t), r(257, dtype=t))),
    ("powers", powers, lambda t: (r(100, dtype=t), r(100, dtype=t))),
    ("extremes", extremes, lambda t: (r(33, 5, dtype=t), r(33, 5, dtype=t))),
    ("selects", selects, lambda t: (r(64, dtype=t), r(64, dtype=t))),
    ("compares", compares, lambda t: (r(50, dtype=t), r(50, dtype=t))),
    ("transcendental", transcendental, lambda t: (r(1001, dtype=t),)),
    ("rounding", rounding, lambda t: (r(77, dtype=t),)),
    ("activations", activations, lambda t: (r(4099, dtype=t),)),
    ("more_activations", more_activations, lambda t: (r(1031, dtype=t) * 4,)),
    ("more_math", more_math, lambda t: (r(517, dtype=t), r(517, dtype=t))),
    ("gelu", gelu_tanh, lambda t: (r(100003, dtype=t),)),
    ("row_softmax", row_softmax, lambda t: (r(37, 129, dtype=t),)),
    ("row_layernorm", row_layernorm, lambda t: (r(3, 5, 64, dtype=t), r(64, dtype=t), r(64, dtype=t))),
    ("builtin_rows", builtin_rows, lambda t: (r(300, 17, dtype=t), r(17, dtype=t), r(17, dtype=t))),
    ("row_statistics", row_statistics, lambda t: (r(6, 1, 40, dtype=t),)),
    ("rows_in_parallel", row_softmax, lambda t: (r(2048, 256, dtype=t),)),
]


@requires_jit
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("name,fn,make", CASES, ids=[c[0] for c in CASES])
def test_ops_match_eager(name, fn, make, dtype):
    torch.manual_seed(0)
    args = make(dtype)
    result, kernels, unfused = run_fused(fn, *args)
    assert_same(result, fn(*args))
    assert kernels >= 1 and unfused == 0


@requires_jit
def test_nan_and_infinity_propagate_as_in_eager():
    x = torch.tensor([float("nan"), 1.0, -2.0, float("inf"), -float("inf"), 0.0, -0.0, 3.5])
    y = torch.tensor([0.0, float("nan"), 1.0, 2.0, float("nan"), -1.0, 1.0, float("inf")])
    for fn in (extremes, selects, compares, activations, arith):
        args = (x, y) if fn.__code__.co_argcount == 2 else (x,)
        result, kernels, _ = run_fused(fn, *args)
        assert kernels >= 1
        assert_same(result, fn(*args))


@requires_jit
def test_casts_and_dtype_promotion_follow_aten():
    x, d = r(40), r(40, dtype=torch.float64)
    result, kernels, _ = run_fused(casts, x, d)
    assert kernels >= 1 and result.dtype == torch.float64
    assert_same(result, casts(x, d))
    # An int tensor times a float tensor is float; i / 2 is true division.
    i = torch.randint(-5, 5, (40,))
    result, kernels, _ = run_fused(mixed, i, x)
    assert kernels >= 1
    assert_same(result, mixed(i, x))
    # A float64 zero-dim tensor does not promote a float32 tensor.
    result, _, _ = run_fused(arith, x, torch.tensor(1.5, dtype=torch.float64))
    assert_same(result, arith(x, torch.tensor(1.5, dtype=torch.float64)))


@requires_jit
@pytest.mark.parametrize("dtype", [torch.int64, torch.int32])
def test_integer_kernels(dtype):
    i = torch.randint(-100, 100, (300,), dtype=dtype)
    j = torch.randint(-100, 100, (300,), dtype=dtype)
    result, kernels, _ = run_fused(int_math, i, j)
    assert kernels >= 1
    assert_same(result, int_math(i, j))


@requires_jit
def test_broadcasting_shapes():
    cases = [
        (r(64, 1), r(1, 32)),
        (r(8, 16, 32), r(32)),
        (r(7, 1, 5), r(3, 1)),
        (r(12), torch.tensor(2.5)),
        (torch.tensor(1.5), torch.tensor(-0.5)),
        (r(0, 4), r(4)),
    ]
    for x, y in cases:
        result, kernels, _ = run_fused(bias_swish, x, y)
        assert kernels == 1, (x.shape, y.shape)
        assert_same(result, bias_swish(x, y))


@requires_jit
def test_runtime_scalars_are_kernel_arguments():
    compiled = ember.script(scalars)
    x = r(1000)
    with torch.no_grad():
        for s, k in ((0.5, 3), (-2.25, -7), (1e10, 0)):
            before = counters()
            assert_same(compiled(x, s, k), scalars(x, s, k))
            after = counters()
            assert after["kernel_runs"] == before["kernel_runs"] + 1
    # One kernel served every scalar value.
    assert counters()["compiled"] - before["compiled"] == 0


@requires_jit
def test_large_inputs_run_in_parallel_chunks():
    x = r(1 << 20 | 3)
    b = r(1 << 20 | 3)
    result, kernels, _ = run_fused(bias_swish, x, b)
    assert kernels == 1
    assert_same(result, bias_swish(x, b))


@requires_jit
def test_non_contiguous_inputs_run_unfused_with_eager_layout():
    x = r(64, 48).t()
    result, kernels, unfused = run_fused(gelu_tanh, x)
    assert kernels == 0 and unfused == 1
    expected = gelu_tanh(x)
    assert_same(result, expected)
    assert result.stride() == expected.stride()


@requires_jit
def test_inputs_requiring_grad_run_unfused_and_backward_matches():
    x = r(100).requires_grad_()
    b = r(100)
    compiled = ember.script(bias_swish)
    before = counters()
    out = compiled(x, b)
    after = counters()
    assert after["kernel_runs"] == before["kernel_runs"]
    assert after["unfused_runs"] == before["unfused_runs"] + 1
    out.sum().backward()
    g = x.grad.clone()
    x.grad = None
    bias_swish(x, b).sum().backward()
    assert_same(g, x.grad)
    # Under no_grad the same function uses the kernel.
    with torch.no_grad():
        before = counters()
        assert_same(compiled(x, b), bias_swish(x, b))
        assert counters()["kernel_runs"] == before["kernel_runs"] + 1


@requires_jit
def test_fusion_switched_off_gives_the_same_results():
    x = r(500)
    fused, kernels, _ = run_fused(gelu_tanh, x)
    assert kernels == 1
    ember._C._set_fusion_enabled(False)
    unfused, kernels, unfused_runs = run_fused(gelu_tanh, x)
    assert kernels == 0 and unfused_runs == 1
    assert_same(fused, unfused)


@requires_jit
def test_graph_for_shows_the_fusion_group():
    compiled = ember.script(gelu_tanh)
    graph = str(compiled.graph_for(r(16)))
    assert "prim::FusionGroup_0(" in graph
    assert "with prim::FusionGroup_0 = graph(" in graph
    assert "aten::tanh" in graph.split("with prim::FusionGroup_0")[1]


def bad_broadcast(x, y):
    a = x * 2.0
    return torch.relu(a + y)


@requires_jit
def test_errors_inside_a_group_name_the_failing_op():
    compiled = ember.script(bad_broadcast)
    with pytest.raises(ember.Error) as fused:
        compiled(r(3), r(4))
    ember._C._set_executor("interp")
    with pytest.raises(ember.Error) as interp:
        ember.script(bad_broadcast)(r(3), r(4))
    assert str(fused.value) == str(interp.value)
    assert "return torch.relu(a + y)" in str(fused.value)
    assert "must match the size of tensor b" in str(fused.value)


@requires_jit
def test_concurrent_calls_with_different_shapes():
    compiled = ember.script(bias_swish)
    shapes = [(100,), (10, 10), (3, 7, 5), (1000,)]
    errors = []

    def worker(shape):
        try:
            with torch.no_grad():
                for _ in range(20):
                    x, b = r(*shape), r(shape[-1])
                    assert_same(compiled(x, b), bias_swish(x, b))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(s,)) for s in shapes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def int_pow(i):
    return (i + 1) ** 2 * i


@requires_jit
def test_groups_the_kernel_cannot_compile_run_unfused():
    i = torch.randint(0, 5, (20,))
    result, kernels, unfused = run_fused(int_pow, i)
    assert kernels == 0 and unfused == 1
    assert_same(result, int_pow(i))
    h = r(10).to(torch.float16)
    result, kernels, unfused = run_fused(arith, h, h)
    assert kernels == 0 and unfused >= 1
    assert_same(result, arith(h, h))



def helper_that_fails(x):
    return torch.relu(x.view(-1, 7)) * 2


def calls_helper(x):
    y = x * 2.0
    return helper_that_fails(y) + 1


def swish_helper(x):
    return x * torch.sigmoid(x)


def calls_swish(x):
    return swish_helper(x + 1.0) * 3.0


@requires_jit
def test_called_functions_are_inlined_into_the_group():
    compiled = ember.script(calls_swish)
    x = r(100)
    graph = str(compiled.graph_for(x))
    assert "prim::CallFunction" not in graph
    assert "aten::sigmoid" in graph.split("with prim::FusionGroup_0")[1]
    result, kernels, _ = run_fused(calls_swish, x)
    assert kernels == 1
    assert_same(result, calls_swish(x))


@requires_jit
def test_errors_in_inlined_functions_keep_every_frame():
    with pytest.raises(ember.Error) as jit:
        ember.script(calls_helper)(r(10))
    ember._C._set_executor("interp")
    with pytest.raises(ember.Error) as interp:
        ember.script(calls_helper)(r(10))
    assert str(jit.value) == str(interp.value)
    text = str(jit.value)
    assert "in calls_helper" in text and "in helper_that_fails" in text


class GeluHead(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(16, 16)
        self.scale = 2.0

    def forward(self, x):
        return torch.nn.functional.gelu(self.lin(x)) * self.scale + torch.sigmoid(x)


@requires_jit
def test_module_forward_fuses_through_submodule_calls():
    torch.manual_seed(0)
    m = GeluHead().eval()
    scripted = ember.script(m)
    x = r(4, 16)
    with torch.no_grad():
        before = counters()
        assert_same(scripted(x), m(x))
        assert counters()["kernel_runs"] > before["kernel_runs"]
    # With grad on, parameters require grad: the ops run unfused, and
    # gradients reach the parameters as in eager.
    scripted(x).sum().backward()
    ember_grads = [p.grad.clone() for p in m.parameters()]
    m.zero_grad()
    m(x).sum().backward()
    for g, p in zip(ember_grads, m.parameters()):
        assert_same(g, p.grad)


def cast_passthrough(x):
    y = x.to(torch.float32)
    return y, y * 2.0 + 1.0


@requires_jit
def test_a_cast_to_the_same_dtype_still_aliases_its_input():
    x = r(8)
    compiled = ember.script(cast_passthrough)
    with torch.no_grad():
        y, z = compiled(x)
    expected_y, expected_z = cast_passthrough(x)
    assert_same(z, expected_z)
    # Eager returns x itself; so must ember.
    assert y.data_ptr() == x.data_ptr()


def reduce_other_dim(x):
    y = x * 2.0
    return y.sum(0, keepdim=True) + y, torch.softmax(y, 0), y.mean(-1) * 2.0


@requires_jit
def test_reductions_the_kernel_does_not_handle_run_unfused():
    # Another dimension, no keepdim: the groups run their ops one by one.
    x = r(8, 6)
    result, _, unfused = run_fused(reduce_other_dim, x)
    assert unfused >= 1
    assert_same(result, reduce_other_dim(x))


@requires_jit
def test_row_reductions_with_nan_and_infinity():
    x = r(4, 9)
    x[0, 3] = float("nan")
    x[1, 2] = float("inf")
    x[2, :] = -float("inf")
    for fn in (row_softmax, row_statistics):
        result, kernels, _ = run_fused(fn, x)
        assert kernels == 1
        assert_same(result, fn(x))


def tiny_chain(x):
    for _ in range(20):
        x = x * 0.5 + 1.0
        x = torch.relu(x - 0.25)
    return x


def indexed_loop(x):
    acc = torch.zeros_like(x)
    for i in range(4):
        acc = acc + x * float(i) - i
    for j in range(x.size(0)):
        acc = acc * 0.5 + j
    return acc


@requires_jit
def test_constant_loops_unroll_into_one_kernel():
    x = r(4)
    compiled = ember.script(tiny_chain)
    graph = str(compiled.graph_for(x))
    assert "prim::Loop" not in graph
    assert graph.count("prim::FusionGroup_") == 2  # the call and its `with` subgraph
    result, kernels, _ = run_fused(tiny_chain, x)
    assert kernels == 1
    assert_same(result, tiny_chain(x))


@requires_jit
def test_unrolled_loops_see_their_trip_number():
    # The second loop's count is x.size(0): a constant only under STATIC
    # specialisation, which the first two calls get.
    for n in (3, 5, 300):
        x = r(n)
        result, _, _ = run_fused(indexed_loop, x)
        assert_same(result, indexed_loop(x))


@requires_jit
def test_kernels_for_a_named_cpu_match_eager(tmp_path):
    # EMBER_JIT_CPU picks the CPU code is generated for (x86-64: SSE2 only,
    # so no AVX and libmvec's SSE variants).
    import os
    import subprocess
    import sys
    program = (
        "import torch, ember\n"
        "def f(x):\n"
        "    return 0.5 * x * (1.0 + torch.tanh(0.79788456 * (x + 0.044715 * x * x * x)))"
        " + torch.softmax(x, -1)\n"
        "x = torch.randn(33, 65)\n"
        "with torch.no_grad():\n"
        "    r = ember.script(f)(x)\n"
        "torch.testing.assert_close(r, f(x), rtol=1e-5, atol=1e-6)\n"
        "assert ember._C._fusion_counters()['kernel_runs'] == 1\n"
        "print('ok')\n")
    script = tmp_path / "named_cpu.py"
    script.write_text(program)
    env = dict(os.environ, EMBER_JIT_CPU="x86-64", EMBER_EXECUTOR="jit",
               PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
