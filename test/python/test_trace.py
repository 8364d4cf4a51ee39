"""ember.trace on functions and modules: the recorded graph holds the operators a
TorchScript user sees (aten::linear, not its decomposition), with complete
tensor types, and the traced function reproduces eager outputs; torch.jit's
trace is the oracle for the graph's shape."""
import io

import pytest
import warnings

import torch
import torch.nn.functional as F

import ember


def _ops(graph_text):
    return [line.split(" = ")[1].split("(")[0] for line in graph_text.splitlines()
            if " = aten::" in line or " = prim::ListUnpack" in line]


def mlp(x, w1, w2):
    h = F.relu(F.linear(x, w1))
    return F.linear(h, w2).softmax(-1)


def split_halves(x):
    a, b = x.chunk(2, dim=1)
    return a * 2, b.reshape(-1)


def batch_norm(x, mean, var):
    return F.batch_norm(x, mean, var, training=False)


CASES = {
    "mlp": (mlp, lambda: (torch.randn(3, 4), torch.randn(5, 4), torch.randn(2, 5))),
    "split": (split_halves, lambda: (torch.randn(2, 4),)),
    "batch_norm": (batch_norm, lambda: (torch.randn(4, 3), torch.randn(3), torch.rand(3) + 0.5)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_traced_functions_match_eager_and_torch_jit(name):
    fn, make = CASES[name]
    torch.manual_seed(0)
    inputs = make()
    traced = ember.trace(fn, inputs)
    expected = fn(*inputs)
    actual = traced(*inputs)
    if isinstance(expected, tuple):
        assert all(torch.allclose(e, a) for e, a in zip(expected, actual))
    else:
        assert torch.allclose(expected, actual)
    # Same operators in the same order as torch.jit.trace records.
    oracle = torch.jit.trace(fn, inputs)
    assert _ops(str(traced.graph)) == _ops(str(oracle.graph))
    # New inputs of the same shapes run the recorded graph.
    other = make()
    e2, a2 = fn(*other), traced(*other)
    if isinstance(e2, tuple):
        assert all(torch.allclose(e, a) for e, a in zip(e2, a2))
    else:
        assert torch.allclose(e2, a2)


def test_composite_operators_are_recorded_whole():
    traced = ember.trace(mlp, CASES["mlp"][1]())
    text = str(traced.graph)
    assert "aten::linear" in text and "aten::addmm" not in text and "aten::t(" not in text
    assert "Float(3, 5, strides=[5, 1], requires_grad=0, device=cpu) = aten::relu" in text


# Test that a captured tensor becomes a constant without a warning, as in
# torch.jit.trace.
def test_tensors_from_outside_become_constants():
    w = torch.randn(4, 4)

    def uses_global(x):
        return x @ w

    with warnings.catch_warnings(record=True) as warns:
        warnings.simplefilter("always")
        traced = ember.trace(uses_global, torch.randn(2, 4))
    assert not [w for w in warns if w.category is ember.TracerWarning]
    assert "CONSTANTS.c0" in traced.code
    x = torch.randn(2, 4)
    assert torch.allclose(traced(x), x @ w)


def test_check_trace_catches_data_dependent_control_flow():
    def branchy(x):
        if bool(x.sum() > 0):
            return x * 2
        return x - 1

    positive, negative = torch.ones(3), torch.full((3,), -2.0)
    traced = ember.trace(branchy, positive)
    assert torch.equal(traced(positive), positive * 2)
    with pytest.raises(ember.TracingCheckError, match="Tracing failed sanity checks") as info:
        ember.trace(branchy, positive, check_inputs=[(negative,)])
    # The re-trace on the check input took the other branch: the graphs
    # differ, and the message shows where each trace recorded its operator.
    message = str(info.value)
    assert "Graphs differed across invocations" in message
    assert "First diverging operator" in message
    assert "aten::mul" in message and "aten::sub" in message
    assert "test_trace.py(" in message


def test_autograd_flows_through_a_traced_function():
    w = torch.randn(3, 3, requires_grad=True)
    x = torch.randn(2, 3)

    def f(x, w):
        return torch.tanh(x @ w).sum()

    traced = ember.trace(f, (x, w))
    traced(x, w).backward()
    g = w.grad.clone()
    w.grad = None
    f(x, w).backward()
    assert torch.allclose(g, w.grad)


def test_tracing_is_off_with_pytorch_jit_0(monkeypatch):
    def f(x):
        return x + 1

    monkeypatch.setenv("PYTORCH_JIT", "0")
    assert ember.trace(f, torch.ones(1)) is f


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 8)
        self.act = torch.nn.ReLU()
        self.fc2 = torch.nn.Linear(8, 2)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x))) * self.fc1.bias.sum()


