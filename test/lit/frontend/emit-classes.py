# RUN: %ember-translate --import-python %s | FileCheck %s
from typing import Any, List, NamedTuple

import torch


class Point(NamedTuple):
    x: float
    y: float = 0.0


class Hypothesis(NamedTuple):
    tokens: List[int]
    score: float


class Counter:
    # Test that __init__ defines the attributes through prim::SetAttr.
    # CHECK-LABEL: Counter.__init__(%self : __torch__.Counter,
    # CHECK-NEXT:       %start : int):
    # CHECK-NEXT:   %[[V5:[0-9]+]] : NoneType = prim::Constant()
    # CHECK-NEXT:    = prim::SetAttr[name="count"](%self, %start)
    # CHECK-NEXT:   %[[V4:[0-9]+]] : int[] = prim::ListConstruct()
    # CHECK-NEXT:    = prim::SetAttr[name="history"](%self, %[[V4]])
    # CHECK-NEXT:   return (%[[V5]])
    def __init__(self, start: int):
        self.count = start
        self.history: List[int] = []

    # Test that methods read attributes with prim::GetAttr and that
    # augmented assignment to an attribute reads, computes and stores.
    # CHECK-LABEL: Counter.step(%self : __torch__.Counter,
    # CHECK-NEXT:       %by : int):
    # CHECK-NEXT:   %history : int[] = prim::GetAttr[name="history"](%self)
    # CHECK-NEXT:   %count.1 : int = prim::GetAttr[name="count"](%self)
    # CHECK-NEXT:   %[[V6:[0-9]+]] : int[] = aten::append(%history, %count.1)
    # CHECK-NEXT:   %count.3 : int = prim::GetAttr[name="count"](%self)
    # CHECK-NEXT:   %[[V8:[0-9]+]] : int = aten::add(%count.3, %by)
    # CHECK-NEXT:    = prim::SetAttr[name="count"](%self, %[[V8]])
    # CHECK-NEXT:   %count : int = prim::GetAttr[name="count"](%self)
    # CHECK-NEXT:   return (%count)
    def step(self, by: int = 1) -> int:
        self.history.append(self.count)
        self.count += by
        return self.count

    # CHECK-LABEL: Counter.__len__(%self : __torch__.Counter):
    # CHECK-NEXT:   %history : int[] = prim::GetAttr[name="history"](%self)
    # CHECK-NEXT:   %[[V4:[0-9]+]] : int = aten::len(%history)
    # CHECK-NEXT:   return (%[[V4]])
    def __len__(self) -> int:
        return len(self.history)

    # CHECK-LABEL: Counter.__lt__(%self : __torch__.Counter,
    # CHECK-NEXT:       %other : __torch__.Counter):
    # CHECK-NEXT:   %count.1 : int = prim::GetAttr[name="count"](%self)
    # CHECK-NEXT:   %count : int = prim::GetAttr[name="count"](%other)
    # CHECK-NEXT:   %[[V6:[0-9]+]] : bool = aten::lt(%count.1, %count)
    # CHECK-NEXT:   return (%[[V6]])
    def __lt__(self, other: "Counter") -> bool:
        return self.count < other.count

    # CHECK-LABEL: Counter.extend(%self : __torch__.Counter,
    # CHECK-NEXT:       %xs : int[]):
    # CHECK-NEXT:   %history.1 : int[] = prim::GetAttr[name="history"](%self)
    # CHECK-NEXT:    = aten::extend(%history.1, %xs)
    # CHECK-NEXT:   %history : int[] = prim::GetAttr[name="history"](%self)
    # CHECK-NEXT:   %[[V7:[0-9]+]] : int = aten::len(%history)
    # CHECK-NEXT:   return (%[[V7]])
    def extend(self, xs: List[int]) -> int:
        self.history.extend(xs)
        return len(self.history)

    # Test that constructing an object is prim::CreateObject plus __init__.
    @staticmethod
    # CHECK-LABEL: Counter.make(%n : int):
    # CHECK-NEXT:   %[[V3:[0-9]+]] : __torch__.Counter = prim::CreateObject()
    # CHECK-NEXT:   %[[V4:[0-9]+]] : NoneType = prim::CallMethod[name="__init__"](%[[V3]], %n)
    # CHECK-NEXT:   return (%[[V3]])
    def make(n: int) -> "Counter":
        return Counter(n)


