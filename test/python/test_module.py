"""ember.script on nn.Module instances: recursive scripting as torch.jit does it.

Every module runs scripted and eager on the same inputs; then what a user
relies on from the ScriptModule: parameters shared with compiled code,
state_dict round trips, train/eval seen by compiled code, attribute writes,
exported/ignored/unused methods, constants, type sharing, autograd, threads,
and torch.jit's printed code as the spec for `.code`.
"""
import inspect
import io
import re
import threading
from typing import Dict, Final, List, Optional

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import ember


class Sub(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 3)
        self.acts = nn.ModuleList([nn.ReLU(), nn.Tanh()])

    def forward(self, x):
        for m in self.acts:
            x = m(x)
        return self.fc(x)


class Top(nn.Module):
    k: Final[int]
    __constants__ = ["mode"]

    def __init__(self):
        super().__init__()
        self.k = 3
        self.mode = "zeros"
        self.sub = Sub()
        self.register_buffer("buf", torch.ones(2))
        self.p = nn.Parameter(torch.zeros(2))
        self.scale = 1.5

    def forward(self, x):
        return self.sub(x * self.k + self.buf + self.p) * self.scale


class Counter(nn.Module):
    """Attributes of several types: annotated in the class (as TorchScript
    needs for empty containers and None) or inferred from their values."""
    history: List[int]
    names: Dict[str, int]
    last: Optional[torch.Tensor]

    def __init__(self):
        super().__init__()
        self.history = []
        self.names = {}
        self.calls = 0
        self.last = None

    def forward(self, x: torch.Tensor) -> int:
        self.calls += 1
        self.history.append(self.calls)
        self.names["n" + str(self.calls)] = x.numel()
        self.last = x
        return self.calls


class Methods(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 3)
        self.seen = []

    def forward(self, x):
        return self.helper(x) + self.from_python(x)

    def helper(self, x):
        return self.lin(x).relu()

    @ember.export
    def exported(self, x: torch.Tensor, n: int = 2) -> torch.Tensor:
        return x * n

    @torch.jit.export
    def exported_torch(self, x: torch.Tensor) -> torch.Tensor:
        return x - 1

    @ember.ignore
    def from_python(self, x: torch.Tensor) -> torch.Tensor:
        self.seen.append(tuple(x.shape))  # plain Python: not compiled
        return torch.full_like(x, 7.0)

    @ember.unused
    def not_compiled(self, x: torch.Tensor) -> torch.Tensor:
        import os  # noqa: F401  (not TorchScript: never compiled)
        return x

    @ember.export
    def calls_unused(self, x: torch.Tensor) -> torch.Tensor:
        return self.not_compiled(x)

    def never_called(self, x):
        return {v for v in x}  # a set: not TorchScript, never compiled


