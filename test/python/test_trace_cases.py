"""ember.trace on the cases torch.jit's own tracer tests exercise: sizes,
numel, arange, full and slices stay computed from the inputs (a trace made on
one shape runs on another), indexing and index assignment, out= operators,
in-place ops, casts recorded as one aten::to, inputs that are tuples, lists,
namedtuples and dicts, scripted code called while tracing, and the
TracerWarnings torch.jit gives. Every traced result is compared with eager
PyTorch on inputs other than the example's.
"""
import io
import warnings
from collections import namedtuple
from typing import Dict, List, Optional, Tuple

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

import ember


def _count(graph, kind):
    return sum(n.kind() == kind for n in graph.nodes())


# Test that a legacy constructor (torch.FloatTensor) in traced code records.
def test_legacy_constructor():
    class M(nn.Module):
        def forward(self, x):
            return x + 1, torch.FloatTensor([0])

    traced = ember.trace(M(), torch.randn(2, 2))
    x = torch.randn(3)
    out, zero = traced(x)
    torch.testing.assert_close(out, x + 1)
    torch.testing.assert_close(zero, torch.FloatTensor([0]))


# Test that a traced function gives eager's values and gradients.
def test_simple_with_gradients():
    def f(x, y):
        return torch.sigmoid(torch.tanh(x * (x + y)))

    x = torch.tensor([0.4], requires_grad=True)
    y = torch.tensor([0.7], requires_grad=True)
    traced = ember.trace(f, (x, y))
    out = traced(x, y)
    torch.testing.assert_close(out, f(x, y))
    grads = torch.autograd.grad(out.sum(), (x, y))
    expected = torch.autograd.grad(f(x, y).sum(), (x, y))
    torch.testing.assert_close(grads, expected)


# Test that a module taking a list of tensors traces from a tuple of inputs.
def test_list_argument():
    class Cat(nn.Module):
        def forward(self, xs: List[Tensor]):
            return torch.cat(xs, dim=0)

    traced = ember.trace(Cat(), ((torch.ones(2, 2), torch.ones(2, 2)),))
    a, b = torch.randn(1, 3), torch.randn(2, 3)
    torch.testing.assert_close(traced((a, b)), torch.cat([a, b]))


# Test that tracing with a module's own parameter as the example input works.
@pytest.mark.xfail(strict=True, reason="ember tracer gap, to do (issue 5)")
def test_parameter_as_example_input():
    class M(nn.Module):
        def __init__(self, x):
            super().__init__()
            self.x = nn.Parameter(x)

        def forward(self, y):
            return self.x + y

    m = M(torch.rand(3, 4))
    traced = ember.trace(m, m.x)
    t2 = torch.rand(3, 4)
    torch.testing.assert_close(traced(t2), m.x + t2)


# Test that a function scripted inside the traced forward keeps its branch.
def test_script_defined_while_tracing():
    class Decision(nn.Module):
        def forward(self, x, flag):
            @ember.script
            def make_decision(flag, x):
                if flag:
                    return x
                else:
                    return torch.zeros_like(x)

            return make_decision(flag, torch.neg(x))

    traced = ember.trace(Decision(), (torch.rand(3, 4), torch.tensor([True])), check_trace=True)
    x = torch.rand(2, 2)
    torch.testing.assert_close(traced(x, torch.tensor([True])), -x)
    torch.testing.assert_close(traced(x, torch.tensor([False])), torch.zeros(2, 2))


# Test that a one-element tuple output stays a tuple.
def test_single_tuple_output():
    def f2(x):
        return (x,)

    x = torch.tensor(2.0)
    assert ember.trace(f2, x)(x) == f2(x)


# Test that an out= operator with two outputs traces.
def test_out_operator_with_two_outputs():
    def run_cummax(x, out_1, out_2):
        return torch.cummax(x, 1, out=(out_1, out_2))

    example = torch.rand(2, 8)
    traced = ember.trace(run_cummax, (example, *torch.cummax(example, 1)))
    x = torch.rand(2, 8)
    values, indices = torch.cummax(x, 1)
    got = traced(x, torch.empty_like(values), torch.empty_like(indices))
    torch.testing.assert_close(tuple(got), (values, indices))


