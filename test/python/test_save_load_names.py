"""Saving and loading where qualified names collide, as torch.jit's own
save/load tests exercise them: two programs each define `Foo`, `lol`, an
interface or a NamedTuple under the same `__torch__` name, both are saved,
loaded side by side into a third module, and that module is scripted, saved
and loaded again. Each loaded archive keeps its own definitions; the results
match eager PyTorch, and torch.jit.load reads what ember writes.

Also here: extra files, pathlib paths, a save into a missing folder, NamedTuples
that only signatures name, and parameters, buffers and submodules (meta tensors
too) surviving the round trip.
"""
import io
from pathlib import Path
from typing import NamedTuple, Optional

import pytest
import torch
import torch.nn as nn
from torch import Tensor

import ember


def _saved(m):
    buffer = io.BytesIO()
    ember.save(m, buffer)
    buffer.seek(0)
    return buffer


def _round_trip(m, **kwargs):
    return ember.load(_saved(m), **kwargs)


def _both_loaders(m):
    """The archive ember writes for `m`, read back by ember and by torch.jit."""
    data = _saved(m).getvalue()
    return ember.load(io.BytesIO(data)), torch.jit.load(io.BytesIO(data))


def _two_linears():
    class Foo(nn.Module):
        def __init__(self):
            super().__init__()
            self.foo = nn.Linear(2, 2)
            self.bar = nn.Linear(2, 2)

        def forward(self, x):
            return self.bar(self.foo(x))

    return Foo()


def _one_linear():
    class Foo(nn.Module):
        def __init__(self):
            super().__init__()
            self.foo = nn.Linear(2, 2)

        def forward(self, x):
            return self.foo(x)

    return Foo()


class _ContainsBoth(nn.Module):
    def __init__(self, first, second):
        super().__init__()
        self.add_module("second", second)
        self.add_module("first", first)

    def forward(self, x):
        return self.second(self.first(x))


# Test that two modules with one qualified name and different bodies load
# side by side, and the module holding both saves and loads again.
def test_same_module_name_in_two_archives():
    eager_first, eager_second = _two_linears(), _one_linear()
    first = ember.script(eager_first)
    second = ember.script(eager_second)
    assert first.original_name == second.original_name == "Foo"
    loaded_first = ember.load(_saved(first))
    loaded_second = ember.load(_saved(second))
    both = ember.script(_ContainsBoth(loaded_first, loaded_second))
    x = torch.randn(3, 2)
    expected = eager_second(eager_first(x))
    torch.testing.assert_close(both(x), expected)
    for reloaded in _both_loaders(both):
        torch.testing.assert_close(reloaded(x), expected)


# Test that a free function of one name compiled twice with different bodies
# stays two functions once both archives are loaded into one module.
def test_same_function_name_in_two_archives():
    def lol(x):
        return x

    class Foo(nn.Module):
        def forward(self, x):
            return lol(x)

    first = ember.load(_saved(ember.script(Foo())))

    def lol(x):  # noqa: F811
        return "hello"

    class Foo(nn.Module):  # noqa: F811
        def forward(self, x):
            return lol(x)

    second = ember.load(_saved(ember.script(Foo())))

    class Both(nn.Module):
        def __init__(self):
            super().__init__()
            self.second = second
            self.first = first

        def forward(self, x):
            return self.first(x), self.second(x)

    x = torch.randn(2)
    for m in (ember.script(Both()),) + _both_loaders(ember.script(Both())):
        out, word = m(x)
        torch.testing.assert_close(out, x)
        assert word == "hello"


def _interface_user(method):
    """A module whose attribute is typed by an interface named MyInterface
    with one method `method`, holding a script class ImplementInterface."""

    @ember.interface
    class MyInterface:
        def bar(self, x: Tensor) -> Tensor:
            pass

    @ember.script
    class ImplementInterface:
        def __init__(self):
            pass

        def bar(self, x):
            return x + 1

    if method == "bar":
        class Foo(nn.Module):
            interface: MyInterface

            def __init__(self):
                super().__init__()
                self.interface = ImplementInterface()

            def forward(self, x):
                return self.interface.bar(x)

        return Foo()

    @ember.interface
    class MyInterface:  # noqa: F811
        def not_bar(self, x: Tensor) -> Tensor:
            pass

    @ember.script
    class ImplementInterface:  # noqa: F811
        def __init__(self):
            pass

        def not_bar(self, x):
            return x * 2

    class Foo(nn.Module):  # noqa: F811
        interface: MyInterface

        def __init__(self):
            super().__init__()
            self.interface = ImplementInterface()

        def forward(self, x):
            return self.interface.not_bar(x)

    return Foo()


