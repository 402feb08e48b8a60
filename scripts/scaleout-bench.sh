#!/usr/bin/env bash
# Scale-out throughput: records/s of `eiabench job run-local` with 1, 2 and 4
# worker processes against the mock on loopback, in two cases:
#
#   latency-bound  every request takes LATENCY_MS (mock latency), no shared
#                  limit binds: each worker waits on its own requests, so
#                  throughput should grow with the number of workers;
#   rate-bound     same latency, but the shared Redis budget allows RATE
#                  requests per sliding second (the mock enforces the same
#                  limit): throughput should plateau at the ceiling.
#
# Each cell: a private redis-server, a fresh job, N worker processes, merge,
# exactness check against the mock's truth. Output: a Markdown table.
#
#   scripts/scaleout-bench.sh                  # uses build/eiabench
#   EIABENCH=build-x/eiabench DAYS=100 scripts/scaleout-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${EIABENCH:-build/eiabench}
DAYS=${DAYS:-200}            # one 120-row page per day (PACW, 5 series)
LATENCY_MS=${LATENCY_MS:-50}
RATE=${RATE:-15}             # requests per second in the rate-bound case
WORKERS=${WORKERS:-"1 2 4"}
[ -x "$BIN" ] || { echo "build $BIN first (scripts/setup.sh)" >&2; exit 4; }
export EIA_API_KEY=scaleout-bench

tmp=$(mktemp -d)
mock_pid=
cleanup() {
  [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null && wait "$mock_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# Starts the mock with extra flags; sets $port and $mock_pid.
start_mock() {
  "$BIN" mock --port 0 --latency-base-ms "$LATENCY_MS" "$@" >"$tmp/mock.out" 2>&1 &
  mock_pid=$!
  for _ in $(seq 100); do
    grep -q listening "$tmp/mock.out" 2>/dev/null && break
    sleep 0.05
  done
  port=$(head -1 "$tmp/mock.out" | sed 's/.*://')
}
stop_mock() { kill "$mock_pid"; wait "$mock_pid" 2>/dev/null || true; mock_pid=; }

end=$(python3 -c "import datetime as d; print((d.datetime(2024,1,1)+d.timedelta(days=$DAYS)-d.timedelta(hours=1)).strftime('%Y-%m-%dT%H'))")
truth() {
  curl -sg "http://127.0.0.1:$port/_mock/truth/electricity/rto/fuel-type-data/data/?frequency=hourly&data[0]=value&facets[respondent][]=PACW&start=2024-01-01T00&end=$end" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["checksum"])'
}

# run_cell CASE N EXTRA_FLAGS...: one row of the table.
run_cell() {
  local case=$1 n=$2
  shift 2
  local out
  out=$("$BIN" job run-local --workers "$n" --json \
    --base-url "http://127.0.0.1:$port/v2" \
    --route electricity/rto/fuel-type-data --facet respondent=PACW \
    --start 2024-01-01T00 --end "$end" --days-per-batch 1 \
    --request-length 120 --job "bench-$case-$n" "$@")
  local expected
  expected=$(truth)
  python3 - "$case" "$n" "$expected" "$out" <<'PY'
import json, sys
case, n, expected, out = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
exact = "yes" if out["checksum"] == expected and out["exit_code"] == 0 else "NO"
print(f"| {case} | {n} | {out['records']} | {out['requests']} | "
      f"{out['duration_s']:.2f} | {out['records_per_s']:.0f} | "
      f"{out['requests'] / out['duration_s']:.1f} | {exact} |")
PY
}

echo "| case | workers | records | requests | wall s | records/s | requests/s | exact |"
echo "|---|---:|---:|---:|---:|---:|---:|---|"

start_mock --rate-limit-per-hour 0
for n in $WORKERS; do
  run_cell latency-bound "$n" --rate-limit-per-hour 0
done
stop_mock

start_mock --rate-limit-per-hour 0 --burst-per-second "$RATE"
for n in $WORKERS; do
  run_cell rate-bound "$n" --rate-limit-per-hour 0 --rate-limit-per-second "$RATE" --limiter "bench-$n"
done
max=$(curl -s "http://127.0.0.1:$port/_mock/stats" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["windows"][1]["max_requests_in_window"])')
stop_mock
echo
echo "rate-bound: the mock's own count, max requests in any 1 s window: $max (limit $RATE)"
