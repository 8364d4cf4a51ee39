"""ember.trace of modules and ember.trace_module: the module and each
submodule get a class of their own, as torch.jit's TracedModule declares
them; a submodule's call is recorded into a graph of its own and called with
prim::CallMethod (engine/TraceModules.cpp), and a submodule scripted into the
same program is called as compiled (its control flow kept)."""
import inspect

import torch

from . import _C
from . import _module
from . import _type_sharing
from . import _legacy_module as _legacy
from ._resolver import _Resolver
from ._script import _jit_enabled
from ._serialization import _wrap
from ._trace import (_argument_names, _call_interceptors, _check_inputs, _check_outputs,
                     _check_strict, _distinct_inputs, _recording_on)
from ._trace_check import _flatten


class _ClassNames:
    """The class names one module trace takes. As torch.jit's compilation
    unit, one mangle counter serves every name, so the instances a first
    trace in a process declares get torch.jit's names."""

    def __init__(self):
        self.taken = set()
        self.mangle = 0

    def name_for(self, module, program):
        """The module's class as torch.jit names it (`__main__.Net` -> `Net`,
        `torch.nn.modules.linear.Linear`), mangled for each further
        instance: traced modules do not share types."""
        cls = type(module)
        # `__name__`, as torch.jit's _qualified_name (a class defined in a function
        # has `<locals>` in its `__qualname__`, which is no name in code).
        base = cls.__name__ if cls.__module__ == "__main__" else cls.__module__ + "." + cls.__name__
        name = base
        while name in self.taken or program.has_class(name):
            prefix, _, last = base.rpartition(".")
            name = (prefix + "." if prefix else "") + "___torch_mangle_%d.%s" % (self.mangle, last)
            self.mangle += 1
        self.taken.add(name)
        return name


def _handle_of(module):
    """The script object of a module scripted by ember (a legacy
    ScriptModule's is its compiled module's), or None."""
    handle = _legacy.actual(module).__dict__.get("_c")
    return handle if isinstance(handle, _C.ScriptObject) else None


def _interceptor_key(module):
    """Where a scripted module's calls are intercepted: a legacy
    ScriptModule is called through its compiled module."""
    return id(_legacy.actual(module))


def _scripted_in(module, program):
    """True for a module scripted by ember into `program`: a trace calls its
    compiled forward (control flow kept) rather than recording its ops."""
    handle = _handle_of(module)
    return handle is not None and handle._program is program


def _declare(module, program, names, taken, for_exports):
    """Declares a class for `module` and each submodule (children first) and
    returns the module's script object, its slots holding the module's own
    tensors. A submodule scripted into `program` keeps its class and object.
    `for_exports` collects the modules scripted for @export methods."""
    if _scripted_in(module, program):
        handle = _handle_of(module)
        names[id(module)] = handle._type_name[len("__torch__."):]
        return handle
    if _has_exports(module):
        return _declare_scripted(module, program, names, for_exports)
    if module._backward_hooks:
        raise ValueError("Modules that have backward hooks assigned can't be compiled: "
                         + str(module))
    # As torch.jit's TracedModule: submodules set to None are left out.
    children = {n: _declare(child, program, names, taken, for_exports)
                for n, child in module._modules.items() if child is not None}
    name = taken.name_for(module, program)
    # A module held twice is called through its first path (named_modules'),
    # so its first class gets the traced methods.
    names.setdefault(id(module), name)
    # As torch.jit's TracedModule: None parameters and buffers are left out.
    params = [n for n, p in module._parameters.items() if p is not None]
    buffers = [n for n, b in module._buffers.items() if b is not None]
    lines = ["class %s(Module):" % name.rsplit(".", 1)[-1],
             "  __parameters__ = [%s]" % "".join('"%s", ' % n for n in params),
             "  __buffers__ = [%s]" % "".join('"%s", ' % n for n in buffers)]
    def declare(attr, type_text):
        # Names that are not identifiers (Sequential's "0") are declared
        # as the code dialect writes them.
        if attr.isidentifier():
            lines.append("  %s : %s" % (attr, type_text))
        else:
            lines.append('  __annotations__["%s"] = %s' % (attr, type_text))

    for n in params + buffers:
        declare(n, "Tensor")
    lines.append("  training : bool")
    # nn.Module's own annotated attribute (set by its __init__ since torch
    # 1.13), typed from nn.Module's annotation as torch.jit's traces type it.
    backward_hook = "_is_full_backward_hook" in module.__dict__
    if backward_hook:
        lines.append("  _is_full_backward_hook : Optional[bool]")
    # Each child's own class: a module held twice (`self.relu` and in a
    # Sequential) gets a class per place, as in torch.jit's traces.
    for child_name, child_handle in children.items():
        declare(child_name, child_handle._type_name)
    program.add_class(name, ("\n".join(lines) + "\n", "<traced %s>" % name), [], {}, "", {},
                      sharing=_type_sharing.unshared_id())
    handle = program.new_object(name)
    for n in params:
        setattr(handle, n, module._parameters[n])
    for n in buffers:
        setattr(handle, n, module._buffers[n])
    setattr(handle, "training", module.training)
    if backward_hook:
        setattr(handle, "_is_full_backward_hook", module.__dict__["_is_full_backward_hook"])
    for child_name, child_handle in children.items():
        setattr(handle, child_name, child_handle)
    return handle


