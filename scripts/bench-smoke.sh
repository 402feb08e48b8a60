#!/usr/bin/env bash
# CI: runs every Google Benchmark program once with a minimal time, so the
# benchmarks cannot rot, and checks that the Python seed-style peer extracts
# exactly the mock's truth. No timing assertion anywhere: on a shared CI
# machine speed is noise. Finishes in well under two minutes.
#
#   scripts/bench-smoke.sh               # uses build/ (scripts/test.sh made it)
#   BUILD_DIR=build-perf scripts/bench-smoke.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
cmake --build "$BUILD_DIR" -j "$(nproc)" >/dev/null
shopt -s nullglob
programs=("$BUILD_DIR"/bench/bench_*)
if [ ${#programs[@]} -eq 0 ]; then
  echo "bench-smoke: no benchmark programs in $BUILD_DIR/bench" >&2
  exit 1
fi
for program in "${programs[@]}"; do
  echo "bench-smoke: $(basename "$program")"
  # The full-page virtual hour costs tens of CPU-seconds by design (it is a
  # measurement, not a smoke check); the 1-row hour exercises the same code.
  filter='.*'
  [ "$(basename "$program")" = bench_extract ] &&
    filter='BM_SimVirtualHour/1/|BM_LoopbackExtract'
  # --benchmark_min_time takes seconds as a plain number in benchmark 1.7.
  "$program" --benchmark_min_time=0.01 --benchmark_filter="$filter" >/dev/null
done
if "$BUILD_DIR/eiabench" mock --help >/dev/null 2>&1; then
  /usr/bin/python3 bench/peer_check.py --build-dir "$BUILD_DIR"
else
  echo "bench-smoke: no 'eiabench mock' in this build; peer check skipped"
fi
echo "bench-smoke: ok (${#programs[@]} programs)"
