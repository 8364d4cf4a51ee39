"""ember.freeze and ember.optimize_for_inference against eager PyTorch and
torch.jit.freeze: frozen modules give eager's outputs, read their weights
as constants (no GetAttr of a parameter, no batch_norm or dropout left
where TorchScript folds them), keep what their methods mutate, and save to
archives that torch.jit.load runs."""
import io
from typing import List, Optional

import pytest
import torch
import torch.nn as nn

import ember


def _randomise_norms(m):
    """Non-trivial statistics, so a wrong fold cannot pass."""
    torch.manual_seed(1)
    for b in m.modules():
        if isinstance(b, nn.modules.batchnorm._BatchNorm):
            b.running_mean.uniform_(-1, 1)
            b.running_var.uniform_(0.5, 2)
            if b.affine:
                b.weight.data.uniform_(0.5, 2)
                b.bias.data.uniform_(-1, 1)
    return m.eval()


class ConvBnRelu(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 4, 3, bias=False, groups=4)
        self.bn2 = nn.BatchNorm2d(4)
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        y = torch.relu(self.bn(self.conv(x)))
        return self.drop(self.bn2(self.conv2(y)))


class LinearBn(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(6, 5)
        self.bn = nn.BatchNorm1d(5)
        self.scale = 3
        self.offsets = [1, 2]
        self.maybe: Optional[torch.Tensor] = None

    def forward(self, x):
        y = self.bn(self.lin(x)) * self.scale + self.offsets[1]
        maybe = self.maybe
        if maybe is not None:
            y = y + maybe
        return y


class Counter(nn.Module):
    def __init__(self):
        super().__init__()
        self.calls = 0
        self.register_buffer("total", torch.zeros(3))
        self.weight = nn.Parameter(torch.randn(3))

    def forward(self, x):
        self.calls += 1
        self.total.add_(x)
        return x * self.weight + self.total


def _frozen(module):
    return ember.freeze(ember.script(module).eval())


@pytest.mark.parametrize("make,shape", [(ConvBnRelu, (2, 3, 8, 8)), (LinearBn, (4, 6))])
def test_frozen_outputs_match_eager(make, shape):
    eager = _randomise_norms(make())
    frozen = _frozen(eager)
    x = torch.randn(*shape)
    with torch.no_grad():
        expected = eager(x)
    got = frozen(x)
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)
    assert not got.requires_grad  # frozen weights are detached, as in torch.jit.freeze


@pytest.mark.parametrize("make", [ConvBnRelu, LinearBn])
def test_frozen_graph_reads_constants_and_folds(make):
    eager = _randomise_norms(make())
    graph = str(_frozen(eager).graph)
    assert "prim::GetAttr" not in graph
    assert "aten::batch_norm" not in graph
    assert "dropout" not in graph
    # TorchScript folds the same nodes away.
    reference = str(torch.jit.freeze(torch.jit.script(eager)).graph)
    assert "prim::GetAttr" not in reference and "dropout" not in reference


def test_frozen_module_loses_parameters_and_training():
    frozen = _frozen(ConvBnRelu())
    assert list(frozen.named_parameters()) == []
    assert list(frozen.named_buffers()) == []
    assert frozen.original_name == "ConvBnRelu"
    assert "___torch_mangle_" in frozen._c._type_name


def test_mutated_attributes_stay_attributes():
    torch.manual_seed(0)
    eager = Counter().eval()
    frozen = _frozen(eager)
    graph = str(frozen.graph)
    assert 'prim::GetAttr[name="calls"]' in graph and 'prim::GetAttr[name="total"]' in graph
    assert 'name="weight"' not in graph
    x = torch.ones(3)
    first = frozen(x)
    second = frozen(x)
    assert frozen.calls == 2
    torch.testing.assert_close(frozen.total, 2 * x)
    torch.testing.assert_close(second - first, x)
    # The frozen copy keeps its own attributes' values, shared with the
    # original at freezing time (the buffer is the same tensor).
    torch.testing.assert_close(eager.total, 2 * x)


class WithExport(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 3)
        self.factor = 2.0

    def forward(self, x):
        return self.lin(x)

    @ember.export
    def twice(self, x):
        return self.lin(x) * self.factor


