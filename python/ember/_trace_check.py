"""The checks of ember.trace, as torch.jit's _check_trace makes them: the
graph re-traced on each check input must be the same graph with the same
tensor constants (TracingCheckError otherwise, with the first diverging
operator and its source line), and the trace's outputs must match the
Python code's (TracerWarnings otherwise)."""
import difflib
import re
import warnings

import torch

from ._errors import TracerWarning, TracingCheckError


_TENSOR_TYPE = re.compile(r"\b[A-Z][A-Za-z]*\((?:[^()]|\([^()]*\))*(?:device|requires_grad)=[^()]*\)")
_LOCATION = re.compile(r" # (\S+):(\d+):\d+$")


def _comparable(graph_text):
    """Graph lines without tensor shape information (the inputs' sizes
    differ between the example and the check inputs) or locations."""
    return [_LOCATION.sub("", _TENSOR_TYPE.sub("Tensor", line))
            for line in str(graph_text).splitlines()]


def _check_graphs(traced, retraced):
    """TorchScript's check: the trace recorded on a check input must be the
    same graph; otherwise the first diverging operator is reported with the
    Python lines that recorded it."""
    original, again = str(traced.graph), str(retraced.graph)
    a, b = _comparable(original), _comparable(again)
    if a == b:
        return _check_constants(traced.graph, retraced.graph)
    first = next(i for i in range(max(len(a), len(b)))
                 if i >= len(a) or i >= len(b) or a[i] != b[i])

    def at(lines, i):
        return lines[i].strip() if i < len(lines) else "(nothing)"

    def where(lines, i):
        m = _LOCATION.search(lines[i]) if i < len(lines) else None
        return "%s(%s)" % (m.group(1), m.group(2)) if m else "(unknown)"

    diff = "\n".join("\t\t" + line for line in difflib.ndiff(a, b) if not line.startswith("?"))
    raise TracingCheckError(
        "Tracing failed sanity checks!\nERROR: Graphs differed across invocations!\n"
        "\tGraph diff:\n%s\n\tFirst diverging operator:\n\tNode diff:\n\t\t- %s\n\t\t+ %s\n"
        "\tTrace source location:\n\t\t%s\n\tCheck source location:\n\t\t%s"
        % (diff, at(a, first), at(b, first), where(original.splitlines(), first),
           where(again.splitlines(), first)))


def _check_constants(graph, again):
    """TorchScript's check of the tensor constants of two traces that are the
    same graph: a constant that differs in value (`x.data`, a tensor read
    out of the inputs) shows untraceable code. The first one is reported."""
    for node, other in zip(graph.nodes(), again.nodes()):
        if (node.kind() != "prim::Constant" or not node.hasAttribute("value")
                or node.kindOf("value") != "t" or other.kindOf("value") != "t"):
            continue
        try:
            torch.testing.assert_close(node.t("value"), other.t("value"), equal_nan=True)
        except AssertionError as e:
            raise TracingCheckError(
                "Tracing failed sanity checks!\nERROR: Tensor-valued Constant nodes differed in "
                "value across invocations. This often indicates that the tracer has encountered "
                "untraceable code.\n\tNode:\n\t\t%s\n\tSource Location:\n\t\t%s\n"
                "\tComparison exception:\t%s" % (str(node).strip(), node.sourceRange(),
                                                   str(e).replace("\n", "\n\t")))


_NONDETERMINISTIC = re.compile(r"= (aten::(?:dropout|feature_dropout|alpha_dropout|"
                               r"feature_alpha_dropout|rand\w*|normal|bernoulli|multinomial)\w*)\(")


def _check_outputs(func, traced, inputs, tolerance):
    """As torch.jit's checker: outputs that differ from the Python
    function's are TracerWarnings (nondeterministic operators, a module
    left in training mode), not errors; only differing graphs are."""
    expected = func(*inputs)
    actual = traced(*inputs)
    flat_e, flat_a = _flatten(expected), _flatten(actual)
    if len(flat_e) != len(flat_a):
        warnings.warn("The traced function returns %d tensors where the Python function returns "
                      "%d" % (len(flat_a), len(flat_e)), TracerWarning, stacklevel=4)
        return
    differs = False
    for i, (e, a) in enumerate(zip(flat_e, flat_a)):
        try:
            torch.testing.assert_close(a.double(), e.double(), rtol=tolerance, atol=tolerance,
                                       equal_nan=True)
        except AssertionError as error:
            differs = True
            warnings.warn("Output nr %d. of the traced function does not match the corresponding "
                          "output of the Python function. Detailed error:\n%s" % (i + 1, error),
                          TracerWarning, stacklevel=4)
    nodes = _NONDETERMINISTIC.findall(str(traced.inlined_graph))
    if differs and nodes:
        warnings.warn("Trace had nondeterministic nodes. Did you forget call .eval() on your "
                      "model? Nodes:\n" + "\n".join("\t" + n for n in nodes), TracerWarning,
                      stacklevel=4)


def _flatten(value):
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _flatten(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _flatten(v)]
    return []
