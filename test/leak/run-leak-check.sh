#!/usr/bin/env bash
# Leak check of compiled code (reference counts must be exact). Runs
# ember-leakcheck, linked with LeakSanitizer, with few and with many calls:
# the bytes leaked must not grow with the number of calls (what libtorch and
# LLVM keep for the whole process is the same in both runs).
set -euo pipefail
BUILD="$1"
BIN="$BUILD/test/ember-leakcheck"
export LSAN_OPTIONS="exitcode=0:report_objects=0"

leaked() {
  local out
  if ! out=$("$BIN" "$1" 2>&1); then
    echo "ember-leakcheck $1 failed:" >&2
    echo "$out" | tail -30 >&2
    return 1
  fi
  echo "$out" | grep -E "^[0-9]+ calls" >&2
  local bytes
  bytes=$(echo "$out" | sed -n 's/^SUMMARY: LeakSanitizer: \([0-9]*\) byte(s) leaked.*/\1/p')
  echo "${bytes:-0}"
}

few=$(leaked 5) || exit 1
many=$(leaked 200) || exit 1
echo "leaked: $few bytes after 5 calls, $many bytes after 200 calls"
if [ "$many" -gt "$few" ]; then
  echo "FAIL: leaks grow with the number of calls"
  "$BIN" 200 2>&1 | grep -A12 "Direct leak" | head -60
  exit 1
fi
