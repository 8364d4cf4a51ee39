"""The JIT executor against the interpreter and eager Python.

Every program runs under both executors (each scripted afresh, so each
compiles with the executor current at its first call) and must give what
plain Python gives; errors must carry the same class, message and script
line. Scalar code is where the JIT computes natively, so the cases probe
Python's rules at their edges: floor division and modulo signs, NaN
comparisons, division by zero, float-to-int conversion, wrapping ints.
"""
import gc
import math
import os
import subprocess
import sys
import threading
import weakref
from typing import Dict, List, Optional

import pytest
import torch

import ember


def _available(name):
    old = ember._C._executor()
    try:
        ember._C._set_executor(name)
        return True
    except ValueError:
        return False
    finally:
        ember._C._set_executor(old)


# `native` compiles every function; `jit` only those worth it (the default).
EXECUTORS = ["interp"] + (["native", "jit"] if _available("jit") else [])


@pytest.fixture(params=EXECUTORS)
def executor(request):
    old = ember._C._executor()
    ember._C._set_executor(request.param)
    yield request.param
    ember._C._set_executor(old)


def int_ops(a: int, b: int) -> List[int]:
    return [a + b, a - b, a * b, a // b, a % b, min(a, b), max(a, b), -a, a & b, a | b, a ^ b]


def float_ops(x: float, y: float) -> List[float]:
    return [x + y, x - y, x * y, x / y, -x, x + 1, 2 * y]


def compares(x: float, y: float) -> List[bool]:
    return [x == y, x != y, x < y, x <= y, x > y, x >= y, not x < y]


def int_compares(a: int, b: int) -> List[bool]:
    return [a == b, a != b, a < b, a <= b, a > b, a >= b]


def conversions(x: float, n: int, c: bool) -> List[float]:
    return [float(int(x)), float(n), float(bool(n)), float(bool(x)), float(int(c)), n / 2]


def collatz(n: int) -> int:
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


def nested(n: int) -> int:
    total = 0
    for i in range(n):
        for j in range(i, -1, -2):
            if j == 3:
                continue
            if i * j > 40:
                break
            total += i * j - j // 3
    return total


def early_return(n: int) -> int:
    for i in range(n):
        if i * i > n:
            return i
    return -1


def float_loop(n: int) -> float:
    x = 0.0
    k = 1
    for i in range(n):
        x = x + 1.0 / k
        k = k * 2 if i % 2 == 0 else k + 1
    return x


def boxed_carry(n: int) -> List[int]:
    out: List[int] = []
    a, b = 0, 1
    for i in range(n):
        out.append(a)
        a, b = b, a + b
    return out


def swap_lists(n: int) -> List[int]:
    xs = [1, 2]
    ys = [3]
    for i in range(n):
        xs, ys = ys, xs
    return xs + ys


def optional_sum(xs: List[Optional[int]]) -> int:
    s = 0
    for x in xs:
        if x is not None:
            s += x
        else:
            s -= 1
    return s


def tensor_loop(x: torch.Tensor, n: int) -> torch.Tensor:
    y = x
    scale = 1.0
    for i in range(n):
        if bool(y.sum() > 100.0):
            break
        y = y * 2 + i
        scale = scale / 2
    return y * scale


def strings(n: int) -> str:
    s = ""
    for i in range(n):
        s = s + str(i % 7) if i % 2 == 0 else s + "-"
    return s


def _second(d: Dict[str, int]) -> int:
    return d["b"]


def inlined_constant_loop(n: int) -> int:
    # Inlined, _second's constant "b" sits in the loop body: its register
    # must live through every iteration, not only the first.
    d = {"a": 1, "b": 2}
    s = 0
    for i in range(n):
        s += _second(d)
    return s


CASES = [
    (int_ops, [(7, 2), (-7, 2), (7, -2), (-7, -2), (0, 5), (12, 12), (-1, 1)]),
    (float_ops, [(1.5, 0.25), (-3.0, 7.5), (float("inf"), 2.0), (1e308, 1e308), (0.0, -2.0)]),
    (compares, [(1.0, 2.0), (2.0, 2.0), (float("nan"), 1.0), (1.0, float("nan")),
                (float("nan"), float("nan")), (-0.0, 0.0)]),
    (int_compares, [(1, 2), (2, 2), (-5, 3)]),
    (conversions, [(2.7, 3, True), (-2.7, 0, False), (0.0, -1, True)]),
    (collatz, [(1,), (6,), (27,)]),
    (nested, [(0,), (5,), (12,)]),
    (early_return, [(0,), (10,), (99,)]),
    (float_loop, [(0,), (1,), (25,)]),
    (boxed_carry, [(0,), (1,), (12,)]),
    (swap_lists, [(0,), (1,), (5,)]),
    (optional_sum, [([1, None, 3],), ([],)]),
    (strings, [(0,), (9,)]),
    (inlined_constant_loop, [(0,), (3,)]),
]


def _same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, (list, tuple)):
        return type(a) == type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, torch.Tensor):
        return torch.equal(a, b)
    return type(a) == type(b) and a == b


