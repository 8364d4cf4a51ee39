#!/usr/bin/env bash
# Installs what is missing, then configures and builds ember in build/.
# Repeated builds are quick: ccache caches compilations across clean builds.
set -euo pipefail
cd "$(dirname "$0")/.."

./utils/install-deps.sh

BUILD_DIR=${EMBER_BUILD_DIR:-build}
JOBS=${EMBER_JOBS:-$(nproc)}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
# CI builds a fresh clone in another folder: make cache hits independent of it.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$BUILD_DIR" -j "$JOBS"

# A Python environment that sees Debian's torch and this build of ember:
# .venv/bin/python -c 'import ember'.
if [ ! -x .venv/bin/python ]; then
  /usr/bin/python3 -m venv --system-site-packages .venv
fi
SITE=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$PWD/$BUILD_DIR/python" > "$SITE/ember.pth"