def _has_exports(module):
    return any(inspect.isfunction(f) and _module._modifier(f) == "export"
               for klass in type(module).__mro__ for f in vars(klass).values())


def _declare_scripted(module, program, names, for_exports):
    """As torch.jit's make_module: a module with @export methods is scripted
    (its submodules too) with those methods but not forward, which its
    trace adds; its attributes are typed as scripting types them. A
    submodule's forward compiles from its source if an exported method
    calls it (torch.jit's compile_unbound_method); the trace records the
    submodules' ops in the module's graph, as torch.jit's does."""
    builder = _module._Builder(program, program.resolver)
    builder.forward_traced = module
    wrapper = builder.instantiate(module, builder.concrete_type(module))

    def visit(m, w):
        names[id(m)] = w._c._type_name[len("__torch__."):]
        for_exports.add(id(m))
        for name in builder.exported_names(w):
            w._c._method(name)
        for child_name, child in m._modules.items():
            if child is not None:
                visit(child, w._modules[child_name])

    visit(module, wrapper)
    return wrapper._c


def _attribute_paths(module):
    pairs = [(t, path.split(".")) for path, t in module.named_parameters()]
    pairs += [(t, path.split(".")) for path, t in module.named_buffers()]
    return pairs


def _ancestors(root, module):
    """The modules on the path from `root` down to `module`, both included."""
    for path, m in root.named_modules():
        if m is module:
            out, cur = [root], root
            for part in path.split(".") if path else []:
                cur = cur._modules[part]
                out.append(cur)
            return out
    return []