class Dispatch(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleDict({"a": nn.Linear(4, 4), "b": nn.Linear(4, 4)})
        self.seq = nn.Sequential(nn.Linear(4, 4), nn.GELU(), nn.Dropout(0.1))
        self.act = F.silu

    def forward(self, x):
        x = self.blocks["a"](x) + self.blocks["b"](x)
        return self.act(self.seq(x))


class Recurrent(nn.Module):
    """LSTM and GRU as submodules: their forward is overloaded
    (`@_overload_method`), the call picks the Tensor overload."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 5, num_layers=2)
        self.gru = nn.GRU(5, 3, batch_first=True)

    def forward(self, x):
        y, (h, c) = self.lstm(x)
        z, _ = self.gru(y.transpose(0, 1))
        return z.sum() + h.sum() + c.sum()


class ConvBlock(nn.Sequential):
    """A Sequential subclass (torchvision's Conv2dNormActivation)."""

    def __init__(self, cin, cout):
        super().__init__(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU())


class Blocks(nn.ModuleDict):
    """A ModuleDict subclass with its own forward (torchvision's _DenseBlock)."""

    def __init__(self):
        super().__init__({"a": nn.Linear(4, 4), "b": nn.Linear(4, 4)})

    def forward(self, x):
        outs = [x]
        for name, layer in self.items():
            outs.append(layer(outs[-1]))
        for layer in self.values():
            outs.append(layer(x))
        n = 0
        for key in self:
            n += len(key)
        for key in self.keys():
            n += 1
        return torch.cat(outs, 1) * n


class Containers(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = ConvBlock(3, 4)
        self.empty = nn.Sequential()
        self.blocks = Blocks()

    def forward(self, x, y):
        torch._assert(x.dim() == 4, "expected NCHW input")
        for m in self.empty:
            x = m(x)
        return self.block(x).mean(), self.blocks(y), len(self.blocks)


class Unrolled(nn.Module):
    """enumerate/zip over a ModuleList, a ParameterList and ParameterDict, and
    a `Final` flag whose branch TorchScript never compiles."""
    use_extra: Final[bool]

    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
        self.scales = nn.ParameterList([nn.Parameter(torch.randn(4)) for _ in range(3)])
        self.offsets = nn.ParameterDict({"a": nn.Parameter(torch.randn(4))})
        self.use_extra = False

    def forward(self, x):
        for i, layer in enumerate(self.layers, 1):
            x = layer(x) * i
        for layer, scale in zip(self.layers, self.scales):
            x = layer(x) * scale
        for p in self.scales:
            x = x + p
        if self.use_extra:
            x = self.extra(x)  # no such submodule: compiled only if use_extra
        return x + self.offsets["a"] + self.scales[-1]


torch.manual_seed(0)

MODULES = [
    ("top", Top, lambda: (torch.randn(4, 2),)),
    ("linear", lambda: nn.Linear(4, 3), lambda: (torch.randn(2, 4),)),
    ("linear_no_bias", lambda: nn.Linear(4, 3, bias=False), lambda: (torch.randn(2, 4),)),
    ("conv2d", lambda: nn.Conv2d(3, 4, 3, padding=1), lambda: (torch.randn(1, 3, 8, 8),)),
    ("conv2d_reflect", lambda: nn.Conv2d(3, 4, 3, padding=1, padding_mode="reflect"),
     lambda: (torch.randn(1, 3, 8, 8),)),
    ("conv1d", lambda: nn.Conv1d(3, 4, 3, stride=2), lambda: (torch.randn(2, 3, 9),)),
    ("conv_transpose2d", lambda: nn.ConvTranspose2d(2, 3, 3, stride=2),
     lambda: (torch.randn(1, 2, 4, 4),)),
    ("batch_norm_train", lambda: nn.BatchNorm2d(3), lambda: (torch.randn(2, 3, 4, 4),)),
    ("batch_norm_eval", lambda: nn.BatchNorm1d(3).eval(), lambda: (torch.randn(5, 3),)),
    ("layer_norm", lambda: nn.LayerNorm(4), lambda: (torch.randn(2, 4),)),
    ("group_norm", lambda: nn.GroupNorm(2, 4), lambda: (torch.randn(2, 4, 3),)),
    ("embedding", lambda: nn.Embedding(10, 3), lambda: (torch.tensor([1, 2, 3]),)),
    ("max_pool2d", lambda: nn.MaxPool2d(2), lambda: (torch.randn(1, 1, 4, 4),)),
    ("max_pool2d_indices", lambda: nn.MaxPool2d(2, return_indices=True),
     lambda: (torch.randn(1, 1, 4, 4),)),
    ("avg_pool2d", lambda: nn.AvgPool2d(2), lambda: (torch.randn(1, 1, 4, 4),)),
    ("adaptive_avg_pool2d", lambda: nn.AdaptiveAvgPool2d((1, 1)),
     lambda: (torch.randn(1, 2, 4, 4),)),
    ("flatten", lambda: nn.Flatten(), lambda: (torch.randn(2, 3, 4),)),
    ("activations", lambda: nn.Sequential(nn.ReLU(), nn.GELU(), nn.Tanh(), nn.Sigmoid(),
                                          nn.LeakyReLU(0.1), nn.Hardswish(), nn.SiLU(),
                                          nn.PReLU(), nn.Softmax(dim=-1), nn.Identity()),
     lambda: (torch.randn(3, 5),)),
    ("dropout_eval", lambda: nn.Dropout(0.5).eval(), lambda: (torch.randn(5),)),
    ("mlp", lambda: nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)),
     lambda: (torch.randn(3, 4),)),
    ("multihead_attention", lambda: nn.MultiheadAttention(8, 2).eval(),
     lambda: (torch.randn(3, 1, 8), torch.randn(3, 1, 8), torch.randn(3, 1, 8))),
    ("transformer_encoder_layer",
     lambda: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0).eval(),
     lambda: (torch.randn(3, 1, 8),)),
    ("transformer_encoder",
     lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), 2).eval(),
     lambda: (torch.randn(5, 2, 8),)),
    ("cross_entropy", lambda: nn.CrossEntropyLoss(),
     lambda: (torch.randn(3, 5), torch.tensor([1, 0, 4]))),
    ("mse", lambda: nn.MSELoss(), lambda: (torch.randn(3), torch.randn(3))),
    ("dispatch", Dispatch, lambda: (torch.randn(2, 4),)),
    ("upsample", lambda: nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
     lambda: (torch.randn(1, 2, 3, 3),)),
    ("lstm", lambda: nn.LSTM(4, 5), lambda: (torch.randn(3, 2, 4),)),
    ("gru_in_module", Recurrent, lambda: (torch.randn(3, 2, 4),)),
    ("containers", Containers, lambda: (torch.randn(1, 3, 5, 5), torch.randn(2, 4))),
    ("unrolled", Unrolled, lambda: (torch.randn(2, 4),)),
]


