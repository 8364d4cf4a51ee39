"""Forward hooks and pre-hooks of scripted modules, against eager PyTorch and
torch.jit: compiled into the module's class, run when compiled code calls
the module and when Python does, kept in archives in torch.jit's layout
(`__forward_pre_hooks__`, `__torch__.Sub.pre(sub, (x,))`) both ways."""
import io
from typing import List, Tuple

import pytest
import torch
import torch.nn as nn

import ember


class Scale(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 3)

    def forward(self, x):
        return self.lin(x) * 2


class Outer(nn.Module):
    def __init__(self):
        super().__init__()
        self.sub = Scale()
        self.other = Scale()  # same class, no hooks: must not share the hooked type

    def forward(self, x):
        return self.sub(x) + self.other(x)


def times_ten(module, inputs: Tuple[torch.Tensor]) -> Tuple[torch.Tensor]:
    return (inputs[0] * 10,)


def observe(module, inputs: Tuple[torch.Tensor]) -> None:
    pass


def minus_input(module, inputs: Tuple[torch.Tensor], output: torch.Tensor) -> torch.Tensor:
    return output - inputs[0]


def shift(module, inputs: Tuple[torch.Tensor], output: torch.Tensor) -> torch.Tensor:
    return output + 0.5


def _hooked():
    torch.manual_seed(0)
    m = Outer()
    m.sub.register_forward_pre_hook(times_ten)
    m.sub.register_forward_pre_hook(observe)
    m.sub.register_forward_hook(minus_input)
    m.register_forward_hook(shift)
    return m


def test_hooks_run_in_compiled_and_python_calls():
    eager = _hooked()
    scripted = ember.script(eager)
    x = torch.randn(2, 3)
    with torch.no_grad():
        torch.testing.assert_close(scripted(x), eager(x))          # root hook from Python
        torch.testing.assert_close(scripted.sub(x), eager.sub(x))  # submodule called directly
        torch.testing.assert_close(scripted.other(x), eager.other(x))
        # forward itself runs no hooks, as in torch.jit and eager.
        torch.testing.assert_close(scripted.forward(x), eager.forward(x))
    # Hooks are called as functions of the class's namespace, as
    # TorchScript prints them.
    code, reference = scripted.code, torch.jit.script(eager).code
    for text in (code, reference):
        assert "Scale.times_ten(sub, (x,), )" in text or "Scale.times_ten\n" in text
        assert "Scale.minus_input" in text


@pytest.mark.parametrize("writer", ["ember", "torch"])
def test_hooks_survive_archives_both_ways(writer):
    eager = _hooked()
    buffer = io.BytesIO()
    if writer == "ember":
        ember.save(ember.script(eager), buffer)
    else:
        torch.jit.save(torch.jit.script(eager), buffer)
    x = torch.randn(2, 3)
    with torch.no_grad():
        buffer.seek(0)
        loaded = ember.load(buffer)
        torch.testing.assert_close(loaded(x), eager(x))
        torch.testing.assert_close(loaded.sub(x), eager.sub(x))
        buffer.seek(0)
        reloaded = torch.jit.load(buffer)
        torch.testing.assert_close(reloaded(x), eager(x))
        torch.testing.assert_close(reloaded.sub(x), eager.sub(x))


# Test that a pre-hook without a return annotation is refused, as torch.jit
# refuses it.
def test_hook_without_return_annotation_is_refused_as_torch_does():
    def unannotated(module, inputs: Tuple[torch.Tensor]):
        return inputs

    m = Scale()
    m.register_forward_pre_hook(unannotated)
    with pytest.raises(RuntimeError, match="missing a return annotation"):
        ember.script(m)
    with pytest.raises(RuntimeError, match="missing a return annotation"):
        torch.jit.script(m)


def test_hooks_of_submodules_survive_freezing_and_own_hooks_are_refused():
    eager = _hooked().eval()
    with pytest.raises(RuntimeError, match="forward hooks of its own"):
        ember.freeze(ember.script(eager).eval())
    inner = Outer().eval()
    inner.sub.register_forward_pre_hook(times_ten)
    frozen = ember.freeze(ember.script(inner).eval())
    x = torch.randn(2, 3)
    with torch.no_grad():
        torch.testing.assert_close(frozen(x), inner(x))


class Tag(nn.Module):
    def __init__(self, name: str):
        super().__init__()
        self.name = name

    def forward(self, text: str):
        return text + "_" + self.name


