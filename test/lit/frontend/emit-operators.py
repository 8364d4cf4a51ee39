# RUN: %ember-translate --import-python %s | FileCheck %s
import torch


# Test that Python operators map to TorchScript's operators.
# CHECK-LABEL: int_ops(%a : int,
# CHECK-NEXT:       %b : int):
# CHECK-NEXT:   %[[V7:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V10:[0-9]+]] : int = prim::Constant[value=2]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : int = aten::floordiv(%a, %b)
# CHECK-NEXT:   %[[V5:[0-9]+]] : int = aten::remainder(%a, %b)
# CHECK-NEXT:   %[[V6:[0-9]+]] : int = aten::add(%[[V4]], %[[V5]])
# CHECK-NEXT:   %[[V8:[0-9]+]] : int = aten::__lshift__(%a, %[[V7]])
# CHECK-NEXT:   %[[V9:[0-9]+]] : int = aten::sub(%[[V6]], %[[V8]])
# CHECK-NEXT:   %[[V11:[0-9]+]] : int = aten::__rshift__(%a, %[[V10]])
# CHECK-NEXT:   %[[V12:[0-9]+]] : int = aten::add(%[[V9]], %[[V11]])
# CHECK-NEXT:   %[[V13:[0-9]+]] : int = aten::__and__(%a, %b)
# CHECK-NEXT:   %[[V14:[0-9]+]] : int = aten::add(%[[V12]], %[[V13]])
# CHECK-NEXT:   %[[V15:[0-9]+]] : int = aten::__or__(%a, %b)
# CHECK-NEXT:   %[[V16:[0-9]+]] : int = aten::add(%[[V14]], %[[V15]])
# CHECK-NEXT:   %[[V17:[0-9]+]] : int = aten::__xor__(%a, %b)
# CHECK-NEXT:   %[[V18:[0-9]+]] : int = aten::add(%[[V16]], %[[V17]])
# CHECK-NEXT:   return (%[[V18]])
def int_ops(a: int, b: int) -> int:
    return a // b + a % b - (a << 1) + (a >> 2) + (a & b) + (a | b) + (a ^ b)


# Test that true division and powers of ints give floats.
# CHECK-LABEL: float_ops(%a : int,
# CHECK-NEXT:       %b : int):
# CHECK-NEXT:   %[[V5:[0-9]+]] : float = prim::Constant[value=0.5]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : float = aten::div(%a, %b)
# CHECK-NEXT:   %[[V6:[0-9]+]] : float = aten::pow(%a, %[[V5]])
# CHECK-NEXT:   %[[V7:[0-9]+]] : float = aten::add(%[[V4]], %[[V6]])
# CHECK-NEXT:   return (%[[V7]])
def float_ops(a: int, b: int) -> float:
    return a / b + a ** 0.5


# Test that a number on the left of a tensor uses the reflected forms
# (`2 - x` is `neg(x) + 2`, as TorchScript's builtin sub(Scalar, Tensor)).
# CHECK-LABEL: reflected(%x : Tensor):
# CHECK-NEXT:   %[[V3:[0-9]+]] : int = prim::Constant[value=2]()
# CHECK-NEXT:   %[[V7:[0-9]+]] : int = prim::Constant[value=3]()
# CHECK-NEXT:   %[[V11:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : Tensor = aten::neg(%x)
# CHECK-NEXT:   %[[V6:[0-9]+]] : Tensor = aten::add(%[[V4]], %[[V3]], %[[V11]])
# CHECK-NEXT:   %[[V8:[0-9]+]] : Tensor = aten::mul(%x, %[[V7]])
# CHECK-NEXT:   %[[V10:[0-9]+]] : Tensor = aten::add(%[[V6]], %[[V8]], %[[V11]])
# CHECK-NEXT:   %[[V12:[0-9]+]] : Tensor = aten::reciprocal(%x)
# CHECK-NEXT:   %[[V13:[0-9]+]] : Tensor = aten::mul(%[[V12]], %[[V11]])
# CHECK-NEXT:   %[[V15:[0-9]+]] : Tensor = aten::add(%[[V10]], %[[V13]], %[[V11]])
# CHECK-NEXT:   %[[V16:[0-9]+]] : Tensor = aten::pow(%[[V3]], %x)
# CHECK-NEXT:   %[[V18:[0-9]+]] : Tensor = aten::add(%[[V15]], %[[V16]], %[[V11]])
# CHECK-NEXT:   return (%[[V18]])
def reflected(x: torch.Tensor) -> torch.Tensor:
    return 2 - x + 3 * x + 1 / x + 2 ** x


