#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test suite: the lit +
# FileCheck suite, the gtest unit tests and the pytest suite (through ctest).
set -euo pipefail
cd "$(dirname "$0")/.."

./utils/build.sh
BUILD_DIR=${EMBER_BUILD_DIR:-build}
cd "$BUILD_DIR"
ctest --output-on-failure
