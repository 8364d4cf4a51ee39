"""Instance-level annotations of module attributes (`self.x: T = v` in
__init__), as torch.jit reads them: base types, non-empty containers,
tensors, torch.jit.Attribute and class-level annotations type the attribute
without a warning; an empty container or None annotated only in __init__
is not understood (TorchScript warns and infers from the value), so
assigning to it later fails with TorchScript's message."""
import warnings
from typing import Dict, List, Optional

import pytest
import torch

import ember


def _script_without_warnings(m, *args):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scripted = ember.script(m)
    assert [str(w.message) for w in caught] == []
    return scripted


class FalsyBase(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.x: int = 0

    def forward(self, x: int):
        self.x = x
        return self.x


class NonEmptyList(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.x: List[int] = [1, 2, 3]

    def forward(self, x: List[int]):
        self.x = x
        return self.x


class EmptyTensor(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.x: torch.Tensor = torch.empty(0)

    def forward(self, x: torch.Tensor):
        self.x = x
        return self.x


class JitAttribute(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.x = ember.Attribute([], List[int])

    def forward(self, x: List[int]):
        self.x = x
        return self.x


class ClassLevel(torch.nn.Module):
    x: List[int]

    def __init__(self):
        super().__init__()
        self.x: List[int] = torch.jit.annotate(List[int], [])

    def forward(self, x: List[int]):
        self.x = x
        return self.x


# Test that understood annotations compile without a warning and the
# attribute takes the assigned value.
@pytest.mark.parametrize("cls,arg", [(FalsyBase, 1), (NonEmptyList, [4, 5]),
                                     (EmptyTensor, torch.ones(2)), (JitAttribute, [1, 2, 3]),
                                     (ClassLevel, [1, 2, 3])],
                         ids=lambda v: getattr(v, "__name__", ""))
def test_understood_annotations(cls, arg):
    m = _script_without_warnings(cls())
    out = m(arg)
    assert torch.equal(out, arg) if isinstance(arg, torch.Tensor) else out == arg


class EmptyList(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.x: List[int] = []

    def forward(self, x: List[int]):
        self.x = x
        return 1


class EmptyDictLowercase(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.x: dict[str, int] = {}

    def forward(self, x: dict[str, int]):
        self.x = x
        return 1


class AnnotatedEmptyDict(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.x = torch.jit.annotate(Dict[str, int], {})

    def forward(self, x: Dict[str, int]):
        self.x = x
        return 1


class EmptyOptional(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.x: Optional[str] = None

    def forward(self, x: Optional[str]):
        self.x = x
        return 1


# Test that empty containers and None annotated only in __init__ warn and
# then refuse the assignment with TorchScript's words.
@pytest.mark.parametrize("cls,message", [
    (EmptyList, "Tried to set nonexistent attribute"),
    (EmptyDictLowercase, "Tried to set nonexistent attribute"),
    (AnnotatedEmptyDict, "Tried to set nonexistent attribute"),
    (EmptyOptional, "Wrong type for attribute assignment"),
], ids=lambda v: getattr(v, "__name__", ""))
def test_empty_instance_annotations(cls, message):
    with pytest.warns(UserWarning, match="doesn't support instance-level annotations on empty "
                                         "non-base types"):
        with pytest.raises(RuntimeError, match=message) as info:
            ember.script(cls())
    assert "self.x = x" in str(info.value)


# Test that an annotated assignment to an attribute outside __init__ is the
# ValueError torch.jit's frontend raises, with `self.x: int` underlined.
def test_attribute_annotation_outside_init_is_a_value_error():
    class SetsAnnotated:
        def __init__(self, x: int):
            self.x = x

        def set(self, val: int):
            for _ in range(2):
                self.x: int = val

    with pytest.raises(ValueError, match="Type annotations on instance attributes must be "
                       "declared in __init__, not 'set'") as info:
        ember.script(SetsAnnotated)
    assert isinstance(info.value, ember.CompileError)
    line, underline = str(info.value).splitlines()[1:3]
    start = underline.index("~")
    assert line[start:start + len(underline.strip())] == "self.x: int"

    class DeclaresInInit:
        def __init__(self, x: int):
            self.x: int = x

        def set(self, val: int):
            self.x = val

    obj = ember.script(DeclaresInInit)(1)
    obj.set(4)
    assert obj.x == 4

    class AnnotatesInIgnored(torch.nn.Module):  # a module's @ignore'd methods are not read
        def __init__(self):
            super().__init__()
            self.x = 1

        def forward(self, y: int) -> int:
            return self.x + y

        @torch.jit.ignore
        def python_only(self, val: int):
            self.x: int = val

    assert ember.script(AnnotatesInIgnored())(2) == 3