# Test that a namedtuple input is taken apart like a tuple.
def test_namedtuple_input():
    Point = namedtuple("point", ["x", "y"])

    def f(p):
        if type(p) is tuple:
            p = Point(*p)
        return p.x + p.y

    p = Point(torch.randn(1), torch.randn(1))
    traced = ember.trace(f, (p,))
    q = Point(torch.randn(1), torch.randn(1))
    torch.testing.assert_close(traced(q), f(q))


# Test that topk with a tensor k follows k on later calls, without warnings.
def test_topk_with_tensor_k():
    class M(nn.Module):
        def forward(self, x, y):
            return x.topk(y, dim=1)[1]

    m = M()
    traced = ember.trace(m, (torch.randint(0, 10, (20, 20)), torch.tensor(17)))
    for size, k in ((9, 8), (50, 12)):
        x = torch.randperm(size * size).reshape(size, size)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            got = traced(x, torch.tensor(k))
        assert torch.equal(got, m(x, torch.tensor(k)))


# Test that indexing by a tensor, by a constant (with its gradient) and a
# masked assignment trace and replay.
def test_indexing():
    x = torch.tensor([0.4], requires_grad=True)
    idx = torch.tensor([0])
    traced = ember.trace(lambda x, y: x[y], (x, idx))
    torch.testing.assert_close(traced(x, idx), x[idx])

    traced_first = ember.trace(lambda x: x[0], torch.ones(1))
    got = traced_first(x)
    torch.testing.assert_close(torch.autograd.grad(got, x)[0], torch.ones(1))

    def put(ten, mask):
        ten[mask] = torch.ones(6)
        return ten

    mask = torch.tensor([[True, True, True], [True, False, False], [True, True, False]])
    traced_put = ember.trace(put, (torch.zeros(3, 3), mask))
    ten = torch.rand(3, 3)
    torch.testing.assert_close(traced_put(ten.clone(), mask), put(ten.clone(), mask))


# Test that a constant built from Python data inside the trace and a scalar
# times a float tensor pass the trace check.
def test_constants_pass_the_check():
    def f(x):
        return x.matmul(torch.diag(torch.tensor([2.0, 2.0])))

    x = torch.randn(2, 2)
    traced = ember.trace(f, (x,), check_inputs=[(torch.ones(2, 2),)])
    torch.testing.assert_close(traced(x), f(x))

    def foobar():
        return -10000.0 * torch.ones(1, dtype=torch.float)

    torch.testing.assert_close(ember.trace(foobar, (), check_trace=True)(), foobar())


# Test that a clone followed by in-place adds records the in-place ops.
def test_inplace_ops_are_recorded():
    def fn(x):
        y = x.clone()
        y.add_(2)
        y.add_(3)
        return y

    traced = ember.trace(fn, torch.tensor([0.0]))
    assert _count(traced.graph, "aten::clone") == 1
    assert _count(traced.graph, "aten::add_") == 2
    x = torch.randn(3)
    torch.testing.assert_close(traced(x), x + 5)


# Test that view sizes computed from x.shape and x.size() follow the input.
@pytest.mark.parametrize("requires_grad", [False, True])
def test_sizes_stay_dynamic(requires_grad):
    def fn(x):
        return x.view(x.shape[1] * 2, x.size(0), 2)

    x = torch.randn(5, 2, 4, requires_grad=requires_grad)
    y = torch.randn(4, 8, 4, requires_grad=requires_grad)
    traced = ember.trace(fn, x)
    torch.testing.assert_close(traced(y), fn(y))
    torch.testing.assert_close(traced(x), fn(x))


# Test that numel follows the input.
def test_numel_stays_dynamic():
    traced = ember.trace(lambda x: x.numel(), torch.randn(2, 3, 4))
    assert int(traced(torch.randn(4, 5, 6))) == 120


# Test that arange from a size, a constant and a start/end pair follow the input.
@pytest.mark.parametrize("requires_grad", [False, True])
def test_arange(requires_grad):
    fns = [lambda x: torch.arange(x.shape[0]),
           lambda x: torch.arange(12),
           lambda x: torch.arange(start=x.shape[0], end=x.shape[0] + 5)]
    x = torch.randn(5, 3, 2, requires_grad=requires_grad)
    y = torch.randn(8, 2, 4, requires_grad=requires_grad)
    for fn in fns:
        traced = ember.trace(fn, x)
        assert torch.equal(traced(y), fn(y))
        assert torch.equal(traced(x), fn(x))