def same(a, b):
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.shape == b.shape and torch.allclose(a, b, atol=1e-6)
    if isinstance(a, (tuple, list)):
        return type(a) == type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


@pytest.mark.parametrize("make,inputs", [m[1:] for m in MODULES], ids=[m[0] for m in MODULES])
def test_scripted_module_matches_eager(make, inputs):
    torch.manual_seed(0)
    module = make()
    scripted = ember.script(module)
    for _ in range(2):
        args = inputs()
        torch.manual_seed(1)
        expected = module(*args)
        torch.manual_seed(1)
        actual = scripted(*args)
        assert same(expected, actual)


def test_code_is_torchscripts():
    module = Top()
    assert ember.script(module).code == torch.jit.script(module).code
    assert ember.script(module).sub.code == torch.jit.script(module).sub.code


def test_library_module_code_is_torchscripts():
    # `training and <constant>`, If outputs equal on both sides. (Modules
    # whose code has mangled names or isinstance checks on submodule types
    # depend on what torch.jit scripted before in the process.)
    module = nn.BatchNorm1d(3).eval()
    assert ember.script(module).code == torch.jit.script(module).code


class ByModuleClass(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 2)
        self.b = nn.ReLU()

    def forward(self, x):
        if isinstance(self.a, nn.Linear):
            x = x + 1
        if isinstance(self.b, nn.Linear):
            x = x * 100
        return x


def test_isinstance_of_a_module_class_is_decided_by_the_submodule_type():
    # Unlike torch.jit, also when the submodule's type is a mangled variant
    # (torch.jit then answers False), so compare with eager only.
    ember.script(nn.Linear(2, 3, bias=False))  # another Linear type first
    module = ByModuleClass()
    x = torch.randn(3, 2)
    assert torch.equal(ember.script(module)(x), module(x))


