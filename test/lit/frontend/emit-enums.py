# RUN: %ember-translate --import-python %s | FileCheck %s
# RUN: %ember-translate --import-python %s --emit-code | FileCheck %s --check-prefix=CODE
# RUN: not %ember-translate --import-python %S/Inputs/enum-errors.py 2>&1 | FileCheck %s --check-prefix=ERR
from enum import Enum
from typing import List

# Test that the classes print as TorchScript prints enums.
# CODE-LABEL: class Color(Enum):
# CODE-NEXT:    RED = 1
# CODE-NEXT:    GREEN = 2
# CODE-LABEL: class Unit(Enum):
# CODE-NEXT:    METER = "m"
# CODE-NEXT:    FOOT = "ft"


class Color(Enum):
    RED = 1
    GREEN = 2


class Unit(Enum):
    METER = "m"
    FOOT = "ft"


# Test that a member is an enum constant and that comparisons are aten::eq
# and aten::ne on enum values.
# CHECK-LABEL: is_red(%c : Enum<__torch__.Color>):
# CHECK-NEXT:   %[[RED:[0-9]+]] : Enum<__torch__.Color> = prim::Constant[value=__torch__.Color.RED]()
# CHECK-NEXT:   %[[EQ:[0-9]+]] : bool = aten::eq(%c, %[[RED]])
# CODE-LABEL: def is_red(c: __torch__.Color) -> bool:
# CODE-NEXT:    return torch.eq(c, __torch__.Color.RED)
def is_red(c: Color) -> bool:
    return c == Color.RED


# Test that `.name` and `.value` are prim::EnumName and prim::EnumValue, the
# value typed as the members' values are.
# CHECK-LABEL: describe(%u : Enum<__torch__.Unit>):
# CHECK:         %[[N:[0-9]+]] : str = prim::EnumName(%u)
# CHECK:         %[[V:[0-9]+]] : str = prim::EnumValue(%u)
# CODE-LABEL: def describe(u: __torch__.Unit) -> str:
# CODE-NEXT:    return torch.add((u).name, (u).value)
def describe(u: Unit) -> str:
    return u.name + u.value


# Test that iterating over the class iterates over a constant list of its
# members, which the frontend's constant propagation leaves alone (a list
# is mutable).
# CHECK-LABEL: all_values():
# CHECK:         %[[ALL:[0-9]+]] : Enum<__torch__.Color>[] = prim::Constant[value=[__torch__.Color.RED, __torch__.Color.GREEN]]()
# CHECK:         aten::len(%[[ALL]])
# CHECK:         prim::EnumValue
def all_values() -> List[int]:
    out: List[int] = []
    for c in Color:
        out.append(c.value)
    return out


# Test that an unknown member is an error naming the enum.
# ERR: enum-errors.py:9:12: error: enum 'Color' has no attribute 'BLUE'
# ERR-NEXT:     return Color.BLUE
# ERR-NEXT:            ~~~~~~~~~~
