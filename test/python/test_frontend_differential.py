"""The frontend compiles Python programs to graphs that compute what Python does.

Each module under programs/ is compiled as a file by `ember-translate
--import-python` (calls inlined), every function's graph is executed -- until
ember's interpreter lands, by TorchScript's graph executor as the oracle
runtime -- and compared with running the same function eagerly: results,
mutations of the arguments, and whether it raises.
"""
import os
import re
import subprocess

import pytest
import torch

from conftest import BUILD
from programs import control_flow as cf
from programs import values as vals

EMBER_TRANSLATE = os.path.join(BUILD, "tools", "ember-translate", "ember-translate")

CASES = [
    (cf.early_return, lambda: [(torch.ones(2), -1), (torch.ones(2), 3), (torch.ones(2), 11)]),
    (cf.loop_break_continue, lambda: [(torch.zeros(2), 3), (torch.zeros(2), 9)]),
    (cf.return_in_loop, lambda: [([1, 5, 2], 3), ([1, 2], 3), ([], 0)]),
    (cf.while_with_break, lambda: [(0,), (3,), (10,)]),
    (cf.nested_loops, lambda: [(6,)]),
    (cf.ranges, lambda: [(7,), (0,), (-3,)]),
    (cf.iterate_kinds, lambda: [([1.5, 2.0, 3.0], "abc", {"a": 1, "b": 2}, torch.ones(2, 3))]),
    (cf.tuple_loop, lambda: [(torch.ones(3),)]),
    (cf.optional_refinement, lambda: [(None, 5), (2, 1), (2, None)]),
    (cf.optional_after_raise, lambda: [(torch.ones(2),), (None,)]),
    (cf.ternary_and_chains, lambda: [(1, 2), (5, 1), (3, 3)]),
    (cf.raise_with_message, lambda: [(1,), (5,)]),
    (cf.conditional_definition, lambda: [(3,), (-2,), (-7,)]),
    (cf.loop_return_then_code, lambda: [([1, 2, 3],), ([1, -4, 3],)]),
    (vals.calls_helper, lambda: [(torch.arange(3.0),)]),
    (vals.arithmetic, lambda: [(7, 1.5, torch.randn(3, 3)), (-5, 0.0, torch.randn(4))]),
    (vals.strings, lambda: [("xabcay", 3), ("  yes  ", 1)]),
    (vals.lists, lambda: [([1, 2, 3, 4, 6, 9],)]),
    (vals.dicts, lambda: [(["a", "bb", "ccc"],)]),
    (vals.tensors, lambda: [(torch.randn(3, 4), torch.tensor([0, 2]))]),
    (vals.casts, lambda: [(torch.tensor([2.5, 1.0]), 7)]),
    (vals.isinstance_checks, lambda: [(3, torch.ones(1)), (None, torch.ones(1))]),
    (vals.annotated_empty, lambda: [(3,)]),
    (vals.evaluation_order, lambda: [([1, 2, 3, 4, 5, 6, 7, 8],)]),
]


def compile_file(path):
    proc = subprocess.run([EMBER_TRANSLATE, "--import-python", path, "-p", "inline,dce"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    graphs = {}
    for m in re.finditer(r"(?ms)^(\w+)\((.*?)(?=^\w+\(|\Z)", proc.stdout):
        graphs[m.group(1)] = "graph(" + m.group(2)
    return graphs


@pytest.fixture(scope="module")
def compiled():
    if not os.path.exists(EMBER_TRANSLATE):
        pytest.fail("ember-translate is not built at " + EMBER_TRANSLATE)
    out = {}
    for mod in (cf, vals):
        out.update(compile_file(mod.__file__))
    return out


def clone(v):
    if isinstance(v, torch.Tensor):
        return v.clone()
    if isinstance(v, tuple):
        return tuple(clone(x) for x in v)
    if isinstance(v, list):
        return [clone(x) for x in v]
    if isinstance(v, dict):
        return {k: clone(x) for k, x in v.items()}
    return v


def run(fn, args):
    try:
        return ("ok", fn(*args), args)
    except Exception as e:  # raising is part of the behaviour
        return ("raised", type(e).__name__, args)


def same(a, b):
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.shape == b.shape and torch.allclose(a, b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a.keys()) == list(b.keys()) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-6 * max(1.0, abs(a))
    return type(a) == type(b) and a == b


@pytest.mark.parametrize("fn,make_inputs", CASES, ids=[c[0].__name__ for c in CASES])
def test_compiled_matches_eager(compiled, fn, make_inputs):
    text = compiled[fn.__name__]
    graph = torch._C.parse_ir(re.sub(r"(?m)^(\s*) = ", r"\1", text))
    executable = torch._C._create_function_from_graph(fn.__name__, graph)
    for args in make_inputs():
        torch.manual_seed(0)
        expected = run(fn, clone(args))
        got = run(executable, clone(args))
        assert expected[0] == got[0], (args, expected, got, text)
        if expected[0] == "ok":
            assert same(expected[1], got[1]), (args, expected[1], got[1], text)
            # TorchScript's executor copies Python lists and dicts on the way
            # in, so only tensor arguments can show mutations here.
            tensors = [(e, g) for e, g in zip(expected[2], got[2]) if isinstance(e, torch.Tensor)]
            assert all(same(e, g) for e, g in tensors), ("argument mutations differ", args, text)
