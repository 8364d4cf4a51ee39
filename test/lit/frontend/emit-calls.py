# RUN: %ember-translate --import-python %s | FileCheck %s
from typing import List, Tuple

import torch
import torch.nn.functional as F


# CHECK-LABEL: helper(%x : Tensor,
# CHECK-NEXT:       %scale : float,
# CHECK-NEXT:       %bias : int):
# CHECK-NEXT:   %[[V6:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : Tensor = aten::mul(%x, %scale)
# CHECK-NEXT:   %[[V7:[0-9]+]] : Tensor = aten::add(%[[V5]], %bias, %[[V6]])
# CHECK-NEXT:   return (%[[V7]])
def helper(x: torch.Tensor, scale: float = 2.0, bias: int = 0) -> torch.Tensor:
    return x * scale + bias


# Test that calls between script functions are prim::CallFunction on a
# Function constant, with defaults and keywords filled in.
# CHECK-LABEL: calls(%x : Tensor):
# CHECK-NEXT:   %[[V5:[0-9]+]] : Function = prim::Constant[name="helper"]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : float = prim::Constant[value=2.]()
# CHECK-NEXT:   %[[V7:[0-9]+]] : float = prim::Constant[value=3.]()
# CHECK-NEXT:   %[[V8:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V6:[0-9]+]] : Tensor = prim::CallFunction(%[[V5]], %x, %[[V3]], %[[V4]])
# CHECK-NEXT:   %[[V10:[0-9]+]] : Tensor = prim::CallFunction(%[[V5]], %x, %[[V7]], %[[V8]])
# CHECK-NEXT:   %[[V12:[0-9]+]] : Tensor = aten::add(%[[V6]], %[[V10]], %[[V8]])
# CHECK-NEXT:   return (%[[V12]])
def calls(x: torch.Tensor) -> torch.Tensor:
    return helper(x) + helper(x, 3.0, bias=1)


# Test that operator calls take keyword arguments and fill in defaults.
# CHECK-LABEL: keywords(%x : Tensor):
# CHECK-NEXT:   %[[V10:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V6:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V4:[0-9]+]] : bool = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V8:[0-9]+]] : int = prim::Constant[value=2]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : int[] = prim::ListConstruct(%[[V3]])
# CHECK-NEXT:   %[[V7:[0-9]+]] : Tensor = aten::sum(%x, %[[V5]], %[[V4]], %[[V6]])
# CHECK-NEXT:   %[[V9:[0-9]+]] : Tensor = aten::add(%x, %x, %[[V8]])
# CHECK-NEXT:   %[[V11:[0-9]+]] : Tensor = aten::add(%[[V7]], %[[V9]], %[[V10]])
# CHECK-NEXT:   return (%[[V11]])
def keywords(x: torch.Tensor) -> torch.Tensor:
    return torch.sum(x, dim=0, keepdim=True) + torch.add(x, x, alpha=2)


# Test that an int broadcasts to an `int[2]` list and that the last list
# formal takes several positional ints.
# CHECK-LABEL: lists(%x : Tensor):
# CHECK-NEXT:   %[[V11:[0-9]+]] : int = prim::Constant[value=-1]()
# CHECK-NEXT:   %[[V8:[0-9]+]] : bool = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V7:[0-9]+]] : int[] = prim::Constant[value=[1, 1]]()
# CHECK-NEXT:   %[[V6:[0-9]+]] : int[] = prim::Constant[value=[0, 0]]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : int[] = prim::Constant[value=annotate(List[int], [])]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : int = prim::Constant[value=2]()
# CHECK-NEXT:   %[[V10:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V14:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : int[] = prim::ListConstruct(%[[V3]], %[[V3]])
# CHECK-NEXT:   %y : Tensor = aten::max_pool2d(%x, %[[V4]], %[[V5]], %[[V6]], %[[V7]], %[[V8]])
# CHECK-NEXT:   %[[V12:[0-9]+]] : int[] = prim::ListConstruct(%[[V3]], %[[V11]])
# CHECK-NEXT:   %[[V13:[0-9]+]] : Tensor = aten::view(%y, %[[V12]])
# CHECK-NEXT:   %[[V15:[0-9]+]] : int[] = prim::ListConstruct(%[[V10]], %[[V14]])
# CHECK-NEXT:   %[[V16:[0-9]+]] : Tensor = aten::permute(%[[V13]], %[[V15]])
# CHECK-NEXT:   return (%[[V16]])
def lists(x: torch.Tensor) -> torch.Tensor:
    y = F.max_pool2d(x, 2)
    return y.view(2, -1).permute(1, 0)


