#!/usr/bin/python3
"""Checks that the Python seed-style peer extracts exactly the mock's truth.

A peer that fetched other rows than eiabench would make the records-per-
CPU-second ratio meaningless, so CI (scripts/bench-smoke.sh) runs the peer
against `eiabench mock --profile instant` on a small workload whose batches
need several pages, and compares its row count and row checksum (the shared
XXH3 sum contract) with `/_mock/truth` for the same query.

Exit codes: 0 the peer matches, 3 it does not, 5 the mock did not start.
"""

import argparse
import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_driver  # noqa: E402  (Mock, REPO)

ROUTE = "electricity/rto/fuel-type-data"
START, END_INCLUSIVE, END_EXCLUSIVE = "2024-01-01T00", "2024-03-10T23", \
    "2024-03-11T00"


def truth(base_url):
    query = urllib.parse.urlencode({
        "frequency": "hourly", "data[0]": "value",
        "facets[respondent][]": "PACW", "start": START,
        "end": END_INCLUSIVE, "api_key": bench_driver.BENCH_KEY})
    root = base_url.rsplit("/v2", 1)[0]
    with urllib.request.urlopen(f"{root}/_mock/truth/{ROUTE}/data?{query}",
                                timeout=30) as r:
        return json.load(r)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build-dir", default=os.path.join(bench_driver.REPO,
                                                       "build"))
    args = p.parse_args(argv)
    args.eiabench = os.path.join(args.build_dir, "eiabench")
    args.pin = False
    try:
        mock = bench_driver.Mock(args)
    except (RuntimeError, OSError) as e:
        print(f"peer_check: {e}", file=sys.stderr)
        return 5
    with mock:
        expected = truth(mock.base_url)
        # 40-day batches of 5 series = 4,800 rows; length 1000 forces
        # several pages per batch, so paging is exercised too.
        cmd = ["/usr/bin/python3",
               os.path.join(bench_driver.REPO, "scripts/peers/seed_client.py"),
               "--base-url", mock.base_url, "--route", ROUTE,
               "--respondent", "PACW", "--start", START, "--end",
               END_EXCLUSIVE, "--days-per-batch", "40", "--length", "1000",
               "--verify"]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    got = bench_driver.last_json_line(out.stdout) or {}
    ok = (out.returncode == 0 and got.get("rows") == expected.get("rows")
          and got.get("records") == expected.get("rows")
          and got.get("checksum") == expected.get("checksum"))
    print(f"peer_check: {'ok' if ok else 'MISMATCH'}: peer rows "
          f"{got.get('rows')} checksum {got.get('checksum')}, truth rows "
          f"{expected.get('rows')} checksum {expected.get('checksum')}",
          file=sys.stderr)
    return 0 if ok else 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