@pytest.mark.parametrize("fn,inputs", CASES, ids=[c[0].__name__ for c in CASES])
def test_matches_python(executor, fn, inputs):
    compiled = ember.script(fn)
    for args in inputs:
        assert _same(compiled(*args), fn(*args)), (fn.__name__, args)


def test_tensor_loop_matches_eager(executor):
    compiled = ember.script(tensor_loop)
    for n in [0, 3, 10]:
        x = torch.arange(4.0)
        assert torch.equal(compiled(x, n), tensor_loop(x, n))


def test_int_arithmetic_wraps_as_torch_jit(executor):
    def wrap(a: int, b: int) -> List[int]:
        return [a + b, a - b, a * b]

    big = 2**63 - 1
    cases = [(big, 1), (-big - 1, 1), (big, big), (-big - 1, -1)]
    oracle = torch.jit.script(wrap)
    compiled = ember.script(wrap)
    for args in cases:
        assert compiled(*args) == oracle(*args), args


def test_int64_min_divided_by_minus_one_wraps(executor):
    # torch.jit dies of SIGFPE here; ember wraps as its other int arithmetic does.
    def f(a: int, b: int) -> List[int]:
        return [a // b, a % b]

    compiled = ember.script(f)
    assert compiled(-2**63, -1) == [-2**63, 0]
    assert compiled(7, -1) == [-7, 0]


def int_div(a: int, b: int) -> int:
    return a // b


def float_div(x: float, n: int) -> float:
    return x / n


def to_int(x: float) -> int:
    return int(x) + 1


@pytest.mark.parametrize("fn,args", [
    (int_div, (5, 0)), (float_div, (5.0, 0)), (to_int, (float("nan"),)),
    (to_int, (float("inf"),)), (to_int, (float("-inf"),)),
])
def test_errors_are_pythons(executor, fn, args):
    with pytest.raises(Exception) as expected:
        fn(*args)
    compiled = ember.script(fn)
    with pytest.raises(ember.Error) as info:
        compiled(*args)
    text = str(info.value)
    cls = type(expected.value).__name__
    assert info.value.python_class.split(".")[-1] == cls
    assert text.endswith(cls + ": " + str(expected.value)), text
    assert "Traceback of TorchScript" in text and "in " + fn.__name__ in text


def test_raise_in_loop_keeps_traceback(executor):
    def f(n: int) -> int:
        s = 0
        for i in range(n):
            if i == 3:
                raise ValueError("stopped at " + str(i))
            s += i
        return s

    compiled = ember.script(f)
    assert compiled(3) == 3
    with pytest.raises(ember.Error) as info:
        compiled(10)
    assert info.value.python_class == "builtins.ValueError"
    assert 'raise ValueError("stopped at " + str(i))' in str(info.value)
    assert str(info.value).endswith("stopped at 3")


def test_calls_between_functions(executor):
    def helper(a: int, b: float) -> float:
        return a * b

    def caller(n: int) -> float:
        t = 0.0
        for i in range(n):
            t += helper(i, 0.5)
        return t

    compiled = ember.script(caller)
    assert compiled(10) == caller(10)


def test_many_threads_call_one_function(executor):
    compiled = ember.script(collatz)
    expected = {n: collatz(n) for n in range(1, 200)}
    errors = []

    def work():
        try:
            for n in range(1, 200):
                assert compiled(n) == expected[n]
        except Exception as e:  # reported below, the thread cannot raise
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_no_tensor_outlives_its_last_reference(executor):
    # torch keeps a tensor's Python object alive while C++ still holds the
    # tensor: the weak reference dies only if ember dropped every reference
    # it took (inputs, loop-carried values, results, the frame's registers).
    def f(x: torch.Tensor, n: int) -> List[torch.Tensor]:
        out: List[torch.Tensor] = []
        y = x
        for i in range(n):
            y = y + i
            if i % 2 == 0:
                out.append(y)
        out.append(x)
        return out

    compiled = ember.script(f)
    x = torch.zeros(3)
    ref = weakref.ref(x)
    results = [compiled(x, 5) for _ in range(50)]
    kept = weakref.ref(results[0][0])
    assert torch.equal(results[0][0], f(x, 5)[0])
    del x, results
    gc.collect()
    assert ref() is None and kept() is None


@pytest.mark.skipif("native" not in EXECUTORS, reason="ember is built without LLVM")
def test_jit_log_names_compiled_functions(tmp_path):
    script = tmp_path / "prog.py"
    script.write_text(
        "import ember\n"
        "def loop(n: int) -> int:\n"
        "    s = 0\n"
        "    for i in range(n):\n"
        "        s += i\n"
        "    return s\n"
        "print(ember.script(loop)(10))\n"
        "def tensors(x):\n"
        "    return torch.relu(x) + 1\n"
        "import torch\n"
        "print(int(ember.script(tensors)(torch.zeros(2)).sum()))\n")
    env = dict(os.environ, EMBER_LOG="jit", EMBER_EXECUTOR="jit",
               PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["45", "2"]
    assert "[ember jit] compiled loop in" in proc.stderr
    # Nothing in `tensors` runs faster natively: it stays interpreted, and says so.
    assert "[ember jit] tensors runs in the interpreter: no loop" in proc.stderr

    env["EMBER_EXECUTOR"] = "interp"
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0 and proc.stdout.split() == ["45", "2"]
    assert "compiled loop" not in proc.stderr


def branchy(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    if x.dim() == 2:
        z = x + y
    else:
        z = x - y
    return z * x.size(0)


@pytest.fixture
def jit_only():
    if "jit" not in EXECUTORS:
        pytest.skip("ember is built without LLVM")
    old_exec, old_strategy = ember._C._executor(), ember._C._fusion_strategy()
    ember._C._set_executor("jit")
    yield
    ember._C._set_executor(old_exec)
    ember.set_fusion_strategy(old_strategy)


def test_graph_for_specialises_on_the_inputs(jit_only):
    f = ember.script(branchy)
    a = torch.ones(2, 3)
    g = f.graph_for(a, a)
    assert "Float(2, 3, strides=[3, 1], device=cpu)" in g
    assert "aten::dim" not in g and "prim::If" not in g and "aten::sub" not in g
    assert "prim::Constant[value=2]" in g
    b = torch.ones(5)
    assert "aten::add" not in f.graph_for(b, b)
    assert torch.equal(f(a, a), branchy(a, a)) and torch.equal(f(b, b), branchy(b, b))
    assert "Float(5, strides=[1], device=cpu)" in ember.last_executed_optimized_graph()


def test_guards_and_the_fusion_strategy(jit_only):
    assert ember.set_fusion_strategy([("STATIC", 1), ("DYNAMIC", 1)]) == [("STATIC", 2), ("DYNAMIC", 10)]
    f = ember.script(branchy)
    shapes = [(2, 3), (2, 3), (4, 3), (7, 1), (6,), (3,)]
    for s in shapes:
        x = torch.randn(*s)
        assert torch.equal(f(x, x), branchy(x, x)), s
    # STATIC (2, 3); DYNAMIC rank 2 (sizes not folded); then generic for rank 1.
    assert "prim::Constant[value=2]" in f.graph_for(torch.ones(2, 3), torch.ones(2, 3))
    dynamic = f.graph_for(torch.ones(9, 9), torch.ones(9, 9))
    assert "aten::dim" not in dynamic and "aten::size" in dynamic
    assert "aten::dim" in f.graph_for(torch.ones(3), torch.ones(3))
    # dtype, device, requires_grad are part of the guard too.
    x = torch.ones(2, 3, dtype=torch.float64)
    assert torch.equal(f(x, x), branchy(x, x))
    with pytest.raises(ValueError):
        ember.set_fusion_strategy([("SOMETIMES", 1)])


def test_no_specialisation_where_sizes_change_in_place(jit_only):
    def grow(x: torch.Tensor) -> int:
        x.unsqueeze_(0)
        return x.dim()

    f = ember.script(grow)
    assert "aten::dim" in f.graph_for(torch.ones(3))
    assert f(torch.ones(3)) == 2 and f(torch.ones(3)) == 2
