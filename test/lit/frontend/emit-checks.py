# RUN: %ember-translate --import-python %s | FileCheck %s
# RUN: split-file %S/Inputs/check-errors.txt %t
# RUN: not %ember-translate --import-python %t/lambda-value.py 2>&1 | FileCheck %s --check-prefix=LAMBDA
# RUN: not %ember-translate --import-python %t/no-class.py 2>&1 | FileCheck %s --check-prefix=NOCLASS
# RUN: not %ember-translate --import-python %t/keyword.py 2>&1 | FileCheck %s --check-prefix=KEYWORD
import torch
from typing import Optional

# Test that torch._assert is an inlined `assert` statement: an `if` whose
# false branch raises "AssertionError: <message>" with no class.
# CHECK-LABEL: asserts(%x : int):
# CHECK-DAG: %[[MSG:[0-9]+]] : str = prim::Constant[value="AssertionError: x must be positive"]()
# CHECK-DAG: %[[NONE:[0-9]+]] : NoneType = prim::Constant()
# CHECK: prim::If
# CHECK: prim::RaiseException(%[[MSG]], %[[NONE]])
# CHECK: return


def asserts(x: int) -> int:
    torch._assert(x > 0, "x must be positive")
    return x


# Test that torch._assert is a call: its message is computed before the
# condition is tested, as TorchScript's inlined builtin does.
# CHECK-LABEL: assert_message_first(%x : int):
# CHECK:        %[[C:[0-9]+]] : bool = aten::gt(%x,
# CHECK-NEXT:   %[[M:[0-9]+]] : str = aten::format(
# CHECK-NEXT:   prim::If(%[[C]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       -> ()
# CHECK-NEXT:     block1():
# CHECK-NEXT:       %[[A:[0-9]+]] : str = aten::add(%{{[0-9]+}}, %[[M]])
# CHECK-NEXT:       prim::RaiseException(%[[A]],
def assert_message_first(x: int) -> int:
    torch._assert(x > 0, f"bad {x}")
    return x


# Test that `raise AssertionError(msg)` is TorchScript's builtin exception:
# the message reads "AssertionError: <msg>" with no class, as for assert,
# while other exceptions carry their class.
# CHECK-LABEL: raises(%x : int):
# CHECK-DAG: prim::Constant[value="AssertionError: boom"]()
# CHECK-DAG: prim::Constant[value="builtins.ValueError"]()


def raises(x: int) -> int:
    if x > 1:
        raise AssertionError("boom")
    if x > 2:
        raise ValueError("v")
    return x


# Test that torch._check raises RuntimeError with TorchScript's default
# message when none is given.
# CHECK-LABEL: checks(%x : int):
# CHECK-DAG: prim::Constant[value="Expected cond to be True, but got False. (Could this error message be improved? If so, please report an enhancement request to PyTorch.)"]()
# CHECK-DAG: prim::Constant[value="builtins.RuntimeError"]()
# CHECK: prim::If


def checks(x: int) -> int:
    torch._check(x > 0)
    return x


# Test that a lambda message is evaluated only on the failing path, and that
# torch._check_with raises the class it names.
# CHECK-LABEL: check_with(%mask : Tensor,
# CHECK: %[[CLS:[0-9]+]] : str = prim::Constant[value="builtins.AssertionError"]()
# CHECK: prim::If
# CHECK-NEXT: block0():
# CHECK-NEXT: -> ()
# CHECK-NEXT: block1():
# CHECK: aten::format
# CHECK: prim::RaiseException(%{{[0-9]+}}, %[[CLS]])


def check_with(mask: torch.Tensor, bsz: int) -> int:
    torch._check_with(
        AssertionError,
        mask.shape[0] == bsz,
        lambda: f"Expected key_padded_mask.shape[0] to be {bsz}, but got {mask.shape[0]}",
    )
    return bsz


# Test that the kin name their classes and that keywords are accepted.
# CHECK-LABEL: kin(%i : int):
# CHECK-DAG: prim::Constant[value="builtins.IndexError"]()
# CHECK-DAG: prim::Constant[value="builtins.ValueError"]()
# CHECK-DAG: prim::Constant[value="builtins.TypeError"]()
# CHECK-DAG: prim::Constant[value="builtins.NotImplementedError"]()


def kin(i: int) -> int:
    torch._check_index(i >= 0, lambda: "negative index")
    torch._check_value(i < 100, message=lambda: "too large")
    torch._check_type(cond=i != 3, message=lambda: "three")
    torch._check_not_implemented(i != 4, "four")
    return i


# Test that a check refines an Optional as an assert does.
# CHECK-LABEL: refines(%x.1 : int?):
# CHECK: prim::unchecked_cast
# CHECK: aten::add


def refines(x: Optional[int]) -> int:
    torch._check(x is not None)
    return x + 1


# LAMBDA: lambda-value.py:3:9: error: lambda expressions are not supported in TorchScript (except as the message of torch._check); define a function with 'def' instead
# LAMBDA-NEXT: {{^}}    f = lambda: 1{{$}}
# NOCLASS: no-class.py:3:5: error: expected an exception class first: torch._check_with(ValueError, cond, message)
# KEYWORD: keyword.py:3:25: error: unexpected keyword argument 'msg' for torch._check
