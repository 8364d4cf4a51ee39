# RUN: %ember-translate --import-python %s | FileCheck %s
from typing import Dict, List, Optional

import torch


# Test that `for` over range(n) loops n times and carries what it assigns.
# CHECK-LABEL: range_loop(%n : int):
# CHECK-NEXT:   %[[V4:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %acc.1 : int = prim::Constant[value=0]()
# CHECK-NEXT:   %acc : int = prim::Loop(%n, %[[V4]], %acc.1)
# CHECK-NEXT:     block0(%i : int, %acc.3 : int):
# CHECK-NEXT:       %acc.5 : int = aten::add(%acc.3, %i)
# CHECK-NEXT:       -> (%[[V4]], %acc.5)
# CHECK-NEXT:   return (%acc)
def range_loop(n: int) -> int:
    acc = 0
    for i in range(n):
        acc += i
    return acc


# Test that range(start, stop, step) counts trips with aten::__range_length
# and derives the element with aten::__derive_index.
# CHECK-LABEL: range_step(%n : int):
# CHECK-NEXT:   %[[V7:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : int = prim::Constant[value=-2]()
# CHECK-NEXT:   %acc.1 : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V6:[0-9]+]] : int = aten::__range_length(%n, %acc.1, %[[V5]])
# CHECK-NEXT:   %acc : int = prim::Loop(%[[V6]], %[[V7]], %acc.1)
# CHECK-NEXT:     block0(%[[V8:[0-9]+]] : int, %acc.3 : int):
# CHECK-NEXT:       %i : int = aten::__derive_index(%[[V8]], %n, %[[V5]])
# CHECK-NEXT:       %acc.5 : int = aten::add(%acc.3, %i)
# CHECK-NEXT:       -> (%[[V7]], %acc.5)
# CHECK-NEXT:   return (%acc)
def range_step(n: int) -> int:
    acc = 0
    for i in range(n, 0, -2):
        acc += i
    return acc


# Test that `while` re-evaluates its condition at the end of the body.
# CHECK-LABEL: while_loop(%n.1 : int):
# CHECK-NEXT:   %[[V3:[0-9]+]] : int = prim::Constant[value=9223372036854775807]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V12:[0-9]+]] : int = prim::Constant[value=2]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : bool = aten::gt(%n.1, %[[V4]])
# CHECK-NEXT:   %n : int = prim::Loop(%[[V3]], %[[V5]], %n.1)
# CHECK-NEXT:     block0(%[[V6:[0-9]+]] : int, %n.3 : int):
# CHECK-NEXT:       %n.5 : int = aten::floordiv(%n.3, %[[V12]])
# CHECK-NEXT:       %[[V14:[0-9]+]] : bool = aten::gt(%n.5, %[[V4]])
# CHECK-NEXT:       -> (%[[V14]], %n.5)
# CHECK-NEXT:   return (%n)
def while_loop(n: int) -> int:
    while n > 1:
        n = n // 2
    return n


# Test that `break` turns a `for` into the while form with an explicit index.
# CHECK-LABEL: break_loop(%xs : int[]):
# CHECK-NEXT:   %[[V24:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V28:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V27:[0-9]+]] : bool = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V7:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V6:[0-9]+]] : int = prim::Constant[value=9223372036854775807]()
# CHECK-NEXT:   %found.1 : int = prim::Constant[value=-1]()
# CHECK-NEXT:   %[[V17:[0-9]+]] : int = prim::Constant[value=3]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : int = aten::len(%xs)
# CHECK-NEXT:   %[[V8:[0-9]+]] : bool = aten::gt(%[[V5]], %[[V7]])
# CHECK-NEXT:   %found : int, %[[V31:[0-9]+]] : int = prim::Loop(%[[V6]], %[[V8]], %found.1, %[[V7]])
# CHECK-NEXT:     block0(%[[V10:[0-9]+]] : int, %found.3 : int, %[[V12:[0-9]+]] : int):
# CHECK-NEXT:       %x : int = aten::__getitem__(%xs, %[[V12]])
# CHECK-NEXT:       %[[V18:[0-9]+]] : bool = aten::gt(%x, %[[V17]])
# CHECK-NEXT:       %[[V23:[0-9]+]] : bool, %[[V21:[0-9]+]] : int = prim::If(%[[V18]])
# CHECK-NEXT:         block0():
# CHECK-NEXT:           -> (%[[V27]], %x)
# CHECK-NEXT:         block1():
# CHECK-NEXT:           -> (%[[V28]], %found.3)
# CHECK-NEXT:       %[[V25:[0-9]+]] : int = aten::add(%[[V12]], %[[V24]])
# CHECK-NEXT:       %[[V26:[0-9]+]] : bool = aten::lt(%[[V25]], %[[V5]])
# CHECK-NEXT:       %[[V29:[0-9]+]] : bool = aten::__and__(%[[V26]], %[[V23]])
# CHECK-NEXT:       -> (%[[V29]], %[[V21]], %[[V25]])
# CHECK-NEXT:   return (%found)
def break_loop(xs: List[int]) -> int:
    found = -1
    for x in xs:
        if x > 3:
            found = x
            break
    return found


