"""Programs exercising control flow, compiled by ember's frontend in tests.

Every function here is plain Python that also runs eagerly; the tests compare
ember's compiled graph with the eager result on the same inputs.
"""
from typing import Dict, List, Optional, Tuple

import torch


def early_return(x: torch.Tensor, n: int) -> torch.Tensor:
    if n < 0:
        return x
    y = x * n
    if n > 10:
        return y + 1
    return y - 1


def loop_break_continue(x: torch.Tensor, n: int) -> torch.Tensor:
    y = x
    for i in range(n):
        if i == 5:
            break
        if i % 2 == 1:
            continue
        y = y + i
    return y


def return_in_loop(xs: List[int], limit: int) -> int:
    for v in xs:
        if v > limit:
            return v
    return -1


def while_with_break(n: int) -> int:
    total = 0
    i = 0
    while i < n:
        i += 1
        if total > 20:
            break
        total += i * i
    return total


def nested_loops(n: int) -> List[int]:
    out: List[int] = []
    for i in range(n):
        for j in range(i):
            if j == 2:
                continue
            if i * j > 12:
                break
            out.append(i * 10 + j)
    return out


def ranges(n: int) -> List[int]:
    out: List[int] = []
    for i in range(2, n, 3):
        out.append(i)
    for i in range(n, -1, -2):
        out.append(i)
    for i in range(-n):
        out.append(i)
    return out


def iterate_kinds(xs: List[float], s: str, d: Dict[str, int], t: torch.Tensor) -> float:
    acc = 0.0
    for i, v in enumerate(xs):
        acc += i * v
    for c in s:
        acc += float(len(c))
    for k in d:
        acc += float(d[k])
    for row in t:
        acc += float(row.sum())
    for a, b in zip(xs, [1.0, 2.0]):
        acc += a * b
    for i, v in enumerate(xs, 1):
        acc -= i
    return acc


def tuple_loop(x: torch.Tensor) -> torch.Tensor:
    for k in (1, 2.5, 3):
        x = x * k
    return x


def optional_refinement(a: Optional[int], b: Optional[int]) -> int:
    if a is None:
        a = 0
    if b is not None and b > 3:
        return a + b
    assert b is not None, "b must be given"
    return a - b


def optional_after_raise(x: Optional[torch.Tensor]) -> torch.Tensor:
    if x is None:
        raise ValueError("x is required")
    return x + 1


def ternary_and_chains(a: int, b: int) -> Tuple[int, bool, bool]:
    c = a if a > b else b
    d = 0 < a < 10 <= b * 10
    e = not (a == b or a > 2 * b)
    return c, d, e


def raise_with_message(n: int) -> int:
    if n > 3:
        raise RuntimeError("too big: " + str(n))
    return n


def conditional_definition(n: int) -> int:
    if n > 0:
        k = 1
    else:
        k = -1
        if n < -5:
            return 0
    return k * n


def loop_return_then_code(xs: List[int]) -> int:
    total = 0
    for x in xs:
        if x < 0:
            return x
        total += x
    total *= 2
    return total
