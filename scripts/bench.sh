#!/usr/bin/env bash
# Runs eiabench's whole performance suite and its peers side by side, writes
# results/bench/<UTC timestamp>.json and refreshes docs/PERFORMANCE.md
# (only the part between the bench.sh markers). See docs/PERFORMANCE.md.
#
#   scripts/bench.sh                   # the full run (about 10 minutes)
#   scripts/bench.sh --quick           # short, noisier numbers
#   scripts/bench.sh --only gbench     # steps: gbench,wrk,python,scale
#   BUILD_DIR=build-rel scripts/bench.sh --no-doc
#
# Builds a Release tree first (BUILD_DIR, default build/): numbers from a
# Debug or sanitizer build would mislead. Needs wrk, taskset
# and Debian's python3-requests (scripts/setup.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DEIABENCH_SANITIZE=OFF -DEIABENCH_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" >/dev/null
exec /usr/bin/python3 bench/bench_driver.py --build-dir "$BUILD_DIR" "$@"
