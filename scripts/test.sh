#!/usr/bin/env bash
# Builds eiabench (installing what it needs) and runs the whole test suite.
#
#   scripts/test.sh                      # Release build in build/
#   BUILD_DIR=build-asan SANITIZE=1 scripts/test.sh
#   scripts/test.sh -R mock              # extra arguments go to ctest
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build}
cd "$BUILD_DIR"
ctest --output-on-failure -j "$(nproc)" --timeout 600 "$@"
