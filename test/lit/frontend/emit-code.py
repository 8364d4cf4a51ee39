# RUN: %ember-translate --import-python --emit-code %s | FileCheck %s
# The expected text is what torch.jit.script(f).code prints for the same
# function (torch 1.13), except where noted; `_N` names continue from one
# function to the next in this file.
import math
from typing import Dict, List, NamedTuple, Optional, Tuple

import torch


# Test that a NamedTuple prints with its fields and defaults.
# CHECK-LABEL: class Point(NamedTuple):
# CHECK-NEXT:   x : float
# CHECK-NEXT:   y : float = 0.
class Point(NamedTuple):
    x: float
    y: float = 0.0


# Test that the printer inlines single-use values, names the rest after
# their variables or `_N`, prints operators as torch.<op> with trailing
# defaults dropped, and splits lines that would reach 40 columns.
# CHECK-LABEL: def f(x: Tensor,
# CHECK-NEXT:     n: int,
# CHECK-NEXT:     l: List[int],
# CHECK-NEXT:     d: Dict[str, int],
# CHECK-NEXT:     o: Optional[int]) -> Tuple[int, str]:
# CHECK-NEXT:   if torch.gt(n, 3):
# CHECK-NEXT:     ops.prim.RaiseException(torch.add("too big ", str(n)), "builtins.ValueError")
# CHECK-NEXT:   else:
# CHECK-NEXT:     pass
# CHECK-NEXT:   if torch.gt(n, 0):
# CHECK-NEXT:     pass
# CHECK-NEXT:   else:
# CHECK-NEXT:     ops.prim.RaiseException("AssertionError: positive")
# CHECK-NEXT:   b = torch.add(n, 1)
# CHECK-NEXT:   _0 = torch._set_item(l, 0, 2)
# CHECK-NEXT:   torch.Delete(l, 0)
# CHECK-NEXT:   s = torch.format("{} {}", n, b)
# CHECK-NEXT:   print(s, x)
# CHECK-NEXT:   t = [1.5, 2.]
# CHECK-NEXT:   e = annotate(List[int], [])
# CHECK-NEXT:   q = {"a": 1}
# CHECK-NEXT:   if torch.__contains__(d, "k"):
# CHECK-NEXT:     m = d["k"]
# CHECK-NEXT:   else:
# CHECK-NEXT:     m = 0
# CHECK-NEXT:   k = 0
# CHECK-NEXT:   for i in range(n):
# CHECK-NEXT:     k0 = torch.add(k, torch.add(torch.mul(i, 2), m))
# CHECK-NEXT:     k = k0
# CHECK-NEXT:   if torch.__isnot__(o, None):
# CHECK-NEXT:     o1 = unchecked_cast(int, o)
# CHECK-NEXT:     z, o0 = o1, o1
# CHECK-NEXT:   else:
# CHECK-NEXT:     z, o0 = 0, o
# CHECK-NEXT:   _1 = torch.add(float(n), int(torch.sum(x)))
# CHECK-NEXT:   u = torch.add(torch.add(_1, torch.len(l)), torch.len(t))
# CHECK-NEXT:   _2 = torch.add(torch.add(k, z), int(u))
# CHECK-NEXT:   _3 = isinstance(o0, int)
# CHECK-NEXT:   _4 = torch.add(torch.add(s, str(_3)), str(e))
# CHECK-NEXT:   return (_2, torch.add(_4, str(q)))
def f(x: torch.Tensor, n: int, l: List[int], d: Dict[str, int], o: Optional[int]) -> Tuple[int, str]:
    if n > 3:
        raise ValueError("too big " + str(n))
    assert n > 0, "positive"
    a, b = (n, n + 1)
    l[0] = 2
    del l[0]
    s = "{} {}".format(a, b)
    print(s, x)
    t = [1.5, 2.0]
    e: List[int] = []
    q = {"a": 1}
    m = d["k"] if "k" in d else 0
    k = 0
    for i in range(n):
        k += i * 2 + m
    z = o if o is not None else 0
    u = float(n) + int(x.sum()) + len(l) + len(t)
    return k + z + int(u), s + str(isinstance(o, int)) + str(e) + str(q)


