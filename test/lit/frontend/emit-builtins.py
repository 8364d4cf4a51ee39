# RUN: %ember-translate --import-python %s | FileCheck %s
import cmath
import math
from typing import List, Tuple

import torch


# Test that len, min, max, abs and sum map to their operators.
# CHECK-LABEL: numeric(%xs : int[],
# CHECK-NEXT:       %a : int,
# CHECK-NEXT:       %b : float):
# CHECK-NEXT:   %[[V8:[0-9]+]] : int = prim::Constant[value=3]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : int = aten::len(%xs)
# CHECK-NEXT:   %[[V6:[0-9]+]] : int = prim::min(%xs)
# CHECK-NEXT:   %[[V7:[0-9]+]] : int = aten::add(%[[V5]], %[[V6]])
# CHECK-NEXT:   %[[V9:[0-9]+]] : int = prim::max(%a, %[[V8]])
# CHECK-NEXT:   %[[V10:[0-9]+]] : int = aten::add(%[[V7]], %[[V9]])
# CHECK-NEXT:   %[[V11:[0-9]+]] : float = prim::abs(%b)
# CHECK-NEXT:   %[[V12:[0-9]+]] : float = aten::add(%[[V10]], %[[V11]])
# CHECK-NEXT:   %[[V13:[0-9]+]] : int = aten::sum(%xs)
# CHECK-NEXT:   %[[V14:[0-9]+]] : float = aten::add(%[[V12]], %[[V13]])
# CHECK-NEXT:   %[[V15:[0-9]+]] : float = aten::round(%b)
# CHECK-NEXT:   %[[V16:[0-9]+]] : float = aten::add(%[[V14]], %[[V15]])
# CHECK-NEXT:   return (%[[V16]])
def numeric(xs: List[int], a: int, b: float) -> float:
    return len(xs) + min(xs) + max(a, 3) + abs(b) + sum(xs) + round(b)


# Test that casts convert through aten::Int, aten::Float, aten::Bool and
# aten::str, and are dropped when the value already has the type.
# CHECK-LABEL: casts(%x : Tensor,
# CHECK-NEXT:       %a : int):
# CHECK-NEXT:   %[[V4:[0-9]+]] : int = aten::Int(%x)
# CHECK-NEXT:   %[[V5:[0-9]+]] : float = aten::Float(%a)
# CHECK-NEXT:   %[[V6:[0-9]+]] : bool = aten::Bool(%a)
# CHECK-NEXT:   %[[V7:[0-9]+]] : str = aten::str(%a)
# CHECK-NEXT:   %[[V8:[0-9]+]] : (int, float, bool, str, int) = prim::TupleConstruct(%[[V4]], %[[V5]], %[[V6]], %[[V7]], %a)
# CHECK-NEXT:   return (%[[V8]])
def casts(x: torch.Tensor, a: int) -> Tuple[int, float, bool, str, int]:
    return int(x), float(a), bool(a), str(a), int(a)


# Test that print becomes prim::Print.
# CHECK-LABEL: printing(%a : int,
# CHECK-NEXT:       %s : str):
# CHECK-NEXT:   %[[V6:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V4:[0-9]+]] : str = prim::Constant[value="a ="]()
# CHECK-NEXT:    = prim::Print(%[[V4]], %a, %s)
# CHECK-NEXT:   return (%[[V6]])
def printing(a: int, s: str):
    print("a =", a, s)


# Test that the math module gives constants and scalar operators.
# CHECK-LABEL: math_module(%x : float):
# CHECK-NEXT:   %[[V4:[0-9]+]] : float = prim::Constant[value=3.1415926535897931]()
# CHECK-NEXT:   %[[V8:[0-9]+]] : float = prim::Constant[value=2.]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : float = aten::sqrt(%x)
# CHECK-NEXT:   %[[V5:[0-9]+]] : float = aten::add(%[[V3]], %[[V4]])
# CHECK-NEXT:   %[[V6:[0-9]+]] : int = aten::floor(%x)
# CHECK-NEXT:   %[[V7:[0-9]+]] : float = aten::add(%[[V5]], %[[V6]])
# CHECK-NEXT:   %[[V9:[0-9]+]] : float = aten::mathremainder(%x, %[[V8]])
# CHECK-NEXT:   %[[V10:[0-9]+]] : float = aten::add(%[[V7]], %[[V9]])
# CHECK-NEXT:   return (%[[V10]])
def math_module(x: float) -> float:
    return math.sqrt(x) + math.pi + math.floor(x) + math.remainder(x, 2.0)


