#!/usr/bin/python3
"""A Python EIA extractor written in the seed's style, as a performance peer.

It reproduces how the seed (ydarbleoj/ring-attention-energy, see
SEED_FINDINGS.md sections 1-2) spends CPU per record, but fetches the right
rows, so that its cost can be compared with `eiabench extract` on exactly the
same workload:

  * one requests.Session with HTTPAdapter(pool_connections=25,
    pool_maxsize=60, pool_block=False) and urllib3 Retry(total=2,
    backoff_factor=0.3, status_forcelist=429/500/502/503/504), timeout 20 s,
    the seed's User-Agent and Accept headers;
  * date batches of --days-per-batch days submitted to a ThreadPoolExecutor
    (the seed's later ThreadPool orchestrator, 5 workers by default);
  * response.json() per page, json.dumps() of the body to measure its size;
  * one raw file per batch, {"metadata": ..., "api_response": ...} written
    with json.dump(indent=2), then read back with json.load() to count the
    records, as the seed's orchestrator did.

What differs from the seed, on purpose (each would make it fetch other rows
or spend wall time doing nothing, which is not what this peer measures):

  * batch bounds are hour-exact (start=YYYY-MM-DDTHH, end = the batch's last
    hour, inclusive), so no hour is lost at a batch boundary;
  * every batch is paginated with offset/length until `total` is reached, and
    the pages of a batch are combined into one raw file (the seed's
    `_make_paginated_request` shape from commit d26cf31);
  * no deliberate time.sleep() before each GET and no rate limiter: the seed's
    0.72 s sleep costs no CPU but would dominate wall time;
  * an HTTP or parse failure is counted as failed, never as success.

It uses only Debian's python3-requests (run with /usr/bin/python3 so that a
pyenv or venv interpreter with other library versions is not picked up).

Output: one JSON line on stdout with records, requests, wall_s, cpu_s (user +
system of this process, all threads, from os.times() at the end of the
timed window) and, with --verify, rows and checksum per the shared row
checksum contract (computed after the timed window).

Exit codes: 0 ok, 3 some batch failed, 4 bad flag, 5 target unreachable.
"""

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import requests
import xxhash
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

EXIT_INVALID_RUN = 3
EXIT_USAGE = 4
EXIT_ENVIRONMENT = 5
MAX_ROWS_PER_PAGE = 5000
MASK64 = (1 << 64) - 1


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad flag exits with eiabench's usage code, 4."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"seed_client: error: {message}\n")


def parse_args(argv):
    p = _Parser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base-url", required=True,
                   help="e.g. http://127.0.0.1:8080/v2 (loopback only)")
    p.add_argument("--route", default="electricity/rto/fuel-type-data")
    p.add_argument("--respondent", action="append", default=[],
                   help="facets[respondent][] value (repeatable; none = all)")
    p.add_argument("--start", required=True, help="first hour, YYYY-MM-DDTHH")
    p.add_argument("--end", required=True,
                   help="end hour, exclusive, YYYY-MM-DDTHH")
    p.add_argument("--days-per-batch", type=int, default=45)
    p.add_argument("--workers", type=int, default=5,
                   help="ThreadPoolExecutor max_workers")
    p.add_argument("--length", type=int, default=MAX_ROWS_PER_PAGE)
    p.add_argument("--accept-encoding", default="gzip, deflate",
                   help="the seed's requests sent 'gzip, deflate'; "
                        "scripts/bench.sh uses 'identity' so that both "
                        "clients receive the same uncompressed bytes")
    p.add_argument("--raw-dir", default=None,
                   help="where raw JSON files go (default: a temp dir, "
                        "removed at exit)")
    p.add_argument("--verify", action="store_true",
                   help="after the timed window, count rows and compute the "
                        "row checksum from the raw files")
    args = p.parse_args(argv)
    for name in ("days_per_batch", "workers", "length"):
        if getattr(args, name) <= 0:
            p.error(f"--{name.replace('_', '-')} must be positive")
    if args.length > MAX_ROWS_PER_PAGE:
        p.error(f"--length must be at most {MAX_ROWS_PER_PAGE}")
    if not args.base_url.startswith(("http://127.0.0.1", "http://localhost")):
        p.error("--base-url must be a loopback http:// URL")
    try:
        args.start_hour = dt.datetime.strptime(args.start, "%Y-%m-%dT%H")
        args.end_hour = dt.datetime.strptime(args.end, "%Y-%m-%dT%H")
    except ValueError as e:
        p.error(f"bad --start/--end: {e}")
    if args.end_hour <= args.start_hour:
        p.error("--end must be after --start")
    return args


def make_session(accept_encoding):
    """The seed's client: one Session, pools 25/60, two urllib3 retries.

    Accept-Encoding is set explicitly: Debian's requests adds `br` when
    python3-brotli is installed, which the seed's environment did not send
    (SEED_FINDINGS section 2, "Headers")."""
    session = requests.Session()
    retry = Retry(total=2, backoff_factor=0.3,
                  status_forcelist=[429, 500, 502, 503, 504])
    adapter = HTTPAdapter(max_retries=retry, pool_connections=25,
                          pool_maxsize=60, pool_block=False)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"User-Agent": "EIA-Ultimate-Client/1.0",
                            "Accept": "application/json",
                            "Accept-Encoding": accept_encoding})
    return session


