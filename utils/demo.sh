#!/usr/bin/env bash
# Installs what is missing, builds, and runs the demo: a graph printed by
# TorchScript (torch 1.13) for a small attention function, before and after
# ember-opt's default pipeline (inline, constant propagation, pooling, dce,
# cse, peephole).
set -euo pipefail
cd "$(dirname "$0")/.."

./utils/build.sh > /dev/null
BUILD_DIR=${EMBER_BUILD_DIR:-build}
GRAPH=examples/graphs/attention.ir

echo "=== TorchScript graph ($GRAPH, $(grep -c . "$GRAPH") lines) ==="
cat "$GRAPH"
echo
echo "=== ember-opt $GRAPH --pipeline=default ==="
"$BUILD_DIR/tools/ember-opt/ember-opt" "$GRAPH" --pipeline=default --stats 2>&1
echo
echo "=== ember.script: a transformer block (examples/python/demo.py) ==="
.venv/bin/python examples/python/demo.py
