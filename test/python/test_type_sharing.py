"""Module types shared as torch.jit shares them (test_type_sharing): scripted
modules of equal concrete types have one class, `m1._c._type() ==
m2._c._type()`; a different constant, submodule, parameter-ness, function
attribute or Python class gives another (with a mangled
`___torch_mangle_N` name in torch.jit); traced modules and modules with
define()d methods never share.
Each case runs with ember and with torch.jit, which must agree."""
import io
import warnings

import pytest
import torch
from torch import nn

import ember

BOTH = pytest.mark.parametrize("jit", [ember, torch.jit], ids=["ember", "torch"])


def same_type(jit, a, b):
    a = a if isinstance(a, jit.ScriptModule) else jit.script(a)
    b = b if isinstance(b, jit.ScriptModule) else jit.script(b)
    return a._c._type() == b._c._type()


class WithConstant(nn.Module):
    __constants__ = ["const"]

    def __init__(self, attr, const):
        super().__init__()
        self.attr = attr
        self.const = const

    def forward(self):
        return self.const


class AddsFoo(nn.Module):
    def __init__(self, foo):
        super().__init__()
        self.foo = foo

    def forward(self, x):
        return x + self.foo


class TwoLinear(nn.Module):
    def __init__(self, in1, out1, in2, out2):
        super().__init__()
        self.submod1 = nn.Linear(in1, out1)
        self.submod2 = nn.Linear(in2, out2)

    def forward(self, x):
        return self.submod2(self.submod1(x))


class Caller(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x, x)


def python_add(x, y):
    return x + y


def python_sub(x, y):
    return x - y


@BOTH
def test_equal_concrete_types_share_a_class(jit):
    attr = torch.rand(2, 3)
    assert same_type(jit, WithConstant(attr, 1), WithConstant(attr * 2, 1))
    assert not same_type(jit, WithConstant(attr, 1), WithConstant(attr, 2))
    assert same_type(jit, nn.Linear(5, 5), nn.Linear(5, 5))
    assert not same_type(jit, nn.Linear(5, 5), nn.Linear(10, 10))
    assert not same_type(jit, AddsFoo(nn.Parameter(torch.ones(2, 2))), AddsFoo(torch.ones(2, 2)))
    a, b = TwoLinear(1, 1, 2, 2), TwoLinear(2, 2, 2, 2)
    assert same_type(jit, a, TwoLinear(1, 1, 2, 2)) and not same_type(jit, a, b)
    assert same_type(jit, a.submod2, b.submod1) and not same_type(jit, a.submod1, a.submod2)


@BOTH
def test_python_attributes_added_before_scripting_make_another_type(jit):
    a, b = jit.script(TwoLinear(1, 1, 2, 2)), jit.script(TwoLinear(1, 1, 2, 2))
    a.new_attr = "foo bar baz"
    assert same_type(jit, a, b)
    a = TwoLinear(1, 1, 2, 2)
    a.new_attr = "foo bar baz"
    assert not same_type(jit, a, TwoLinear(1, 1, 2, 2))


@BOTH
def test_function_attributes_share_by_identity(jit):
    @jit.script
    def double(x, y):
        return x + x

    @jit.script
    def zero(x, y):
        return x - x

    for f, g in [(torch.add, torch.sub), (double, zero), (python_add, python_sub)]:
        assert same_type(jit, Caller(f), Caller(f))
        assert not same_type(jit, Caller(f), Caller(g))


class Branchy(nn.Module):
    def forward(self, x, y):
        return x if bool(x.sum() > y.sum()) else y


@BOTH
def test_traced_modules_never_share(jit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = jit.trace(Branchy(), (torch.zeros(1, 1), torch.ones(1, 1)))
        b = jit.trace(Branchy(), (torch.ones(1, 1), torch.zeros(1, 1)))
    assert not same_type(jit, a, b)


@BOTH
def test_type_names(jit):
    # (torch.jit's second class is `___torch_mangle_N.WithConstant`, N
    # counted over the process; ember names the classes of each program as a
    # fresh process would: `__torch__.WithConstant` here.)
    a = jit.script(WithConstant(torch.ones(1), 7))
    b = jit.script(WithConstant(torch.ones(1), 8))
    for t in (a._c._type(), b._c._type()):
        assert t.name() == "WithConstant" and t.qualified_name().endswith(".WithConstant")
    assert a._c._type() == a._c._type() and a._c._type() != b._c._type()


@BOTH
def test_define_in_init_gives_each_instance_its_type(jit):
    class Defines(jit.ScriptModule):
        def __init__(self, val):
            super().__init__()
            self.define("def forward(self) -> int:\n    return %d\n" % val)

    one, two = Defines(1), Defines(2)
    assert (one(), two()) == (1, 2)
    assert one._c._type() != two._c._type()


def test_define_refuses_statements_that_are_not_definitions():
    class Defines(ember.ScriptModule):
        def __init__(self):
            super().__init__()
            self.define("x = 1\n")

    with pytest.raises(ember.CompileError, match="<string>:1:1: error: define"):
        Defines()


@BOTH
def test_loaded_module_in_a_new_parent(jit):
    class AB(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = 1
            self.b = 2

        def forward(self):
            return self.a + self.b

    class Wrapper(nn.Module):
        def __init__(self, sub):
            super().__init__()
            self.sub = sub

        def forward(self):
            return self.sub()

    buffer = io.BytesIO()
    jit.save(jit.script(AB()), buffer)
    buffer.seek(0)
    assert jit.script(Wrapper(jit.load(buffer)))() == 3


@BOTH
def test_unconvertible_attribute_is_named_in_the_error(jit):
    class HoldsType(nn.Module):
        def __init__(self):
            super().__init__()
            self.foo = object

        def forward(self):
            return self.foo

    with pytest.raises(RuntimeError, match="failed to convert Python type: 'type'"):
        jit.script(HoldsType())


class Identity(nn.Module):
    def forward(self, x):
        return x


class HoldsDict(nn.Module):
    def __init__(self, modules):
        super().__init__()
        self.dict = nn.ModuleDict(modules)

    def forward(self, x):
        return x


class HoldsTraced(nn.Module):
    def __init__(self, jit, example):
        super().__init__()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.traced = jit.trace(Branchy(), (example, example))

    def forward(self, x):
        return self.traced(x, x)


@BOTH
def test_submodule_types_decide_the_parent_type(jit):
    # ModuleDicts with other keys, and traced submodules, are other types.
    assert not same_type(jit, HoldsDict({"foo": Identity()}), HoldsDict({"bar": Identity()}))
    assert same_type(jit, HoldsDict({"bar": Identity()}), HoldsDict({"bar": Identity()}))
    assert not same_type(jit, HoldsTraced(jit, torch.ones(1)), HoldsTraced(jit, torch.zeros(1)))