# Test that `continue` skips the rest of the body through a branch, and that,
# as TorchScript's exit transform leaves it, the `for` becomes the while form
# with the condition `index < n and True`.
# CHECK-LABEL: continue_loop(%n : int):
# CHECK-NEXT:   %[[V24:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V21:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : int = prim::Constant[value=9223372036854775807]()
# CHECK-NEXT:   %acc.1 : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V14:[0-9]+]] : int = prim::Constant[value=2]()
# CHECK-NEXT:   %[[V6:[0-9]+]] : bool = aten::gt(%n, %acc.1)
# CHECK-NEXT:   %acc : int, %[[V27:[0-9]+]] : int = prim::Loop(%[[V4]], %[[V6]], %acc.1, %acc.1)
# CHECK-NEXT:     block0(%[[V8:[0-9]+]] : int, %acc.3 : int, %i : int):
# CHECK-NEXT:       %[[V15:[0-9]+]] : int = aten::remainder(%i, %[[V14]])
# CHECK-NEXT:       %[[V16:[0-9]+]] : bool = aten::eq(%[[V15]], %acc.1)
# CHECK-NEXT:       %[[V20:[0-9]+]] : int = prim::If(%[[V16]])
# CHECK-NEXT:         block0():
# CHECK-NEXT:           -> (%acc.3)
# CHECK-NEXT:         block1():
# CHECK-NEXT:           %acc.5 : int = aten::add(%acc.3, %i)
# CHECK-NEXT:           -> (%acc.5)
# CHECK-NEXT:       %[[V22:[0-9]+]] : int = aten::add(%i, %[[V21]])
# CHECK-NEXT:       %[[V23:[0-9]+]] : bool = aten::lt(%[[V22]], %n)
# CHECK-NEXT:       %[[V25:[0-9]+]] : bool = aten::__and__(%[[V23]], %[[V24]])
# CHECK-NEXT:       -> (%[[V25]], %[[V20]], %[[V22]])
# CHECK-NEXT:   return (%acc)
def continue_loop(n: int) -> int:
    acc = 0
    for i in range(n):
        if i % 2 == 0:
            continue
        acc += i
    return acc


