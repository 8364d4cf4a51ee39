"""The Python source ember compiles, as TorchScript reads it: a function's
or class's text with its file's line numbers, the checks torch.jit makes on
it first, and the rewritings it applies (@unused bodies, interface
headers, namedtuple classes, names that annotations capture)."""
import ast
import builtins
import inspect
import linecache
import re
import textwrap
import typing

import torch

from . import _errors
from ._defaults import with_literal_defaults
from . import _types


def _class_lines(cls):
    """(lines, first line) of a class's definition, found by where its
    methods are: inspect finds a class by its qualified name, so of two
    classes of one name in one function it would give the first for both."""
    methods = [f for f in (getattr(m, "__func__", m) for m in vars(cls).values())
               if inspect.isfunction(f) and f.__qualname__.startswith(cls.__qualname__ + ".")
               and not f.__code__.co_filename.startswith("<")]  # not made by @dataclass
    filename = inspect.getsourcefile(cls) if methods else None
    if not filename:
        return None
    text = "".join(linecache.getlines(filename))
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    line = methods[0].__code__.co_firstlineno
    found = None
    for node in ast.walk(tree):
        if builtins.isinstance(node, ast.ClassDef) and node.name == cls.__name__ and \
                node.lineno <= line <= node.end_lineno and (found is None or node.lineno > found.lineno):
            found = node
    if found is None:
        return None
    first = min([found.lineno] + [d.lineno for d in found.decorator_list])
    return text.splitlines(keepends=True)[first - 1:found.end_lineno], first


def _dedented(text):
    """`text` dedented, and the margin that took off: the compiler is given
    the text with its margin back (`_indented`), so that its columns, and
    the lines its errors show, are the file's, as TorchScript's are."""
    out = textwrap.dedent(text)
    for a, b in zip(text.splitlines(), out.splitlines()):
        if b.strip():
            return out, a[:len(a) - len(b)]
    return out, ""


def _indented(text, margin):
    """`text` with `margin` put back on every line that is not blank."""
    if not margin:
        return text
    return "\n".join(margin + line if line.strip() else line for line in text.split("\n"))


def _source_of(obj):
    """The source of a function or class, dedented, with decorators blanked
    and leading blank lines so that line numbers are the file's."""
    try:
        located = _class_lines(obj) if inspect.isclass(obj) else None
        lines, first = located or inspect.getsourcelines(obj)
    except (OSError, TypeError) as e:
        raise OSError("cannot get the source of %r: ember.script compiles Python source, so it "
                      "must be defined in a .py file that is still available (%s)" % (obj, e)) from e
    text = textwrap.dedent("".join(lines))
    out = []
    started = False
    for line in text.splitlines():
        if not started and line.startswith("@"):
            out.append("")
            continue
        started = started or line.startswith(("def ", "class ", "async def "))
        out.append(line)
    filename = inspect.getsourcefile(obj) or "<unknown>"
    functions = [obj] if inspect.isfunction(obj) else [
        getattr(m, "__func__", m) for m in vars(obj).values()] if inspect.isclass(obj) else []
    for fn in functions:
        _check_mutable_defaults(fn, filename)
    text = "\n" * (first - 1) + "\n".join(out) + "\n"
    try:
        _check_attribute_annotations(ast.parse(text), filename)
    except SyntaxError:
        pass  # the compiler reports it
    return with_literal_defaults(text, functions), filename


def source_margin(obj):
    """The indentation `_source_of` takes off the source of `obj`, for
    `_indented` to put back where the text goes to the compiler."""
    try:
        located = _class_lines(obj) if inspect.isclass(obj) else None
        lines, _ = located or inspect.getsourcelines(obj)
    except (OSError, TypeError):
        return ""
    return _dedented("".join(lines))[1]


def _check_mutable_defaults(fn, filename):
    """As TorchScript: a list or dict default would be one object shared by
    every call, so a compiled function may not have one."""
    if not inspect.isfunction(fn) or _modifier(fn) in ("ignore", "unused"):
        return
    for p in inspect.signature(fn).parameters.values():
        if builtins.isinstance(p.default, (list, dict)):
            line = fn.__code__.co_firstlineno
            raise _errors.CompileError(
                "%s:%d:1: error: Mutable default parameters are not supported because Python binds "
                "them to the function and they persist across function calls. As a workaround, "
                "make the default None and instantiate the default parameter within the body of "
                "the function. Found %s on parameter %s" % (filename, line, type(p.default), p.name))


