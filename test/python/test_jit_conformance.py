"""Programs in the style of torch.jit's own test suite (test/jit/test_union.py,
test_typing.py, test_list_dict.py, test_string_formatting.py), run by ember
and compared with eager Python, and with torch.jit where its behaviour (a
type, an error message) is the spec."""
import warnings
from collections import namedtuple
from typing import Any, Dict, List, Optional, Tuple, Union

import pytest
import torch

import ember


def _same(a, b):
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and torch.equal(a, b)
    if isinstance(a, (list, tuple)):
        return type(a) == type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a.items()) == list(b.items()) if not any(
            isinstance(v, torch.Tensor) for v in a.values()) else a.keys() == b.keys()
    return type(a) == type(b) and a == b


def union_param(x: Union[str, int]) -> str:
    return "int" if isinstance(x, int) else x


def union_order(a: Union[str, int], b: Union[List[str], List[int], List[str]],
                c: Optional[Union[int, str]]) -> int:
    return 0


def test_union_alternatives_are_sorted_as_torch_sorts_them():
    ours, theirs = ember.script(union_order), torch.jit.script(union_order)
    assert str(ours.graph).splitlines()[:3] == str(theirs.graph).splitlines()[:3]
    assert ours.code == theirs.code
    assert ours.schema == str(theirs.schema)


def test_wrong_argument_raises_torch_message():
    f = ember.script(union_param)
    assert f(3) == "int" and f("a") == "a"
    with pytest.raises(RuntimeError, match=r"Expected a member of Union\[int, str\] but instead "
                                           r"found type List\[str\]") as info:
        f(["a"])
    # Both a RuntimeError (as torch.jit raises) and a TypeError (as Python does).
    assert isinstance(info.value, TypeError) and isinstance(info.value, ember.ArgumentError)
    with pytest.raises(RuntimeError, match=r"union_param\(\) expected at most 1 argument\(s\) "
                                           r"but received 2 argument\(s\)"):
        f(1, 2)
    with pytest.raises(RuntimeError, match="is missing value for argument 'x'"):
        f()
    with pytest.raises(RuntimeError, match="Unknown keyword argument 'y'"):
        f(x=1, y=2)


def unannotated(x, y: int):
    return x + y


def test_wrong_argument_for_an_unannotated_parameter_says_inferred():
    message = (r"Expected a value of type 'Tensor \(inferred\)' for argument 'x' but instead "
               r"found type 'int'.\nInferred 'x' to be of type 'Tensor' because it was not "
               r"annotated with an explicit type.\nPosition: 0")
    for script in (ember.script, torch.jit.script):
        with pytest.raises(RuntimeError, match=message):
            script(unannotated)(1, 2)
    # An annotated parameter's error says nothing of inference.
    with pytest.raises(RuntimeError, match=r"type 'int' for argument 'y' but instead found "
                                           r"type 'str'.\nPosition: 1"):
        ember.script(unannotated)(torch.ones(1), "a")


def takes_bool_int_float(b: bool, i: int, f: float) -> Tuple[bool, int, float]:
    return b, i, f


def test_scalar_parameters_take_what_torch_jit_casts():
    ours, theirs = ember.script(takes_bool_int_float), torch.jit.script(takes_bool_int_float)
    for args in [(1, True, 2), (0.0, 3, torch.tensor(1.5)), (None, 2, 1)]:
        assert ours(*args) == theirs(*args)
    with pytest.raises(RuntimeError, match="Expected a value of type 'bool' for argument 'b'"):
        ours("x", 1, 1.0)


Out = namedtuple("Out", ["logits", "aux"])
_Alias = Out


def named_by_alias(x):
    # type: (_Alias) -> Tensor
    return x.logits + x.aux


def test_namedtuple_under_another_name_and_its_argument_error():
    f = ember.script(named_by_alias)
    assert "__torch__" in f.schema and "Out x" in f.schema
    assert torch.equal(f(Out(torch.ones(1), torch.ones(1))), torch.full((1,), 2.0))
    with pytest.raises(RuntimeError, match=r"aka NamedTuple\(logits, aux\)"):
        f(Out("3", "4"))


def mixed_list():
    l = [1, 2, "foo", 3]
    d = {"a": 1, "b": "x"}
    return l, d


def test_heterogeneous_literals_are_unions_with_a_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        f = ember.script(mixed_list)
    texts = [str(w.message) for w in caught]
    assert any("List consists of heterogeneous types" in t for t in texts)
    assert any("Dict values consist of heterogeneous types" in t for t in texts)
    assert f() == mixed_list()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert f.code == torch.jit.script(mixed_list).code


def dict_forms(l1: List[str], l2: List[int], d: Dict[str, int]):
    a = dict(zip(l1, l2))
    b = dict([("x", 1), ("y", 2)])
    c = dict(foo=1, bar=2)
    e = dict(d, baz=3)
    f = dict(dict(foo=1))
    g = dict([])
    h: Dict[str, int] = dict()
    return a, b, c, e, f, g, h


def test_dict_builtin_forms():
    args = (["p", "q"], [1, 2], {"k": 5})
    assert ember.script(dict_forms)(*args) == dict_forms(*args)
    assert "dict(zip" not in ember.script(dict_forms).code


def comprehension_scope():
    d = {i: chr(i + 65) for i in range(4)}
    i = i + 1  # noqa: F821
    return d


def reassigned_empty_list():
    x = []
    if 1 == 1:
        x = [1, 2, 3]
    return x


def invariant_list():
    x: List[int] = [1, 2, 3]
    y: List[Optional[int]] = x
    return y


def augmented_tuple(a: Tuple[int, int]) -> Tuple[int, int]:
    a[0] += 1
    return a


