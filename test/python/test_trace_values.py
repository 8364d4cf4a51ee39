"""How Python values reach traced graphs, with torch.jit.trace as the oracle:
sizes and numel stay dynamic through arithmetic, tensors built from Python
data become constants converted by `aten::to`, values take the names of
the Python locals holding them, and equal tensor constants share one
entry of the code's constants table."""
import io
import warnings

import pytest
import torch

import ember


def _both(fn, *inputs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ember.trace(fn, inputs), torch.jit.trace(fn, inputs)


def half_plus_one(x):
    n = x.size(0)
    return torch.zeros(n // 2 + 1)


def by_numel(x):
    return x.new_zeros(x.numel()) + 1


def test_size_arithmetic_keeps_its_operands():
    ours, theirs = _both(half_plus_one, torch.randn(3, 4))
    # `+ 1` passes alpha 1, which equals `n // 2` here: it stays a constant.
    assert ours.code == theirs.code
    assert ours(torch.randn(6, 4)).shape == (4,)


def test_numel_stays_dynamic():
    ours, theirs = _both(by_numel, torch.randn(2, 3))
    assert "aten::numel" in str(ours.graph)
    assert ours.code == theirs.code
    assert ours(torch.randn(4, 5)).shape == (20,)


def from_data(x):
    return x + torch.tensor([1.5, 2.0]) + x.new_tensor([3.0, 4.0]) + torch.as_tensor([1, 2])


def reverse_power(x):
    return 2 ** x  # torch.tensor inside Tensor.__rpow__


@pytest.mark.parametrize("fn", [from_data, reverse_power], ids=["constructors", "rpow"])
def test_tensors_from_python_data_are_constants_converted_by_to(fn):
    ours, theirs = _both(fn, torch.randn(2))
    assert "aten::lift_fresh" not in str(ours.graph)
    assert ours.code == theirs.code
    x = torch.randn(2)
    torch.testing.assert_close(ours(x), fn(x))


def gathers(x):
    idx = torch.zeros(3, 2, dtype=torch.long)
    return x.gather(1, idx)


def test_values_take_the_names_of_python_locals():
    ours, theirs = _both(gathers, torch.randn(3, 4))
    assert "idx = torch.zeros" in ours.code
    assert ours.code == theirs.code


def repeated_scalars(x):
    return x * 2, [x + 1, x - 1]


def test_equal_tensor_constants_share_a_table_entry():
    ours, theirs = _both(repeated_scalars, torch.randn(3))
    assert "CONSTANTS.c2" not in ours.code
    assert ours.code == theirs.code


def flatten_double(x):
    y = x * 2
    return y.view(y.size(0), -1)


class EmbedGRU(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(10, 4)
        self.rnn = torch.nn.GRU(4, 5, batch_first=True)

    def forward(self, x):
        return self.rnn(self.emb(x))


def test_sizes_the_example_had_do_not_bind_other_calls():
    # The types a trace records hold for the example only: sizes read from
    # intermediate values (here and inside a submodule) follow each call.
    traced = ember.trace(flatten_double, torch.randn(3, 4))
    x = torch.randn(5, 2, 2)
    torch.testing.assert_close(traced(x), flatten_double(x))
    torch.manual_seed(0)
    module = EmbedGRU().eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traced = ember.trace(module, torch.randint(0, 10, (2, 5)))
    tokens = torch.randint(0, 10, (3, 7))
    with torch.no_grad():
        for got, expected in zip(traced(tokens), module(tokens)):
            torch.testing.assert_close(got, expected)


def sized_factories(x):
    return torch.arange(x.size(0)), x.new_ones(x.shape), torch.full((x.size(0),), x.size(1))


def test_sizes_reach_int_and_scalar_arguments_as_torch_jit_records_them():
    # aten::Int right after the size it reads; aten::ScalarImplicit where
    # the operator takes a Scalar (arange's end, full's fill value).
    ours, theirs = _both(sized_factories, torch.randn(3, 4))
    assert "aten::ScalarImplicit" in str(ours.graph)
    assert ours.code == theirs.code
    x = torch.randn(5, 6)
    for got, expected in zip(ours(x), sized_factories(x)):
        torch.testing.assert_close(got, expected)


class _Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(4, 4)
        self.down = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.BatchNorm1d(4))
        self.act = torch.nn.ReLU()

    def forward(self, x):
        identity = self.down(x)
        out = self.fc(x)
        out = self.act(out)
        out += identity
        return out


class _Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = _Block()
        self.layer2 = torch.nn.Sequential(_Block(), torch.nn.Linear(4, 2))

    def forward(self, x):
        return self.layer2(self.layer1(x))


def test_submodule_code_names_values_as_torch_jit():
    # A submodule's inputs are named after the caller's values (argument_<i>
    # for another submodule's result), and a submodule's result takes the
    # name its first user gives it (`identity`, `out`).
    torch.manual_seed(0)
    net = _Net().eval()
    ours, theirs = _both(net, torch.randn(3, 4))
    for path in ["", "layer1", "layer1.fc", "layer1.down", "layer1.down.0", "layer1.down.1",
                 "layer1.act", "layer2", "layer2.0", "layer2.0.down.1", "layer2.1"]:
        a, b = ours, theirs
        for atom in path.split(".") if path else []:
            a, b = getattr(a, atom), getattr(b, atom)
        assert a.code == b.code, path


class _Halves(torch.nn.Module):
    def forward(self, x):
        n = x.size(1) // 2
        return x[:, :n] * 2, x[:, n:]


@pytest.mark.parametrize("make, example, other", [
    # Sizes read inside torch's Python functions (F.multi_head_attention_forward,
    # F.embedding_bag) and sizes in slices stay dynamic too.
    (lambda: torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0),
     (torch.randn(5, 2, 8),), (torch.randn(7, 3, 8),)),
    (lambda: torch.nn.MultiheadAttention(8, 2),
     (torch.randn(5, 2, 8),) * 3, (torch.randn(3, 4, 8),) * 3),
    (lambda: torch.nn.EmbeddingBag(20, 4),
     (torch.randint(0, 20, (2, 5)),), (torch.randint(0, 20, (4, 7)),)),
    (_Halves, (torch.randn(2, 6),), (torch.randn(3, 10),)),
], ids=["transformer-layer", "attention", "embedding-bag", "slices"])
def test_traces_follow_other_shapes(make, example, other):
    torch.manual_seed(0)
    module = make().eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traced = ember.trace(module, example)
    with torch.no_grad():
        for inputs in (example, other):
            expected = module(*inputs)
            got = traced(*inputs)
            if isinstance(expected, torch.Tensor):
                expected, got = (expected,), (got,)
            for a, b in zip(got, expected):
                torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("make, inputs", [
    (lambda: torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), (torch.randn(5, 2, 8),)),
    (lambda: torch.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0),
     (torch.randn(5, 2, 8), torch.randn(6, 2, 8))),
    (lambda: torch.nn.LSTM(4, 5, 2), (torch.randn(3, 2, 4),)),
], ids=["encoder-layer", "decoder-layer", "lstm"])
def test_layers_trace_to_torch_jit_code(make, inputs):
    # Submodules called with keywords (self_attn(x, x, x, need_weights=False))
    # take each tensor once and return their result's tensors; a contiguous()
    # that does nothing is recorded; sizes read from factory results and
    # `size(-1)` are recorded as torch.jit records them.
    torch.manual_seed(0)
    module = make().eval()
    ours, theirs = _both(module, *inputs)
    for name, sub in module.named_modules():
        if not name or type(sub).forward is torch.nn.Module.forward:
            continue
        a, b = ours, theirs
        for atom in name.split("."):
            a, b = getattr(a, atom), getattr(b, atom)
        if hasattr(b, "code"):
            assert a.code == b.code, name
    assert ours.code == theirs.code


