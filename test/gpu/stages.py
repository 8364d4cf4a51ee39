"""Runs ember's entry points one stage at a time, printing each before it
starts, so that a crash on a machine without a debugger names its stage."""
import sys
from typing import List

import torch

sys.path.insert(0, sys.argv[1])
import ember  # noqa: E402


def stage(name):
    print("stage:", name, flush=True)


def add_one(x: torch.Tensor) -> torch.Tensor:
    return x + 1


def loop(n: int) -> int:
    total = 0
    for i in range(n):
        total += i
    return total


class Acc:
    def __init__(self, start: int):
        self.total = start
        self.items: List[int] = []

    def add(self, x: int) -> int:
        self.total += x
        return self.total


stage("script tensor function")
f = ember.script(add_one)
stage("run tensor function")
print(f(torch.zeros(2)))
stage("script int loop")
print(ember.script(loop)(10))
stage("script class")
ember.script(Acc)
stage("script module")
m = ember.script(torch.nn.Linear(2, 2))
stage("run module")
print(m(torch.ones(1, 2)).shape)
stage("done")
