# RUN: %ember-translate --import-python %s | FileCheck %s
from typing import Any, Optional, Union

import torch


# Test that `is not None` refines an Optional local in the true branch.
# CHECK-LABEL: is_not_none(%x.1 : int?):
# CHECK-NEXT:   %[[V3:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V6:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V10:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : bool = aten::__isnot__(%x.1, %[[V3]])
# CHECK-NEXT:   %[[V13:[0-9]+]] : int = prim::If(%[[V4]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       %x : int = prim::unchecked_cast(%x.1)
# CHECK-NEXT:       %[[V7:[0-9]+]] : int = aten::add(%x, %[[V6]])
# CHECK-NEXT:       -> (%[[V7]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%[[V10]])
# CHECK-NEXT:   return (%[[V13]])
def is_not_none(x: Optional[int]) -> int:
    if x is not None:
        return x + 1
    return 0


# Test that the refinement reaches the implicit else of `is None` after an
# early return.
# CHECK-LABEL: after_return(%x.1 : Tensor?):
# CHECK-NEXT:   %[[V3:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V5:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : bool = aten::__is__(%x.1, %[[V3]])
# CHECK-NEXT:   %[[V18:[0-9]+]] : Tensor = prim::If(%[[V4]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       %[[V6:[0-9]+]] : int[] = prim::ListConstruct(%[[V5]])
# CHECK-NEXT:       %[[V11:[0-9]+]] : Tensor = aten::zeros(%[[V6]], %[[V3]], %[[V3]], %[[V3]], %[[V3]])
# CHECK-NEXT:       -> (%[[V11]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       %x : Tensor = prim::unchecked_cast(%x.1)
# CHECK-NEXT:       %[[V15:[0-9]+]] : Tensor = aten::relu(%x)
# CHECK-NEXT:       -> (%[[V15]])
# CHECK-NEXT:   return (%[[V18]])
def after_return(x: Optional[torch.Tensor]) -> torch.Tensor:
    if x is None:
        return torch.zeros(1)
    return x.relu()


# Test that `and` combines the refinements of both operands.
# CHECK-LABEL: through_and(%a.1 : int?,
# CHECK-NEXT:       %b.1 : int?):
# CHECK-NEXT:   %[[V10:[0-9]+]] : bool = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V17:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : bool = aten::__isnot__(%a.1, %[[V4]])
# CHECK-NEXT:   %[[V6:[0-9]+]] : bool, %a.5 : int? = prim::If(%[[V5]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       %a.3 : int = prim::unchecked_cast(%a.1)
# CHECK-NEXT:       %[[V9:[0-9]+]] : bool = aten::__isnot__(%b.1, %[[V4]])
# CHECK-NEXT:       -> (%[[V9]], %a.3)
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%[[V10]], %a.1)
# CHECK-NEXT:   %[[V20:[0-9]+]] : int = prim::If(%[[V6]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       %a : int = prim::unchecked_cast(%a.5)
# CHECK-NEXT:       %b : int = prim::unchecked_cast(%b.1)
# CHECK-NEXT:       %[[V14:[0-9]+]] : int = aten::add(%a, %b)
# CHECK-NEXT:       -> (%[[V14]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%[[V17]])
# CHECK-NEXT:   return (%[[V20]])
def through_and(a: Optional[int], b: Optional[int]) -> int:
    if a is not None and b is not None:
        return a + b
    return 0


# Test that `not` and `or` swap and intersect refinements.
# CHECK-LABEL: through_or(%a.1 : int?):
# CHECK-NEXT:   %[[V6:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V8:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V15:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : bool = aten::__is__(%a.1, %[[V3]])
# CHECK-NEXT:   %[[V5:[0-9]+]] : bool, %a.5 : int? = prim::If(%[[V4]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       -> (%[[V6]], %a.1)
# CHECK-NEXT:     block1():
# CHECK-NEXT:       %a.3 : int = prim::unchecked_cast(%a.1)
# CHECK-NEXT:       %[[V9:[0-9]+]] : bool = aten::lt(%a.3, %[[V8]])
# CHECK-NEXT:       -> (%[[V9]], %a.3)
# CHECK-NEXT:   %[[V11:[0-9]+]] : bool = aten::__not__(%[[V5]])
# CHECK-NEXT:   %[[V18:[0-9]+]] : int = prim::If(%[[V11]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       %a : int = prim::unchecked_cast(%a.5)
# CHECK-NEXT:       -> (%a)
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%[[V15]])
# CHECK-NEXT:   return (%[[V18]])
def through_or(a: Optional[int]) -> int:
    if not (a is None or a < 0):
        return a
    return 1


