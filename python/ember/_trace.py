"""ember.trace: run a function or module once on example inputs while every
ATen operator it calls is recorded at the c10 dispatcher (engine/Tracer.cpp),
and return the recorded graph as a ScriptFunction, or a ScriptModule whose
submodules each have their own traced forward, called with prim::CallMethod
and reading their parameters with prim::GetAttr (reference §8).

Recorded here: functions whose inputs and outputs are tensors, or tuples
and lists of tensors. Sizes read from traced tensors stay dynamic
(`x.size(0)` is `aten::size`, as TorchScript records it); scripted
functions called while tracing go in whole, control flow kept. check_trace
re-traces on each check input, diffs the graphs and compares the trace's
outputs with the Python code's. Dict inputs are read with `__getitem__`;
dict outputs need strict=False, as in torch.jit; trace_module traces
several methods into one module.
"""
import contextlib
import inspect
import os
import sys
import threading
import warnings

import torch

from . import _C
from ._compiled import ScriptFunction
from ._resolver import _Resolver
from ._script import _jit_enabled
from . import _trace_fork, _trace_indexing
from ._errors import TracerWarning
from ._trace_check import _check_graphs, _check_outputs


def _int_arguments(args, kwargs):
    """The ints a call passes, in order, with the 0-dim integer tensors that
    may stand for them (sizes read while tracing)."""
    out = []

    def visit(a):
        if isinstance(a, torch.Tensor):
            if a.dim() == 0 and a.dtype in (torch.int64, torch.int32):
                out.append(a)
        elif isinstance(a, int) and not isinstance(a, bool):
            out.append(a)
        elif isinstance(a, (list, tuple)):
            for e in a:
                visit(e)
        elif isinstance(a, slice):  # x[:, :n] with n a size
            for e in (a.start, a.stop, a.step):
                visit(e)

    for a in args:
        visit(a)
    for a in kwargs.values():
        visit(a)
    return out


class _SizeMode(torch.overrides.TorchFunctionMode):
    """Keeps sizes dynamic, as TorchScript's tracer does: `x.size(d)` and
    `x.shape` return 0-dim Long tensors recorded as `aten::size` and
    `prim::NumToTensor`, so arithmetic on them is recorded; a call given
    such a tensor where it takes an int records `aten::Int` of it."""

    def __init__(self, recorder):
        super().__init__()
        self.recorder = recorder

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        frame = _user_frame()
        if frame is not None:
            self.recorder.set_location(frame.f_code.co_filename, frame.f_lineno)
        if func is _TENSOR_SIZE and args and isinstance(args[0], torch.Tensor):
            dims = list(args[1:]) + list(kwargs.values())
            if dims:
                return self.recorder.size_of(args[0], dims[0])
            return tuple(self.recorder.size_of(args[0], d) for d in range(args[0].dim()))
        if func is _TENSOR_NUMEL and len(args) == 1 and isinstance(args[0], torch.Tensor):
            return self.recorder.numel_of(args[0])
        if func is _TENSOR_CONTIGUOUS and args and isinstance(args[0], torch.Tensor):
            fmt = kwargs.get("memory_format", args[1] if len(args) > 1 else torch.contiguous_format)
            if fmt in _MEMORY_FORMATS and args[0].is_contiguous(memory_format=fmt):
                self.recorder.record_contiguous(args[0], _MEMORY_FORMATS[fmt])
                return args[0]
        if func == _TENSOR_SHAPE and args and isinstance(args[0], torch.Tensor):
            return tuple(self.recorder.size_of(args[0], d) for d in range(args[0].dim()))
        if func == _TENSOR_DATA:
            # A detached alias: a constant of the trace, as torch.jit records it.
            data = func(*args, **kwargs)
            self.recorder.add_constant(data)
            return data
        if func in _PYTHON_VALUES:
            self.recorder.warn("Converting a tensor to %s%s" % (_PYTHON_VALUES[func], _WARN_DATAFLOW))
        if func in _CONSTRUCTORS:
            # Filled from Python data below the dispatcher: the recorder
            # makes the data a constant, as TorchScript does (and warns).
            warnings.warn(_CONSTRUCTORS[func] + _WARN_CONSTRUCTOR, TracerWarning, stacklevel=3)
        ints = _int_arguments(args, kwargs)
        if not any(isinstance(i, torch.Tensor) for i in ints):
            return func(*args, **kwargs)
        self.recorder.expect_ints(ints)
        try:
            return func(*args, **kwargs)
        finally:
            self.recorder.expect_ints([])


_LIBRARY_DIRS = tuple(os.path.dirname(m.__file__) + os.sep for m in (torch, sys.modules[__package__]))


