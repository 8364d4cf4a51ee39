"""torch.jit's first module API: ScriptModule subclasses with @script_method
methods, compiled when made, compared with eager and with torch.jit."""
import io

import pytest
import torch

import ember


def make_classes(api):
    class Scale(api.ScriptModule):
        __constants__ = ["k"]

        def __init__(self, k):
            super().__init__()
            self.k = k
            self.weight = torch.nn.Parameter(torch.full((3,), 2.0))
            self.register_buffer("offset", torch.ones(3))
            self.inner = torch.nn.Linear(3, 3)

        @api.script_method
        def forward(self, x):
            return self.inner(x) * self.weight * self.k + self.offset

        @api.script_method
        def twice(self, x):
            return self.forward(x) * 2

        def python_only(self):
            return "python"

    return Scale


def test_script_methods_compile_when_the_module_is_made():
    Scale = make_classes(ember)
    torch.manual_seed(0)
    m = Scale(3)
    torch.manual_seed(0)
    reference = make_classes(torch.jit)(3)
    x = torch.randn(2, 3)
    assert torch.allclose(m(x), reference(x))
    assert torch.allclose(m.twice(x), reference.twice(x))
    assert isinstance(m, ember.ScriptModule)
    assert m.python_only() == "python"
    assert 'prim::CallMethod[name="forward"]' in str(m.graph)
    assert [n for n, _ in m.named_parameters()] == ["weight", "inner.weight", "inner.bias"]


def test_state_is_shared_with_the_compiled_module():
    m = make_classes(ember)(1)
    x = torch.randn(2, 3)
    before = m(x)
    with torch.no_grad():
        m.weight.mul_(2)
    m.offset = torch.zeros(3)
    assert torch.allclose(m(x), (before - 1) * 2)
    m.load_state_dict({k: torch.zeros_like(v) for k, v in m.state_dict().items()})
    assert torch.equal(m(x), torch.zeros(2, 3))


def test_legacy_module_saves_for_torch_jit_load():
    m = make_classes(ember)(2)
    buffer = io.BytesIO()
    ember.save(m, buffer)
    buffer.seek(0)
    loaded = torch.jit.load(buffer)
    x = torch.randn(4, 3)
    assert torch.allclose(loaded(x), m(x))
    assert torch.allclose(loaded.twice(x), m.twice(x))


def test_patch_torch_makes_torch_jit_script_module_subclasses_ember():
    ember.patch_torch()
    try:
        class Twice(torch.jit.ScriptModule):
            @torch.jit.script_method
            def forward(self, x):
                return x + x
        m = Twice()
    finally:
        ember.unpatch_torch()
    assert isinstance(m, ember.ScriptModule)
    assert torch.equal(m(torch.ones(2)), torch.full((2,), 2.0))


def test_errors_in_script_methods_surface_when_the_module_is_made():
    class Bad(ember.ScriptModule):
        @ember.script_method
        def forward(self, x):
            return x + "a"

    with pytest.raises(ember.CompileError, match="aten::add"):
        Bad()


def test_define_after_the_module_is_made_adds_methods_and_keeps_state():
    # What torch.jit's generated nn tests do: make a ScriptModule holding an
    # nn.Module, then define() a forward that calls it.
    def make(api):
        class TheModule(api.ScriptModule):
            def __init__(self):
                super().__init__()
                self.submodule = torch.nn.Linear(3, 2)
                self.count = 1

        torch.manual_seed(0)
        return TheModule()

    m, reference = make(ember), make(torch.jit)
    m.count = 5
    reference.count = 5
    weight = m.submodule.weight
    for module in (m, reference):
        module.define("def forward(self, x):\n    return self.submodule(x) * self.count\n")
    x = torch.randn(4, 3)
    assert torch.allclose(m(x), reference(x))
    assert m.submodule.weight is weight
    m.define("def twice(self, x):\n    return self.forward(x) * 2\n")
    assert torch.allclose(m.twice(x), m(x) * 2)
    buffer = io.BytesIO()
    ember.save(m, buffer)
    buffer.seek(0)
    assert torch.allclose(torch.jit.load(buffer).twice(x), m.twice(x))


def test_a_define_that_does_not_compile_leaves_the_module_as_it_was():
    class Holder(ember.ScriptModule):
        def __init__(self):
            super().__init__()
            self.weight = torch.nn.Parameter(torch.ones(2))

        @ember.script_method
        def forward(self, x):
            return x * self.weight

    m = Holder()
    with pytest.raises(ember.CompileError, match="aten::add"):
        m.define("def bad(self, x):\n    return x + 'a'\n")
    assert torch.equal(m(torch.ones(2)), torch.ones(2))
    assert not hasattr(m, "bad")
    m.define("def good(self, x):\n    return self.forward(x) + 1\n")
    assert torch.equal(m.good(torch.ones(2)), torch.full((2,), 2.0))