# Test that `assert x is not None` refines what follows: as in TorchScript,
# the refined value is made in the branch that passes and leaves the If
# (the raising branch gives an uninitialized value).
# CHECK-LABEL: assert_refines(%x.1 : int?):
# CHECK-NEXT:   %[[V7:[0-9]+]] : str = prim::Constant[value="AssertionError: x is required"]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V11:[0-9]+]] : int = prim::Constant[value=2]()
# CHECK-NEXT:   %[[V9:[0-9]+]] : int = prim::Uninitialized()
# CHECK-NEXT:   %[[V4:[0-9]+]] : bool = aten::__isnot__(%x.1, %[[V3]])
# CHECK-NEXT:   %x : int = prim::If(%[[V4]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       %x.3 : int = prim::unchecked_cast(%x.1)
# CHECK-NEXT:       -> (%x.3)
# CHECK-NEXT:     block1():
# CHECK-NEXT:        = prim::RaiseException(%[[V7]], %[[V3]])
# CHECK-NEXT:       -> (%[[V9]])
# CHECK-NEXT:   %[[V12:[0-9]+]] : int = aten::mul(%x, %[[V11]])
# CHECK-NEXT:   return (%[[V12]])
def assert_refines(x: Optional[int]) -> int:
    assert x is not None, "x is required"
    return x * 2


# Test that a branch that raises leaves the other branch's refinement.
# CHECK-LABEL: raise_refines(%x.1 : int?):
# CHECK-NEXT:   %[[V6:[0-9]+]] : str = prim::Constant[value="builtins.ValueError"]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : str = prim::Constant[value="no x"]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V8:[0-9]+]] : int = prim::Uninitialized()
# CHECK-NEXT:   %[[V4:[0-9]+]] : bool = aten::__is__(%x.1, %[[V3]])
# CHECK-NEXT:   %x : int = prim::If(%[[V4]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:        = prim::RaiseException(%[[V5]], %[[V6]])
# CHECK-NEXT:       -> (%[[V8]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       %x.3 : int = prim::unchecked_cast(%x.1)
# CHECK-NEXT:       -> (%x.3)
# CHECK-NEXT:   return (%x)
def raise_refines(x: Optional[int]) -> int:
    if x is None:
        raise ValueError("no x")
    return x


# Test that `if x is None: x = default` gives a non-Optional `x`.
# CHECK-LABEL: default_assign(%x.1 : int?):
# CHECK-NEXT:   %[[V3:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V5:[0-9]+]] : int = prim::Constant[value=5]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : bool = aten::__is__(%x.1, %[[V3]])
# CHECK-NEXT:   %x : int = prim::If(%[[V4]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       -> (%[[V5]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       %x.3 : int = prim::unchecked_cast(%x.1)
# CHECK-NEXT:       -> (%x.3)
# CHECK-NEXT:   return (%x)
def default_assign(x: Optional[int]) -> int:
    if x is None:
        x = 5
    return x


# Test that isinstance refines a Union and folds when the type decides it,
# still casting the variable in the branch taken, as TorchScript does.
# CHECK-LABEL: isinstance_refines(%x.1 : Union(int, str),
# CHECK-NEXT:       %y.1 : int):
# CHECK-NEXT:   %[[V4:[0-9]+]] : bool = prim::isinstance[types=[int]](%x.1)
# CHECK-NEXT:   %[[V14:[0-9]+]] : int = prim::If(%[[V4]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       %x.3 : int = prim::unchecked_cast(%x.1)
# CHECK-NEXT:       %[[V6:[0-9]+]] : int = aten::add(%x.3, %y.1)
# CHECK-NEXT:       -> (%[[V6]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       %y : int = prim::unchecked_cast(%y.1)
# CHECK-NEXT:       -> (%y)
# CHECK-NEXT:   return (%[[V14]])
def isinstance_refines(x: Union[int, str], y: int) -> int:
    if isinstance(x, int):
        return x + y
    if isinstance(y, int):
        return y
    return 0


# Test that the false branch of isinstance sees the other alternatives.
# CHECK-LABEL: isinstance_else(%y.1 : Union(int, str)):
# CHECK-NEXT:   %[[V5:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : bool = prim::isinstance[types=[int]](%y.1)
# CHECK-NEXT:   %r : str = prim::If(%[[V3]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       %y.3 : int = prim::unchecked_cast(%y.1)
# CHECK-NEXT:       %[[V6:[0-9]+]] : int = aten::add(%y.3, %[[V5]])
# CHECK-NEXT:       %r.1 : str = aten::str(%[[V6]])
# CHECK-NEXT:       -> (%r.1)
# CHECK-NEXT:     block1():
# CHECK-NEXT:       %y.5 : str = prim::unchecked_cast(%y.1)
# CHECK-NEXT:       %r.3 : str = aten::upper(%y.5)
# CHECK-NEXT:       -> (%r.3)
# CHECK-NEXT:   return (%r)
def isinstance_else(y: Union[int, str]) -> str:
    if isinstance(y, int):
        r = str(y + 1)
    else:
        r = y.upper()
    return r