# Test that a `return` inside a loop is carried out of it.
# CHECK-LABEL: return_in_loop(%xs : int[]):
# CHECK-NEXT:   %[[V24:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V16:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V30:[0-9]+]] : bool = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : int = prim::Constant[value=9223372036854775807]()
# CHECK-NEXT:   %[[V14:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V19:[0-9]+]] : int = prim::Uninitialized()
# CHECK-NEXT:   %[[V3:[0-9]+]] : int = aten::len(%xs)
# CHECK-NEXT:   %[[V6:[0-9]+]] : bool = aten::gt(%[[V3]], %[[V14]])
# CHECK-NEXT:   %[[V33:[0-9]+]] : bool, %[[V34:[0-9]+]] : int, %[[V35:[0-9]+]] : int = prim::Loop(%[[V4]], %[[V6]], %[[V30]], %[[V19]], %[[V14]])
# CHECK-NEXT:     block0(%[[V8:[0-9]+]] : int, %[[V31:[0-9]+]] : bool, %[[V32:[0-9]+]] : int, %[[V9:[0-9]+]] : int):
# CHECK-NEXT:       %x : int = aten::__getitem__(%xs, %[[V9]])
# CHECK-NEXT:       %[[V15:[0-9]+]] : bool = aten::lt(%x, %[[V14]])
# CHECK-NEXT:       %[[V23:[0-9]+]] : bool, %[[V21:[0-9]+]] : bool, %[[V20:[0-9]+]] : int = prim::If(%[[V15]])
# CHECK-NEXT:         block0():
# CHECK-NEXT:           -> (%[[V30]], %[[V16]], %x)
# CHECK-NEXT:         block1():
# CHECK-NEXT:           -> (%[[V16]], %[[V30]], %[[V19]])
# CHECK-NEXT:       %[[V25:[0-9]+]] : int = aten::add(%[[V9]], %[[V24]])
# CHECK-NEXT:       %[[V26:[0-9]+]] : bool = aten::lt(%[[V25]], %[[V3]])
# CHECK-NEXT:       %[[V29:[0-9]+]] : bool = aten::__and__(%[[V26]], %[[V23]])
# CHECK-NEXT:       -> (%[[V29]], %[[V21]], %[[V20]], %[[V25]])
# CHECK-NEXT:   %[[V38:[0-9]+]] : int = prim::If(%[[V33]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       -> (%[[V34]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%[[V14]])
# CHECK-NEXT:   return (%[[V38]])
def return_in_loop(xs: List[int]) -> int:
    for x in xs:
        if x < 0:
            return x
    return 0


# Test that enumerate and zip read each source at the trip index.
# CHECK-LABEL: enumerate_zip(%xs : int[],
# CHECK-NEXT:       %ys : float[]):
# CHECK-NEXT:   %[[V10:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : int = prim::Constant[value=9223372036854775807]()
# CHECK-NEXT:   %acc.1 : float = prim::Constant[value=0.]()
# CHECK-NEXT:   %[[V6:[0-9]+]] : int = aten::len(%xs)
# CHECK-NEXT:   %[[V7:[0-9]+]] : int = aten::len(%ys)
# CHECK-NEXT:   %[[V8:[0-9]+]] : int[] = prim::ListConstruct(%[[V5]], %[[V6]], %[[V7]])
# CHECK-NEXT:   %[[V9:[0-9]+]] : int = prim::min(%[[V8]])
# CHECK-NEXT:   %acc : float = prim::Loop(%[[V9]], %[[V10]], %acc.1)
# CHECK-NEXT:     block0(%i : int, %acc.3 : float):
# CHECK-NEXT:       %x : int = aten::__getitem__(%xs, %i)
# CHECK-NEXT:       %y : float = aten::__getitem__(%ys, %i)
# CHECK-NEXT:       %[[V19:[0-9]+]] : int = aten::mul(%i, %x)
# CHECK-NEXT:       %[[V20:[0-9]+]] : float = aten::mul(%[[V19]], %y)
# CHECK-NEXT:       %acc.5 : float = aten::add(%acc.3, %[[V20]])
# CHECK-NEXT:       -> (%[[V10]], %acc.5)
# CHECK-NEXT:   return (%acc)
def enumerate_zip(xs: List[int], ys: List[float]) -> float:
    acc = 0.0
    for i, (x, y) in enumerate(zip(xs, ys)):
        acc += i * x * y
    return acc


