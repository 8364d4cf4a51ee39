"""The exceptions ember raises."""
import torch

# Code written for torch.jit catches torch.jit.Error where script code
# raises, and RuntimeError where an operator fails; torch.jit.Error is not a
# RuntimeError, so ember's run-time errors are instances of both.
_JitError = getattr(torch.jit, "Error", RuntimeError)
_ErrorBases = (_JitError, RuntimeError) if _JitError is not RuntimeError else (RuntimeError,)


class CompileError(RuntimeError):
    """A program TorchScript rejects; the message is the rendered diagnostic
    (file:line:col: error: ..., the source line and the range underlined)."""


class AnnotationPlacementError(CompileError, ValueError):
    """An annotated assignment to `self.x` outside `__init__`: a CompileError,
    and the ValueError torch.jit's frontend raises for it."""


def render(filename, line, column, length, message, source_line):
    """A diagnostic as ember's C++ renders it: `file:line:col: error:`, the
    line, the range underlined (column counts from 1)."""
    return "%s:%d:%d: error: %s\n%s\n%s%s\n" % (filename, line, column, message, source_line,
                                               " " * (column - 1), "~" * max(1, length))


# torch.jit's frontend raises its NotSupportedError (an Exception, not a
# RuntimeError) for Python it does not compile; ember's is both kinds.
_JitNotSupported = getattr(getattr(torch.jit, "frontend", None), "NotSupportedError", None)


class NotSupportedError(CompileError, *((_JitNotSupported,) if _JitNotSupported else ())):
    """A Python construct TorchScript does not compile: a lambda, a `try`
    block, `*args`, `global`, dict expansion. A CompileError."""
    __str__ = BaseException.__str__  # not torch's, which renders its own source range


class Error(*_ErrorBases):
    """An exception raised while running compiled code. `python_class` is the
    original exception class (`builtins.ValueError`), `message` its message;
    str() gives the script traceback."""
    python_class = "RuntimeError"
    message = ""


class SerializationError(RuntimeError):
    """An archive ember cannot read (not a zip, a corrupted or hostile
    pickle, code that does not compile) or a module it cannot save; the
    message names the file and the problem."""


class ArgumentError(RuntimeError, TypeError):
    """Arguments a compiled function cannot take: a value of the wrong type,
    a missing or an unknown argument; also a value of the wrong type
    assigned to a script module's attribute. The message is torch.jit's; the
    class is a RuntimeError, as torch.jit raises, and a TypeError, as Python
    does."""


class TracerWarning(Warning):
    """Something the trace cannot represent faithfully (a Python value
    computed from a tensor, iteration over a tensor, a trace's output that
    differs from the Python code's)."""


class TracingCheckError(Exception):
    """A re-trace on a check input recorded another graph, or other values
    of its tensor constants."""