def test_parameters_and_buffers_are_shared():
    module = Top()
    scripted = ember.script(module)
    assert [n for n, _ in scripted.named_parameters()] == [n for n, _ in module.named_parameters()]
    assert [n for n, _ in scripted.named_buffers()] == [n for n, _ in module.named_buffers()]
    for (_, a), (_, b) in zip(scripted.named_parameters(), module.named_parameters()):
        assert a is b
    x = torch.randn(4, 2)
    with torch.no_grad():
        module.sub.fc.weight.add_(1.0)  # in place on the original: compiled code sees it
    assert torch.allclose(scripted(x), module(x))


def test_state_dict_round_trip():
    module = Top()
    scripted = ember.script(module)
    assert list(scripted.state_dict()) == list(module.state_dict())
    other = Top()
    with torch.no_grad():
        for p in other.parameters():
            p.normal_()
    scripted.load_state_dict(other.state_dict())
    x = torch.randn(4, 2)
    assert torch.allclose(scripted(x), other(x))


def test_train_and_eval_reach_compiled_code():
    module = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.9))
    scripted = ember.script(module)
    x = torch.ones(8, 4)
    assert scripted.training and scripted[1].training
    scripted.eval()
    assert not scripted.training and not scripted[1].training
    assert torch.allclose(scripted(x), module.eval()(x))
    scripted.train()
    torch.manual_seed(0)
    assert (scripted(x) == 0).any()  # dropout is active again


def test_attributes_are_shared_both_ways():
    module = Top()
    scripted = ember.script(module)
    x = torch.randn(4, 2)
    scripted.scale = 2.0
    assert scripted.scale == 2.0
    module.scale = 2.0
    assert torch.allclose(scripted(x), module(x))
    with pytest.raises(TypeError, match="scale"):
        scripted.scale = "big"
    with pytest.raises(AttributeError, match="constant"):
        scripted.k = 4
    assert scripted.k == 3 and scripted.mode == "zeros"


def test_mutable_attributes_and_annotations():
    scripted = ember.script(Counter())
    assert scripted(torch.ones(2)) == 1
    assert scripted(torch.ones(3)) == 2
    assert scripted.history == [1, 2]
    assert scripted.names == {"n1": 2, "n2": 3}
    assert scripted.calls == 2
    assert torch.equal(scripted.last, torch.ones(3))


def test_methods_export_ignore_unused():
    module = Methods()
    scripted = ember.script(module)
    x = torch.randn(2, 3)
    assert torch.allclose(scripted(x), module(x))
    # The @ignore'd method ran in Python, on the list the original holds
    # (TorchScript has no type for an empty list: it stays Python-only).
    assert scripted.seen is module.seen and module.seen == [(2, 3), (2, 3)]
    assert torch.equal(scripted.exported(x), x * 2)
    assert torch.equal(scripted.exported(x, n=3), x * 3)
    assert torch.equal(scripted.exported_torch(x), x - 1)
    with pytest.raises(ember.Error, match="Cannot call @unused methods"):
        scripted.calls_unused(x)
    assert "def exported(self" in scripted.exported.code
    with pytest.raises(AttributeError):
        scripted.never_called


def test_types_are_shared_between_equal_modules():
    scripted = ember.script(nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2), nn.Linear(2, 3)))
    types = [m._c._type_name for m in scripted]
    assert types[0] == types[1] == "__torch__.torch.nn.modules.linear.Linear"
    assert types[2] == "__torch__.torch.nn.modules.linear.___torch_mangle_0.Linear"


def test_autograd_through_scripted_module():
    module = Top()
    scripted = ember.script(module)
    x = torch.randn(4, 2)
    scripted(x).sum().backward()
    scripted_grads = [p.grad.clone() for p in module.parameters()]
    module.zero_grad()
    module(x).sum().backward()
    for a, p in zip(scripted_grads, module.parameters()):
        assert torch.allclose(a, p.grad)


