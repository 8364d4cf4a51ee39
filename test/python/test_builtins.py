"""Python builtins as torch.jit compiles them (torch.jit's test_builtins):
hasattr on modules with a literal name, `del` of names (in branches and
loops too), of list items and dict keys, every tensor property, tensor
subscript assignment with tensor and number indices and values, and
`x.item()` cast to int and float."""
import inspect
from typing import Dict, List

import pytest
import torch

import ember


class HasA(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = 0


class HasB(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.b = 1


class HasAttrs(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.mods = torch.nn.ModuleList([HasA(), HasB()])

    def forward(self):
        out = torch.jit.annotate(List[int], [])
        for mod in self.mods:
            out.append(int(hasattr(mod, "a")))
            out.append(int(hasattr(mod, "b")))
            if hasattr(mod, "a"):
                out.append(mod.a)
            if hasattr(mod, "b"):
                out.append(mod.b)
        return out


# Test that hasattr is decided per module of an unrolled ModuleList and
# guards the attribute read it precedes.
def test_hasattr_on_module_list():
    assert ember.script(HasAttrs())() == HasAttrs()() == [1, 0, 0, 0, 1, 1]


class HasAttrByName(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.mod = torch.nn.Linear(1, 1)

    def forward(self, name: str):
        return hasattr(self.mod, name)


# Test that hasattr with a name that is not a literal is refused in
# torch.jit's words, the name underlined.
def test_hasattr_needs_a_literal_name():
    with pytest.raises(ember.CompileError, match="hasattr's second argument must be a string literal") as info:
        ember.script(HasAttrByName())
    line, caret = str(info.value).splitlines()[1:3]
    assert line[caret.index("~"):].startswith("name)") and caret.strip() == "~~~~"


def deletes_in_loop(x: int):
    for i in range(3):
        a = i
        del a
    return x


def deletes_copy_in_while(x: int):
    b = [1, 2]
    while x > 0:
        c = b
        del c
        x -= 1
    return b


def deletes_then_assigns_in_loop(x: int):
    a = x
    for i in range(3):
        del a
        a = i
    return a


# Test that `del` of a name inside a loop compiles and runs as Python does.
@pytest.mark.parametrize("fn", [deletes_in_loop, deletes_copy_in_while, deletes_then_assigns_in_loop],
                         ids=lambda f: f.__name__)
def test_del_in_loops(fn):
    assert ember.script(fn)(2) == fn(2)


def del_names(x: List[int]) -> List[int]:
    a, b, c = x[0], x[1], x[2]
    del a, b, c
    return x


def del_list_items(x: List[int]) -> List[int]:
    del x[0], x[1]
    return x


def del_dict_keys(x: Dict[str, int]) -> Dict[str, int]:
    del x["hi"], x["there"]
    return x


# Test that `del` with several targets deletes each, in order.
@pytest.mark.parametrize("fn,arg", [(del_names, [1, 2, 3]), (del_list_items, [0, 1, 2]),
                                    (del_dict_keys, {"hi": 5, "there": 6})], ids=["names", "list", "dict"])
def test_del_multiple_targets(fn, arg):
    assert ember.script(fn)(type(arg)(arg)) == fn(type(arg)(arg))


def _tensor_properties(tensor):
    skip = {"grad_fn", "output_nr", "names", "was_wrapped_number", "grad_dtype", "imag"}
    for name in dir(tensor):
        if name.startswith("_") or name in skip or inspect.isroutine(getattr(tensor, name)):
            continue
        yield name


# Test that every public tensor property compiles and reads what eager
# reads (dtype and layout are ints in TorchScript, so only compile).
def test_tensor_properties():
    tensor = torch.arange(4, dtype=torch.float).view(2, 2)
    for name in _tensor_properties(tensor):
        cu = ember.CompilationUnit(f"def fn(x):\n    return x.{name}\n")
        got = cu.fn(tensor)
        if name in ("dtype", "layout"):
            continue
        want = getattr(tensor, name)
        if name == "shape":
            want = list(want)
        assert (torch.equal(got, want) if isinstance(want, torch.Tensor) else got == want), name


def index_and_value_tensors(x):
    a = torch.zeros_like(x, dtype=torch.uint8)
    a[torch.tensor(0)] = torch.tensor(2, dtype=torch.uint8)
    return a


def number_index_and_value(x):
    a = torch.zeros_like(x, dtype=torch.uint8)
    a[0] = 2
    return a


def tensor_index_number_value(x):
    a = torch.zeros_like(x, dtype=torch.uint8)
    a[torch.tensor(0)] = 2
    return a


def number_index_tensor_value(x):
    a = torch.zeros_like(x, dtype=torch.uint8)
    a[0] = torch.tensor(2, dtype=torch.uint8)
    return a


def float_tensor_index_number_value(x):
    a = torch.zeros_like(x, dtype=torch.float32)
    a[torch.tensor(0)] = 2
    return a


# Test that subscript assignment takes tensor and number indices and values.
@pytest.mark.parametrize("fn", [index_and_value_tensors, number_index_and_value, tensor_index_number_value,
                                number_index_tensor_value, float_tensor_index_number_value],
                         ids=lambda f: f.__name__)
def test_tensor_subscript_assign(fn):
    x = torch.zeros(2, dtype=torch.uint8)
    got, want = ember.script(fn)(x), fn(x)
    assert got.dtype == want.dtype and torch.equal(got, want)


def scalar_cast(x):
    scalar = x.item()
    return int(scalar), float(scalar)


# Test that int() and float() of an item() give an (int, float) tuple.
@pytest.mark.parametrize("x", [torch.tensor(1.0), torch.tensor(1)], ids=["float", "int"])
def test_item_casts(x):
    fn = ember.script(scalar_cast)
    assert "(int, float) = prim::TupleConstruct" in str(fn.graph)
    assert fn(x) == scalar_cast(x)


def normal_with(generator: torch.Generator):
    tensor = torch.empty(2, 2)
    tensor.normal_(-1.0, 1.0, generator=generator)
    return tensor


def test_generator_argument_is_the_callers_generator():
    # The same seeded generator gives the same numbers, and the caller's
    # generator advances (it is shared, not copied).
    g = torch.Generator()
    g.manual_seed(2023)
    got = ember.script(normal_with)(g)
    after = torch.rand(1, generator=g)
    g.manual_seed(2023)
    assert torch.equal(got, normal_with(g))
    assert torch.equal(after, torch.rand(1, generator=g))
