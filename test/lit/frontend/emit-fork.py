# RUN: %ember-translate --import-python %s | FileCheck %s
# RUN: %ember-translate --import-python --emit-code %s | FileCheck %s --check-prefix=CODE
import torch


def work(x: torch.Tensor, k: int) -> torch.Tensor:
    return x * k


# Test that fork runs the call in a prim::fork subgraph taking the arguments
# as inputs, and that wait is aten::wait on the Future.
# CHECK-LABEL: main(%x : Tensor):
# CHECK:         %fut : Future[Tensor] = prim::fork_0(%x, %[[K:[0-9]+]])
# CHECK-NEXT:    %y : Tensor = aten::wait(%fut)
# CHECK-LABEL: with prim::fork_0 = graph(
# CHECK:         prim::CallFunction
# Test that the code form is a nested def closing over the arguments.
# CODE-LABEL: def main(x: Tensor) -> Tensor:
# CODE-NEXT:    def __forked_function():
# CODE-NEXT:      return __torch__.work(x, 3, )
# CODE-NEXT:    fut = fork(__forked_function)
# CODE-NEXT:    y = torch.wait(fut)
# CODE-NEXT:    return torch.add(y, 1)
def main(x: torch.Tensor) -> torch.Tensor:
    fut = torch.jit.fork(work, x, 3)
    y = torch.jit.wait(fut)
    return y + 1
