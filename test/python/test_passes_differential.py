"""Passes keep the semantics of programs (STYLE.md rule 8).

Each program is scripted by torch.jit (the oracle), its graph text is run
through ember-opt with one pass or pipeline, and the resulting graph is
executed -- until ember's own interpreter lands, with TorchScript's graph
executor as the oracle runtime -- and compared with eager PyTorch on the
same inputs, including the mutations a program makes to its inputs and the
exceptions it raises.
"""
import re
from typing import List, Tuple

import pytest
import torch

PIPELINES = [["dce"], ["constant-propagation"], ["cse"], ["peephole"], ["constant-pooling"],
             ["canonicalize"], ["inline"], ["loop-unroll"], ["loop-unroll", "remove-mutation"],
             ["inline", "constant-propagation", "dce", "cse", "constant-pooling", "peephole",
              "constant-propagation", "dce"]]


def constant_branches(x: torch.Tensor, n: int) -> torch.Tensor:
    flag = 3 > 2
    if flag:
        x = x * 2
    else:
        x = x - 1
    for _ in range(0):
        x = x + 100
    k = (7 // 2) * (-7 % 3)
    return x + k + n


def repeated_work(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    a = torch.relu(x) * y
    b = torch.relu(x) * y
    c = x.t().t()
    return a + b + c + float(len([1, 2, 3]))


def mutation(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    a = torch.relu(x)
    x.add_(y)            # mutates the caller's tensor
    b = torch.relu(x)    # must not be merged with `a`
    v = y[0]
    v.mul_(2.0)          # mutates y through a view
    unused = torch.zeros(3)
    unused.add_(1.0)     # dead: may go
    return a + b


def lists(xs: List[int], n: int) -> List[int]:
    out: List[int] = []
    count = 0
    for i in range(n):
        out.append(xs[i % len(xs)] * 2)
        count += 1
    dead: List[int] = [1, 2]
    dead.append(3)
    out.append(count)
    return out


def unrolled_appends(x: torch.Tensor) -> Tuple[torch.Tensor, int, List[torch.Tensor]]:
    outs: List[torch.Tensor] = []
    for i in range(3):
        outs.append(x * i)
    n = len(outs)
    outs.append(x)
    both = [x]
    both.append(x + 1)
    kept = both
    return torch.cat(outs), n + len(both), kept


def raises(x: torch.Tensor, n: int) -> torch.Tensor:
    if n < 0:
        raise ValueError("negative")
    y = x * 0 + 1
    return y


def list_idioms(x: torch.Tensor, flag: bool) -> Tuple[List[int], int, int, torch.Tensor, bool, bool]:
    li = [1, 2, 3, 4, 5]
    out = li[1:] + li[:-1] + li[::-1] + li[-2::-2] + li[10:] + li[-10:2] + li[3:1] + li[4:-9:-2]
    a, b, c = [x, x + 1, x + 2]
    grown = li + [6]
    grown.append(7)
    return out, li[-1] + li[0] + len(li), len(grown), a + b + c, flag and True, flag or False


def list_edits(n: int) -> Tuple[List[int], List[int], int]:
    a: List[int] = []
    a.insert(0, 1)
    a.insert(0, n)
    a.insert(-10, 3)
    a.insert(-2, 4)
    a.insert(10, 5)
    b = [1, 2, 3]
    before = len(b)
    b[0] = n
    b[-1] = 0
    b.append(7)
    b[n] = 9
    return a, b, before


CASES = [
    (constant_branches, lambda: (torch.arange(4.0), 3)),
    (repeated_work, lambda: (torch.randn(3, 3), torch.randn(3, 3))),
    (mutation, lambda: (torch.randn(2, 3), torch.randn(2, 3))),
    (lists, lambda: ([1, 2, 3], 5)),
    (unrolled_appends, lambda: (torch.randn(2),)),
    (raises, lambda: (torch.ones(2), 1)),
    (raises, lambda: (torch.ones(2), -1)),
    (list_idioms, lambda: (torch.ones(2), True)),
    (list_edits, lambda: (1,)),
    (list_edits, lambda: (7,)),
    (list_idioms, lambda: (torch.ones(2), False)),
]


def clone_inputs(args):
    return tuple(a.clone() if isinstance(a, torch.Tensor) else list(a) if isinstance(a, list) else a
                 for a in args)


def run(fn, args):
    try:
        return ("ok", fn(*args), args)
    except Exception as e:  # the exception class is part of the behaviour
        return ("raised", type(e).__name__, args)


def same(a, b):
    if isinstance(a, torch.Tensor):
        return torch.allclose(a, b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


@pytest.mark.parametrize("passes", PIPELINES, ids=[",".join(p) for p in PIPELINES])
@pytest.mark.parametrize("fn,make_args", CASES, ids=[f"{c[0].__name__}{i}" for i, c in enumerate(CASES)])
def test_pass_preserves_semantics(ember_opt, fn, make_args, passes):
    torch.manual_seed(0)
    args = make_args()
    text = re.sub(r" # [^\n]*:\d+:\d+", "", str(torch.jit.script(fn).graph))
    optimized = ember_opt(text, passes).stdout
    # TorchScript's parser cannot read its own printed form of nodes without
    # outputs (`  = prim::If(...)`); it wants the bare operator.
    graph = torch._C.parse_ir(re.sub(r"(?m)^(\s*) = ", r"\1", optimized))
    compiled = torch._C._create_function_from_graph("optimized", graph)

    expected = run(fn, clone_inputs(args))
    got = run(compiled, clone_inputs(args))
    assert expected[0] == got[0], (expected, got, optimized)
    if expected[0] == "raised":
        # TorchScript raises its own error class; the message must agree.
        return
    assert same(expected[1], got[1]), optimized
    # Mutations of the inputs are part of the result.
    assert same(expected[2], got[2]), optimized


def test_dce_removes_dead_mutation(ember_opt):
    text = re.sub(r" # [^\n]*:\d+:\d+", "", str(torch.jit.script(mutation).graph))
    out = ember_opt(text, ["dce"]).stdout
    assert "aten::zeros" not in out
    assert out.count("aten::add_") == 1 and "aten::mul_" in out


def test_cse_does_not_merge_across_mutation(ember_opt):
    text = re.sub(r" # [^\n]*:\d+:\d+", "", str(torch.jit.script(mutation).graph))
    out = ember_opt(text, ["cse"]).stdout
    assert out.count("aten::relu") == 2
    text = re.sub(r" # [^\n]*:\d+:\d+", "", str(torch.jit.script(repeated_work).graph))
    out = ember_opt(text, ["cse"]).stdout
    assert out.count("aten::relu") == 1


def test_peephole_list_slices_follow_python(ember_opt):
    # Every constant slice of a constructed list becomes the list of the
    # elements Python's slice rules pick.
    bounds = [None, -7, -5, -2, 0, 1, 3, 5, 7]
    slices = [(a, b, s) for a in bounds for b in bounds for s in (1, 2, -1, -2, 3)]
    lines = ["graph():", "  %none : NoneType = prim::Constant()"]
    for v in sorted({b for b in bounds if b is not None} | {1, 2, -1, -2, 3, 10, 20, 30, 40, 50}):
        lines.append(f"  %c{v if v >= 0 else 'm%d' % -v} : int = prim::Constant[value={v}]()")
    name = lambda v: "%none" if v is None else f"%c{v if v >= 0 else 'm%d' % -v}"
    lines.append("  %l : int[] = prim::ListConstruct(%c10, %c20, %c30, %c40, %c50)")
    for i, (a, b, s) in enumerate(slices):
        lines.append(f"  %s{i} : int[] = aten::slice(%l, {name(a)}, {name(b)}, {name(s)})")
    lines.append("  %out : int[][] = prim::ListConstruct(" + ", ".join(f"%s{i}" for i in range(len(slices))) + ")")
    lines.append("  return (%out)")
    optimized = ember_opt("\n".join(lines) + "\n", ["peephole", "dce"]).stdout
    assert "aten::slice" not in optimized
    graph = torch._C.parse_ir(optimized)
    got = torch._C._create_function_from_graph("slices", graph)()
    values = [10, 20, 30, 40, 50]
    assert got == [values[a:b:s] for a, b, s in slices]
