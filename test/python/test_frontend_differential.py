"""The frontend compiles Python programs to graphs that compute what Python does.

Each module under programs/ is compiled as a file by `ember-translate
--import-python` (calls inlined), every function's graph is executed -- until
ember's interpreter lands, by TorchScript's graph executor as the oracle
runtime -- and compared with running the same function eagerly: results,
mutations of the arguments, and whether it raises.
"""
import os
import re
import subprocess

import pytest
import torch

from conftest import BUILD
from programs import control_flow as cf
from programs import values as vals
from programs.cases import CASES, clone, run, same

EMBER_TRANSLATE = os.path.join(BUILD, "tools", "ember-translate", "ember-translate")

def compile_file(path):
    proc = subprocess.run([EMBER_TRANSLATE, "--import-python", path, "-p", "inline,dce"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    graphs = {}
    for m in re.finditer(r"(?ms)^(\w+)\((.*?)(?=^\w+\(|\Z)", proc.stdout):
        graphs[m.group(1)] = "graph(" + m.group(2)
    return graphs


@pytest.fixture(scope="module")
def compiled():
    if not os.path.exists(EMBER_TRANSLATE):
        pytest.fail("ember-translate is not built at " + EMBER_TRANSLATE)
    out = {}
    for mod in (cf, vals):
        out.update(compile_file(mod.__file__))
    return out


@pytest.mark.parametrize("fn,make_inputs", CASES, ids=[c[0].__name__ for c in CASES])
def test_compiled_matches_eager(compiled, fn, make_inputs):
    text = compiled[fn.__name__]
    graph = torch._C.parse_ir(re.sub(r"(?m)^(\s*) = ", r"\1", text))
    executable = torch._C._create_function_from_graph(fn.__name__, graph)
    for args in make_inputs():
        torch.manual_seed(0)
        expected = run(fn, clone(args))
        got = run(executable, clone(args))
        assert expected[0] == got[0], (args, expected, got, text)
        if expected[0] == "ok":
            assert same(expected[1], got[1]), (args, expected[1], got[1], text)
            # TorchScript's executor copies Python lists and dicts on the way
            # in, so only tensor arguments can show mutations here.
            tensors = [(e, g) for e, g in zip(expected[2], got[2]) if isinstance(e, torch.Tensor)]
            assert all(same(e, g) for e, g in tensors), ("argument mutations differ", args, text)
