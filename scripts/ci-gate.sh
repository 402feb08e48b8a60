#!/usr/bin/env bash
# The CI regression gate (.ci/run calls it after the test suites): runs
# scenarios/ci-smoke.json on the sim and mock targets with the Release
# binary and checks each result against its committed baseline in
# results/baselines/. Fails on a regression (exit 1), a compliance violation
# (2) or incomparable input (3); the Markdown summaries land in
# $GATE_OUT (default build/gate/, ignored by git) for a pull-request comment.
#
#   scripts/ci-gate.sh                      # uses build/eiabench
#   EIABENCH=build-x/eiabench scripts/ci-gate.sh
set -euo pipefail
cd "$(dirname "$0")/.."
EIABENCH=${EIABENCH:-build/eiabench}
GATE_OUT=${GATE_OUT:-build/gate}
[ -x "$EIABENCH" ] || { echo "ci-gate: $EIABENCH not built (scripts/setup.sh)" >&2; exit 5; }
rm -rf "$GATE_OUT"
mkdir -p "$GATE_OUT"

status=0
for target in sim mock; do
  baseline="results/baselines/ci-smoke-$target.json"
  echo "== ci-gate: ci-smoke on $target against $baseline"
  "$EIABENCH" run scenarios/ci-smoke.json --target "$target" \
    --out "$GATE_OUT/$target" >/dev/null
  current=$(ls "$GATE_OUT/$target"/*.json | head -n 1)
  rc=0
  "$EIABENCH" check --baseline "$baseline" "$current" \
    --gate results/baselines/gate.json \
    --markdown "$GATE_OUT/ci-smoke-$target.md" || rc=$?
  echo "== ci-gate: $target exit $rc"
  # Keep the first failure's code; run every target anyway.
  [ "$status" -ne 0 ] || status=$rc
done
exit "$status"