def test_to_double_converts_the_slots():
    scripted = ember.script(nn.Linear(3, 2))
    scripted.double()
    assert scripted.weight.dtype == torch.float64
    assert scripted(torch.randn(1, 3, dtype=torch.float64)).dtype == torch.float64


def test_compile_error_points_at_the_method():
    class Bad(nn.Module):
        def forward(self, x):
            return x + "text"

    with pytest.raises(ember.CompileError, match=r"test_module\.py:\d+:\d+: error"):
        ember.script(Bad())


def test_concurrent_calls():
    scripted = ember.script(nn.Sequential(nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 4)).eval())
    x = torch.randn(8, 16)
    expected = scripted(x)
    errors = []

    def work():
        for _ in range(50):
            if not torch.allclose(scripted(x), expected):
                errors.append("mismatch")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_containers_from_python():
    scripted = ember.script(Dispatch())
    assert len(scripted.seq) == 3
    assert isinstance(scripted.seq[0], ember.ScriptModule)
    assert list(scripted.blocks.keys()) == ["a", "b"]
    assert "RecursiveScriptModule(original_name=Linear)" in repr(scripted)


def test_overloaded_method_graph_names():
    scripted = ember.script(Recurrent())
    assert 'prim::CallMethod[name="forward__0"]' in str(scripted.graph)


def test_inlined_graph_inlines_methods_and_functions():
    scripted = ember.script(nn.Sequential(nn.Linear(2, 2), nn.ReLU()))
    assert "prim::CallMethod" in str(scripted.graph)
    inlined = str(scripted.inlined_graph)
    assert "prim::CallMethod" not in inlined and "prim::CallFunction" not in inlined
    assert "aten::linear" in inlined and "aten::relu" in inlined
    assert "prim::CallMethod" in str(scripted.graph)  # the graph itself is unchanged


class Pep604(nn.Module):
    """PEP 604 annotations (`T | None`), as torch 2.x's own modules write them."""
    bias: torch.Tensor | None
    scale: float | None

    def __init__(self):
        super().__init__()
        self.bias = None
        self.scale = 2.0

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if y is not None:
            x = x + y
        scale = self.scale  # as in TorchScript, only locals are refined
        if scale is not None:
            x = x * scale
        return x


def test_pep604_annotations():
    module = Pep604()
    scripted = ember.script(module)
    x = torch.randn(3)
    assert torch.equal(scripted(x), module(x))
    assert torch.equal(scripted(x, x), module(x, x))


def test_torch_assert_raises_as_assert():
    scripted = ember.script(Containers())
    with pytest.raises(ember.Error, match="expected NCHW input"):
        scripted(torch.randn(3, 5, 5), torch.randn(2, 4))


class UsesUntyped(nn.Module):
    def __init__(self):
        super().__init__()
        self.names = []  # empty: TorchScript cannot type it

    def forward(self, x):
        return x + len(self.names)


def test_reading_an_untyped_attribute_says_why():
    with pytest.raises(ember.CompileError,
                       match=r"test_module\.py:\d+:\d+: error: .*has no attribute 'names': the "
                             r"Python module has it, but it was not scripted \(an empty list"):
        ember.script(UsesUntyped())


class WithAttributes(nn.Module):
    def __init__(self):
        super().__init__()
        self.seen = torch.jit.Attribute([], List[int])
        self.table = ember.Attribute({}, Dict[str, float])

    def forward(self, x: torch.Tensor) -> int:
        self.seen.append(x.numel())
        self.table["n"] = float(len(self.seen))
        return len(self.seen)


def test_attribute_declarations_from_torch_and_ember():
    scripted = ember.script(WithAttributes())
    assert scripted(torch.ones(3)) == 1 and scripted(torch.ones(2)) == 2
    assert scripted.seen == [3, 2] and scripted.table == {"n": 2.0}


