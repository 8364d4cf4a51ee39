# RUN: %ember-translate --import-python %s 2>/dev/null | FileCheck %s
# RUN: %ember-translate --import-python %s 2>&1 >/dev/null | FileCheck %s --check-prefix=WARN
from typing import Dict, List, Tuple

import torch


# Test that list, tuple and dict literals construct their containers.
# CHECK-LABEL: literals(%a : int):
# CHECK-NEXT:   %[[V7:[0-9]+]] : str = prim::Constant[value="x"]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : str = prim::Constant[value="a"]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : int = prim::Constant[value=2]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : int[] = prim::ListConstruct(%a, %[[V3]])
# CHECK-NEXT:   %[[V6:[0-9]+]] : Dict(str, int) = prim::DictConstruct(%[[V5]], %a)
# CHECK-NEXT:   %[[V8:[0-9]+]] : (int, str) = prim::TupleConstruct(%a, %[[V7]])
# CHECK-NEXT:   %[[V9:[0-9]+]] : (int[], Dict(str, int), (int, str)) = prim::TupleConstruct(%[[V4]], %[[V6]], %[[V8]])
# CHECK-NEXT:   return (%[[V9]])
def literals(a: int) -> Tuple[List[int], Dict[str, int], Tuple[int, str]]:
    return [a, 2], {"a": a}, (a, "x")


# Test that an empty list or dict without annotation is List[Tensor] /
# Dict[str, Tensor].
# CHECK-LABEL: empty_defaults():
# CHECK-NEXT:   %[[V2:[0-9]+]] : Tensor[] = prim::ListConstruct()
# CHECK-NEXT:   %[[V3:[0-9]+]] : Dict(str, Tensor) = prim::DictConstruct()
# CHECK-NEXT:   %[[V4:[0-9]+]] : (Tensor[], Dict(str, Tensor)) = prim::TupleConstruct(%[[V2]], %[[V3]])
# CHECK-NEXT:   return (%[[V4]])
def empty_defaults() -> Tuple[List[torch.Tensor], Dict[str, torch.Tensor]]:
    return [], {}


# Test that indexing and slicing lists, strings and tuples use
# __getitem__, slice, TupleIndex and TupleSlice-by-construction.
# CHECK-LABEL: subscripts(%xs : int[],
# CHECK-NEXT:       %s : str,
# CHECK-NEXT:       %t : (int, str, float)):
# CHECK-NEXT:   %[[V9:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V6:[0-9]+]] : int = prim::Constant[value=-1]()
# CHECK-NEXT:   %[[V8:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V10:[0-9]+]] : int = prim::Constant[value=2]()
# CHECK-NEXT:   %[[V12:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V7:[0-9]+]] : int = aten::__getitem__(%xs, %[[V6]])
# CHECK-NEXT:   %[[V11:[0-9]+]] : int[] = aten::slice(%xs, %[[V8]], %[[V9]], %[[V10]])
# CHECK-NEXT:   %[[V13:[0-9]+]] : str = aten::__getitem__(%s, %[[V12]])
# CHECK-NEXT:   %[[V17:[0-9]+]] : str = aten::slice(%s, %[[V9]], %[[V10]], %[[V8]])
# CHECK-NEXT:   %[[V20:[0-9]+]] : str = prim::TupleIndex(%t, %[[V8]])
# CHECK-NEXT:   %[[V22:[0-9]+]] : float = prim::TupleIndex(%t, %[[V10]])
# CHECK-NEXT:   %[[V23:[0-9]+]] : (str, float) = prim::TupleConstruct(%[[V20]], %[[V22]])
# CHECK-NEXT:   %[[V24:[0-9]+]] : (int, int[], str, str, (str, float)) = prim::TupleConstruct(%[[V7]], %[[V11]], %[[V13]], %[[V17]], %[[V23]])
# CHECK-NEXT:   return (%[[V24]])
def subscripts(xs: List[int], s: str, t: Tuple[int, str, float]) -> Tuple[int, List[int], str, str, Tuple[str, float]]:
    return xs[-1], xs[1::2], s[0], s[:2], t[1:]