class _UsesOutput(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.GRU(4, 5)

    def forward(self, x):
        out, hidden = self.rnn(x)
        return out * 2


class _UsesCellFirst(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.LSTM(4, 5)

    def forward(self, x):
        out, (h, c) = self.rnn(x)
        return c + 1, out


@pytest.mark.parametrize("make", [_UsesOutput, _UsesCellFirst], ids=["unused", "reordered"])
def test_submodules_return_what_their_caller_uses(make):
    # As TorchScript lifts a submodule's trace: the method returns the
    # tensors the caller uses afterwards, in the order of that first use.
    torch.manual_seed(0)
    module = make().eval()
    x = torch.randn(3, 2, 4)
    ours, theirs = _both(module, x)
    assert ours.code == theirs.code
    assert ours.rnn.code == theirs.rnn.code
    y = torch.randn(6, 3, 4)
    with torch.no_grad():
        expected = module(y)
        got = ours(y)
        if isinstance(expected, torch.Tensor):
            expected, got = (expected,), (got,)
        for a, b in zip(got, expected):
            torch.testing.assert_close(a, b)
    buffer = io.BytesIO()
    ember.save(ours, buffer)
    buffer.seek(0)
    with torch.no_grad():
        loaded = torch.jit.load(buffer)(y)
        if isinstance(loaded, torch.Tensor):
            loaded = (loaded,)
        for a, b in zip(loaded, expected):
            torch.testing.assert_close(a, b)


class _Pair(torch.nn.Module):
    def forward(self, a, b):
        return a + b, a * 3


class _Swaps(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.pair = _Pair()

    def forward(self, p, q, unused):
        return self.pair(q, p)


class _Lifts(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.two = _Pair()
        self.swaps = _Swaps()

    def forward(self, x, y):
        u, v = self.two(x * 2, y)
        return self.swaps(u + 1, x, y)


def test_submodules_take_the_tensors_they_use_in_first_use_order():
    # As TorchScript lifts a submodule's trace: its method takes the values
    # the trace used, in the order it first used them (`swaps` is called
    # with (b, x, y) and takes (x, b)); an unused argument is no input.
    module = _Lifts()
    x, y = torch.randn(2), torch.randn(2)
    ours, theirs = _both(module, x, y)
    for path in ["", "two", "swaps", "swaps.pair"]:
        a, b = ours, theirs
        for atom in path.split(".") if path else []:
            a, b = getattr(a, atom), getattr(b, atom)
        assert a.code == b.code, path
    x, y = torch.randn(2), torch.randn(2)
    for got, expected in zip(ours(x, y), module(x, y)):
        torch.testing.assert_close(got, expected)
