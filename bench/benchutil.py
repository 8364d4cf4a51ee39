"""What every benchmark here does first: find ember, and pin glibc's malloc.

glibc hands freed memory back to the system at moments that depend on the
allocation history, and every later call then page-faults its tensors in
again: timings of multi-megabyte workloads swing by 20x between runs.
`stable_malloc()` re-executes the script with glibc's trim and mmap
thresholds fixed, the same for every contender.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                os.environ.get("EMBER_BUILD_DIR", "build"), "python"))


def stable_malloc():
    if os.environ.get("MALLOC_TRIM_THRESHOLD_"):
        return
    env = dict(os.environ, MALLOC_TRIM_THRESHOLD_=str(1 << 30), MALLOC_MMAP_THRESHOLD_=str(1 << 25))
    os.execve(sys.executable, [sys.executable] + sys.argv, env)
