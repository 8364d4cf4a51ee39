#!/usr/bin/env bash
# Device check for the runtime and the `ember` package: builds the Python
# extension (no LLVM needed) against the machine's torch (pip torch 2.x with
# CUDA on the GPU machines) and runs the Python suites there, the CUDA one
# included. Logs go to OUTDIR.
#   utils/gpu-check-python.sh OUTDIR   (EMBER_GPU_TESTS="test_a.py ..." runs only those,
#   EMBER_PYTEST_ARGS="-n 8" runs each suite on pytest-xdist workers)
set -uo pipefail
OUT=${1:-/tmp/ember-gpu}
mkdir -p "$OUT"
PY=$(command -v python3)
B=/tmp/ember-gpu-build
$PY - <<'PYEOF'
import os, sysconfig, torch
inc = sysconfig.get_paths()["include"]
print("torch", torch.__version__, "cuda", torch.cuda.is_available(),
      "| Python.h", os.path.exists(os.path.join(inc, "Python.h")), inc)
PYEOF
# The GPU image's default compiler (/opt/gcc) puts its own copy of libstdc++
# into the extension; the module's streams then run on a second libstdc++
# and crash on first use (seen 2026-11-26). The system compiler links the
# shared one, as torch does.
COMPILERS=()
[ -x /usr/bin/g++ ] && COMPILERS=(-DCMAKE_CXX_COMPILER=/usr/bin/g++ -DCMAKE_C_COMPILER=/usr/bin/gcc)
cmake -S . -B "$B" -DEMBER_WITH_LLVM=OFF -DEMBER_PYTHON="$PY" -DCMAKE_BUILD_TYPE=Release \
  "${COMPILERS[@]}" > "$OUT/configure.log" 2>&1 || { tail -30 "$OUT/configure.log"; exit 1; }
start=$(date +%s)
cmake --build "$B" -j "$(nproc)" --target ember_python ember-run ember-opt ember-translate > "$OUT/build.log" 2>&1 \
  || { grep -E "error" -A4 "$OUT/build.log" | head -80; exit 1; }
echo "built in $(( $(date +%s) - start )) s"
# A smoke run that names the stage it reaches, for crashes pytest cannot report.
$PY test/gpu/stages.py "$B/python" 2>&1 | tail -2
cd test/python
for f in ${EMBER_GPU_TESTS:-test_cuda.py test_load.py test_trace.py test_module.py test_api.py test_script.py}; do
  EMBER_BUILD_DIR="$B" PYTHONUNBUFFERED=1 timeout 300 $PY -m pytest -q -p no:cacheprovider ${EMBER_PYTEST_ARGS:-} "$f" \
    > "$OUT/$f.log" 2>&1
  echo "$f: $(tail -1 "$OUT/$f.log")"
  grep -E "^FAILED" "$OUT/$f.log" | head -10
done