class TagsTwice(nn.Module):
    def __init__(self):
        super().__init__()
        self.name = "outer"
        self.inner = Tag("inner")

    def forward(self, text: str):
        return self.inner(text + "_outer")


class Pairs(nn.Module):
    def forward(self, words: List[str], last: str):
        words.append(last)
        return words, last + "!"


class TakesTuple(nn.Module):
    def forward(self, pair: Tuple[int, int]):
        return pair[0] + pair[1]


class NoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.name = "none"

    def forward(self):
        assert self.name == "none"


def rename(self, input: Tuple[str]) -> Tuple[str]:
    return (input[0] + "_pre",)


def rename_bare(self, input: Tuple[str]) -> str:
    return input[0] + "_bare"


def leaves_input(self, input: Tuple[str]) -> None:
    assert len(input[0]) > 0


def suffix(self, input: Tuple[str], output: str):
    return output + "_" + self.name


def doubles(self, input: Tuple[str], output: str):
    return output, output


def joins(self, input: Tuple[str], output: Tuple[str, str]):
    return output[0] + output[1]


def observes(self, input: Tuple[str], output: str):
    assert output.startswith(input[0])


def swap_pairs(self, input: Tuple[List[str], str]) -> Tuple[List[str], str]:
    return ["first"], input[1] + "?"


def count_pairs(self, input: Tuple[List[str], str], output: Tuple[List[str], str]):
    return len(output[0]), output[1]


def nested_tuple(self, input: Tuple[Tuple[int, int]]) -> Tuple[Tuple[int, int]]:
    return ((input[0][0] * 10, input[0][1]),)


def none_in(self, input: Tuple[()]) -> None:
    assert self.name == "none"


def none_out(self, input: Tuple[()], output: None):
    assert self.name == "none"


def _hook_cases():
    def outer(pre, post):
        m = TagsTwice()
        for h in pre:
            m.register_forward_pre_hook(h)
        for h in post:
            m.register_forward_hook(h)
        return m, ("a",)

    def inner(pre, post):
        m, args = outer([], [])
        for h in pre:
            m.inner.register_forward_pre_hook(h)
        for h in post:
            m.inner.register_forward_hook(h)
        return m, args

    def pairs():
        m = Pairs()
        m.register_forward_pre_hook(swap_pairs)
        m.register_forward_hook(count_pairs)
        return m, (["x"], "y")

    def tuples():
        m = TakesTuple()
        m.register_forward_pre_hook(nested_tuple)
        return m, ((1, 2),)

    def no_inputs():
        m = NoInputs()
        m.register_forward_pre_hook(none_in)
        m.register_forward_hook(none_out)
        return m, ()

    return {
        "outer": lambda: outer([rename], [suffix]),
        "inner": lambda: inner([rename], [suffix]),
        "repeated": lambda: outer([rename, rename], [suffix, suffix]),
        "bare-return": lambda: inner([rename_bare], [suffix]),
        "returns-none": lambda: inner([leaves_input], [observes]),
        "chained-types": lambda: outer([], [doubles, joins]),
        "several-inputs": pairs,
        "tuple-input": tuples,
        "no-inputs": no_inputs,
    }


# Test that pre-hooks and hooks of every signature torch.jit accepts
# (forward hooks need no return annotation) run as eager PyTorch runs them,
# and give what torch.jit gives.
@pytest.mark.parametrize("case", list(_hook_cases()))
def test_hook_signatures_run_as_eager(case):
    make = _hook_cases()[case]
    (m, args), (m2, args2), (m3, args3) = make(), make(), make()
    got = ember.script(m)(*args)
    assert got == m2(*args2) == torch.jit.script(m3)(*args3)


# Test that calling forward directly skips the module's own hooks, but not
# those of the submodules it calls.
def test_forward_called_directly_skips_own_hooks():
    m = TagsTwice()
    m.register_forward_pre_hook(rename)
    m.inner.register_forward_hook(suffix)
    s = ember.script(m)
    assert s.forward("a") == m.forward("a") == "a_outer_inner_inner"
    assert s("a") == m("a") != s.forward("a")


def foo(self, input: Tuple[str]) -> Tuple[str]:
    return input


class HasFoo(Tag):
    def foo(self, text: str) -> str:
        return text

    def forward(self, text: str):
        return self.foo(text)


