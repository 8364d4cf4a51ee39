"""Dataclasses as TorchScript compiles them (torch/jit/_dataclass_impls.py):
the magic methods `@dataclass` generated at run time have no source, so the
class text gets their TorchScript equivalents written out; methods the class
defines itself are kept. Field declarations (`x: float`, `p: InitVar[int] =
2`) are blanked: the synthesized `__init__` assigns the fields."""
import ast
import builtins
import dataclasses
import types
import typing

# Which comparisons each synthesized method makes: (operator, whether equal
# fields make it true), None for the equality pair.
_ORDERINGS = {"__lt__": ("<", False), "__le__": ("<", True),
              "__gt__": (">", False), "__ge__": (">", True)}
_MAGIC = ("__init__", "__repr__", "__hash__", "__eq__", "__ne__") + tuple(_ORDERINGS)


def dataclass_source(text, cls):
    """The class text with its generated magic methods written out, line
    numbers of what was there kept."""
    lines = text.split("\n")
    tree = ast.parse(text)
    node = next(n for n in tree.body if builtins.isinstance(n, ast.ClassDef))
    own = {n.name for n in node.body if builtins.isinstance(n, ast.FunctionDef)}
    declared = {}
    for stmt in node.body:
        if builtins.isinstance(stmt, ast.AnnAssign) and builtins.isinstance(stmt.target, ast.Name):
            declared[stmt.target.id] = stmt
            for k in range(stmt.lineno - 1, stmt.end_lineno):
                lines[k] = ""
    indent = " " * node.body[0].col_offset
    if not any(line.strip() for line in lines[node.lineno:node.end_lineno]):
        lines[node.end_lineno - 1] = indent + "pass"
    methods = []
    for name in _MAGIC:
        if name in own or not callable(vars(cls).get(name)):
            continue
        methods += _synthesize(name, cls, declared, text)
    out = lines[:node.end_lineno] + [indent + line for line in methods] + lines[node.end_lineno:]
    return "\n".join(out)


def _synthesize(name, cls, declared, text):
    if name == "__init__":
        return _init(cls, declared, text)
    if name == "__repr__":
        shown = ", ".join("%s=self.%s" % (f.name, f.name) for f in dataclasses.fields(cls) if f.repr)
        return ["def __repr__(self) -> str:", "    return '%s(%s)'" % (cls.__name__, shown)]
    if name == "__hash__":
        return ["def __hash__(self) -> int:",
                "    raise NotImplementedError('__hash__ is not supported for dataclasses in "
                "TorchScript')"]
    if name in ("__eq__", "__ne__"):
        converse = "!=" if name == "__eq__" else "=="
        return _comparison(cls, name, True, False, ["if val1 %s val2: return False" % converse])
    op, allow_eq = _ORDERINGS[name]
    return _comparison(cls, name, allow_eq, True, ["if val1 %s val2: return True" % op,
                                                   "elif val2 %s val1: return False" % op])


def _init(cls, declared, text):
    """`__init__` from the fields in declaration order, InitVars passed on
    to `__post_init__`, as dataclasses writes it."""
    fields = [f for f in _all_fields(cls) if f.init]
    params, body, init_vars = ["self"], [], []
    for f in fields:
        if f.default_factory is not dataclasses.MISSING:
            raise NotImplementedError(
                "Default factory initializers are not supported in TorchScript dataclasses")
        stmt = declared.get(f.name)
        if stmt is None:
            raise NotImplementedError(
                "field '%s' of dataclass '%s' is declared in a base class; TorchScript compiles "
                "dataclasses whose fields are declared in the class itself" % (f.name, cls.__name__))
        annotation = stmt.annotation
        if f._field_type is dataclasses._FIELD_INITVAR:
            init_vars.append(f.name)
            if builtins.isinstance(annotation, ast.Subscript):
                annotation = annotation.slice
        else:
            body.append("self.%s = %s" % (f.name, f.name))
        param = "%s: %s" % (f.name, ast.get_source_segment(text, annotation))
        default = _default_text(stmt, text)
        params.append(param if default is None else param + " = " + default)
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__(%s)" % ", ".join(init_vars))
    return ["def __init__(%s) -> None:" % ", ".join(params)] + ["    " + b for b in body or ["pass"]]


def _all_fields(cls):
    """The fields and the InitVar pseudo-fields, in declaration order."""
    return [f for f in vars(cls)["__dataclass_fields__"].values()
            if f._field_type is not dataclasses._FIELD_CLASSVAR]


def _default_text(stmt, text):
    """The default's source: `= 2`, or `field(default=2)`'s `2`."""
    value = stmt.value
    if value is None:
        return None
    if builtins.isinstance(value, ast.Call) and ast.get_source_segment(text, value.func) in (
            "field", "dataclasses.field"):
        for k in value.keywords:
            if k.arg == "default":
                return ast.get_source_segment(text, k.value)
        return None
    return ast.get_source_segment(text, value)


def _comparison(cls, name, allow_eq, raise_on_none, inner):
    body = []
    for f in dataclasses.fields(cls):
        if not f.compare:
            continue
        body += ["val1 = self.%s" % f.name, "val2 = other.%s" % f.name]
        if not _is_optional(f.type):
            body += inner
            continue
        # Refined first: TorchScript compares only values of known types.
        body += ["if val1 is not None and val2 is not None:"] + ["    " + line for line in inner]
        body += ["elif (val1 is None) != (val2 is None):",
                 "    raise TypeError('Cannot compare %s with None')" % cls.__name__
                 if raise_on_none else "    return False"]
    body.append("return %s" % allow_eq)
    return ["def %s(self, other: %s) -> bool:" % (name, cls.__name__)] + ["    " + b for b in body]


def _is_optional(t):
    if builtins.isinstance(t, str):
        return t.replace(" ", "").startswith(("Optional[", "typing.Optional["))
    return typing.get_origin(t) in (typing.Union, types.UnionType) and type(None) in typing.get_args(t)
