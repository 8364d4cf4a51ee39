# RUN: %ember-translate --import-python %s | FileCheck %s
from typing import List, Optional, Union

import torch


# Test that variables assigned in branches become the outputs of prim::If.
# CHECK-LABEL: join(%c : bool,
# CHECK-NEXT:       %x : int):
# CHECK-NEXT:   %[[V4:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V6:[0-9]+]] : int = prim::Constant[value=3]()
# CHECK-NEXT:   %[[V8:[0-9]+]] : int = prim::Constant[value=2]()
# CHECK-NEXT:   %[[V10:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %y : int = prim::If(%c)
# CHECK-NEXT:     block0():
# CHECK-NEXT:       %y.1 : int = aten::add(%x, %[[V4]])
# CHECK-NEXT:       -> (%y.1)
# CHECK-NEXT:     block1():
# CHECK-NEXT:       %[[V7:[0-9]+]] : bool = aten::gt(%x, %[[V6]])
# CHECK-NEXT:       %y.5 : int = prim::If(%[[V7]])
# CHECK-NEXT:         block0():
# CHECK-NEXT:           %y.3 : int = aten::mul(%x, %[[V8]])
# CHECK-NEXT:           -> (%y.3)
# CHECK-NEXT:         block1():
# CHECK-NEXT:           -> (%[[V10]])
# CHECK-NEXT:       -> (%y.5)
# CHECK-NEXT:   return (%y)
def join(c: bool, x: int) -> int:
    if c:
        y = x + 1
    elif x > 3:
        y = x * 2
    else:
        y = 0
    return y


# Test that the statements after an `if` whose branch returns move into the
# other branch.
# CHECK-LABEL: early_return(%x : Tensor,
# CHECK-NEXT:       %n : int):
# CHECK-NEXT:   %[[V4:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : bool = aten::lt(%n, %[[V4]])
# CHECK-NEXT:   %[[V11:[0-9]+]] : Tensor = prim::If(%[[V5]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       -> (%x)
# CHECK-NEXT:     block1():
# CHECK-NEXT:       %y : Tensor = aten::mul(%x, %n)
# CHECK-NEXT:       -> (%y)
# CHECK-NEXT:   return (%[[V11]])
def early_return(x: torch.Tensor, n: int) -> torch.Tensor:
    if n < 0:
        return x
    y = x * n
    return y


# Test that a branch that raises gives no value to the join.
# CHECK-LABEL: raise_branch(%n : int):
# CHECK-NEXT:   %[[V6:[0-9]+]] : str = prim::Constant[value="builtins.ValueError"]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : str = prim::Constant[value="negative"]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V7:[0-9]+]] : int = prim::Uninitialized()
# CHECK-NEXT:   %[[V4:[0-9]+]] : bool = aten::lt(%n, %[[V3]])
# CHECK-NEXT:   %k : int = prim::If(%[[V4]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:        = prim::RaiseException(%[[V5]], %[[V6]])
# CHECK-NEXT:       -> (%[[V7]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%n)
# CHECK-NEXT:   return (%k)
def raise_branch(n: int) -> int:
    if n < 0:
        raise ValueError("negative")
    else:
        k = n
    return k


# Test that a tensor condition is converted with aten::Bool.
# CHECK-LABEL: tensor_condition(%x : Tensor):
# CHECK-NEXT:   %[[V3:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V5:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V8:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : Tensor = aten::sum(%x, %[[V3]])
# CHECK-NEXT:   %[[V6:[0-9]+]] : Tensor = aten::gt(%[[V4]], %[[V5]])
# CHECK-NEXT:   %[[V7:[0-9]+]] : bool = aten::Bool(%[[V6]])
# CHECK-NEXT:   %[[V13:[0-9]+]] : int = prim::If(%[[V7]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       -> (%[[V8]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%[[V5]])
# CHECK-NEXT:   return (%[[V13]])
def tensor_condition(x: torch.Tensor) -> int:
    if x.sum() > 0:
        return 1
    return 0


# Test that a condition the types decide compiles only the branch that runs.
# CHECK-LABEL: static_if(%x : Tensor):
# CHECK-NEXT:   return (%x)
def static_if(x: torch.Tensor) -> torch.Tensor:
    if torch.jit.is_scripting():
        return x
    else:
        return x.not_an_operator()


