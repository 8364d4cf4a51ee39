"""Quantized models in archives: torch.ao.quantization's dynamic (Linear,
LSTM) and static (conv + batch norm + relu fused, per-channel weights)
models, scripted and saved by torch.jit, load in ember and give the eager
quantized model's results; ember saves them back, and torch.jit.load and
ember.load read that archive. Their packed weights are torchbind objects
(`__torch__.torch.classes.quantized.*PackedParamsBase`), rebuilt by their
C++ __setstate__ and saved through __getstate__; their weights are
quantized tensors (`torch._utils._rebuild_qtensor`). ember.script compiles
the quantized modules too. Bad states and unregistered classes are refused
with a SerializationError."""
import io
import zipfile

import pytest
import torch
import torch.ao.quantization as tq
import torch.nn as nn

import ember


class Recurrent(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 6, batch_first=True)
        self.fc = nn.Linear(6, 2)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.fc(y)


class Convolutional(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv = nn.Conv2d(3, 8, 3)
        self.bn = nn.BatchNorm2d(8)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(8, 4, 3, padding=1)
        self.fc = nn.Linear(4, 5)
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.relu(self.bn(self.conv(x)))
        x = self.conv2(x).mean([2, 3])
        return self.dequant(self.fc(x))


def _dynamic_linear():
    m = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4)).eval()
    return tq.quantize_dynamic(m, {nn.Linear}, dtype=torch.qint8), torch.randn(3, 8)


def _dynamic_lstm():
    return tq.quantize_dynamic(Recurrent().eval(), {nn.LSTM, nn.Linear}, dtype=torch.qint8), \
        torch.randn(2, 5, 4)


def _static_conv():
    m = Convolutional().eval()
    m.qconfig = tq.get_default_qconfig("fbgemm")
    prepared = tq.prepare(tq.fuse_modules(m, [["conv", "bn", "relu"]]))
    for _ in range(4):
        prepared(torch.randn(2, 3, 10, 10))
    return tq.convert(prepared), torch.randn(2, 3, 10, 10)


MODELS = {"dynamic-linear": _dynamic_linear, "dynamic-lstm": _dynamic_lstm,
          "static-conv": _static_conv}


def _torch_saved(model):
    buf = io.BytesIO()
    torch.jit.save(torch.jit.script(model), buf)
    return buf.getvalue()


# Test that torch.jit's archive of a quantized model loads in ember with the
# eager model's results, and that ember's archive of it loads in torch.jit
# and in ember with the same results.
@pytest.mark.parametrize("name", sorted(MODELS))
def test_quantized_archives_both_ways(name):
    torch.manual_seed(0)
    model, x = MODELS[name]()
    want = model(x)
    loaded = ember.load(io.BytesIO(_torch_saved(model)))
    assert torch.allclose(loaded(x), want, atol=1e-5)
    buf = io.BytesIO()
    ember.save(loaded, buf)
    for load in (torch.jit.load, ember.load):
        buf.seek(0)
        assert torch.allclose(load(buf)(x), want, atol=1e-5)


# Test that ember.script compiles the quantized modules themselves: the
# packed weights cross from Python by their pickled state (packed again),
# the quantized LSTM's hand-listed `__overloads__` pick `forward_tensor`,
# `.code` is torch.jit's, and the archive loads in torch.jit.
@pytest.mark.parametrize("name", sorted(MODELS))
def test_scripted_quantized_models(name):
    torch.manual_seed(0)
    model, x = MODELS[name]()
    scripted = ember.script(model)
    assert torch.allclose(scripted(x), model(x), atol=1e-5)
    assert scripted.code == torch.jit.script(model).code
    buf = io.BytesIO()
    ember.save(scripted, buf)
    buf.seek(0)
    assert torch.allclose(torch.jit.load(buf)(x), model(x), atol=1e-5)


# Test that freezing makes the packed weights constants (`CONSTANTS.c0` in
# the code, as torch.jit.freeze does), and that frozen archives go both ways.
@pytest.mark.parametrize("name", sorted(MODELS))
def test_frozen_quantized_models(name):
    torch.manual_seed(0)
    model, x = MODELS[name]()
    frozen = ember.freeze(ember.script(model))
    assert "CONSTANTS.c0" in frozen.code and "_packed_params" not in frozen.code
    assert torch.allclose(frozen(x), model(x), atol=1e-5)
    buf = io.BytesIO()
    ember.save(frozen, buf)
    buf.seek(0)
    assert torch.allclose(torch.jit.load(buf)(x), model(x), atol=1e-5)
    buf = io.BytesIO()
    torch.jit.save(torch.jit.freeze(torch.jit.script(model)), buf)
    buf.seek(0)
    assert torch.allclose(ember.load(buf)(x), model(x), atol=1e-5)


# Test that a packed-weights attribute read from Python is a torch
# ScriptObject of the class, with the weights.
def test_packed_weights_reach_python():
    model, _ = _dynamic_linear()
    packed = ember.script(model)[0]._packed_params._packed_params
    assert isinstance(packed, torch.ScriptObject)
    assert packed.__getstate__()[1] == "__torch__.torch.classes.quantized.LinearPackedParamsBase"
    weight, bias = packed.unpack()
    want_weight, want_bias = model[0]._packed_params._packed_params.unpack()
    assert torch.equal(weight.int_repr(), want_weight.int_repr()) and torch.equal(bias, want_bias)


# Test that the packed weights' own methods run in compiled code: the
# module's `_weight_bias()` calls `unpack()` on the torchbind object and
# gives back the quantized weight, per-channel scales included.
def test_custom_class_methods_run():
    torch.manual_seed(0)
    model, _ = _static_conv()
    loaded = ember.load(io.BytesIO(_torch_saved(model)))
    weight, bias = loaded.conv2._weight_bias()
    want_weight, want_bias = model.conv2._weight_bias()
    assert weight.is_quantized and weight.qscheme() == want_weight.qscheme()
    assert torch.equal(weight.int_repr(), want_weight.int_repr())
    assert torch.equal(weight.q_per_channel_scales(), want_weight.q_per_channel_scales())
    assert torch.equal(bias, want_bias)


def _refused(data):
    with pytest.raises(ember.SerializationError) as e:
        ember.load(io.BytesIO(data))
    return str(e.value)


def _with_pickle(archive, content):
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as z, zipfile.ZipFile(out, "w") as w:
        for info in z.infolist():
            name = info.filename.split("/", 1)[1]
            w.writestr(info.filename, content if name == "data.pkl" else z.read(info.filename))
    return out.getvalue()


# Test that a packed-weights object whose state is not what its
# __setstate__ takes, and a custom class no library registered, are
# refused with errors naming them (nothing reaches the C++ class).
def test_bad_custom_class_states_are_refused():
    archive = _torch_saved(_dynamic_linear()[0])
    wrong_state = (b"\x80\x02c__torch__.torch.classes.quantized\nLinearPackedParamsBase\n)\x81"
                   b"K\x01K\x02\x86b.")
    msg = _refused(_with_pickle(archive, wrong_state))
    assert ("the state of a '__torch__.torch.classes.quantized.LinearPackedParamsBase' must be a "
            "Tuple[Tensor, Optional[Tensor]], not a Tuple[int, int]") in msg
    unknown = b"\x80\x02c__torch__.torch.classes.nowhere\nThing\n)\x81."
    assert "'__torch__.torch.classes.nowhere.Thing' is a C++ custom class that is not registered" \
        in _refused(_with_pickle(archive, unknown))
