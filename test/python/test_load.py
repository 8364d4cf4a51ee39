"""ember.load on archives torch.jit.save writes: the code files compile with
ember's frontend, the pickled object comes back with every attribute, and
the loaded module gives torch.jit.load's outputs. Bad archives are refused
with ember.SerializationError naming the problem.
"""
import io
import os
import subprocess
import zipfile
from enum import Enum
from typing import Dict, Final, List, NamedTuple, Optional, Tuple

import pytest
import torch
import torch.nn as nn

import ember


class Point(NamedTuple):
    x: torch.Tensor
    n: int


@torch.jit.script
class Counter:
    def __init__(self, start: int):
        self.count = start

    def bump(self, by: int) -> int:
        self.count += by
        return self.count


class Mode(Enum):
    SCALE = 2.0
    SHIFT = 1.0


class Modes(nn.Module):
    """An enum attribute (pickled as the class REDUCEd on its value) and
    enum code (the class printed into the archive's code)."""

    def __init__(self):
        super().__init__()
        self.mode = Mode.SHIFT

    def forward(self, x):
        for m in Mode:
            if m == self.mode:
                x = x + m.value
            else:
                x = x * m.value
        return x


class Attributes(nn.Module):
    words: List[str]
    table: Dict[str, int]
    pair: Tuple[int, str]
    maybe: Optional[torch.Tensor]

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)
        self.words = ["a", "bc"]
        self.table = {"x": 1, "y": 2}
        self.pair = (4, "four")
        self.maybe = None
        self.scale = 0.5
        self.register_buffer("view", torch.arange(6.0).view(2, 3)[:, 1:])
        self.counter = Counter(10)

    def forward(self, x):
        y = self.fc(x) * self.scale + self.view.sum()
        maybe = self.maybe
        if maybe is not None:
            y = y + maybe
        return y + self.table["y"] + len(self.words) + self.pair[0]

    @torch.jit.export
    def point(self, x: torch.Tensor) -> Point:
        return Point(x * 2, self.counter.bump(1))


class Blocks(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(4, 4), nn.Linear(4, 4)])
        self.heads = nn.ModuleDict({"a": nn.Linear(4, 2), "b": nn.Linear(4, 2)})
        self.seq = nn.Sequential(nn.ReLU(), nn.Linear(4, 4))

    def forward(self, x):
        for layer in self.layers:
            x = torch.relu(layer(x))
        x = self.seq(x)
        return self.heads["a"](x) + self.heads["b"](x)


class Wrap(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, x):
        return self.m(x)[0]


def _saved(module, tmp_path, name="model.pt", **kwargs):
    path = str(tmp_path / name)
    torch.jit.save(torch.jit.script(module), path, **kwargs)
    return path


def _same(a, b):
    if isinstance(a, torch.Tensor):
        return torch.allclose(a, b, rtol=1e-5, atol=1e-6)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


MODELS = {
    "attributes": (Attributes, [(5, 3)]),
    "blocks": (Blocks, [(2, 4)]),
    "enums": (Modes, [(2, 3)]),
    "lstm": (lambda: Wrap(nn.LSTM(4, 8, 2)), [(5, 3, 4)]),
    "gru": (lambda: Wrap(nn.GRU(4, 8)), [(5, 3, 4)]),
    "transformer": (lambda: nn.TransformerEncoderLayer(16, 2, 32).eval(), [(5, 3, 16)]),
    "conv": (lambda: nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(),
                                   nn.AdaptiveAvgPool2d(1)).eval(), [(2, 3, 8, 8)]),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_outputs_match_torch_jit_load(name, tmp_path):
    make, shapes = MODELS[name]
    torch.manual_seed(0)
    path = _saved(make(), tmp_path)
    inputs = [torch.randn(*s) for s in shapes]
    ref = torch.jit.load(path)
    m = ember.load(path)
    with torch.no_grad():
        assert _same(ref(*inputs), m(*inputs))
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert list(m.state_dict()) == list(ref.state_dict())
    for (n, a), b in zip(m.state_dict().items(), ref.state_dict().values()):
        assert torch.equal(a, b), n


@pytest.mark.parametrize("name", ["resnet18", "mobilenet_v2"])
def test_torchvision_models(name, tmp_path):
    torchvision = pytest.importorskip("torchvision")
    torch.manual_seed(0)
    path = _saved(getattr(torchvision.models, name)().eval(), tmp_path)
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(torch.jit.load(path)(x), ember.load(path)(x), atol=1e-5)