# Test that interfaces and the classes implementing them, named alike in two
# archives with different methods, keep their own methods after loading.
def test_same_interface_name_in_two_archives():
    first = ember.load(_saved(ember.script(_interface_user("bar"))))
    second = ember.load(_saved(ember.script(_interface_user("not_bar"))))
    both = ember.script(_ContainsBoth(first, second))
    x = torch.randn(3)
    for m in (both,) + _both_loaders(both):
        torch.testing.assert_close(m(x), (x + 1) * 2)


def _collisions(kind):
    """torch.jit's test_many_collisions: a NamedTuple, an interface, a script
    class, a free function and a module, all named alike in both versions."""
    if kind == 1:
        class MyCoolNamedTuple(NamedTuple):
            a: int

        def lol(x):
            return x
    else:
        class MyCoolNamedTuple(NamedTuple):
            a: str

        def lol(x):
            return "asdofij"
    inner = _interface_user("bar" if kind == 1 else "not_bar")
    value = 5 if kind == 1 else "hello"

    class Foo(nn.Module):
        def __init__(self):
            super().__init__()
            self.foo = nn.Linear(2, 2)
            self.inner = inner

        def forward(self, x):
            x = self.inner(self.foo(x))
            return lol(x), MyCoolNamedTuple(value)

    return Foo()


# Test that NamedTuples, interfaces, classes, functions and modules colliding
# all at once load side by side and keep their own types.
def test_many_collisions():
    first = ember.load(_saved(ember.script(_collisions(1))))
    second = ember.load(_saved(ember.script(_collisions(2))))

    class Both(nn.Module):
        def __init__(self):
            super().__init__()
            self.second = second
            self.first = first

        def forward(self, x):
            x, named_tuple_1 = self.first(x)
            y, named_tuple_2 = self.second(x)
            return len(y + named_tuple_2.a) + named_tuple_1.a

    both = ember.script(Both())
    x = torch.randn(3, 2)
    for m in (both,) + _both_loaders(both):
        assert m(x) == len("asdofij" + "hello") + 5


class _Identity(nn.Module):
    def forward(self, a):
        return a


# Test that extra files hold binary data, that str contents are stored as
# UTF-8 bytes, and that they come back as bytes from paths and buffers.
def test_extra_files(tmp_path):
    value = b"bar\x00\xffbaz"
    extra = {"foo": value, "foo2": "bar"}
    m = ember.script(_Identity())
    name = str(tmp_path / "m.pt")
    m.save(name, _extra_files=extra)
    files = {"foo": "", "foo2": None}
    ember.load(name, _extra_files=files)
    assert files == {"foo": value, "foo2": b"bar"}
    torch_files = {"foo": "", "foo2": None}
    torch.jit.load(name, _extra_files=torch_files)
    assert torch_files == files

    files = {"foo": ""}
    ember.load(io.BytesIO(m.save_to_buffer(_extra_files=extra)), _extra_files=files)
    assert files["foo"] == value


# Test that an extra file the archive does not hold is treated as the
# installed torch.jit.load treats it (1.13: the entry keeps its value).
def test_missing_extra_file_as_torch_jit_load():
    data = ember.script(_Identity()).save_to_buffer(_extra_files={"foo": "x"})
    outcomes = []
    for load in (ember.load, torch.jit.load):
        files = {"foo": "", "bar": "kept"}
        try:
            load(io.BytesIO(data), _extra_files=files)
            outcomes.append(files)
        except RuntimeError:
            outcomes.append("raised")
    assert outcomes[0] == outcomes[1]


