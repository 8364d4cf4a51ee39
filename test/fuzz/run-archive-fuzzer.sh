#!/usr/bin/env bash
# Builds the archive-reader libFuzzer target with clang-19 (ASan + UBSan)
# against torch's headers and libraries, and runs it for SECONDS seconds on
# a seed corpus of archives torch.jit.save writes (and their data.pkl
# pickles alone). Exit status is libFuzzer's: non-zero when it finds a
# crash, a leak or a timeout.
#   test/fuzz/run-archive-fuzzer.sh BUILD_DIR [SECONDS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${1:?build dir}/fuzz-archive"
SECONDS_TO_RUN="${2:-20}"
mkdir -p "$OUT/corpus"
CXX=clang++-19
if command -v ccache >/dev/null; then
  CXX="ccache clang++-19"
  export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1
fi
TORCH_INCLUDE="$(/usr/bin/python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "include"))')"
TORCH_LIB="$(/usr/bin/python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')"
SOURCES=("$ROOT"/serialization/ArchiveReader.cpp "$ROOT"/serialization/PickleReader.cpp
         "$ROOT"/runtime/CustomObjects.cpp "$ROOT/test/fuzz/ArchiveFuzzer.cpp")
OBJS=()
for src in "${SOURCES[@]}"; do
  obj="$OUT/$(basename "${src%.cpp}").o"
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find "$ROOT/serialization" "$ROOT/ir" "$ROOT/runtime" -name '*.h' -newer "$obj" -print -quit)" ]; then
    $CXX -std=c++17 -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=vptr \
      -fno-sanitize-recover=undefined -I"$ROOT" -isystem "$TORCH_INCLUDE" \
      -isystem "$TORCH_INCLUDE/torch/csrc/api/include" -c "$src" -o "$obj" &
    while [ "$(jobs -rp | wc -l)" -ge 2 ]; do sleep 0.2; done
  fi
  OBJS+=("$obj")
done
wait
clang++-19 -fsanitize=fuzzer,address,undefined -fno-sanitize=vptr "${OBJS[@]}" \
  -L/usr/lib/x86_64-linux-gnu -L"$TORCH_LIB" -Wl,-rpath,"$TORCH_LIB" -ltorch_cpu -lc10 \
  -o "$OUT/archive-fuzzer"
# Seeds: small modules saved by torch.jit.save, whole (first byte 1) and
# their data.pkl alone (first byte 0).
/usr/bin/python3 "$ROOT/test/fuzz/make-archive-seeds.py" "$OUT/corpus"
printf 'leak:libtorch_cpu\nleak:libc10\n' > "$OUT/lsan.supp"
export LSAN_OPTIONS="suppressions=$OUT/lsan.supp:${LSAN_OPTIONS:-}"
exec "$OUT/archive-fuzzer" "$OUT/corpus" -max_total_time="$SECONDS_TO_RUN" -max_len=16384 \
  -timeout=10 -rss_limit_mb=4096 -print_final_stats=1