def test_preserved_method_and_attribute():
    eager = WithExport().eval()
    frozen = ember.freeze(ember.script(eager).eval(), preserved_attrs=["twice", "factor"])
    x = torch.randn(2, 3)
    with torch.no_grad():
        torch.testing.assert_close(frozen.twice(x), eager.twice(x))
        assert frozen.factor == 2.0
        frozen.factor = 3.0
        torch.testing.assert_close(frozen.twice(x), eager.lin(x) * 3.0)
    assert 'name="factor"' in str(frozen.twice.graph)


def test_preserved_submodule_keeps_its_weights():
    eager = WithExport().eval()
    frozen = ember.freeze(ember.script(eager).eval(), preserved_attrs=["lin"])
    assert 'prim::GetAttr[name="lin"]' in str(frozen.graph)
    x = torch.randn(2, 3)
    with torch.no_grad():
        torch.testing.assert_close(frozen(x), eager(x))


def test_freeze_errors_match_torch():
    with pytest.raises(RuntimeError, match="only implemented for modules in eval mode"):
        ember.freeze(ember.script(LinearBn()))
    with pytest.raises(RuntimeError, match="Freezing expects a ScriptModule"):
        ember.freeze(LinearBn().eval())
    with pytest.raises(RuntimeError, match="cannot preserve 'nope'"):
        ember.freeze(ember.script(LinearBn()).eval(), preserved_attrs=["nope"])


@pytest.mark.parametrize("make,shape", [(ConvBnRelu, (1, 3, 6, 6)), (LinearBn, (2, 6))])
def test_frozen_archive_loads_in_torch_and_ember(make, shape):
    eager = _randomise_norms(make())
    frozen = _frozen(eager)
    buffer = io.BytesIO()
    ember.save(frozen, buffer)
    x = torch.randn(*shape)
    with torch.no_grad():
        expected = eager(x)
        buffer.seek(0)
        torch.testing.assert_close(torch.jit.load(buffer)(x), expected, rtol=1e-5, atol=1e-5)
        buffer.seek(0)
        torch.testing.assert_close(ember.load(buffer)(x), expected, rtol=1e-5, atol=1e-5)


def test_freezing_a_torch_archive():
    eager = _randomise_norms(ConvBnRelu())
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(eager), buffer)
    buffer.seek(0)
    frozen = ember.freeze(ember.load(buffer).eval())
    assert "aten::batch_norm" not in str(frozen.graph)
    x = torch.randn(1, 3, 5, 5)
    with torch.no_grad():
        torch.testing.assert_close(frozen(x), eager(x), rtol=1e-5, atol=1e-5)


def test_optimize_for_inference_freezes_in_eval_mode():
    eager = _randomise_norms(ConvBnRelu())
    scripted = ember.script(eager)
    scripted.train()
    optimized = ember.optimize_for_inference(scripted)
    assert not scripted.training  # put in eval mode, as torch.jit does
    assert "aten::batch_norm" not in str(optimized.graph)
    x = torch.randn(2, 3, 7, 7)
    with torch.no_grad():
        torch.testing.assert_close(optimized(x), eager(x), rtol=1e-5, atol=1e-5)
    assert ember.optimize_for_inference(optimized) is optimized  # frozen already


def test_torchvision_resnet18_frozen():
    torchvision = pytest.importorskip("torchvision")
    torch.manual_seed(0)
    eager = _randomise_norms(torchvision.models.resnet18())
    frozen = _frozen(eager)
    assert "aten::batch_norm" not in str(frozen.graph)
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(frozen(x), eager(x), rtol=1e-4, atol=1e-4)


