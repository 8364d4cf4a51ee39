"""ember.script compiles Python functions and ember's interpreter runs them.

Every program of programs/ runs through ember.script and is compared with
eager Python on the same inputs (results, mutations of the arguments, and
whether it raises); then the boundary: tensors shared without copies,
autograd through compiled code, errors, threads, the PYTORCH_JIT switch.
"""
import builtins
import math
import subprocess
import sys
import threading
from enum import Enum
from typing import List, NamedTuple, Optional, Tuple

import pytest
import torch

import ember
from programs import same_names_a, same_names_b
from conftest import BUILD
from programs.cases import CASES, clone, run, same

SCALE = 3


def tensors_of(args):
    return [a for a in args if isinstance(a, torch.Tensor)]


@pytest.mark.parametrize("fn,make_inputs", CASES, ids=[c[0].__name__ for c in CASES])
def test_scripted_matches_eager(fn, make_inputs):
    scripted = ember.script(fn)
    for args in make_inputs():
        torch.manual_seed(0)
        expected = run(fn, clone(args))
        torch.manual_seed(0)
        actual = run(scripted, clone(args))
        assert expected[0] == actual[0], (args, expected, actual)
        if expected[0] == "ok":
            assert same(expected[1], actual[1]), (args, expected[1], actual[1])
            # Lists and dicts are converted at the call boundary, as torch.jit
            # converts them, so only tensors show the callee's mutations.
            assert same(tensors_of(expected[2]), tensors_of(actual[2])), "tensors mutated differently"


def test_tensors_cross_without_copies():
    @ember.script
    def bump(x: torch.Tensor) -> torch.Tensor:
        x.add_(1)
        return x

    x = torch.zeros(3)
    out = bump(x)
    assert torch.equal(x, torch.ones(3))
    assert out.data_ptr() == x.data_ptr()