def test_attributes_and_exported_methods(tmp_path):
    path = _saved(Attributes(), tmp_path)
    m = ember.load(path)
    assert m.words == ["a", "bc"]
    assert m.table == {"x": 1, "y": 2}
    assert m.pair == (4, "four")
    assert m.maybe is None
    assert m.scale == 0.5
    assert m.original_name == "Attributes"
    # The buffer is a view: it keeps its offset and strides into the storage.
    assert m.view.stride() == (3, 1) and m.view.storage_offset() == 1
    assert torch.equal(m.view, torch.arange(6.0).view(2, 3)[:, 1:])
    # An exported method, a script class attribute with its state, and a
    # NamedTuple result.
    p = m.point(torch.ones(2))
    assert torch.equal(p.x, torch.full((2,), 2.0)) and p.n == 11
    assert m.point(torch.ones(2)).n == 12
    assert "def forward(self" in m.code


def test_state_is_shared_with_compiled_code(tmp_path):
    m = ember.load(_saved(Attributes(), tmp_path))
    x = torch.randn(5, 3)
    before = m(x)
    with torch.no_grad():
        m.fc.bias.add_(1.0)
    assert torch.allclose(m(x), before + 0.5)
    m.maybe = torch.ones(2)
    assert torch.allclose(m(x), before + 1.5)


def test_file_objects_map_location_and_extra_files(tmp_path):
    path = _saved(Blocks(), tmp_path, _extra_files={"meta.txt": "hello", "other": b"\x00\x01"})
    with open(path, "rb") as f:
        from_file = ember.load(f, map_location="cpu")
    from_bytes = ember.load(io.BytesIO(open(path, "rb").read()), map_location=torch.device("cpu"))
    x = torch.randn(2, 4)
    assert torch.equal(from_file(x), from_bytes(x))
    extra = {"meta.txt": "", "other": "", "missing": "kept"}
    ember.load(path, _extra_files=extra)
    assert extra["meta.txt"] == b"hello" and extra["other"] == b"\x00\x01"
    assert extra["missing"] == b""


def test_submodules_are_script_modules(tmp_path):
    m = ember.load(_saved(Blocks(), tmp_path))
    assert len(m.layers) == 2
    x = torch.randn(2, 4)
    assert torch.allclose(m.layers[0](x), torch.nn.functional.linear(x, m.layers[0].weight,
                                                                     m.layers[0].bias))
    assert sorted(m.heads.keys()) == ["a", "b"]
    assert [n for n, _ in m.named_modules()][:3] == ["", "layers", "layers.0"]


def test_eval_and_train_reach_compiled_code(tmp_path):
    torch.manual_seed(0)
    m = ember.load(_saved(nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5)), tmp_path))
    x = torch.ones(3, 4)
    m.eval()
    assert torch.equal(m(x), m(x))
    m.train()
    assert m.training and not torch.equal(m(x), m(x))


# --- bad archives ---------------------------------------------------------

def _refused(data):
    with pytest.raises(ember.SerializationError) as e:
        ember.load(io.BytesIO(data))
    return str(e.value)


def _with_record(path, record, content):
    out = io.BytesIO()
    with zipfile.ZipFile(path) as z, zipfile.ZipFile(out, "w") as w:
        for info in z.infolist():
            name = info.filename.split("/", 1)[1]
            w.writestr(info.filename, content if name == record else z.read(info.filename))
    return out.getvalue()


def test_not_an_archive():
    assert "not a zip archive" in _refused(b"hello world, this is not a model at all")
    assert "torch.save" in _refused(b"\x80\x02" + b"x" * 40)


