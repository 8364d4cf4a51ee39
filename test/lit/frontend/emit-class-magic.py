# RUN: %ember-translate --import-python %s | FileCheck %s
# Script classes as TorchScript compiles their magic methods, their own
# name inside their methods, and classmethods.
from typing import Dict, Tuple

import torch


class Num:
    def __init__(self, v: float):
        self.v = v

    # Test that the class's own name means the class inside its methods.
    # CHECK-LABEL: Num.__neg__(%self : __torch__.Num):
    # CHECK:         %[[N:[0-9]+]] : __torch__.Num = prim::CreateObject()
    # CHECK-NEXT:    prim::CallMethod[name="__init__"](%[[N]],
    # CHECK-NEXT:    return (%[[N]])
    def __neg__(self) -> "Num":
        return Num(-self.v)

    def __bool__(self) -> bool:
        return self.v != 0.0

    def __int__(self) -> int:
        return int(self.v)

    # Test that a classmethod's first parameter means the class in its body.
    # CHECK-LABEL: Num.make(%cls : __torch__.Num,
    # CHECK-NEXT:       %v : float):
    # CHECK-NEXT:    %[[O:[0-9]+]] : __torch__.Num = prim::CreateObject()
    # CHECK-NEXT:    prim::CallMethod[name="__init__"](%[[O]], %v)
    # CHECK-NEXT:    return (%[[O]])
    @classmethod
    def make(cls, v: float) -> "Num":
        return cls(v)


class Bag:
    def __init__(self):
        self.d: Dict[str, int] = {"a": 1}

    def __delitem__(self, key: str):
        del self.d[key]


# Test that unary minus on a script object calls its __neg__.
# CHECK-LABEL: negate(%n : __torch__.Num):
# CHECK-NEXT:    %[[R:[0-9]+]] : __torch__.Num = prim::CallMethod[name="__neg__"](%n)
# CHECK-NEXT:    return (%[[R]])
def negate(n: Num) -> Num:
    return -n


# Test that a script object as a condition calls __bool__, and int() __int__.
# CHECK-LABEL: truth(%n : __torch__.Num):
# CHECK:         %[[B:[0-9]+]] : bool = prim::CallMethod[name="__bool__"](%n)
# CHECK-NEXT:    prim::If(%[[B]])
# CHECK-NEXT:      block0():
# CHECK-NEXT:        prim::CallMethod[name="__int__"](%n)
def truth(n: Num) -> int:
    if n:
        return int(n)
    return 0


# Test that `del obj[key]` calls the class's __delitem__.
# CHECK-LABEL: remove(%b : __torch__.Bag):
# CHECK:         prim::CallMethod[name="__delitem__"](%b, %{{[0-9]+}})
def remove(b: Bag):
    del b["a"]


class State:
    def __init__(self):
        self.n = 1
        self.name = "s"

    def __getstate__(self) -> Tuple[int, str]:
        return (self.n, self.name)

    # Test that an unannotated `state` of __setstate__ takes the type
    # __getstate__ returns, as in TorchScript.
    # CHECK-LABEL: State.__setstate__(%self : __torch__.State,
    # CHECK-NEXT:       %state : (int, str)):
    def __setstate__(self, state):
        self.n = state[0]
        self.name = state[1]
