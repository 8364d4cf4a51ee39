"""eager vs torch.jit.script vs ember, side by side in one process.

Each workload runs on the same inputs under the three; the table gives the
steady-state time per call (median of repeats, after warm-up calls, which
torch.jit's profiling executor needs), ember's speed-up over each, and the
first call of each compiled version (compilation included). Outputs are
checked against eager before anything is timed.

    /usr/bin/python3 bench/bench_jit.py [--quick] [--only NAME]

Set EMBER_EXECUTOR=interp to measure ember's interpreter instead of its JIT.
glibc's malloc is pinned first (benchutil.stable_malloc).
"""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F

from benchutil import stable_malloc
import ember  # noqa: E402


def int_loop(n: int) -> int:
    s = 0
    for i in range(n):
        if i % 3 == 0:
            s += i
        else:
            s -= 1
    return s


def tiny_chain(x: torch.Tensor) -> torch.Tensor:
    for _ in range(20):
        x = x * 0.5 + 1.0
        x = torch.relu(x - 0.25)
    return x


def small_matmuls(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    for _ in range(20):
        x = torch.addmm(b, x, w).t()
    return x


def gelu_tanh(x: torch.Tensor) -> torch.Tensor:
    return 0.5 * x * (1.0 + torch.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)))


def bias_swish(x: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    y = x + b
    return y * torch.sigmoid(y)


def row_softmax(x: torch.Tensor) -> torch.Tensor:
    m = x.amax(dim=-1, keepdim=True)
    e = torch.exp(x - m)
    return e / e.sum(dim=-1, keepdim=True)


def row_layernorm(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    mean = x.mean(dim=-1, keepdim=True)
    d = x - mean
    var = (d * d).mean(dim=-1, keepdim=True)
    return d * torch.rsqrt(var + 1e-5) * w + b


def lstm_loop(xs: torch.Tensor, h: torch.Tensor, c: torch.Tensor, w_ih: torch.Tensor,
              w_hh: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    for t in range(xs.size(0)):
        gates = torch.mm(xs[t], w_ih) + torch.mm(h, w_hh) + bias
        i, f, g, o = gates.chunk(4, 1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
    return h


def mlp(x: torch.Tensor, w1: torch.Tensor, b1: torch.Tensor, w2: torch.Tensor,
        b2: torch.Tensor) -> torch.Tensor:
    return F.linear(torch.relu(F.linear(x, w1, b1)), w2, b2)


def workloads(quick):
    g = torch.Generator().manual_seed(0)
    r = lambda *s: torch.randn(*s, generator=g)  # noqa: E731
    n = 1 << (20 if quick else 22)
    return [
        ("int loop 1e6", int_loop, (1000000,)),
        ("tiny tensor x20", tiny_chain, (r(4),)),
        ("8x8 addmm x20", small_matmuls, (r(8, 8) / 8, r(8, 8) / 8, r(8) / 8)),
        ("gelu tanh 4M" if not quick else "gelu tanh 1M", gelu_tanh, (r(n),)),
        ("bias+swish", bias_swish, (r(n // 1024, 1024), r(1024))),
        ("row softmax", row_softmax, (r(4096, 512),)),
        ("row layernorm", row_layernorm, (r(4096, 512), r(512), r(512))),
        ("lstm loop 64", lstm_loop, (r(64, 8, 128), r(8, 128), r(8, 128), r(128, 512),
                                     r(128, 512), r(512))),
        ("mlp 2 layers", mlp, (r(64, 512), r(1024, 512), r(1024), r(256, 1024), r(256))),
    ]


def timed(fn, args, repeats, warmup):
    for _ in range(warmup):
        fn(*args)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def first_call(make, fn, args):
    start = time.perf_counter()
    compiled = make(fn)
    compiled(*args)
    return compiled, time.perf_counter() - start


def same(a, b):
    if isinstance(a, torch.Tensor):
        return torch.allclose(a, b, rtol=1e-5, atol=1e-6)
    return a == b


def main():
    stable_malloc()
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller inputs, fewer repeats")
    parser.add_argument("--only", help="run the workloads whose name contains this")
    opts = parser.parse_args()
    repeats, warmup = (5, 2) if opts.quick else (21, 3)
    torch.set_grad_enabled(False)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"ember executor: {ember._C._executor()}")
    head = (f"{'workload':<18}{'eager':>11}{'torch.jit':>11}{'ember':>11}"
            f"{'vs eager':>10}{'vs jit':>9}{'1st jit':>10}{'1st ember':>11}")
    print(head)
    print("-" * len(head))
    fused = {}
    for name, fn, args in workloads(opts.quick):
        if opts.only and opts.only not in name:
            continue
        jit_fn, jit_first = first_call(torch.jit.script, fn, args)
        ember_fn, ember_first = first_call(ember.script, fn, args)
        expected = fn(*args)
        for who, f in [("torch.jit", jit_fn), ("ember", ember_fn)]:
            if not same(f(*args), expected):
                raise SystemExit(f"{name}: {who} differs from eager")
        t_eager = timed(fn, args, repeats, warmup)
        t_jit = timed(jit_fn, args, repeats, warmup)
        t_ember = timed(ember_fn, args, repeats, warmup)
        ms = lambda t: f"{t * 1e3:9.3f}ms"  # noqa: E731
        print(f"{name:<18}{ms(t_eager):>11}{ms(t_jit):>11}{ms(t_ember):>11}"
              f"{t_eager / t_ember:>9.2f}x{t_jit / t_ember:>8.2f}x"
              f"{jit_first * 1e3:>8.1f}ms{ember_first * 1e3:>9.1f}ms")
        fused[fn] = (ember_fn, args, t_ember)
    if gelu_tanh in fused:
        compare_with_aten_gelu(*fused[gelu_tanh], repeats, warmup)


def compare_with_aten_gelu(ember_fn, args, t_ember, repeats, warmup):
    """ember's fused GELU chain against ATen's own tanh-GELU kernel."""
    aten = lambda x: F.gelu(x, approximate="tanh")  # noqa: E731
    if not torch.allclose(ember_fn(*args), aten(*args), rtol=1e-5, atol=1e-6):
        raise SystemExit("gelu: ember's chain differs from F.gelu(approximate='tanh')")
    t_aten = timed(aten, args, repeats, warmup)
    print(f"gelu: ATen's F.gelu(x, approximate='tanh') {t_aten * 1e3:.3f}ms, "
          f"ember's fused chain {t_ember * 1e3:.3f}ms ({t_aten / t_ember:.2f}x)")


if __name__ == "__main__":
    main()
