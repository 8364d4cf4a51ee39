"""Corners of the language torch.jit's own misc tests pin: f-strings printed
as Python prints them, keyword-only parameters, assignment into tuples
refused, Any refined by isinstance, branches returning different types as
Any, math.inf, empty list literals typed by the parameter they are passed
to, the legacy tensor constructors, broadcasting-list annotations and many
decorators above a function."""
import types
from typing import Any, List, NamedTuple, Tuple

import pytest
import torch

import ember


# Test that f-strings and print give Python's output.
def test_f_strings_print_as_python(capsys):
    def func(x):
        hello, test = "Hello", "test"
        print(f"{hello + ' ' + test}, I'm a {test}")
        print("format blank")
        hi = "hi"
        print(f"stuff before {hi}")
        print(f"{hi} stuff after")
        return x + 1

    x = torch.arange(4.0)
    expected = func(x)
    python_out = capsys.readouterr().out
    got = ember.script(func)(x)
    assert torch.equal(got, expected)
    assert capsys.readouterr().out == python_out


# Test keyword-only parameters: required by keyword; with a default refused,
# as torch.jit refuses it (test_misc's test_kwarg_support).
def test_keyword_only_parameters():
    class WithDefault(torch.nn.Module):
        def forward(self, *, n_tokens: int, device_name: str = "cpu"):
            return n_tokens, device_name

    with pytest.raises(ember.CompileError, match="variable number of arguments or use "
                       "keyword-only arguments with defaults"):
        ember.script(WithDefault())

    class KeywordOnly(torch.nn.Module):
        def forward(self, *, n_tokens: int, device_name: str):
            return n_tokens, device_name

    sm = ember.script(KeywordOnly())
    with pytest.raises(RuntimeError, match="missing value for argument 'n_tokens'"):
        sm()
    with pytest.raises(RuntimeError, match="positional arg"):
        sm(3, "hello")
    assert sm(n_tokens=3, device_name="hello") == (3, "hello")


# Test that assigning into a tuple is refused, plain and augmented.
def test_tuple_item_assignment_is_refused():
    def assign(a: Tuple[int, int]) -> None:
        a[0] = a[1]

    def augment(a: Tuple[int, int]) -> None:
        a[0] += a[1]

    with pytest.raises(RuntimeError, match="subscripted assignment"):
        ember.script(assign)
    with pytest.raises(RuntimeError, match="augmented assignment"):
        ember.script(augment)


# Test isinstance refining Any to str, and branches returning different
# types from a function returning Any.
def test_any_refinement_and_returns():
    def refine(x: Any) -> str:
        if isinstance(x, str):
            return x
        return "foo"

    def branches(inp: torch.Tensor) -> Any:
        if inp.shape[0] == 1:
            return inp * inp
        else:
            return "str"

    fn = ember.script(refine)
    assert fn(1) == "foo" and fn("bar") == "bar"
    fn = ember.script(branches)
    assert fn(torch.randn(5)) == "str"
    x = torch.randn(1)
    assert torch.equal(fn(x), x * x)


# Test that math.inf imported by name is a constant.
def test_math_inf():
    from math import inf

    def foo():
        return inf

    assert ember.script(foo)() == float("inf")


def expects_intlist(x: List[int]):
    x.append(3)
    return x


# Test that an empty list literal takes the type of the parameter it is
# passed to, but not an annotated or named one, and is Tensor[] otherwise.
def test_empty_list_literal_inference():
    def literal():
        return expects_intlist([])

    def annotated():
        return expects_intlist(torch.jit.annotate(List[torch.Tensor], []))

    def named():
        a = []
        return expects_intlist(a)

    def bare():
        return []

    assert ember.script(literal)() == [3]
    for fn in (annotated, named):
        with pytest.raises(RuntimeError):
            ember.script(fn)
    assert "Tensor[] = prim::ListConstruct" in str(ember.script(bare).graph)


