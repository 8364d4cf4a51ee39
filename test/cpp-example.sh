#!/usr/bin/env bash
# The C++ deployment path, as the README gives it: install ember, build
# examples/cpp against the installed package, run it on a model saved by
# torch.jit.save and compare its classes with torch's; neither the example
# nor ember-run may link libpython.
#   test/cpp-example.sh BUILD_DIR
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="$(cd "${1:?build dir}" && pwd)"
WORK="$BUILD/cpp-example"
rm -rf "$WORK"
mkdir -p "$WORK"
cmake --install "$BUILD" --prefix "$WORK/prefix" > /dev/null
LAUNCHER=()
if command -v ccache > /dev/null; then LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S "$ROOT/examples/cpp" -B "$WORK/build" -G Ninja -DCMAKE_PREFIX_PATH="$WORK/prefix" \
  "${LAUNCHER[@]}" > /dev/null
cmake --build "$WORK/build" > /dev/null
expected="$(/usr/bin/python3 - "$WORK/model.pt" <<'PY'
import sys, torch
torch.manual_seed(1)
model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3 * 64 * 64, 10)).eval()
torch.jit.save(torch.jit.script(model), sys.argv[1])
torch.manual_seed(0)
top = model(torch.randn(3, 3, 64, 64)).argmax(1)
print("\n".join("row %d: class %d" % (i, c) for i, c in enumerate(top.tolist())))
PY
)"
out="$("$WORK/build/classify" "$WORK/model.pt" 3)"
echo "$out"
actual="$(echo "$out" | grep '^row ')"
if [ "$actual" != "$expected" ]; then
  echo "error: classes differ from torch's:"; echo "$expected"; exit 1
fi
echo "$out" | grep -q "4 threads agree"
for exe in "$WORK/build/classify" "$WORK/prefix/bin/ember-run"; do
  if ldd "$exe" | grep -q libpython; then
    echo "error: $exe links libpython"; exit 1
  fi
done
"$WORK/prefix/bin/ember-run" "$WORK/model.pt" --shape 1x3x64x64 --iters 2
echo "cpp-example: ok"