class ListAndLoop(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
        self.names: List[str] = ["a", "b"]

    def forward(self, x):
        for layer in self.layers:
            x = torch.tanh(layer(x))
        return x, len(self.names)


def test_module_list_and_list_attribute_frozen():
    eager = ListAndLoop().eval()
    frozen = _frozen(eager)
    x = torch.randn(2, 4)
    with torch.no_grad():
        got, n = frozen(x)
        want, m = eager(x)
    torch.testing.assert_close(got, want)
    assert n == m == 2
    assert "prim::GetAttr" not in str(frozen.graph)


class MutatesView(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.tensor([1, 2, 3, 4, 5, 6])
        self.b = self.a.view(2, 3)

    def forward(self, x):
        self.b[1] += 10
        return self.a.sum()


class MutatesTensorListed(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.tensor([1, 2, 3, 4, 5, 6])
        self.b = [self.a, torch.tensor([10])]

    def forward(self, x):
        self.a[1] += 10
        return self.b[0].sum()


# Test that an attribute sharing memory with one modified in place stays an
# attribute, so the frozen module sees the change as the scripted one does.
@pytest.mark.parametrize("cls,kept", [(MutatesView, ["a", "b"]), (MutatesTensorListed, ["a", "b"])],
                         ids=["view", "listed"])
@pytest.mark.parametrize("jit", [ember, torch.jit], ids=["ember", "torch"])
def test_attributes_aliasing_mutated_ones_stay(jit, cls, kept):
    scripted, reference = jit.script(cls()).eval(), jit.script(cls()).eval()
    frozen = jit.freeze(scripted)
    assert all(frozen._c.hasattr(name) for name in kept)
    x = torch.tensor([5])
    assert torch.equal(frozen(x), reference(x))
    assert torch.equal(frozen(x), reference(x))


class MutatesTupleOfView(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.tensor([1, 2, 3, 4, 5, 6])
        self.d = (self.a.view(2, 3), 20)

    def forward(self, x):
        self.d[0][0] += 10
        return self.a.sum()


class MutatesListHoldingAttribute(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.tensor([1, 2, 3, 4, 5, 6])
        self.b = [self.a, torch.tensor([10])]

    def forward(self, x):
        self.b[0][0] += 10
        return self.a.sum()


# Test that a container modified in place that shares memory with another
# attribute is refused, in torch.jit's words.
@pytest.mark.parametrize("cls", [MutatesTupleOfView, MutatesListHoldingAttribute], ids=["tuple", "list"])
@pytest.mark.parametrize("jit", [ember, torch.jit], ids=["ember", "torch"])
def test_mutated_containers_overlapping_attributes_are_refused(jit, cls):
    with pytest.raises(RuntimeError, match="module contains attributes values that overlaps"):
        jit.freeze(jit.script(cls()).eval())


class LegacyAppends(ember.ScriptModule):
    def __init__(self):
        super().__init__()
        self.a = [11, 22]

    @ember.script_method
    def forward(self, x):
        for i in range(3):
            self.a.append(i)
        return self.a


# Test that a legacy ScriptModule freezes, keeping the list it appends to
# (shared with the original, as torch.jit shares it).
def test_legacy_script_module_freezes():
    m = LegacyAppends().eval()
    frozen = ember.freeze(m)
    assert frozen._c.hasattr("a")
    m(torch.tensor([3]))
    assert frozen(torch.tensor([5])) == [11, 22, 0, 1, 2, 0, 1, 2]


class ReturnsSelf(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.tensor([1.0])

    def forward(self, x):
        return self


# Test that a module whose forward returns itself is refused in torch.jit's
# words.
@pytest.mark.parametrize("jit", [ember, torch.jit], ids=["ember", "torch"])
def test_module_returning_itself_is_refused(jit):
    with pytest.raises(RuntimeError, match="attempted to freeze a module that return itself"):
        jit.freeze(jit.script(ReturnsSelf()).eval())


class SmallCounter(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = 1
        self.b = 2

    def forward(self):
        return self.a + self.b

    @torch.jit.export
    def method_a(self):
        return 42


class TwoCounters(nn.Module):
    def __init__(self):
        super().__init__()
        self.sub1 = SmallCounter()
        self.sub2 = SmallCounter()

    def forward(self):
        return self.sub1() + self.sub2()


# Test that attributes and methods of submodules named by dotted paths stay
# on the frozen module, which reads the preserved attributes at run time.
@pytest.mark.parametrize("jit", [ember, torch.jit], ids=["ember", "torch"])
def test_preserved_paths_into_submodules(jit):
    frozen = jit.freeze(jit.script(TwoCounters()).eval(), preserved_attrs=["sub1.a", "sub2.method_a"])
    assert frozen() == 6
    frozen.sub1.a += 1
    assert frozen() == 7
    assert frozen.sub2.method_a() == 42
    with pytest.raises(RuntimeError, match="cannot preserve 'sub1.nothing'|nothing"):
        jit.freeze(jit.script(TwoCounters()).eval(), preserved_attrs=["sub1.nothing"])


class ConvArithmetic(nn.Module):
    """conv -> op by a per-channel constant or a number, as
    test_freezing's ConvOp builds it, optionally followed by a norm."""

    def __init__(self, conv, op, operand, bias=True, norm=False):
        super().__init__()
        self.conv = conv(3, 4, kernel_size=3, stride=2, bias=bias)
        self.op = op
        self.operand = operand
        self.norm = nn.BatchNorm2d(4) if norm else nn.Identity()

    def forward(self, x):
        return self.norm(self.op(self.conv(x), self.operand))


OPS = [torch.add, torch.sub, torch.mul, torch.div]
CONVS = [(nn.Conv1d, (2, 3, 9)), (nn.Conv2d, (2, 3, 9, 9)), (nn.Conv3d, (2, 3, 5, 5, 5))]


def _channel_tensor(conv):
    size = [1] * conv.weight.dim()
    size[1] = conv.weight.size(0)
    return torch.rand(size) + 0.5


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("conv,shape", CONVS)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("scalar", [True, False])
def test_conv_arithmetic_folds_into_the_weights(op, conv, shape, bias, scalar):
    torch.manual_seed(0)
    eager = ConvArithmetic(conv, op, 2.0, bias).eval()
    if not scalar:
        eager.operand = _channel_tensor(eager.conv)
    frozen = ember.freeze(ember.script(eager))
    reference = torch.jit.freeze(torch.jit.script(eager))
    name = "aten::" + op.__name__
    assert name not in str(frozen.graph) and name not in str(reference.graph)
    x = torch.randn(*shape)
    with torch.no_grad():
        torch.testing.assert_close(frozen(x), eager(x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("operand, folds", [
    (torch.rand(4, 1, 4), False),    # would broadcast the output: stays
    (torch.rand(1, 1), True),        # one number
    (torch.tensor([2]).to(torch.int), True),   # an integer tensor: the output stays float
])
def test_conv_arithmetic_folds_as_torch_jit(operand, folds):
    for op in OPS:
        eager = ConvArithmetic(nn.Conv2d, op, operand).eval()
        frozen = ember.freeze(ember.script(eager))
        reference = torch.jit.freeze(torch.jit.script(eager))
        name = "aten::" + op.__name__
        assert (name in str(reference.graph)) == (not folds)
        assert (name in str(frozen.graph)) == (not folds)
        x = torch.randn(2, 3, 9, 9)
        with torch.no_grad():
            torch.testing.assert_close(frozen(x), eager(x), rtol=1e-5, atol=1e-5)


def test_conv_mul_add_norm_chain_becomes_one_conv():
    class Chain(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, kernel_size=3)
            self.bn = nn.BatchNorm2d(8, eps=0.001)
            self.tensor1 = torch.tensor(2.2)
            self.tensor2 = torch.tensor(2)

        def forward(self, x):
            return self.bn(torch.add(torch.mul(self.conv(x), self.tensor1), self.tensor2))

    eager = _randomise_norms(Chain())
    x = torch.randn(2, 3, 16, 16)
    for frozen in (ember.freeze(ember.trace(eager, x)), ember.freeze(ember.script(eager))):
        graph = str(frozen.graph)
        assert "aten::mul" not in graph and "aten::batch_norm" not in graph
        with torch.no_grad():
            torch.testing.assert_close(frozen(x), eager(x), rtol=1e-5, atol=1e-5)


class Heads(nn.Module):
    def __init__(self):
        super().__init__()
        self.qkv = nn.Linear(8, 24)
        self.heads = 2

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        q = q.view(B, T, self.heads, C // self.heads)
        k = k.view(B, T, self.heads, C // self.heads)
        v = v.view(B, T, self.heads, C // self.heads)
        return q @ k.transpose(-2, -1) @ v


# Test that freezing merges what is computed the same way on constants, as
# torch.jit.freeze does: the three views' shape lists become one list (cse
# after the constants are pooled; nothing writes the lists).
def test_frozen_code_merges_equal_computations_as_torch_jit():
    m = Heads().eval()
    x = torch.randn(2, 3, 8)
    ours, theirs = ember.freeze(ember.script(m)), torch.jit.freeze(torch.jit.script(m))
    torch.testing.assert_close(ours(x), m(x))
    assert ours.code == theirs.code
    assert str(ours.graph).count("prim::ListConstruct") == 1