def _user_frame():
    """The innermost Python frame outside torch and ember: where the
    recorded call is in the traced code."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename.startswith(_LIBRARY_DIRS):
        frame = frame.f_back
    return frame


# Frames that are not the traced code's: torch's dispatch to its function
# mode, and its operator objects (torch.ops.aten.*, which ember's indexing
# calls).
_DISPATCH_FILES = (torch.overrides.__file__, torch._ops.__file__)
_EMBER_DIR = os.path.dirname(__file__) + os.sep


def _local_name(tensor):
    """The local variable of the Python frame running the operator that
    holds `tensor` ("" if none, or `self`): TorchScript's tracer names
    values so. Ember's own frames (and torch's dispatch to its function
    mode) are skipped, so the frame is the one torch.jit would see."""
    frame = sys._getframe(1)
    while frame is not None and (frame.f_code.co_filename.startswith(_EMBER_DIR)
                                 or frame.f_code.co_filename in _DISPATCH_FILES):
        frame = frame.f_back
    if frame is None:
        return ""
    for name, value in frame.f_locals.items():
        if value is tensor:
            return "" if name == "self" else name
    return ""


def _operator_location():
    frame = _user_frame()
    return (frame.f_code.co_filename, frame.f_lineno) if frame is not None else None


_TENSOR_SIZE = torch.Tensor.size
_TENSOR_NUMEL = torch.Tensor.numel
_TENSOR_CONTIGUOUS = torch.Tensor.contiguous
_MEMORY_FORMATS = {torch.contiguous_format: 0, torch.preserve_format: 1, torch.channels_last: 2,
                   torch.channels_last_3d: 3}
_CONSTRUCTORS = {torch.tensor: "torch.tensor", torch.as_tensor: "torch.as_tensor",
                 torch.Tensor.new_tensor: "new_tensor"}
_WARN_CONSTRUCTOR = (
    " results are registered as constants in the trace. You can safely ignore this warning if "
    "you use this function to create tensors out of constant variables that would be the same "
    "every time you call this function. In any other case, this might cause the trace to be "
    "incorrect.")
_TENSOR_SHAPE = torch.Tensor.shape.__get__
_TENSOR_DATA = torch.Tensor.data.__get__
# Python values taken out of tensors, as torch.jit's tracer warns of them
# (python_variable_methods.cpp); `__index__` does not warn.
_PYTHON_VALUES = {torch.Tensor.__int__: "a Python integer", torch.Tensor.__float__: "a Python float",
                  torch.Tensor.__bool__: "a Python boolean", torch.Tensor.item: "a Python number",
                  torch.Tensor.tolist: "a Python list", torch.Tensor.numpy: "a NumPy array"}
_WARN_DATAFLOW = (
    " might cause the trace to be incorrect. We can't record the data flow of Python values, so "
    "this value will be treated as a constant in the future. This means that the trace might not "
    "generalize to other inputs!")


# Python's tensor indexing runs below the mode: _trace_indexing applies
# basic indices itself while a trace records (torch.Tensor.__getitem__ is
# replaced meanwhile; other threads get the original).
#
# torch's Python-level functions (torch.nn.functional, torch.functional,
# Tensor methods written in Python) first ask has_torch_function*, which is
# True under a function mode; the mode then runs them with itself switched
# off, so it would not see what they do inside (`query.shape` in
# F.multi_head_attention_forward). While a trace records (in any thread),
# their checks answer False, so their bodies run under the mode, as
# TorchScript's tracer (below Python) sees inside them; a tensor subclass's
# own __torch_function__ is not consulted by those functions meanwhile.
_CHECKED_MODULES = ("torch.nn.functional", "torch.functional", "torch._tensor")
_CHECKS = ("has_torch_function", "has_torch_function_unary", "has_torch_function_variadic")
_saved_checks = []
_checks_lock = threading.Lock()
_checks_depth = [0]  # traces recording now, in any thread


def _no_mode_check(*args):
    return False


@contextlib.contextmanager
def _python_functions_seen():
    with _checks_lock:
        _checks_depth[0] += 1
        if _checks_depth[0] == 1:
            for name in _CHECKED_MODULES:
                module = sys.modules[name]
                for check in _CHECKS:
                    if hasattr(module, check):
                        _saved_checks.append((module, check, getattr(module, check)))
                        setattr(module, check, _no_mode_check)
            _trace_indexing.install()
    try:
        yield
    finally:
        with _checks_lock:
            _checks_depth[0] -= 1
            if _checks_depth[0] == 0:
                for module, check, original in _saved_checks:
                    setattr(module, check, original)
                _saved_checks.clear()
                _trace_indexing.uninstall()


@contextlib.contextmanager
def _recording_on(recorder):
    """Records this thread's operator calls into `recorder` for the block,
    then reports what it warned about as TracerWarnings."""
    recorder.set_name_lookup(_local_name)
    recorder.set_location_lookup(_operator_location)
    recorder.start()
    _recording.append(recorder)
    mode = _SizeMode(recorder)
    mode.__enter__()
    try:
        with _python_functions_seen(), _trace_indexing.indexing_recorded_by(recorder), \
                _trace_fork.installed(recorder):
            yield
    finally:
        mode.__exit__(None, None, None)
        _recording.pop()
        recorder.stop()
    for text in recorder.warnings:
        warnings.warn(text, TracerWarning, stacklevel=4)


def _name_of(func):
    return getattr(func, "__name__", None) or type(func).__name__


def _as_arguments(example):
    """Example inputs as torch.jit.trace reads them: a tensor or a dict is
    the one argument, a list or tuple holds the arguments."""
    if isinstance(example, (torch.Tensor, dict)) or not isinstance(example, (tuple, list)):
        return (example,)
    return tuple(example)


def _argument_names(fn):
    """The names graph inputs take, as torch.jit's tracer takes them: the
    parameters of `fn`, none if any is not positional-or-keyword
    (`*args`, `**kwargs`)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return []
    if any(p.kind != p.POSITIONAL_OR_KEYWORD for p in params):
        return []
    return [p.name for p in params]


