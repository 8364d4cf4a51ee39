def f(x: int):
    if x > 0:
        r = 8
    r = "s"
    return r
