"""TorchScript types of Python values and annotations, as annotation text.

Module attributes are declared to the compiler in the code dialect
(`weight : Tensor`, `k : Final[int] = 3`), so types are written as the text
TorchScript prints; the C++ frontend parses them. Inference follows
torch.jit's rules for attribute values: empty containers cannot be typed
and need an annotation.
"""
import builtins
import inspect
import math
import types
import typing

import torch


class Unsupported(TypeError):
    """A value or annotation TorchScript has no type for (with the reason)."""


def _final_arg(ann):
    """(True, inner) for Final / Final[T] annotations, else (False, ann)."""
    if ann is typing.Final:
        return True, None
    if typing.get_origin(ann) is typing.Final:
        return True, typing.get_args(ann)[0]
    if builtins.isinstance(ann, str) and (ann == "Final" or ann.startswith(("Final[", "typing.Final",
                                                                             "torch.jit.Final"))):
        return True, None
    return False, ann


def is_final(ann):
    return _final_arg(ann)[0]


def final_inner(ann):
    return _final_arg(ann)[1]


def _broadcasting_list(args):
    """torch.nn's `_size_2_t` (Union[int, Tuple[int, int]]) and its kin, as
    TorchScript reads them: a BroadcastingList (one int stands for all)."""
    if len(args) != 2:
        return None
    for scalar, tup in (args, args[::-1]):
        items = typing.get_args(tup)
        if (scalar in (int, float) and typing.get_origin(tup) in (tuple, typing.Tuple) and items
                and all(a is scalar for a in items)):
            return "BroadcastingList%d[%s]" % (len(items), scalar.__name__)
    return None


def annotation_text(ann, class_name=None):
    """The TorchScript spelling of a Python annotation. `class_name(cls)`
    names script classes and modules (None: not supported)."""
    if ann is None or ann is type(None):
        return "NoneType"
    if builtins.isinstance(ann, str):
        return ann  # a forward reference: the frontend reads the text itself
    if builtins.isinstance(ann, typing.ForwardRef):  # `a: "int"` in a NamedTuple
        return ann.__forward_arg__
    simple = {int: "int", float: "float", bool: "bool", str: "str", complex: "complex",
              torch.Tensor: "Tensor", torch.nn.Parameter: "Tensor", torch.device: "Device",
              torch.dtype: "int", typing.Any: "Any"}
    if ann in simple:
        return simple[ann]
    origin, args = typing.get_origin(ann), typing.get_args(ann)
    if ann in (list, dict, tuple, typing.List, typing.Dict, typing.Tuple, typing.Optional):
        raise Unsupported("a container type needs its contained types")
    if origin in (list, typing.List):
        return "List[%s]" % annotation_text(args[0], class_name)
    if origin in (dict, typing.Dict):
        return "Dict[%s, %s]" % (annotation_text(args[0], class_name),
                                 annotation_text(args[1], class_name))
    if origin in (tuple, typing.Tuple):
        if not args or args == ((),):
            return "Tuple[()]"
        return "Tuple[%s]" % ", ".join(annotation_text(a, class_name) for a in args)
    if origin is typing.Union or origin is types.UnionType:  # Optional[T], T | None
        others = [a for a in args if a is not type(None)]
        broadcast = _broadcasting_list(args)
        if broadcast:
            return broadcast
        if len(others) == 1 and len(args) == 2:
            return "Optional[%s]" % annotation_text(others[0], class_name)
        return "Union[%s]" % ", ".join(annotation_text(a, class_name) for a in args)
    if inspect.isclass(ann) and class_name is not None:
        name = class_name(ann)
        if name:
            return name
    raise Unsupported("TorchScript has no type for the annotation %r" % (ann,))


