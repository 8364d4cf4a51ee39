"""torch.nn.functional's Python functions compile from their source.

TorchScript compiles the functions of torch.nn.functional that are not single
ATen operators from their Python source (they are written to be scriptable).
Here each function's source, with the module-level helpers it calls, is put
in one file the way ember's Python package hands sources to the compiler
(the functional module's C++ builtins imported by name), compiled by
`ember-translate --function`, and -- for the ones with simple signatures --
run against eager PyTorch with TorchScript's executor as the oracle runtime.
"""
import inspect
import os
import re
import subprocess
import textwrap
import types

import pytest
import torch
import torch.nn.functional as F

from conftest import BUILD
from programs.cases import same

EMBER_TRANSLATE = os.path.join(BUILD, "tools", "ember-translate", "ember-translate")

HEADER = """import math
import torch
from torch import Tensor
from typing import Callable, Dict, List, Optional, Tuple, Union
"""


def helpers(fn, seen):
    """The module-level Python functions of F that `fn` calls, callees first."""
    out = []
    for name in fn.__code__.co_names:
        obj = F.__dict__.get(name)
        if isinstance(obj, types.FunctionType) and obj.__module__ == F.__name__ and name not in seen:
            seen.add(name)
            out += helpers(obj, seen) + [obj]
    return out


def source_file(fn):
    fns = helpers(fn, {fn.__name__}) + [fn]
    builtins = sorted({name for f in fns for name in f.__code__.co_names
                       if callable(F.__dict__.get(name))
                       and not isinstance(F.__dict__[name], (types.FunctionType, types.ModuleType, type))})
    imports = "".join("from torch.nn.functional import %s\n" % b for b in builtins)
    return HEADER + imports + "\n".join(textwrap.dedent(inspect.getsource(f)) for f in fns)


def compile_function(fn):
    proc = subprocess.run([EMBER_TRANSLATE, "--import-python", "-", "--function", fn.__name__,
                           "-p", "inline,dce"], input=source_file(fn), capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    m = re.search(r"(?ms)^" + fn.__name__ + r"\((.*?)(?=^[\w.]+\(|\Z)", proc.stdout)
    return "graph(" + m.group(1)


COMPILES = [F.layer_norm, F.softmax, F.log_softmax, F.dropout, F.relu, F.normalize, F.embedding,
            F.batch_norm, F.silu, F.group_norm, F.leaky_relu, F.hardtanh, F.elu, F.glu,
            F.hardswish, F.instance_norm, F.local_response_norm,
            F.multi_head_attention_forward]


@pytest.mark.parametrize("fn", COMPILES, ids=[f.__name__ for f in COMPILES])
def test_compiles(fn):
    compile_function(fn)


RUNS = [
    (F.relu, lambda: (torch.randn(3, 4),)),
    (F.softmax, lambda: (torch.randn(3, 4), 1)),
    (F.log_softmax, lambda: (torch.randn(3, 4), 0)),
    (F.layer_norm, lambda: (torch.randn(2, 5), [5])),
    (F.silu, lambda: (torch.randn(6),)),
    (F.leaky_relu, lambda: (torch.randn(6), 0.2)),
    (F.hardtanh, lambda: (torch.randn(6) * 3,)),
    (F.elu, lambda: (torch.randn(6),)),
    (F.normalize, lambda: (torch.randn(3, 4),)),
    (F.group_norm, lambda: (torch.randn(2, 4, 3), 2)),
]


@pytest.mark.parametrize("fn,make_args", RUNS, ids=[r[0].__name__ for r in RUNS])
def test_runs_like_eager(fn, make_args):
    graph = torch._C.parse_ir(re.sub(r"(?m)^(\s*) = ", r"\1", compile_function(fn)))
    executable = torch._C._create_function_from_graph(fn.__name__, graph)
    args = make_args()
    # Fill the parameters the call leaves out with the signature's defaults.
    params = list(inspect.signature(fn).parameters.values())
    full = list(args) + [p.default for p in params[len(args):]]
    assert same(fn(*args), executable(*full))