def _check_attribute_annotations(tree, filename):
    """As torch.jit's frontend: the type of an attribute is declared in
    `__init__`; `self.x: int = v` in another method is a ValueError,
    `self.x: int` underlined. Every method of a class's source is checked,
    @ignore'd ones too, as torch.jit parses them all; a module's @ignore'd
    methods are not read (_method_source checks compiled ones only)."""
    for fn in ast.walk(tree):
        if not builtins.isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or fn.name == "__init__":
            continue
        for node in ast.walk(fn):
            target = getattr(node, "target", None)
            if not (builtins.isinstance(node, ast.AnnAssign) and builtins.isinstance(target, ast.Attribute)
                    and builtins.isinstance(target.value, ast.Name) and target.value.id == "self"):
                continue
            length = len("self." + target.attr)
            if builtins.isinstance(node.annotation, ast.Name):
                length += len(": " + node.annotation.id)
            source = linecache.getline(filename, node.lineno).rstrip("\n")
            column = len(source) - len(source.lstrip()) + 1  # the statement starts its line
            raise _errors.AnnotationPlacementError(_errors.render(
                filename, node.lineno, column, length,
                "Type annotations on instance attributes must be declared in __init__, not '%s'"
                % fn.name, source))


def _named_tuple_source(cls):
    """A collections.namedtuple class (torch's PackedSequence) as the
    NamedTuple TorchScript makes of it: annotated fields keep their types,
    the others are Tensor; defaults of literal values are kept."""
    defaults = getattr(cls, "_field_defaults", {})
    hints = {}
    for klass in reversed(cls.__mro__):
        hints.update(vars(klass).get("__annotations__", {}))  # creates none
    lines = ["class %s(NamedTuple):" % cls.__name__]
    for field in cls._fields:
        try:
            text = _types.annotation_text(hints.get(field, torch.Tensor))
        except _types.Unsupported:
            text = "Tensor"
        default = ""
        if field in defaults and isinstance(defaults[field], (type(None), bool, int, float, str)):
            default = " = " + repr(defaults[field])
        lines.append("    %s: %s%s" % (field, text, default))
    return "\n".join(lines) + "\n", "<namedtuple %s.%s>" % (cls.__module__, cls.__name__)


def _interface_header(text, cls):
    """The class's source with its bases replaced as archive code writes an
    interface: `class I(ModuleInterface):`, or `(Interface)` if it is not
    an nn.Module."""
    base = "ModuleInterface" if issubclass(cls, torch.nn.Module) else "Interface"
    return re.sub(r"^class\s+(\w+)\s*(\([^)]*\))?\s*:", r"class \1(%s):" % base, text, count=1,
                  flags=re.MULTILINE)


