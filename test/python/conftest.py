"""Shared helpers: where the build is and how to run ember-opt."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("EMBER_BUILD_DIR", os.path.join(ROOT, "build"))
EMBER_OPT = os.path.join(BUILD, "tools", "ember-opt", "ember-opt")
# The ember package as the build lays it out (build/python/ember).
sys.path.insert(0, os.path.join(BUILD, "python"))


def run_ember_opt(text, passes=None, expect_ok=True):
    args = [EMBER_OPT, "-"]
    if passes:
        args += ["-p", ",".join(passes)]
    proc = subprocess.run(args, input=text, capture_output=True, text=True, timeout=120)
    if expect_ok and proc.returncode != 0:
        raise AssertionError("ember-opt failed:\n" + proc.stderr + "\ninput:\n" + text)
    return proc


@pytest.fixture(scope="session")
def ember_opt():
    if not os.path.exists(EMBER_OPT):
        pytest.fail("ember-opt is not built at " + EMBER_OPT)
    return run_ember_opt
