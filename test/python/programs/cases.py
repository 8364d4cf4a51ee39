"""The programs the frontend tests compile, with inputs, and how results compare.

Shared by the pytest suites and by test/oracle scripts that run without
pytest (on the GPU machines).
"""
import inspect
import re

import torch

from . import control_flow as cf
from . import values as vals

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
    (vals.percent_format, lambda: [(7, "x")]),
    (vals.named_results, lambda: [(torch.randn(3, 4),)]),
    (vals.returned_conversions, lambda: [(torch.tensor([1.5, 2.0]),)]),
    (vals.lists_of_iterables, lambda: [(3, {"a": 1, "b": 2}, [5, 6]), (0, {}, [])]),
    (vals.tensor_floor_division, lambda: [(torch.tensor([7, -7, 3]), 2)]),
    (vals.constant_conditions, lambda: [(torch.ones(2),)]),
    (vals.loop_carried_number, lambda: [(torch.tensor([1.5, 2.0, -1.0]),)]),
    (vals.ellipsis_none_index, lambda: [(torch.randn(3, 4, 5),)]),
    (vals.union_isinstance_else, lambda: [(3,), ("ab",)]),
    (vals.string_partitions, lambda: [("a=b=c",), ("abc",)]),
    (vals.angle_conversions, lambda: [(-2.7,), (1.3,)]),
]


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




def torch_code(fn):
    """The function's TorchScript code, with the script functions it calls."""
    scripted = torch.jit.script(fn)
    code = scripted.code
    for name in sorted(set(re.findall(r"__torch__\.[\w.]*?\.(\w+)\(", code))):
        dep = getattr(inspect.getmodule(fn), name, None)
        if dep is not None and dep is not fn:
            code = torch.jit.script(dep).code + code
    # Qualified names of the helpers become plain names in one file.
    return re.sub(r"__torch__\.programs\.\w+\.", "", code)
