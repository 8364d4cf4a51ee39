"""Archives of older format versions: operators whose meaning changed since
the version an archive records run as they ran then (TorchScript's operator
upgraders). torch.jit.load of the same bytes is the oracle: the archives
here are torch.jit.save's, with the version record rewritten, which is how
an archive written by an older torch differs for these operators.
"""
import io
import zipfile

import pytest
import torch
import torch.nn as nn

import ember


def _with_version(data, version):
    """The archive `data` recording format `version` (in `<name>/version`,
    where torch writes versions below 6)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for name in src.namelist():
            if name.endswith("/version"):
                dst.writestr(name.split("/")[0] + "/version", f"{version}\n")
            else:
                dst.writestr(name, src.read(name))
    return out.getvalue()


def _torch_saved(module):
    buf = io.BytesIO()
    torch.jit.save(torch.jit.script(module), buf)
    return buf.getvalue()


class Divisions(nn.Module):
    def forward(self, a, b, s: int, f: float):
        c = a.clone()
        c /= b
        return a / b, a / s, a / f, torch.div(a, b), c


class Fill(nn.Module):
    def forward(self, n: int):
        return torch.full([2], n), torch.full([2], n, dtype=torch.int32)


def _outcome(module, *args):
    try:
        return module(*args)
    except RuntimeError:
        return RuntimeError


def _same(x, y):
    if x is RuntimeError or y is RuntimeError:
        return x is y
    return all(torch.equal(p, q) and p.dtype == q.dtype for p, q in zip(x, y))


@pytest.mark.parametrize("version", [1, 2, 3, 4, 9, 10])
@pytest.mark.parametrize("dtype", [torch.int64, torch.float32])
def test_division_runs_as_at_the_archive_version(version, dtype):
    data = _with_version(_torch_saved(Divisions()), version)
    a, b = torch.tensor([7, -7], dtype=dtype), torch.tensor([2, 2])
    expected = _outcome(torch.jit.load(io.BytesIO(data)), a, b, 2, 2.0)
    got = _outcome(ember.load(io.BytesIO(data)), a, b, 2, 2.0)
    assert _same(got, expected)
    if version < 4 and dtype == torch.int64:
        # Integer division truncated then, even in place.
        assert got[0].tolist() == [3, -3] and got[4].tolist() == [3, -3]
        assert got[2].tolist() == [3.5, -3.5]


def test_full_of_an_int_was_float_before_version_5():
    data = _torch_saved(Fill())
    for version, dtype in ((4, torch.float32), (5, torch.int64)):
        old = _with_version(data, version)
        got = ember.load(io.BytesIO(old))(3)
        assert _same(got, torch.jit.load(io.BytesIO(old))(3))
        assert got[0].dtype == dtype and got[1].dtype == torch.int32


def test_upgraded_code_is_torch_jit_code():
    old = _with_version(_torch_saved(Divisions()), 3)
    assert ember.load(io.BytesIO(old)).code == torch.jit.load(io.BytesIO(old)).code


def test_upgraded_module_saves_its_upgraded_meaning():
    old = _with_version(_torch_saved(Divisions()), 3)
    buf = io.BytesIO()
    ember.save(ember.load(io.BytesIO(old)), buf)
    a, b = torch.tensor([7, -7]), torch.tensor([2, 2])
    again = torch.jit.load(io.BytesIO(buf.getvalue()))
    assert _same(again(a, b, 2, 2.0), torch.jit.load(io.BytesIO(old))(a, b, 2, 2.0))
