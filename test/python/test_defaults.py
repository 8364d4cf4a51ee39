"""Parameter defaults as torch.jit takes them: the value Python computed
when the `def` ran (a global, an expression, math.pi, a dtype, an enum
member), converted to the parameter's type; a default that does not fit the
type is refused with torch.jit's words. Compared with eager and torch.jit."""
import enum
import io
import math
from typing import Optional, Tuple

import pytest
import torch

import ember

BOTH = pytest.mark.parametrize("jit", [ember, torch.jit], ids=["ember", "torch"])
SCALE = 3


class Color(enum.Enum):
    RED = 1
    GREEN = 2


def evaluated(x, a: float = math.pi, d: torch.dtype = torch.float64, k: int = SCALE * 2,
              t: Tuple[int, float] = (SCALE, 2.0), o: Optional[float] = None, neg: int = -SCALE,
              c: Color = Color.GREEN, flag: bool = 1):
    y = x.to(d) * a + k + t[0] + t[1] + neg + c.value
    if o is not None:
        y = y + o
    return y if flag else -y


@BOTH
def test_defaults_are_the_values_python_computed(jit):
    fn = jit.script(evaluated)
    x = torch.ones(2)
    assert torch.equal(fn(x), evaluated(x))
    assert torch.equal(fn(x, 1.0, torch.float32, 1, (1, 1.0), 2.0, 0, Color.RED, False),
                       evaluated(x, 1.0, torch.float32, 1, (1, 1.0), 2.0, 0, Color.RED, False))


def str_from_int(x, n: str = 2):
    return x


def int_from_float(x, n: int = 2.5):
    return x


def tensor_from_int(x, y=3):
    return x


@BOTH
@pytest.mark.parametrize("fn", [str_from_int, int_from_float, tensor_from_int])
def test_defaults_that_do_not_fit_are_refused(jit, fn):
    with pytest.raises(RuntimeError, match="Expected a default value of type"):
        jit.script(fn)


def converted(b: bool = 1, i: int = True, f: float = True) -> Tuple[bool, int, float]:
    return b, i, f


@BOTH
def test_defaults_convert_to_the_parameter_type(jit):
    assert jit.script(converted)() == (True, 1, 1.0)
    assert [type(v) for v in jit.script(converted)()] == [bool, int, float]


WEIGHTS = torch.tensor([1.0, 2.0])


def tensor_default(x, y: torch.Tensor = torch.tensor([1.0, 2.0]), z: float = 2.5,
                   w: Optional[torch.Tensor] = WEIGHTS):
    if w is not None:
        x = x * w
    return x + y * z


class TensorDefaultModule(torch.nn.Module):
    def forward(self, x, w: torch.Tensor = torch.ones(2)):
        return x * w + tensor_default(x)


@BOTH
def test_tensor_defaults_are_constants(jit):
    # TorchScript keeps a tensor default as a constant: the schema shows the
    # tensor, the code `CONSTANTS.c0`.
    fn = jit.script(tensor_default)
    x = torch.ones(2)
    assert torch.equal(fn(x), tensor_default(x))
    assert torch.equal(fn(x, torch.zeros(2), 1.0, None), tensor_default(x, torch.zeros(2), 1.0, None))
    assert "y: Tensor=CONSTANTS.c0" in fn.code
    assert str(fn.schema) == str(torch.jit.script(tensor_default).schema)


def test_tensor_defaults_survive_archives_both_ways():
    x = torch.arange(2.0)
    expected = TensorDefaultModule()(x)
    for save, load in ((ember.save, torch.jit.load), (torch.jit.save, ember.load),
                       (ember.save, ember.load)):
        scripted = (ember if save is ember.save else torch.jit).script(TensorDefaultModule())
        buffer = io.BytesIO()
        save(scripted, buffer)
        buffer.seek(0)
        loaded = load(buffer)
        assert torch.equal(loaded(x), expected)
        assert torch.equal(loaded(x, torch.zeros(2)), TensorDefaultModule()(x, torch.zeros(2)))