def test_traced_modules_keep_their_hierarchy():
    torch.manual_seed(0)
    m = Net()
    x = torch.randn(3, 4)
    traced = ember.trace(m, x)
    assert isinstance(traced, ember.ScriptModule)
    assert torch.allclose(traced(x), m(x))
    text = str(traced.graph)
    # Each submodule's forward is its own method, called with CallMethod;
    # parameters are read with GetAttr, as torch.jit.trace records them.
    assert text.count('prim::CallMethod[name="forward"]') == 3
    assert 'prim::GetAttr[name="bias"]' in text
    assert "aten::linear" not in text
    # Code as torch.jit's: attribute reads first, the last used first; a
    # submodule's inputs named after the caller's values (or argument_<i>).
    oracle = torch.jit.trace(m, x)
    assert traced.code == oracle.code
    for name in ("fc1", "act", "fc2"):
        assert getattr(traced, name).code == getattr(oracle, name).code
    # Instances of one class get their own (mangled) class, as in torch.
    assert "__torch__.torch.nn.modules.linear.___torch_mangle_0.Linear" in text
    # Parameters are shared with the original module.
    with torch.no_grad():
        m.fc2.bias.add_(1.0)
    assert torch.allclose(traced(x), m(x))


@pytest.mark.parametrize("name", ["resnet18", "mobilenet_v2"])
def test_traced_torchvision_models_match_and_save(name, tmp_path):
    torchvision = pytest.importorskip("torchvision")
    torch.manual_seed(0)
    m = getattr(torchvision.models, name)().eval()
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        traced = ember.trace(m, x)
        expected = m(x)
        assert torch.allclose(traced(x), expected, atol=1e-5)
        path = str(tmp_path / "traced.pt")
        ember.save(traced, path)
        assert torch.allclose(torch.jit.load(path)(x), expected, atol=1e-5)
        assert torch.allclose(ember.load(path)(x), expected, atol=1e-5)


def test_traced_recurrent_and_transformer_layers():
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(16, 2, 32).eval()
    x = torch.randn(5, 3, 16)
    with torch.no_grad():
        assert torch.allclose(ember.trace(layer, x)(x), layer(x), atol=1e-5)
    lstm = torch.nn.LSTM(4, 8, 2)
    seq = torch.randn(5, 3, 4)
    out, (h, c) = ember.trace(lstm, seq)(seq)
    e_out, (e_h, e_c) = lstm(seq)
    assert torch.allclose(out, e_out, atol=1e-6) and torch.allclose(c, e_c, atol=1e-6)


def test_script_if_tracing_compiles_only_under_a_trace():
    @ember.script_if_tracing
    def clamp_positive(x):
        if bool(x.sum() > 0):
            return x
        return -x

    x = torch.ones(2)
    assert torch.equal(clamp_positive(x), x)  # plain Python outside a trace

    def f(x):
        return clamp_positive(x) * 2

    traced = ember.trace(f, x)
    assert torch.equal(traced(x), x * 2)
    assert torch.equal(traced(-x), x * 2)  # the branch is in the trace