# Test the legacy typed constructors: data, sizes, no argument, and their
# errors.
def test_legacy_tensor_constructors():
    def all_dtypes():
        return (torch.BoolTensor([2]), torch.LongTensor([3]), torch.ByteTensor([4]),
                torch.CharTensor([5]), torch.DoubleTensor([6]), torch.FloatTensor([7]),
                torch.IntTensor([8]), torch.ShortTensor([1]), torch.HalfTensor([1]))

    for got, expected in zip(ember.script(all_dtypes)(), all_dtypes()):
        assert got.dtype == expected.dtype and torch.equal(got, expected)

    def sizes():
        return torch.LongTensor(2, 3, 4)

    got = ember.script(sizes)()
    assert got.shape == (2, 3, 4) and got.dtype == torch.int64

    def no_inputs():
        return torch.DoubleTensor()

    got = ember.script(no_inputs)()
    assert got.shape == (0,) and got.dtype == torch.float64

    def multiple_args():
        return torch.LongTensor(1, [2])

    def bad_kwarg():
        return torch.LongTensor(hello="1")

    with pytest.raises(RuntimeError, match="multiple positional arguments that were not all integers"):
        ember.script(multiple_args)
    with pytest.raises(RuntimeError, match="hello"):
        ember.script(bad_kwarg)


# Test that broadcasting-list annotations take a single scalar.
def test_broadcasting_list_annotations():
    from torch._jit_internal import BroadcastingList2
    from torch.nn.common_types import _size_2_t

    def sum_i(x: _size_2_t) -> int:
        return x[0] + x[1]

    def sum_f(x: BroadcastingList2[float]) -> float:
        return x[0] + x[1]

    assert ember.script(sum_i)(4) == 8
    assert ember.script(sum_f)(4.5) == 9.0


# Test that a function under several decorators compiles from its def.
def test_many_decorators():
    def no_op_decorator(f):
        return f

    @no_op_decorator
    @no_op_decorator
    @no_op_decorator
    def foo(x, dim: int):
        return x.unsqueeze(dim)

    x = torch.randn(1)
    torch.testing.assert_close(ember.script(foo)(x, 0), foo(x, 0))


def test_tuple_slices_follow_python():
    # Every step and bound combination of test_python_builtins, against Python.
    cases = ["[-3:3:2]", "[::55]", "[:4:4]", "[::-1]", "[7:5:2]", "[5:7:-2]",
             "[::-2]", "[:4:-3]", "[3::-2]", "[9::-2]", "[-9:]"]
    t = (0, 1, 2, 3, 4, 5, 6)
    for s in cases:
        src = f"def f(x: Tuple[int, int, int, int, int, int, int]):\n    return x{s}\n"
        assert ember.CompilationUnit(src).f(t) == eval(f"t{s}"), s


def test_tensor_getitem_called_as_a_method():
    def f(x):
        return x.__getitem__(torch.tensor([0, 2]))

    x = torch.rand(3, 4)
    assert torch.equal(ember.script(f)(x), f(x))
    with pytest.raises(ember.CompileError, match="__getitem__ expected exactly 1 argument"):
        ember.script(_getitem_without_index)


def _getitem_without_index(x):
    return x.__getitem__()


class _Made(NamedTuple):
    t: int


class _RuntimeModule(types.ModuleType):
    """A module made at run time (not in sys.modules) whose attributes come
    from __getattr__."""

    def __init__(self):
        super().__init__("RuntimeModule")

    def __getattr__(self, attr):
        return _Made


runtime_module = _RuntimeModule()


def makes_through_module() -> runtime_module.Type:
    return runtime_module.Type(1)


# Test that a NamedTuple reached through a module object made at run time
# compiles, as torch.jit resolves it (test_list_dict's namedtuple_resolution).
@pytest.mark.parametrize("jit", [ember, torch.jit], ids=["ember", "torch"])
def test_names_through_a_runtime_module(jit):
    assert jit.script(makes_through_module)() == (1,)


def pow_int_int(a: int, b: int):
    return a ** b


def pow_int_float(a: int, b: float):
    return a ** b


def pow_float_int(a: float, b: int):
    return a ** b


def pow_float_float(a: float, b: float):
    return a ** b


