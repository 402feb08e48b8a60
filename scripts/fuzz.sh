#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan, coverage in the
# libraries too) and runs each for a set time on a copy of its committed
# seed corpus (fuzz/corpus/<target>/), so the committed corpora stay small.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#     SECONDS_PER_TARGET  default 60; 0 replays the committed corpora and
#                         regression inputs once, without fuzzing (CI)
#     TARGET              response_parser scenario_parser mock_request (all)
#
# A crash leaves its input in build-fuzz/findings/<target>/; copy it into
# fuzz/corpus/<target>/ once fixed so it stays a regression case. Exit 0
# when every target ran clean, 1 when one found a crash.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(response_parser scenario_parser mock_request)
build=build-fuzz
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer"
if [ ! -f "$build/CMakeCache.txt" ]; then
  CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DEIABENCH_BUILD_FUZZ=ON -DEIABENCH_BUILD_TESTS=OFF \
    -DEIABENCH_BUILD_BENCH=OFF "-DCMAKE_CXX_FLAGS=$flags" >/dev/null
fi
cmake --build "$build" --target "${targets[@]/#/fuzz_}"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
for t in "${targets[@]}"; do
  work="$build/corpus/$t"
  findings="$build/findings/$t"
  mkdir -p "$work" "$findings"
  cp -n fuzz/corpus/"$t"/* "$work"/ 2>/dev/null || true
  # Earlier findings first: each input once, as a regression case.
  if compgen -G "fuzz/regressions/$t/*" >/dev/null; then
    echo "== fuzz_$t on fuzz/regressions/$t"
    if ! "$build/fuzz/fuzz_$t" fuzz/regressions/"$t"/* 2>"$build/fuzz_${t}_regressions.log"; then
      echo "fuzz_$t: REGRESSION, see $build/fuzz_${t}_regressions.log"
      status=1
    fi
  fi
  if [ "$seconds" = 0 ]; then
    # Replay only: every committed corpus input once, no mutation. This is
    # deterministic, so CI can run it.
    echo "== fuzz_$t: replaying fuzz/corpus/$t"
    if ! "$build/fuzz/fuzz_$t" -runs=0 fuzz/corpus/"$t" 2>"$build/fuzz_$t.log"; then
      echo "fuzz_$t: FAILED on the corpus, see $build/fuzz_$t.log"
      status=1
    fi
    continue
  fi
  echo "== fuzz_$t for ${seconds}s"
  # -max_len: a page of a few rows or a scenario fits; bigger inputs only
  # slow the search down. -rss_limit_mb bounds memory per input.
  if ! "$build/fuzz/fuzz_$t" "$work" fuzz/corpus/"$t" -max_total_time="$seconds" \
      -max_len=8192 -rss_limit_mb=2048 -timeout=10 \
      -artifact_prefix="$findings/" -print_final_stats=1 2>"$build/fuzz_$t.log"; then
    echo "fuzz_$t: FINDING, see $findings and $build/fuzz_$t.log"
    status=1
  fi
  grep -E "^stat::number_of_executed_units|^stat::new_units_added|Done [0-9]+ runs" \
    "$build/fuzz_$t.log" || true
done
exit $status
