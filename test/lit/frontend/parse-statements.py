# RUN: %ember-translate --dump-ast %s | FileCheck %s
# Test that every statement form parses into the right tree, with positions.

# CHECK-LABEL: (def@{{.*}} simple (param x (name@{{.*}} Tensor) _) (param n (name@{{.*}} int) (int@{{.*}} 2))
# CHECK-SAME: (: (name@{{.*}} Tensor))
def simple(x: Tensor, n: int = 2) -> Tensor:
    # CHECK: (annassign@[[@LINE+1]]:5 (name@[[@LINE+1]]:5 ys) (list@[[@LINE+1]]:21) (: (subscript
    ys: List[int] = []
    # CHECK: (assign@[[@LINE+1]]:5 (tuple@{{.*}} (name@{{.*}} a) (starred@{{.*}} (name@{{.*}} b))) (list
    a, *b = [1, 2, 3]
    # CHECK: (assign@[[@LINE+1]]:5 (name@{{.*}} p) (name@{{.*}} q) (int@{{.*}} 0))
    p = q = 0
    # CHECK: (augassign@[[@LINE+1]]:5 // (name@{{.*}} n) (int@{{.*}} 3))
    n //= 3
    # CHECK: (del@[[@LINE+1]]:5 (subscript@{{.*}} (name@{{.*}} ys) (int@{{.*}} 0)))
    del ys[0]
    # CHECK: (assert@[[@LINE+1]]:5 (compare@{{.*}} (name@{{.*}} n) >= (int@{{.*}} 0)) (: (str@{{.*}} "negative")))
    assert n >= 0, "negative"
    # CHECK: (raise@[[@LINE+1]]:5 (call@{{.*}} (name@{{.*}} ValueError) (str@{{.*}} "x")))
    raise ValueError("x")
    # CHECK: (pass@[[@LINE+1]]:5)
    pass
    # CHECK: (return@[[@LINE+1]]:5 (tuple@{{.*}} (name@{{.*}} x) (name@{{.*}} n)))
    return x, n


# Test that if/elif/else, for, while, break, continue and with nest blocks.
# CHECK-LABEL: (def@{{.*}} control
def control(x: Tensor, n: int):
    # CHECK: (for@[[@LINE+1]]:5 (name@{{.*}} i) (call@{{.*}} (name@{{.*}} range) (int@{{.*}} 0) (name@{{.*}} n) (unary@{{.*}} - (int@{{.*}} 1)))
    for i in range(0, n, -1):
        # CHECK-NEXT: (body
        # CHECK-NEXT: (if@[[@LINE+1]]:9 (compare
        if i > 2:
            # CHECK-NEXT: (body
            # CHECK-NEXT: (continue@[[@LINE+1]]:13))
            continue
        # CHECK-NEXT: (else
        # CHECK-NEXT: (if@[[@LINE+1]]:9 (compare@{{.*}} (int@{{.*}} 0) < (name@{{.*}} i) <= (int@{{.*}} 5))
        elif 0 < i <= 5:
            # CHECK-NEXT: (body
            # CHECK-NEXT: (break@[[@LINE+1]]:13))
            break
        else:
            # CHECK-NEXT: (else
            # CHECK-NEXT: (pass@[[@LINE+1]]:13))))))
            pass
    # CHECK: (while@[[@LINE+1]]:5 (name@{{.*}} n)
    while n:
        n -= 1
    # CHECK: (with@[[@LINE+1]]:5 (item (call@{{.*}} (attr@{{.*}} no_grad (name@{{.*}} torch))) (name@{{.*}} g))
    with torch.no_grad() as g:
        x = x + 1
    # CHECK: (if@[[@LINE+1]]:5 (name@{{.*}} x)
    if x: return x
    return x


# Test that signatures read keyword-only parameters and `# type:` comments.
# CHECK-LABEL: (def@{{.*}} typed (param x _ _) (param k kwonly _ _) (type-comment "(Tensor, int) -> Tensor")
def typed(x, *, k):
    # type: (Tensor, int) -> Tensor
    # CHECK: (assign@[[@LINE+1]]:5 (name@{{.*}} l) (list@{{.*}}) (type-comment "List[int]"))
    l = []  # type: List[int]
    return x


# Test that classes keep bases, decorators and methods.
# CHECK-LABEL: (class@{{[0-9]+}}:1 M (decorator (name@{{.*}} dataclass)) (base (attr@{{.*}} Module (attr@{{.*}} nn (name@{{.*}} torch))))
@dataclass
class M(torch.nn.Module):
    # CHECK: (annassign@[[@LINE+1]]:5 (name@{{.*}} count) (: (name@{{.*}} int)))
    count: int
    # CHECK: (def@{{.*}} forward (decorator (attr@{{.*}} export (attr@{{.*}} jit (name@{{.*}} torch)))) (param self _ _)
    @torch.jit.export
    def forward(self):
        return self.count