# Test that torch.full(x.shape) keeps the shape dynamic.
def test_full_with_input_shape():
    traced = ember.trace(lambda x: torch.full(x.shape, 2.0), torch.randn(3, 4))
    assert traced(torch.randn(2, 7)).shape == (2, 7)


# Test that slice assignment with a size taken from the input stays dynamic.
def test_slice_setitem_with_new_shape():
    def slice_setitem(x, y):
        x[:, 2] = y + 1
        return x

    x = torch.randn(3, 4)
    traced = ember.trace(slice_setitem, (x, x[:, 0]))
    x = torch.randn(10, 5)
    torch.testing.assert_close(traced(x.clone(), x[:, 0]), slice_setitem(x.clone(), x[:, 0]))


# Test that slices bounded by sizes follow the input.
@pytest.mark.parametrize("requires_grad", [False, True])
@pytest.mark.xfail(strict=True, reason="ember tracer gap, to do (issue 5)")
def test_slices_follow_sizes(requires_grad):
    def slices(x):
        return tuple(x[: x.size(0) - i, i: x.size(2), i:3] for i in range(4))

    def slice_select(x):
        return tuple(x[:, i:, x.size(2) - 5] for i in range(4))

    x = torch.randn(5, 6, 7, requires_grad=requires_grad)
    y = torch.randn(7, 8, 9, requires_grad=requires_grad)
    for fn in (slices, slice_select):
        traced = ember.trace(fn, x)
        torch.testing.assert_close(traced(y), fn(y))


# Test that each cast form records exactly one aten::to.
@pytest.mark.parametrize("cast", [
    lambda x: x.byte(), lambda x: x.float(), lambda x: x.cpu(),
    lambda x: x.to(device="cpu"), lambda x: x.to(dtype=torch.int64),
    lambda x: x.to(device="cpu", dtype=torch.float), lambda x: x.to(x)])
def test_casts_record_one_to(cast):
    traced = ember.trace(cast, torch.randn(2, 2))
    assert _count(traced.graph, "aten::to") == 1
    x = torch.randn(2, 2)
    assert torch.equal(traced(x), cast(x))


# Test that x.to(y) with a tensor argument records one aten::to.
def test_cast_to_other_tensor():
    traced = ember.trace(lambda x, y: x.to(y), (torch.randn(2, 2), torch.randn(1, 8)))
    assert _count(traced.graph, "aten::to") == 1
    x, y = torch.randn(2, 2), torch.randn(1, 10)
    assert torch.equal(traced(x, y), x.to(y))


# Test that the TracerWarnings torch.jit gives are given, in order.
@pytest.mark.xfail(strict=True, reason="ember tracer gap, to do (issue 5)")
def test_tracer_warnings():
    def fn(x):
        int(x)
        y = x * 1
        if y:
            pass
        z = [x, x * 4][y]
        float(z)
        z.tolist()
        z.numpy()
        for _ in torch.ones(4, 4):
            pass
        return z + 4

    with warnings.catch_warnings(record=True) as warns:
        warnings.simplefilter("always")
        ember.trace(fn, torch.tensor([1]))
    assert all(w.category is ember.TracerWarning for w in warns)
    messages = [str(w.message) for w in warns]
    for i, words in enumerate(["a Python integer", "a Python boolean", "a Python float",
                               "a Python list", "a NumPy array", "Iterating over"]):
        assert words in messages[i], (i, messages)


# Test that a nested tuple output is two TupleConstructs before the return.
def test_nested_tuple_output():
    def fn(x, y):
        return x, (x * y[1], x * y[0])

    x, y = torch.randn(2, 2), (torch.ones(2, 2), torch.randn(2, 2))
    traced = ember.trace(fn, (x, y))
    assert _count(traced.graph, "prim::TupleConstruct") == 2
    torch.testing.assert_close(traced(x, y), fn(x, y))


