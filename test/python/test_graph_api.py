"""The graph API torch.jit's tests walk graphs with: `fn.graph` is the
graph's text (str, print, FileCheck) and also has nodes(), inputs(),
outputs(), findNode() and findAllNodes(); nodes have kind(), inputs(), matches(),
outputs(), blocks() and attributes; values have type(), debugName() and
node(); types have kind(), sizes(), scalarType() and elements(). Each answer
is checked against torch.jit's on the same function."""
from typing import Dict, List, Optional, Tuple

import pytest
import torch

import ember


def branchy(x, n: int) -> Tuple[torch.Tensor, int]:
    y = x + 1
    if n > 2:
        y = y * 2
    for i in range(n):
        y = y - i
    return y, n


def _kinds(graph, recurse=False):
    out = []
    for n in graph.nodes():
        out.append(n.kind())
        if recurse:
            for b in n.blocks():
                out.extend(_kinds(b, recurse))
    return out


# Test that the graph is still its text, and that nodes, inputs and outputs
# walk like torch.jit's.
def test_graph_walks_like_torch_jit():
    ours, theirs = ember.script(branchy).graph, torch.jit.script(branchy).graph
    assert isinstance(ours, str) and ours.startswith("graph(")
    assert [v.debugName().split(".")[0] for v in ours.inputs()] == ["x", "n"]
    assert [str(v.type()) for v in ours.inputs()] == [str(v.type()) for v in theirs.inputs()]
    assert _kinds(ours, recurse=True) == _kinds(theirs, recurse=True)
    assert len(ours.findAllNodes("prim::Loop")) == 1
    assert next(next(ours.findNode("prim::If").blocks()).nodes()).kind() == "aten::mul"
    assert ours.findNode("aten::nonexistent") is None
    out = list(ours.outputs())[0]
    assert out.node().kind() == "prim::TupleConstruct"
    assert [str(t) for t in out.type().elements()] == ["Tensor", "int"]


def containers(x, y: List[int], z: Optional[float], d: Dict[str, Tuple[int, torch.Tensor]]):
    return x


# Test that str() and repr() of a type are its annotation (`List[int]`), and
# str() the method its IR form (`int[]`), as torch.jit's.
def test_types_print_as_annotations():
    ours = ember.script(containers).graph
    theirs = torch.jit.script(containers).graph
    for mine, torchs in zip(ours.inputs(), theirs.inputs()):
        got, want = mine.type(), torchs.type()
        assert (str(got), repr(got), got.str(), got.annotation_str) == (
            str(want), repr(want), want.str(), want.annotation_str)
    assert str(list(ours.inputs())[1].type()) == "List[int]"
    traced = ember.trace(lambda x: x * 2, torch.ones(2, 3)).graph
    refined = list(traced.inputs())[0].type()
    assert str(refined) == "Tensor"
    assert refined.str() == "Float(2, 3, strides=[3, 1], requires_grad=0, device=cpu)"


# Test node attributes and constant values.
def test_constants_and_attributes():
    @ember.script
    def consts(x):
        return x + 3, "hi"

    nodes = consts.graph.findAllNodes("prim::Constant")
    values = [n.output().toIValue() for n in nodes]
    assert 3 in values and "hi" in values
    three = next(n for n in nodes if n.output().toIValue() == 3)
    assert three.hasAttribute("value") and three.kindOf("value") == "i" and three["value"] == 3
    assert three.attributeNames() == ["value"]
    assert str(three).startswith("%") and "prim::Constant[value=3]()" in str(three)


# Test that a value used twice is one object: equal and hashable.
def test_values_compare_by_identity():
    def twice(a, b):
        z = a + b
        return z, z

    traced = ember.trace(twice, (torch.randn(2, 2), torch.randn(2, 2)))
    tuple_node = list(traced.graph.outputs())[0].node()
    first, second = tuple_node.inputs()
    assert first == second and len({first, second}) == 1
    assert [u.user.kind() for u in first.uses()] == ["prim::TupleConstruct"] * 2
    assert [u.offset for u in first.uses()] == [0, 1]


