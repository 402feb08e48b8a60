#!/usr/bin/env bash
# Load on the mock, two modes.
#
#   scripts/load-mock.sh [BUILD_DIR] [DURATION_S]        defaults: build, 60
#
# wrk with 256 connections for DURATION seconds, twice, against `eiabench
# mock` (instant profile, no rate limit, 256 handler threads so that every
# connection has one). Prints wrk's figures (requests, non-2xx answers,
# socket errors), the kernel's listen-queue overflows during the run (when
# nstat is installed) and the mock's RSS before, between and after the two
# rounds: "memory flat" means the second round adds nothing material.
#
#   scripts/load-mock.sh cpu [BUILD_DIR] [DURATION_S]    defaults: build, 10
#
# Server CPU per request: the mock pinned to CPU 0, wrk pinned to CPU 1
# (-t1 -c8), the mock's utime + stime read from /proc/PID/stat before and
# after. Three runs: the 1-row pages of bench/wrk_pages.lua (the `instant`
# profile's small-page case), full 5,000-row pages (MB of body per server
# CPU-second), then the 1-row query string sent to an
# unknown control path (/_mock/nothing: the HTTP layer reads the request
# and the model answers a 404 without looking at the query), which is the
# floor the HTTP front end and the kernel set. Needs taskset and at least
# 2 CPUs. The mock runs one event loop there (--threads 1), pinned.
#
# Bounded: each wrk run lasts DURATION seconds plus a few; the mock is
# stopped on every exit path. Exit 5 when wrk is missing or the mock does
# not start.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=load
if [ "${1:-}" = cpu ]; then
  mode=cpu
  shift
fi
build="${1:-build}"
if [ "$mode" = cpu ]; then duration="${2:-10}"; else duration="${2:-60}"; fi
command -v wrk >/dev/null || { echo "wrk is not installed" >&2; exit 5; }
out=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$out"
}
trap cleanup EXIT

# start_mock [PREFIX...] -- [FLAGS...]: starts the mock, sets pid and url.
start_mock() {
  local prefix=()
  while [ "$1" != "--" ]; do prefix+=("$1"); shift; done
  shift
  "${prefix[@]}" "$build/eiabench" mock --host 127.0.0.1 --port 0 \
    --profile instant --rate-limit-per-hour 0 "$@" \
    >"$out/mock.out" 2>"$out/mock.err" &
  pid=$!
  for _ in $(seq 100); do
    grep -q listening "$out/mock.out" 2>/dev/null && break
    sleep 0.1
  done
  url=$(sed -n 's/^listening on //p' "$out/mock.out")
  [ -n "$url" ] || { echo "mock did not start" >&2; exit 5; }
}

stop_mock() {
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
}

overflows() {
  if command -v nstat >/dev/null; then
    nstat -az TcpExtListenOverflows | awk '/ListenOverflows/ {print $2}'
  else
    echo 0
  fi
}

# cpu_run LABEL WRK_ARGS...: one pinned wrk run, prints the per-request CPU.
cpu_run() {
  local label=$1
  shift
  local tick u0 s0 u1 s1
  tick=$(getconf CLK_TCK)
  read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  taskset -c 1 wrk -t1 -c8 -d"${duration}s" "$@" >"$out/wrk"
  read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  grep -E "Non-2xx|Socket errors" "$out/wrk" || true
  python3 - "$label" "$tick" "$u0" "$s0" "$u1" "$s1" "$out/wrk" <<'PY'
import re, sys
label, tick = sys.argv[1], int(sys.argv[2])
u0, s0, u1, s1 = (int(x) for x in sys.argv[3:7])
text = open(sys.argv[7]).read()
n = int(re.search(r"(\d+) requests in", text).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
user, sys_ = (u1 - u0) / tick, (s1 - s0) / tick
cpu = user + sys_
import os
body = int(os.environ.get("BODY_BYTES", "0"))
extra = (f", {n * body / cpu / 1e6:,.0f} MB of body per server CPU-second"
         if body else "")
print(f"{label}: {n} requests, {rps:,.0f} req/s; server CPU {cpu:.2f} s "
      f"(user {user:.2f}, sys {sys_:.2f}): "
      f"{n / cpu:,.0f} requests per server CPU-second, "
      f"{cpu / n * 1e6:.1f} us per request{extra}")
PY
}

if [ "$mode" = cpu ]; then
  command -v taskset >/dev/null || { echo "taskset is not installed" >&2; exit 5; }
  [ "$(nproc)" -ge 2 ] || { echo "cpu mode needs 2 CPUs" >&2; exit 5; }
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  start_mock taskset -c 0 -- --threads 1
  cpu_run "1-row pages (bench/wrk_pages.lua)" -s bench/wrk_pages.lua "$url/v2"
  stop_mock
  # Full pages: 5,000 rows of fuel-type data for all respondents, the
  # body size taken from one curl fetch of the same URL.
  start_mock taskset -c 0 -- --threads 1
  page="$url/v2/electricity/rto/fuel-type-data/data/?frequency=hourly&data[0]=value&start=2024-01-01T00&end=2024-01-31T23&offset=0&length=5000&api_key=bench-key"
  body_bytes=$(curl -gfsS "$page" | wc -c)
  BODY_BYTES=$body_bytes cpu_run "full 5,000-row pages ($body_bytes bytes)" "$page"
  stop_mock
  query="frequency=hourly&data[0]=value&facets[respondent][]=PACW&start=2024-01-05T00&end=2024-01-05T23&sort[0][column]=period&sort[0][direction]=asc&sort[1][column]=respondent&sort[1][direction]=asc&offset=17&length=1&api_key=bench-key"
  start_mock taskset -c 0 -- --threads 1
  cpu_run "floor (404 from /_mock/nothing, same query)" "$url/_mock/nothing?$query"
  stop_mock
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi

start_mock --
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
query="$url/v2/electricity/rto/fuel-type-data/data/?frequency=hourly&data[0]=value&facets[respondent][]=PACW&start=2024-01-01T00&end=2024-01-02T23&length=24&api_key=loadtest"
curl -gfsS "$query" >/dev/null
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
rss0=$(rss)
echo "mock RSS before: ${rss0} kB"
for round in 1 2; do
  echo "== round $round: wrk -t2 -c256 -d${duration}s"
  before=$(overflows)
  wrk -t2 -c256 -d"${duration}s" --timeout 10s "$query" | tee "$out/wrk$round"
  echo "listen queue overflows during round $round: $(($(overflows) - before))"
  echo "mock RSS after round $round: $(rss) kB"
done
rss2=$(rss)
kill -0 "$pid"  # still alive
curl -gfsS "$query" >/dev/null && echo "mock still answers after the load"
echo "RSS: before ${rss0} kB, after ${rss2} kB"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
