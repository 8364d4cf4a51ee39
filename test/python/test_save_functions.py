"""Saving functions: torch.jit.save wraps a scripted or traced function in a
module of class PlaceholderModule whose `forward` is the function; ember
writes the same archive, and each side loads what the other wrote."""
import io
import zipfile

import torch

import ember


def _helper(n: int) -> int:
    return n + 1


def scaled(x, n: int):
    for _ in range(n):
        x = x * 2
    return x + _helper(n)


def traced(x, y):
    return torch.relu(x) * y + 1


def _code_files(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n.split("/", 1)[1]: z.read(n).decode() for n in z.namelist() if n.endswith(".py")}


def _saved(save, fn):
    buffer = io.BytesIO()
    save(fn, buffer)
    return buffer.getvalue()


def test_scripted_function_saves_as_torch_jit_saves_it():
    ours = _saved(ember.save, ember.script(scaled))
    theirs = _saved(torch.jit.save, torch.jit.script(scaled))
    assert _code_files(ours) == _code_files(theirs)
    assert "class PlaceholderModule(Module):" in _code_files(ours)["code/__torch__.py"]
    x = torch.randn(3)
    expected = scaled(x, 3)
    loaded = torch.jit.load(io.BytesIO(ours))
    assert loaded.training
    assert torch.allclose(loaded(x, 3), expected)
    assert torch.allclose(ember.load(io.BytesIO(theirs))(x, 3), expected)
    assert torch.allclose(ember.load(io.BytesIO(ours))(x, 3), expected)


def test_traced_function_saves_and_loads_both_ways(tmp_path):
    x, y = torch.randn(4), torch.randn(4)
    fn = ember.trace(traced, (x, y))
    path = str(tmp_path / "traced.pt")
    fn.save(path)
    assert _code_files(open(path, "rb").read()) == _code_files(
        _saved(torch.jit.save, torch.jit.trace(traced, (x, y))))
    a, b = torch.randn(4), torch.randn(4)
    assert torch.allclose(torch.jit.load(path)(a, b), traced(a, b))
    buffer = fn.save_to_buffer()
    assert torch.allclose(torch.jit.load(io.BytesIO(buffer))(a, b), traced(a, b))
    assert torch.allclose(ember.load(io.BytesIO(buffer))(a, b), traced(a, b))


def test_saving_twice_gives_the_same_archive():
    fn = ember.script(scaled)
    assert fn.save_to_buffer() == fn.save_to_buffer()
