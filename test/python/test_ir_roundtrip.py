"""Graphs printed by real TorchScript print back character for character.

torch.jit is the oracle here: it scripts each program and prints its graph;
ember-opt must read that text and print exactly the same text, with and
without source locations, and the core passes must give IR that verifies.
"""
import math
import re
from enum import Enum
from typing import Any, Dict, List, NamedTuple, Optional, Tuple, Union

import pytest
import torch
import torch.nn.functional as F


def loop_break_continue(x: torch.Tensor, n: int) -> torch.Tensor:
    for i in range(n):
        if i == 7:
            break
        if i % 3 == 1:
            continue
        x = x + i
    k = 0
    while k < n:
        k += 2
    return x * k


def list_methods(xs: List[int], y: int) -> List[int]:
    r = [v * v for v in xs]
    r.append(y)
    r.reverse()
    del r[0]
    r += [1, 2]
    return sorted(r)[::2]


def dict_methods(d: Dict[str, float]) -> Tuple[List[str], float]:
    total = 0.0
    for k, v in d.items():
        total += v
    keys = list(d.keys())
    d.clear()
    return keys, total


def optional_refinement(x: Optional[int], y: Optional[torch.Tensor]) -> int:
    if x is None or y is None:
        return -1
    return x + int(y.sum())


def string_format(name: str, v: float) -> str:
    s = "{}={}".format(name, v)
    if name.isdigit():
        s = s.replace("=", ":")
    return s.strip() + name[1:-1].lower()


def unicode_and_escapes(s: str) -> str:
    return s + "héllo wörld ✓ \x01\x7f\t\"q\" 'a' \\"


def raise_and_assert(x: torch.Tensor) -> torch.Tensor:
    if x.numel() == 0:
        raise RuntimeError("empty input")
    assert x.dim() < 4, "too many dims"
    return x


class Pair(NamedTuple):
    first: int
    second: torch.Tensor


def named_tuple(p: Pair, t: Tuple[int, str]) -> Pair:
    return Pair(p.first + t[0], p.second)


def tensor_ops(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    z = torch.cat([x, y], dim=0).view(-1, 2)
    z[:, 0] += 1
    return F.gelu(z @ z.t()).clamp(min=0.0, max=6.0).to(torch.float32)


def scalar_math(a: int, b: float) -> float:
    return math.sqrt(abs(b)) + a ** 2 + a // 3 + a % 4 + min(a, 2) + float(a) / 3.0


class Color(Enum):
    RED = 1
    GREEN = 2


@torch.jit.script
class Counter:
    def __init__(self, n: int):
        self.n = n
        self.hist: List[int] = []

    def inc(self) -> int:
        self.n += 1
        self.hist.append(self.n)
        return self.n


def forked(x: torch.Tensor) -> torch.Tensor:
    return x * 2


def fork_wait(x: torch.Tensor) -> torch.Tensor:
    fut = torch.jit.fork(forked, x)
    return torch.jit.wait(fut) + 1


def enums(c: Color) -> int:
    if c == Color.RED:
        return c.value
    return 0


def classes(n: int) -> int:
    c = Counter(n)
    c.inc()
    return c.inc()


def unions(x: Union[int, str], a: Any) -> str:
    if isinstance(x, int):
        return str(x + 1)
    return x


def with_no_grad(x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        y = x * 2
    return y


def container_constants() -> Tuple[List[bool], Tuple[int, Tuple[str, float]], torch.device,
                                   int, Dict[str, int], List[List[int]]]:
    return [True, False], (1, ("a", 2.5)), torch.device("cuda:1"), torch.float16, {"a": 1}, \
        [[1, 2], [3]]


class Child(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.ones(3))

    def forward(self, x):
        return x * self.w


class Parent(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.child = Child()
        self.seq = torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Tanh())
        self.flag = True

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.flag:
            x = self.child(x)
        self.flag = not self.flag
        return self.seq(x)


FUNCTIONS = [loop_break_continue, list_methods, dict_methods, optional_refinement,
             string_format, unicode_and_escapes, raise_and_assert, named_tuple, tensor_ops,
             scalar_math, fork_wait, enums, classes, unions, with_no_grad, container_constants]


def graphs():
    out = []
    for fn in FUNCTIONS:
        out.append((fn.__name__, torch.jit.script(fn).graph))
        # TorchScript's own constant propagation makes constants of every kind.
        folded = torch.jit.script(fn).graph.copy()
        torch._C._jit_pass_constant_propagation(folded)
        out.append((fn.__name__ + "_folded", folded))
    m = torch.jit.script(Parent())
    out.append(("module", m.graph))
    out.append(("module_child", m.child.graph))
    out.append(("module_inlined", m.forward.inlined_graph))
    return out


GRAPHS = graphs()


def strip_locations(text):
    return re.sub(r" # [^\n]*:\d+:\d+", "", text)


@pytest.mark.parametrize("name,graph", GRAPHS, ids=[n for n, _ in GRAPHS])
def test_prints_back_exactly(ember_opt, name, graph):
    text = strip_locations(str(graph))
    assert ember_opt(text).stdout == text


@pytest.mark.parametrize("name,graph", GRAPHS, ids=[n for n, _ in GRAPHS])
def test_prints_back_with_locations(ember_opt, name, graph):
    text = str(graph)
    assert ember_opt(text).stdout == text


@pytest.mark.parametrize("name,graph", GRAPHS, ids=[n for n, _ in GRAPHS])
def test_core_passes_keep_side_effects(ember_opt, name, graph):
    text = strip_locations(str(graph))
    out = ember_opt(text, ["dce", "constant-propagation", "cse"]).stdout
    for effect in ["prim::RaiseException", "prim::SetAttr", "aten::append", "aten::clear",
                   "aten::reverse", "aten::Delete", "aten::add_"]:
        assert out.count(effect) == text.count(effect), effect