# Test that iterating a dict visits its keys and a tensor its rows.
# CHECK-LABEL: dict_tensor(%d : Dict(str, int),
# CHECK-NEXT:       %t : Tensor):
# CHECK-NEXT:   %[[V7:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %acc.1 : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : str[] = aten::keys(%d)
# CHECK-NEXT:   %[[V6:[0-9]+]] : int = aten::len(%[[V5]])
# CHECK-NEXT:   %acc.7 : int = prim::Loop(%[[V6]], %[[V7]], %acc.1)
# CHECK-NEXT:     block0(%[[V8:[0-9]+]] : int, %acc.3 : int):
# CHECK-NEXT:       %k : str = aten::__getitem__(%[[V5]], %[[V8]])
# CHECK-NEXT:       %[[V14:[0-9]+]] : int = aten::__getitem__(%d, %k)
# CHECK-NEXT:       %acc.5 : int = aten::add(%acc.3, %[[V14]])
# CHECK-NEXT:       -> (%[[V7]], %acc.5)
# CHECK-NEXT:   %[[V17:[0-9]+]] : int = aten::len(%t)
# CHECK-NEXT:   %acc : int = prim::Loop(%[[V17]], %[[V7]], %acc.7)
# CHECK-NEXT:     block0(%[[V19:[0-9]+]] : int, %acc.9 : int):
# CHECK-NEXT:       %row : Tensor = aten::select(%t, %acc.1, %[[V19]])
# CHECK-NEXT:       %[[V26:[0-9]+]] : int = aten::size(%row, %acc.1)
# CHECK-NEXT:       %acc.11 : int = aten::add(%acc.9, %[[V26]])
# CHECK-NEXT:       -> (%[[V7]], %acc.11)
# CHECK-NEXT:   return (%acc)
def dict_tensor(d: Dict[str, int], t: torch.Tensor) -> int:
    acc = 0
    for k in d:
        acc += d[k]
    for row in t:
        acc += row.size(0)
    return acc


# Test that a loop over a tuple is unrolled.
# CHECK-LABEL: tuple_loop(%x.1 : Tensor):
# CHECK-NEXT:   %[[V3:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : float = prim::Constant[value=2.]()
# CHECK-NEXT:   %x.3 : Tensor = aten::mul(%x.1, %[[V3]])
# CHECK-NEXT:   %x : Tensor = aten::mul(%x.3, %[[V4]])
# CHECK-NEXT:   return (%x)
def tuple_loop(x: torch.Tensor) -> torch.Tensor:
    for k in (1, 2.0):
        x = x * k
    return x


# Test that a `while` that may break tests its condition again where the
# rest of the body runs, and stops (False) where it broke, as TorchScript's
# exit transform leaves it.
# CHECK-LABEL: while_break(%n : int):
# CHECK-NEXT:   %[[V17:[0-9]+]] : bool = prim::Constant[value=0]()
# CHECK-NEXT:   %i.1 : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : int = prim::Constant[value=9223372036854775807]()
# CHECK-NEXT:   %[[V13:[0-9]+]] : int = prim::Constant[value=50]()
# CHECK-NEXT:   %[[V18:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : bool = aten::lt(%i.1, %n)
# CHECK-NEXT:   %i : int = prim::Loop(%[[V4]], %[[V5]], %i.1)
# CHECK-NEXT:     block0(%[[V6:[0-9]+]] : int, %i.3 : int):
# CHECK-NEXT:       %[[V12:[0-9]+]] : int = aten::mul(%i.3, %i.3)
# CHECK-NEXT:       %[[V14:[0-9]+]] : bool = aten::gt(%[[V12]], %[[V13]])
# CHECK-NEXT:       %[[V23:[0-9]+]] : bool, %[[V24:[0-9]+]] : int = prim::If(%[[V14]])
# CHECK-NEXT:         block0():
# CHECK-NEXT:           -> (%[[V17]], %i.3)
# CHECK-NEXT:         block1():
# CHECK-NEXT:           %i.5 : int = aten::add(%i.3, %[[V18]])
# CHECK-NEXT:           %[[V20:[0-9]+]] : bool = aten::lt(%i.5, %n)
# CHECK-NEXT:           -> (%[[V20]], %i.5)
# CHECK-NEXT:       -> (%[[V23]], %[[V24]])
# CHECK-NEXT:   return (%i)
def while_break(n: int) -> int:
    i = 0
    while i < n:
        if i * i > 50:
            break
        i += 1
    return i


