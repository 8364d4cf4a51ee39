"""ember.isinstance called from Python: torch.jit.isinstance's eager
meaning, a check of a value against a type annotation that looks inside
containers (`List[int]` holds for a list whose elements are all ints, an
empty one too), with TorchScript's error for a container type written
without its element types."""
import builtins
import typing

# origin -> TorchScript's error for it written bare (`List`, not `List[int]`)
_BARE_CONTAINERS = {
    list: "Attempted to use List without a contained type. "
          "Please add a contained type, e.g. List[int]",
    tuple: "Attempted to use Tuple without a contained type. "
           "Please add a contained type, e.g. Tuple[int]",
    dict: "Attempted to use Dict without contained types. "
          "Please add contained type, e.g. Dict[int, int]",
}
_BARE_OPTIONAL = ("Attempted to use Optional without a contained type. "
                  "Please add a contained type, e.g. Optional[int]")


def check(obj, target_type):
    """Whether `obj` is a value of `target_type`, a type or a tuple of types."""
    if builtins.isinstance(target_type, tuple):
        return builtins.any(check(obj, t) for t in target_type)
    if target_type is typing.Any:
        return True
    if target_type is None or target_type is type(None):
        return obj is None
    if target_type is typing.Optional:
        raise RuntimeError(_BARE_OPTIONAL)
    origin, args = typing.get_origin(target_type), typing.get_args(target_type)
    if origin is None:
        return builtins.isinstance(obj, target_type)
    if origin in _BARE_CONTAINERS and not args:
        raise RuntimeError(_BARE_CONTAINERS[origin])
    if origin is list:
        return builtins.isinstance(obj, list) and builtins.all(check(e, args[0]) for e in obj)
    if origin is dict:
        return builtins.isinstance(obj, dict) and builtins.all(
            check(k, args[0]) and check(v, args[1]) for k, v in obj.items())
    if origin is tuple:
        return builtins.isinstance(obj, tuple) and len(obj) == len(args) and builtins.all(
            check(e, a) for e, a in zip(obj, args))
    if origin is typing.Union:
        return builtins.any(check(obj, a) for a in args)
    return builtins.isinstance(obj, origin)
