"""The scripted cases PyTorch's own test suite generates for TorchScript
(torch.testing._internal.jit_metaprogramming_utils): every
torch.nn.functional call of `nn_functional_tests`, compiled from a
CompilationUnit string, and every nn module test, held by a legacy
ScriptModule whose forward is added with define() -- each run by ember and by
torch.jit (the oracle) on the same inputs and compared.
"""
import copy
import importlib.util
import sys
import types
import unittest
import warnings

import pytest
import torch

import ember

# torch's testing helpers import expecttest, which Debian does not package;
# only its TestCase base class and ACCEPT flag are read at import.
if importlib.util.find_spec("expecttest") is None and "expecttest" not in sys.modules:
    stub = types.ModuleType("expecttest")
    stub.TestCase = unittest.TestCase
    stub.ACCEPT = False
    sys.modules["expecttest"] = stub

# Importing them changes process-wide state that the other test files rely
# on: the default dtype becomes float64, backend flags are frozen, torch.jit's
# calls are wrapped, the command line is parsed. All of it is put back; the
# cases here run under float64, as in torch's suite (fixture below).
_saved = (torch.get_default_dtype(), list(sys.argv), torch._C.ScriptFunction.__call__,
          torch._C.ScriptMethod.__call__, torch.random.get_rng_state())
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from torch.testing._internal import jit_metaprogramming_utils as jmu
    from torch.testing._internal.common_utils import freeze_rng_state
    from torch.testing._internal.common_methods_invocations import op_db
torch.set_default_dtype(_saved[0])
sys.argv[:] = _saved[1]
torch._C.ScriptFunction.__call__, torch._C.ScriptMethod.__call__ = _saved[2:4]
torch.random.set_rng_state(_saved[4])
torch.backends.__dict__["__allow_nonbracketed_mutation_flag"] = True


@pytest.fixture(autouse=True)
def float64_by_default():
    saved = torch.get_default_dtype()
    torch.set_default_dtype(torch.double)
    yield
    torch.set_default_dtype(saved)


def same(a, b):
    if isinstance(a, torch.Tensor):
        return (isinstance(b, torch.Tensor) and a.shape == b.shape and a.dtype == b.dtype
                and torch.allclose(a, b, equal_nan=True, atol=1e-6))
    if isinstance(a, (list, tuple)):
        return (isinstance(b, (list, tuple)) and len(a) == len(b)
                and all(same(x, y) for x, y in zip(a, b)))
    return a == b


def outcome(fn, args):
    with freeze_rng_state():
        try:
            return ("ok", fn(*args))
        except Exception as e:  # the failing of a case is its behaviour too
            return ("raised", e)


def check_same_outcome(expected, got):
    assert expected[0] == got[0], (expected, got)
    if expected[0] == "ok":
        assert same(expected[1], got[1])


def functional_case_id(case):
    variant = case[3] if len(case) > 3 and isinstance(case[3], str) else ""
    return case[0] + ("_" + variant if variant else "")


@pytest.mark.parametrize("case", jmu.nn_functional_tests,
                         ids=[functional_case_id(c) for c in jmu.nn_functional_tests])
def test_nn_functional_call(case):
    name, self_size, args = case[:3]
    torch.manual_seed(0)
    self_input = jmu.create_input((self_size,))[0][0]
    args_input, _ = jmu.create_input(args)
    formals, tensors, actuals = jmu.get_script_args((self_input,) + args_input)
    script = jmu.script_template.format(", ".join(formals),
                                        jmu.get_call(name, "nn_functional", actuals, {}))
    try:
        reference = torch.jit.CompilationUnit(script).the_method
    except Exception:
        pytest.skip("torch.jit does not compile it either")
    compiled = ember.CompilationUnit(script).the_method
    check_same_outcome(outcome(reference, tensors), outcome(compiled, tensors))


def module_cases():
    cases = []
    for kwargs in jmu.get_all_nn_module_tests():
        if "eval" in kwargs.get("desc", ""):
            continue  # as torch's generated tests
        test_name = jmu.get_nn_mod_test_name(**kwargs)
        constructor = kwargs.get("constructor") or getattr(torch.nn, jmu.get_nn_module_name_from_kwargs(**kwargs))
        if test_name in jmu.EXCLUDE_SCRIPT_MODULES or "FunctionalModule" in str(constructor):
            continue
        cases.append(pytest.param(kwargs, constructor, id=test_name[len("test_nn_"):]))
    return cases


def module_inputs(kwargs):
    dtype = torch.double
    if "input_fn" in kwargs:
        inputs = kwargs["input_fn"]()
        inputs = (inputs,) if isinstance(inputs, torch.Tensor) else inputs
        if all(t.is_complex() for t in inputs):
            dtype = torch.cdouble
    else:
        inputs = (kwargs["input_size"],)
    inputs = inputs + kwargs.get("extra_args", ())
    if "target_size" in kwargs:
        inputs = inputs + (kwargs["target_size"],)
    elif "target_fn" in kwargs:
        inputs = inputs + (kwargs["target_fn"](),)
    variables, _ = jmu.create_input(inputs, dtype=dtype)
    return copy.deepcopy(jmu.unpack_variables(variables))