# Test complete tensor types of a trace: sizes, dtype, requires_grad.
def test_traced_tensor_types():
    traced = ember.trace(lambda x: torch.cat((x, x)).relu(), torch.rand(2, 3))
    out = list(traced.graph.outputs())[0]
    t = out.type()
    assert t.kind() == "TensorType" and t.sizes() == [4, 3] and t.dim() == 2
    assert t.scalarType() == "Float" and t.requires_grad() is False
    assert out.isCompleteTensor()
    x = list(traced.graph.inputs())[0]
    assert x.type().strides() == [3, 1]


# Test list and optional element types, and that graph_for and
# inlined_graph have the same API.
def test_container_types_and_other_graphs():
    @ember.script
    def lists(xs: List[int]) -> List[int]:
        return [x + 1 for x in xs]

    arg = list(lists.graph.inputs())[0].type()
    assert arg.kind() == "ListType" and str(arg.getElementType()) == "int"
    assert list(lists.inlined_graph.nodes())
    assert lists.graph_for([1, 2]).findAllNodes("prim::Loop") is not None


def add_div(inp):
    x = inp + 1
    y = x / 2
    return y * y


# Test that Node.matches takes a schema: a node matches its own and not
# another operator's (test_python_ir's case, torch.jit's answers); ember
# also tells the overloads apart by their argument types.
def test_node_matches_a_schema():
    for script in (ember.script, torch.jit.script):
        graph = script(add_div).graph
        add, div = graph.findNode("aten::add"), graph.findNode("aten::div")
        assert add.matches(add.schema()) and not add.matches(div.schema())
    muls = ember.script(add_div).graph.findAllNodes("aten::mul")
    assert muls[0].matches("aten::mul(Tensor self, Tensor other) -> Tensor")
    assert not muls[0].matches("aten::mul(Tensor self, Scalar other) -> Tensor")


def test_parse_ir_reads_torch_jit_graphs():
    def f(x: torch.Tensor, n: int) -> torch.Tensor:
        for i in range(n):
            x = x * i
        return x

    graph = ember.parse_ir(str(torch.jit.script(f).graph))
    assert [n.kind() for n in graph.nodes()] == [n.kind() for n in torch.jit.script(f).graph.nodes()]
    assert [i.debugName() for i in graph.inputs()] == ["x.1", "n.1"]
    assert ember.parse_ir(str(graph)) == graph  # the printed form reads back the same


def test_parse_ir_reports_bad_text_with_its_location():
    with pytest.raises(ember.CompileError, match=r"<string>:3:\d+: error: .*%y"):
        ember.parse_ir("graph(%x : Tensor):\n  %r : Tensor = aten::relu(%x)\n  return (%y)\n")


def test_run_passes_returns_an_optimized_copy():
    def g(x: torch.Tensor) -> int:
        x + 1  # noqa: B018 (dead: dce removes it)
        return len([x, x, x])

    scripted = ember.script(g)
    before = scripted.graph
    after = ember.run_passes(before, ["peephole", "dce"])
    assert "aten::len" not in after and "aten::add" not in after
    assert "aten::len" in before and "aten::len" in scripted.graph  # the function keeps its graph
    # TorchScript's names for its passes, and pipelines, are accepted.
    assert "aten::add" not in ember.run_passes(str(before), "dce")
    folded = ember.run_passes("graph(%x : int):\n  %a : int = prim::Constant[value=1]()\n"
                              "  %b : int = aten::add(%a, %a)\n  %c : int = aten::mul(%x, %b)\n"
                              "  return (%c)\n", ["peephole"], pipeline="cleanup")
    assert "aten::add" not in folded and "prim::Constant[value=2]()" in folded
    assert "peephole" in ember.list_passes()
    with pytest.raises(ValueError, match="unknown pass 'no_such_pass'"):
        ember.run_passes(before, ["no_such_pass"])
    with pytest.raises(ValueError, match="unknown pipeline"):
        ember.run_passes(before, pipeline="fast")