# Test that a number is tested at run time, as an int, a float or a
# complex: the true branch holds a float, the false one the other two.
# CHECK-LABEL: isinstance_number(%t : Tensor,
# CHECK-NEXT:       %x.1 : Scalar):
# CHECK-NEXT:   %[[V11:[0-9]+]] : str = prim::Constant[value="trunc"]()
# CHECK-NEXT:   %[[V6:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : bool = prim::isinstance[types=[float]](%x.1)
# CHECK-NEXT:   %[[V15:[0-9]+]] : Tensor = prim::If(%[[V4]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       %x.3 : float = prim::unchecked_cast(%x.1)
# CHECK-NEXT:       %[[V7:[0-9]+]] : Tensor = aten::add(%t, %x.3, %[[V6]])
# CHECK-NEXT:       -> (%[[V7]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       %x : Union(complex, int) = prim::unchecked_cast(%x.1)
# CHECK-NEXT:       %[[V12:[0-9]+]] : Tensor = aten::div(%t, %x, %[[V11]])
# CHECK-NEXT:       -> (%[[V12]])
# CHECK-NEXT:   return (%[[V15]])
def isinstance_number(t: torch.Tensor, x: Union[int, float, complex]) -> torch.Tensor:
    if isinstance(x, float):
        return t + x
    return torch.div(t, x, rounding_mode="trunc")


# Test that isinstance on an Any casts it to Any in the false branch, as
# TorchScript refines it there (an Any stays an Any when it is not a type).
# CHECK-LABEL: any_isinstance(%x.1 : Any):
# CHECK-NEXT:   %[[V6:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V1:[0-9]+]] : bool = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V10:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V24:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V14:[0-9]+]] : int = prim::Uninitialized()
# CHECK-NEXT:   %[[V3:[0-9]+]] : bool = prim::isinstance[types=[int]](%x.1)
# CHECK-NEXT:   %[[V23:[0-9]+]] : bool, %[[V21:[0-9]+]] : int = prim::If(%[[V3]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       %x.3 : int = prim::unchecked_cast(%x.1)
# CHECK-NEXT:       -> (%[[V6]], %x.3)
# CHECK-NEXT:     block1():
# CHECK-NEXT:       %x.5 : Any = prim::unchecked_cast(%x.1)
# CHECK-NEXT:       %[[V8:[0-9]+]] : bool = prim::isinstance[types=[float]](%x.5)
# CHECK-NEXT:       %[[V17:[0-9]+]] : bool, %[[V15:[0-9]+]] : int = prim::If(%[[V8]])
# CHECK-NEXT:         block0():
# CHECK-NEXT:           -> (%[[V6]], %[[V10]])
# CHECK-NEXT:         block1():
# CHECK-NEXT:           -> (%[[V1]], %[[V14]])
# CHECK-NEXT:       -> (%[[V17]], %[[V15]])
# CHECK-NEXT:   %[[V27:[0-9]+]] : int = prim::If(%[[V23]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       -> (%[[V21]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%[[V24]])
# CHECK-NEXT:   return (%[[V27]])
def any_isinstance(x: Any) -> int:
    if isinstance(x, int):
        return x
    elif isinstance(x, float):
        return 1
    return 0


# Test that `is` between a None and a value that is never None, or two
# Nones, is a bool constant (TorchScript's static `is`), while an Optional
# or Any operand is compared at run time.
# CHECK-LABEL: static_is(%x : Any,
# CHECK-NEXT:       %y.1 : int?,
# CHECK-NEXT:       %z : int):
# CHECK-NEXT:   %[[V12:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %b : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %a : bool = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V13:[0-9]+]] : bool = aten::__is__(%y.1, %[[V12]])
# CHECK-NEXT:   %d : bool = prim::If(%[[V13]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       -> (%b)
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%a)
# CHECK-NEXT:   %e : bool = aten::__is__(%x, %[[V12]])
# CHECK-NEXT:   %[[V22:[0-9]+]] : (bool, bool, bool, bool, bool) = prim::TupleConstruct(%a, %b, %b, %d, %e)
# CHECK-NEXT:   return (%[[V22]])
def static_is(x: Any, y: Optional[int], z: int):
    a = z is None
    b = None is not z
    c = None is None
    d = (y is None) and (z is not None)
    e = x is None
    return a, b, c, d, e