def test_truncated_archives(tmp_path):
    data = open(_saved(Blocks(), tmp_path), "rb").read()
    for n in (10, len(data) // 2, len(data) - 10):
        assert "not a valid TorchScript archive" in _refused(data[:n])


def test_pickle_naming_python_functions_is_refused(tmp_path):
    path = _saved(Blocks(), tmp_path)
    hostile = b"\x80\x02cos\nsystem\nq\x00X\x04\x00\x00\x00trueq\x01\x85q\x02Rq\x03."
    msg = _refused(_with_record(path, "data.pkl", hostile))
    assert "GLOBAL 'os.system' is not a TorchScript type" in msg


def test_unknown_opcode_and_truncated_pickle(tmp_path):
    path = _saved(Blocks(), tmp_path)
    assert "needs a MARK" in _refused(_with_record(path, "data.pkl", b"\x80\x02d."))
    assert "is not one TorchScript pickles use" in _refused(
        _with_record(path, "data.pkl", b"\x80\x02\x01."))
    assert "ends in the middle" in _refused(_with_record(path, "data.pkl", b"\x80\x02X\xff\x00"))


def test_deep_nesting_is_refused(tmp_path):
    path = _saved(Blocks(), tmp_path)
    deep = b"\x80\x02" + b"]" * 5000 + b"a" * 4999 + b"."
    assert "nested more than" in _refused(_with_record(path, "data.pkl", deep))
    # A list placed in another and then grown is refused, so depth cannot
    # be hidden by building top-down.
    top_down = b"\x80\x02]q\x00]q\x01a" + b"h\x01]a."
    assert "changes a container after" in _refused(_with_record(path, "data.pkl", top_down))


def test_storage_shorter_than_claimed(tmp_path):
    path = _saved(nn.Linear(3, 2), tmp_path)
    with zipfile.ZipFile(path) as z:
        storage = [i.filename.split("/", 1)[1] for i in z.infolist() if "/data/" in i.filename][0]
    msg = _refused(_with_record(path, storage, b"\x00" * 4))
    assert "claims" in msg and "bytes but its record holds 4" in msg


def test_code_that_does_not_compile_names_the_file(tmp_path):
    path = _saved(Blocks(), tmp_path)
    with zipfile.ZipFile(path) as z:
        name = [n for n in z.namelist() if n.endswith(".py") and b"class Blocks" in z.read(n)][0]
        code = z.read(name).decode()
    record = name.split("/", 1)[1]
    broken = code.replace("def forward(", "def forward(((")
    msg = _refused(_with_record(path, record, broken.encode()))
    assert record + ":" in msg and "error:" in msg


def test_ember_run_matches_torch(tmp_path):
    build = os.environ.get("EMBER_BUILD_DIR", os.path.join(os.path.dirname(__file__), "../../build"))
    tool = os.path.join(build, "tools", "ember-run", "ember-run")
    if not os.path.exists(tool):
        pytest.skip("ember-run is not built")
    torch.manual_seed(0)
    path = _saved(nn.Sequential(nn.Linear(3, 4), nn.Tanh()), tmp_path)
    out = subprocess.run([tool, path, "--shape", "2x3", "--iters", "2"], capture_output=True,
                         text=True, check=True).stdout
    torch.manual_seed(0)
    y = torch.jit.load(path)(torch.randn(2, 3))
    line = out.splitlines()[0]
    assert line.startswith("output: tensor 2x4 Float")
    assert abs(float(line.split("sum=")[1].split()[0]) - y.sum().item()) < 1e-4
    bad = subprocess.run([tool, str(tmp_path / "missing.pt")], capture_output=True, text=True)
    assert bad.returncode == 1 and "cannot open" in bad.stderr


# --- saving: archives ember writes load in torch.jit and in ember ----------

def _ember_saved(module, tmp_path, name="ember.pt", **kwargs):
    path = str(tmp_path / name)
    ember.save(ember.script(module), path, **kwargs)
    return path


@pytest.mark.parametrize("name", sorted(MODELS))
def test_ember_saved_archives_load_in_torch_jit(name, tmp_path):
    make, shapes = MODELS[name]
    torch.manual_seed(0)
    eager = make()
    path = _ember_saved(eager, tmp_path)
    inputs = [torch.randn(*s) for s in shapes]
    with torch.no_grad():
        expected = eager(*inputs)
        assert _same(expected, torch.jit.load(path)(*inputs))
        assert _same(expected, ember.load(path)(*inputs))
    assert list(torch.jit.load(path).state_dict()) == list(eager.state_dict())


def test_archive_layout_matches_torch_jit_save(tmp_path):
    path = _ember_saved(Attributes(), tmp_path, "layout.pt")
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        infos = {i.filename: i for i in z.infolist()}
        assert all(n.startswith("layout/") for n in names)
        assert z.read("layout/version") == b"3\n"
        assert "layout/data.pkl" in names and "layout/constants.pkl" in names
        assert "layout/code/__torch__/torch/nn/modules/linear.py" in names
        # Tensor data is 64-byte aligned in the file, as torch.jit.save
        # aligns it (so loaders can map it).
        for n in names:
            if "/data/" in n:
                info = infos[n]
                with open(path, "rb") as f:
                    f.seek(info.header_offset + 26)
                    name_len, extra_len = int.from_bytes(f.read(2), "little"), int.from_bytes(
                        f.read(2), "little")
                assert (info.header_offset + 30 + name_len + extra_len) % 64 == 0
        code = z.read("layout/code/__torch__/test_load.py").decode()
    assert code.startswith("class Attributes(Module):\n  __parameters__ = []\n"
                           "  __buffers__ = [\"view\", ]\n")
    assert "def forward(self: __torch__.test_load.Attributes,\n    x: Tensor) -> Tensor:" in code


def test_code_files_list_definitions_in_torch_jit_save_order(tmp_path):
    from programs import ordering

    def definitions(path):
        with zipfile.ZipFile(path) as z:
            name = [n for n in z.namelist() if n.endswith("code/__torch__/programs/ordering.py")][0]
            text = z.read(name).decode()
        return [line for line in text.splitlines() if line.startswith(("class ", "def "))]

    ours = definitions(_ember_saved(ordering.M(), tmp_path))
    assert ours == definitions(_saved(ordering.M(), tmp_path))
    assert [line.split("(")[0].rstrip(":") for line in ours] == [
        "class M", "class Sub", "def helper", "class Pt", "def inner"]


def test_loaded_archives_save_again(tmp_path):
    torchvision = pytest.importorskip("torchvision")
    torch.manual_seed(0)
    first = _saved(torchvision.models.resnet18().eval(), tmp_path, "first.pt")
    again = str(tmp_path / "again.pt")
    ember.load(first).save(again)
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(torch.jit.load(first)(x), torch.jit.load(again)(x), atol=1e-5)


def test_frozen_module_constants_round_trip(tmp_path):
    torch.manual_seed(0)
    frozen = torch.jit.freeze(torch.jit.script(
        nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).eval()))
    first = str(tmp_path / "frozen.pt")
    torch.jit.save(frozen, first)
    m = ember.load(first)
    x = torch.randn(5, 3)
    assert torch.allclose(m(x), frozen(x), atol=1e-6)
    code, constants = m.code_with_constants
    assert "CONSTANTS.c0" in code and torch.is_tensor(constants["c0"])
    again = str(tmp_path / "again.pt")
    m.save(again)
    with zipfile.ZipFile(again) as z:
        assert any("/constants/" in n for n in z.namelist())
    assert torch.allclose(torch.jit.load(again)(x), frozen(x), atol=1e-6)


