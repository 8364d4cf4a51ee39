# RUN: %ember-translate --import-python %s | FileCheck %s
import torch


# Test that ints select, slices slice, None unsqueezes and `...` counts the
# following dimensions from the end.
# CHECK-LABEL: basic(%x : Tensor):
# CHECK-NEXT:   %[[V16:[0-9]+]] : int = prim::Constant[value=-1]()
# CHECK-NEXT:   %[[V11:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V3:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V6:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V7:[0-9]+]] : int = prim::Constant[value=3]()
# CHECK-NEXT:   %[[V13:[0-9]+]] : int = prim::Constant[value=2]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : Tensor = aten::select(%x, %[[V3]], %[[V3]])
# CHECK-NEXT:   %[[V10:[0-9]+]] : Tensor = aten::slice(%[[V5]], %[[V3]], %[[V6]], %[[V7]], %[[V6]])
# CHECK-NEXT:   %[[V15:[0-9]+]] : Tensor = aten::slice(%[[V10]], %[[V6]], %[[V11]], %[[V11]], %[[V13]])
# CHECK-NEXT:   %[[V18:[0-9]+]] : Tensor = aten::select(%x, %[[V16]], %[[V16]])
# CHECK-NEXT:   %[[V20:[0-9]+]] : Tensor = aten::add(%[[V15]], %[[V18]], %[[V6]])
# CHECK-NEXT:   %[[V22:[0-9]+]] : Tensor = aten::unsqueeze(%x, %[[V3]])
# CHECK-NEXT:   %[[V24:[0-9]+]] : Tensor = aten::select(%[[V22]], %[[V6]], %[[V6]])
# CHECK-NEXT:   %[[V26:[0-9]+]] : Tensor = aten::add(%[[V20]], %[[V24]], %[[V6]])
# CHECK-NEXT:   return (%[[V26]])
def basic(x: torch.Tensor) -> torch.Tensor:
    return x[0, 1:3, ::2] + x[..., -1] + x[None, 1]


# Test that after `...` each index takes its dimension from the end, past the
# indices after it that consume one (None consumes none), as TorchScript does;
# the ops carry the subscript's location.
# CHECK-LABEL: after_ellipsis(%x : Tensor):
# CHECK-NEXT:   %[[V10:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V7:[0-9]+]] : int = prim::Constant[value=-2]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : int = prim::Constant[value=-1]()
# CHECK-NEXT:   %[[V9:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V16:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : Tensor = aten::unsqueeze(%x, %[[V3]])
# CHECK-NEXT:   %[[V6:[0-9]+]] : Tensor = aten::unsqueeze(%[[V4]], %[[V3]])
# CHECK-NEXT:   %[[V8:[0-9]+]] : Tensor = aten::unsqueeze(%x, %[[V7]])
# CHECK-NEXT:   %[[V13:[0-9]+]] : Tensor = aten::slice(%[[V8]], %[[V3]], %[[V9]], %[[V10]], %[[V9]])
# CHECK-NEXT:   %[[V15:[0-9]+]] : Tensor = aten::unsqueeze(%[[V13]], %[[V3]])
# CHECK-NEXT:   %[[V18:[0-9]+]] : Tensor = aten::select(%x, %[[V7]], %[[V16]])
# CHECK-NEXT:   %[[V20:[0-9]+]] : Tensor = aten::unsqueeze(%[[V18]], %[[V7]])
# CHECK-NEXT:   %[[V22:[0-9]+]] : Tensor = aten::select(%[[V20]], %[[V3]], %[[V9]])
# CHECK-NEXT:   %[[V24:[0-9]+]] : Tensor = aten::unsqueeze(%x, %[[V16]])
# CHECK-NEXT:   %[[V26:[0-9]+]] : Tensor = aten::select(%[[V24]], %[[V9]], %[[V16]])
# CHECK-NEXT:   %[[V28:[0-9]+]] : Tensor = aten::unsqueeze(%[[V26]], %[[V7]])
# CHECK-NEXT:   %[[V31:[0-9]+]] : Tensor = aten::slice(%[[V28]], %[[V3]], %[[V16]], %[[V9]], %[[V9]])
# CHECK-NEXT:   %[[V32:[0-9]+]] : (Tensor, Tensor, Tensor, Tensor) = prim::TupleConstruct(%[[V6]], %[[V15]], %[[V22]], %[[V31]])
# CHECK-NEXT:   return (%[[V32]])
def after_ellipsis(x: torch.Tensor):
    return x[..., None, None], x[..., None, 1:, None], x[..., 0, None, 1], x[None, 0, ..., None, 0:1]