def _keyword_arguments(func, kwargs):
    """`example_kwarg_inputs` as positional arguments, in the order of the
    function's (or forward's) parameters."""
    target = func.forward if isinstance(func, torch.nn.Module) else func
    names = list(inspect.signature(target).parameters)
    unknown = [k for k in kwargs if k not in names]
    if unknown:
        raise RuntimeError("example_kwarg_inputs names %s, which %s does not take"
                           % (", ".join(map(repr, unknown)), getattr(target, "__name__", "it")))
    return tuple(kwargs[n] for n in names if n in kwargs)


def trace(func, example_inputs=None, optimize=None, check_trace=True, check_inputs=None,
          check_tolerance=1e-5, strict=True, _force_outplace=False, _module_class=None,
          _compilation_unit=None, example_kwarg_inputs=None, _store_inputs=True):
    """Traces `func` (a function or an nn.Module) on `example_inputs` (a
    tensor or a tuple of them) or `example_kwarg_inputs` (a dict of them by
    parameter name), as torch.jit.trace does."""
    if not _jit_enabled():
        return func
    from ._script_module import ScriptModule
    if isinstance(func, (ScriptModule, torch.jit.ScriptModule)):
        warnings.warn("The input to trace is already a ScriptModule, tracing it is a no-op. "
                      "Returning the object as is.")
        return func
    if isinstance(getattr(func, "__self__", None), torch.nn.Module):
        # A bound forward traces its module; other methods need trace_module.
        if func.__name__ != "forward":
            raise AttributeError("trace doesn't support compiling individual module's "
                                 "functions.\nPlease use trace_module")
        func = func.__self__
    if example_kwarg_inputs is not None:
        example_inputs = _keyword_arguments(func, example_kwarg_inputs)
    elif example_inputs is None:
        raise RuntimeError("trace() needs example_inputs or example_kwarg_inputs")
    example_inputs = _as_arguments(example_inputs)
    from ._trace_module import _trace_module
    tracer = _trace_module if isinstance(func, torch.nn.Module) else _trace_function

    def trace_once(f, inputs):
        return tracer(f, inputs, strict)

    traced = trace_once(func, example_inputs)
    if check_trace:
        for inputs in (check_inputs or [example_inputs]):
            if inputs is not example_inputs:
                inputs = _as_arguments(inputs)
                _check_graphs(traced, trace_once(func, inputs))
            _check_outputs(func, traced, inputs, check_tolerance)
    return traced


_STRICT_MESSAGE = (
    "Encountering a %s at the output of the tracer might cause the trace to be incorrect, this "
    "is only valid if the container structure does not change based on the module's inputs. "
    "Consider using a constant container instead (e.g. for `list`, use a `tuple` instead. for "
    "`dict`, use a `NamedTuple` instead). If you absolutely need this and know the side effects, "
    "pass strict=False to trace() to allow this behavior.")


_OUTPUT_MESSAGE = ("Only tensors, lists, tuples of tensors, or dictionary of tensors can be "
                   "output from traced functions")


