"""The `# file:line:col` each graph node prints, compared with torch.jit's:
an operator's range starts at its first operand, without the parentheses
around it (TorchScript merges its operands' ranges); a call on a
parenthesised receiver starts at the receiver; what a `for` loop emits to
walk its iterable sits at the loop; a folded negative literal sits at its
minus; number literals are one constant each, at the top, where first
written."""
import re
from typing import Dict, List, Optional

import pytest
import torch

import ember

NODE = re.compile(r"^\s*(?:%\S+ : [^=]+)?= (\S+?)[\[(].*?(# \S+)?$")


def located_nodes(graph):
    """(kind, location) of each node that prints a location, in order."""
    out = []
    for line in str(graph).splitlines():
        m = NODE.match(line)
        if m and m.group(2):
            out.append((m.group(1), m.group(2)))
    return out


def parenthesised(x: int, y: int, z: bool) -> int:
    a = (x + 1) * 2
    b = (x) < 3 and (y > 2)
    c = -(x - y)
    d = ((x > 1) or z) and not (y == 4)
    return a + int(b) + c + int(d)


def receivers(t: torch.Tensor) -> torch.Tensor:
    u = (t * 2).sum(0).view(-1)
    w = (t @ t.transpose(-2, -1)).contiguous()
    return u + w.flatten()[: u.numel()]


def loops(xs: List[int], d: Dict[str, int], t: torch.Tensor) -> int:
    s = 0
    for x in xs:
        s += x
    for i, x in enumerate(xs, 1):
        s += i * x
    for a, b in zip(xs, xs):
        s += a - b
    for k in d:
        s += d[k]
    for i in range(2, 10, 3):
        s -= i
    for row in t:
        s += int(row.sum())
    return s + sum([y * 2 for y in xs])


def literals(x: int, y: Optional[int]) -> float:
    a = x + 1 - 2 * 1
    b = 1.5 * x - 1.5
    c = -7 + x
    if y is not None:
        return float(a + b + c + y)
    return 0.5 if x > 1 else -0.5


def conditions(a: Optional[int], b: int, c: bool) -> int:
    if a is not None and (b > 2 or c):
        return a
    x = 1 if (b < 0) else 2
    while x < b and not c:
        x += 3
    return x


@pytest.mark.parametrize("fn", [parenthesised, receivers, loops, literals, conditions])
def test_node_locations_are_torch_jits(fn):
    expected = located_nodes(torch.jit.script(fn).graph)
    got = located_nodes(ember.script(fn).graph)
    # Constants pool in torch.jit's order; compare the operators' locations
    # in graph order, and the constants' as a set (their order is checked in
    # the lit tests).
    assert [n for n in got if n[0] != "prim::Constant"] == \
        [n for n in expected if n[0] != "prim::Constant"]
    assert sorted(n for n in got if n[0] == "prim::Constant") == \
        sorted(n for n in expected if n[0] == "prim::Constant")