def test_autograd_through_compiled_code():
    @ember.script
    def loss(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        return torch.tanh(x @ w).pow(2).sum()

    x = torch.randn(4, 3)
    w = torch.randn(3, 2, requires_grad=True)
    loss(x, w).backward()
    w2 = w.detach().clone().requires_grad_(True)
    torch.tanh(x @ w2).pow(2).sum().backward()
    assert torch.allclose(w.grad, w2.grad)


def helper(x: int) -> int:
    return x * SCALE


class Acc:
    def __init__(self, n: int):
        self.n = n

    def add(self, x: int) -> int:
        self.n += x
        return self.n


@ember.interface
class _Shape:
    def area(self, scale: float) -> float:
        pass


class _Square:
    def __init__(self, side: float):
        self.side = side

    def area(self, scale: float) -> float:
        return self.side * self.side * scale


class _Disk:
    def __init__(self, r: float):
        self.r = r

    def area(self, scale: float) -> float:
        return 3.0 * self.r * self.r * scale


def _areas(n: int) -> float:
    shapes: List[_Shape] = []
    for i in range(n):
        if i % 2 == 0:
            shapes.append(_Square(float(i)))
        else:
            shapes.append(_Disk(float(i)))
    total = 0.0
    for s in shapes:
        total += s.area(0.5)
    return total


def test_interface_calls_find_the_method_of_each_object():
    assert ember.script(_areas)(5) == _areas(5)


def _uses_both(x: int) -> int:
    return same_names_a.helper(x) + same_names_b.helper(x)


def test_same_named_functions_and_globals_of_two_modules_stay_apart():
    assert ember.script(_uses_both)(3) == _uses_both(3) == 34
    assert ember.script(_uses_both).code == torch.jit.script(_uses_both).code
    # torch.jit cannot read an int global; ember reads each module's own.
    assert ember.script(same_names_a.mixed)(3) == same_names_a.mixed(3)


def _both_accumulators(x: int) -> int:
    a = same_names_a.Acc(x).add(2)
    b = same_names_b.Acc(x).add(2)
    return a.total + b.total


def test_same_named_classes_of_two_modules_are_two_classes_named_by_module():
    assert ember.script(_both_accumulators)(3) == _both_accumulators(3) == 303
    code = ember.script(_both_accumulators).code
    assert "__torch__.programs.same_names_a.Acc.__new__(__torch__.programs.same_names_a.Acc)" in code
    assert code == torch.jit.script(_both_accumulators).code


def test_globals_helpers_and_classes_compile_transitively():
    def f(n: int) -> int:
        a = Acc(n)
        for i in range(4):
            a.add(helper(i))
        return a.n

    assert ember.script(f)(2) == f(2)


def test_fork_and_wait():
    def f(n: int) -> int:
        futs = [torch.jit.fork(helper, i) for i in range(n)]
        return sum([torch.jit.wait(fut) for fut in futs])

    assert ember.script(f)(10) == f(10)


def forks_in_python(x: torch.Tensor) -> List[torch.Tensor]:
    futures = torch.jit.annotate(List[ember.Future[torch.Tensor]], [])
    for i in range(3):
        futures.append(ember.fork(torch.add, x, i))
    return [ember.wait(f) for f in futures]


# Test that ember.Future[T] annotates in Python code too, where fork runs
# the call at once, and compiled code gives the same.
def test_future_annotation_in_python_and_compiled():
    x = torch.ones(2)
    want = [x + i for i in range(3)]
    for got in (forks_in_python(x), ember.script(forks_in_python)(x)):
        assert all(torch.equal(a, b) for a, b in zip(got, want))


def test_raise_gives_ember_error_with_class_and_traceback():
    def f(x: int) -> int:
        if x > 2:
            raise ValueError("too big: " + str(x))
        return x

    g = ember.script(f)
    with pytest.raises(ember.Error) as info:
        g(5)
    assert isinstance(info.value, torch.jit.Error)
    assert info.value.python_class == "builtins.ValueError"
    text = str(info.value)
    assert "Traceback of TorchScript" in text
    assert 'raise ValueError("too big: " + str(x))' in text
    assert text.endswith("builtins.ValueError: too big: 5")


def _checked(x: int, mask: torch.Tensor) -> int:
    torch._check(x >= 0, lambda: f"negative: {x}")
    torch._check_with(ValueError, mask.shape[0] == x, lambda: f"expected {x} rows, got {mask.shape[0]}")
    torch._check_index(x < 10)
    return x + 1


def test_torch_check_raises_its_class_with_the_lazy_message():
    # torch._check and its kin (torch 2's F.multi_head_attention_forward uses
    # them with lambda messages) raise their class with the message; eager
    # torch agrees where it has them (torch 1.13 has none).
    g = ember.script(_checked)
    assert g(2, torch.ones(2)) == 3
    cases = [((-1, torch.ones(2)), "builtins.RuntimeError", "negative: -1"),
             ((2, torch.ones(3)), "builtins.ValueError", "expected 2 rows, got 3"),
             ((12, torch.ones(12)), "builtins.IndexError", "Expected cond to be True, but got False.")]
    for args, cls, message in cases:
        with pytest.raises(ember.Error) as info:
            g(*args)
        assert info.value.python_class == cls and message in str(info.value)
        if hasattr(torch, "_check_with"):
            with pytest.raises(getattr(builtins, cls.split(".")[1]), match=message.split(".")[0]):
                _checked(*args)


def test_fstring_conversions_match_python():
    def f(s: str, n: int) -> str:
        return f"{s!r}|{s!s}|{n!r}|{s!r:>8}|" + "{!r}".format("it's")

    assert ember.script(f)("a\tb", 3) == f("a\tb", 3)


def test_errors_inside_aten_ops_name_the_line():
    def f(x: torch.Tensor) -> torch.Tensor:
        return torch.mm(x, x)

    with pytest.raises(ember.Error) as info:
        ember.script(f)(torch.ones(2, 3))
    assert "in f" in str(info.value) and "torch.mm(x, x)" in str(info.value)


def test_compile_errors_are_compile_error():
    def f(x: int) -> int:
        return x + "a"

    with pytest.raises(ember.CompileError) as info:
        ember.script(f)
    assert "error:" in str(info.value)


def test_wrong_argument_type_is_type_error():
    g = ember.script(helper)
    with pytest.raises(TypeError):
        g("3")
    assert g(x=4) == 12


def test_print_goes_to_sys_stdout(capsys):
    def f(x: int) -> None:
        print("value", x, 1.0)

    ember.script(f)(3)
    assert capsys.readouterr().out == "value 3 1.\n"


def test_graph_code_and_schema():
    g = ember.script(helper)
    assert "aten::mul" in str(g.graph)
    assert g.code.startswith("def helper(x: int) -> int:")
    assert str(g.schema) == "helper(int x) -> int"
    assert g.name == "helper"


def test_many_threads_call_one_function():
    def f(x: torch.Tensor, n: int) -> torch.Tensor:
        for _ in range(n):
            x = x + 1
        return x

    g = ember.script(f)
    failures = []

    def worker(t):
        for k in range(30):
            if not torch.equal(g(torch.full((4,), float(t)), k), torch.full((4,), float(t + k))):
                failures.append((t, k))

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not failures


@pytest.mark.parametrize("var", ["EMBER_JIT", "PYTORCH_JIT"])
def test_jit_switch_returns_the_python_function(var, tmp_path):
    script = tmp_path / "prog.py"
    script.write_text("import ember\n"
                      "def f(x: int) -> int:\n"
                      "    return x\n"
                      "print(ember.script(f) is f)\n")
    env = {"PYTHONPATH": BUILD + "/python", var: "0"}
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env)
    assert out.stdout.strip() == "True", out.stderr


