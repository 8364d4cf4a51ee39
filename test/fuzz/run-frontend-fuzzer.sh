#!/usr/bin/env bash
# Builds the frontend libFuzzer target with clang-19 (ASan + UBSan; the
# frontend needs no torch) and runs it for SECONDS seconds on a seed corpus
# made of the lit tests' Python files. Exit status is libFuzzer's: non-zero
# when it finds a crash, a leak or a timeout.
#   test/fuzz/run-frontend-fuzzer.sh BUILD_DIR [SECONDS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${1:?build dir}/fuzz"
SECONDS_TO_RUN="${2:-20}"
mkdir -p "$OUT/corpus"
CXX=clang++-19
if command -v ccache >/dev/null; then CXX="ccache clang++-19"; fi
# The lexer and parser need only ir/Diagnostic; the rest of the frontend
# (annotations, the emitter) needs ir's types, which need torch.
SOURCES=("$ROOT/frontend/Lexer.cpp" "$ROOT/frontend/Parser.cpp" "$ROOT/frontend/ParseExpressions.cpp"
         "$ROOT/frontend/ParseAtoms.cpp" "$ROOT/frontend/ASTDump.cpp"
         "$ROOT/ir/Diagnostic.cpp" "$ROOT/test/fuzz/FrontendFuzzer.cpp")
OBJS=()
for src in "${SOURCES[@]}"; do
  obj="$OUT/$(basename "${src%.cpp}").o"
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ]; then
    $CXX -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
      -I"$ROOT" -c "$src" -o "$obj"
  fi
  OBJS+=("$obj")
done
clang++-19 -fsanitize=fuzzer,address,undefined "${OBJS[@]}" -o "$OUT/frontend-fuzzer"
find "$ROOT/test/lit/frontend" -name '*.py' -exec cp {} "$OUT/corpus/" \;
# parse-errors.test holds one file per error case after `#--- name` lines.
awk -v dir="$OUT/corpus" '/^#--- /{f=dir "/err-" $2; next} f{print > f}' \
  "$ROOT/test/lit/frontend/parse-errors.test"
exec "$OUT/frontend-fuzzer" "$OUT/corpus" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 \
  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