# Test that a `continue` in a `while` tests the condition before going on.
# CHECK-LABEL: while_continue(%n : int):
# CHECK-NEXT:   %i.1 : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : int = prim::Constant[value=9223372036854775807]()
# CHECK-NEXT:   %[[V13:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V15:[0-9]+]] : int = prim::Constant[value=2]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : bool = aten::lt(%i.1, %n)
# CHECK-NEXT:   %s : int, %i : int = prim::Loop(%[[V4]], %[[V5]], %i.1, %i.1)
# CHECK-NEXT:     block0(%[[V6:[0-9]+]] : int, %s.1 : int, %i.3 : int):
# CHECK-NEXT:       %i.5 : int = aten::add(%i.3, %[[V13]])
# CHECK-NEXT:       %[[V16:[0-9]+]] : int = aten::remainder(%i.5, %[[V15]])
# CHECK-NEXT:       %[[V17:[0-9]+]] : bool = aten::eq(%[[V16]], %i.1)
# CHECK-NEXT:       %[[V23:[0-9]+]] : bool, %[[V24:[0-9]+]] : int = prim::If(%[[V17]])
# CHECK-NEXT:         block0():
# CHECK-NEXT:           %[[V19:[0-9]+]] : bool = aten::lt(%i.5, %n)
# CHECK-NEXT:           -> (%[[V19]], %s.1)
# CHECK-NEXT:         block1():
# CHECK-NEXT:           %s.3 : int = aten::add(%s.1, %i.5)
# CHECK-NEXT:           %[[V21:[0-9]+]] : bool = aten::lt(%i.5, %n)
# CHECK-NEXT:           -> (%[[V21]], %s.3)
# CHECK-NEXT:       -> (%[[V23]], %[[V24]], %i.5)
# CHECK-NEXT:   return (%s)
def while_continue(n: int) -> int:
    i = 0
    s = 0
    while i < n:
        i += 1
        if i % 2 == 0:
            continue
        s += i
    return s


# Test that a loop carries a variable its body only refines, as TorchScript's
# refinements assign the variable where they hold.
# CHECK-LABEL: refined_in_loop(%x.1 : int?,
# CHECK-NEXT:       %n : int):
# CHECK-NEXT:   %[[V12:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V5:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %s.1 : int = prim::Constant[value=0]()
# CHECK-NEXT:   %s : int, %x : int? = prim::Loop(%n, %[[V5]], %s.1, %x.1)
# CHECK-NEXT:     block0(%i : int, %s.3 : int, %x.3 : int?):
# CHECK-NEXT:       %[[V13:[0-9]+]] : bool = aten::__isnot__(%x.3, %[[V12]])
# CHECK-NEXT:       %s.7 : int, %x.7 : int? = prim::If(%[[V13]])
# CHECK-NEXT:         block0():
# CHECK-NEXT:           %x.5 : int = prim::unchecked_cast(%x.3)
# CHECK-NEXT:           %s.5 : int = aten::add(%s.3, %x.5)
# CHECK-NEXT:           -> (%s.5, %x.5)
# CHECK-NEXT:         block1():
# CHECK-NEXT:           -> (%s.3, %x.3)
# CHECK-NEXT:       -> (%[[V5]], %s.7, %x.7)
# CHECK-NEXT:   return (%s)
def refined_in_loop(x: Optional[int], n: int) -> int:
    s = 0
    for i in range(n):
        if x is not None:
            s += x
    return s