class _Pair(NamedTuple):
    a: torch.Tensor
    b: Optional[torch.Tensor] = None
    k: int = 2


_Triple = Tuple[torch.Tensor, torch.Tensor, torch.Tensor]


def _uses_library_forms(x: torch.Tensor) -> Tuple[_Triple, torch.Tensor, int]:
    # torch.unique dispatches twice on constant flags to functions whose
    # return annotation is a global type alias; NamedTuple fields default.
    p = _Pair(x)
    return torch.unique(x, return_inverse=True, return_counts=True), torch.unique(x), p.k


def test_library_dispatch_aliases_and_named_tuple_defaults():
    x = torch.tensor([3, 1, 3, 2])
    expected = _uses_library_forms(x)
    actual = ember.script(_uses_library_forms)(x)
    assert same(expected, actual), (expected, actual)


class _Color(Enum):
    RED = 1
    GREEN = 2


def _enum_program(c: _Color, names: List[str]) -> Tuple[List[str], _Color, bool, int]:
    for member in _Color:
        if member != c:
            names.append(member.name)
    return names, _Color.GREEN, c == _Color.RED, c.value


def test_enums_cross_the_boundary_and_compare_as_in_python():
    scripted = ember.script(_enum_program)
    for c in _Color:
        assert scripted(c, ["x"]) == _enum_program(c, ["x"])
    assert scripted(_Color.RED, [])[1] is _Color.GREEN
    with pytest.raises(TypeError):
        scripted(1, [])


# Programs whose `.code` is character for character torch.jit's: named
# locals, inlining, Optional annotations, `__torch__.<module>.<fn>` calls.
SAME_CODE = ["early_return", "ranges", "tuple_loop", "ternary_and_chains", "raise_with_message",
             "calls_helper", "arithmetic", "strings", "casts", "percent_format", "named_results",
             "returned_conversions", "tensor_floor_division", "constant_conditions",
             "loop_carried_number"]


@pytest.mark.parametrize("name", SAME_CODE)
def test_code_is_torch_jits(name):
    fn = next(f for f, _ in CASES if f.__name__ == name)
    assert ember.script(fn).code == torch.jit.script(fn).code


def test_defaults_naming_constants_are_their_values():
    def cast(x: torch.Tensor, dtype: torch.dtype = torch.float64, scale: float = math.pi) -> torch.Tensor:
        return x.to(dtype) * scale

    scripted = ember.script(cast)
    x = torch.arange(3, dtype=torch.int32)
    assert torch.equal(scripted(x), cast(x))
    assert scripted.code == torch.jit.script(cast).code


def test_isinstance_of_a_union_without_such_alternative_is_static():
    from typing import Union

    def pad(padding: Union[int, List[int]]) -> List[int]:
        if isinstance(padding, tuple):
            padding = list(padding)  # never compiled: no alternative is a tuple
        if isinstance(padding, int):
            return [padding, padding]
        return padding

    scripted = ember.script(pad)
    assert scripted(3) == [3, 3] and scripted([1, 2]) == [1, 2]
    assert "torch.list(" not in scripted.code


def test_tuple_assigned_to_a_list_variable_in_a_branch_converts():
    def size_of(size: List[int]) -> List[int]:
        if len(size) == 1:
            size = (size[0], size[0])
        return size

    scripted = ember.script(size_of)
    assert scripted([4]) == [4, 4] and scripted([2, 3]) == [2, 3]
    assert scripted.code == torch.jit.script(size_of).code
