"""TorchScript's printed code (`.code`, the text inside `.pt` archives) reads back.

For every program under programs/ that torch.jit.script accepts (the
oracle), the code TorchScript prints is compiled by `ember-translate
--import-code`, and the resulting graph is run -- by TorchScript's executor
until ember's interpreter lands -- against the eager function. ember's own
printed code must read back to the same text (print, import, print).
"""
import os
import re
import subprocess

import pytest
import torch

from conftest import BUILD
from programs import control_flow as cf
from programs import values as vals
from programs.cases import CASES, clone, run, same, torch_code

EMBER_TRANSLATE = os.path.join(BUILD, "tools", "ember-translate", "ember-translate")


def translate(args, text):
    proc = subprocess.run([EMBER_TRANSLATE] + args + ["-"], input=text, capture_output=True,
                          text=True, timeout=300)
    return proc


SCRIPTABLE = []
for fn, make_inputs in CASES:
    try:
        torch.jit.script(fn)
    except Exception:  # torch 1.13 rejects some programs ember accepts
        continue
    if "torch.nn.functional" in torch.jit.script(fn).code:
        continue  # needs the Python source of torch.nn.functional (the ember package)
    SCRIPTABLE.append((fn, make_inputs))


@pytest.mark.parametrize("fn,make_inputs", SCRIPTABLE, ids=[c[0].__name__ for c in SCRIPTABLE])
def test_torchscript_code_reads_back(fn, make_inputs):
    code = torch_code(fn)
    proc = translate(["--import-code", "-p", "inline,dce"], code)
    assert proc.returncode == 0, code + proc.stderr
    text = re.search(r"(?ms)^" + fn.__name__ + r"\((.*?)(?=^[\w.]+\(|\Z)", proc.stdout).group(1)
    graph = torch._C.parse_ir(re.sub(r"(?m)^(\s*) = ", r"\1", "graph(" + text))
    executable = torch._C._create_function_from_graph(fn.__name__, graph)
    for args in make_inputs():
        expected = run(fn, clone(args))
        got = run(executable, clone(args))
        assert expected[0] == got[0], (args, expected, got, code)
        if expected[0] == "ok":
            assert same(expected[1], got[1]), (args, expected[1], got[1], code)


@pytest.mark.parametrize("module", [cf, vals], ids=["control_flow", "values"])
def test_printed_code_is_stable(module):
    with open(module.__file__) as f:
        source = f.read()
    first = translate(["--import-python", "--emit-code"], source)
    assert first.returncode == 0, first.stderr
    second = translate(["--import-code", "--emit-code"], first.stdout)
    assert second.returncode == 0, first.stdout + second.stderr
    assert first.stdout == second.stdout