# Test that a function without return gives None, and statements after an
# `if` that may return run under the flag the branch set.
# CHECK-LABEL: maybe_returns(%xs : int[],
# CHECK-NEXT:       %c : bool):
# CHECK-NEXT:   %[[V20:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V9:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V2:[0-9]+]] : bool = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : int = prim::Constant[value=2]()
# CHECK-NEXT:   %[[V10:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V18:[0-9]+]] : bool = prim::If(%c)
# CHECK-NEXT:     block0():
# CHECK-NEXT:       %[[V4:[0-9]+]] : int = aten::len(%xs)
# CHECK-NEXT:       %[[V6:[0-9]+]] : bool = aten::gt(%[[V4]], %[[V5]])
# CHECK-NEXT:       %[[V15:[0-9]+]] : bool = prim::If(%[[V6]])
# CHECK-NEXT:         block0():
# CHECK-NEXT:           -> (%[[V9]])
# CHECK-NEXT:         block1():
# CHECK-NEXT:           %[[V11:[0-9]+]] : int[] = aten::append(%xs, %[[V10]])
# CHECK-NEXT:           -> (%[[V2]])
# CHECK-NEXT:       -> (%[[V15]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%[[V2]])
# CHECK-NEXT:    = prim::If(%[[V18]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       -> ()
# CHECK-NEXT:     block1():
# CHECK-NEXT:       %[[V19:[0-9]+]] : int[] = aten::append(%xs, %[[V5]])
# CHECK-NEXT:       -> ()
# CHECK-NEXT:   return (%[[V20]])
def maybe_returns(xs: List[int], c: bool):
    if c:
        if len(xs) > 2:
            return
        xs.append(1)
    xs.append(2)


# Test that an `if` on a short circuit whose value is its left operand
# (`a and True`, `a or False`) branches on that operand, as TorchScript does.
# CHECK-LABEL: redundant_short_circuit(%a : bool,
# CHECK-NEXT:       %x.1 : int):
# CHECK-NEXT:   %[[V7:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %x : int = prim::If(%a)
# CHECK-NEXT:     block0():
# CHECK-NEXT:       %x.3 : int = aten::add(%x.1, %[[V7]])
# CHECK-NEXT:       -> (%x.3)
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%x.1)
# CHECK-NEXT:   return (%x)
def redundant_short_circuit(a: bool, x: int) -> int:
    if a and True:
        x = x + 1
    return x


# Test that `x or True` is true whatever `x` is, so only the true branch of
# the ternary is compiled (TorchScript's static if).
# CHECK-LABEL: static_or(%a : bool,
# CHECK-NEXT:       %x : int):
# CHECK-NEXT:   return (%x)
def static_or(a: bool, x: int) -> int:
    return x if not a or True else x + 1


# Test that returns of different types join as the declared Union result.
# CHECK-LABEL: union_return(%a : int):
# CHECK-NEXT:   %[[V7:[0-9]+]] : str = prim::Constant[value="neg"]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : bool = aten::gt(%a, %[[V3]])
# CHECK-NEXT:   %[[V10:[0-9]+]] : Union(int, str) = prim::If(%[[V4]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       -> (%a)
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%[[V7]])
# CHECK-NEXT:   return (%[[V10]])
def union_return(a: int) -> Union[int, str]:
    if a > 0:
        return a
    return "neg"


# Test that statements after an `if` that returns belong to the `if`'s
# block even though they are emitted into its other branch: they may give a
# variable a new type, as TorchScript allows in one block.
# CHECK-LABEL: retype_after_return(%c : bool):
# CHECK-NEXT:   %[[V14:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V11:[0-9]+]] : int = prim::If(%c)
# CHECK-NEXT:     block0():
# CHECK-NEXT:       -> (%[[V4]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%[[V14]])
# CHECK-NEXT:   return (%[[V11]])
def retype_after_return(c: bool):
    x = 1.0
    if c:
        return 0
    x = "s"
    return len(x)


