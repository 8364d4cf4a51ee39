#!/usr/bin/python3
"""Regenerates the FileCheck lines of frontend lit tests from ember's output.

For each `def name(` in a test file, the graph `ember-translate
--import-python` prints for `name` is written above it as a CHECK-LABEL line
and CHECK-NEXT lines, with numbered values captured (`%[[V5:[0-9]+]]`) and
source locations left out (a test of its own pins those). Hand-written
comment lines (`# Test that ...`) are kept; review the diff before
committing: the output is what ember does, not necessarily what is right.

usage: utils/update-lit-checks.py test/lit/frontend/emit-*.py
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRANSLATE = os.path.join(ROOT, "build", "tools", "ember-translate", "ember-translate")


def graphs_of(path):
    proc = subprocess.run([TRANSLATE, "--import-python", path], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(proc.stderr)
    out = proc.stdout
    return {m.group(1): m.group(0).rstrip("\n").split("\n")
            for m in re.finditer(r"(?ms)^([\w.]+)\(.*?(?=^[\w.]+\(|\Z)", out)}


def check_lines(lines):
    seen = set()

    def value(m):
        name = m.group(1)
        if name in seen:
            return "%[[V" + name + "]]"
        seen.add(name)
        return "%[[V" + name + ":[0-9]+]]"

    out = []
    for i, line in enumerate(lines):
        line = re.sub(r" # [^ ]*:\d+:\d+$", "", line)
        # FileCheck reads `{{...}}` as a regex and `[[...]]` as a variable.
        line = line.replace("{{", "\0").replace("}}", "\1")
        line = line.replace("\0", "{{[{][{]}}").replace("\1", "{{[}][}]}}")
        line = re.sub(r"%(\d+)\b(?!\.)", value, line)
        prefix = "# CHECK-LABEL: " if i == 0 else "# CHECK-NEXT: "
        out.append(prefix + line.rstrip())
    return out


def update(path):
    src = open(path).read().split("\n")
    runs = [l for l in src if l.startswith("# RUN:")]
    if runs != ["# RUN: %ember-translate --import-python %s | FileCheck %s"]:
        print("skipped (its checks are written by hand): " + path)
        return
    kept = [l for l in src if not re.match(r"\s*# CHECK(-LABEL|-NEXT)?: ", l)]
    with open(path, "w") as f:
        f.write("\n".join(kept))
    graphs = graphs_of(path)
    result = []
    cls = None
    for line in kept:
        c = re.match(r"class (\w+)", line)
        if c:
            cls = c.group(1)
        m = re.match(r"(\s*)def (\w+)\(", line)
        if m:
            indent = m.group(1)
            name = (cls + "." if indent and cls else "") + m.group(2)
            if name in graphs:
                result.extend(indent + l for l in check_lines(graphs[name]))
        result.append(line)
    with open(path, "w") as f:
        f.write("\n".join(result).rstrip("\n") + "\n")


for p in sys.argv[1:]:
    update(p)
