"""Checks the frontend against the torch at hand, without pytest.

For every program of test/python/programs that this torch's torch.jit.script
accepts, the code it prints is compiled by ember-translate --import-code and
the graph is run by this torch's executor against the eager function; and
ember's own printed code of each frontend lit test must read back to the
same text. Prints one line per failure and a summary; exit status 1 on any
failure. Used by utils/gpu-check.sh on machines with another torch.
    python3 test/oracle/check_frontend.py BUILD_DIR
"""
import os
import re
import subprocess
import sys

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "test", "python"))
from programs.cases import CASES, clone, run, same, torch_code  # noqa: E402

TRANSLATE = os.path.join(sys.argv[1], "tools", "ember-translate", "ember-translate")


def translate(args, text):
    return subprocess.run([TRANSLATE] + args + ["-"], input=text, capture_output=True, text=True)


def check_case(fn, make_inputs):
    try:
        code = torch_code(fn)
    except Exception:
        return None  # this torch rejects the program
    if "torch.nn.functional" in code:
        return None
    proc = translate(["--import-code", "-p", "inline,dce"], code)
    if proc.returncode:
        return "import failed:\n" + code + proc.stderr
    text = re.search(r"(?ms)^" + fn.__name__ + r"\((.*?)(?=^[\w.]+\(|\Z)", proc.stdout).group(1)
    graph = torch._C.parse_ir(re.sub(r"(?m)^(\s*) = ", r"\1", "graph(" + text))
    executable = torch._C._create_function_from_graph(fn.__name__, graph)
    for args in make_inputs():
        expected, got = run(fn, clone(args)), run(executable, clone(args))
        if expected[0] != got[0] or (expected[0] == "ok" and not same(expected[1], got[1])):
            return "result differs for %r: %r vs %r" % (args, expected[:2], got[:2])
    return ""


def main():
    failures, checked = 0, 0
    for fn, make_inputs in CASES:
        result = check_case(fn, make_inputs)
        if result is None:
            continue
        checked += 1
        if result:
            failures += 1
            print("CODE-IMPORT", fn.__name__, result)
    lit = os.path.join(ROOT, "test", "lit", "frontend")
    for name in sorted(os.listdir(lit)):
        if not name.startswith("emit-") or not name.endswith(".py"):
            continue
        checked += 1
        first = translate(["--import-python", "--emit-code"], open(os.path.join(lit, name)).read())
        second = translate(["--import-code", "--emit-code"], first.stdout)
        if first.returncode or second.returncode or first.stdout != second.stdout:
            failures += 1
            print("ROUNDTRIP", name, first.stderr, second.stderr)
    print("frontend on torch %s: %d checks, %d failures" % (torch.__version__, checked, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