# Test that after a loop that may return, the statements guarded by the
# return flag may retype a variable too: where the flag is set the function
# has returned, so that side of the guard carries no value for it.
# CHECK-LABEL: retype_after_loop_return(%n : int):
# CHECK-NEXT:   %[[V16:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V30:[0-9]+]] : bool = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : int = prim::Constant[value=9223372036854775807]()
# CHECK-NEXT:   %[[V13:[0-9]+]] : int = prim::Constant[value=3]()
# CHECK-NEXT:   %[[V15:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V19:[0-9]+]] : int = prim::Uninitialized()
# CHECK-NEXT:   %[[V6:[0-9]+]] : bool = aten::gt(%n, %[[V5]])
# CHECK-NEXT:   %[[V33:[0-9]+]] : bool, %[[V34:[0-9]+]] : int, %[[V35:[0-9]+]] : int = prim::Loop(%[[V4]], %[[V6]], %[[V30]], %[[V19]], %[[V5]])
# CHECK-NEXT:     block0(%[[V8:[0-9]+]] : int, %[[V31:[0-9]+]] : bool, %[[V32:[0-9]+]] : int, %i : int):
# CHECK-NEXT:       %[[V14:[0-9]+]] : bool = aten::eq(%i, %[[V13]])
# CHECK-NEXT:       %[[V23:[0-9]+]] : bool, %[[V21:[0-9]+]] : bool, %[[V20:[0-9]+]] : int = prim::If(%[[V14]])
# CHECK-NEXT:         block0():
# CHECK-NEXT:           -> (%[[V30]], %[[V16]], %[[V15]])
# CHECK-NEXT:         block1():
# CHECK-NEXT:           -> (%[[V16]], %[[V30]], %[[V19]])
# CHECK-NEXT:       %[[V25:[0-9]+]] : int = aten::add(%i, %[[V15]])
# CHECK-NEXT:       %[[V26:[0-9]+]] : bool = aten::lt(%[[V25]], %n)
# CHECK-NEXT:       %[[V29:[0-9]+]] : bool = aten::__and__(%[[V26]], %[[V23]])
# CHECK-NEXT:       -> (%[[V29]], %[[V21]], %[[V20]], %[[V25]])
# CHECK-NEXT:   %[[V42:[0-9]+]] : int = prim::If(%[[V33]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       -> (%[[V34]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%[[V13]])
# CHECK-NEXT:   return (%[[V42]])
def retype_after_loop_return(n: int):
    x = 1.0
    for i in range(n):
        if i == 3:
            return 1
    x = "abc"
    return len(x)


# Test that a Union variable assigned in one branch and refined in the
# other joins as the Union (torchaudio's mvdr weights).
# CHECK-LABEL: union_reassigned(%c.1 : Union(Tensor, int)):
# CHECK-NEXT:   %[[V7:[0-9]+]] : bool = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V6:[0-9]+]] : int = prim::Constant[value=6]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : bool = prim::isinstance[types=[int]](%c.1)
# CHECK-NEXT:   %c : Union(Tensor, int) = prim::If(%[[V3]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       %c.3 : int = prim::unchecked_cast(%c.1)
# CHECK-NEXT:       -> (%c.3)
# CHECK-NEXT:     block1():
# CHECK-NEXT:       %c.5 : Tensor = prim::unchecked_cast(%c.1)
# CHECK-NEXT:       %c.7 : Tensor = aten::to(%c.5, %[[V6]], %[[V7]], %[[V7]])
# CHECK-NEXT:       -> (%c.7)
# CHECK-NEXT:   return (%c)
def union_reassigned(c: Union[int, torch.Tensor]):
    if isinstance(c, int):
        pass
    else:
        c = c.to(torch.float)
    return c


