"""ember.script of a dict or a list, as torch.jit.script's ScriptDict and
ScriptList: a container of one TorchScript type (inferred from the
elements) that compiled code and Python share, so what a compiled function
changes in it shows in Python. Keys and values are checked against the type
as they go in (a TypeError where they do not fit)."""
import collections.abc

from . import _C
from . import _types


class ScriptDict(collections.abc.MutableMapping):
    """A dict with reference semantics across the Python/compiled code
    boundary."""

    def __init__(self, data, type_text):
        self._c = _C.ScriptContainer(data, type_text)

    def __getitem__(self, key):
        return self._c.dict_getitem(key)

    def __setitem__(self, key, value):
        self._c.dict_setitem(key, value)

    def __delitem__(self, key):
        self._c.dict_delitem(key)

    def __contains__(self, key):
        return self._c.dict_contains(key)

    def __iter__(self):
        return iter(self._c.dict_keys())

    def __len__(self):
        return len(self._c)

    def __repr__(self):
        return repr(dict(self.items()))


class ScriptList(collections.abc.MutableSequence):
    """A list with reference semantics across the Python/compiled code
    boundary."""

    def __init__(self, data, type_text):
        self._c = _C.ScriptContainer(data, type_text)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._c.list_getitem(i) for i in range(len(self))[index]]
        return self._c.list_getitem(index)

    def __setitem__(self, index, value):
        if isinstance(index, slice):
            raise TypeError("a ScriptList takes items one at a time, not slices")
        self._c.list_setitem(index, value)

    def __delitem__(self, index):
        if isinstance(index, slice):
            for i in sorted(range(len(self))[index], reverse=True):
                self._c.list_delitem(i)
        else:
            self._c.list_delitem(index)

    def __len__(self):
        return len(self._c)

    def insert(self, index, value):
        self._c.list_insert(index, value)

    def __eq__(self, other):
        return isinstance(other, (list, ScriptList)) and list(self) == list(other)

    def __repr__(self):
        return repr(list(self))


def script_container(obj):
    """The ScriptDict or ScriptList of `obj`, typed as its elements are (as
    torch.jit infers them; an empty one has no type to infer)."""
    if not obj:
        raise RuntimeError("Unable to infer type of %s: its inputs must have entries"
                           % ("dictionary" if isinstance(obj, dict) else "list"))
    try:
        type_text = _types.infer_text(obj)
    except _types.Unsupported as e:
        raise RuntimeError("Unable to infer the type of %r: %s" % (obj, e)) from None
    return (ScriptDict if isinstance(obj, dict) else ScriptList)(obj, type_text)