# Test that save and load take pathlib paths.
def test_pathlib_paths(tmp_path):
    class Double(nn.Module):
        def forward(self, a):
            return 2 * a

    m = ember.script(Double())
    path = Path(tmp_path) / "double.pt"
    m.save(path)
    x = torch.tensor([1.0, 2.0, 3.0, 4.0])
    assert torch.equal(ember.load(path)(x), m(x))
    ember.save(m, path)
    assert torch.equal(torch.jit.load(path)(x), m(x))


# Test that saving into a folder that does not exist is a RuntimeError.
def test_save_into_missing_folder(tmp_path):
    m = ember.script(_Identity())
    with pytest.raises(RuntimeError, match="NonExist"):
        m.save(str(tmp_path / "NonExist" / "path" / "test.pt"))


class FooTuple(NamedTuple):
    a: int


class FooTupleRef(NamedTuple):
    a: "int"


# Test that a NamedTuple named only by an argument annotation (a forward
# reference too) is saved with the module and accepted after loading.
@pytest.mark.parametrize("cls", [FooTuple, FooTupleRef])
def test_namedtuple_only_as_input(cls):
    class TakesTuple(nn.Module):
        def forward(self, x: cls) -> torch.Tensor:
            return torch.tensor(3) + x.a

    for loaded in _both_loaders(ember.script(TakesTuple())):
        assert torch.equal(loaded(cls(a=5)), torch.tensor(8))


# Test that a NamedTuple named only by the return annotation is saved too.
def test_namedtuple_only_as_output():
    class GivesNothing(nn.Module):
        def forward(self) -> Optional[FooTuple]:
            return None

    for loaded in _both_loaders(ember.script(GivesNothing())):
        assert loaded() is None


class _Params(nn.Module):
    def __init__(self, device=None):
        super().__init__()
        self.add_module("submodule_a", nn.Module())
        self.register_parameter("parameter_a", nn.Parameter(torch.randn(4)))
        self.register_buffer("buffer", torch.randn(4))
        self.t = torch.rand(4)  # a plain tensor attribute, not a buffer
        self.parameter_b = nn.Parameter(torch.randn(4))
        self.submodule_b = nn.Module()
        self.register_buffer("buffer_b", torch.randn(4))
        self.foo = nn.Linear(2, 3, device=device)
        self.bar = nn.Linear(3, 4)

    def forward(self, x):
        return self.bar(self.foo(x))


def _assert_same_state(m, loaded):
    assert [n for n, _ in m.named_modules()] == [n for n, _ in loaded.named_modules()]
    for kind in ("named_parameters", "named_buffers"):
        expected, got = list(getattr(m, kind)()), list(getattr(loaded, kind)())
        assert [n for n, _ in expected] == [n for n, _ in got], kind
        for (_, a), (_, b) in zip(expected, got):
            assert a.is_meta == b.is_meta and a.device == b.device
            if not a.is_meta:
                assert torch.equal(a, b)


# Test that parameters, buffers and submodules come back with their names,
# order and values (torch.jit's test_save_load_params_buffers_submodules).
def test_parameters_buffers_and_submodules():
    m = _Params()
    _assert_same_state(m, _round_trip(ember.script(m)))


# Test that meta parameters stay meta through a round trip, also with a
# map_location, while the others load on the device asked for.
@pytest.mark.parametrize("map_location", [None, "cpu"])
def test_meta_tensors(map_location):
    m = _Params(device="meta")
    loaded = _round_trip(ember.script(m), map_location=map_location)
    _assert_same_state(m, loaded)
    params = dict(loaded.named_parameters())
    assert params["foo.weight"].is_meta and params["foo.bias"].is_meta
    assert params["bar.weight"].is_cpu


# Test that modules of separate ember.trace calls (each its own program, both
# with a class `Foo`) are parts of one scripted module, which saves and
# loads in torch.jit too.
def test_modules_of_two_traces_in_one_module():
    eager_first, eager_second = _two_linears(), _one_linear()
    x = torch.randn(3, 2)
    first = ember.trace(eager_first, (x,))
    second = ember.trace(eager_second, (x,))
    both = ember.script(_ContainsBoth(first, second))
    expected = eager_second(eager_first(x))
    torch.testing.assert_close(both(x), expected)
    for reloaded in _both_loaders(both):
        torch.testing.assert_close(reloaded(x), expected)