# Test that matmul, bitwise not and negation map to their ATen operators.
# CHECK-LABEL: tensor_unary(%x : Tensor,
# CHECK-NEXT:       %m : Tensor):
# CHECK-NEXT:   %[[V13:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V11:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V10:[0-9]+]] : bool = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V9:[0-9]+]] : int = prim::Constant[value=6]()
# CHECK-NEXT:   %[[V6:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : Tensor = aten::matmul(%x, %m)
# CHECK-NEXT:   %[[V5:[0-9]+]] : Tensor = aten::neg(%[[V4]])
# CHECK-NEXT:   %[[V7:[0-9]+]] : Tensor = aten::gt(%x, %[[V6]])
# CHECK-NEXT:   %[[V8:[0-9]+]] : Tensor = aten::bitwise_not(%[[V7]])
# CHECK-NEXT:   %[[V12:[0-9]+]] : Tensor = aten::to(%[[V8]], %[[V9]], %[[V10]], %[[V10]], %[[V11]])
# CHECK-NEXT:   %[[V14:[0-9]+]] : Tensor = aten::add(%[[V5]], %[[V12]], %[[V13]])
# CHECK-NEXT:   return (%[[V14]])
def tensor_unary(x: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
    return -(x @ m) + (~(x > 0)).float()


# Test that a chained comparison evaluates the middle operand once and
# short-circuits.
# CHECK-LABEL: chained(%a : int,
# CHECK-NEXT:       %b : int,
# CHECK-NEXT:       %c : int):
# CHECK-NEXT:   %[[V8:[0-9]+]] : bool = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : bool = aten::lt(%a, %b)
# CHECK-NEXT:   %[[V6:[0-9]+]] : bool = prim::If(%[[V5]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       %[[V7:[0-9]+]] : bool = aten::le(%b, %c)
# CHECK-NEXT:       -> (%[[V7]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%[[V8]])
# CHECK-NEXT:   return (%[[V6]])
def chained(a: int, b: int, c: int) -> bool:
    return a < b <= c


# Test that `and` / `or` short-circuit through prim::If.
# CHECK-LABEL: short_circuit(%a : bool,
# CHECK-NEXT:       %b : bool,
# CHECK-NEXT:       %c : bool):
# CHECK-NEXT:   %[[V8:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V6:[0-9]+]] : bool = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : bool = prim::If(%a)
# CHECK-NEXT:     block0():
# CHECK-NEXT:       -> (%b)
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%[[V6]])
# CHECK-NEXT:   %[[V7:[0-9]+]] : bool = prim::If(%[[V5]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       -> (%[[V8]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%c)
# CHECK-NEXT:   return (%[[V7]])
def short_circuit(a: bool, b: bool, c: bool) -> bool:
    return a and b or c


# Test that `in` / `not in` on containers use aten::__contains__ and on
# strings aten::find.
# CHECK-LABEL: membership(%xs : int[],
# CHECK-NEXT:       %s : str):
# CHECK-NEXT:   %[[V14:[0-9]+]] : bool = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V11:[0-9]+]] : int = prim::Constant[value=-1]()
# CHECK-NEXT:   %[[V9:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V7:[0-9]+]] : str = prim::Constant[value="ab"]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : int = prim::Constant[value=3]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : bool = aten::__contains__(%xs, %[[V4]])
# CHECK-NEXT:   %[[V6:[0-9]+]] : bool = prim::If(%[[V5]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       %[[V8:[0-9]+]] : int = aten::len(%s)
# CHECK-NEXT:       %[[V10:[0-9]+]] : int = aten::find(%s, %[[V7]], %[[V9]], %[[V8]])
# CHECK-NEXT:       %[[V12:[0-9]+]] : bool = aten::ne(%[[V10]], %[[V11]])
# CHECK-NEXT:       %[[V13:[0-9]+]] : bool = aten::__not__(%[[V12]])
# CHECK-NEXT:       -> (%[[V13]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%[[V14]])
# CHECK-NEXT:   return (%[[V6]])
def membership(xs: list[int], s: str) -> bool:
    return 3 in xs and "ab" not in s


