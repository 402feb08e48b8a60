#!/usr/bin/env bash
# The main job: builds eiabench if needed, then sweeps the quick-start scenario
# against the embedded EIA mock, prints the comparison table and writes a
# result file under results/runs/.
#
#   scripts/run.sh                                  # the quick start
#   scripts/run.sh scenarios/phase5-ultimate.json   # any scenario, on the mock
#   scripts/run.sh SCENARIO --target sim            # extra flags go to `run`
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/eiabench ] || scripts/setup.sh
cmake --build build -j "$(nproc)" >/dev/null
scenario=${1:-scenarios/quickstart.json}
shift || true
# The mock unless the caller chose a target.
target=(--target mock)
for arg in "$@"; do
  case "$arg" in --target | --target=*) target=() ;; esac
done
exec build/eiabench run "$scenario" "${target[@]}" --out results/runs "$@"
