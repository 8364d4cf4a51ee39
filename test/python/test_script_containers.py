"""ember.script of a dict or a list, as torch.jit's TestScriptDict and
TestScriptList pin it: a ScriptDict or ScriptList that behaves as the dict or
list it was made from, checks what goes in against its TorchScript type, and
shares its elements with compiled code (what a compiled function changes
shows in Python)."""
from typing import Dict, List

import pytest
import torch

import ember


def _same(fn, data, jit=ember):
    """Runs `fn` on a copy of `data` and on its script container: the same
    result and final contents, or the same exception class."""
    eager_in = type(data)(data)
    scripted = jit.script(type(data)(data))
    outcomes = []
    for target in (eager_in, scripted):
        try:
            outcomes.append(("ok", fn(target)))
        except Exception as e:  # noqa: BLE001 -- the class is what is compared
            outcomes.append(("raised", type(e)))
    assert outcomes[0] == outcomes[1]
    assert dict(eager_in) == dict(scripted) if isinstance(data, dict) else list(eager_in) == list(scripted)


def _set_two(d):
    d[1] = 10
    d[3] = 11


def _sum_keys(d):
    return sum(k for k in d)


def _sum_products(d):
    return sum(k * v for k, v in d.items())


def _delete_one(d):
    del d[1]


def _delete_missing(d):
    del d[10]


# What torch 1.13's ScriptDict and ScriptList lack (ember's have the whole
# dict and list protocols).
TORCH_LACKS = {"get", "pop", "update", "clear", "setdefault", "values", "equal", "slice", "index",
               "reverse"}

DICT_CASES = {
    "repr": repr, "bool": bool, "len": len, "iter": _sum_keys, "items": _sum_products,
    "getitem": lambda d: d[1], "getitem-missing": lambda d: d[4], "getitem-str": lambda d: d["key"],
    "setitem": _set_two, "contains": lambda d: (1 in d, 2 not in d, 3 in d, 4 not in d),
    "delitem": _delete_one, "delitem-missing": _delete_missing, "get": lambda d: (d.get(1), d.get(7, 0)),
    "pop": lambda d: d.pop(3), "update": lambda d: d.update({5: 6}), "clear": lambda d: d.clear(),
    "setdefault": lambda d: d.setdefault(9, 9), "keys": lambda d: list(d.keys()),
    "values": lambda d: list(d.values()), "equal": lambda d: d == {1: 2, 3: 4},
}


# Test that a ScriptDict behaves as the dict it was made from, errors
# included, as torch.jit's does.
@pytest.mark.parametrize("case", list(DICT_CASES))
@pytest.mark.parametrize("jit", [ember, torch.jit], ids=["ember", "torch"])
def test_script_dict_behaves_as_dict(jit, case):
    if jit is torch.jit and case in TORCH_LACKS:
        pytest.skip("this torch's ScriptDict has no %s" % case)
    _same(DICT_CASES[case], {1: 2, 3: 4}, jit)


def _append(items):
    items.append(5)


def _extend(items):
    items.extend([6, 7])


def _insert(items):
    items.insert(1, 9)


def _set_item(items):
    items[0] = 8
    items[-1] = 9


def _del_item(items):
    del items[1]


LIST_CASES = {
    "repr": repr, "bool": bool, "len": len, "iter": lambda li: [x * 2 for x in li],
    "getitem": lambda li: (li[0], li[-1]), "getitem-out": lambda li: li[10], "slice": lambda li: li[1:],
    "setitem": _set_item, "delitem": _del_item, "append": _append, "extend": _extend,
    "insert": _insert, "pop": lambda li: li.pop(), "contains": lambda li: (2 in li, 7 in li),
    "index": lambda li: li.index(3), "count": lambda li: li.count(1), "reverse": lambda li: li.reverse(),
    "equal": lambda li: li == [1, 2, 3],
}


# Test that a ScriptList behaves as the list it was made from, as
# torch.jit's does.
@pytest.mark.parametrize("case", list(LIST_CASES))
@pytest.mark.parametrize("jit", [ember, torch.jit], ids=["ember", "torch"])
def test_script_list_behaves_as_list(jit, case):
    if jit is torch.jit and case in TORCH_LACKS:
        pytest.skip("this torch's ScriptList has no %s" % case)
    _same(LIST_CASES[case], [1, 2, 3], jit)


def dict_add(d: Dict[int, int], k: int, v: int):
    d[k] = v


def list_add(items: List[int], v: int):
    items.append(v)


# Test that compiled code changes the container Python holds.
def test_compiled_code_shares_the_container():
    d, items = ember.script({1: 2}), ember.script([1])
    ember.script(dict_add)(d, 3, 4)
    ember.script(list_add)(items, 2)
    assert dict(d) == {1: 2, 3: 4} and list(items) == [1, 2]


# Test that keys and values of the wrong type are refused: TypeError on the
# way in, KeyError for lookups, as torch.jit's ScriptDict and ScriptList.
@pytest.mark.parametrize("jit", [ember, torch.jit], ids=["ember", "torch"])
def test_wrong_types_are_refused(jit):
    d, items = jit.script({1: 2}), jit.script([1, 2])
    with pytest.raises(TypeError):
        d["str"] = 3
    with pytest.raises(TypeError):
        d[3] = "str"
    with pytest.raises(KeyError):
        "str" in d
    with pytest.raises(TypeError):
        del d["str"]
    with pytest.raises(TypeError):
        items.append("str")
    with pytest.raises(TypeError):
        items[0] = 1.5


# Test that a container of another type is refused where compiled code
# takes a dict or list, and that empty ones have no type to infer.
def test_type_mismatch_and_empty_containers():
    with pytest.raises(TypeError):
        ember.script(dict_add)(ember.script({"a": 1}), 1, 2)
    for empty in ({}, []):
        with pytest.raises(RuntimeError, match="Unable to infer"):
            ember.script(empty)
