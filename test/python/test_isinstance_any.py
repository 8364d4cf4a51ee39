"""torch.jit.isinstance on values typed Any, as torch.jit compiles it: base
types, lists, dicts, tuples and optionals (nested too), in conditions and
loops, refining the value, tuples of types; and TorchScript's errors for
container types without their contained types."""
import enum
import re
from typing import Any, Dict, List, Optional, Tuple

import pytest
import torch

import ember


def int_test(x: Any):
    assert torch.jit.isinstance(x, int)
    assert not torch.jit.isinstance(x, float)


def float_test(x: Any):
    assert torch.jit.isinstance(x, float)
    assert not torch.jit.isinstance(x, int)


def bool_test(x: Any):
    assert torch.jit.isinstance(x, bool)
    assert not torch.jit.isinstance(x, float)


def list_str_test(x: Any):
    assert torch.jit.isinstance(x, List[str])
    assert not torch.jit.isinstance(x, List[int])
    assert not torch.jit.isinstance(x, Tuple[int])


def list_tensor_test(x: Any):
    assert torch.jit.isinstance(x, List[torch.Tensor])
    assert not torch.jit.isinstance(x, Tuple[int])


def dict_str_int_test(x: Any):
    assert torch.jit.isinstance(x, Dict[str, int])
    assert not torch.jit.isinstance(x, Dict[int, str])
    assert not torch.jit.isinstance(x, Dict[str, str])


def dict_int_tensor_test(x: Any):
    assert torch.jit.isinstance(x, Dict[int, torch.Tensor])


def tuple_test(x: Any):
    assert torch.jit.isinstance(x, Tuple[str, int, str])
    assert not torch.jit.isinstance(x, Tuple[int, str, str])
    assert not torch.jit.isinstance(x, Tuple[str])


def tuple_tensor_test(x: Any):
    assert torch.jit.isinstance(x, Tuple[torch.Tensor, torch.Tensor])


def optional_test(x: Any):
    assert torch.jit.isinstance(x, Optional[torch.Tensor])
    assert not torch.jit.isinstance(x, Optional[str])


def optional_test_none(x: Any):
    assert torch.jit.isinstance(x, Optional[torch.Tensor])


def list_nested(x: Any):
    assert torch.jit.isinstance(x, List[Dict[str, int]])
    assert not torch.jit.isinstance(x, List[List[str]])


def dict_nested(x: Any):
    assert torch.jit.isinstance(x, Dict[str, Tuple[str, str, str]])
    assert not torch.jit.isinstance(x, Dict[str, Tuple[int, int, int]])


def tuple_nested(x: Any):
    assert torch.jit.isinstance(x, Tuple[Dict[str, Tuple[str, str, str]], List[bool], Optional[str]])
    assert not torch.jit.isinstance(x, Dict[str, Tuple[int, int, int]])
    assert not torch.jit.isinstance(x, Tuple[str])
    assert not torch.jit.isinstance(x, Tuple[List[bool], List[str], List[int]])


def optional_nested(x: Any):
    assert torch.jit.isinstance(x, Optional[List[str]])


def list_tensor_type_false(x: Any):
    assert not torch.jit.isinstance(x, List[torch.Tensor])


def list_in_if(x: Any):
    if torch.jit.isinstance(x, List[int]):
        assert True
    if torch.jit.isinstance(x, List[str]):
        assert not True


def list_in_if_else(x: Any):
    if torch.jit.isinstance(x, Tuple[str, str, str]):
        assert True
    else:
        assert not True


def list_in_while_loop(x: Any):
    count = 0
    while torch.jit.isinstance(x, List[Dict[str, int]]) and count <= 0:
        count = count + 1
    assert count == 1


def type_refinement(obj: Any):
    hit = False
    if torch.jit.isinstance(obj, List[torch.Tensor]):
        hit = not hit
        for el in obj:
            y = el.clamp(0, 0.5)  # noqa: F841
    if torch.jit.isinstance(obj, Dict[str, str]):
        hit = not hit
        str_cat = ""
        for val in obj.values():
            str_cat = str_cat + val
        assert "111222" == str_cat
    assert hit


def tuple_rhs(x: Any):
    assert torch.jit.isinstance(x, (int, List[str]))
    assert not torch.jit.isinstance(x, (List[float], Tuple[int, str]))
    assert not torch.jit.isinstance(x, (List[float], str))


CASES = [
    (int_test, 1), (float_test, 1.0), (bool_test, False), (list_str_test, ["1", "2", "3"]),
    (list_tensor_test, [torch.tensor([1]), torch.tensor([2])]),
    (dict_str_int_test, {"a": 1, "b": 2}), (dict_int_tensor_test, {2: torch.tensor([2])}),
    (tuple_test, ("a", 1, "b")), (tuple_tensor_test, (torch.tensor([1]), torch.tensor([[2], [3]]))),
    (optional_test, torch.ones(3, 3)), (optional_test_none, None),
    (list_nested, [{"a": 1, "b": 2}, {"aa": 11, "bb": 22}]),
    (dict_nested, {"a": ("aa", "aa", "aa"), "b": ("bb", "bb", "bb")}),
    (tuple_nested, ({"a": ("aa", "aa", "aa")}, [True, False, True], None)),
    (optional_nested, ["a", "b", "c"]), (list_tensor_type_false, [1, 2, 3]),
    (list_in_if, [1, 2, 3]), (list_in_if_else, ("a", "b", "c")),
    (list_in_while_loop, [{"a": 1, "b": 2}, {"aa": 11, "bb": 22}]),
    (type_refinement, [torch.rand(3, 3), torch.rand(4, 3)]),
    (type_refinement, {"1": "111", "2": "222"}),
    (tuple_rhs, 2), (tuple_rhs, ["foo", "bar", "baz"]),
]


