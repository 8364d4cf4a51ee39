"""Exceptions as torch.jit raises them: errors of ATen operators reach the
caller with their message, calls that match no schema or name no operator say
so at compile time, `raise` of builtin, tuple-argument, bare and user-defined
exception classes, `assert` with a message, exceptions from ignored Python
functions, and the compile errors for exceptions used as values.
"""
import pytest
import torch
from torch import nn

import ember


# Test that an operator's own error (conv2d on a 1-d input) reaches the caller.
def test_operator_error_message():
    class Foo(ember.ScriptModule):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 10, kernel_size=5)

        @ember.script_method
        def forward(self, x):
            return self.conv(x)

    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d"):
        Foo()(torch.ones([123]))


# Test the compile errors for a call no schema accepts and an unknown op.
def test_builtin_error_messages():
    def close_match(x):
        return x.masked_fill(True)

    def unknown_op(x):
        torch.set_anomaly_enabled(True)
        return x

    with pytest.raises(RuntimeError, match="Arguments for call are not valid"):
        ember.script(close_match)
    with pytest.raises(RuntimeError,
                       match="This op may not exist or may not be currently supported in TorchScript"):
        ember.script(unknown_op)


# Test that raising a builtin exception with an argument gives ember.Error
# carrying the argument.
def test_raise_with_value():
    def foo(cond):
        if bool(cond):
            raise ValueError(3)
        return 1

    fn = ember.script(foo)
    assert fn(torch.tensor(0)) == 1
    with pytest.raises(ember.Error, match="3"):
        fn(torch.tensor(1))


# Test the compile errors: an undefined exception class, an exception used
# as a value, and raising something that is not an exception.
def test_exception_compile_errors():
    def undefined(cond):
        a = 3
        if bool(cond):
            raise ArbitraryError(a, "hi")  # noqa: F821
        return a

    def as_value():
        a = Exception()
        print(a)

    def not_an_exception():
        raise 3 + 4

    with pytest.raises(RuntimeError, match="undefined value ArbitraryError"):
        ember.script(undefined)
    with pytest.raises(RuntimeError, match="cannot be used as a value"):
        ember.script(as_value)
    with pytest.raises(RuntimeError, match="must derive from BaseException"):
        ember.script(not_an_exception)


# Test the return types of functions that always raise: NoneType without an
# annotation, the annotated type otherwise.
def test_always_raising_return_types():
    @ember.script
    def no_decl():
        raise RuntimeError("Hi")

    @ember.script
    def decl():
        # type: () -> Tensor
        raise Exception("Hi")

    assert str(next(no_decl.graph.outputs()).type()) == "NoneType"
    assert str(next(decl.graph.outputs()).type()) == "Tensor"


# Test that a variable defined only where no branch raises is defined after
# the if.
def test_value_escapes_raising_branches():
    @ember.script
    def foo():
        if 1 == 1:
            a = 1
        else:
            if 1 == 1:
                raise Exception("Hi")
            else:
                raise Exception("Hi")
        return a

    assert foo() == 1


# Test the messages of a raise with several arguments and of a bare class.
def test_raise_messages():
    @ember.script
    def tuple_fn():
        raise RuntimeError("hello", "goodbye")

    @ember.script
    def no_message():
        raise RuntimeError

    with pytest.raises(ember.Error, match="hello, goodbye"):
        tuple_fn()
    with pytest.raises(ember.Error, match="RuntimeError"):
        no_message()


# Test that a failed assert raises AssertionError with its message.
def test_assert_message():
    @ember.script
    def foo(cond):
        assert bool(cond), "hi"

    foo(torch.tensor(1))
    with pytest.raises(ember.Error, match="AssertionError: hi"):
        foo(torch.tensor(0))


# Test that an exception raised by an ignored Python function says where it
# failed.
def test_ignored_function_exception():
    @ember.ignore
    def python_op(x):
        raise Exception("bad!")

    @ember.script
    def fn(x):
        return python_op(x)

    with pytest.raises(Exception, match="bad!"):
        fn(torch.tensor(4))


# Test that dict expansion is refused as not supported.
def test_dict_expansion_is_not_supported():
    def fn(self):
        d = {"foo": 1, "bar": 2, "baz": 3}
        return {**d}

    with pytest.raises(ember.NotSupportedError, match="Dict expansion "):
        ember.script(fn)


def uses_lambda(x):
    f = lambda y: y + 1  # noqa: E731
    return f(x)


def uses_try(x):
    try:
        x = x + 1
    except Exception:
        pass
    return x


def uses_varargs(*xs):
    return xs[0]


def uses_global(x):
    global _g
    return x


def uses_for_else(x):
    for i in range(3):
        x = x + i
    else:
        x = x - 1
    return x


def uses_kwargs_expansion(x):
    d = {"dim": 0}
    return torch.sum(x, **d)


def calls_unsupported(x):
    return uses_lambda(x)


# Test that the Python constructs torch.jit's frontend refuses with its
# NotSupportedError raise ember.NotSupportedError: a CompileError (so a
# RuntimeError) and torch.jit.frontend.NotSupportedError, whichever code
# written for torch.jit catches; also when reached through a call.
@pytest.mark.parametrize("fn", [uses_lambda, uses_try, uses_varargs, uses_global, uses_for_else,
                                uses_kwargs_expansion, calls_unsupported], ids=lambda f: f.__name__)
def test_unsupported_constructs_raise_not_supported_error(fn):
    with pytest.raises(torch.jit.frontend.NotSupportedError):
        torch.jit.script(fn)
    with pytest.raises(ember.NotSupportedError) as info:
        ember.script(fn)
    assert isinstance(info.value, ember.CompileError)
    assert isinstance(info.value, torch.jit.frontend.NotSupportedError)
    assert "error: " in str(info.value)


# Test that other compile errors are not NotSupportedError.
def test_type_errors_are_not_not_supported_errors():
    def bad(x: int):
        return x + "a"

    with pytest.raises(ember.CompileError) as info:
        ember.script(bad)
    assert not isinstance(info.value, ember.NotSupportedError)


class MyValueError(ValueError):
    pass


# Test that a user-defined exception class is named by its qualified name.
def test_custom_exception_class():
    @ember.script
    def fn():
        raise MyValueError("test custom exception")

    with pytest.raises(ember.Error, match=__name__ + ".MyValueError: test custom exception"):
        fn()