# Test that the cmath module maps to the complex overloads, with phase as
# angle, rect as polar and infj as a complex constant.
# CHECK-LABEL: cmath_module(%z : complex,
# CHECK-NEXT:       %r : float):
# CHECK-NEXT:   %[[V8:[0-9]+]] : complex = prim::Constant[value=0.+infj]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : complex = aten::sqrt(%z)
# CHECK-NEXT:   %[[V5:[0-9]+]] : float = aten::angle(%z)
# CHECK-NEXT:   %[[V6:[0-9]+]] : complex = aten::polar(%r, %[[V5]])
# CHECK-NEXT:   %[[V7:[0-9]+]] : complex = aten::add(%[[V4]], %[[V6]])
# CHECK-NEXT:   %[[V9:[0-9]+]] : complex = aten::add(%[[V7]], %[[V8]])
# CHECK-NEXT:   return (%[[V9]])
def cmath_module(z: complex, r: float) -> complex:
    return cmath.sqrt(z) + cmath.rect(r, cmath.phase(z)) + cmath.infj


# Test that the string builtins map to their operators.
# CHECK-LABEL: strings(%n : int,
# CHECK-NEXT:       %c : str):
# CHECK-NEXT:   %[[V4:[0-9]+]] : str = aten::chr(%n)
# CHECK-NEXT:   %[[V5:[0-9]+]] : str = aten::hex(%n)
# CHECK-NEXT:   %[[V6:[0-9]+]] : str = aten::add(%[[V4]], %[[V5]])
# CHECK-NEXT:   %[[V7:[0-9]+]] : str = aten::oct(%n)
# CHECK-NEXT:   %[[V8:[0-9]+]] : str = aten::add(%[[V6]], %[[V7]])
# CHECK-NEXT:   %[[V9:[0-9]+]] : str = aten::bin(%n)
# CHECK-NEXT:   %[[V10:[0-9]+]] : str = aten::add(%[[V8]], %[[V9]])
# CHECK-NEXT:   %[[V11:[0-9]+]] : int = aten::ord(%c)
# CHECK-NEXT:   %[[V12:[0-9]+]] : str = aten::str(%[[V11]])
# CHECK-NEXT:   %[[V13:[0-9]+]] : str = aten::add(%[[V10]], %[[V12]])
# CHECK-NEXT:   return (%[[V13]])
def strings(n: int, c: str) -> str:
    return chr(n) + hex(n) + oct(n) + bin(n) + str(ord(c))


# Test that annotate and torch.jit.annotate type an empty list.
# CHECK-LABEL: annotate_list():
# CHECK-NEXT:   %[[V3:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %a : int[] = prim::ListConstruct()
# CHECK-NEXT:   %[[V4:[0-9]+]] : int[] = aten::append(%a, %[[V3]])
# CHECK-NEXT:   return (%a)
def annotate_list() -> List[int]:
    a = torch.jit.annotate(List[int], [])
    a.append(1)
    return a


# Test that sorted, any, all and divmod are operators.
# CHECK-LABEL: list_builtins(%xs : int[]):
# CHECK-NEXT:   %[[V23:[0-9]+]] : (int, int) = prim::Constant[value=(3, 1)]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : bool = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : int[] = aten::sorted(%xs)
# CHECK-NEXT:   %[[V6:[0-9]+]] : bool[] = prim::ListConstruct(%[[V4]], %[[V5]])
# CHECK-NEXT:   %[[V7:[0-9]+]] : bool = aten::any(%[[V6]])
# CHECK-NEXT:   %[[V8:[0-9]+]] : bool = prim::If(%[[V7]])
# CHECK-NEXT:     block0():
# CHECK-NEXT:       %[[V10:[0-9]+]] : bool[] = prim::ListConstruct(%[[V4]])
# CHECK-NEXT:       %[[V11:[0-9]+]] : bool = aten::all(%[[V10]])
# CHECK-NEXT:       -> (%[[V11]])
# CHECK-NEXT:     block1():
# CHECK-NEXT:       -> (%[[V5]])
# CHECK-NEXT:   %[[V18:[0-9]+]] : (int[], bool, (int, int)) = prim::TupleConstruct(%[[V3]], %[[V8]], %[[V23]])
# CHECK-NEXT:   return (%[[V18]])
def list_builtins(xs: List[int]) -> Tuple[List[int], bool, Tuple[int, int]]:
    return sorted(xs), any([True, False]) and all([True]), divmod(7, 2)


