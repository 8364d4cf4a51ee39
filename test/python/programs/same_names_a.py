"""One of two modules that define the same names (see same_names_b.py)."""
from . import same_names_b

K = 3


def helper(x: int) -> int:
    return x + 1


def mixed(x: int) -> int:
    # `K` after a call into the other module is still this module's K.
    y = same_names_b.scaled(x)
    return y + K + helper(x)


class Acc:
    def __init__(self, start: int):
        self.total = start

    def add(self, x: int) -> "Acc":
        self.total += x
        return self