# Test that scalar `**` agrees with torch.jit, also where Python's differs:
# zero to a negative power is TorchScript's RuntimeError (Python raises
# ZeroDivisionError), a negative int power a float (torch's test_aten_pow).
@pytest.mark.parametrize("fn,cases", [
    (pow_int_int, [(2, 1), (2, 0), (2, -2), (-2, 2), (-2, -1), (0, 0), (0, -2)]),
    (pow_int_float, [(2, 2.5), (-2, -3.0), (0, 0.5), (0, -0.0), (0, -2.5), (-2, 0.5)]),
    (pow_float_int, [(2.5, -2), (-2.5, -3), (0.0, 0), (0.0, -2)]),
    (pow_float_float, [(2.5, -2.0), (0.0, -0.0), (0.0, -2.0), (-2.5, 0.5)]),
], ids=["int_int", "int_float", "float_int", "float_float"])
def test_scalar_pow_matches_torch_jit(fn, cases):
    ours, theirs = ember.script(fn), torch.jit.script(fn)
    for a, b in cases:
        try:
            expected = theirs(a, b)
        except RuntimeError as e:
            with pytest.raises(RuntimeError, match="0.0 cannot be raised to a negative power"):
                ours(a, b)
            assert "0.0 cannot be raised to a negative power" in str(e)
            continue
        got = ours(a, b)
        assert type(got) is type(expected) and (got == expected or (got != got and expected != expected))


def last_index(n: int) -> int:
    j: int = 0
    for j in range(n):
        pass
    return j


def last_pair(xs: List[int]) -> Tuple[int, int]:
    i, x = -1, -1
    for i, x in enumerate(xs):
        if x > 100:
            break
    return i, x


# Test that a `for` target defined before the loop holds the last element
# after it, as in Python (torchaudio's vad reads `j` after its loop).
@pytest.mark.parametrize("fn,args", [(last_index, (0,)), (last_index, (5,)), (last_pair, ([],)),
                                     (last_pair, ([3, 200, 4],)), (last_pair, ([1, 2],))])
def test_for_target_after_the_loop(fn, args):
    assert ember.script(fn)(*args) == fn(*args)


def item_and_count(x: torch.Tensor) -> Tuple[float, int]:
    return x.sum().item(), 3


def item_pair_and_tensor(x: torch.Tensor) -> Tuple[Tuple[float, int], int]:
    return (x.max().item(), 1), x.argmax()


# Test that a returned tuple converts element by element to the declared
# tuple type (a `number` to float, a tensor to int), as torch.jit's return
# conversion does.
@pytest.mark.parametrize("fn", [item_and_count, item_pair_and_tensor])
def test_returned_tuples_convert_elementwise(fn):
    x = torch.tensor([1.5, 2.0])
    ours, theirs = ember.script(fn), torch.jit.script(fn)
    assert ours(x) == theirs(x)
    assert ours.code == theirs.code


def returns_in_elif(x: int) -> int:
    if x > 2:
        return x
    elif x < 0:
        return 1
    return 0


def returns_in_nested_then(x: int) -> int:
    if x > 2:
        if x > 5:
            return 5
    else:
        return 3
    return 0


def returns_in_then_only(x: int) -> int:
    if x > 2:
        return x
    return 0


def elif_assigns_or_returns(x: int) -> int:
    if x > 2:
        return x
    elif x < 0:
        y = 3
    else:
        return 0
    return y


# Test that the statements after an `if` that returns on some paths are
# placed as torch.jit's exit transform places them (moved into a branch
# that never leaves, else guarded by the returned flag): the same `.code`,
# and eager's results.
@pytest.mark.parametrize("fn", [returns_in_elif, returns_in_nested_then, returns_in_then_only])
def test_code_after_partial_returns_is_torch_jits(fn):
    ours = ember.script(fn)
    for x in (-1, 1, 3, 7):
        assert ours(x) == fn(x)
    assert ours.code == torch.jit.script(fn).code


# Test that a variable assigned where the other paths return reaches the
# guarded code after the `if`. (Its `.code` differs from torch.jit's only in
# names: torch names the joined `y`, ember leaves the exit transform's
# outputs unnamed.)
def test_variable_joined_where_other_paths_return():
    ours = ember.script(elif_assigns_or_returns)
    for x in (-1, 1, 3, 7):
        assert ours(x) == elif_assigns_or_returns(x)
