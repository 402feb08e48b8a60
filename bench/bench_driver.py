#!/usr/bin/python3
"""Runs eiabench's performance suite and its peers, writes one result file.

Called by scripts/bench.sh (which builds the Release tree first). Steps:

  1. the Google Benchmark programs in BUILD/bench/ (parsing, mock pages,
     pacing primitives, sim, loopback extraction);
  2. peers side by side against one `eiabench mock --profile instant`
     process: wrk vs `eiabench extract` on 1-row pages (requests/s), the
     Python seed-style client (scripts/peers/seed_client.py) vs `eiabench
     extract` with the null and SQLite sinks (records per CPU-second and
     wall time);
  3. the scale table: records/s and peak RSS (the process's rusage) for one
     month, one year, ten years of one respondent and all respondents for
     one year, against the sim target and the instant mock;
  4. writes results/bench/<UTC timestamp>.json (kind "eiabench.bench", the
     same `context` block as run results) and refreshes the part of
     docs/PERFORMANCE.md between the bench.sh markers.

Pinning: with --pin (the default on machines with >= 2 cores) the mock runs
on CPU 0 and every client (wrk, eiabench, Python) on CPU 1, so that a client
never competes with the server for its core; the result file says so.

Exit codes: 0 ok (goals missed are reported, not failures), 5 environment
(a program missing or a step failing to start).
"""

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

