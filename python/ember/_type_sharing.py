"""Which module classes are one type, as torch.jit decides it. torch.jit
keeps one compilation unit per process and gives the modules of equal
concrete types one class; ember compiles each module tree into its own
program (so names are those a fresh torch.jit process gives), and marks the
classes TorchScript would share with one sharing id: `m1._c._type() ==
m2._c._type()` then holds where it holds in torch.jit. A traced module's
class is never shared."""
import itertools
import threading

_lock = threading.Lock()
_ids = {}  # concrete type key -> sharing id
_counter = itertools.count(1)


def sharing_id(key):
    """The sharing id of the concrete type `key`, the same for every equal key."""
    with _lock:
        if key not in _ids:
            _ids[key] = next(_counter)
        return _ids[key]


def unshared_id():
    """A sharing id no other class has."""
    with _lock:
        return next(_counter)