def _same_name_pre_hooks(module):
    def twin(self, input: Tuple[str]) -> Tuple[str]:
        return input
    module.register_forward_pre_hook(twin)

    def twin(self, input: Tuple[str]) -> Tuple[str]:  # noqa: F811
        return input
    module.register_forward_pre_hook(twin)


# Test that hook names must not collide with methods or with each other,
# with torch.jit's words.
@pytest.mark.parametrize("jit", [ember, torch.jit], ids=["ember", "torch"])
def test_hook_name_collisions(jit):
    m = HasFoo("x")
    m.register_forward_pre_hook(foo)
    with pytest.raises(RuntimeError, match="Can't define hook: foo on class: .+ because a method or "
                                           "hook with that name already exists."):
        jit.script(m)
    m = Tag("x")
    _same_name_pre_hooks(m)
    with pytest.raises(RuntimeError, match="Pre-hook 'twin' on Tag has at least two different python "
                                           "definitions. Please use unique names for all hooks."):
        jit.script(m)


def pre_none_inside(self, input: Tuple[None]) -> Tuple[str]:
    return ("x",)


def pre_extra(self, input: Tuple[str], extra: str) -> Tuple[str]:
    return ("x",)


def pre_not_tuple(self, input: int) -> Tuple[str]:
    return ("x",)


def pre_returns_int(self, input: Tuple[str]) -> int:
    return 1


def pre_unwrapped_tuple(self, input: Tuple[Tuple[int, int]]) -> Tuple[int, int]:
    return (1, 2)


def post_two_inputs(self, input: Tuple[str, str], output: str):
    return output


def post_not_tuple(self, input: str, output: str):
    return output


def post_wrong_output(self, input: Tuple[str], output: Tuple[str]):
    return output


def post_tuples(self, input: Tuple[str], output: str):
    return (output,)


def post_after_tuples(self, input: Tuple[str], output: str):
    return output


WRONG_HOOKS = [
    ([pre_none_inside], [], r"Pre-hook 'pre_none_inside' on module 'Tag' has the wrong inner types for "
                            r"the input tuple argument. Received type: 'Tuple\[NoneType\]'"),
    ([pre_extra], [], "was expected to only have exactly 2 inputs but it had 3 inputs"),
    ([pre_not_tuple], [], "expected the input argument to be typed as a Tuple but found type: 'int' "
                          "instead"),
    ([pre_returns_int], [], "returned the wrong type of: 'int'"),
    ([], [post_two_inputs], r"Hook 'post_two_inputs' on module 'Tag' has the wrong number of contained "
                            r"types for the input argument's Tuple. Received type: 'Tuple\[str, str\]'"),
    ([], [post_not_tuple], "expected the input argument to be typed as a Tuple but found type: 'str' "
                           "instead"),
    ([], [post_wrong_output], r"has the wrong type for the output argument. Received type: "
                              r"'Tuple\[str\]'. Expected type: 'str'"),
    ([], [post_tuples, post_after_tuples], r"Hook 'post_after_tuples' .* has the wrong type for the "
                                           r"output argument. Received type: 'str'. Expected type: "
                                           r"'Tuple\[str\]'"),
]


# Test that hooks whose signatures do not fit forward are refused with
# torch.jit's words, by ember as by torch.jit.
@pytest.mark.parametrize("pre,post,message", WRONG_HOOKS, ids=[str(i) for i in range(len(WRONG_HOOKS))])
@pytest.mark.parametrize("jit", [ember, torch.jit], ids=["ember", "torch"])
def test_wrong_hook_signatures_are_refused(jit, pre, post, message):
    m = Tag("x")
    for h in pre:
        m.register_forward_pre_hook(h)
    for h in post:
        m.register_forward_hook(h)
    with pytest.raises(RuntimeError, match=message):
        jit.script(m)


# Test that a pre-hook of a forward taking one tuple must return it wrapped
# in another tuple.
@pytest.mark.parametrize("jit", [ember, torch.jit], ids=["ember", "torch"])
def test_single_tuple_input_needs_a_nested_return(jit):
    m = TakesTuple()
    m.register_forward_pre_hook(pre_unwrapped_tuple)
    with pytest.raises(RuntimeError, match="When forward has a single tuple input argument, the return "
                                           "needs to be 'None' or a nested tuple"):
        jit.script(m)
