#!/usr/bin/env bash
# Re-records the committed CI baselines: runs scenarios/ci-smoke.json on the
# sim and mock targets and copies the result files to results/baselines/.
# Run it after a change that is meant to move the numbers, review
# `git diff results/baselines` (and `eiabench compare OLD NEW`), commit.
#
#   scripts/refresh-baselines.sh                  # uses build/eiabench
#   EIABENCH=build-x/eiabench scripts/refresh-baselines.sh
set -euo pipefail
cd "$(dirname "$0")/.."
EIABENCH=${EIABENCH:-build/eiabench}
[ -x "$EIABENCH" ] || { echo "refresh-baselines: $EIABENCH not built (scripts/setup.sh)" >&2; exit 5; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p results/baselines
for target in sim mock; do
  "$EIABENCH" run scenarios/ci-smoke.json --target "$target" \
    --out "$tmp/$target" >/dev/null
  result=$(ls "$tmp/$target"/*.json | head -n 1)
  cp "$result" "results/baselines/ci-smoke-$target.json"
  echo "refresh-baselines: results/baselines/ci-smoke-$target.json"
done
