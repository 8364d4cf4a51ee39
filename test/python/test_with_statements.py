"""`with` statements as torch.jit compiles them: script-class context
managers with and without `as`, early return, break and continue inside the
body, several items, nesting, exceptions leaving the body (`__exit__` runs),
TorchScript's errors for ill-formed managers, torch.no_grad() and
record_function. Each function runs in Python and compiled, on fresh
contexts, and the results and the contexts' final state are compared.
"""
from typing import Any, List

import pytest
import torch

import ember


@ember.script
class Context:
    """A context manager whose state is a tensor mutated in place, so its
    changes are visible outside the compiled code."""

    def __init__(self, start: int):
        self.count = torch.tensor([start], dtype=torch.double)

    def __enter__(self):
        self.count.add_(0.3)
        return self.count

    def __exit__(self, type: Any, value: Any, tb: Any) -> bool:
        self.count.sub_(0.3)
        return True


def with_basic(x: torch.Tensor) -> torch.Tensor:
    c = Context(1)
    with c as mult:
        y = x + mult
    y *= c.count
    return y


def with_pass(x: torch.Tensor) -> torch.Tensor:
    c = Context(1)
    with c as mult:
        pass
    x *= c.count
    return x


def with_early_return(x: torch.Tensor, c: Context) -> torch.Tensor:
    with c as mult:
        y = x + mult
        return y
    x = y + y
    return x


def with_conditional_early_return(x: torch.Tensor, c: Context) -> torch.Tensor:
    with c as mult:
        y = x + mult
        if mult > 0:
            return y
    x = y + y
    return x


def with_break(x: torch.Tensor, c: Context, l: List[int]) -> torch.Tensor:
    with c as mult:
        for a in l:
            if a == 0:
                break
            x += a * mult
    return x


def with_continue(x: torch.Tensor, c: Context, l: List[int]) -> torch.Tensor:
    with c as mult:
        for a in l:
            if a == 0:
                continue
            x += a * mult
    return x


def with_serial(x: torch.Tensor) -> torch.Tensor:
    c = Context(1)
    with c as mult:
        y = x + mult
    with c as mult:
        y *= mult
    return y


def with_nested(x: torch.Tensor) -> torch.Tensor:
    c = Context(1)
    with c as m:
        with c as n:
            y = x + n
        y *= m
    return y


def with_combined(x: torch.Tensor) -> torch.Tensor:
    c = Context(1)
    d = Context(2)
    with c as m, d as n:
        y = x + (m + n)
    return y


def without_as(x: torch.Tensor, c: Context, l: List[int]) -> torch.Tensor:
    with c:
        for a in l:
            if a == 0:
                continue
            x += a * c.count
    with c, Context(3):
        x *= c.count
    return x


_TAKES_CONTEXT = {with_early_return, with_conditional_early_return, with_break,
                  with_continue, without_as}


# Test that each form of `with` gives Python's result and leaves the context
# as Python leaves it.
@pytest.mark.parametrize("fn", [with_basic, with_pass, with_early_return,
                                with_conditional_early_return, with_break, with_continue,
                                with_serial, with_nested, with_combined, without_as],
                         ids=lambda f: f.__name__)
def test_with_matches_python(fn):
    compiled = ember.script(fn)
    x = torch.randn(2, 2)
    args, script_args = [x.clone()], [x.clone()]
    contexts = []
    if fn in _TAKES_CONTEXT:
        contexts = [Context(2), Context(2)]
        args.append(contexts[0])
        script_args.append(contexts[1])
    if fn in (with_break, with_continue, without_as):
        args.append([2, 0, 1, 3, 0, 2])
        script_args.append([2, 0, 1, 3, 0, 2])
    torch.testing.assert_close(compiled(*script_args), fn(*args))
    if contexts:
        torch.testing.assert_close(contexts[1].count, contexts[0].count)


@ember.script
def method_that_raises() -> torch.Tensor:
    raise Exception("raised exception")


@ember.script
def raises_in_with(x: torch.Tensor, c: Context) -> torch.Tensor:
    with c as _:
        x += method_that_raises()
    return x


@ember.script
def raises_in_nested_with(x: torch.Tensor, c: Context) -> torch.Tensor:
    with c as _:
        with c as _:
            x += method_that_raises()
    return x


@ember.script
def with_that_raises(c: Context) -> torch.Tensor:
    a = torch.tensor([1])
    with c as _:
        a += method_that_raises()
    return a