# Test that tensor indices collect into one aten::index.
# CHECK-LABEL: advanced(%x : Tensor,
# CHECK-NEXT:       %i : Tensor):
# CHECK-NEXT:   %[[V7:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V6:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V8:[0-9]+]] : Tensor = aten::slice(%x, %[[V7]], %[[V4]], %[[V4]], %[[V6]])
# CHECK-NEXT:   %[[V10:[0-9]+]] : Tensor?[] = prim::ListConstruct(%[[V4]], %i)
# CHECK-NEXT:   %[[V11:[0-9]+]] : Tensor = aten::index(%[[V8]], %[[V10]])
# CHECK-NEXT:   return (%[[V11]])
def advanced(x: torch.Tensor, i: torch.Tensor) -> torch.Tensor:
    return x[:, i]


# Test that a scalar store copies a tensor of the view's dtype and device
# into the view.
# CHECK-LABEL: store_scalar(%x : Tensor):
# CHECK-NEXT:   %[[V14:[0-9]+]] : bool = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V9:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V7:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V3:[0-9]+]] : float = prim::Constant[value=1.5]()
# CHECK-NEXT:   %[[V4:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V8:[0-9]+]] : int = prim::Constant[value=2]()
# CHECK-NEXT:   %[[V6:[0-9]+]] : Tensor = aten::select(%x, %[[V4]], %[[V4]])
# CHECK-NEXT:   %[[V11:[0-9]+]] : Tensor = aten::slice(%[[V6]], %[[V4]], %[[V7]], %[[V8]], %[[V9]])
# CHECK-NEXT:   %[[V12:[0-9]+]] : int = prim::dtype(%[[V11]])
# CHECK-NEXT:   %[[V13:[0-9]+]] : Device = prim::device(%[[V11]])
# CHECK-NEXT:   %[[V15:[0-9]+]] : Tensor = aten::tensor(%[[V3]], %[[V12]], %[[V13]], %[[V14]])
# CHECK-NEXT:   %[[V17:[0-9]+]] : Tensor = aten::copy_(%[[V11]], %[[V15]], %[[V14]])
# CHECK-NEXT:   return (%[[V7]])
def store_scalar(x: torch.Tensor):
    x[0, :2] = 1.5


# Test that a store through tensor indices is aten::index_put_.
# CHECK-LABEL: store_index(%x : Tensor,
# CHECK-NEXT:       %mask : Tensor,
# CHECK-NEXT:       %v : Tensor):
# CHECK-NEXT:   %[[V8:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V6:[0-9]+]] : bool = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : Tensor?[] = prim::ListConstruct(%mask)
# CHECK-NEXT:   %[[V7:[0-9]+]] : Tensor = aten::index_put_(%x, %[[V5]], %v, %[[V6]])
# CHECK-NEXT:   return (%[[V8]])
def store_index(x: torch.Tensor, mask: torch.Tensor, v: torch.Tensor):
    x[mask] = v


# Test that a tuple of index tensors passed to index_put_ becomes ATen's
# Tensor?[] (TorchScript tries ATen's overload before its Tensor[] twin).
# CHECK-LABEL: index_put_tuple(%x : Tensor,
# CHECK-NEXT:       %i : Tensor,
# CHECK-NEXT:       %v : Tensor):
# CHECK-NEXT:   %[[V10:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V8:[0-9]+]] : bool = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V7:[0-9]+]] : Tensor?[] = prim::ListConstruct(%i)
# CHECK-NEXT:   %[[V9:[0-9]+]] : Tensor = aten::index_put_(%x, %[[V7]], %v, %[[V8]])
# CHECK-NEXT:   return (%[[V10]])
def index_put_tuple(x: torch.Tensor, i: torch.Tensor, v: torch.Tensor):
    x.index_put_((i,), v)


# Test that augmented assignment into an index updates the view in place.
# CHECK-LABEL: aug_index(%x : Tensor):
# CHECK-NEXT:   %[[V9:[0-9]+]] : NoneType = prim::Constant()
# CHECK-NEXT:   %[[V4:[0-9]+]] : int = prim::Constant[value=0]()
# CHECK-NEXT:   %[[V3:[0-9]+]] : int = prim::Constant[value=1]()
# CHECK-NEXT:   %[[V6:[0-9]+]] : int = prim::Constant[value=2]()
# CHECK-NEXT:   %[[V5:[0-9]+]] : Tensor = aten::select(%x, %[[V4]], %[[V3]])
# CHECK-NEXT:   %[[V8:[0-9]+]] : Tensor = aten::add_(%[[V5]], %[[V6]], %[[V3]])
# CHECK-NEXT:   return (%[[V9]])
def aug_index(x: torch.Tensor):
    x[1] += 2


# Test that `t.__getitem__(i)` spelled out indexes with the one tensor, as
# TorchScript reads it.
# CHECK-LABEL: getitem_call(%x : Tensor,
# CHECK-NEXT:       %i : Tensor):
# CHECK-NEXT:   %[[V4:[0-9]+]] : Tensor?[] = prim::ListConstruct(%i)
# CHECK-NEXT:   %[[V5:[0-9]+]] : Tensor = aten::index(%x, %[[V4]])
# CHECK-NEXT:   return (%[[V5]])
def getitem_call(x: torch.Tensor, i: torch.Tensor):
    return x.__getitem__(i)