# Test that `is` / `is not` compare identities.
# CHECK-LABEL: identity(%a : int,
# CHECK-NEXT:       %b : int):
# CHECK-NEXT:   %[[V6:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : bool = aten::__is__(%a, %b)
# CHECK-NEXT:   %[[V5:[0-9]+]] : bool = prim::If(%[[V4]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       -> (%[[V6]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       %[[V7:[0-9]+]] : bool = aten::__isnot__(%a, %b)
# CHECK-NEXT:       -> (%[[V7]])
# CHECK-NEXT:   return (%[[V5]])
def identity(a: int, b: int) -> bool:
    return a is b or a is not b


# Test that `is` / `is not` of two bools are == and !=, as torch.jit emits them.
# CHECK-LABEL: bool_identity(%a : bool,
# CHECK-NEXT:       %b : bool):
# CHECK-NEXT:   %[[V4:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V10:[0-9]+]] : bool = aten::eq(%a, %[[V4]])
# CHECK-NEXT:   %[[V11:[0-9]+]] : bool = aten::ne(%a, %b)
# CHECK-NEXT:   %[[V7:[0-9]+]] : (bool, bool) = prim::TupleConstruct(%[[V10]], %[[V11]])
# CHECK-NEXT:   return (%[[V7]])
def bool_identity(a: bool, b: bool):
    return a is True, a is not b


# Test that negative literals are constants and constant arithmetic folds.
# CHECK-LABEL: negative_literal():
# CHECK-NEXT:   %[[V9:[0-9]+]] : float = prim::Constant[value=-3.5]()
# CHECK-NEXT:   return (%[[V9]])
def negative_literal() -> float:
    return -1.5 + -2


# Test that `%` on a string is printf-style formatting, the tuple passed
# whole as TorchScript passes it.
# CHECK-LABEL: percent(%a : int,
# CHECK-NEXT:       %b : str):
# CHECK-NEXT:   %[[V4:[0-9]+]] : str = prim::Constant[value="%d and %s"]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : (int, str) = prim::TupleConstruct(%a, %b)
# CHECK-NEXT:   %[[V6:[0-9]+]] : str = aten::percentFormat(%[[V4]], %[[V5]])
# CHECK-NEXT:   return (%[[V6]])
def percent(a: int, b: str) -> str:
    return "%d and %s" % (a, b)


# Test that tuples concatenate into a tuple of both's elements, of any types.
# CHECK-LABEL: tuple_concat(%x : int,
# CHECK-NEXT:       %t : (int, int)):
# CHECK-NEXT:   %[[V9:[0-9]+]] : float = prim::Constant[value=2.]()
# CHECK-NEXT:   %[[V6:[0-9]+]] : int, %[[V7:[0-9]+]] : int = prim::TupleUnpack(%t)
# CHECK-NEXT:   %[[V8:[0-9]+]] : (int, int, int) = prim::TupleConstruct(%x, %[[V6]], %[[V7]])
# CHECK-NEXT:   %[[V15:[0-9]+]] : (int, float, int) = prim::TupleConstruct(%x, %[[V9]], %x)
# CHECK-NEXT:   %[[V16:[0-9]+]] : ((int, int, int), (int, float, int)) = prim::TupleConstruct(%[[V8]], %[[V15]])
# CHECK-NEXT:   return (%[[V16]])
def tuple_concat(x: int, t: tuple[int, int]):
    return (x,) + t, (x, 2.0) + (x,)


# Test that `a or b or c` nests to the left, `(a or b) or c`, as
# TorchScript's frontend builds it.
# CHECK-LABEL: or_chain(%a : bool,
# CHECK-NEXT:       %b : bool,
# CHECK-NEXT:       %c : bool):
# CHECK-NEXT:   %[[V6:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : bool = prim::If(%a)
# CHECK-NEXT:     block0():
# CHECK-NEXT:       -> (%[[V6]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%b)
# CHECK-NEXT:   %[[V7:[0-9]+]] : bool = prim::If(%[[V5]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       -> (%[[V6]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%c)
# CHECK-NEXT:   return (%[[V7]])
def or_chain(a: bool, b: bool, c: bool) -> bool:
    return a or b or c
