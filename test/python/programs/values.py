"""Programs exercising values, operators and builtins (see control_flow.py)."""
import math
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn.functional as F


def helper(x: torch.Tensor, k: int = 2) -> torch.Tensor:
    return x * k


def calls_helper(x: torch.Tensor) -> torch.Tensor:
    return helper(x) + helper(x, k=3)


def arithmetic(a: int, b: float, x: torch.Tensor) -> Tuple[float, int, int, torch.Tensor, torch.Tensor]:
    p = a / 3 + b ** 2 - a % 4
    q = a // 3 + (a << 2) - (a >> 1) + (a & 6) + (a | 1) + (a ^ 5)
    r = -a + abs(-7) + round(2.5)
    y = 2 - x + 3 * x / 2 + x ** 2 - 1 / (x + 5)
    z = x @ x.t() if x.dim() == 2 else x
    return p, q, int(r), y, z


def strings(s: str, n: int) -> List[str]:
    out = [s.upper(), s.lower(), s.strip(), s.replace("a", "b"), s[1:3], s[::-1], s[-1]]
    out.append(f"{s}-{n}!")
    out.append("{} and {}".format(n, s))
    out.append(str(n) + chr(65 + n) + hex(n) + oct(n) + bin(n))
    parts = "a,b,,c".split(",")
    out.append("|".join(parts))
    out.extend((s + "\tz w").rsplit(" ", 1))  # on the separator, not on any whitespace
    if s.startswith("x") or "y" in s:
        out.append("found")
    return out


def lists(xs: List[int]) -> List[int]:
    ys = [v * 2 for v in xs if v % 2 == 0]
    ys.extend([7, 8])
    ys.insert(0, -1)
    ys += [100]
    ys[1] = 42
    del ys[2]
    ys.append(len(ys))
    zs = sorted(ys)
    zs.reverse()
    m = max(xs) + min(xs) + sum(xs) + max(3, 4) + min(2, 9)
    zs.append(m)
    zs.append(zs.pop())
    if any([v > 5 for v in xs]) and not all([v > 5 for v in xs]):
        zs.append(1)
    a, *rest = (1, 2, 3)
    zs.append(a + len(rest))
    return zs[::2] + zs[1:4]


def dicts(keys: List[str]) -> Dict[str, int]:
    d: Dict[str, int] = {}
    for i, k in enumerate(keys):
        d[k] = i
    d2 = {k: len(k) for k in keys if len(k) > 1}
    for k, v in d2.items():
        d[k + "!"] = v
    if "a" in d:
        del d["a"]
    d["total"] = sum(d.values())
    d["x"] = d.get("missing", 5)
    return d


def tensors(x: torch.Tensor, idx: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    a = x[0, 1:3] + x[..., -1].sum() + x[None, 1].mean()
    b = x.clone()
    b[0] = 5
    b[1, :2] = torch.ones(2)
    b[idx] = 0.5
    b[:, 0] += 1
    c = torch.cat([x, b], dim=0)
    c = F.relu(c) + torch.sigmoid(c) * c.shape[0]
    return a, b, c.view(-1)[: x.size(0)]


def casts(x: torch.Tensor, n: int) -> Tuple[int, float, bool, str, float]:
    v = float(n) + float(x.sum())
    w = int(v) + int(x[0])
    flag = bool(n) and bool(x.sum() > 0)
    q, r = divmod(n, 3)
    return w, v * 2 + math.sqrt(4.0) + math.pi * 0, flag, str(q) + str(r), math.floor(2.7) + math.log(1.0)


def isinstance_checks(a: Optional[int], x: torch.Tensor) -> int:
    r = 0
    if isinstance(a, int):
        r += a
    if isinstance(x, torch.Tensor):
        r += 1
    if isinstance(r, float):
        r += 100
    return r


def annotated_empty(n: int) -> Tuple[List[float], Dict[int, str]]:
    fs: List[float] = []
    names = {}  # type: Dict[int, str]
    for i in range(n):
        fs.append(i * 0.5)
        names[i] = str(i)
    return fs, names


def evaluation_order(xs: List[int]) -> List[int]:
    a = xs.pop() - xs.pop() * 10
    b = [xs.pop(), xs.pop()]
    return [a] + b + [max(xs.pop(), xs.pop() * 100)]


def percent_format(a: int, b: str) -> str:
    return "%d and %s" % (a, b) + "%d" % a


def named_results(x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    # Operators with named results return NamedTuples: `.values`, `.indices`.
    r = x.max(1)
    return r.indices, torch.min(x, 0).values, r[0]


def returned_conversions(x: torch.Tensor) -> float:
    # A returned `number` (item()) converts to the declared float.
    return x.sum().item()


def lists_of_iterables(n: int, d: Dict[str, int], xs: List[int]) -> Tuple[List[int], List[Tuple[int, int]], List[Tuple[int, int]], List[str], List[int]]:
    return list(range(n)), list(zip(xs, xs)), list(enumerate(xs)), list(d), list((1, 2))


def tensor_floor_division(x: torch.Tensor, k: int) -> Tuple[torch.Tensor, torch.Tensor]:
    return x // k, x // x.clamp(min=1)


def constant_conditions(x: torch.Tensor) -> torch.Tensor:
    # A constant condition compiles only the branch it selects.
    if False:
        return x.no_such_method()
    y = x if True else x.no_such_method()
    return y + 1 + hash("a") - hash("a")


def loop_carried_number(x: torch.Tensor) -> float:
    # The body makes the float a `number`; the loop converts it back.
    s = 0.0
    for i in range(len(x)):
        s += x[i].item()
    return s


def ellipsis_none_index(x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    # After `...`, None and the other indices count from the end.
    return x[..., None, None], x[..., None, 1:, None], x[..., 0, None, 1], x[None, 0, ..., None, 0:1]


def union_isinstance_else(y: Union[int, str]) -> str:
    # The false branch of isinstance sees the other alternatives.
    if isinstance(y, int):
        r = str(y + 1)
    else:
        r = y.upper()
    return r


def string_partitions(s: str) -> Tuple[str, str, str, str]:
    a, sep, b = s.partition("=")
    c, _, d = s.rpartition("=")
    return a, b + sep, c, d


def angle_conversions(x: float) -> List[float]:
    return [math.radians(x), math.degrees(x)]
