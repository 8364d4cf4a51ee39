# RUN: %ember-translate --import-code %s | FileCheck %s
# RUN: %ember-translate --import-code --emit-code %s > %t.py
# RUN: %ember-translate --import-code --emit-code %t.py | diff %t.py -
# Modules as archives store them: attribute declarations, __parameters__,
# `__annotations__["0"]` entries of a ModuleList, and methods typed with
# their class.
class Scale(Module):
  __parameters__ = ["weight", ]
  __buffers__ = []
  weight : Tensor
  training : bool
  # Test that a module reads its parameters with prim::GetAttr.
  # CHECK-LABEL: Scale.forward(%self : __torch__.Scale,
  # CHECK-NEXT:       %x : Tensor):
  # CHECK-NEXT:   %[[W:weight(\.[0-9]+)?]] : Tensor = prim::GetAttr[name="weight"](%self)
  # CHECK-NEXT:   %[[R:[0-9]+]] : Tensor = aten::mul(%x, %[[W]])
  # CHECK-NEXT:   return (%[[R]])
  def forward(self: __torch__.Scale,
    x: Tensor) -> Tensor:
    return torch.mul(x, self.weight)
class ModuleList(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  __annotations__["0"] = __torch__.Scale
  __annotations__["1"] = __torch__.Scale
class Net(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  layers : __torch__.ModuleList
  head : __torch__.Scale
  # Test that calling a submodule runs its forward, that a module list
  # indexes with constants and iterates unrolled (entries named `_<index>`,
  # as TorchScript names them), and that getattr with a constant name reads
  # an attribute.
  # CHECK-LABEL: Net.forward(%self : __torch__.Net,
  # CHECK-NEXT:       %x.1 : Tensor):
  # CHECK-NEXT:   %[[ONE:[0-9]+]] : int = prim::Constant[value=1]()
  # CHECK-NEXT:   %[[L:layers(\.[0-9]+)?]] : __torch__.ModuleList = prim::GetAttr[name="layers"](%self)
  # CHECK-NEXT:   %[[E0:_0(\.[0-9]+)?]] : __torch__.Scale = prim::GetAttr[name="0"](%[[L]])
  # CHECK-NEXT:   %[[Y:.+]] : Tensor = prim::CallMethod[name="forward"](%[[E0]], %x.1)
  # CHECK:        %[[L2:layers(\.[0-9]+)?]] : __torch__.ModuleList = prim::GetAttr[name="layers"](%self)
  # CHECK-NEXT:   %[[A:_0]] : __torch__.Scale = prim::GetAttr[name="0"](%[[L2]])
  # CHECK-NEXT:   %[[B:_1]] : __torch__.Scale = prim::GetAttr[name="1"](%[[L2]])
  # CHECK:        prim::CallMethod[name="forward"](%[[A]]
  # CHECK:        prim::CallMethod[name="forward"](%[[B]]
  # CHECK:        %[[H:head(\.[0-9]+)?]] : __torch__.Scale = prim::GetAttr[name="head"](%self)
  # CHECK-NEXT:   prim::CallMethod[name="forward"](%[[H]]
  def forward(self: __torch__.Net,
    x: Tensor) -> Tensor:
    y = self.layers[0](x)
    for layer in self.layers:
      x = layer(x)
    return torch.add(getattr(self, "head")(x), y)
