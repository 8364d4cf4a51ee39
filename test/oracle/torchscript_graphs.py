"""Test oracle: graphs printed by real TorchScript, for round-trip tests.

Scripts a set of functions and modules covering loops, break/continue,
lists, dicts, tuples, optionals, strings, exceptions, NamedTuples and module
methods, and writes `str(graph)` (source comments removed) to one file each.
torch.jit is used here only as the oracle. Run with /usr/bin/python3:

    /usr/bin/python3 test/oracle/torchscript_graphs.py test/lit/torchscript/Inputs
"""
import os
import re
import sys
from typing import Dict, List, NamedTuple, Optional, Tuple

import torch
import torch.nn.functional as F


def loops(x: torch.Tensor, n: int) -> torch.Tensor:
    for i in range(n):
        if i > 3:
            break
        if i % 2 == 0:
            continue
        x = x * i
    while n > 0:
        n -= 1
        x = x + 1
    return x


def lists(xs: List[int]) -> List[int]:
    out: List[int] = []
    for v in xs:
        out.append(v * 2)
    out.extend([1, 2, 3])
    out.insert(0, len(xs))
    out.sort()
    return out[1:3] + out[-2:]


def dicts(d: Dict[str, int], k: str) -> Dict[str, int]:
    r: Dict[str, int] = {}
    for key in d.keys():
        r[key] = d[key] + 1
    if k in r:
        r[k] = r.get(k, 0) * 2
    r.pop("missing", 0)
    return r


def tuples(t: Tuple[int, float, torch.Tensor]) -> Tuple[torch.Tensor, int]:
    a, b, c = t
    return c * b, a + 1


def optionals(x: Optional[torch.Tensor], y: Optional[int] = None) -> torch.Tensor:
    if x is None:
        x = torch.zeros(3)
    if y is not None:
        x = x + y
    return x


def strings(s: str, n: int) -> str:
    parts = s.split(",")
    r = "-".join(parts)
    if r.startswith("a") and len(r) > n:
        r = r.upper() + str(n)
    return r[::-1] + f"{n}"


def exceptions(x: torch.Tensor, n: int) -> torch.Tensor:
    if n < 0:
        raise ValueError("n must be non-negative, got " + str(n))
    assert x.dim() == 2, "expected a matrix"
    return x.sum(0)


class Point(NamedTuple):
    x: torch.Tensor
    y: float


def namedtuples(p: Point) -> Point:
    return Point(p.x * 2, p.y + 1.0)


def tensors(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    y = F.relu(torch.matmul(x, w.t()))
    y = y[:, 1:] + y.mean(dim=1, keepdim=True)
    y[0] = 0.5
    return torch.softmax(y, dim=-1).to(torch.float64)


def helper(x: torch.Tensor) -> torch.Tensor:
    return x + 1


def calls(x: torch.Tensor) -> torch.Tensor:
    return helper(helper(x))


def floats(a: float, b: int) -> float:
    c = a * 0.1 + b / 3
    d = -0.0 if a > 1e10 else 1e-5
    return c + d + float("inf") * 0.0


class Sub(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(4, 4)

    def forward(self, x):
        return torch.tanh(self.lin(x))


class M(torch.nn.Module):
    __constants__ = ["scale"]

    def __init__(self):
        super().__init__()
        self.sub = Sub()
        self.layers = torch.nn.ModuleList([torch.nn.Linear(4, 4) for _ in range(2)])
        self.scale = 2.0
        self.count = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = layer(x)
        self.count += 1
        if self.training:
            x = F.dropout(x, 0.1)
        return self.sub(x) * self.scale


FUNCTIONS = [loops, lists, dicts, tuples, optionals, strings, exceptions, namedtuples,
             tensors, calls, floats]


def strip_locations(text: str) -> str:
    return re.sub(r" # [^\n]*:\d+:\d+", "", text)


def main(outdir: str) -> None:
    os.makedirs(outdir, exist_ok=True)
    graphs = {}
    for fn in FUNCTIONS:
        graphs[fn.__name__] = torch.jit.script(fn).graph
    m = torch.jit.script(M())
    graphs["module_forward"] = m.graph
    graphs["module_sub_forward"] = m.sub.graph
    graphs["module_inlined"] = m.forward.inlined_graph
    # Larger programs from torch.nn: scripted, inlined, frozen and traced.
    torch.manual_seed(0)
    enc = torch.nn.TransformerEncoderLayer(16, 2, 32).eval()
    graphs["nn_transformer_encoder"] = torch.jit.script(enc).forward.inlined_graph
    conv = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.BatchNorm2d(8), torch.nn.ReLU(),
                               torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
                               torch.nn.Linear(8, 2)).eval()
    graphs["nn_conv_frozen"] = torch.jit.freeze(torch.jit.script(conv)).graph
    graphs["nn_conv_traced"] = torch.jit.trace(conv, torch.randn(1, 3, 8, 8)).graph
    graphs["nn_encoder_traced"] = torch.jit.trace(enc, torch.randn(3, 1, 16),
                                                  check_trace=False).inlined_graph
    graphs["F_multi_head_attention_forward"] = torch.jit.script(
        F.multi_head_attention_forward).graph
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for name, g in graphs.items():
        text = str(g).replace(root + os.sep, "")
        with open(os.path.join(outdir, name + ".ir"), "w") as f:
            f.write(strip_locations(text))
        with open(os.path.join(outdir, name + "-locations.ir"), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main(sys.argv[1])