class _ModuleTrace:
    """A module's traced classes and script object, shared by the traces
    of its methods (trace_module)."""

    def __init__(self, root):
        self.root = root
        # Traced classes go into the program of the first submodule scripted
        # by ember, if any, so the trace can call its compiled forward.
        scripted = [_handle_of(m) for m in root.modules()
                    if m is not root and _handle_of(m) is not None]
        self.program = scripted[0]._program if scripted else _C.Program(_Resolver())
        self.names = {}
        self.for_exports = set()
        self.handle = _declare(root, self.program, self.names, _ClassNames(), self.for_exports)
        self.paths = {id(m): tuple(p.split(".")) if p else () for p, m in root.named_modules()}

    def trace(self, method, inputs, strict):
        root, program, names, paths = self.root, self.program, self.names, self.paths
        recorder = _C.Tracer(method)
        recorder.set_self(program, names[id(root)], _attribute_paths(root))
        call = root if method == "forward" else getattr(root, method)
        params = _argument_names(getattr(root, method))
        # An example input that is the module's own parameter (`trace(m,
        # m.weight)`) is an input: the parameter itself is still read with
        # GetAttr.
        state = [id(t) for t in list(root.parameters()) + list(root.buffers())]
        _check_inputs(inputs)
        inputs = _distinct_inputs(inputs, state)
        for i, value in enumerate(inputs):
            recorder.add_input(value, params[i] if i < len(params) else "")
        stack = [root]

        def wrap(module):
            original = module.forward

            def forward(*args, **kwargs):
                current = stack[-1]
                here, mine = paths[id(current)], paths.get(id(module))
                scripted = _scripted_in(module, program)
                if mine is None or mine[:len(here)] != here or (
                        scripted and (kwargs or not _all_tensors(args))):
                    return original(*args, **kwargs)  # recorded inline, in the caller's graph
                if scripted:
                    recorder.stop()
                    del _call_interceptors[_interceptor_key(module)]
                    try:
                        out = module(*args)
                    finally:
                        _call_interceptors[_interceptor_key(module)] = forward
                        recorder.start()
                    recorder.record_method_call(program, list(mine[len(here):]),
                                                names[id(module)], args, out)
                    return out
                recorder.enter_module(program, list(mine[len(here):]), names[id(module)],
                                      _call_tensors(args, kwargs), _attribute_paths(module))
                stack.append(module)
                try:
                    out = original(*args, **kwargs)
                finally:
                    stack.pop()
                recorder.exit_module(program, names[id(module)], _call_result(out))
                return out
            return forward

        # Scripted modules cannot take a Python forward: their calls are
        # intercepted instead (those of other programs are recorded op by op).
        inside = [m for m in root.modules() if m is not root and not any(
            _handle_of(p) is not None for p in _ancestors(root, m)[1:-1])]
        wrapped = [m for m in inside if _handle_of(m) is None]
        for m in wrapped:
            m.forward = wrap(m)
        intercepted = [m for m in inside if _scripted_in(m, program) and id(m) not in self.for_exports
                       and _handle_of(m)._has_method("forward")]
        for m in intercepted:
            _call_interceptors[_interceptor_key(m)] = wrap(m)
        try:
            with _recording_on(recorder):
                result = call(*inputs)
        finally:
            for m in wrapped:
                del m.forward
            for m in intercepted:
                _call_interceptors.pop(_interceptor_key(m), None)
        _check_strict(result, strict)
        recorder.finish_module(program, names[id(root)], result, method)


def _all_tensors(args):
    """True if the arguments are tensors, or tuples and lists of them."""
    return all(isinstance(a, torch.Tensor) or (isinstance(a, (tuple, list)) and _all_tensors(a))
               for a in args)


def _call_tensors(args, kwargs):
    """The tensors a submodule call passes, each once, in order: its traced
    method takes them one by one, as TorchScript's takes the values its
    trace uses (`self_attn(x, x, x, need_weights=False)` takes `x`); other
    values are constants of its trace."""
    return tuple({id(t): t for t in _flatten((args, kwargs))}.values())


def _call_result(out):
    """What a submodule's traced method returns: the tensors of its result,
    each once — the one tensor itself, or a tuple of them — as TorchScript's
    returns the values its caller uses; the rest (None, numbers, the
    nesting) stay in Python."""
    tensors = _call_tensors((out,), {})
    if not tensors:
        return out
    return tensors[0] if len(tensors) == 1 else tensors


def _trace_module(root, inputs, strict=True):
    t = _ModuleTrace(root)
    t.trace("forward", inputs, strict)
    return _wrap(t.handle)


def trace_module(mod, inputs, check_trace=True, check_inputs=None, check_tolerance=1e-5,
                 strict=True):
    """torch.jit.trace_module: `inputs` maps method names to example inputs;
    each method is traced into the same module (its submodules' forward
    calls become prim::CallMethod, as for forward)."""
    if not _jit_enabled():
        return mod
    if not isinstance(mod, torch.nn.Module):
        raise AttributeError("expected torch.nn.Module as the first argument")
    if not isinstance(inputs, dict):
        raise AttributeError("expected a dictionary of (method_name, input) pairs")
    t = _ModuleTrace(mod)
    for method, example in inputs.items():
        t.trace(method, example if isinstance(example, tuple) else (example,), strict)
    traced = _wrap(t.handle)
    if check_trace:
        for checks in (check_inputs or [inputs]):
            for method, example in checks.items():
                example = example if isinstance(example, tuple) else (example,)
                _check_outputs(getattr(mod, method), getattr(traced, method), example,
                               check_tolerance)
    return traced
