#!/usr/bin/env bash
# Builds the emitter libFuzzer target with clang-19 (ASan + UBSan) against
# torch's headers and libraries, and runs it for SECONDS seconds on a seed
# corpus made of the frontend lit tests. Exit status is libFuzzer's:
# non-zero when it finds a crash, a leak, an invalid graph or a timeout.
#   test/fuzz/run-emitter-fuzzer.sh BUILD_DIR [SECONDS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${1:?build dir}/fuzz-emitter"
SECONDS_TO_RUN="${2:-20}"
mkdir -p "$OUT/corpus"
CXX=clang++-19
if command -v ccache >/dev/null; then
  CXX="ccache clang++-19"
  export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1
fi
TORCH_INCLUDE="$(/usr/bin/python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "include"))')"
TORCH_LIB="$(/usr/bin/python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')"
SOURCES=("$ROOT"/frontend/*.cpp "$ROOT"/ir/*.cpp "$ROOT"/runtime/*.cpp "$ROOT"/runtime/kernels/*.cpp
         "$ROOT/test/fuzz/EmitterFuzzer.cpp")
OBJS=()
for src in "${SOURCES[@]}"; do
  obj="$OUT/$(basename "$(dirname "$src")")-$(basename "${src%.cpp}").o"
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find "$ROOT/ir" "$ROOT/frontend" "$ROOT/runtime" -name '*.h' -newer "$obj" -print -quit)" ]; then
    $CXX -std=c++17 -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=vptr \
      -fno-sanitize-recover=undefined -I"$ROOT" -isystem "$TORCH_INCLUDE" -isystem "$TORCH_INCLUDE/torch/csrc/api/include" \
      -c "$src" -o "$obj" &
    # Two compiles at a time: the machine has two cores.
    while [ "$(jobs -rp | wc -l)" -ge 2 ]; do sleep 0.2; done
  fi
  OBJS+=("$obj")
done
wait
LIBDIRS=("-L/usr/lib/x86_64-linux-gnu" "-L$TORCH_LIB")
clang++-19 -fsanitize=fuzzer,address,undefined -fno-sanitize=vptr "${OBJS[@]}" "${LIBDIRS[@]}" \
  -Wl,-rpath,"$TORCH_LIB" -ltorch_cpu -lc10 -o "$OUT/emitter-fuzzer"
find "$ROOT/test/lit/frontend" "$ROOT/test/fuzz/regressions" -name '*.py' -exec cp {} "$OUT/corpus/" \;
for t in "$ROOT"/test/lit/frontend/*.test; do
  awk -v dir="$OUT/corpus" -v base="$(basename "$t" .test)" \
    '/^(#|\/\/)--- /{f=dir "/" base "-" $2; next} f{print > f}' "$t"
done
# Allocations libtorch keeps for the life of the process are not leaks of
# ember's.
printf 'leak:libtorch_cpu\nleak:libc10\n' > "$OUT/lsan.supp"
export LSAN_OPTIONS="suppressions=$OUT/lsan.supp:${LSAN_OPTIONS:-}"
exec "$OUT/emitter-fuzzer" "$OUT/corpus" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 \
  -timeout=10 -rss_limit_mb=4096 -print_final_stats=1