EXIT_ENVIRONMENT = 5
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN_MARK = "<!-- bench.sh:begin -->"
END_MARK = "<!-- bench.sh:end -->"
BENCH_KEY = "bench-key"  # the mock accepts any non-empty key by default


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def sh(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def first_line(cmd):
    try:
        out = sh(cmd)
        text = (out.stdout or out.stderr).strip().splitlines()
        return text[0] if text else ""
    except OSError:
        return ""


def quote(cmd):
    """A command line a reader can paste (paths relative to the repo)."""
    parts = []
    for c in cmd:
        c = str(c)
        if c.startswith(REPO + "/"):
            c = c[len(REPO) + 1:]
        parts.append(c if re.fullmatch(r"[\w@%+=:,./-]+", c) else f"'{c}'")
    return " ".join(parts)


def pinned(cmd, cpu, pin):
    return (["taskset", "-c", str(cpu)] + cmd) if pin else cmd


# ---------------------------------------------------------------------------
# The context block (the same fields as run results, docs/RESULTS.md)
# ---------------------------------------------------------------------------

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def compiler(build_dir):
    cache = os.path.join(build_dir, "CMakeCache.txt")
    try:
        with open(cache) as f:
            text = f.read()
        path = re.search(r"CMAKE_CXX_COMPILER:\w+=(.*)", text).group(1)
        return first_line([path, "--version"])
    except (OSError, AttributeError):
        return first_line(["c++", "--version"])


def build_type(build_dir):
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
            m = re.search(r"CMAKE_BUILD_TYPE:\w+=(.*)", f.read())
            return m.group(1) if m else "unknown"
    except OSError:
        return "unknown"


def context(args):
    sha = sh(["git", "-C", REPO, "rev-parse", "HEAD"]).stdout.strip()
    dirty = bool(sh(["git", "-C", REPO, "status", "--porcelain",
                     "--untracked-files=no"]).stdout.strip())
    return {
        "harness_version": first_line([args.eiabench, "--version"]),
        "git_sha": sha or "unknown",
        "git_dirty": dirty,
        "build_type": build_type(args.build_dir),
        "compiler": compiler(args.build_dir),
        "libcurl_version": first_line(["curl-config", "--version"]),
        "host": socket.gethostname(),
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        "timestamp": dt.datetime.now(dt.timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%SZ"),
        "load_average_at_start": list(os.getloadavg()),
        "pinning": ("mock on CPU 0, clients on CPU 1 (taskset)"
                    if args.pin else "none"),
        "peers": {
            "wrk": first_line(["wrk", "-v"]),
            "python": first_line(["/usr/bin/python3", "--version"]),
            "python_requests": sh(["/usr/bin/python3", "-c",
                                   "import requests;print(requests.__version__)"
                                   ]).stdout.strip(),
        },
        "command": "scripts/bench.sh " + " ".join(args.argv),
    }


# ---------------------------------------------------------------------------
# Measuring a process: its own rusage from wait4
# ---------------------------------------------------------------------------

def timed(cmd, cpu, pin, timeout_s, env=None):
    """Runs cmd (optionally pinned) and reaps it with os.wait4.

    Returns wall_s, user_s, sys_s, cpu_s, max_rss_kb, rc, stdout. The CPU
    time is the whole process's (all threads, start-up included), from the
    kernel's rusage of that one child at microsecond resolution
    (/usr/bin/time prints hundredths, too coarse for a 0.2 s run). taskset
    execs the command in place, so the child is the measured program."""
    with tempfile.TemporaryFile("w+") as out, \
            tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(pinned(cmd, cpu, pin), stdout=out, stderr=err,
                                text=True, env=env)
        deadline = start + timeout_s
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                proc.returncode = -9
                return {"rc": -1, "error": f"timed out after {timeout_s} s",
                        "stdout": ""}
            time.sleep(0.001)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    user, system = usage.ru_utime, usage.ru_stime
    return {
        "rc": proc.returncode, "wall_s": wall, "user_s": user,
        "sys_s": system, "cpu_s": user + system,
        "max_rss_kb": int(usage.ru_maxrss),
        "stdout": stdout, "stderr": stderr[-2000:],
    }


def last_json_line(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


# ---------------------------------------------------------------------------
# The mock, started once per measurement group
# ---------------------------------------------------------------------------

class Mock:
    def __init__(self, args, extra=()):
        # instant and unlimited: the mock must never be what binds.
        cmd = [args.eiabench, "mock", "--host", "127.0.0.1", "--port", "0",
               "--profile", "instant", "--rate-limit-per-hour", "0"
               ] + list(extra)
        self.command = pinned(cmd, 0, args.pin)
        self.proc = subprocess.Popen(self.command, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline().strip()
        m = re.fullmatch(r"listening on (http://[\d.]+:\d+)", line)
        if not m:
            self.stop()
            raise RuntimeError(f"mock did not start: {line!r}")
        self.base_url = m.group(1) + "/v2"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# ---------------------------------------------------------------------------
# Google Benchmark programs
# ---------------------------------------------------------------------------

def run_gbench(args, results):
    bench_dir = os.path.join(args.build_dir, "bench")
    programs = sorted(p for p in os.listdir(bench_dir)
                      if p.startswith("bench_")
                      and os.access(os.path.join(bench_dir, p), os.X_OK)
                      ) if os.path.isdir(bench_dir) else []
    if not programs:
        log(f"no benchmark programs in {bench_dir}")
    for name in programs:
        path = os.path.join(bench_dir, name)
        with tempfile.NamedTemporaryFile("r", suffix=".json") as out:
            cmd = [path, f"--benchmark_out={out.name}",
                   "--benchmark_out_format=json",
                   f"--benchmark_min_time={args.min_time}",
                   f"--benchmark_repetitions={args.repetitions}",
                   "--benchmark_report_aggregates_only=true"]
            log(f"{name} ...")
            proc = sh(pinned(cmd, 1, args.pin), timeout=args.step_timeout_s)
            try:
                data = json.load(out)
            except ValueError:
                log(f"{name} failed (rc {proc.returncode}): "
                    f"{proc.stderr.strip()[-300:]}")
                continue
        # The median where a benchmark was repeated, else its one run (a
        # benchmark may fix its own repetitions).
        chosen = {}
        for b in data.get("benchmarks", []):
            if b.get("run_type") == "aggregate":
                if b.get("aggregate_name") == "median":
                    chosen[b["run_name"]] = b
            else:
                chosen.setdefault(b["run_name"], b)
        for b in chosen.values():
            b["program"] = name
            b["command"] = quote(pinned(
                [os.path.relpath(path, REPO),
                 f"--benchmark_filter=^{b['run_name']}$",
                 f"--benchmark_min_time={args.min_time}",
                 f"--benchmark_repetitions={args.repetitions}"],
                1, args.pin))
            results["benchmarks"].append(b)


def gbench(results, run_name):
    for b in results["benchmarks"]:
        if b.get("run_name") == run_name:
            return b
    return None


# ---------------------------------------------------------------------------
# Peers
# ---------------------------------------------------------------------------

def wrk_requests_per_s(args, url, connections):
    """wrk with bench/wrk_pages.lua: the same 1-row page URLs (offsets
    0..119 of one day, days walking forward) that eiabench asks for, so the
    mock does the same work per request for both clients."""
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{args.wrk_duration_s}s",
           "-s", os.path.join(REPO, "bench/wrk_pages.lua"), url]
    proc = sh(pinned(cmd, 1, args.pin), timeout=args.wrk_duration_s + 60)
    m = re.search(r"Requests/sec:\s*([\d.]+)", proc.stdout)
    errors = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", proc.stdout)
    return (float(m.group(1)) if m else None,
            int(errors.group(1)) if errors else 0, cmd)


def extract_cmd(args, base_url, workload, sink, extra=()):
    """`eiabench extract` for a workload dict (route, respondents, start,
    end, days_per_batch, concurrency, length)."""
    cmd = [args.eiabench, "extract", "--base-url", base_url,
           "--route", workload["route"],
           "--start", workload["start"], "--end", workload["end"],
           "--days-per-batch", str(workload["days_per_batch"]),
           "--max-concurrent-batches", str(workload["concurrency"]),
           "--request-length", str(workload.get("length", 5000)),
           "--sink", sink["kind"], "--json"]
    for r in workload.get("respondents", []):
        cmd += ["--facet", f"respondent={r}"]
    if sink.get("path"):
        cmd += ["--out", sink["path"]]
    return cmd + list(extra)


def run_extract(args, base_url, workload, sink, extra=()):
    env = dict(os.environ, EIA_API_KEY=BENCH_KEY)
    cmd = extract_cmd(args, base_url, workload, sink, extra)
    m = timed(cmd, 1, args.pin, args.step_timeout_s, env=env)
    m["summary"] = last_json_line(m.get("stdout", "")) or {}
    m["command"] = quote(pinned(cmd, 1, args.pin))
    return m


def records_of(summary):
    for key in ("rows", "records", "rows_total"):
        if key in summary:
            return summary[key]
    return 0


def requests_of(summary):
    return summary.get("requests", 0)


def peer_wrk(args, results):
    """Raw HTTP ceiling: wrk and eiabench on 1-row pages, same connections.

    eiabench at its maximum request rate: no pacing at all, length=1 pages
    so each request carries one row, and `connections` batches in flight
    (one connection each) so the connection count equals wrk's -c. A batch
    of one day of one respondent is 120 one-row pages fetched in sequence."""
    conns = args.connections
    workload = {"route": "electricity/rto/fuel-type-data",
                "respondents": ["PACW"], "start": "2024-01-01T00",
                "end": args.wrk_workload_end, "days_per_batch": 1,
                "concurrency": conns, "length": 1}
    with Mock(args) as mock:
        wrk_rps, wrk_non2xx, wrk_cmd = wrk_requests_per_s(
            args, mock.base_url, conns)
        ours = run_extract(args, mock.base_url, workload, {"kind": "null"},
                           ["--pool-maxsize", str(conns)])
    summary = ours["summary"]
    duration = summary.get("duration_s") or ours.get("wall_s") or 0
    our_rps = requests_of(summary) / duration if duration else None
    results["peers"]["wrk"] = {
        "connections": conns, "wrk_requests_per_s": wrk_rps,
        "wrk_non_2xx": wrk_non2xx, "eiabench": summary,
        "eiabench_requests_per_s": our_rps,
        "eiabench_rc": ours.get("rc"),
        "mock_command": quote(mock.command),
    }
    add_row(results, "HTTP requests/s, 1-row pages, "
            f"{conns} connections", our_rps, wrk_rps, "req/s",
            "eiabench >= 0.8x wrk",
            lambda r: r is not None and r >= 0.8,
            ours["command"] + "  vs  " + quote(pinned(wrk_cmd, 1, args.pin)),
            peer_name="wrk")


def peer_python(args, results):
    """The seed-style Python client vs eiabench on the same workload."""
    w = {"route": "electricity/rto/fuel-type-data", "respondents": ["PACW"],
         "start": args.peer_start, "end": args.peer_end,
         "days_per_batch": 45, "concurrency": 5, "length": 5000}
    # eiabench --end is inclusive (last hour); the peer's is exclusive.
    end_excl = (dt.datetime.strptime(w["end"], "%Y-%m-%dT%H")
                + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H")
    tmp = tempfile.mkdtemp(prefix="eiabench_bench_")
    try:
        with Mock(args) as mock:
            py_cmd = ["/usr/bin/python3",
                      os.path.join(REPO, "scripts/peers/seed_client.py"),
                      "--base-url", mock.base_url, "--route", w["route"],
                      "--respondent", "PACW", "--start", w["start"],
                      "--end", end_excl, "--days-per-batch", "45",
                      "--workers", "5", "--accept-encoding", "identity",
                      "--raw-dir",
                      os.path.join(tmp, "raw")]
            # Interleaved runs (Python, null, SQLite, Python, ...), each
            # reported by its median CPU time: one 0.2 s run of eiabench is
            # at the mercy of a neighbour on a shared VM.
            runs = {"python": [], "null": [], "sqlite": []}
            for _ in range(args.peer_runs):
                py = timed(py_cmd, 1, args.pin, args.step_timeout_s,
                           env=dict(os.environ, EIA_API_KEY=BENCH_KEY))
                py["summary"] = last_json_line(py.get("stdout", "")) or {}
                runs["python"].append(py)
                runs["null"].append(
                    run_extract(args, mock.base_url, w, {"kind": "null"}))
                db = os.path.join(tmp, "bench.db")
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(db + suffix):
                        os.remove(db + suffix)
                runs["sqlite"].append(
                    run_extract(args, mock.base_url, w,
                                {"kind": "sqlite", "path": db}))
            py, null, sqlite = (median_run(runs[k])
                                for k in ("python", "null", "sqlite"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    py_records = py["summary"].get("records", 0)
    results["peers"]["python_seed"] = {
        "workload": w, "runs": args.peer_runs,
        "python": strip(py), "eiabench_null": strip(null),
        "eiabench_sqlite": strip(sqlite),
        "cpu_s_all_runs": {k: [r.get("cpu_s") for r in v]
                           for k, v in runs.items()}}
    py_rate = per_cpu(py_records, py)
    py_cmd_text = quote(pinned(py_cmd, 1, args.pin))
    for name, m, goal in (("null", null, 30), ("SQLite", sqlite, 10)):
        rate = per_cpu(records_of(m["summary"]), m)
        add_row(results, f"records per CPU-second, {name} sink vs seed "
                "JSON files", rate, py_rate, "records/CPU-s",
                f"eiabench >= {goal}x",
                lambda r, g=goal: r is not None and r >= g,
                m["command"] + "  vs  " + py_cmd_text,
                peer_name="Python seed-style")
        add_row(results, f"wall time, {name} sink vs seed JSON files",
                m.get("wall_s"), py.get("wall_s"), "s", "lower is better",
                None, m["command"] + "  vs  " + py_cmd_text,
                peer_name="Python seed-style", lower_is_better=True)
    if py_records and records_of(null["summary"]) != py_records:
        results["notes"].append(
            f"record counts differ: eiabench {records_of(null['summary'])}"
            f", Python peer {py_records}")


def median_run(ms):
    """The run with the median CPU time (the lower middle one for an even
    count), so every figure of a row comes from one real run."""
    ok = sorted((m for m in ms if m.get("cpu_s")), key=lambda m: m["cpu_s"])
    return ok[(len(ok) - 1) // 2] if ok else ms[0]


def strip(m):
    return {k: v for k, v in m.items() if k not in ("stdout", "stderr")}


def per_cpu(records, m):
    return records / m["cpu_s"] if m.get("cpu_s") else None


# ---------------------------------------------------------------------------
# Scale table
# ---------------------------------------------------------------------------

SCALE_WORKLOADS = [
    ("1 month, PACW", ["PACW"], "2024-01-01T00", "2024-01-31T23"),
    ("1 year, PACW", ["PACW"], "2024-01-01T00", "2024-12-31T23"),
    ("5 years, PACW", ["PACW"], "2020-01-01T00", "2024-12-31T23"),
    ("10 years, PACW", ["PACW"], "2015-07-01T00", "2025-06-30T23"),
    ("1 year, all respondents", [], "2024-01-01T00", "2024-12-31T23"),
]


def scale_table(args, results):
    with Mock(args) as mock:
        for label, resp, start, end in SCALE_WORKLOADS:
            w = {"route": "electricity/rto/fuel-type-data",
                 "respondents": resp, "start": start, "end": end,
                 "days_per_batch": 30, "concurrency": 4, "length": 5000}
            log(f"scale (mock): {label}")
            m = run_extract(args, mock.base_url, w, {"kind": "null"})
            results["scale"].append(scale_entry("instant mock", label, m))
    for label, resp, start, end in SCALE_WORKLOADS:
        log(f"scale (sim): {label}")
        m = run_sim(args, resp, start, end)
        results["scale"].append(scale_entry("sim", label, m))


def scale_entry(target, label, m):
    """records/s is per second of the process's wall time, start-up
    included, for both targets (sim's own durations are virtual)."""
    s = m.get("summary", {})
    rec = records_of(s)
    duration = m.get("wall_s")
    return {"target": target, "workload": label, "records": rec,
            "requests": requests_of(s), "wall_s": m.get("wall_s"),
            "cpu_s": m.get("cpu_s"),
            "records_per_s": rec / duration if duration else None,
            "records_per_cpu_s": (rec / m["cpu_s"] if m.get("cpu_s")
                                  else None),
            "max_rss_kb": m.get("max_rss_kb"), "rc": m.get("rc"),
            "command": m.get("command")}


def run_sim(args, respondents, start, end):
    """`eiabench run --target sim` on a one-cell scenario written here.

    The `instant` profile and no pacing: the virtual clock then hardly moves
    and the process's wall time is the pure cost of planning, generating,
    parsing and hashing every page."""
    scenario = {
        "name": "bench-scale",
        "description": "scripts/bench.sh scale table cell (sim, instant)",
        "target": "sim",
        "workload": {"route": "electricity/rto/fuel-type-data",
                     "respondents": respondents or ["*"],
                     "start": start[:10], "end": end[:10], "passes": 1},
        "mock": {"profile": "instant"},
        "settings": {"client_mode": "honest", "days_per_batch": 30},
        "matrix": {"axes": {"max_concurrent_batches": [4]}},
        "limits": [{"window_s": 3600, "limit": 1000000}],
        "repetitions": 1,
        "seed": 1,
    }
    tmp = tempfile.mkdtemp(prefix="eiabench_sim_")
    try:
        path = os.path.join(tmp, "scale.json")
        with open(path, "w") as f:
            json.dump(scenario, f)
        cmd = [args.eiabench, "run", path, "--target", "sim", "--out",
               os.path.join(tmp, "out")]
        m = timed(cmd, 1, args.pin, args.step_timeout_s)
        m["command"] = quote(pinned(cmd, 1, args.pin)) + \
            f"  # scenario: {json.dumps(scenario['workload'])}"
        m["summary"] = sim_summary(os.path.join(tmp, "out"))
        if m.get("rc") != 0:
            log(f"sim run failed (rc {m.get('rc')}): "
                f"{m.get('stderr', '').strip()[-300:]}")
        return m
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def sim_summary(out_dir):
    for root, _, files in os.walk(out_dir):
        for name in files:
            if name.endswith(".json"):
                try:
                    with open(os.path.join(root, name)) as f:
                        doc = json.load(f)
                    metrics = doc["cells"][0]["repetitions"][0]["metrics"]
                except (ValueError, KeyError, IndexError, OSError):
                    continue
                # duration_s is virtual here: the wall time is the cost.
                return {"rows": int(metrics.get("records", 0)),
                        "requests": int(metrics.get("requests", 0)),
                        "virtual_duration_s": metrics.get("duration_s")}
    return {}


# ---------------------------------------------------------------------------
# The summary table and the document
# ---------------------------------------------------------------------------

def add_row(results, measure, ours, peer, unit, goal, goal_met, command,
            peer_name="", lower_is_better=False):
    ratio = None
    if ours and peer:
        ratio = peer / ours if lower_is_better else ours / peer
    results["table"].append({
        "measure": measure, "unit": unit, "eiabench": ours, "peer": peer,
        "peer_name": peer_name, "ratio": ratio, "goal": goal,
        "goal_met": goal_met(ratio) if goal_met else None,
        "command": command})


def benchmark_rows(results):
    """Rows for the table from the Google Benchmark results."""
    rows = []
    for b in results["benchmarks"]:
        counters = []
        if "bytes_per_second" in b:
            counters.append(f"{b['bytes_per_second'] / 1e6:,.0f} MB/s")
        if "records_per_s" in b:
            counters.append(f"{b['records_per_s'] / 1e6:,.2f} M records/s")
        for key in ("requests_per_s", "virtual_hour_requests",
                    "virtual_hour_records", "peak_in_flight",
                    "ns_per_send"):
            if key in b:
                value = b[key] * 1e9 if key == "ns_per_send" else b[key]
                counters.append(f"{key} {value:,.4g}")
        # UseRealTime benchmarks (whole extractions) report wall time.
        kind = "real_time" if "real_time" in b["run_name"] else "cpu_time"
        time_text = (f"{b.get(kind, 0):,.1f} {b.get('time_unit', 'ns')}"
                     f"{' (wall)' if kind == 'real_time' else ''}")
        rows.append((b["run_name"], time_text, "; ".join(counters),
                     b["command"]))
    return rows


def fmt(v, digits=3):
    if v is None:
        return "n/a"
    if isinstance(v, float):
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:.{digits}g}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def render(results):
    c = results["context"]
    out = [BEGIN_MARK, "",
           "_Generated by `scripts/bench.sh` from "
           f"`{results['result_file']}`; edit the script, not this part._",
           "", "### Machine", "",
           f"- CPU: {c['cpu_model']}, {c['cores']} cores; kernel "
           f"{c['kernel']}; host `{c['host']}`",
           f"- Build: {c['build_type']}, {c['compiler']}; "
           f"{c['libcurl_version']}",
           f"- Commit `{c['git_sha'][:12]}`"
           f"{' (dirty tree)' if c['git_dirty'] else ''}, "
           f"{c['timestamp']}; load average at start "
           f"{', '.join(f'{x:.2f}' for x in c['load_average_at_start'])}",
           f"- Pinning: {c['pinning']}",
           "", "### eiabench against its peers", "",
           "| measure | eiabench | peer | ratio | goal | command |",
           "|---|---:|---:|---:|---|---|"]
    for r in results["table"]:
        met = {True: " (met)", False: " (**missed**)"}.get(r["goal_met"], "")
        out.append(
            f"| {r['measure']} ({r['unit']}) | {fmt(r['eiabench'])} | "
            f"{fmt(r['peer'])} {r['peer_name']} | "
            f"{fmt(r['ratio'])}x | {r['goal']}{met} | `{r['command']}` |")
    out += ["", "### Micro-benchmarks (Google Benchmark, median of "
            f"{results['settings']['repetitions']})", "",
            "| benchmark | CPU time | throughput | command |",
            "|---|---:|---|---|"]
    for name, t, counters, cmd in benchmark_rows(results):
        out.append(f"| {name} | {t} | {counters} | `{cmd}` |")
    if results["scale"]:
        out += ["", "### Scale: cost as work grows (null sink)", "",
                "| target | workload | records | requests | records/s (wall) | "
                "records/CPU-s | peak RSS (MiB) | wall (s) | command |",
                "|---|---|---:|---:|---:|---:|---:|---:|---|"]
        for s in results["scale"]:
            rss = s["max_rss_kb"] / 1024 if s.get("max_rss_kb") else None
            out.append(
                f"| {s['target']} | {s['workload']} | {fmt(s['records'])} | "
                f"{fmt(s['requests'])} | {fmt(s['records_per_s'])} | "
                f"{fmt(s.get('records_per_cpu_s'))} | "
                f"{fmt(rss)} | {fmt(s['wall_s'])} | `{s['command']}` |")
    if results["notes"]:
        out += ["", "### Notes from this run", ""]
        out += [f"- {n}" for n in results["notes"]]
    out += ["", END_MARK]
    return "\n".join(out)


DOC_HEAD = """# Performance

How fast eiabench's parts are, measured, and how it compares with its peers.
Everything here is reproducible with `scripts/bench.sh`; the commands in the
tables run one measurement each.

"""


def refresh_doc(path, block):
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        text = DOC_HEAD
    if BEGIN_MARK in text and END_MARK in text:
        head, rest = text.split(BEGIN_MARK, 1)
        tail = rest.split(END_MARK, 1)[1]
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n## Latest bench.sh run\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(text)


# ---------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build-dir", default=os.path.join(REPO, "build"))
    p.add_argument("--out-dir", default=os.path.join(REPO, "results/bench"))
    p.add_argument("--doc", default=os.path.join(REPO, "docs/PERFORMANCE.md"))
    p.add_argument("--no-doc", action="store_true",
                   help="do not refresh docs/PERFORMANCE.md")
    p.add_argument("--quick", action="store_true",
                   help="short runs: fewer repetitions, shorter wrk, small "
                        "workloads (numbers are noisier)")
    p.add_argument("--only", default="gbench,wrk,python,scale",
                   help="comma list of steps to run")
    p.add_argument("--no-pin", dest="pin", action="store_false",
                   default=(os.cpu_count() or 1) >= 2)
    p.add_argument("--connections", type=int, default=8)
    args = p.parse_args(argv)
    args.argv = argv
    args.eiabench = os.path.join(args.build_dir, "eiabench")
    args.repetitions = 1 if args.quick else 3
    args.peer_runs = 1 if args.quick else 5
    args.min_time = 0.05 if args.quick else 0.5
    args.wrk_duration_s = 3 if args.quick else 10
    args.wrk_workload_end = "2024-01-20T23" if args.quick else "2024-06-30T23"
    args.peer_start = "2024-01-01T00" if args.quick else "2020-01-01T00"
    args.peer_end = "2024-03-31T23" if args.quick else "2024-12-31T23"
    args.step_timeout_s = 600
    return args


def main(argv):
    args = parse_args(argv)
    if not os.access(args.eiabench, os.X_OK):
        log(f"{args.eiabench} not found: build first (scripts/bench.sh does)")
        return EXIT_ENVIRONMENT
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    os.makedirs(args.out_dir, exist_ok=True)
    out_path = os.path.join(args.out_dir, f"{stamp}.json")
    results = {"schema_version": 1, "kind": "eiabench.bench",
               "context": context(args),
               "settings": {"repetitions": args.repetitions,
                            "min_time_s": args.min_time,
                            "wrk_duration_s": args.wrk_duration_s,
                            "connections": args.connections,
                            "quick": args.quick},
               "result_file": os.path.relpath(out_path, REPO),
               "benchmarks": [], "peers": {}, "table": [], "scale": [],
               "notes": []}
    steps = {"gbench": run_gbench, "wrk": peer_wrk, "python": peer_python,
             "scale": scale_table}
    for name in args.only.split(","):
        try:
            steps[name](args, results)
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            results["notes"].append(f"step {name} failed: {e}")
            log(f"step {name} failed: {e}")
    with open(out_path, "w") as f:
        json.dump(results, f, indent=1)
    log(f"wrote {os.path.relpath(out_path, REPO)}")
    if not args.no_doc:
        refresh_doc(args.doc, render(results))
        log(f"refreshed {os.path.relpath(args.doc, REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
