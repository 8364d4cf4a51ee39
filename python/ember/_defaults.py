"""Default values of parameters as torch.jit takes them: Python evaluates a
default once, when the `def` runs, and torch.jit reads the value, not the
expression. ember compiles source text, so a default that is not a literal
(`eps: float = EPS`, `k: int = 2 * K`, `a: float = math.pi`) is written
into the text as the literal of its value before the compiler sees it.
A tensor, which has no literal, is written as a name that the resolver
answers with the tensor itself (TorchScript keeps it as a constant, printed
`CONSTANTS.c0`). Other values with no literal spelling are left as written
(the compiler refuses what it cannot read)."""
import ast
import builtins
import enum
import inspect
import weakref

import torch

# The tensors standing in defaults, by the name written for them; held as
# long as their functions hold them.
_tensor_defaults = weakref.WeakValueDictionary()


def tensor_default(name):
    """The tensor a default written `name` stands for, or None."""
    return _tensor_defaults.get(name)


def _tensor_name(value):
    name = "__ember_tensor_default_%d" % id(value)
    _tensor_defaults[name] = value
    return name


def _is_literal(node):
    if builtins.isinstance(node, ast.Constant):
        return True
    if builtins.isinstance(node, ast.UnaryOp) and builtins.isinstance(node.op, ast.USub):
        return builtins.isinstance(node.operand, ast.Constant)
    if builtins.isinstance(node, ast.Tuple):
        return all(_is_literal(e) for e in node.elts)
    return False


def _spelled(value):
    """The literal text of `value`, or None when it has none."""
    if value is None or builtins.isinstance(value, (bool, int, float, str)):
        return repr(value)
    if builtins.isinstance(value, torch.dtype):
        return "torch." + str(value).split(".")[-1]
    if builtins.isinstance(value, enum.Enum):
        return "%s.%s" % (type(value).__name__, value.name)
    if builtins.isinstance(value, torch.device):
        return 'torch.device("%s")' % value
    if builtins.isinstance(value, tuple):
        items = [_spelled(v) for v in value]
        if any(i is None for i in items):
            return None
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    return None


def _default_nodes(node, fn):
    """(default expression, its value) for each parameter of `node` (the
    `def` of `fn`) that has a default."""
    args = node.args
    values = fn.__defaults__ or ()
    pairs = list(zip(args.defaults, values[len(values) - len(args.defaults):]))
    kw = fn.__kwdefaults__ or {}
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        if default is not None and arg.arg in kw:
            pairs.append((default, kw[arg.arg]))
    return pairs


def with_literal_defaults(text, functions):
    """`text` (source whose line numbers are the file's) with the defaults
    of the `def`s of `functions` that are not literals replaced by the
    literals of their values; line numbers are kept."""
    by_name = {}
    for fn in functions:
        fn = inspect.unwrap(getattr(fn, "__func__", fn))
        if inspect.isfunction(fn) and (fn.__defaults__ or fn.__kwdefaults__):
            by_name.setdefault(fn.__name__, []).append(fn)
    if not by_name:
        return text
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return text  # the compiler reports it
    edits = []
    for node in ast.walk(tree):
        if not builtins.isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        # The function whose code starts at the `def` or at a decorator
        # above it (the source may have its decorators blanked).
        starts = [f for f in by_name.get(node.name, ()) if f.__code__.co_firstlineno <= node.lineno]
        if not starts:
            continue
        fn = max(starts, key=lambda f: f.__code__.co_firstlineno)
        for expr, value in _default_nodes(node, fn):
            literal = None if _is_literal(expr) else (
                _tensor_name(value) if builtins.isinstance(value, torch.Tensor) else _spelled(value))
            if literal is not None:
                edits.append((expr.lineno, expr.col_offset, expr.end_lineno, expr.end_col_offset,
                              literal))
    lines = text.split("\n")
    for l1, c1, l2, c2, literal in sorted(edits, reverse=True):
        head = lines[l1 - 1].encode()[:c1].decode()
        tail = lines[l2 - 1].encode()[c2:].decode()
        # Inside the parameter list's parentheses, newlines may stay.
        lines[l1 - 1:l2] = (head + literal + "\n" * (l2 - l1) + tail).split("\n")
    return "\n".join(lines)