# Test that a tensor factory is recorded as the op, not as a constant, with
# dtype and out= arguments.
@pytest.mark.parametrize("kwargs", [{}, {"dtype": torch.int}, {"out": torch.tensor([])}])
def test_tensor_factory_is_recorded(kwargs):
    def fn(x):
        return x + torch.ones(2, 3, **kwargs)

    dtype = kwargs.get("dtype", torch.float)
    traced = ember.trace(fn, torch.ones(2, 3, dtype=dtype))
    assert "aten::ones" in str(traced.graph)
    x = torch.arange(6, dtype=dtype).reshape(2, 3)
    assert torch.equal(traced(x), x + 1)


# Test dict inputs: keys are remembered, order does not matter, extra keys
# are fine, a missing key is a RuntimeError, nested dicts work.
@pytest.mark.xfail(strict=True, reason="ember tracer gap, to do (issue 5)")
def test_dict_inputs():
    class Get(nn.Module):
        def forward(self, d):
            return d["x"], d["y"]

    traced = ember.trace(Get(), ({"x": torch.tensor(1), "y": torch.tensor(2)},), strict=False)
    got = traced({"y": torch.tensor(4), "x": torch.tensor(3), "z": torch.tensor(0)})
    assert got == (torch.tensor(3), torch.tensor(4))
    with pytest.raises(RuntimeError):
        traced({"y": torch.tensor(3)})

    class Nested(nn.Module):
        def forward(self, d):
            return d["x"][1]

    traced = ember.trace(Nested(), ({"x": {1: torch.tensor(1)}},), strict=False)
    assert traced({"x": {1: torch.tensor(2)}}) == torch.tensor(2)


# Test that an empty list inside a dict input and a list mixing tensors and
# tuples are refused with torch.jit's words.
@pytest.mark.xfail(strict=True, reason="ember tracer gap, to do (issue 5)")
def test_unsupported_input_containers():
    with pytest.raises(RuntimeError, match="List trace"):
        ember.trace(lambda d: None, ({1: []},), strict=False)
    with pytest.raises(RuntimeError, match="consistent"):
        ember.trace(lambda d: None, ([torch.rand(2, 3), (torch.ones(2), torch.ones(2))],))


# Test that a top-level list of example inputs is the argument list.
def test_list_of_example_inputs_is_the_arguments():
    class Add(nn.Module):
        def forward(self, t1, t2):
            return torch.add(t1, t2)

    traced = ember.trace(Add(), [torch.ones(2, 2), torch.rand(2, 2)])
    a, b = torch.randn(2, 2), torch.randn(2, 2)
    torch.testing.assert_close(traced(a, b), a + b)


# Test that max_pool2d records as aten::max_pool2d and threshold inplace as
# threshold_.
def test_pooling_and_inplace_functional():
    x = torch.rand(2, 3, 10, 10)
    traced = ember.trace(lambda x: F.max_pool2d(x, 2) + 2, x)
    assert "aten::max_pool2d(" in str(traced.graph)
    torch.testing.assert_close(traced(x), F.max_pool2d(x, 2) + 2)
    traced = ember.trace(lambda x: F.threshold(x, 0.0, 0.0, inplace=True), torch.randn(2, 2))
    assert "aten::threshold_" in str(traced.graph)
    y = torch.randn(3)
    torch.testing.assert_close(traced(y.clone()), F.threshold(y, 0.0, 0.0))


# Test that a parameter reachable under two names is one input of the graph.
def test_shared_parameter():
    class Shared(nn.Module):
        def __init__(self):
            super().__init__()
            self.b = self.a = nn.Parameter(torch.randn(2, 2))

        def forward(self, x):
            return x * self.a + self.b

    m = Shared()
    traced = ember.trace(m, (torch.randn(2, 2),))
    x = torch.randn(2, 2)
    torch.testing.assert_close(traced(x), m(x))
    assert len(list(traced.graph.inputs())) == 2


# Test that a trace saved and loaded gives bit-identical outputs and gradients.
def test_saved_trace_keeps_operation_order():
    def func(a, b):
        return a * b / (a - 2 * b) + b

    inputs = [torch.tensor([0.55619788169860839844], requires_grad=True),
              torch.tensor([0.25947844982147216797], requires_grad=True)]
    traced = ember.trace(func, inputs)
    buffer = io.BytesIO()
    ember.save(traced, buffer)
    for loaded in (ember.load(io.BytesIO(buffer.getvalue())),
                   torch.jit.load(io.BytesIO(buffer.getvalue()))):
        out, expected = loaded(*inputs), traced(*inputs)
        assert torch.equal(out, expected)
        assert torch.autograd.grad(out, inputs) == torch.autograd.grad(expected, inputs)