# Test that a tuple slice with a negative step follows Python's slice rules:
# defaults run from the end to the front, and an out-of-range start clamps.
# CHECK-LABEL: tuple_backwards(%t : (int, str, float, bool)):
# CHECK-NEXT:   %[[C1:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[C3:[0-9]+]] : int = prim::Constant[value=3]()
# CHECK-NEXT:   %[[B:[0-9]+]] : bool = prim::TupleIndex(%t, %[[C3]])
# CHECK-NEXT:   %[[S:[0-9]+]] : str = prim::TupleIndex(%t, %[[C1]])
# CHECK-NEXT:   %{{[0-9]+}} : (bool, str) = prim::TupleConstruct(%[[B]], %[[S]])
def tuple_backwards(t: Tuple[int, str, float, bool]):
    return t[9::-2]


# Test that storing into lists and dicts uses aten::_set_item and `del`
# aten::Delete.
# CHECK-LABEL: stores(%xs : int[],
# CHECK-NEXT:       %d : Dict(str, int)):
# CHECK-NEXT:   %[[V14:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V8:[0-9]+]] : str = prim::Constant[value="k"]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V7:[0-9]+]] : int = prim::Constant[value=2]()
# CHECK-NEXT:   %[[V6:[0-9]+]] : int[] = aten::_set_item(%xs, %[[V5]], %[[V4]])
# CHECK-NEXT:    = aten::_set_item(%d, %[[V8]], %[[V7]])
# CHECK-NEXT:    = aten::Delete(%xs, %[[V4]])
# CHECK-NEXT:    = aten::Delete(%d, %[[V8]])
# CHECK-NEXT:   return (%[[V14]])
def stores(xs: List[int], d: Dict[str, int]):
    xs[0] = 1
    d["k"] = 2
    del xs[1]
    del d["k"]


# Test that a list comprehension with a filter appends in a loop.
# CHECK-LABEL: list_comp(%xs : int[]):
# CHECK-NEXT:   %[[V5:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V11:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : int[] = prim::ListConstruct()
# CHECK-NEXT:   %[[V4:[0-9]+]] : int = aten::len(%xs)
# CHECK-NEXT:    = prim::Loop(%[[V4]], %[[V5]])
# CHECK-NEXT:     block0(%[[V6:[0-9]+]] : int):
# CHECK-NEXT:       %x : int = aten::__getitem__(%xs, %[[V6]])
# CHECK-NEXT:       %[[V12:[0-9]+]] : bool = aten::gt(%x, %[[V11]])
# CHECK-NEXT:        = prim::If(%[[V12]])
# CHECK-NEXT:         block0():
# CHECK-NEXT:           %[[V13:[0-9]+]] : int = aten::mul(%x, %x)
# CHECK-NEXT:           %[[V14:[0-9]+]] : int[] = aten::append(%[[V3]], %[[V13]])
# CHECK-NEXT:           -> ()
# CHECK-NEXT:         block1():
# CHECK-NEXT:           -> ()
# CHECK-NEXT:       -> (%[[V5]])
# CHECK-NEXT:   return (%[[V3]])
def list_comp(xs: List[int]) -> List[int]:
    return [x * x for x in xs if x > 0]


# Test that a dict comprehension sets items in a loop.
# CHECK-LABEL: dict_comp(%keys : str[]):
# CHECK-NEXT:   %[[V5:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : Dict(str, int) = prim::DictConstruct()
# CHECK-NEXT:   %[[V4:[0-9]+]] : int = aten::len(%keys)
# CHECK-NEXT:    = prim::Loop(%[[V4]], %[[V5]])
# CHECK-NEXT:     block0(%[[V6:[0-9]+]] : int):
# CHECK-NEXT:       %k : str = aten::__getitem__(%keys, %[[V6]])
# CHECK-NEXT:       %[[V11:[0-9]+]] : int = aten::len(%k)
# CHECK-NEXT:        = aten::_set_item(%[[V3]], %k, %[[V11]])
# CHECK-NEXT:       -> (%[[V5]])
# CHECK-NEXT:   return (%[[V3]])
def dict_comp(keys: List[str]) -> Dict[str, int]:
    return {k: len(k) for k in keys}