def infer_text(value):
    """The TorchScript type of an attribute value, as torch.jit infers it."""
    if builtins.isinstance(value, bool):
        return "bool"
    if builtins.isinstance(value, int):
        return "int"
    if builtins.isinstance(value, float):
        return "float"
    if builtins.isinstance(value, str):
        return "str"
    if builtins.isinstance(value, complex):
        return "complex"
    if builtins.isinstance(value, torch.Tensor):
        return "Tensor"
    if value is None:
        return "NoneType"
    if builtins.isinstance(value, torch.device):
        return "Device"
    if builtins.isinstance(value, torch.dtype):
        return "int"  # TorchScript's ScalarType is an int
    if builtins.isinstance(value, tuple):
        if not value:
            return "Tuple[()]"
        return "Tuple[%s]" % ", ".join(infer_text(v) for v in value)
    if builtins.isinstance(value, list):
        if not value:
            raise Unsupported("an empty list has no element type; annotate the attribute "
                              "(e.g. `x: List[int]` in the class body)")
        if any(builtins.isinstance(v, torch.nn.Module) for v in value):
            # torch.jit's words, which code written for it matches on.
            raise Unsupported("Could not infer type of list element: Cannot infer concrete type "
                              "of torch.nn.Module; hold modules in an nn.ModuleList")
        return "List[%s]" % _common(infer_text(v) for v in value)
    if builtins.isinstance(value, dict):
        if not value:
            raise Unsupported("an empty dict has no key and value types; annotate the attribute "
                              "(e.g. `x: Dict[str, int]` in the class body)")
        return "Dict[%s, %s]" % (_common(infer_text(k) for k in value),
                                 _common(infer_text(v) for v in value.values()))
    if builtins.isinstance(value, torch.ScriptObject):
        # A torchbind object (packed quantized weights): pickling it gives
        # its state and its class's qualified name.
        try:
            return value.__getstate__()[1]
        except RuntimeError:
            raise Unsupported("a torch.ScriptObject whose class has no __getstate__ cannot "
                              "be an attribute of compiled code") from None
    raise Unsupported("failed to convert Python type: '%s' to a TorchScript type"
                      % type(value).__name__)


def _common(texts):
    """The type of elements of types `texts`, unified as TorchScript's
    unifyTypes does: None with T (or Optional[T]) is Optional[T]."""
    texts = set(texts)
    optional = "NoneType" in texts and len(texts) > 1
    base = {t[len("Optional["):-1] if t.startswith("Optional[") else t
            for t in texts if t != "NoneType"} if optional or any(
                t.startswith("Optional[") for t in texts) else texts
    if len(base) != 1:
        raise Unsupported("the elements have different types (%s)" % ", ".join(sorted(texts)))
    only = base.pop()
    optional = optional or any(t.startswith("Optional[") for t in texts)
    return "Optional[%s]" % only if optional else only


_CONSTANT_TYPES = (bool, int, float, str, complex, type(None), torch.device, torch.dtype,
                   torch.layout)


def constant_literal(value):
    """(type text, source text) of a module constant (`__constants__` or
    Final): the values TorchScript allows, lists becoming tuples."""
    if builtins.isinstance(value, (list, tuple)):
        parts = [constant_literal(v) for v in value]
        if not parts:
            return "Tuple[()]", "()"
        return ("Tuple[%s]" % ", ".join(t for t, _ in parts),
                "(" + "".join(s + ", " for _, s in parts) + ")")
    if not builtins.isinstance(value, _CONSTANT_TYPES):
        raise Unsupported("a module constant must be a bool, int, float, complex, str, None, "
                          "torch.device, torch.dtype, or a tuple of these; found '%s'"
                          % type(value).__name__)
    if value is None:
        return "NoneType", "None"
    if builtins.isinstance(value, bool):
        return "bool", repr(value)
    if builtins.isinstance(value, int):
        return "int", repr(value)
    if builtins.isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return "float", 'float("%r")' % value
        return "float", repr(value)
    if builtins.isinstance(value, complex):
        return "complex", "complex(%r, %r)" % (value.real, value.imag)
    if builtins.isinstance(value, str):
        return "str", _string_literal(value)
    if builtins.isinstance(value, torch.device):
        return "Device", 'torch.device("%s")' % value
    if builtins.isinstance(value, torch.dtype):
        return "int", str(value)
    return "Layout", str(value)


def _string_literal(s):
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 32:
            out.append("\\x%02x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)