@ember.script
def raises_two_frames_down(x: torch.Tensor, c: Context) -> torch.Tensor:
    with c as _:
        x += with_that_raises(c)
    return x


# Test that an exception leaving the body runs __exit__ in every frame it
# crosses, and reaches the caller with the raise line highlighted.
@pytest.mark.parametrize("fn", [raises_in_with, raises_in_nested_with, raises_two_frames_down],
                         ids=lambda f: f.name)
def test_exception_runs_exit(fn):
    c = Context(1)
    with pytest.raises(Exception, match="raised exception") as info:
        fn(torch.randn(2), c)
    assert 'raise Exception("raised exception' in str(info.value)
    assert c.count.item() == pytest.approx(1.0)


@ember.script
class NoEnterNoExit:
    def __init__(self) -> None:
        self.count = 1


@ember.script
class BadEnter:
    def __init__(self) -> None:
        self.count = 1

    def __enter__(self, incr: int):  # noqa: PLE0302
        self.count += incr

    def __exit__(self, type: Any, value: Any, tb: Any):
        pass


@ember.script
class BadExit:
    def __init__(self) -> None:
        self.count = 1

    def __enter__(self):
        self.count += 1

    def __exit__(self, type: Any, value: Any):  # noqa: PLE0302
        pass


@ember.script
class ExitIncorrectTypes:
    def __init__(self) -> None:
        self.count = 1

    def __enter__(self):
        self.count += 1

    def __exit__(self, type: Any, value: int, tb: int):
        pass


def no_enter_no_exit(x: torch.Tensor, cm: NoEnterNoExit) -> torch.Tensor:
    with cm as _:
        pass
    return x


def bad_enter(x: torch.Tensor, cm: BadEnter) -> torch.Tensor:
    with cm as _:
        pass
    return x


def bad_exit(x: torch.Tensor, cm: BadExit) -> torch.Tensor:
    with cm as _:
        pass
    return x


def exit_incorrect_types(x: torch.Tensor, cm: ExitIncorrectTypes) -> torch.Tensor:
    with cm as _:
        pass
    return x


def enter_without_object():
    with "not_object" as obj:
        pass


# Test that ill-formed context managers are refused with TorchScript's
# messages, pointing at the manager expression.
@pytest.mark.parametrize("fn,message,highlight", [
    (no_enter_no_exit, "does not define __enter__ and __exit__ methods", "cm"),
    (bad_enter, "__enter__ must have only one argument and one return value", "cm"),
    (bad_exit, "__exit__ must have four arguments", "cm"),
    (exit_incorrect_types, "argument 2 of __exit__ must have Any type", "cm"),
    (enter_without_object, "must return an object", '"not_object"'),
], ids=lambda v: getattr(v, "__name__", None))
def test_ill_formed_managers(fn, message, highlight):
    with pytest.raises(RuntimeError, match=message) as info:
        ember.script(fn)
    assert f"with {highlight} as" in str(info.value)


# Test torch.no_grad(): results have no grad_fn, index assignment into a
# tensor requiring grad, and an ignored Python method called inside it.
def test_no_grad():
    def plain(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            w = x + y
        return w

    def assign(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            x[0] = y
        return x

    x = torch.ones(5, 5, requires_grad=True)
    y = torch.ones(5, 5) * 4
    w = ember.script(plain)(x, y)
    assert not w.requires_grad and w.grad_fn is None
    w = ember.script(assign)(x, torch.randn(5))
    assert w.requires_grad and w.grad_fn is None

    class NoGradModule(torch.nn.Module):
        @ember.ignore
        def adder(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            return x + y

        def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            with torch.no_grad():
                w = self.adder(x, y)
            return w

    assert not ember.script(NoGradModule())(x, y).requires_grad


# Test that record_function scopes reach the profiler, nested, with the ops
# run inside them as children.
def test_record_function():
    def with_rf(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        with torch.autograd.profiler.record_function("foo"):
            with torch.autograd.profiler.record_function("nested"):
                a = x + y
        return a

    scripted = ember.script(with_rf)
    with torch.autograd.profiler.profile() as p:
        scripted(torch.ones(2), torch.ones(2))
    p.key_averages()
    events = p.function_events
    foo = [e for e in events if e.name == "foo"]
    assert len(foo) == 1
    assert "nested" in (c.name for c in foo[0].cpu_children)
    nested = [e for e in events if e.name == "nested"][0]
    assert "aten::add" in (c.name for c in nested.cpu_children)
