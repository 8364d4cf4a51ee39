"""Overloaded functions and methods, as TorchScript compiles them.

torch declares overloads with stubs decorated `@_overload` (functions,
e.g. F.interpolate) or `@_overload_method` (methods, e.g. LSTM.forward)
placed before the implementation. TorchScript compiles the implementation's
body once per stub signature (`forward__0`, `forward__1`, ...) and a call
picks the first overload its arguments fit. ember finds the stubs by reading
the source file with `ast` and hands the compiler one function per stub:
the stub's signature over the implementation's body, the body keeping its
line numbers.
"""
import ast
import functools
import inspect
import linecache
import textwrap

_STUB_DECORATORS = frozenset(["_overload", "_overload_method"])


def _is_stub(node, scope):
    """Whether a decorator of `node` is torch's `_overload` or
    `_overload_method`, under those names or another one the module gives
    them (torch.functional imports `_overload as overload`); `scope` is the
    module's globals."""
    for d in node.decorator_list:
        name = ast.unparse(d)
        if name.split(".")[-1] in _STUB_DECORATORS:
            return True
        value = scope.get(name.split(".")[0])
        for part in name.split(".")[1:]:
            value = getattr(value, part, None)
        # The function keeps its own name under any other (typing.overload,
        # which declares nothing for TorchScript, is `overload`).
        if value is not None and getattr(value, "__name__", None) in _STUB_DECORATORS:
            return True
    return False


@functools.lru_cache(maxsize=256)
def _parsed_file(filename):
    text = "".join(linecache.getlines(filename))
    try:
        return ast.parse(text, type_comments=True)
    except SyntaxError:
        return None


def _stubs_in(body, name, scope):
    """The stubs of `name` among the statements `body`, also those under an
    `if` (torch.functional declares them in the `else` of `if TYPE_CHECKING`)."""
    stubs = []
    for n in body:
        if isinstance(n, ast.If):
            stubs += _stubs_in(n.body, name, scope) + _stubs_in(n.orelse, name, scope)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name \
                and _is_stub(n, scope):
            stubs.append(n)
    return stubs


def _stub_nodes(fn, owner=None):
    """The overload stubs of `fn` (a function, or a method of class `owner`)."""
    filename = inspect.getsourcefile(fn)
    tree = _parsed_file(filename) if filename else None
    if tree is None:
        return []
    if owner is None:
        return _stubs_in(tree.body, fn.__name__, fn.__globals__)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == owner.__name__ and \
                node.lineno <= fn.__code__.co_firstlineno <= (node.end_lineno or 0):
            return _stubs_in(node.body, fn.__name__, fn.__globals__)
    return []


def overload_sources(fn, owner=None):
    """[(name, source text, file name)] for each overload of `fn`, named
    `<name>__<i>`; empty when `fn` has no overload stubs."""
    stubs = _stub_nodes(fn, owner)
    if not stubs:
        return []
    lines, first = inspect.getsourcelines(fn)
    text = textwrap.dedent("".join(lines))
    body_lines = text.splitlines()
    tree = ast.parse(text)
    impl = tree.body[0]
    start = impl.body[0].lineno  # first body line, within `text`
    if start <= impl.lineno:
        return []  # a one-line def: no line to put the signature on
    filename = inspect.getsourcefile(fn) or "<unknown>"
    out = []
    for i, stub in enumerate(stubs):
        name = "%s__%d" % (fn.__name__, i)
        header = "def %s(%s)%s:" % (name, ast.unparse(stub.args),
                                    " -> " + ast.unparse(stub.returns) if stub.returns else "")
        if stub.type_comment:  # a signature comment, kept on the header's line
            header += "  # type: " + stub.type_comment
        # Blank the implementation's own header; the stub's signature goes
        # on the line just before the body, so the body keeps its lines.
        synthesized = [""] * (start - 2) + [header] + body_lines[start - 1:]
        out.append((name, "\n" * (first - 1) + "\n".join(synthesized) + "\n", filename))
    return out
