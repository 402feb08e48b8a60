#!/usr/bin/env bash
# Installs every Debian package eiabench needs (idempotent, non-interactive),
# then configures and builds it into build/ (Release).
#
#   BUILD_DIR=build-asan SANITIZE=1 scripts/setup.sh   # a sanitizer build
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
SANITIZE=${SANITIZE:-0}
BUILD_TYPE=${BUILD_TYPE:-Release}

mapfile -t packages < <(grep -v '^#' scripts/packages.txt | sed '/^$/d')
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
fi

sanitize_flag=OFF
bench_flag=ON
# Benchmarks measure the Release build; a sanitizer build skips them.
if [ "$SANITIZE" = "1" ]; then sanitize_flag=ON; bench_flag=OFF; fi
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" \
  -DEIABENCH_SANITIZE="$sanitize_flag" -DEIABENCH_BUILD_BENCH="$bench_flag" \
  >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