class Guard:
    # CHECK-LABEL: Guard.__init__(%self : __torch__.Guard):
    # CHECK-NEXT:   %[[V4:[0-9]+]] : NoneType = prim::Constant()
    # CHECK-NEXT:   %[[V3:[0-9]+]] : int = prim::Constant[value=0]()
    # CHECK-NEXT:    = prim::SetAttr[name="depth"](%self, %[[V3]])
    # CHECK-NEXT:   return (%[[V4]])
    def __init__(self):
        self.depth = 0

    # CHECK-LABEL: Guard.__enter__(%self : __torch__.Guard):
    # CHECK-NEXT:   %[[V4:[0-9]+]] : int = prim::Constant[value=1]()
    # CHECK-NEXT:   %depth.1 : int = prim::GetAttr[name="depth"](%self)
    # CHECK-NEXT:   %[[V5:[0-9]+]] : int = aten::add(%depth.1, %[[V4]])
    # CHECK-NEXT:    = prim::SetAttr[name="depth"](%self, %[[V5]])
    # CHECK-NEXT:   %depth : int = prim::GetAttr[name="depth"](%self)
    # CHECK-NEXT:   return (%depth)
    def __enter__(self) -> int:
        self.depth += 1
        return self.depth

    # CHECK-LABEL: Guard.__exit__(%self : __torch__.Guard,
    # CHECK-NEXT:       %a : Any,
    # CHECK-NEXT:       %b : Any,
    # CHECK-NEXT:       %c : Any):
    # CHECK-NEXT:   %[[V9:[0-9]+]] : NoneType = prim::Constant()
    # CHECK-NEXT:   %[[V7:[0-9]+]] : int = prim::Constant[value=1]()
    # CHECK-NEXT:   %depth : int = prim::GetAttr[name="depth"](%self)
    # CHECK-NEXT:   %[[V8:[0-9]+]] : int = aten::sub(%depth, %[[V7]])
    # CHECK-NEXT:    = prim::SetAttr[name="depth"](%self, %[[V8]])
    # CHECK-NEXT:   return (%[[V9]])
    def __exit__(self, a: Any, b: Any, c: Any):
        self.depth -= 1


# Test that static methods are functions, methods are prim::CallMethod,
# magic methods serve len() and `<`, and NamedTuples are tuples with
# defaults filled in.
# CHECK-LABEL: use(%n : int):
# CHECK-NEXT:   %[[V41:[0-9]+]] : float = prim::Constant[value=4.5]()
# CHECK-NEXT:   %[[V23:[0-9]+]] : bool = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V13:[0-9]+]] : float = prim::Constant[value=0.]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : Function = prim::Constant[name="Counter.make"]()
# CHECK-NEXT:   %[[V7:[0-9]+]] : int = prim::Constant[value=3]()
# CHECK-NEXT:   %[[V9:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V21:[0-9]+]] : int = prim::Constant[value=2]()
# CHECK-NEXT:   %c : __torch__.Counter = prim::CallFunction(%[[V3]], %n)
# CHECK-NEXT:   %[[V6:[0-9]+]] : int = prim::CallMethod[name="step"](%c, %[[V5]])
# CHECK-NEXT:   %[[V8:[0-9]+]] : int = prim::CallMethod[name="step"](%c, %[[V7]])
# CHECK-NEXT:   %d : __torch__.Counter = prim::CreateObject()
# CHECK-NEXT:   %[[V11:[0-9]+]] : NoneType = prim::CallMethod[name="__init__"](%d, %[[V9]])
# CHECK-NEXT:   %[[V18:[0-9]+]] : bool = prim::CallMethod[name="__lt__"](%d, %c)
# CHECK-NEXT:   %[[V19:[0-9]+]] : bool = prim::If(%[[V18]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       %[[V20:[0-9]+]] : int = prim::CallMethod[name="__len__"](%c)
# CHECK-NEXT:       %[[V22:[0-9]+]] : bool = aten::eq(%[[V20]], %[[V21]])
# CHECK-NEXT:       -> (%[[V22]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%[[V23]])
# CHECK-NEXT:   %[[V38:[0-9]+]] : float = prim::If(%[[V19]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       %count : int = prim::GetAttr[name="count"](%c)
# CHECK-NEXT:       %[[V30:[0-9]+]] : float = aten::Float(%count)
# CHECK-NEXT:       %[[V31:[0-9]+]] : float = aten::add(%[[V41]], %[[V30]])
# CHECK-NEXT:       -> (%[[V31]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%[[V13]])
# CHECK-NEXT:   return (%[[V38]])
def use(n: int) -> float:
    c = Counter.make(n)
    c.step()
    c.step(by=3)
    d = Counter(0)
    p = Point(1.5)
    q = Point(x=2.0, y=3.0)
    if d < c and len(c) == 2:
        return p.x + q.y + float(c.count)
    return p.y