# Test that detach and detach_ are recorded and cut the gradient.
@pytest.mark.parametrize("inplace", [False, True])
def test_detach(inplace):
    def foo(x, w):
        y = torch.matmul(x, w)
        if inplace:
            y.detach_()
            return y
        return y.detach()

    traced = ember.trace(foo, (torch.rand(3, 4), torch.rand(4, 5)))
    text = str(traced.graph)
    # As torch.jit records it: detach_ too appears as aten::detach.
    assert "aten::matmul" in text and "aten::detach(" in text
    x, w = torch.rand(3, 4), torch.rand(4, 5, requires_grad=True)
    got = traced(x, w)
    torch.testing.assert_close(got, foo(x, w))
    assert not got.requires_grad and got.grad_fn is None


# Test that a slice ending at the example's full size stays the given bound.
@pytest.mark.xfail(strict=True, reason="ember tracer gap, to do (issue 5)")
def test_slice_to_full_dimension():
    def foo(x):
        return x[0:5, 0] + 1.0

    traced = ember.trace(foo, (torch.rand(5, 4),))
    x = torch.rand(6, 3)
    torch.testing.assert_close(traced(x), foo(x))


# Test that a dict passed between traced modules and dict outputs behave as
# torch.jit's: refused under strict with its words, returned otherwise.
def test_dict_between_modules_and_as_output():
    class Foo(nn.Module):
        def forward(self, x):
            return {"a": x["a"] * x["b"]}

    class Bar(nn.Module):
        def __init__(self):
            super().__init__()
            self.foo = Foo()

        def forward(self, a, b):
            return self.foo({"a": a, "b": b})["a"]

    x = (torch.rand(3), torch.rand(3))
    torch.testing.assert_close(ember.trace(Bar(), x)(*x), x[0] * x[1])

    class StrKeys(nn.Module):
        def forward(self, a, b):
            return {"a": a, "b": b}

    class TensorKeys(nn.Module):
        def forward(self, a, b):
            return {a: b, b: a}

    with pytest.raises(RuntimeError, match="Encountering a dict at the output"):
        ember.trace(StrKeys(), x)
    assert ember.trace(StrKeys(), x, strict=False)(*x) == {"a": x[0], "b": x[1]}
    assert ember.trace(TensorKeys(), x, strict=False)(*x) == {x[0]: x[1], x[1]: x[0]}


# Test list outputs: a list of tensors warns under strict; numbers and
# nested lists are refused with torch.jit's words.
@pytest.mark.xfail(strict=True, reason="ember tracer gap, to do (issue 5)")
def test_list_outputs():
    def tensors():
        return [torch.zeros(1), torch.zeros(5)]

    with pytest.warns(ember.TracerWarning, match="cause the trace to be incorrect"):
        ember.trace(tensors, [])
    got = ember.trace(tensors, [], strict=False)()
    assert [t.shape for t in got] == [(1,), (5,)]
    with pytest.raises(RuntimeError, match=r"Only tensors.+can be output from traced functions"):
        ember.trace(lambda: [1, 5], [])
    with pytest.raises(RuntimeError, match=r"Only tensors.+can be output from traced functions"):
        ember.trace(lambda: [[torch.zeros(1)], [torch.zeros(5)]], [])


# Test that a traced function called from script has a complete tensor type
# to slice, and that tracing a scripted function keeps its sizes dynamic.
@pytest.mark.xfail(strict=True, reason="ember tracer gap, to do (issue 5)")
def test_traced_and_scripted_calls():
    traced = ember.trace(lambda x: x + 1.0, (torch.rand(3, 4),))

    @ember.script
    def bar(x):
        return traced(x)[0:1]

    x = torch.rand(3, 4)
    torch.testing.assert_close(bar(x), (x + 1)[0:1])

    @ember.script
    def tensor_size(x: torch.Tensor) -> torch.Tensor:
        return torch.tensor([x.size()[0]])

    traced_size = ember.trace(tensor_size, torch.rand(7))
    assert torch.equal(traced_size(torch.rand(15)), torch.tensor([15]))


