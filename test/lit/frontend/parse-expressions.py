# RUN: %ember-translate --dump-ast %s | FileCheck %s
# Test that expressions parse with Python's precedence and keep their spans.

def exprs(x, y, n: int):
    # Test that `*` binds tighter than `+` and `**` is right-associative.
    # CHECK: (binop@[[@LINE+1]]:9 + (name@[[@LINE+1]]:9 x) (binop@[[@LINE+1]]:13 * (name@{{.*}} y) (binop@{{.*}} ** (int@{{.*}} 2) (binop@{{.*}} ** (int@{{.*}} 3) (int@{{.*}} 2)))))
    a = x + y * 2 ** 3 ** 2
    # Test that unary minus binds looser than `**`: -(x ** 2).
    # CHECK: (unary@[[@LINE+1]]:9 - (binop@[[@LINE+1]]:10 ** (name@{{.*}} x) (int@{{.*}} 2)))
    b = -x ** 2
    # Test the bitwise levels: | then ^ then & then shifts.
    # CHECK: (binop@{{.*}} | (name@{{.*}} n) (binop@{{.*}} ^ (name@{{.*}} n) (binop@{{.*}} & (name@{{.*}} n) (binop@{{.*}} << (name@{{.*}} n) (int@{{.*}} 1)))))
    c = n | n ^ n & n << 1
    # Test chained comparisons, `not in`, `is not`, and `and`/`or`/`not` nesting.
    # CHECK: (boolop@{{.*}} or (boolop@{{.*}} and (compare@{{.*}} (int@{{.*}} 0) < (name@{{.*}} n) <= (int@{{.*}} 9)) (compare@{{.*}} (name@{{.*}} n) not in (name@{{.*}} y))) (unary@{{.*}} not (compare@{{.*}} (name@{{.*}} x) is not (None@{{.*}}))))
    d = 0 < n <= 9 and n not in y or not x is not None
    # Test a conditional expression.
    # CHECK: (ifexp@{{.*}} (name@{{.*}} x) (name@{{.*}} n) (name@{{.*}} y))
    e = x if n else y
    # Test subscripts with slices, steps, None, Ellipsis and several indices.
    # CHECK: (subscript@{{.*}} (name@{{.*}} x) (slice@{{.*}} (int@{{.*}} 1) _ _) (slice@{{.*}} _ _ (unary@{{.*}} - (int@{{.*}} 1))) (None@{{.*}}) (...@{{.*}}) (name@{{.*}} n))
    f = x[1:, ::-1, None, ..., n]
    # Test calls with positional, keyword and starred arguments, and attributes.
    # CHECK: (call@{{.*}} (attr@{{.*}} sum (name@{{.*}} x)) (starred@{{.*}} (name@{{.*}} y)) (kw dim (int@{{.*}} 0)) (kw keepdim (True@{{.*}})))
    g = x.sum(*y, dim=0, keepdim=True)
    # Test list, tuple, dict literals, an empty tuple and a parenthesised expression.
    # CHECK: (tuple@{{.*}} (list@{{.*}} (int@{{.*}} 1)) (tuple@{{.*}}) (dict@{{.*}} (str@{{.*}} "a") (int@{{.*}} 1)) (tuple@{{.*}} (int@{{.*}} 1)) (name@[[@LINE+1]]:35 n))
    h = [1], (), {"a": 1}, (1,), (n)
    # Test list and dict comprehensions with filters.
    # CHECK: (listcomp@{{.*}} (binop@{{.*}} * (name@{{.*}} v) (int@{{.*}} 2)) (for (name@{{.*}} v) (name@{{.*}} y) (if (compare@{{.*}} (name@{{.*}} v) > (int@{{.*}} 0)))))
    i = [v * 2 for v in y if v > 0]
    # CHECK: (dictcomp@{{.*}} (name@{{.*}} k) (name@{{.*}} v) (for (tuple@{{.*}} (name@{{.*}} k) (name@{{.*}} v)) (call@{{.*}} (attr@{{.*}} items (name@{{.*}} y))) (if (name@{{.*}} v))))
    j = {k: v for k, v in y.items() if v}
    # Test numbers: hex, octal, binary, underscores, floats and imaginary.
    # CHECK: (tuple@{{.*}} (int@{{.*}} 0xff) (int@{{.*}} 0o17) (int@{{.*}} 0b101) (int@{{.*}} 1000000) (float@{{.*}} 1.5e-3) (float@{{.*}} .5) (float@{{.*}} 5.) (imag@{{.*}} 2))
    k = 0xff, 0o17, 0b101, 1_000_000, 1.5e-3, .5, 5., 2j
    # Test strings: escapes, raw strings, adjacent literals, triple quotes.
    # CHECK: (tuple@{{.*}} (str@{{.*}} "a\tb\n") (str@{{.*}} "a\\tb") (str@{{.*}} "ab") (str@{{.*}} "x\ny") (str@{{.*}} "é"))
    l = "a\tb\n", r"a\tb", "a" 'b', """x
y""", "\u00e9"
    # Test f-strings: fields with conversions and format specs, `{{` and `}}`.
    # CHECK: (fstr@[[@LINE+1]]:9 "n=" {(name@[[@LINE+1]]:14 n) :.2f} ", " {(call@[[@LINE+1]]:23 (name@{{.*}} len) (name@{{.*}} y)) !r} " {x}" "!")
    m = f"n={n:.2f}, {len(y)!r} {{x}}" "!"
    # Test that a line continues inside brackets and after a backslash.
    # CHECK: (binop@{{.*}} + (binop@{{.*}} + (int@{{.*}} 1) (int@{{.*}} 2)) (int@{{.*}} 3))
    o = (1 +
         2) + \
        3
    return a
