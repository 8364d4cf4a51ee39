"""ember.trace where tracing meets modules and scripted code, on the cases
torch.jit's own tracer tests exercise: autograd Functions, hooks,
trace_module, refusals, argument names, keyword inputs, traced and scripted
modules and functions calling each other, dicts through scripted submodules
and interfaces. Results are compared with eager PyTorch.
"""
import io
import warnings
from typing import Dict, List, Optional, Tuple

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

import ember


# Test that custom autograd Functions trace and replay, one output or two.
def test_autograd_functions():
    class Neg(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return torch.neg(x)

        @staticmethod
        def backward(ctx, grad_output):
            return torch.neg(grad_output)

    class Swap(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return y, x

        @staticmethod
        def backward(ctx, du, dv):
            return dv, du

    class Wrapper(nn.Module):
        def forward(self, x, y):
            return torch.relu(Neg.apply(x)), Swap.apply(x.relu(), y.relu())

    x, y = torch.rand(3, 2, dtype=torch.double), torch.rand(1, 2, dtype=torch.double)
    traced = ember.trace(Wrapper(), (x, y))
    x, y = torch.randn(4, 2, dtype=torch.double), torch.randn(1, 2, dtype=torch.double)
    first, (u, v) = traced(x, y)
    torch.testing.assert_close(first, torch.relu(-x))
    torch.testing.assert_close((u, v), (y.relu(), x.relu()))


# Test that interpolate by a scale factor follows the input size.
def test_interpolate_scale_factor():
    class Up(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 4, kernel_size=3, padding=1)

        def forward(self, x):
            return F.interpolate(self.conv(x), mode="bilinear", align_corners=False,
                                 scale_factor=3)

    m = Up()
    traced = ember.trace(m, (torch.zeros(1, 1, 28, 28),))
    x = torch.randn(1, 1, 14, 14)
    torch.testing.assert_close(traced(x), m(x))


# Test that scripted functions taking an Optional or returning nested lists
# are called from a trace.
def test_scripted_calls_with_optional_and_nested_lists():
    @ember.script
    def pick(x: Optional[Tensor]):
        if x is None:
            return torch.zeros(1)
        return x

    assert torch.equal(ember.trace(lambda: pick(None), ())(), torch.zeros(1))
    assert torch.equal(ember.trace(lambda: pick(torch.zeros(2)), ())(), torch.zeros(2))

    @ember.script
    def nested(x):
        return [[x + 1, x - 1], [x + 2, x - 2]]

    def bar(x):
        stuff = nested(x)
        return stuff[0][0], stuff[1][1]

    traced = ember.trace(bar, torch.rand(3, 4))
    x = torch.rand(5, 6)
    torch.testing.assert_close(traced(x), bar(x))


# Test that a traced module held by a traced module is called through
# prim::CallMethod to its own forward.
def test_traced_module_inside_traced_module():
    class Inner(nn.Module):
        def __init__(self):
            super().__init__()
            self.param = nn.Parameter(torch.rand(5, 7))

        def forward(self, x):
            return torch.mm(x, self.param)

    class Outer(nn.Module):
        def __init__(self):
            super().__init__()
            self.param = nn.Parameter(torch.rand(4, 5))
            self.mod = ember.trace(Inner(), torch.rand(3, 5))

        def forward(self, x):
            return self.mod(torch.mm(x, self.param)) + 1.0

    m = Outer()
    traced = ember.trace(m, torch.rand(3, 4))
    text = str(traced.graph)
    assert text.index("aten::mm") < text.index("prim::CallMethod") < text.index("aten::add")
    x = torch.rand(2, 4)
    torch.testing.assert_close(traced(x), m(x))


# Test that index assignment records a view when the value has extra
# leading dimensions, and no view otherwise.
@pytest.mark.parametrize("rhs_shape,has_view", [((1, 1, 1, 4), True), ((4,), False)])
def test_index_put_view(rhs_shape, has_view):
    def put(target, indices, rhs):
        target[indices] = rhs
        return target

    traced = ember.trace(put, (torch.rand(100), torch.tensor([1, 2, 3, 4]), torch.rand(*rhs_shape)))
    text = str(traced.graph)
    assert "index_put_" in text and ("aten::view" in text) == has_view


# Test that the trace check finds what differs across invocations: a .data
# constant, a loop over a size, a memoized value.
def test_trace_checker_errors():
    def data(x):
        return x + x.data

    with pytest.raises(ember.TracingCheckError,
                       match="Tensor-valued Constant nodes differed in value across invocations"):
        ember.trace(data, torch.rand(3, 4), check_inputs=[(torch.rand(3, 4),)])

    def loop(x):
        for _ in range(x.size(0)):
            x = torch.neg(x)
        return x

    with pytest.raises(ember.TracingCheckError, match="Graphs differed across invocations!"):
        ember.trace(loop, torch.randn(3, 4), check_inputs=[torch.randn(4, 4)])

    def memo(x):
        if not hasattr(memo, "cache"):
            memo.cache = torch.neg(x)
        return x + memo.cache

    with pytest.raises(ember.TracingCheckError, match="Graphs differed across invocations!"):
        ember.trace(memo, torch.rand(3, 4), check_inputs=[(torch.rand(3, 4),)])


# Test that row assignments in a loop and y[...] = x pass the check.
def test_index_assignment_passes_the_check():
    def rows(x):
        for i in range(3):
            x[i, :] = torch.zeros(4)
        return x

    traced = ember.trace(rows, (torch.rand(3, 4),), check_inputs=[(torch.rand(3, 4),)])
    assert torch.equal(traced(torch.rand(3, 4)), torch.zeros(3, 4))

    def everything(y, x):
        y[...] = x
        return y

    traced = ember.trace(everything, (torch.rand(3, 4), torch.rand(4)))
    x = torch.rand(4)
    assert torch.equal(traced(torch.rand(3, 4), x), x.expand(3, 4))


# Test that dropout in training mode warns that outputs differ and that the
# trace is nondeterministic; without training it is the identity.
def test_dropout_checks():
    def train(x):
        return torch.dropout(x, p=0.5, train=True)

    with warnings.catch_warnings(record=True) as warns:
        warnings.simplefilter("always")
        ember.trace(train, torch.rand(3, 4), check_inputs=[torch.rand(5, 6)])
    messages = [str(w.message) for w in warns if w.category is ember.TracerWarning]
    assert any("Trace had nondeterministic nodes" in m for m in messages), messages
    assert any("Output nr 1. of the traced function does not match the corresponding "
               "output of the Python function" in m for m in messages), messages

    x = torch.rand(3, 4)
    assert torch.equal(ember.trace(lambda x: torch.dropout(x, p=0.5, train=False), x)(x), x)


# Test that contiguous is recorded (also where it returns its input) and
# copies a strided input, and that ~ on uint8 traces.
def test_contiguous_and_invert():
    traced = ember.trace(lambda x: x[:, :, ::2].contiguous().view(12), (torch.rand(2, 3, 4),))
    x = torch.rand(2, 3, 4)
    assert traced(x).data_ptr() != x.data_ptr()
    assert "aten::contiguous" in str(ember.trace(lambda x: x.contiguous(), (x,)).graph)
    inv = ember.trace(lambda x: ~x, torch.zeros(3, 4, dtype=torch.uint8))
    eg = torch.arange(3, dtype=torch.uint8)
    assert torch.equal(inv(eg), ~eg)


# Test module structures: iterating a ModuleList, forking submodules, and a
# module passed as an argument to another.
def test_module_structures():
    class Sub(nn.Module):
        def __init__(self):
            super().__init__()
            self.relu = nn.ReLU()

        def forward(self, x):
            return self.relu(x), torch.neg(x)

    class Listed(nn.Module):
        def __init__(self):
            super().__init__()
            self.ml = nn.ModuleList([Sub(), Sub()])

        def forward(self, x):
            for mod in self.ml:
                x = mod(x)[0]
            futs = [torch.jit._fork(self.ml[i], x) for i in range(2)]
            return torch.stack([torch.jit._wait(f)[1] for f in futs])

    class Apply(nn.Module):
        def forward(self, x, submod):
            return submod(x)

    class Inverted(nn.Module):
        def __init__(self):
            super().__init__()
            self.sm = Sub()
            self.fm = Apply()

        def forward(self, x):
            return self.fm(x, self.sm)

    for m in (Listed(), Inverted()):
        traced = ember.trace(m, (torch.rand(3, 4),))
        x = torch.randn(2, 4)
        torch.testing.assert_close(traced(x), m(x))


# Test that the trace names values after the Python variables they were
# assigned to.
def test_trace_records_names():
    def foo(bar, baz):
        baz = bar + 3
        quick_brown_fox = torch.neg(baz)
        for _ in range(20):
            yeet = quick_brown_fox - 3.14
        return yeet

    text = str(ember.trace(foo, (torch.rand(3, 3), torch.rand(3, 3))).graph)
    for name in ("bar", "baz", "quick_brown_fox"):
        assert "%" + name in text, text


class _Twice(nn.Module):
    def forward(self, x):
        return x + x


# Test that forward hooks and pre-hooks run inside the trace, changing the
# input in place or returning a new value, as torch.jit records them.
@pytest.mark.parametrize("post,hook,ops", [
    (True, lambda m, i, o: (i[0].add_(1), o.sub_(1)) and None, ["add(", "add_(", "sub_("]),
    (True, lambda m, i, o: o - 3, ["add(", "sub("]),
    (False, lambda m, i: i[0].add_(3) and None, ["add_(", "add("]),
    (False, lambda m, i: i[0] - 4, ["sub(", "add("]),
])
def test_hooks_are_traced(post, hook, ops):
    n = _Twice()
    (n.register_forward_hook if post else n.register_forward_pre_hook)(hook)
    traced = ember.trace(n, (torch.tensor(1.0),))
    text = str(traced.forward.graph)
    positions = [text.find(op) for op in ops]
    assert -1 not in positions and positions == sorted(positions), text
    eager_input, x = torch.tensor(1.0), torch.tensor(1.0)
    assert torch.equal(traced(x), n(eager_input)) and torch.equal(x, eager_input)


# Test that a module with a backward hook is refused.
def test_backward_hook_is_refused():
    n = _Twice()
    n.register_backward_hook(lambda module, grad_input, grad_output: None)
    with pytest.raises(Exception, match="backward hooks assigned"):
        ember.trace(n, (torch.tensor(1.0),))


# Test trace_module with several methods and check inputs, tracing a bound
# forward, and refusing another bound method.
def test_trace_module_methods():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 1, 3)

        def forward(self, x):
            return self.conv(x)

        def weighted_kernel_sum(self, weight):
            return weight * self.conv.weight

    n = Net()
    inputs = {"forward": torch.rand(1, 1, 3, 3), "weighted_kernel_sum": torch.rand(1, 1, 3, 3)}
    checks = [{"forward": torch.rand(1, 1, 3, 3), "weighted_kernel_sum": torch.rand(1, 1, 3, 3)}
              for _ in range(2)]
    module = ember.trace_module(n, inputs, check_trace=True, check_inputs=checks)
    assert module._c._has_method("forward") and module._c._has_method("weighted_kernel_sum")
    w = torch.rand(1, 1, 3, 3)
    torch.testing.assert_close(module.weighted_kernel_sum(w), n.weighted_kernel_sum(w))
    forward = ember.trace(n.forward, inputs["forward"], check_inputs=[inputs["forward"]])
    torch.testing.assert_close(forward(w), n(w))
    with pytest.raises(AttributeError,
                       match="trace doesn't support compiling individual module's functions"):
        ember.trace(n.weighted_kernel_sum, inputs)


# Test the refusals: a captured tensor requiring grad, and a non-tensor input.
def test_untraceable_values_are_refused():
    param = torch.randn(3).requires_grad_()
    with pytest.raises(RuntimeError, match="Cannot insert a Tensor that requires grad as a constant"):
        ember.trace(lambda x: x + param, torch.randn(3))
    with pytest.raises(RuntimeError, match=r"Type 'Tuple\[int\]' cannot be traced"):
        ember.trace(lambda x: x, (1,))


# Test that a submodule set to None is left out and a property reading a
# missing attribute does not break the trace.
def test_none_submodule_and_conditional_property():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.submod = nn.Linear(3, 4)
            self.submod = None
            self.attr_name = "_attr"

        @property
        def attr(self):
            return getattr(self, self.attr_name)

        def forward(self, x):
            return x

    traced = ember.trace(M(), torch.tensor(1.0))
    assert not hasattr(traced, "submod")


# Test that graph inputs take the Python argument names, also for a bound
# forward, and that an argument left to its default is not an input.
def test_argument_names_are_captured():
    def fn(first_arg: torch.Tensor, second_arg: torch.Tensor) -> torch.Tensor:
        return first_arg + second_arg

    def partial(first_arg: torch.Tensor, second_arg=1) -> torch.Tensor:
        return first_arg + second_arg

    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 1, 3)

        def forward(self, first_arg: torch.Tensor, second_arg: torch.Tensor):
            return self.conv(first_arg) + second_arg

    two = (torch.ones(1, 1, 3, 3), torch.ones(1, 1, 3, 3))
    m = M()
    for traced in (ember.trace(fn, two), ember.trace(m.forward, two), ember.trace(m, two)):
        names = [v.debugName() for v in traced.graph.inputs()]
        assert names[-2:] == ["first_arg", "second_arg"], names
    names = [v.debugName() for v in ember.trace(partial, (torch.ones(1),)).graph.inputs()]
    assert names == ["first_arg"]


