from enum import Enum


class Color(Enum):
    RED = 1


def blue() -> Color:
    return Color.BLUE