# Test that a branch whose `if` on a None attribute always raises leaves
# its variables undefined without an error (torchaudio's TimeStretch).
class NoRate:
    # CHECK-LABEL: NoRate.__init__(%self : __torch__.NoRate):
    # CHECK-NEXT:   %[[V3:[0-9]+]] : NoneType = prim::Constant()
    # CHECK-NEXT:    = prim::SetAttr[name="fixed_rate"](%self, %[[V3]])
    # CHECK-NEXT:   return (%[[V3]])
    def __init__(self):
        self.fixed_rate = None

    # CHECK-LABEL: NoRate.rate(%self : __torch__.NoRate,
    # CHECK-NEXT:       %overriding.1 : float?):
    # CHECK-NEXT:   %[[V10:[0-9]+]] : str = prim::Constant[value="builtins.ValueError"]()
    # CHECK-NEXT:   %[[V9:[0-9]+]] : str = prim::Constant[value="no rate"]()
    # CHECK-NEXT:   %[[V4:[0-9]+]] : NoneType = prim::Constant()
    # CHECK-NEXT:   %[[V12:[0-9]+]] : float = prim::Uninitialized()
    # CHECK-NEXT:   %[[V5:[0-9]+]] : bool = aten::__is__(%overriding.1, %[[V4]])
    # CHECK-NEXT:   %rate : float = prim::If(%[[V5]])
    # CHECK-NEXT:     block0():
    # CHECK-NEXT:        = prim::RaiseException(%[[V9]], %[[V10]])
    # CHECK-NEXT:       -> (%[[V12]])
    # CHECK-NEXT:     block1():
    # CHECK-NEXT:       %overriding.3 : float = prim::unchecked_cast(%overriding.1)
    # CHECK-NEXT:       -> (%overriding.3)
    # CHECK-NEXT:   return (%rate)
    def rate(self, overriding: Optional[float]) -> float:
        if overriding is None:
            if self.fixed_rate is None:
                raise ValueError("no rate")
            rate = self.fixed_rate
        else:
            rate = overriding
        return rate


# Test that the class compiles through a call.
# CHECK-LABEL: no_rate(%overriding : float?):
# CHECK-NEXT:   %[[V3:[0-9]+]] : __torch__.NoRate = prim::CreateObject()
# CHECK-NEXT:   %[[V4:[0-9]+]] : NoneType = prim::CallMethod[name="__init__"](%[[V3]])
# CHECK-NEXT:   %[[V5:[0-9]+]] : float = prim::CallMethod[name="rate"](%[[V3]], %overriding)
# CHECK-NEXT:   return (%[[V5]])
def no_rate(overriding: Optional[float]) -> float:
    return NoRate().rate(overriding)


# Test that what follows an `if` whose branch returns while the other only
# may return (an `elif` that returns on one path) runs under the returned
# flag, as TorchScript's exit transform guards it; it moves into the other
# branch only when that branch never leaves.
# CHECK-LABEL: elif_returns(%x : int):
# CHECK-NEXT:   %[[V6:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V1:[0-9]+]] : bool = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : int = prim::Constant[value=2]()
# CHECK-NEXT:   %[[V7:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V9:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V12:[0-9]+]] : int = prim::Uninitialized()
# CHECK-NEXT:   %[[V4:[0-9]+]] : bool = aten::gt(%x, %[[V3]])
# CHECK-NEXT:   %[[V18:[0-9]+]] : bool, %[[V16:[0-9]+]] : int = prim::If(%[[V4]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       -> (%[[V6]], %x)
# CHECK-NEXT:     block1():
# CHECK-NEXT:       %[[V8:[0-9]+]] : bool = aten::lt(%x, %[[V7]])
# CHECK-NEXT:       %[[V15:[0-9]+]] : bool, %[[V13:[0-9]+]] : int = prim::If(%[[V8]])
# CHECK-NEXT:         block0():
# CHECK-NEXT:           -> (%[[V6]], %[[V9]])
# CHECK-NEXT:         block1():
# CHECK-NEXT:           -> (%[[V1]], %[[V12]])
# CHECK-NEXT:       -> (%[[V15]], %[[V13]])
# CHECK-NEXT:   %[[V21:[0-9]+]] : int = prim::If(%[[V18]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       -> (%[[V16]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%[[V7]])
# CHECK-NEXT:   return (%[[V21]])
def elif_returns(x: int) -> int:
    if x > 2:
        return x
    elif x < 0:
        return 1
    return 0