def iterate_int(a: int) -> int:
    s = 0
    for i in a:  # noqa: T484
        s += i
    return s



def method_on_number():
    c = 1
    return c.add(1)


def deleted_then_used(x):
    a = x * 2
    del a
    return a  # noqa: F821


def empty_dict_in_branch(x: int):
    a = {"a": 1}
    if x > 0:
        a = {}
    return a


def nested_empty_list_in_loop(x: int):
    a = [[1]]
    while x > 0:
        a = [[]]
        x -= 1
    return a


def empty_list_in_branch(x: int, flag: bool) -> Tuple[List[int], Optional[List[int]], Tuple[int, List[str]]]:
    a = [1]
    b: Optional[List[int]] = None
    c = (0, ["x"])
    if flag:
        a = []
        b = []
        c = (x, [])
    return a, b, c


# Test that an unannotated `[]` assigned inside a block takes the type the
# variable has outside (TorchScript's empty list literal), while `{}` and
# `[[]]` do not, as torch.jit.
def test_empty_list_in_a_block_takes_the_outer_type():
    ours, theirs = ember.script(empty_list_in_branch), torch.jit.script(empty_list_in_branch)
    for args in ((3, True), (3, False)):
        assert _same(ours(*args), theirs(*args)) and _same(ours(*args), empty_list_in_branch(*args))


@pytest.mark.parametrize("fn,message", [
    (empty_dict_in_branch, r"Variable 'a' previously had type Dict\[str, int\] but is now being "
                           r"assigned to a value of type Dict\[str, Tensor\]"),
    (nested_empty_list_in_loop, r"previously had type List\[List\[int\]\] but is now being "
                                r"assigned to a value of type List\[List\[Tensor\]\]"),
    (comprehension_scope, "undefined value i"),
    (reassigned_empty_list, r"Variable 'x' previously had type List\[Tensor\] but is now being "
                            r"assigned to a value of type List\[int\]"),
    (invariant_list, r"Variable 'y' is annotated with type List\[Optional\[int\]\] but is being "
                    r"assigned to a value of type List\[int\]"),
    (augmented_tuple, "does not support augmented assignment"),
    (iterate_int, "'int' object is not iterable"),
    (method_on_number, "object has no attribute or method 'add'"),
    (deleted_then_used, "undefined value a"),
])
def test_rejected_programs_use_torch_words(fn, message):
    with pytest.raises(RuntimeError, match=message):
        torch.jit.script(fn)
    with pytest.raises(ember.CompileError, match=message):
        ember.script(fn)


def tensor_list_equal(a: List[torch.Tensor], b: List[torch.Tensor]) -> bool:
    return a == b


def percent(fmt: str, x: str) -> str:
    return fmt % x


def test_runtime_errors_are_runtime_errors_with_torch_messages():
    eq = ember.script(tensor_list_equal)
    t = torch.ones(2, 2)
    assert eq([t], [t])  # the same tensor is equal without comparing values
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value"):
        eq([t], [torch.ones(2, 2)])
    p = ember.script(percent)
    assert p("%s!", "a") == "a!"
    for fmt, message in [("%d", "%d requires a number for formatting, but got String"),
                         ("%s %s", "Too few arguments for format string"),
                         ("%a", "The specifier %a is not supported in TorchScript format strings"),
                         ("x %", "Incomplete format specifier")]:
        with pytest.raises(RuntimeError, match=message):
            torch.jit.script(percent)(fmt, "1")
        with pytest.raises(RuntimeError, match=message) as info:
            p(fmt, "1")
        assert isinstance(info.value, torch.jit.Error)


def to_scalar(x, t):
    return x.addcmul(t, t, value=t)


def test_tensor_requiring_grad_is_no_scalar_argument():
    f = ember.script(to_scalar)
    x = torch.zeros(3)
    assert torch.equal(f(x, torch.tensor(2.0)), to_scalar(x, torch.tensor(2.0)))
    with pytest.raises(RuntimeError, match="Cannot input a tensor that requires grad as a scalar"):
        torch.jit.script(to_scalar)(x, torch.tensor(2.0, requires_grad=True))
    with pytest.raises(RuntimeError, match="Cannot input a tensor that requires grad as a scalar"):
        f(x, torch.tensor(2.0, requires_grad=True))


class Color(__import__("enum").Enum):
    RED = 1
    GREEN = 2


_red = Color.RED


def member_in_variable() -> int:
    return _red.value


def test_enum_member_held_in_a_variable():
    assert ember.script(member_in_variable)() == 1


def returns_any(x: int, t: torch.Tensor) -> Any:
    if x > 0:
        return t
    return x


def test_returns_declared_any_are_cast_as_torch_casts_them():
    ours, theirs = ember.script(returns_any), torch.jit.script(returns_any)
    assert ours.code == theirs.code
    assert str(ours.graph).count("prim::unchecked_cast") == 2
    assert ours(1, torch.ones(1)).item() == 1.0 and ours(-1, torch.ones(1)) == -1


def tuple_concat(x: int, t: Tuple[int, int]):
    a = (x,) + t
    b = (x, 2.0) + (x,)
    c = t
    c += (5,)
    return a, b, c


def test_tuples_concatenate_into_tuples():
    # As torch.jit (torchvision's MViT builds `thw` so); `c += (5,)` gives a
    # tuple, as Python does, where torch.jit 1.13 gives a list.
    ours, theirs = ember.script(tuple_concat), torch.jit.script(tuple_concat)
    assert ours(1, (2, 3)) == tuple_concat(1, (2, 3)) == ((1, 2, 3), (1, 2.0, 1), (2, 3, 5))
    assert ours(1, (2, 3))[:2] == theirs(1, (2, 3))[:2]
    assert "Tuple[int, int, int], Tuple[int, float, int]" in ours.code