# Test that dtype names are int constants.
# CHECK-LABEL: dtypes(%x : Tensor):
# CHECK-NEXT:   %[[V14:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V10:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V8:[0-9]+]] : int = prim::Constant[value=4]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : bool = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : int = prim::Constant[value=7]()
# CHECK-NEXT:   %[[V7:[0-9]+]] : int = prim::Constant[value=2]()
# CHECK-NEXT:   %[[V6:[0-9]+]] : Tensor = aten::to(%x, %[[V3]], %[[V4]], %[[V4]])
# CHECK-NEXT:   %[[V9:[0-9]+]] : int[] = prim::ListConstruct(%[[V7]])
# CHECK-NEXT:   %[[V13:[0-9]+]] : Tensor = aten::zeros(%[[V9]], %[[V8]], %[[V10]], %[[V10]], %[[V10]])
# CHECK-NEXT:   %[[V15:[0-9]+]] : Tensor = aten::add(%[[V6]], %[[V13]], %[[V14]])
# CHECK-NEXT:   return (%[[V15]])
def dtypes(x: torch.Tensor) -> torch.Tensor:
    return x.to(torch.float64) + torch.zeros(2, dtype=torch.long)


# Test that a device's `type` property reads the device's type.
# CHECK-LABEL: device_type(%x : Tensor):
# CHECK-NEXT:   %[[V3:[0-9]+]] : Device = prim::device(%x)
# CHECK-NEXT:   %[[V4:[0-9]+]] : str = prim::type(%[[V3]])
# CHECK-NEXT:   return (%[[V4]])
def device_type(x: torch.Tensor) -> str:
    return x.device.type


# Test that min and max are prim::min/max for tensors too, as TorchScript
# resolves them: a tensor converts to int (or float beside a float), and
# three arguments are packed into a list.
# CHECK-LABEL: min_max_tensors(%x : Tensor,
# CHECK-NEXT:       %y : Tensor,
# CHECK-NEXT:       %n : int):
# CHECK-NEXT:   %[[V7:[0-9]+]] : float = prim::Constant[value=1.5]()
# CHECK-NEXT:   %[[V10:[0-9]+]] : int = prim::Constant[value=3]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : int = aten::IntImplicit(%x)
# CHECK-NEXT:   %[[V6:[0-9]+]] : int = prim::max(%[[V5]], %n)
# CHECK-NEXT:   %[[V8:[0-9]+]] : float = aten::FloatImplicit(%x)
# CHECK-NEXT:   %[[V9:[0-9]+]] : float = prim::min(%[[V8]], %[[V7]])
# CHECK-NEXT:   %[[V11:[0-9]+]] : int = aten::IntImplicit(%x)
# CHECK-NEXT:   %[[V12:[0-9]+]] : int = aten::IntImplicit(%y)
# CHECK-NEXT:   %[[V13:[0-9]+]] : int[] = prim::ListConstruct(%[[V11]], %[[V12]], %[[V10]])
# CHECK-NEXT:   %[[V14:[0-9]+]] : int = prim::max(%[[V13]])
# CHECK-NEXT:   %[[V15:[0-9]+]] : (int, float, int) = prim::TupleConstruct(%[[V6]], %[[V9]], %[[V14]])
# CHECK-NEXT:   return (%[[V15]])
def min_max_tensors(x: torch.Tensor, y: torch.Tensor, n: int) -> Tuple[int, float, int]:
    return max(x, n), min(x, 1.5), max(x, y, 3)


# Test that tolist takes its result type from the annotation around it, as
# prim::tolist's list depth and element code.
# CHECK-LABEL: to_list(%x : Tensor):
# CHECK-NEXT:   %[[V13:[0-9]+]] : int = prim::Constant[value=2]()
# CHECK-NEXT:   %[[V11:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V10:[0-9]+]] : bool = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V9:[0-9]+]] : int = prim::Constant[value=4]()
# CHECK-NEXT:   %[[V6:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : Tensor = aten::select(%x, %[[V3]], %[[V3]])
# CHECK-NEXT:   %a : float[] = prim::tolist(%[[V5]], %[[V6]], %[[V6]])
# CHECK-NEXT:   %[[V12:[0-9]+]] : Tensor = aten::to(%x, %[[V9]], %[[V10]], %[[V10]], %[[V11]])
# CHECK-NEXT:   %b : int[][] = prim::tolist(%[[V12]], %[[V13]], %[[V3]])
# CHECK-NEXT:   %[[V16:[0-9]+]] : (float[], int[][]) = prim::TupleConstruct(%a, %b)
# CHECK-NEXT:   return (%[[V16]])
def to_list(x: torch.Tensor) -> Tuple[List[float], List[List[int]]]:
    a: List[float] = x[0].tolist()
    b = torch.jit.annotate(List[List[int]], x.long().tolist())
    return a, b