# Test that methods of tensors, lists and strings resolve to operators
# with the receiver first.
# CHECK-LABEL: methods(%x : Tensor,
# CHECK-NEXT:       %xs : int[],
# CHECK-NEXT:       %s : str):
# CHECK-NEXT:   %[[V9:[0-9]+]] : int = prim::Constant[value=-1]()
# CHECK-NEXT:   %[[V8:[0-9]+]] : str = prim::Constant[value=","]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V6:[0-9]+]] : int = aten::size(%x, %[[V5]])
# CHECK-NEXT:   %[[V7:[0-9]+]] : int[] = aten::append(%xs, %[[V6]])
# CHECK-NEXT:   %[[V10:[0-9]+]] : str[] = aten::split(%s, %[[V8]], %[[V9]])
# CHECK-NEXT:   %[[V11:[0-9]+]] : int = aten::len(%[[V10]])
# CHECK-NEXT:   %[[V12:[0-9]+]] : int = aten::dim(%x)
# CHECK-NEXT:   %[[V13:[0-9]+]] : int = aten::add(%[[V11]], %[[V12]])
# CHECK-NEXT:   return (%[[V13]])
def methods(x: torch.Tensor, xs: List[int], s: str) -> int:
    xs.append(x.size(0))
    return len(s.split(",")) + x.dim()


# Test that implicit conversions turn a tensor into an int where one is
# expected.
# CHECK-LABEL: implicit(%x : Tensor,
# CHECK-NEXT:       %t : Tensor):
# CHECK-NEXT:   %[[V4:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : int = aten::IntImplicit(%t)
# CHECK-NEXT:   %[[V6:[0-9]+]] : Tensor = aten::select(%x, %[[V4]], %[[V5]])
# CHECK-NEXT:   return (%[[V6]])
def implicit(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    return x.select(0, t)


# Test that several tensors passed to a Tensor[] formal are packed as they
# are, with no int conversion (torch.broadcast_tensors(a, b)).
# CHECK-LABEL: pack_tensors(%a : Tensor,
# CHECK-NEXT:       %b : Tensor):
# CHECK-NEXT:   %[[V4:[0-9]+]] : Tensor[] = prim::ListConstruct(%a, %b)
# CHECK-NEXT:   %[[V5:[0-9]+]] : Tensor[] = aten::broadcast_tensors(%[[V4]])
# CHECK-NEXT:   return (%[[V5]])
def pack_tensors(a: torch.Tensor, b: torch.Tensor) -> List[torch.Tensor]:
    return torch.broadcast_tensors(a, b)


# CHECK-LABEL: pool_like(%x : Tensor,
# CHECK-NEXT:       %padding : int[]):
# CHECK-NEXT:   return (%padding)
def pool_like(x: torch.Tensor, padding: BroadcastingList2[int] = 0) -> List[int]:
    return padding


# Test that the default of a BroadcastingList parameter broadcasts as a
# passed int would (F._max_pool2d's `padding=0` is [0, 0]).
# CHECK-LABEL: default_broadcast(%x : Tensor):
# CHECK-NEXT:   %[[V4:[0-9]+]] : Function = prim::Constant[name="pool_like"]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : int[] = prim::Constant[value=[0, 0]]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : int[] = prim::CallFunction(%[[V4]], %x, %[[V3]])
# CHECK-NEXT:   return (%[[V5]])
def default_broadcast(x: torch.Tensor) -> List[int]:
    return pool_like(x)


# Test that `*t` in a call passes a tuple's elements, unpacked at the call.
# CHECK-LABEL: starred_call(%t : (Tensor, float)):
# CHECK-NEXT:   %[[V6:[0-9]+]] : Function = prim::Constant[name="helper"]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : int = prim::Constant[value=2]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : Tensor, %[[V4:[0-9]+]] : float = prim::TupleUnpack(%t)
# CHECK-NEXT:   %[[V7:[0-9]+]] : Tensor = prim::CallFunction(%[[V6]], %[[V3]], %[[V4]], %[[V5]])
# CHECK-NEXT:   return (%[[V7]])
def starred_call(t: Tuple[torch.Tensor, float]) -> torch.Tensor:
    return helper(*t, bias=2)