# Test that each check holds compiled as it holds in Python.
@pytest.mark.parametrize("fn,x", CASES, ids=[f"{f.__name__}-{i}" for i, (f, _) in enumerate(CASES)])
def test_isinstance_matches_python(fn, x):
    fn(x)
    assert ember.script(fn)(x) is None


def list_no_contained_type(x: Any):
    assert torch.jit.isinstance(x, List)


def tuple_no_contained_type(x: Any):
    assert torch.jit.isinstance(x, Tuple)


def optional_no_contained_type(x: Any):
    assert torch.jit.isinstance(x, Optional)


def dict_no_contained_type(x: Any):
    assert torch.jit.isinstance(x, Dict)


# Test that bare container types are refused with TorchScript's words.
@pytest.mark.parametrize("fn,message", [
    (list_no_contained_type, r"Attempted to use List without a contained type. Please add a "
                             r"contained type, e.g. List\[int\]"),
    (tuple_no_contained_type, r"Attempted to use Tuple without a contained type. Please add a "
                              r"contained type, e.g. Tuple\[int\]"),
    (optional_no_contained_type, r"Attempted to use Optional without a contained type. Please "
                                 r"add a contained type, e.g. Optional\[int\]"),
    (dict_no_contained_type, r"Attempted to use Dict without contained types. Please add "
                             r"contained type, e.g. Dict\[int, int\]"),
], ids=lambda v: getattr(v, "__name__", ""))
def test_bare_containers_are_refused(fn, message):
    with pytest.raises(RuntimeError, match=message):
        ember.script(fn)


class Shade(enum.Enum):
    LIGHT = 1
    DARK = 2


def is_shade(x: Any) -> bool:
    return isinstance(x, Shade)


def passes_through(x: Any) -> Any:
    return x


# Test that an enum member passed as Any is a value of its enum type
# (test_enum's test_enum_ivalue_type), and comes back as the member.
@pytest.mark.parametrize("jit", [ember, torch.jit], ids=["ember", "torch"])
def test_enum_member_as_any(jit):
    fn = jit.script(is_shade)
    assert fn(Shade.DARK) and not fn(1)
    assert jit.script(passes_through)(Shade.LIGHT) is Shade.LIGHT


EAGER_CASES = [
    ([1, 2], List[int]), ([1, "a"], List[int]), ([], List[str]), ((1, "a"), Tuple[int, str]),
    ((1, "a"), Tuple[int]), ({"a": [1]}, Dict[str, List[int]]),
    ({"a": [1]}, Dict[str, List[str]]), (None, Optional[List[int]]), ([None], List[Optional[int]]),
    (3, Optional[int]), ("s", Optional[int]), (torch.ones(2), torch.Tensor), (2.0, (int, float)),
    ({1: (torch.ones(1), None)}, Dict[int, Tuple[torch.Tensor, Optional[str]]]),
]


# Test that ember.isinstance called from Python answers as
# torch.jit.isinstance does, looking inside containers.
@pytest.mark.parametrize("obj,target", EAGER_CASES, ids=[str(i) for i in range(len(EAGER_CASES))])
def test_eager_isinstance_matches_torch(obj, target):
    assert ember.isinstance(obj, target) == torch.jit.isinstance(obj, target)


# Test that ember.isinstance in Python refuses a bare container type with
# the words torch.jit.isinstance uses.
@pytest.mark.parametrize("target", [List, Tuple, Dict, Optional], ids=str)
def test_eager_bare_containers_are_refused(target):
    with pytest.raises(RuntimeError) as expected:
        torch.jit.isinstance([1], target)
    with pytest.raises(RuntimeError, match=re.escape(str(expected.value))):
        ember.isinstance([1], target)


J = torch.jit
E = ember


def refined_through_alias(obj: Any) -> int:
    if J.isinstance(obj, List[torch.Tensor]):
        total = 0
        for t in obj:
            total += t.numel()
        return total
    if J.isinstance(obj, Dict[str, int]):
        return len(obj)
    return -1


def refined_through_ember_alias(obj: Any) -> int:
    if E.isinstance(obj, List[torch.Tensor]):
        return len(obj)
    return -1


# Test that isinstance named through an alias of torch.jit or ember
# refines the value in the branch it guards, as torch.jit refines it.
@pytest.mark.parametrize("x", [[torch.ones(2), torch.ones(3)], {"a": 1}, 3], ids=["list", "dict", "int"])
def test_refinement_through_alias(x):
    assert ember.script(refined_through_alias)(x) == torch.jit.script(refined_through_alias)(x) \
        == refined_through_alias(x)
    assert ember.script(refined_through_ember_alias)(x) == refined_through_ember_alias(x)