class WalksItsModules(nn.Module):
    """As torch 2's TransformerEncoderLayer: looks at every module's hooks."""

    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 2)
        self.b = nn.Sequential(nn.ReLU(), nn.Linear(2, 2))

    def forward(self, x):
        if any(len(getattr(m, "_forward_hooks", {})) + len(getattr(m, "_forward_pre_hooks", {}))
               for m in self.modules()):
            return x
        n = 0
        for _ in self.children():
            n += 1
        return self.a(x) * n


def test_modules_children_and_getattr_defaults():
    m = WalksItsModules()
    scripted = ember.script(m)
    x = torch.randn(3, 2)
    assert torch.allclose(scripted(x), m(x))
    # modules() unrolls over the module and its four descendants, each
    # missing attribute taking getattr's default, exactly as torch.jit does.
    assert scripted.code == torch.jit.script(m).code


@ember.interface
class _Doubler(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pass


class _TwiceImpl(nn.Module):
    def forward(self, x):
        return x * 2


class _UsesInterface(nn.Module):
    impl: _Doubler

    def __init__(self):
        super().__init__()
        self.impl = _TwiceImpl()

    def forward(self, x):
        return self.impl.forward(x) + 1


def test_module_interface_attribute_calls_the_submodule():
    scripted = ember.script(_UsesInterface())
    x = torch.randn(3)
    torch.testing.assert_close(scripted(x), x * 2 + 1)
    assert "%impl : InterfaceType<_Doubler>" in str(scripted.graph)
    with pytest.raises(RuntimeError, match="applied to a class"):
        ember.interface(lambda x: x)


@torch.jit.interface  # the oracle's marker; ember reads it too
class _TorchDoubler(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pass


class _UsesTorchInterface(nn.Module):
    impl: _TorchDoubler

    def __init__(self):
        super().__init__()
        self.impl = _TwiceImpl()

    def forward(self, x):
        return self.impl(x) + 1


def test_module_interface_archives_load_both_ways():
    x = torch.randn(3)
    scripted = ember.script(_UsesTorchInterface())
    assert scripted.code == torch.jit.script(_UsesTorchInterface()).code
    buf = io.BytesIO()
    torch.jit.save(torch.jit.script(_UsesTorchInterface()), buf)
    buf.seek(0)
    torch.testing.assert_close(ember.load(buf)(x), x * 2 + 1)
    buf = io.BytesIO()
    ember.save(scripted, buf)
    buf.seek(0)
    torch.testing.assert_close(torch.jit.load(buf)(x), x * 2 + 1)


class _Tree(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 2)
        self.seq = nn.Sequential(nn.Linear(2, 2, bias=False), nn.BatchNorm1d(2))
        self.register_buffer("buf", torch.ones(2))

    def forward(self, x):
        # What torch.jit compiles too.
        names: List[str] = []
        for n, c in self.named_children():
            names.append(n)
        for n, m in self.named_modules():
            names.append("m:" + n)
        for n, b in self.named_buffers():
            names.append("b:" + n)
        return names

    @ember.export  # torch.jit does not see ember's marker: it leaves this alone
    def tensors(self):
        names: List[str] = []
        for n, p in self.named_parameters():
            names.append("p:" + n)
        total = torch.zeros(1)
        for p in self.parameters():
            total = total + p.sum()
        return total, names


def test_module_tree_queries_in_compiled_code():
    eager = _Tree().eval()
    scripted = ember.script(eager)
    want = [n for n, _ in eager.named_children()]
    want += ["m:" + n for n, _ in eager.named_modules()]
    want += ["b:" + n for n, _ in eager.named_buffers(recurse=False)]  # as torch.jit
    x = torch.randn(2)
    assert scripted(x) == want == torch.jit.script(eager)(x)
    total, names = scripted.tensors()
    assert names == ["p:" + n for n, _ in eager.named_parameters()]
    torch.testing.assert_close(total, sum(p.sum() for p in eager.parameters()).reshape(1))


class _Forks(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(5, 5)

    def twice(self, x):
        return x * 2

    def forward(self, x):
        f1 = torch.jit.fork(self.a, x)  # the submodule's forward
        f2 = torch.jit.fork(self.twice, x)  # a method
        return torch.jit.wait(f1) + torch.jit.wait(f2)


def test_fork_of_a_submodule_or_method():
    module = _Forks()
    scripted = ember.script(module)
    x = torch.randn(3, 5)
    assert same(scripted(x), module(x))
    assert scripted.code == torch.jit.script(module).code


def test_torch_jit_script_modules_inside_are_refused_clearly():
    outer = nn.Sequential(torch.jit.script(nn.Linear(2, 2)))
    with pytest.raises(RuntimeError, match="holds a torch.jit ScriptModule"):
        ember.script(outer)


class WithProperties(nn.Module):
    __jit_unused_properties__ = ["python_only"]

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 3)
        self._scale = 2

    @property
    def width(self) -> int:
        return self.lin.out_features

    @property
    def scale(self) -> int:
        return self._scale

    @scale.setter
    def scale(self, value: int):
        self._scale = value

    @property
    def python_only(self):
        return {1, 2}  # a set: not TorchScript, and not compiled

    def forward(self, x):
        self.scale = self.scale + 1
        return self.lin(x) * self.scale + self.width


def test_properties_compile_to_getters_and_setters():
    # As torch.jit: properties compile to __<name>_getter/__<name>_setter
    # methods (but those in __jit_unused_properties__), compiled code calls
    # them, and archives carry them both ways.
    x = torch.randn(2, 4)
    eager, scripted = WithProperties(), ember.script(WithProperties())
    scripted.lin.load_state_dict(eager.lin.state_dict())
    assert same(scripted(x), eager(x)) and scripted.scale == 3
    scripted.scale = 5
    assert scripted.scale == 5 and scripted.width == 3
    assert scripted.code == torch.jit.script(WithProperties()).code
    buffer = io.BytesIO()
    ember.save(ember.script(eager), buffer)
    loaded = torch.jit.load(io.BytesIO(buffer.getvalue()))
    assert same(loaded(x), eager(x))
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(eager), buffer)
    assert same(ember.load(io.BytesIO(buffer.getvalue()))(x), eager(x))


def test_overloaded_functions_take_torchs_mangled_names():
    class Resize(nn.Module):
        def forward(self, x):
            return F.interpolate(x, scale_factor=2.0), F.interpolate(x, size=[3, 3], mode="bilinear")

    code = ember.script(Resize()).code
    assert "__torch__.torch.nn.functional.___torch_mangle_1.interpolate" in code
    assert "__torch__.torch.nn.functional.___torch_mangle_0.interpolate" in code


class Misspelt(nn.Module):
    def forward(self, x):
        y = x + 1
        return y.foo_bar(2)


class Doubles(nn.Module):
    def forward(self, x):
        return x * 2


# Test that a method keeps its file's columns, as torch.jit's do: in the
# graph's source locations, and in a compile error's position, source line
# and highlight.
def test_method_source_columns_are_the_files():
    def locations(graph):
        return sorted(re.findall(r"# (\S+:\d+:\d+)", str(graph)))

    assert locations(ember.script(Doubles()).graph) == locations(torch.jit.script(Doubles()).graph)
    with pytest.raises(RuntimeError) as theirs:
        torch.jit.script(Misspelt())
    with pytest.raises(ember.CompileError) as ours:
        ember.script(Misspelt())
    line = inspect.getsourcelines(Misspelt.forward)[1] + 2
    assert "%s:%d:16: error:" % (__file__, line) in str(ours.value)
    source, highlight = str(theirs.value).splitlines()[-2:]
    assert highlight.endswith(" <--- HERE")
    assert "\n%s\n%s\n" % (source, highlight[:-len(" <--- HERE")]) in str(ours.value)