def _annotation_captures(fn):
    """Names that the function's annotations spell and Python evaluated
    when it was defined (`x: tensor_t` with a local `tensor_t =
    torch.Tensor`): they are no closure cells, so, as TorchScript's
    get_type_hint_captures, they are read from `__annotations__`."""
    annotations = getattr(fn, "__annotations__", None)
    if not annotations:
        return {}
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return {}
    defs = [n for n in tree.body if builtins.isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if not defs:
        return {}
    node = defs[0]
    spelled = {a.arg: a.annotation for a in node.args.args + node.args.kwonlyargs}
    spelled["return"] = node.returns
    captures = {}
    for name, value in annotations.items():
        if spelled.get(name) is not None:
            _capture_names(spelled[name], value, captures)
    return captures


def _capture_names(expr, value, captures):
    """Pairs the names in annotation `expr` with the parts of its value
    (`Dict[str, Entry]` with Dict[str, Tuple[Tensor, Tensor]] gives
    Entry = Tuple[Tensor, Tensor])."""
    if builtins.isinstance(value, str):
        return
    if builtins.isinstance(expr, ast.Name):
        if getattr(builtins, expr.id, None) is not value:
            captures[expr.id] = value
    elif builtins.isinstance(expr, ast.Subscript):
        args = typing.get_args(value)
        parts = expr.slice.elts if builtins.isinstance(expr.slice, ast.Tuple) else [expr.slice]
        if len(parts) == 1 and len(args) == 2 and type(None) in args:  # Optional[T]
            args = [a for a in args if a is not type(None)]
        if len(parts) == len(args):
            for part, arg in zip(parts, args):
                _capture_names(part, arg, captures)


def _without_unused_bodies(text, cls):
    """The class source with each @unused method replaced by the stand-in
    TorchScript compiles (parameters Any, body a raise), lines kept."""
    lines = text.split("\n")
    for member in vars(cls).values():
        fn = getattr(member, "__func__", member)
        if not inspect.isfunction(fn) or _modifier(fn) != "unused":
            continue
        try:
            stand_in, first, count = unused_stand_in(fn)
        except (OSError, TypeError, SyntaxError):
            continue
        # The class text is dedented: so is the method, by the same amount.
        shift = len(stand_in[0]) - len(stand_in[0].lstrip()) - \
            (len(lines[first - 1]) - len(lines[first - 1].lstrip()))
        lines[first - 1:first - 1 + count] = [line[shift:] for line in stand_in]
    return "\n".join(lines)


def unused_stand_in(fn):
    """An @unused function as TorchScript compiles it (frontend.py's
    get_jit_def): every parameter `Any`, no `*args`/`**kwargs`, the body a
    raise; the return annotation kept. The text keeps the file's line
    numbers, with the def indented as `fn` is. (text, first line, count)."""
    lines, first = inspect.getsourcelines(fn)
    indent = lines[0][:len(lines[0]) - len(lines[0].lstrip())]
    # (A `# type:` signature comment stays: as in TorchScript, its types win.)
    node = ast.parse(textwrap.dedent("".join(lines)), type_comments=True).body[0]
    node.decorator_list = []
    node.args.vararg = node.args.kwarg = None
    for arg in node.args.posonlyargs + node.args.args + node.args.kwonlyargs:
        arg.annotation = ast.Name(id="Any", ctx=ast.Load())
    node.body = [ast.parse('raise RuntimeError("Cannot call @unused methods")').body[0]]
    stand_in = [indent + line for line in ast.unparse(node).splitlines()]
    return stand_in + [""] * max(0, len(lines) - len(stand_in)), first, len(lines)


def _method_source(fn, kind, static, decorator=None):
    """The source of a method for the compiler: its file's line numbers kept,
    decorators blanked (`@staticmethod`, or `decorator` where given, put
    back), and for `python`/`unused` methods the body replaced by `pass`
    (only the signature is read)."""
    lines, first = inspect.getsourcelines(fn)
    filename = inspect.getsourcefile(fn) or "<unknown>"
    if kind == "unused" and not static and not decorator:
        stand_in, first, _ = unused_stand_in(fn)
        return "\n" * (first - 1) + "\n".join(stand_in) + "\n", filename
    text, margin = _dedented("".join(lines))
    body = []
    started = False
    for line in text.splitlines():
        if not started and line.lstrip().startswith("@"):
            body.append("")
            continue
        started = started or line.startswith(("def ", "async def "))
        body.append(line)
    tree = ast.parse("\n".join(body))
    if kind == "script":
        ast.increment_lineno(tree, first - 1)
        _check_attribute_annotations(tree, filename)
        ast.increment_lineno(tree, 1 - first)
    node = tree.body[0]
    if (static or decorator) and node.lineno >= 2:
        body[node.lineno - 2] = decorator or "@staticmethod"
    if kind != "script":
        stmt = node.body[0]
        line = body[stmt.lineno - 1]
        if not line[:stmt.col_offset].strip():
            body = body[:stmt.lineno - 1] + [line[:stmt.col_offset] + "pass"]
        else:  # `def f(self): return 1`: the body shares the line
            body = body[:stmt.lineno - 1] + [line[:stmt.col_offset] + " pass"]
    text = with_literal_defaults("\n" * (first - 1) + "\n".join(body) + "\n", [fn])
    return _indented(text, margin), filename


def _modifier(fn):
    from ._module import _modifier as modifier  # (_module imports this file)
    return modifier(fn)