@torch.jit.script_if_tracing
def pad_to_multiple(x: torch.Tensor, m: int) -> torch.Tensor:
    h, w = x.shape[-2:]
    ph = (m - h % m) % m
    pw = (m - w % m) % m
    if ph == 0 and pw == 0:
        return x
    return torch.nn.functional.pad(x, [0, pw, 0, ph])


# Test that torch.jit's own script_if_tracing and is_tracing work under an
# ember trace as under torch.jit.trace (torchvision uses both): the function
# is compiled, by ember, and keeps its control flow; outside, torch.jit's
# functions are as they were.
def test_torch_jit_script_if_tracing_and_is_tracing():
    seen = []

    def f(x):
        seen.append(torch.jit.is_tracing())
        return pad_to_multiple(x, 8).sum(dim=(2, 3))

    traced = ember.trace(f, torch.randn(1, 2, 8, 8))
    assert seen[0] and not seen[-1]  # recording, then the check's eager run
    assert not torch.jit.is_tracing()
    for shape in [(1, 2, 8, 8), (1, 2, 9, 13), (2, 2, 5, 16)]:
        x = torch.randn(*shape)
        assert torch.allclose(traced(x), f(x), atol=1e-5), shape
    assert "prim::If" in str(ember.script(pad_to_multiple).graph)
    assert torch.jit.script(pad_to_multiple.__original_fn).graph is not None