# Test that f-strings become aten::format with their format specs.
# CHECK-LABEL: fstrings(%a : int,
# CHECK-NEXT:       %b : float):
# CHECK-NEXT:   %[[V4:[0-9]+]] : str = prim::Constant[value="{}:{:.2f} {{[{][{]}}x{{[}][}]}} {!r}"]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : str = aten::format(%[[V4]], %a, %b, %a)
# CHECK-NEXT:   return (%[[V5]])
def fstrings(a: int, b: float) -> str:
    return f"{a}:{b:.2f} {{x}} {a!r}"


# Test that unpacking a list checks its length at run time.
# CHECK-LABEL: list_unpack(%xs : int[]):
# CHECK-NEXT:   %a : int, %b : int = prim::ListUnpack(%xs)
# CHECK-NEXT:   %[[V5:[0-9]+]] : int = aten::add(%a, %b)
# CHECK-NEXT:   return (%[[V5]])
def list_unpack(xs: List[int]) -> int:
    a, b = xs
    return a + b

# Test that a generator expression passed to a call is a list comprehension,
# as TorchScript reads it.
# CHECK-LABEL: generator_arg(%xs : int[]):
# CHECK:         %[[L:[0-9]+]] : bool[] = prim::ListConstruct()
# CHECK:         = prim::Loop
# CHECK:           aten::append(%[[L]]
# CHECK:         %[[R:[0-9]+]] : bool = aten::all(%[[L]])
# CHECK-NEXT:    return (%[[R]])
def generator_arg(xs: List[int]) -> bool:
    return all(x > 0 for x in xs)


# Test that a str, list or dict in a condition is true when not empty
# (len(x) > 0).
# CHECK-LABEL: container_truth(%s : str,
# CHECK:         %[[N:[0-9]+]] : int = aten::len(%s)
# CHECK-NEXT:    %[[B:[0-9]+]] : bool = aten::gt(%[[N]], %[[Z:[0-9]+]])
# CHECK-NEXT:    %[[NOT:[0-9]+]] : bool = aten::__not__(%[[B]])
# CHECK:         %[[M:[0-9]+]] : int = aten::len(%xs)
# CHECK-NEXT:    aten::gt(%[[M]], %[[Z]])
def container_truth(s: str, xs: List[int]) -> bool:
    if not s:
        return False
    if xs:
        return True
    return False

# Test that list elements of several types make a List of their Union, with
# TorchScript's warning.
# WARN: emit-containers.py:[[@LINE+8]]:12: warning: List consists of heterogeneous types, which means that it has been typed as containing Union[float, int, str]. To use any of the values in this List, it will be necessary to add an `assert isinstance` statement before first use to trigger type refinement.
# CHECK-LABEL: heterogeneous_list(%x : int):
# CHECK-NEXT:    %[[A:.*]] : str = prim::Constant[value="a"]()
# CHECK-NEXT:    %[[F:.*]] : float = prim::Constant[value=2.5]()
# CHECK-NEXT:    %[[L:.*]] : Union(float, int, str)[] = prim::ListConstruct(%x, %[[A]], %[[F]])
# CHECK-NEXT:    return (%[[L]])
def heterogeneous_list(x: int):
    # a comment line, so that @LINE+8 lands on the return
    return [x, "a", 2.5]

# Test that dict(pairs) is a loop filling a new dict and dict(**kw) a dict
# literal of str keys, as in TorchScript.
# CHECK-LABEL: dict_builtin(%ks : str[],
# CHECK:         %a : Dict(str, int) = prim::DictConstruct()
# CHECK:         prim::Loop
# CHECK:           aten::_set_item(%a, %{{.*}}, %{{.*}})
# CHECK:         %b : Dict(str, int) = prim::DictConstruct(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}})
def dict_builtin(ks: List[str], vs: List[int]):
    a = dict(zip(ks, vs))
    b = dict(foo=1, bar=2)
    return a, b
