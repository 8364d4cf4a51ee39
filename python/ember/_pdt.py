"""Profile-directed typing: `ember.script(fn, example_inputs=[(args...),
...])` types the parameters `fn` leaves unannotated from the values it is
given, as torch.jit's PDT does with MonkeyType's traces (which this machine
does not have): one type seen is that type, a type and None are Optional,
several types are Any. Containers are typed from their elements (`[4.9,
8.9]` is List[float], `(1, "a")` Tuple[int, str], `{0: [True]}`
Dict[int, List[bool]])."""
import ast
import builtins
import inspect

from . import _types

def _union(types):
    types = sorted(set(types))
    return types[0] if len(types) == 1 else "Union[%s]" % ", ".join(types)


def value_type(v):
    """The TorchScript type of an example value, as text: an attribute's
    inferred type (_types.infer_text), and for what that refuses, an empty
    container of Tensors or a Union of its elements' types, else Any."""
    try:
        return _types.infer_text(v)
    except _types.Unsupported:
        pass
    if builtins.isinstance(v, list):
        return "List[%s]" % (_union(value_type(e) for e in v) if v else "Tensor")
    if builtins.isinstance(v, tuple):
        return "Tuple[%s]" % ", ".join(value_type(e) for e in v)
    if builtins.isinstance(v, dict):
        if not v:
            return "Dict[str, Tensor]"
        return "Dict[%s, %s]" % (_union(value_type(k) for k in v), _union(value_type(e) for e in v.values()))
    return "Any"


def consolidate(types):
    """One parameter's type from the types it was seen with."""
    types = set(types)
    if len(types) == 2 and "NoneType" in types:
        return "Optional[%s]" % (types - {"NoneType"}).pop()
    return types.pop() if len(types) == 1 else "Any"


def annotate(text, fn, example_inputs):
    """`text` (fn's source, the file's line numbers kept) with a string
    annotation after each unannotated parameter the examples type."""
    params = list(inspect.signature(fn).parameters)
    seen = {name: [] for name in params}
    for args in example_inputs:
        bound = inspect.signature(fn).bind(*args)
        for name, value in bound.arguments.items():
            seen[name].append(value_type(value))
    node = next(n for n in ast.walk(ast.parse(text))
                if builtins.isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == fn.__name__)
    lines = text.split("\n")
    # Right to left, so that earlier offsets stay valid.
    for arg in sorted(node.args.posonlyargs + node.args.args + node.args.kwonlyargs,
                      key=lambda a: (a.lineno, a.col_offset), reverse=True):
        if arg.annotation is not None or not seen.get(arg.arg):
            continue
        line = lines[arg.lineno - 1]
        lines[arg.lineno - 1] = (line[:arg.end_col_offset] + ': "%s"' % consolidate(seen[arg.arg])
                                 + line[arg.end_col_offset:])
    return "\n".join(lines)