def _check_strict(result, strict, index=0):
    """TorchScript's strict tracer refuses dict outputs and warns about
    list outputs: their structure could depend on the inputs. A list must
    hold tensors only. Any tracer refuses None, strings, floats and other
    Python objects among the outputs (ints pass: sizes are traced)."""
    if isinstance(result, dict):
        if strict:
            raise RuntimeError(_STRICT_MESSAGE % "dict")
        # torch.jit's tracer takes dicts of tensors or flat tuples of them.
        for key, item in result.items():
            if not (isinstance(key, (str, torch.Tensor)) and (
                    isinstance(item, torch.Tensor) or isinstance(item, tuple)
                    and all(isinstance(v, torch.Tensor) for v in item))):
                raise RuntimeError(
                    "output %d (%r) of traced region cannot be understood by the tracer, only "
                    "outputs matchingdict[Union[str, Tensor], Union[Tensor, Tuple[Tensor, ...]]] "
                    "can be a dictionary output of a traced function" % (index + 1, result))
    elif isinstance(result, list):
        if not all(isinstance(item, torch.Tensor) for item in result):
            raise RuntimeError(_OUTPUT_MESSAGE)
        if strict:
            warnings.warn(_STRICT_MESSAGE % "list", TracerWarning, stacklevel=3)
    elif isinstance(result, tuple):
        for i, item in enumerate(result):
            _check_strict(item, strict, i)
    elif not isinstance(result, (torch.Tensor, int)) or isinstance(result, bool):
        raise RuntimeError(_OUTPUT_MESSAGE)


def _input_type(value):
    """The type torch.jit's tracer reads an example input as, checking
    its containers as torch.jit does (lists non-empty, of one type)."""
    if isinstance(value, torch.Tensor):
        return "Tensor"
    if isinstance(value, tuple):
        return "Tuple[%s]" % ", ".join(_input_type(v) for v in value)
    if isinstance(value, list):
        if not value:
            raise RuntimeError("Type 'List' cannot be traced: List trace inputs must have elements")
        types = [_input_type(v) for v in value]
        for t in types[1:]:
            if t != types[0]:
                raise RuntimeError("List inputs to traced functions must have consistent element "
                                   "type. Found %s and %s" % (types[0], t))
        return "List[%s]" % types[0]
    if isinstance(value, dict):
        values = [_input_type(v) for v in value.values()]
        return "Dict[%s]" % (values[0] if values else "")
    return type(value).__name__


def _check_inputs(inputs):
    """Refuses inputs torch.jit's tracer cannot take, with its words: the
    type named is that of all the inputs."""
    types = [_input_type(value) for value in inputs]
    if any(_has_untraceable(value) for value in inputs):
        raise RuntimeError("Type 'Tuple[%s]' cannot be traced. Only Tensors and (possibly nested) "
                           "Lists, Dicts, and Tuples of Tensors can be traced" % ", ".join(types))


def _has_untraceable(value):
    if isinstance(value, (tuple, list)):
        return any(_has_untraceable(v) for v in value)
    if isinstance(value, dict):
        return any(_has_untraceable(v) for v in value.values())
    return not isinstance(value, torch.Tensor)


def _distinct_inputs(inputs, taken=()):
    """The inputs, a tensor given again (`f(x, x)`) or one of `taken` (the
    ids of a module's parameters) replaced by a view of it, as TorchScript's
    tracer gives each input its own tensor: the traced code then sees
    distinct inputs (`query is key` is False)."""
    seen = set(taken)

    def distinct(value):
        if isinstance(value, torch.Tensor):
            if id(value) in seen:
                return value.view(value.shape)
            seen.add(id(value))
            return value
        if hasattr(value, "_fields"):  # a namedtuple takes its fields one by one
            return type(value)(*(distinct(v) for v in value))
        if isinstance(value, (tuple, list)):
            return type(value)(distinct(v) for v in value)
        return value

    return tuple(distinct(v) for v in inputs)


def _trace_function(func, inputs, strict=True):
    names = _argument_names(func)
    recorder = _C.Tracer(_name_of(func))
    _check_inputs(inputs)
    inputs = _distinct_inputs(inputs)
    for i, value in enumerate(inputs):
        recorder.add_input(value, names[i] if i < len(names) else "")
    with _recording_on(recorder):
        result = func(*inputs)
    _check_strict(result, strict)
    program = _C.Program(_Resolver())
    traced = ScriptFunction(recorder.finish(program, result), func)
    traced._traced = True
    return traced


_recording = []
# Scripted modules whose calls a module trace records as prim::CallMethod.
_call_interceptors = {}


def is_tracing():
    """True while ember.trace runs the traced code."""
    return bool(_recording)


def script_if_tracing(fn):
    """Compiles `fn` with ember.script the first time it is called while a
    trace is being recorded; outside a trace it is the plain function.
    (Inside a trace, the compiled function's operators are recorded as they
    run, so the trace holds the path taken; keeping its control flow in the
    trace is not done yet.)"""
    import functools
    from ._script import script

    compiled = []

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if not is_tracing():
            return fn(*args, **kwargs)
        if not compiled:
            compiled.append(script(fn))
        return compiled[0](*args, **kwargs)

    wrapper.__original_fn = fn
    wrapper.__script_if_tracing_wrapper = True
    return wrapper
