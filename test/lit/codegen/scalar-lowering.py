# RUN: %ember-translate --import-python --emit-llvm %s | FileCheck %s
# RUN: %ember-translate --import-python --emit-llvm --llvm-opt 2 %s | FileCheck %s --check-prefix=OPT
import torch


# Test that int floor division becomes sdiv/srem rounded toward -inf, with a
# guard sending b in {-1, 0} to the interpreter's kernel (which raises).
# CHECK-LABEL: define i32 @floor_mod(ptr %frame)
# CHECK-NEXT:  entry:
# CHECK-NEXT:    %a = call i64 @ember_jit_get_int(ptr %frame, i32 0)
# CHECK-NEXT:    %b = call i64 @ember_jit_get_int(ptr %frame, i32 1)
# CHECK-NEXT:    %[[B1:.*]] = add i64 %b, 1
# CHECK-NEXT:    %[[BAD:.*]] = icmp ult i64 %[[B1]], 2
# CHECK-NEXT:    br i1 %[[BAD]], label %slow, label %fast
# CHECK:       fast:
# CHECK-NEXT:    %[[Q:.*]] = sdiv i64 %a, %b
# CHECK-NEXT:    %[[R:.*]] = srem i64 %a, %b
# CHECK:       slow:
# CHECK-NEXT:    %[[ST:.*]] = call i32 @ember_jit_instr(ptr %frame, ptr inttoptr
# CHECK-NEXT:    %[[E:.*]] = icmp ne i32 %[[ST]], 0
# CHECK-NEXT:    br i1 %[[E]], label %error, label %ok
# CHECK:       join:
# CHECK-NEXT:    %[[RES:.*]] = phi i64
# CHECK-NEXT:    call void @ember_jit_set_int(ptr %frame, i32 2, i64 %[[RES]])
# CHECK-NEXT:    ret i32 0
# CHECK:       error:
# CHECK-NEXT:    ret i32 1
def floor_mod(a: int, b: int) -> int:
    return a // b


# Test that a counted loop with a branch keeps its trip count and carried int
# in phis, calls nothing per iteration, and drops the guard of `% 3`.
# CHECK-LABEL: define i32 @int_loop(ptr %frame)
# CHECK:       loop:
# CHECK-NEXT:    %trip = phi i64 [ 0, %entry ], [ %[[NT:.*]], %endif ]
# CHECK-NEXT:    %cond = phi i1 [ true, %entry ], [ true, %endif ]
# CHECK-NEXT:    %s.3 = phi i64 [ 0, %entry ], [ %s.9, %endif ]
# CHECK:       endloop:
# CHECK-NEXT:    call void @ember_jit_set_int(ptr %frame, i32 {{[0-9]+}}, i64 %s.3)
# CHECK-NEXT:    ret i32 0
# CHECK:       body:
# CHECK-NOT:     call
# CHECK:         srem i64 %trip, 3
# CHECK-NOT:     call
# CHECK:       endif:
# CHECK-NEXT:    %s.9 = phi i64 [ %s.5, %then ], [ %s.7, %else ]
# CHECK-NEXT:    %[[NT]] = add i64 %trip, 1
# CHECK-NEXT:    br label %loop
# CHECK-NEXT:  }
# OPT-LABEL: define {{.*}}i32 @int_loop(ptr
# OPT-NOT:     call i32 @ember_jit_instr
# OPT:       ret i32 0
def int_loop(n: int) -> int:
    s = 0
    for i in range(n):
        if i % 3 == 0:
            s += i
        else:
            s -= 1
    return s


# Test that true division converts the int operand and is guarded against a
# zero divisor.
# CHECK-LABEL: define i32 @ratio(ptr %frame)
# CHECK:         %x = call double @ember_jit_get_float(ptr %frame, i32 0)
# CHECK-NEXT:    %n = call i64 @ember_jit_get_int(ptr %frame, i32 1)
# CHECK-NEXT:    %[[N:.*]] = sitofp i64 %n to double
# CHECK-NEXT:    %[[Z:.*]] = fcmp oeq double %[[N]], 0.000000e+00
# CHECK-NEXT:    br i1 %[[Z]], label %slow, label %fast
# CHECK:       fast:
# CHECK-NEXT:    fdiv double %x, %[[N]]
def ratio(x: float, n: int) -> float:
    return x / n


# Test that a tensor op is a runtime call (here its unboxed kernel), with the
# int it reads stored into the frame first.
# CHECK-LABEL: define i32 @tensor_mix(ptr %frame)
# CHECK:         %k = mul i64 %n, 2
# CHECK-NEXT:    call void @ember_jit_set_int(ptr %frame, i32 {{[0-9]+}}, i64 %k)
# CHECK-NEXT:    %[[S:.*]] = call i32 @ember_jit_unboxed(ptr %frame, ptr inttoptr {{.*}}, ptr @ember_aten_add_Scalar)
# CHECK-NEXT:    %[[E:.*]] = icmp ne i32 %[[S]], 0
# CHECK-NEXT:    br i1 %[[E]], label %error, label %ok
def tensor_mix(x: torch.Tensor, n: int) -> torch.Tensor:
    k = n * 2
    return x + k


# Test that comparisons with floats are ordered (false on NaN) except !=.
# CHECK-LABEL: define i32 @float_compare(ptr %frame)
# CHECK:         fcmp olt double %x, %y
# CHECK:         fcmp une double %x, %y
def float_compare(x: float, y: float) -> bool:
    return x < y or x != y
