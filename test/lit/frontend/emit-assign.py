# RUN: %ember-translate --import-python %s | FileCheck %s
from typing import Dict, List, Optional, Tuple

import torch


# Test that tuple unpacking binds each element through one prim::TupleUnpack.
# CHECK-LABEL: tuple_unpack(%t : (int, float)):
# CHECK-NEXT:   %a : int, %b : float = prim::TupleUnpack(%t)
# CHECK-NEXT:   %[[V5:[0-9]+]] : float = aten::add(%a, %b)
# CHECK-NEXT:   return (%[[V5]])
def tuple_unpack(t: Tuple[int, float]) -> float:
    a, b = t
    return a + b


# Test that a starred target collects the middle elements into a tuple.
# CHECK-LABEL: starred(%t : (int, str, float, bool)):
# CHECK-NEXT:   %first : int, %[[V4:[0-9]+]] : str, %[[V5:[0-9]+]] : float, %last : bool = prim::TupleUnpack(%t)
# CHECK-NEXT:   %middle : (str, float) = prim::TupleConstruct(%[[V4]], %[[V5]])
# CHECK-NEXT:   return (%middle)
def starred(t: Tuple[int, str, float, bool]) -> Tuple[str, float]:
    first, *middle, last = t
    return middle


# Test that augmented assignment on ints rebinds the name (the older value
# becomes `%n.N`).
# CHECK-LABEL: aug_int(%n.1 : int):
# CHECK-NEXT:   %[[V3:[0-9]+]] : int = prim::Constant[value=2]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : int = prim::Constant[value=3]()
# CHECK-NEXT:   %n.3 : int = aten::add(%n.1, %[[V3]])
# CHECK-NEXT:   %n : int = aten::mul(%n.3, %[[V5]])
# CHECK-NEXT:   return (%n)
def aug_int(n: int) -> int:
    n += 2
    n *= 3
    return n


# Test that augmented assignment on tensors is in place (aten::add_).
# CHECK-LABEL: aug_tensor(%x.1 : Tensor):
# CHECK-NEXT:   %[[V3:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %x.3 : Tensor = aten::add_(%x.1, %[[V3]], %[[V3]])
# CHECK-NEXT:   %x : Tensor = aten::mul_(%x.3, %x.3)
# CHECK-NEXT:   return (%x)
def aug_tensor(x: torch.Tensor) -> torch.Tensor:
    x += 1
    x *= x
    return x


# Test that an annotated variable keeps its declared Optional type at joins.
# CHECK-LABEL: annotated(%n : int):
# CHECK-NEXT:   %r.1 : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V4:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : bool = aten::gt(%n, %[[V4]])
# CHECK-NEXT:   %r : int? = prim::If(%[[V5]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       -> (%n)
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%r.1)
# CHECK-NEXT:   return (%r)
def annotated(n: int) -> Optional[int]:
    r: Optional[int] = None
    if n > 0:
        r = n
    return r


# Test that a `# type:` comment annotates the variable of an assignment.
# CHECK-LABEL: type_comment():
# CHECK-NEXT:   %d : Dict(str, int) = prim::DictConstruct()
# CHECK-NEXT:   return (%d)
def type_comment() -> Dict[str, int]:
    d = {}  # type: Dict[str, int]
    return d


# Test that `a = b = x` binds both names to the same value.
# CHECK-LABEL: chained(%x : int):
# CHECK-NEXT:   %[[V3:[0-9]+]] : int = aten::add(%x, %x)
# CHECK-NEXT:   return (%[[V3]])
def chained(x: int) -> int:
    a = b = x
    return a + b


# Test that a literal's constant carries the literal's location, as
# TorchScript prints it (line, 0-based column).
# CHECK-LABEL: literal_location(%x : Tensor):
# CHECK-NEXT:   %[[V4:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : int = prim::Constant[value=7]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : Tensor = aten::add(%x, %[[V3]], %[[V4]])
# CHECK-NEXT:   return (%[[V5]])
def literal_location(x: torch.Tensor) -> torch.Tensor:
    return x + 7


