"""The other module defining `helper` and `K` (see same_names_a.py)."""
K = 500


def helper(x: int) -> int:
    return x * 10


def scaled(x: int) -> int:
    return helper(x) + K


class Acc:
    def __init__(self, start: int):
        self.total = start * 100

    def add(self, x: int) -> "Acc":
        self.total -= x
        return self
