#!/usr/bin/env bash
# Device check: builds what needs no LLVM against the machine's torch (pip
# torch 2.x on the GPU machines) and checks that ember-opt reads back the
# TorchScript graphs of test/lit/torchscript, that the core passes verify on
# them, and that graphs printed by that torch round-trip too.
#   utils/gpu-check.sh OUTDIR
set -uo pipefail
OUT=${1:-/tmp/ember-gpu}
mkdir -p "$OUT"
PY=$(command -v python3)
B=/tmp/ember-gpu-build
cmake -S . -B "$B" -DEMBER_WITH_LLVM=OFF -DEMBER_PYTHON="$PY" -DCMAKE_BUILD_TYPE=Release \
  > "$OUT/configure.log" 2>&1 || { tail -30 "$OUT/configure.log"; exit 1; }
cmake --build "$B" -j "$(nproc)" --target ember-opt ember-translate > "$OUT/build.log" 2>&1 \
  || { grep -E "error" "$OUT/build.log" | head -40; exit 1; }
echo "built against torch $($PY -c 'import torch; print(torch.__version__)')"
OPT="$B/tools/ember-opt/ember-opt"
fail=0; n=0
for f in test/lit/torchscript/Inputs/*.ir; do
  n=$((n+1))
  "$OPT" "$f" > "$OUT/out.ir" 2> "$OUT/err.txt" && cmp -s "$OUT/out.ir" "$f" \
    || { echo "ROUNDTRIP $f"; head -3 "$OUT/err.txt"; fail=$((fail+1)); }
  "$OPT" "$f" --pipeline=default > /dev/null 2> "$OUT/err.txt" \
    || { echo "PIPELINE $f"; head -3 "$OUT/err.txt"; fail=$((fail+1)); }
done
echo "torch 1.13 graphs: $n files, $fail failures"
# Graphs printed by this machine's torch.
mkdir -p "$OUT/graphs"
$PY test/oracle/torchscript_graphs.py "$OUT/graphs" > "$OUT/oracle.log" 2>&1 || tail -5 "$OUT/oracle.log"
fail=0; n=0
for f in "$OUT"/graphs/*.ir; do
  n=$((n+1))
  "$OPT" "$f" > "$OUT/out.ir" 2> "$OUT/err.txt" && cmp -s "$OUT/out.ir" "$f" \
    || { echo "ROUNDTRIP(new torch) $(basename "$f")"; head -3 "$OUT/err.txt"; diff "$f" "$OUT/out.ir" | head -6; fail=$((fail+1)); }
done
echo "this torch's graphs: $n files, $fail failures"
"$B/tools/ember-translate/ember-translate" --dump-signatures test/lit/frontend/annotations.py | head -3
# The frontend against this torch: its operator schemas, its printed code.
$PY test/oracle/check_frontend.py "$B" 2>&1 | tail -25
