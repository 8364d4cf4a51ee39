"""Tracing torchvision's resnet18: ember.trace against torch.jit.trace.

For each tracer: the time to trace (check_trace off, as a deployment script
would; the first trace of the process and a later one), the first call of
the traced module, and the steady-state call
(median), on the same model and input in one process; then ember's ratios.
Outputs are checked against eager first; glibc's malloc is pinned
(benchutil.stable_malloc).

    /usr/bin/python3 bench/bench_trace.py [--model resnet18] [--repeats 10]
"""
import argparse
import statistics
import time

import torch

from benchutil import stable_malloc
import ember  # noqa: E402


def measure(trace, model, x, repeats):
    start = time.perf_counter()
    trace(model, (x,), check_trace=False)
    t_cold = time.perf_counter() - start
    start = time.perf_counter()
    traced = trace(model, (x,), check_trace=False)
    t_trace = time.perf_counter() - start
    start = time.perf_counter()
    out = traced(x)
    t_first = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        traced(x)
        times.append(time.perf_counter() - start)
    return out, (t_cold, t_trace, t_first, statistics.median(times))


def main():
    stable_malloc()
    import torchvision
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="resnet18")
    parser.add_argument("--repeats", type=int, default=10)
    opts = parser.parse_args()
    torch.manual_seed(0)
    torch.set_grad_enabled(False)
    model = getattr(torchvision.models, opts.model)().eval()
    x = torch.randn(1, 3, 224, 224)
    expected = model(x)
    print(f"{opts.model}, torch {torch.__version__}, {torch.get_num_threads()} threads")
    # The first trace of the process includes each tracer's one-time set-up
    # (ember reads the dispatcher's ~3,200 operator schemas); the second is
    # what every later trace costs.
    cols = ["1st trace", "trace", "1st call", "call"]
    print(f"{'tracer':<16}" + "".join(f"{c:>11}" for c in cols))
    rows = {}
    for name, trace in [("torch.jit.trace", torch.jit.trace), ("ember.trace", ember.trace)]:
        out, times = measure(trace, model, x, opts.repeats)
        if not torch.allclose(out, expected, rtol=1e-4, atol=1e-5):
            raise SystemExit(f"{name}: output differs from eager")
        rows[name] = times
        print(f"{name:<16}" + "".join(f"{t * 1e3:>9.1f}ms" for t in times))
    j, e = rows["torch.jit.trace"], rows["ember.trace"]
    print(f"{'ember speed-up':<16}" + "".join(f"{a / b:>10.2f}x" for a, b in zip(j, e)))


if __name__ == "__main__":
    main()