def test_save_to_file_objects_and_extra_files(tmp_path):
    buffer = io.BytesIO()
    m = ember.script(Blocks())
    ember.save(m, buffer, _extra_files={"meta.json": '{"a": 1}'})
    buffer.seek(0)
    extra = {"meta.json": ""}
    loaded = torch.jit.load(buffer, _extra_files=extra)
    assert extra["meta.json"] == b'{"a": 1}'
    x = torch.randn(2, 4)
    assert torch.allclose(loaded(x), m(x))


def test_division_raises_the_format_version(tmp_path):
    class Div(nn.Module):
        def forward(self, x, y: int):
            return x / y

    path = _ember_saved(Div(), tmp_path, "div.pt")
    with zipfile.ZipFile(path) as z:
        assert z.read("div/version") == b"4\n"
    assert torch.equal(torch.jit.load(path)(torch.tensor([3]), 2), torch.tensor([1.5]))


def test_modules_calling_python_cannot_be_saved(tmp_path):
    class CallsPython(nn.Module):
        @torch.jit.ignore
        def helper(self, x):
            return x

        def forward(self, x):
            return self.helper(x)

    m = ember.script(CallsPython())
    with pytest.raises(ember.SerializationError, match="calls Python .*'helper'"):
        m.save(str(tmp_path / "py.pt"))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_cuda_archives_and_map_location(tmp_path):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU()).cuda()
    path = _saved(model, tmp_path, "cuda.pt")
    x = torch.randn(2, 3)
    on_gpu = ember.load(path)
    assert on_gpu[0].weight.is_cuda
    assert torch.allclose(on_gpu(x.cuda()).cpu(), model(x.cuda()).cpu(), atol=1e-6)
    on_cpu = ember.load(path, map_location="cpu")
    assert not on_cpu[0].weight.is_cuda
    assert torch.allclose(on_cpu(x), model(x.cuda()).cpu(), atol=1e-5)
    again = str(tmp_path / "again.pt")
    ember.save(on_gpu, again)
    reloaded = torch.jit.load(again)
    assert all(p.is_cuda for p in reloaded.parameters())
    assert torch.allclose(reloaded(x.cuda()), model(x.cuda()), atol=1e-6)


class _WithConstants(torch.nn.Module):
    k: Final[int] = 3
    __constants__ = ["name"]

    def __init__(self):
        super().__init__()
        self.name = "abc"

    def forward(self, x):
        return x * self.k


def test_loaded_modules_expose_their_final_constants():
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(_WithConstants()), buffer)
    buffer.seek(0)
    loaded = ember.load(buffer)
    assert loaded.k == 3 and loaded.name == "abc"
    torch.testing.assert_close(loaded(torch.ones(1)), torch.full((1,), 3.0))