def plan_batches(start_hour, end_hour, days_per_batch):
    """Hour-exact, non-overlapping [first, last] hour pairs (last inclusive)."""
    step = dt.timedelta(days=days_per_batch)
    batches = []
    first = start_hour
    while first < end_hour:
        stop = min(first + step, end_hour)
        batches.append((first, stop - dt.timedelta(hours=1)))
        first = stop
    return batches


def base_params(args, first, last):
    params = {
        "frequency": "hourly",
        "data[0]": "value",
        "start": first.strftime("%Y-%m-%dT%H"),
        "end": last.strftime("%Y-%m-%dT%H"),
        "sort[0][column]": "period",
        "sort[0][direction]": "asc",
        "length": args.length,
        "api_key": args.api_key,
    }
    if args.respondent:
        params["facets[respondent][]"] = args.respondent
    return params


def get_page(session, url, params):
    response = session.get(url, params=params, timeout=20)
    response.raise_for_status()
    body = response.json()
    if "response" not in body:
        raise ValueError("body has no 'response' key")
    return body


def fetch_batch(session, args, url, first, last):
    """All pages of one batch, combined as the seed's paginated request did."""
    params = base_params(args, first, last)
    rows, requests_made, offset, total = [], 0, 0, None
    while total is None or offset < total:
        params["offset"] = offset
        body = get_page(session, url, params)
        requests_made += 1
        page = body["response"].get("data", [])
        total = int(body["response"].get("total", 0))
        rows.extend(page)
        if not page:
            break
        offset += len(page)
    return {"response": {"data": rows, "total": len(rows)}}, requests_made


def save_and_reload(args, first, last, api_response):
    """The seed's raw loader: write pretty JSON, then read it back."""
    metadata = {
        "timestamp": dt.datetime.now().isoformat(),
        "source": "eia",
        "region": ",".join(args.respondent) or "ALL",
        "start_date": first.isoformat(),
        "end_date": last.isoformat(),
        "response_size_bytes": len(json.dumps(api_response)),
        "record_count": len(api_response["response"]["data"]),
        "success": True,
        "error_message": None,
    }
    name = "eia_{}_{}_{}_to_{}.json".format(
        args.route.rsplit("/", 1)[-1], metadata["region"],
        first.strftime("%Y%m%dT%H"), last.strftime("%Y%m%dT%H"))
    path = os.path.join(args.raw_dir, name)
    with open(path, "w") as f:
        json.dump({"metadata": metadata, "api_response": api_response}, f,
                  indent=2)
    with open(path) as f:
        saved = json.load(f)
    return path, saved["metadata"]["record_count"]


def run_batch(session, args, url, batch):
    first, last = batch
    try:
        api_response, requests_made = fetch_batch(session, args, url, first,
                                                  last)
    except (requests.RequestException, ValueError, KeyError) as e:
        # Unlike the seed, a failure is a failure (one line, no URL: the URL
        # carries the key).
        return {"ok": False, "error": type(e).__name__, "requests": 0}
    path, records = save_and_reload(args, first, last, api_response)
    return {"ok": True, "path": path, "records": records,
            "requests": requests_made}


def row_hash(row):
    # The shared row checksum contract: XXH3-64 (seed 0) of "key=value;" for
    # every field in response order, "null" for a JSON null.
    text = "".join("{}={};".format(k, "null" if v is None else v)
                   for k, v in row.items())
    return xxhash.xxh3_64_intdigest(text.encode("utf-8"))


def verify(paths):
    rows, checksum = 0, 0
    for path in paths:
        with open(path) as f:
            data = json.load(f)["api_response"]["response"]["data"]
        for row in data:
            rows += 1
            checksum = (checksum + row_hash(row)) & MASK64
    return rows, "{:016x}".format(checksum)


def main(argv):
    args = parse_args(argv)
    args.api_key = os.environ.get("EIA_API_KEY", "bench-key")
    own_dir = args.raw_dir is None
    if own_dir:
        args.raw_dir = tempfile.mkdtemp(prefix="seed_peer_")
    os.makedirs(args.raw_dir, exist_ok=True)
    url = args.base_url.rstrip("/") + "/" + args.route.strip("/") + "/data/"
    try:
        # The timed window: from building the session to the last file read
        # back, as in the seed (which also built its client inside it).
        wall_start = time.perf_counter()
        cpu_start = os.times()
        session = make_session(args.accept_encoding)
        batches = plan_batches(args.start_hour, args.end_hour,
                               args.days_per_batch)
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            results = list(pool.map(
                lambda b: run_batch(session, args, url, b), batches))
        wall_s = time.perf_counter() - wall_start
        cpu_end = os.times()
        cpu_s = (cpu_end.user - cpu_start.user) + (
            cpu_end.system - cpu_start.system)

        failed = [r for r in results if not r["ok"]]
        summary = {
            "records": sum(r.get("records", 0) for r in results),
            "requests": sum(r["requests"] for r in results),
            "batches": len(batches),
            "failed_batches": len(failed),
            "wall_s": round(wall_s, 4),
            "cpu_s": round(cpu_s, 4),
        }
        if failed:
            summary["first_error"] = failed[0]["error"]
        if args.verify:
            rows, checksum = verify([r["path"] for r in results if r["ok"]])
            summary["rows"], summary["checksum"] = rows, checksum
        print(json.dumps(summary), flush=True)
        if failed and all(r["error"] == "ConnectionError" for r in failed):
            return EXIT_ENVIRONMENT
        return EXIT_INVALID_RUN if failed else 0
    finally:
        if own_dir:
            shutil.rmtree(args.raw_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