# Test that an `if` whose branch only may return keeps its variables'
# names (TorchScript's exit transform cannot merge it with the guard after
# it), while the guard's outputs are unnamed.
# CHECK-LABEL: nested_return(%x : int,
# CHECK-NEXT:       %c : bool,
# CHECK-NEXT:       %d : bool):
# CHECK-NEXT:   %[[V8:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : bool = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V17:[0-9]+]] : int = prim::Constant[value=2]()
# CHECK-NEXT:   %[[V9:[0-9]+]] : int = prim::Uninitialized()
# CHECK-NEXT:   %[[V16:[0-9]+]] : bool, %[[V14:[0-9]+]] : int, %y : int = prim::If(%c)
# CHECK-NEXT:     block0():
# CHECK-NEXT:       %y.1 : int = aten::add(%x, %[[V5]])
# CHECK-NEXT:       %[[V12:[0-9]+]] : bool, %[[V10:[0-9]+]] : int = prim::If(%d)
# CHECK-NEXT:         block0():
# CHECK-NEXT:           -> (%[[V8]], %y.1)
# CHECK-NEXT:         block1():
# CHECK-NEXT:           -> (%[[V3]], %[[V9]])
# CHECK-NEXT:       -> (%[[V12]], %[[V10]], %y.1)
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%[[V3]], %[[V9]], %x)
# CHECK-NEXT:   %[[V21:[0-9]+]] : int = prim::If(%[[V16]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       -> (%[[V14]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       %[[V18:[0-9]+]] : int = aten::mul(%y, %[[V17]])
# CHECK-NEXT:       -> (%[[V18]])
# CHECK-NEXT:   return (%[[V21]])
def nested_return(x: int, c: bool, d: bool) -> int:
    if c:
        y = x + 1
        if d:
            return y
    else:
        y = x
    return y * 2


# Test that a refinement a conditional expression makes in a branch that
# returns keeps the refined value there (TorchScript's emitter does not see
# it, so it is not replaced by an uninitialized value).
# CHECK-LABEL: ternary_refines(%a.1 : int?,
# CHECK-NEXT:       %c : bool):
# CHECK-NEXT:   %[[V21:[0-9]+]] : int = prim::Constant[value=-1]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V6:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V8:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V30:[0-9]+]] : int = prim::If(%c)
# CHECK-NEXT:     block0():
# CHECK-NEXT:       %[[V5:[0-9]+]] : bool = aten::__is__(%a.1, %[[V4]])
# CHECK-NEXT:       %a.5 : int?, %x : int = prim::If(%[[V5]])
# CHECK-NEXT:         block0():
# CHECK-NEXT:           -> (%a.1, %[[V6]])
# CHECK-NEXT:         block1():
# CHECK-NEXT:           %a.3 : int = prim::unchecked_cast(%a.1)
# CHECK-NEXT:           -> (%a.3, %[[V8]])
# CHECK-NEXT:       %[[V12:[0-9]+]] : bool = aten::__isnot__(%a.5, %[[V4]])
# CHECK-NEXT:       %[[V13:[0-9]+]] : int = prim::If(%[[V12]])
# CHECK-NEXT:         block0():
# CHECK-NEXT:           %a.7 : int = prim::unchecked_cast(%a.5)
# CHECK-NEXT:           -> (%a.7)
# CHECK-NEXT:         block1():
# CHECK-NEXT:           -> (%[[V6]])
# CHECK-NEXT:       %[[V16:[0-9]+]] : int = aten::add(%x, %[[V13]])
# CHECK-NEXT:       -> (%[[V16]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       %[[V20:[0-9]+]] : bool = aten::__is__(%a.1, %[[V4]])
# CHECK-NEXT:       %[[V27:[0-9]+]] : int = prim::If(%[[V20]])
# CHECK-NEXT:         block0():
# CHECK-NEXT:           -> (%[[V21]])
# CHECK-NEXT:         block1():
# CHECK-NEXT:           %a : int = prim::unchecked_cast(%a.1)
# CHECK-NEXT:           -> (%a)
# CHECK-NEXT:       -> (%[[V27]])
# CHECK-NEXT:   return (%[[V30]])
def ternary_refines(a: Optional[int], c: bool) -> int:
    if c:
        if a is None:
            x = 0
        else:
            x = 1
        return x + (a if a is not None else 0)
    if a is None:
        return -1
    return a