# Test that a `for` that may break prints as TorchScript's while form, with
# its carried values assigned before the loop and at the end of the body, and
# the branch that breaks giving the loop's continue condition False (the
# If's results unnamed, as TorchScript's exit transform makes them).
# CHECK-LABEL: def first_over(xs: List[int],
# CHECK-NEXT:     limit: int) -> int:
# CHECK-NEXT:   _5 = torch.len(xs)
# CHECK-NEXT:   found = -1
# CHECK-NEXT:   _6 = 0
# CHECK-NEXT:   _7 = torch.gt(_5, 0)
# CHECK-NEXT:   while _7:
# CHECK-NEXT:     x = xs[_6]
# CHECK-NEXT:     if torch.gt(x, limit):
# CHECK-NEXT:       _8, _9 = False, x
# CHECK-NEXT:     else:
# CHECK-NEXT:       _8, _9 = True, found
# CHECK-NEXT:     _10 = torch.add(_6, 1)
# CHECK-NEXT:     _11 = torch.__and__(torch.lt(_10, _5), _8)
# CHECK-NEXT:     _7, found, _6 = _11, _9, _10
# CHECK-NEXT:   return found
def first_over(xs: List[int], limit: int) -> int:
    found = -1
    for x in xs:
        if x > limit:
            found = x
            break
    return found


# Test that constructing a NamedTuple prints its qualified name.
# CHECK-LABEL: def make(a: float) -> __torch__.Point:
# CHECK-NEXT:   return __torch__.Point(a, 0.)
def make(a: float) -> Point:
    return Point(a)


# Test that a NamedTuple folded into a constant prints as its constructor
# called on the tuple, as TorchScript prints it (a bare tuple would read back
# as a plain Tuple).
# CHECK-LABEL: def make_constant(x: Tensor) -> Tuple[Tensor, __torch__.Point]:
# CHECK-NEXT:   return (x, __torch__.Point(1., 2.))
def make_constant(x: torch.Tensor) -> Tuple[torch.Tensor, Point]:
    return x, Point(1.0, 2.0)


# Test that an inlined expression that grows long prints as a statement
# after every inlined argument left of it, up through the calls it sits in,
# so statements keep their order.
# CHECK-LABEL: def split_long(x: Tensor,
# CHECK-NEXT:     y: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
# CHECK-NEXT:   [[A:_[0-9]+]] = torch.masked_fill(x, torch.lt(x, 0), 0.)
# CHECK-NEXT:   [[B:_[0-9]+]] = annotate(List[Optional[Tensor]], [torch.gt(x, 0)])
# CHECK-NEXT:   [[C:_[0-9]+]] = torch.index(x, [[B]])
# CHECK-NEXT:   [[D:_[0-9]+]] = torch.cat([torch.sigmoid(y), torch.tanh(x)])
# CHECK-NEXT:   return ([[A]], [[C]], torch.sum([[D]], [0], True))
def split_long(x, y):
    return (x.masked_fill(x < 0, 0.0), x[x > 0],
            torch.cat([torch.sigmoid(y), torch.tanh(x)], dim=0).sum(dim=0, keepdim=True))


# Test that tolist prints inside its annotation, min/max of tensors as
# ops.prim calls on converted values, and an unannotated `[]` unnamed.
# CHECK-LABEL: def lists(x: Tensor) -> Tuple[List[float], int, List[Tensor]]:
# CHECK-NEXT:   a = annotate(List[float], torch.select(x, 0, 0).tolist())
# CHECK-NEXT:   [[L:_[0-9]+]] = annotate(List[Tensor], [])
# CHECK-NEXT:   {{_[0-9]+}} = torch.append([[L]], x)
# CHECK-NEXT:   [[T:_[0-9]+]] = (a, ops.prim.max(annotate(int, x), 2), [[L]])
# CHECK-NEXT:   return [[T]]
def lists(x: torch.Tensor) -> Tuple[List[float], int, List[torch.Tensor]]:
    a: List[float] = x[0].tolist()
    _res = []
    _res.append(x)
    return a, max(x, 2), _res


# Test that defaults naming constants print as their values: a dtype as its
# code, math.pi as a float.
# CHECK-LABEL: def named_defaults(x: Tensor,
# CHECK-NEXT:     dtype: int=6,
# CHECK-NEXT:     scale: float=3.1415926535897931) -> Tensor:
def named_defaults(x: torch.Tensor, dtype: torch.dtype = torch.float32,
                   scale: float = math.pi) -> torch.Tensor:
    return x.to(dtype) * scale