# Test that the variables a loop only refines come after those it assigns,
# sorted by name, as TorchScript orders them.
# CHECK-LABEL: refined_order(%z.1 : int?,
# CHECK-NEXT:       %a.1 : int?,
# CHECK-NEXT:       %n : int):
# CHECK-NEXT:   %[[V20:[0-9]+]] : bool = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V14:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V6:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %s.1 : int = prim::Constant[value=0]()
# CHECK-NEXT:   %s : int, %a : int?, %z : int? = prim::Loop(%n, %[[V6]], %s.1, %a.1, %z.1)
# CHECK-NEXT:     block0(%i : int, %s.3 : int, %a.3 : int?, %z.3 : int?):
# CHECK-NEXT:       %[[V15:[0-9]+]] : bool = aten::__isnot__(%z.3, %[[V14]])
# CHECK-NEXT:       %[[V16:[0-9]+]] : bool, %z.7 : int? = prim::If(%[[V15]])
# CHECK-NEXT:         block0():
# CHECK-NEXT:           %z.5 : int = prim::unchecked_cast(%z.3)
# CHECK-NEXT:           %[[V19:[0-9]+]] : bool = aten::__isnot__(%a.3, %[[V14]])
# CHECK-NEXT:           -> (%[[V19]], %z.5)
# CHECK-NEXT:         block1():
# CHECK-NEXT:           -> (%[[V20]], %z.3)
# CHECK-NEXT:       %s.7 : int, %a.7 : int?, %z.11 : int? = prim::If(%[[V16]])
# CHECK-NEXT:         block0():
# CHECK-NEXT:           %z.9 : int = prim::unchecked_cast(%z.7)
# CHECK-NEXT:           %a.5 : int = prim::unchecked_cast(%a.3)
# CHECK-NEXT:           %[[V24:[0-9]+]] : int = aten::add(%z.9, %a.5)
# CHECK-NEXT:           %s.5 : int = aten::add(%s.3, %[[V24]])
# CHECK-NEXT:           -> (%s.5, %a.5, %z.9)
# CHECK-NEXT:         block1():
# CHECK-NEXT:           -> (%s.3, %a.3, %z.7)
# CHECK-NEXT:       -> (%[[V6]], %s.7, %a.7, %z.11)
# CHECK-NEXT:   return (%s)
def refined_order(z: Optional[int], a: Optional[int], n: int) -> int:
    s = 0
    for i in range(n):
        if z is not None and a is not None:
            s += z + a
    return s


# Test that a `for` target defined before the loop is carried: after the
# loop it holds the last element, as in Python and TorchScript.
# CHECK-LABEL: target_survives(%n : int):
# CHECK-NEXT:   %[[V4:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %j.1 : int = prim::Constant[value=0]()
# CHECK-NEXT:   %j : int = prim::Loop(%n, %[[V4]], %j.1)
# CHECK-NEXT:     block0(%j.5 : int, %j.3 : int):
# CHECK-NEXT:       -> (%[[V4]], %j.5)
# CHECK-NEXT:   return (%j)
def target_survives(n: int) -> int:
    j: int = 0
    for j in range(n):
        pass
    return j


# Test that a loop carries its variables in name order, as TorchScript's SSA
# conversion adds them, and that those the code after it reads come first
# (canonicalize-outputs): `y` then `a, z`, whatever order they were assigned.
# CHECK-LABEL: carried_order(%n : int):
# CHECK-NEXT:   %[[V6:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %z.1 : int = prim::Constant[value=0]()
# CHECK-NEXT:   %y.1 : int = prim::Constant[value=1]()
# CHECK-NEXT:   %a.1 : int = prim::Constant[value=2]()
# CHECK-NEXT:   %y : int, %a : int, %z : int = prim::Loop(%n, %[[V6]], %y.1, %a.1, %z.1)
# CHECK-NEXT:     block0(%i : int, %y.3 : int, %a.3 : int, %z.3 : int):
# CHECK-NEXT:       %z.5 : int = aten::add(%z.3, %y.1)
# CHECK-NEXT:       %y.5 : int = aten::add(%y.3, %z.5)
# CHECK-NEXT:       %a.5 : int = aten::add(%a.3, %y.5)
# CHECK-NEXT:       -> (%[[V6]], %y.5, %a.5, %z.5)
# CHECK-NEXT:   return (%y)
def carried_order(n: int) -> int:
    z = 0
    y = 1
    a = 2
    for i in range(n):
        z = z + 1
        y = y + z
        a = a + y
    return y


# Test that a loop whose body computes only what nothing reads goes: the body
# returns the loop's own `true`, so dead-code elimination can drop it, as
# TorchScript's does.
# CHECK-LABEL: dead_loop(%n : int):
# CHECK-NEXT:   %[[V4:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   return (%n)
def dead_loop(n: int) -> int:
    z = 0
    for i in range(n):
        if i > 2:
            z = 3
        else:
            z = 4
    return n
