# RUN: %ember-translate --import-python --emit-llvm %s | FileCheck %s
import torch


# Test that the operators of runtime/UnboxedOps.def call their unboxed kernel,
# named by its symbol, and that each call checks its status.
# CHECK-LABEL: define i32 @linear_relu_loop(ptr %frame)
# CHECK:       body:
# CHECK-NEXT:    %[[S1:.*]] = call i32 @ember_jit_unboxed(ptr %frame, ptr inttoptr (i64 {{[0-9]+}} to ptr), ptr @ember_aten_t)
# CHECK-NEXT:    %[[E1:.*]] = icmp ne i32 %[[S1]], 0
# CHECK-NEXT:    br i1 %[[E1]], label %error, label %[[OK1:.*]], !prof
# CHECK:       [[OK1]]:
# CHECK-NEXT:    call i32 @ember_jit_unboxed(ptr %frame, ptr inttoptr (i64 {{[0-9]+}} to ptr), ptr @ember_aten_addmm)
# CHECK:         call i32 @ember_jit_unboxed(ptr %frame, ptr inttoptr (i64 {{[0-9]+}} to ptr), ptr @ember_aten_relu)
# CHECK-NOT:     ember_jit_instr
# CHECK:         br label %loop
# CHECK-LABEL: declare void @ember_aten_t()
def linear_relu_loop(x, w, b, n: int):
    for i in range(n):
        x = torch.relu(torch.addmm(b, x, w.t()))
    return x


# Test that an operator outside the table (aten::cat) runs through the
# interpreter's instruction, with its boxed dispatcher call.
# CHECK-LABEL: define i32 @cat_loop(ptr %frame)
# CHECK:       body:
# CHECK:         call i32 @ember_jit_instr(ptr %frame
# CHECK-NOT:     ember_jit_unboxed
# CHECK:         br label %loop
def cat_loop(x, n: int):
    for i in range(n):
        x = torch.cat([x, x])
    return x
