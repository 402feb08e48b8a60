#!/usr/bin/env bash
# Load on the mock: wrk with 256 connections for DURATION seconds, twice,
# against `eiabench mock` (instant profile, no rate limit, 256 handler
# threads so that every connection has one). Prints wrk's figures (requests,
# non-2xx answers, socket errors) and the mock's RSS before, between and
# after the two rounds: "memory flat" means the second round adds nothing
# material. Bounded: 2 x DURATION plus a few seconds; the mock is stopped
# on every exit path.
#
#   scripts/load-mock.sh [BUILD_DIR] [DURATION_S]   defaults: build, 60
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
duration="${2:-60}"
command -v wrk >/dev/null || { echo "wrk is not installed" >&2; exit 5; }
out=$(mktemp -d)
"$build/eiabench" mock --port 0 --rate-limit-per-hour 0 --threads 256 \
  >"$out/mock.out" 2>"$out/mock.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$out"' EXIT
for _ in $(seq 100); do
  grep -q listening "$out/mock.out" 2>/dev/null && break
  sleep 0.1
done
url=$(sed -n 's/^listening on //p' "$out/mock.out")
[ -n "$url" ] || { echo "mock did not start" >&2; exit 5; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
query="$url/v2/electricity/rto/fuel-type-data/data/?frequency=hourly&data[0]=value&facets[respondent][]=PACW&start=2024-01-01T00&end=2024-01-02T23&length=24&api_key=loadtest"
curl -gfsS "$query" >/dev/null
rss0=$(rss)
echo "mock RSS before: ${rss0} kB"
for round in 1 2; do
  echo "== round $round: wrk -t2 -c256 -d${duration}s"
  wrk -t2 -c256 -d"${duration}s" --timeout 10s "$query" | tee "$out/wrk$round"
  echo "mock RSS after round $round: $(rss) kB"
done
rss2=$(rss)
kill -0 $pid  # still alive
curl -gfsS "$query" >/dev/null && echo "mock still answers after the load"
echo "RSS: before ${rss0} kB, after ${rss2} kB"