# Test that a traced function with no inputs runs, and saves for torch.jit.
def test_no_inputs_and_function_save(tmp_path):
    traced = ember.trace(lambda: torch.arange(5), ())
    assert torch.equal(traced(), torch.arange(5))
    fn = ember.trace(lambda x: x + 2, (torch.ones(2, 2),))
    fn.save(str(tmp_path / "fn.pt"))
    x = torch.randn(2, 2)
    torch.testing.assert_close(torch.jit.load(str(tmp_path / "fn.pt"))(x), x + 2)


# Test that a loaded traced module copies and deep-copies.
@pytest.mark.xfail(strict=True, reason="ember tracer gap, to do (issue 5)")
def test_copy_of_loaded_trace():
    import copy

    traced = ember.trace(nn.Conv2d(3, 3, 3), torch.rand(1, 3, 16, 16))
    buffer = io.BytesIO()
    ember.save(traced, buffer)
    buffer.seek(0)
    loaded = ember.load(buffer)
    x = torch.rand(1, 3, 8, 8)
    for c in (copy.copy(loaded), copy.deepcopy(loaded)):
        torch.testing.assert_close(c(x), traced(x))


# Test that exported __getstate__/__setstate__ are compiled into a traced
# module and its traced submodules, and survive a round trip.
@pytest.mark.xfail(strict=True, reason="ember tracer gap, to do (issue 5)")
def test_exported_methods_of_traced_modules():
    class Foo(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = 3

        @ember.export
        def __getstate__(self):
            return (3, self.training)

        @ember.export
        def __setstate__(self, state):
            self.a = state[0]
            self.training = state[1]

        def forward(self, x):
            return x + self.a

    class Wrapper(nn.Module):
        def __init__(self):
            super().__init__()
            self.foo = Foo()

        def forward(self, x):
            return self.foo(x)

    names = {"__getstate__", "__setstate__"}
    traced = ember.trace(Foo(), (torch.rand(3, 4),))
    assert names <= set(traced._c._method_names())
    wrapped = ember.trace(Wrapper(), (torch.rand(3, 4),))
    assert names <= set(wrapped.foo._c._method_names())
    buffer = io.BytesIO()
    ember.save(wrapped, buffer)
    buffer.seek(0)
    assert names <= set(ember.load(buffer).foo._c._method_names())


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
@pytest.mark.xfail(strict=True, reason="ember tracer gap, to do (issue 5)")
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
@pytest.mark.xfail(strict=True, reason="ember tracer gap, to do (issue 5)")
def test_backward_hook_is_refused():
    n = _Twice()
    n.register_backward_hook(lambda module, grad_input, grad_output: None)
    with pytest.raises(Exception, match="backward hooks assigned"):
        ember.trace(n, (torch.tensor(1.0),))


# Test trace_module with several methods and check inputs, tracing a bound
# forward, and refusing another bound method.
@pytest.mark.xfail(strict=True, reason="ember tracer gap, to do (issue 5)")
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
@pytest.mark.xfail(strict=True, reason="ember tracer gap, to do (issue 5)")
def test_untraceable_values_are_refused():
    param = torch.randn(3).requires_grad_()
    with pytest.raises(RuntimeError, match="Cannot insert a Tensor that requires grad as a constant"):
        ember.trace(lambda x: x + param, torch.randn(3))
    with pytest.raises(RuntimeError, match=r"Type 'Tuple\[int\]' cannot be traced"):
        ember.trace(lambda x: x, (1,))


# Test that a submodule set to None is left out and a property reading a
# missing attribute does not break the trace.
@pytest.mark.xfail(strict=True, reason="ember tracer gap, to do (issue 5)")
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
@pytest.mark.xfail(strict=True, reason="ember tracer gap, to do (issue 5)")
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
@pytest.mark.xfail(strict=True, reason="ember tracer gap, to do (issue 5)")
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
@pytest.mark.xfail(strict=True, reason="ember tracer gap, to do (issue 5)")
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
@pytest.mark.xfail(strict=True, reason="ember tracer gap, to do (issue 5)")
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
@pytest.mark.xfail(strict=True, reason="ember tracer gap, to do (issue 5)")
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
@pytest.mark.xfail(strict=True, reason="ember tracer gap, to do (issue 5)")
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
@pytest.mark.xfail(strict=True, reason="ember tracer gap, to do (issue 5)")
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
