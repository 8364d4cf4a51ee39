# RUN: %ember-translate --import-python --function unpack --function linear %s | FileCheck %s
# RUN: %ember-translate --import-python --emit-code --function unpack %s | FileCheck %s --check-prefix=CODE
# RUN: not %ember-translate --import-python --function missing_method %s 2>&1 | FileCheck %s --check-prefix=MISSING
from typing import Optional, Tuple

import torch


# Test that a torchbind class is an annotation, named as TorchScript prints
# it, and that its methods are prim::CallMethod typed by their schema from
# torch's class registry (two results: a tuple).
# CHECK-LABEL: unpack(%packed : __torch__.torch.classes.quantized.LinearPackedParamsBase):
# CHECK-NEXT:    %[[V3:[0-9]+]] : (Tensor, Tensor?) = prim::CallMethod[name="unpack"](%packed)
# CHECK-NEXT:    return (%[[V3]])
# CODE-LABEL: def unpack(packed: __torch__.torch.classes.quantized.LinearPackedParamsBase) -> Tuple[Tensor, Optional[Tensor]]:
# CODE-NEXT:    return (packed).unpack()
def unpack(packed: torch.classes.quantized.LinearPackedParamsBase) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
    return packed.unpack()


# Test that operators taking the class bind its objects.
# CHECK-LABEL: linear(%x : Tensor,
# CHECK-NEXT:        %packed : __torch__.torch.classes.quantized.LinearPackedParamsBase):
# CHECK:         %{{[0-9]+}} : Tensor = quantized::linear_dynamic(%x, %packed, %{{[0-9]+}})
def linear(x: torch.Tensor, packed: torch.classes.quantized.LinearPackedParamsBase) -> torch.Tensor:
    return torch.ops.quantized.linear_dynamic(x, packed)


# Test that a method the class does not have is an error at its use.
# MISSING: custom-classes.py:[[# @LINE + 2]]:12: error: '__torch__.torch.classes.quantized.LinearPackedParamsBase' has no attribute 'repack'
def missing_method(packed: torch.classes.quantized.LinearPackedParamsBase):
    return packed.repack()
