"""Definitions whose saved code files list them in torch.jit.save's order:
the pickled objects' classes, then what their code names, breadth first."""
import torch
from typing import List, NamedTuple, Optional

class Pt:
    def __init__(self, x: int):
        self.x = x
    def get(self) -> int:
        return inner(self.x)

class NT(NamedTuple):
    a: int
    b: int

def inner(x: int) -> int:
    return x * 3

def helper(x: int) -> int:
    return inner(x) + 1

class Sub(torch.nn.Module):
    def forward(self, x):
        return x + helper(2)

class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.sub = Sub()
    def forward(self, x):
        n = helper(3)
        p = Pt(n)
        t = NT(1, 2)
        return self.sub(x) + p.get() + t.a
