#!/usr/bin/env bash
# Crash and resume at full strength: 25 SIGKILL trials for `eiabench
# extract` and 25 for `eiabench run` (the suite runs 6 and 3). Each trial
# kills the child at a seeded-random point, resumes it, and checks the
# output against the mock's truth checksum / the saved repetitions.
#
#   scripts/crash-resume.sh [BUILD_DIR] [TRIALS]   defaults: build, 25
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
trials="${2:-25}"
cmake --build "$build" --target eiabench reliability_test
EIABENCH_CRASH_TRIALS="$trials" "$build/tests/reliability/reliability_test" \
  "[crash]" --durations yes