# Test that `with` calls __enter__ and __exit__ around its body.
# CHECK-LABEL: with_object(%g : __torch__.Guard,
# CHECK-NEXT:       %x.1 : int):
# CHECK-NEXT:   %depth : int = prim::Enter(%g)
# CHECK-NEXT:   %x : int = aten::add(%x.1, %depth)
# CHECK-NEXT:   %[[V6:[0-9]+]] : Tensor = prim::Exit(%g)
# CHECK-NEXT:   return (%x)
def with_object(g: Guard, x: int) -> int:
    with g as depth:
        x = x + depth
    return x


# Test that `with torch.no_grad()` creates torch's no_grad object and enters
# and exits it around the body, as TorchScript compiles it (prim::Exit has
# an unused Tensor result, as in TorchScript).
# CHECK-LABEL: no_grad(%x : Tensor):
# CHECK-NEXT:   %[[V6:[0-9]+]] : int = prim::Constant[value=2]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : __torch__.torch.autograd.grad_mode.no_grad = prim::CreateObject()
# CHECK-NEXT:   %[[V4:[0-9]+]] : NoneType = prim::CallMethod[name="__init__"](%[[V3]])
# CHECK-NEXT:   %[[V5:[0-9]+]] : NoneType = prim::Enter(%[[V3]])
# CHECK-NEXT:   %y : Tensor = aten::mul(%x, %[[V6]])
# CHECK-NEXT:   %[[V8:[0-9]+]] : Tensor = prim::Exit(%[[V3]])
# CHECK-NEXT:   return (%y)
def no_grad(x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        y = x * 2
    return y


# Test that a property compiles to `__<name>_getter` and `__<name>_setter`
# methods, which reads and assignments call, as TorchScript names them.
class Box:
    # CHECK-LABEL: Box.__init__(%self : __torch__.Box,
    # CHECK-NEXT:       %w : int):
    # CHECK-NEXT:   %[[V4:[0-9]+]] : NoneType = prim::Constant()
    # CHECK-NEXT:    = prim::SetAttr[name="_w"](%self, %w)
    # CHECK-NEXT:   return (%[[V4]])
    def __init__(self, w: int):
        self._w = w

    @property
    def width(self) -> int:
        return self._w * 2

    @width.setter
    def width(self, v: int):
        self._w = v


# CHECK-LABEL: use_box(%n : int):
# CHECK-NEXT:   %[[V6:[0-9]+]] : int = prim::Constant[value=7]()
# CHECK-NEXT:   %b : __torch__.Box = prim::CreateObject()
# CHECK-NEXT:   %[[V4:[0-9]+]] : NoneType = prim::CallMethod[name="__init__"](%b, %n)
# CHECK-NEXT:   %a : int = prim::CallMethod[name="__width_getter"](%b)
# CHECK-NEXT:   %[[V7:[0-9]+]] : NoneType = prim::CallMethod[name="__width_setter"](%b, %[[V6]])
# CHECK-NEXT:   %[[V8:[0-9]+]] : int = prim::CallMethod[name="__width_getter"](%b)
# CHECK-NEXT:   %[[V9:[0-9]+]] : int = aten::add(%a, %[[V8]])
# CHECK-NEXT:   return (%[[V9]])
def use_box(n: int) -> int:
    b = Box(n)
    a = b.width
    b.width = 7
    return a + b.width


# Test that an empty list passed to a NamedTuple field or a method parameter
# takes the declared list type, as in TorchScript's schema matching.
# CHECK-LABEL: empty_arguments(%c : __torch__.Counter):
# CHECK-NEXT:   %[[V6:[0-9]+]] : float = prim::Constant[value=0.]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : int[] = prim::ListConstruct()
# CHECK-NEXT:   %[[V4:[0-9]+]] : int = prim::CallMethod[name="extend"](%c, %[[V3]])
# CHECK-NEXT:   %[[V5:[0-9]+]] : int[] = prim::ListConstruct()
# CHECK-NEXT:   %[[V7:[0-9]+]] : NamedTuple(tokens : int[], score : float) = prim::TupleConstruct(%[[V5]], %[[V6]])
# CHECK-NEXT:   return (%[[V7]])
def empty_arguments(c: Counter) -> Hypothesis:
    c.extend([])
    return Hypothesis([], 0.0)