# Test example_kwarg_inputs, with **kwargs in the signature and with a tuple
# argument, called with keywords.
def test_example_kwarg_inputs():
    class Deprecated(nn.Module):
        def forward(self, x, y, **deprecated_arguments):
            if len(deprecated_arguments) > 0:
                raise RuntimeError("unexpected")
            return x + y

    ember.trace(Deprecated(), (torch.ones(1), torch.ones(1)))
    traced = ember.trace(Deprecated(), example_kwarg_inputs={"x": torch.ones(1), "y": torch.ones(1)},
                         strict=False)
    assert torch.equal(traced(x=torch.ones(1), y=torch.ones(1)), torch.full((1,), 2.0))

    class TupleArg(nn.Module):
        def forward(self, x, y):
            return x + y[0] + y[1]

    model = TupleArg()
    kwargs = {"x": torch.tensor([2, 3]), "y": (torch.tensor([5, 6]), torch.tensor([7, 8]))}
    for traced in (ember.trace(model, (torch.ones(1), (torch.ones(1), torch.ones(1)))),
                   ember.trace(model, example_kwarg_inputs={
                       "x": torch.ones(1), "y": (torch.ones(1), torch.ones(1))})):
        assert torch.equal(traced(**kwargs), model(**kwargs))


# Test that a tuple returned by one submodule and unpacked by the caller
# leaves no TupleUnpack in the graph.
def test_no_tuple_unpack_between_modules():
    class Normalize(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = nn.GroupNorm(num_groups=4, num_channels=8)

        def forward(self, x, y):
            y = x if y is None else self.norm(y)
            return y * 2

    class G(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = Normalize()

        def forward(self, x):
            a = self.norm(x, None)
            return a, F.relu(a)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.g = G()
            self.norm_1 = Normalize()

        def forward(self, x):
            a, b = self.g(x)
            return self.norm_1(b, a)

    net = Net().eval()
    x = torch.randn(1, 8, 4, 4)
    traced = ember.trace(net, x)
    assert "prim::TupleUnpack" not in str(traced.graph)
    torch.testing.assert_close(traced(x), net(x))


# Test scripted functions with tuple, list, str and bool arguments and a dict
# result, called while tracing.
def test_trace_of_scripted_functions():
    @ember.script
    def func1(x: Tuple[Tensor, Tensor]) -> Tensor:
        return x[0] + x[1]

    @ember.script
    def func2(x: List[Tensor]) -> Tensor:
        return x[0] + x[1]

    @ember.script
    def func3(x: Tensor, method: str = "bilinear", align_corners: bool = True) -> Tensor:
        hw = x.shape[2:4]
        return F.interpolate(x, hw, mode=method, align_corners=align_corners)

    @ember.script
    def return_dict(x: torch.Tensor) -> Dict[str, torch.Tensor]:
        return {"foo": x + 1}

    a, b = torch.randn(5), torch.randn(5)
    for fn in (func1, func2):
        torch.testing.assert_close(ember.trace(fn, ((a, b),))((b, a)), a + b)
    inp = torch.rand(1, 3, 6, 6)
    torch.testing.assert_close(ember.trace(func3, (inp,))(inp), func3(inp))
    traced = ember.trace(lambda x: return_dict(x)["foo"] * 2, torch.ones(1))
    assert torch.equal(traced(torch.ones(1)), torch.full((1,), 4.0))


# Test that a scripted branch called from a trace follows the input, and a
# traced function called from script converts to int.
def test_script_and_trace_call_each_other():
    @ember.script
    def foo(a, c):
        b = 0.0
        if bool(a == 0.0):
            b = 1.0
        return b + c

    a = torch.ones(1)
    use = ember.trace(lambda b: foo(b - 1.0, a) + 1.0, torch.zeros(1))
    assert use(torch.ones(1)).item() == 3 and use(torch.zeros(1)).item() == 2

    plus = ember.trace(lambda x: x + 1, torch.zeros(1, 1))

    @ember.script
    def bar(x):
        y = int(plus(x))
        if 1 == 1:
            y = 7
        return y + 1

    assert bar(torch.ones(1, 1)) == 8


# Test that negative slices and indexes are bound to the example's size as
# torch.jit's trace binds them, and agree with script on that size.
def test_negative_slices_and_indexes():
    slice_trace = ember.trace(lambda x: x[-5:-3], torch.zeros(10))
    index_trace = ember.trace(lambda x: x[-2], torch.zeros(10))
    a, b = torch.arange(0, 8), torch.arange(0, 20)
    assert torch.equal(slice_trace(a), a[-5:-3])
    assert not torch.equal(slice_trace(a), slice_trace(b))
    assert torch.equal(index_trace(a), a[-2])
    assert not torch.equal(index_trace(a), index_trace(b))


# Test that script modules held by a traced module keep their methods and
# parameters, also after a round trip.
def test_script_module_hierarchy_in_trace():
    class Another(ember.ScriptModule):
        def __init__(self):
            super().__init__()
            self.param = nn.Parameter(torch.rand(1, 2, 3))

        @ember.script_method
        def bar(self):
            return torch.zeros(4, 5)

    class Some(ember.ScriptModule):
        def __init__(self):
            super().__init__()
            self.asm = Another()

        @ember.script_method
        def foo(self):
            return torch.zeros(3, 4)

        @ember.script_method
        def bar(self):
            return torch.zeros(4, 3)

    class TraceMe(nn.Module):
        def __init__(self):
            super().__init__()
            self.ssm = Some()

        def forward(self, x):
            return self.ssm.bar() + x

    traced = ember.trace(TraceMe(), (torch.rand(4, 3),))
    buffer = io.BytesIO()
    ember.save(traced, buffer)
    buffer.seek(0)
    for m in (traced, ember.load(buffer)):
        assert m.ssm._c._has_method("foo") and hasattr(m.ssm, "foo")
        assert m.ssm.asm._c._has_method("bar") and hasattr(m.ssm.asm, "param")
        x = torch.rand(4, 3)
        torch.testing.assert_close(m(x), x)


# Test that script modules called from a trace are prim::CallMethod, traced
# functions and modules are callable from script methods, and a traced
# module that is not a submodule cannot be called from a script function.
def test_script_and_traced_module_calls():
    class ScriptMod(ember.ScriptModule):
        def __init__(self):
            super().__init__()
            self.param_foo = nn.Parameter(torch.rand(5, 7))

        @ember.script_method
        def forward(self, x):
            return torch.mm(x, self.param_foo)

    class Traced(nn.Module):
        def __init__(self):
            super().__init__()
            self.param = nn.Parameter(torch.rand(4, 5))
            self.mod = ScriptMod()

        def forward(self, x):
            return self.mod(torch.mm(x, self.param)) + 1.0

    m = Traced()
    traced = ember.trace(m, torch.rand(3, 4))
    text = str(traced.graph)
    assert text.index("aten::mm") < text.index("prim::CallMethod") < text.index("aten::add")
    x = torch.rand(2, 4)
    torch.testing.assert_close(traced(x), m(x))

    neg = ember.trace(lambda x: torch.neg(x), torch.rand(3, 3))

    class TracedMod(nn.Module):
        def __init__(self):
            super().__init__()
            self.param = nn.Parameter(torch.rand(3, 5))

        def forward(self, x):
            return torch.mm(x, self.param)

    class Calls(ember.ScriptModule):
        def __init__(self):
            super().__init__()
            self.param = nn.Parameter(torch.rand(4, 3))
            self.tm = ember.trace(TracedMod(), torch.rand(3, 3))

        @ember.script_method
        def forward(self, x):
            return self.tm(neg(torch.mm(x, self.param)))

    sm = Calls()
    x = torch.rand(2, 4)
    torch.testing.assert_close(sm(x), torch.mm(-torch.mm(x, sm.param), sm.tm.param))

    tm = ember.trace(TracedMod(), torch.rand(3, 3))
    with pytest.raises(RuntimeError,
                       match="Cannot call a ScriptModule that is not a submodule of the caller"):
        @ember.script
        def script_fn(x):
            return tm(x) + 1


# Test a traced module taking a dict of lists, handing a rebuilt dict to a
# scripted submodule.
def test_dict_of_lists_through_script_submodule():
    class B(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(2, 2)

        def forward(self, feature_map: Dict[str, List[Tensor]]) -> Tensor:
            return torch.stack([self.linear(j[0]) for j in feature_map.values()])

    class A(nn.Module):
        def __init__(self):
            super().__init__()
            self.b = ember.script(B())

        def forward(self, input_map: Dict[str, List[Tensor]]) -> Tensor:
            feature_map = {}
            for i, j in input_map.items():
                feature_map[i] = [j[0]]
            return self.b(feature_map)

    def inputs():
        return {"1": [torch.rand(2, 2), torch.rand(2, 2)], "3": [torch.rand(2, 2), torch.rand(2, 2)]}

    model = A()
    traced = ember.trace(model, inputs())
    new = inputs()
    torch.testing.assert_close(traced(new), model(new))


# Test scripted modules returning dicts of tuples inside a trace, empty
# tensors in the example included; and a dict of tuples as the output.
def test_dicts_of_tuples():
    Entry = Tuple[torch.Tensor, torch.Tensor, torch.Tensor]

    class ReturnsDict(nn.Module):
        def forward(self, scores: Dict[str, Entry]) -> Dict[str, Entry]:
            v = scores["1000"]
            return {"1000": (v[0], v[1] - 1500000, v[2])}

    class ChecksDict(nn.Module):
        def forward(self, input: Dict[str, Entry]):
            return input["1000"][1] + 1

    class Both(nn.Module):
        def __init__(self):
            super().__init__()
            self.checks_dict = ember.script(ChecksDict())
            self.returns_dict = ember.script(ReturnsDict())

        def forward(self, input: Dict[str, Entry]):
            return self.checks_dict(self.returns_dict(input))

    empty = {"1000": (torch.tensor([0]), torch.tensor([], dtype=torch.int64), torch.tensor([]))}
    full = {"1000": (torch.tensor([0]), torch.tensor([1500000, 1500004]), torch.tensor([2.0, 3.0]))}
    eager = Both()
    traced = ember.trace(eager, empty)
    for x in (empty, full):
        assert torch.equal(traced(x), eager(x))

    class TupleValues(nn.Module):
        def forward(self, k, v):
            return {"imakey": (2 * k, 3 * v)}

    class BadValues(nn.Module):
        def forward(self, k, v):
            return {"imakey": (2 * k, 1)}

    traced = ember.trace(TupleValues(), [torch.ones(1), torch.ones(1)], strict=False)
    out = traced(torch.ones(1), torch.ones(1))
    assert list(out) == ["imakey"]
    torch.testing.assert_close(out["imakey"], (torch.tensor([2.0]), torch.tensor([3.0])))
    with pytest.raises(RuntimeError, match="cannot be understood by the tracer, only outputs matching"):
        ember.trace(BadValues(), [torch.ones(1), torch.ones(1)], strict=False)


# Test that a traced module implementing a module interface is accepted by a
# function taking the interface, and that a scripted module with an
# interface-typed submodule is traced as part of a bigger module.
def test_traced_modules_and_interfaces():
    class Leaf(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.rand(19))

        def forward(self, input: torch.Tensor):
            return input + self.weight

    class LowerImpl(nn.Module):
        def __init__(self):
            super().__init__()
            self.leaf = Leaf()

        def forward(self, input: torch.Tensor) -> torch.Tensor:
            return self.leaf(input)

    @ember.interface
    class LowerInterface(nn.Module):
        def forward(self, input: torch.Tensor) -> torch.Tensor:
            pass

    class Middle(nn.Module):
        lower: LowerInterface

        def __init__(self):
            super().__init__()
            self.lower = LowerImpl()

        def forward(self, input):
            return self.lower(input)

    class Wrapper(nn.Module):
        def __init__(self, m):
            super().__init__()
            self.middle = m

        def forward(self, input):
            return self.middle(input)

    class Top(nn.Module):
        def __init__(self):
            super().__init__()
            m = ember.script(Middle())
            self.sub1 = m
            self.sub2 = Wrapper(m)

        def forward(self, input: torch.Tensor):
            return self.sub1(input) + self.sub2(input)

    top = Top()
    traced = ember.trace(top, torch.ones(1))
    x = torch.randn(1)
    torch.testing.assert_close(traced(x), top(x))


# Test that a scripted function called from a trace has a complete tensor
# type on its result.
def test_called_function_result_has_complete_type():
    @ember.script
    def inner_fn(x):
        return torch.cat((x, x))

    traced = ember.trace(lambda x, y: inner_fn(x + y).relu(), (torch.rand(2, 2), torch.rand(2, 2)))
    text = str(traced.graph)
    assert "Float(4, 2" in text, text


def _scale_and_shift(x):
    return x * 2.0 + torch.ones(x.size(1))


# Test that compiled code calls a traced function's graph (as torch.jit calls
# a traced function from script): sizes stay those of each call, two traced
# lambdas of one module stay two functions, and the caller saves to an
# archive torch.jit.load runs.
def test_script_calls_traced_functions():
    traced = ember.trace(_scale_and_shift, torch.rand(2, 3))
    first = ember.trace(lambda x: x + 1.0, torch.rand(2))
    second = ember.trace(lambda x: x * 10.0, torch.rand(2))

    def caller(x, y):
        return traced(x).sum() + first(y) + second(y)

    x, y = torch.rand(4, 5), torch.rand(3)
    expected = _scale_and_shift(x).sum() + (y + 1.0) + y * 10.0
    scripted = ember.script(caller)
    torch.testing.assert_close(scripted(x, y), expected)
    torch.testing.assert_close(scripted(torch.rand(2, 3), y).shape, (3,))
    assert "prim::CallFunction" in str(scripted.graph)

    class Holder(nn.Module):
        def forward(self, x, y):
            return caller(x, y)

    buffer = io.BytesIO()
    ember.save(ember.script(Holder()), buffer)
    buffer.seek(0)
    torch.testing.assert_close(torch.jit.load(buffer)(x, y), expected)



class SharedActivation(nn.Module):
    """One ReLU held twice (as SNLI's classifier holds it): as an attribute
    and inside a Sequential."""

    def __init__(self):
        super().__init__()
        self.relu = nn.ReLU()
        self.out = nn.Sequential(nn.Linear(4, 4), self.relu, nn.Linear(4, 2))

    def forward(self, x):
        return self.out(self.relu(x))


def test_submodule_held_twice_traces_and_saves():
    m = SharedActivation()
    traced = ember.trace(m, (torch.randn(3, 4),))
    x = torch.randn(5, 4)
    torch.testing.assert_close(traced(x), m(x))
    for load in (ember.load, torch.jit.load):
        buf = io.BytesIO()
        ember.save(traced, buf)
        buf.seek(0)
        torch.testing.assert_close(load(buf)(x), m(x))