def holder(api, constructor, constructor_args, is_constant, script):
    class TheModule(api.ScriptModule):
        __constants__ = ["submodule"] if is_constant else []

        def __init__(self):
            super().__init__()
            torch.manual_seed(0)
            self.submodule = constructor(*constructor_args)

    module = TheModule()
    str(module)
    module.define(script)
    return module


@pytest.mark.parametrize("kwargs,constructor", module_cases())
def test_nn_module_in_script_module(kwargs, constructor):
    torch.manual_seed(0)
    try:
        constructor_args = (kwargs["constructor_args_fn"]() if "constructor_args_fn" in kwargs
                            else kwargs.get("constructor_args", ()))
        args = module_inputs(kwargs)
    except Exception:
        pytest.skip("the case's inputs cannot be made on this machine")
    _, tensors, actuals = jmu.get_script_args(args)
    script = jmu.script_method_template.format(", ".join(["self"] + actuals),
                                               "self.submodule(%s)" % ", ".join(actuals))
    try:
        reference = holder(torch.jit, constructor, constructor_args, kwargs.get("is_constant"), script)
    except Exception:
        pytest.skip("torch.jit does not compile it either")
    compiled = holder(ember, constructor, constructor_args, kwargs.get("is_constant"), script)
    check_same_outcome(outcome(reference, tensors), outcome(compiled, tensors))


def op_db_cases():
    cases = []
    for op in op_db:
        variants = ["function"] + (["method"] if op.method_variant is not None else [])
        cases += [pytest.param(op, v, id="%s-%s" % (op.name, v)) for v in variants]
    return cases


def same_op_result(a, b, deterministic):
    if isinstance(a, torch.Tensor):
        if not isinstance(b, torch.Tensor) or a.shape != b.shape or a.dtype != b.dtype:
            return False
        if not deterministic or a.layout != torch.strided or a.numel() == 0:
            return True
        return torch.allclose(a, b, equal_nan=True, atol=1e-5, rtol=1e-4)
    if isinstance(a, (list, tuple)):
        return (isinstance(b, (list, tuple)) and len(a) == len(b)
                and all(same_op_result(x, y, deterministic) for x, y in zip(a, b)))
    return a == b


@pytest.mark.parametrize("op,func_type", op_db_cases())
def test_op_info_call(op, func_type):
    # As torch's test_ops_jit: the operator called as `torch.<name>(...)` or
    # `x.<name>(...)` in a CompilationUnit, on its first samples.
    dtypes = op.supported_dtypes("cpu")
    dtype = torch.float32 if torch.float32 in dtypes else torch.int64 if torch.int64 in dtypes else None
    if dtype is None:
        pytest.skip("no float32 or int64 variant on the CPU")
    # Their results are uninitialized memory: only shapes and dtypes compare.
    deterministic = "empty" not in op.name
    ran = 0
    for sample in list(op.sample_inputs("cpu", dtype, requires_grad=False))[:3]:
        args = (sample.input,) + tuple(sample.args)
        formals, tensors, actuals = jmu.get_script_args(args)
        script = jmu.script_template.format(
            ", ".join(formals), jmu.get_call(op.name, func_type, actuals, sample.kwargs))
        try:
            reference = torch.jit.CompilationUnit(script).the_method
        except Exception:
            continue  # torch.jit does not compile this sample
        compiled = ember.CompilationUnit(script).the_method
        expected, got = outcome(reference, tensors), outcome(compiled, tensors)
        assert expected[0] == got[0], (script, expected, got)
        if expected[0] == "ok":
            assert same_op_result(expected[1], got[1], deterministic), script
        ran += 1
    if not ran:
        pytest.skip("torch.jit compiles none of the samples")


@pytest.mark.parametrize("op,func_type", op_db_cases())
def test_op_info_trace(op, func_type):
    # As torch's test_ops_jit: the operator traced with its non-tensor
    # arguments fixed (jit_metaprogramming_utils' partial_apply_nontensors).
    dtypes = op.supported_dtypes("cpu")
    dtype = torch.float32 if torch.float32 in dtypes else torch.int64 if torch.int64 in dtypes else None
    if dtype is None or not getattr(op, "supports_tracing", True):
        pytest.skip("not traced by torch's suite on the CPU")
    variant = op.op if func_type == "function" else op.method_variant
    ran = 0
    for sample in list(op.sample_inputs("cpu", dtype, requires_grad=False))[:3]:
        fn, split = jmu.partial_apply_nontensors(variant, (sample.input,) + tuple(sample.args),
                                                 sample.kwargs)
        try:
            with freeze_rng_state():
                reference = torch.jit.trace(fn, split.all_tensors, check_trace=False)
        except Exception:
            continue  # torch.jit does not trace this sample
        with freeze_rng_state():
            traced = ember.trace(fn, split.all_tensors, check_trace=False)
        expected, got = outcome(reference, split.all_tensors), outcome(traced, split.all_tensors)
        assert expected[0] == got[0], (op.name, expected, got)
        if expected[0] == "ok":
            assert same_op_result(expected[1], got[1], "empty" not in op.name), str(traced.graph)
        ran += 1
    if not ran:
        pytest.skip("torch.jit traces none of the samples")