# Test that an assignment in an inner block converts the value to the type
# the variable has outside (a tensor or a `number` into a float), while one
# in the block that annotated it rebinds the variable with the new type.
# CHECK-LABEL: outer_type(%x : Tensor):
# CHECK-NEXT:   %o.1 : NoneType = prim::Constant()
# CHECK-NEXT:   %f.1 : float = prim::Constant[value=0.]()
# CHECK-NEXT:   %[[V7:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %s : int = prim::Constant[value=3]()
# CHECK-NEXT:   %[[V6:[0-9]+]] : Tensor = aten::sum(%x, %o.1)
# CHECK-NEXT:   %[[V8:[0-9]+]] : Tensor = aten::gt(%[[V6]], %[[V7]])
# CHECK-NEXT:   %[[V9:[0-9]+]] : bool = aten::Bool(%[[V8]])
# CHECK-NEXT:   %f : float, %o : int? = prim::If(%[[V9]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       %f.3 : Tensor = aten::sum(%x, %o.1)
# CHECK-NEXT:       %f.5 : float = aten::FloatImplicit(%f.3)
# CHECK-NEXT:       %[[V14:[0-9]+]] : Tensor = aten::sum(%x, %o.1)
# CHECK-NEXT:       %o.3 : Scalar = aten::item(%[[V14]])
# CHECK-NEXT:       %o.5 : int = aten::Int(%o.3)
# CHECK-NEXT:       -> (%f.5, %o.5)
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%f.1, %o.1)
# CHECK-NEXT:   %[[V21:[0-9]+]] : (float, int?, int) = prim::TupleConstruct(%f, %o, %s)
# CHECK-NEXT:   return (%[[V21]])
def outer_type(x: torch.Tensor) -> Tuple[float, Optional[int], int]:
    f = 0.0
    o: Optional[int] = None
    if bool(x.sum() > 0):
        f = x.sum()
        o = x.sum().item()
    s: float = 1.0
    s = 3
    return f, o, s


# Test that an unannotated `[]` assigned in an inner block takes the list
# type of the variable outside, also inside a tuple literal, as TorchScript's
# empty list literal does (it would be List[Tensor] and fail).
# CHECK-LABEL: empty_list_takes_outer_type(%n : int):
# CHECK-NEXT:   %[[V8:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %seen.1 : int[] = prim::ListConstruct(%[[V3]])
# CHECK-NEXT:   %[[V6:[0-9]+]] : int[] = prim::ListConstruct(%[[V5]])
# CHECK-NEXT:   %best.1 : (int, int[]) = prim::TupleConstruct(%[[V3]], %[[V6]])
# CHECK-NEXT:   %seen : int[], %best : (int, int[]) = prim::Loop(%n, %[[V8]], %seen.1, %best.1)
# CHECK-NEXT:     block0(%i : int, %seen.3 : int[], %best.3 : (int, int[])):
# CHECK-NEXT:       %[[V15:[0-9]+]] : int[] = prim::ListConstruct()
# CHECK-NEXT:       %[[V16:[0-9]+]] : int[] = prim::ListConstruct()
# CHECK-NEXT:       %best.5 : (int, int[]) = prim::TupleConstruct(%i, %[[V16]])
# CHECK-NEXT:       -> (%[[V8]], %[[V15]], %best.5)
# CHECK-NEXT:   %[[V20:[0-9]+]] : (int[], (int, int[])) = prim::TupleConstruct(%seen, %best)
# CHECK-NEXT:   return (%[[V20]])
def empty_list_takes_outer_type(n: int) -> Tuple[List[int], Tuple[int, List[int]]]:
    seen = [0]
    best: Tuple[int, List[int]] = (0, [1])
    for i in range(n):
        seen = []
        best = (i, [])
    return seen, best


# Test that `a = b = expr` gives the value neither name (TorchScript assigns
# each target from a temporary).
# CHECK-LABEL: chained_value(%x : int):
# CHECK-NEXT:   %[[V3:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : int = aten::add(%x, %[[V3]])
# CHECK-NEXT:   %[[V5:[0-9]+]] : int = aten::mul(%[[V4]], %[[V4]])
# CHECK-NEXT:   return (%[[V5]])
def chained_value(x: int) -> int:
    a = b = x + 1
    return a * b