class TwoMethods(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(4, 3)

    def forward(self, x):
        return torch.relu(self.fc(x))

    def embed(self, x, y):
        return self.fc(x) * y.size(0)


def test_trace_module_traces_each_method():
    torch.manual_seed(0)
    m = TwoMethods()
    x, y = torch.randn(2, 4), torch.randn(5)
    traced = ember.trace_module(m, {"forward": (x,), "embed": (x, y)})
    with torch.no_grad():
        torch.testing.assert_close(traced(x), m(x))
        torch.testing.assert_close(traced.embed(x, torch.randn(7)), m.embed(x, torch.randn(7)))
    # Each traced call of a submodule is a method of its own: the second
    # is `forward1`, as in torch.jit.trace_module.
    assert 'prim::CallMethod[name="forward1"]' in str(traced.embed.graph)
    reference = torch.jit.trace_module(m, {"forward": (x,), "embed": (x, y)})
    assert "aten::size" in str(reference.embed.graph) and "aten::size" in str(traced.embed.graph)
    with pytest.raises(AttributeError, match="dictionary of"):
        ember.trace_module(m, (x,))


class Flatten(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(12, 2)

    def forward(self, x):
        return self.fc(x.view(x.size(0), -1))


def test_sizes_stay_dynamic_as_in_torch_jit():
    # A check input of another batch size traces the same graph.
    traced = ember.trace(Flatten(), torch.randn(2, 3, 4), check_inputs=[(torch.randn(3, 3, 4),)])
    text = str(traced.graph)
    reference = str(torch.jit.trace(Flatten(), torch.randn(2, 3, 4)).graph)
    for op in ("aten::size", "prim::NumToTensor", "aten::Int"):
        assert op in text and op in reference
    x = torch.randn(5, 3, 4)  # another batch size than the example's
    with torch.no_grad():
        torch.testing.assert_close(traced(x), traced.fc(x.view(5, -1)))


def size_arithmetic(x):
    b, c = x.shape[:2]
    flat = x.reshape(b * c, -1)
    return flat.sum(-1) * x.size(-1), torch.zeros(x.size(0), 2) + b, torch.arange(x.size(1))


def test_size_arithmetic_and_factories_follow_new_shapes():
    traced = ember.trace(size_arithmetic, torch.randn(2, 3, 4))
    text = str(traced.graph)
    assert "aten::zeros" in text and "aten::arange" in text
    for shape in [(2, 3, 4), (4, 1, 5), (1, 6, 2)]:
        x = torch.randn(*shape)
        for got, want in zip(traced(x), size_arithmetic(x)):
            torch.testing.assert_close(got, want)


def test_a_literal_equal_to_a_size_stays_a_constant():
    def view_literal_first(x):
        return x.view(2, x.size(0), -1)

    traced = ember.trace(view_literal_first, torch.randn(2, 2, 3))
    y = torch.randn(3, 2, 3)
    torch.testing.assert_close(traced(y), view_literal_first(y))


def test_python_values_taken_from_traced_tensors_warn():
    def to_bool(x):
        return x * 2 if bool(x.sum() > 0) else x

    def to_number(x):
        return x * float(x.max())

    with pytest.warns(ember.TracerWarning, match="Converting a tensor to a Python boolean"):
        ember.trace(to_bool, torch.ones(3))
    with pytest.warns(ember.TracerWarning, match="Converting a tensor to a Python float"):
        ember.trace(to_number, torch.ones(3))


def _views_and_inplace(x):
    y = x.clone()
    v = y[0]
    v.add_(1)
    return y


def test_graph_and_code_name_values_after_python_locals_as_torch_jit():
    # A value is named after the local holding it when an operator first
    # uses it; each node carries the line that recorded it (even `y[0]`,
    # which reaches no torch function mode); None constants have no line.
    x = torch.randn(2, 2)
    traced = ember.trace(_views_and_inplace, x)
    assert str(traced.graph) == str(torch.jit.trace(_views_and_inplace, x).graph)
    assert traced.code == torch.jit.trace(_views_and_inplace, x).code


def _fills_column_zero(x):
    y = x.clone()
    y.index_fill_(1, torch.tensor([0]), 9.0)
    return y


def test_tensor_constructors_become_constants_with_a_warning():
    with pytest.warns(ember.TracerWarning, match="torch.tensor results are registered as constants"):
        traced = ember.trace(_fills_column_zero, torch.randn(2, 3))
    assert "prim::Constant[value={0}]" in str(traced.graph)
    x = torch.randn(4, 3)
    torch.testing.assert_close(traced(x), _fills_column_zero(x))


@pytest.mark.parametrize("output", [None, 1.5, "text"], ids=["none", "float", "str"])
def test_outputs_that_are_not_tensors_are_refused(output):
    with pytest.raises(RuntimeError, match="Only tensors, lists, tuples of tensors"):
        ember.trace(lambda x: (x, output), torch.ones(2))


@ember.script
def _sign_scale(x):
    if bool(x.sum() > 0):
        return x * 2
    return -x


def _calls_scripted(x):
    return _sign_scale(x + 1) - 1


def test_scripted_functions_keep_their_control_flow_in_traces():
    traced = ember.trace(_calls_scripted, torch.ones(3), check_inputs=[(torch.ones(2),)])
    assert "prim::If" in str(traced.graph)
    assert "# %s:" % __file__ in str(traced.graph)  # recorded nodes carry their Python line
    for x in (torch.ones(3), torch.full((3,), -5.0)):
        torch.testing.assert_close(traced(x), _calls_scripted(x))


def _dict_in(d):
    return d["a"] * d["b"]


def _dict_out(x):
    return {"a": x, "b": x + 1}


def test_dict_inputs_and_non_strict_dict_outputs():
    d = {"a": torch.randn(2), "b": torch.randn(2)}
    traced = ember.trace(_dict_in, (d,))
    assert "aten::__getitem__" in str(traced.graph)
    other = {"a": torch.randn(2), "b": torch.randn(2)}
    torch.testing.assert_close(traced(other), _dict_in(other))
    with pytest.raises(RuntimeError, match="Encountering a dict at the output of the tracer"):
        ember.trace(_dict_out, torch.ones(2))
    traced = ember.trace(_dict_out, torch.ones(2), strict=False)
    assert "prim::DictConstruct" in str(traced.graph)
    out = traced(torch.full((2,), 3.0))
    assert sorted(out) == ["a", "b"]
    torch.testing.assert_close(out["b"], torch.full((2,), 4.0))


class DropoutNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(8, 8)
        self.drop = torch.nn.Dropout(0.5)

    def forward(self, x):
        return self.drop(self.fc(x))


def test_training_mode_dropout_warns_instead_of_failing():
    # As torch.jit.trace: outputs that differ because of dropout are
    # TracerWarnings naming the nondeterministic node, not errors.
    with pytest.warns(ember.TracerWarning) as record:
        traced = ember.trace(DropoutNet(), torch.randn(4, 8))
    texts = [str(w.message) for w in record]
    assert any("does not match the corresponding output" in t for t in texts)
    assert any("Trace had nondeterministic nodes" in t and "aten::dropout" in t for t in texts)
    assert "aten::dropout" in str(traced.inlined_graph)


class _Gate(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(3, 3)

    def forward(self, x):
        if bool(x.sum() > 0):
            return self.lin(x)
        return -x


class _WithScriptedChild(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.pre = torch.nn.Linear(3, 3)
        self.gate = ember.script(_Gate())

    def forward(self, x):
        return self.gate(self.pre(x)) * 2


def test_scripted_submodules_keep_their_control_flow_in_module_traces():
    torch.manual_seed(0)
    m = _WithScriptedChild()
    traced = ember.trace(m, torch.randn(2, 3), check_trace=False)
    assert 'prim::CallMethod[name="forward"](%gate' in str(traced.graph)
    buffer = io.BytesIO()
    ember.save(traced, buffer)
    with torch.no_grad():
        for x in (torch.full((2, 3), 5.0), torch.full((2, 3), -5.0)):
            torch.testing.assert_close(traced(x), m(x))
            buffer.seek(0)
            torch.testing.assert_close(torch.jit.load(buffer)(x), m(x))


class _Sizes(torch.nn.Module):
    def forward(self, x):
        return x.reshape(-1, x.shape[-1]) * 2.0


class _TwoSizes(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = _Sizes()
        self.b = torch.nn.Sequential(_Sizes())

    def forward(self, x):
        return self.b(self.a(x)) + 1


# Test that inlined_graph inlines each traced submodule's pre-optimised
# graph, as torch.jit's: the size read back through NumToTensor is the size
# itself, the constants are pooled, and the nodes are torch.jit's in order,
# each in the scope of the submodule calls that recorded it
# (`__module.b/__module.b.0`).
def test_inlined_graph_of_a_trace_matches_torch_jit():
    x = torch.randn(2, 3, 4)
    ours = ember.trace(_TwoSizes(), (x,))
    theirs = torch.jit.trace(_TwoSizes(), (x,))

    def kinds(g):
        return [n.kind() for n in g.nodes()]

    assert "prim::NumToTensor" in str(ours.a.graph)
    assert "prim::NumToTensor" not in str(ours.inlined_graph)
    assert kinds(ours.inlined_graph) == kinds(theirs.inlined_graph)
    scopes = [n.scopeName() for n in ours.inlined_graph.nodes()]
    assert scopes == [n.scopeName() for n in theirs.inlined_graph.nodes()]
    assert "__module.b/__module.b.0" in scopes
    assert torch.equal(ours(x), theirs(x))


class _Attends(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.mha = torch.nn.MultiheadAttention(8, 2, batch_first=True)

    def forward(self, q, k):
        out, weights = self.mha(q, k, k)
        return out * 2, weights


# Test that the tuple a traced submodule returns is built outside its scope,
# as torch.jit's tracer builds it, while the ops inside carry the scope.
def test_submodule_tuple_result_is_unscoped():
    torch.manual_seed(0)
    m = _Attends().eval()
    q, k = torch.randn(2, 3, 8), torch.randn(2, 4, 8)
    with torch.no_grad():
        ours, theirs = ember.trace(m, (q, k)), torch.jit.trace(m, (q, k))
    pairs = [(n.kind(), n.scopeName()) for n in ours.inlined_graph.nodes()]
    assert pairs == [(n.kind(), n.scopeName()) for n in theirs.inlined_graph.nodes()]
    assert ("prim::TupleConstruct", "") in pairs and ("aten::linear", "__module.mha") in pairs
