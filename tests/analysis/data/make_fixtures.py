#!/usr/bin/env python3
"""Writes the hand-made result files the analysis tests read.

They follow docs/RESULTS.md (schema version 1) field by field, with small,
round numbers so that expected medians and changes can be computed by hand.
Run it from this directory; the outputs are committed.
"""
import json

LIMITS = [{"window_s": 3600, "limit": 5000}]


def context(clock_mode, sha="1111111111111111111111111111111111111111"):
    return {
        "harness_version": "0.1.0", "git_sha": sha, "git_dirty": False,
        "build_type": "Release", "compiler": "GNU 12.2.0",
        "libcurl_version": "7.88.1", "host": "testhost",
        "cpu_model": "Test CPU", "cores": 2, "kernel": "6.1.0",
        "timestamp": "2026-12-03T16:00:00Z", "clock_mode": clock_mode,
        "time_scale": 1.0, "seed": 42,
        "command": "eiabench run scenarios/test.json",
    }


def compliance(max_count, limit=5000):
    ok = max_count <= limit
    return [{"window_s": 3600, "limit": limit, "max_count": max_count,
             "headroom": 1 - max_count / limit, "compliant": ok,
             "first_violation_s": None if ok else 1800.0,
             "fixed_window_max": max_count, "server_max_count": max_count}]


def rep(i, metrics, max_count=4410, extras=True):
    r = {"rep": i, "status": "ok", "invalid_reason": None,
         "bound_by": "pacer", "metrics": metrics,
         "compliance": compliance(max_count),
         "compliant": max_count <= 5000}
    if extras:
        p50 = metrics.get("latency_p50_us", 800000)
        r["latency_spectrum_us"] = [[50.0, p50], [90.0, p50 * 1.2],
                                    [99.0, p50 * 1.5], [99.9, p50 * 1.6],
                                    [100.0, p50 * 1.7]]
        rate = metrics["requests"] / max(metrics["duration_s"], 1)
        t = list(range(0, 3601, 300))
        r["window_series"] = {"window_s": 3600, "limit": 5000, "t_s": t,
                              "count": [min(int(rate * x), max_count)
                                        for x in t]}
    return r


def metrics(records_per_s, duration_s=100.0, latency_p50_us=800000,
            http_429=0, requests=6):
    return {
        "records": records_per_s * duration_s, "requests": requests,
        "duration_s": duration_s, "records_per_s": records_per_s,
        "requests_per_s": requests / duration_s,
        "requests_per_hour": requests / duration_s * 3600,
        "records_per_request": records_per_s * duration_s / requests,
        "completeness": 1.0, "http_429": http_429,
        "latency_p50_us": latency_p50_us,
        "latency_p99_us": latency_p50_us * 1.5,
        "time_pacing_s": duration_s * 0.5, "time_in_flight_s": duration_s * 0.4,
        "time_parse_s": duration_s * 0.05, "time_sink_s": duration_s * 0.05,
        "time_backoff_s": 0.0, "peak_in_flight": 2,
    }


def cell(index, params, reps):
    cid = " ".join(f"{k}={v}" for k, v in params.items())
    compliant = all(r["compliant"] for r in reps)
    return {"index": index, "id": cid, "params": params,
            "settings": dict(params), "config_hash": f"c{index}",
            "repetitions": reps, "aggregates": {}, "compliant": compliant}


def result(name, clock_mode, kind, cells, scenario_hash="aaaa", sha=None,
           gate=None):
    scenario = {"name": name, "description": "test fixture"}
    if gate:
        scenario["gate"] = gate
    ctx = context(clock_mode) if sha is None else context(clock_mode, sha)
    return {
        "schema_version": 1, "kind": "eiabench.run", "context": ctx,
        "scenario": scenario, "scenario_hash": scenario_hash,
        "target": {"kind": kind,
                   "base_url": None if kind == "sim" else
                   "http://127.0.0.1:1/v2",
                   "profile": "instant", "limits": LIMITS,
                   "max_rows_per_request": 5000},
        "cells": cells,
        "summary": {"cells": len(cells),
                    "repetitions": sum(len(c["repetitions"]) for c in cells),
                    "compliant_cells": sum(c["compliant"] for c in cells),
                    "invalid_repetitions": 0, "wall_time_s": 0.4},
    }


def write(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


def sim_cells(rate_45, rate_60, max_count=4410, latency=800000):
    return [
        cell(0, {"days_per_batch": 45, "max_concurrent_batches": 2},
             [rep(i, metrics(rate_45, latency_p50_us=latency)) for i in
              range(3)]),
        cell(1, {"days_per_batch": 60, "max_concurrent_batches": 2},
             [rep(i, metrics(rate_60, latency_p50_us=latency), max_count)
              for i in range(3)]),
    ]


def mock_cells(rates_a, rates_b, with_only=None):
    cells = [
        cell(0, {"days_per_batch": 45}, [rep(i, metrics(r))
                                         for i, r in enumerate(rates_a)]),
        cell(1, {"days_per_batch": 60}, [rep(i, metrics(r))
                                         for i, r in enumerate(rates_b)]),
    ]
    if with_only is not None:
        cells.append(cell(2, {"days_per_batch": with_only},
                          [rep(0, metrics(1000.0))]))
    return cells


def grid():
    cells, index = [], 0
    for conc in (1, 2):
        for days in (30, 45, 60):
            rate = 1000.0 * days / 30 * (1 + 0.5 * (conc - 1))
            max_count = 5200 if (days == 60 and conc == 2) else 4000
            cells.append(cell(index, {"days_per_batch": days,
                                      "max_concurrent_batches": conc},
                              [rep(i, metrics(rate + i,
                                              latency_p50_us=700000 +
                                              10000 * days),
                                   max_count) for i in range(3)]))
            index += 1
    return cells


def main():
    write("base_sim.json", result("ci-smoke", "virtual", "sim",
                                  sim_cells(3000.0, 3200.0)))
    write("same_sim.json", result("ci-smoke", "virtual", "sim",
                                  sim_cells(3000.0, 3200.0), sha="2" * 40))
    write("slower_sim.json", result("ci-smoke", "virtual", "sim",
                                    sim_cells(3000.0, 2900.0),
                                    scenario_hash="bbbb"))
    write("faster_sim.json", result("ci-smoke", "virtual", "sim",
                                    sim_cells(3100.0, 3200.0)))
    write("noncompliant_sim.json",
          result("ci-smoke", "virtual", "sim",
                 sim_cells(3000.0, 3200.0, max_count=5012)))
    missing = result("ci-smoke", "virtual", "sim", sim_cells(3000.0, 3200.0))
    missing["cells"] = missing["cells"][:1]
    write("missing_cell_sim.json", missing)
    invalid = result("ci-smoke", "virtual", "sim", sim_cells(3000.0, 3200.0))
    for r in invalid["cells"][1]["repetitions"]:
        r["status"] = "failed"
        r["invalid_reason"] = "pages failed after all retries"
    write("invalid_sim.json", invalid)
    v2 = result("ci-smoke", "virtual", "sim", sim_cells(3000.0, 3200.0))
    v2["schema_version"] = 2
    write("schema_v2.json", v2)
    write("base_mock.json",
          result("ci-smoke", "scaled", "mock",
                 mock_cells([100, 101, 102, 103, 104],
                            [200, 201, 202, 203, 204])))
    write("drop_mock.json",
          result("ci-smoke", "scaled", "mock",
                 mock_cells([80, 81, 82, 83, 84], [199, 200, 201, 202, 205])))
    partner = result("ci-smoke", "scaled", "mock",
                     mock_cells([100, 101, 102], [1, 2, 3], with_only=120))
    del partner["cells"][1]
    write("partner_mock.json", partner)
    write("three_reps_mock.json",
          result("ci-smoke", "scaled", "mock",
                 mock_cells([50, 51, 52], [100, 101, 102])))
    write("noisy_mock.json",
          result("ci-smoke", "scaled", "mock",
                 mock_cells([95, 99, 103, 106, 108], [170, 250, 190, 230, 210]),
                 gate={"thresholds_pct": {"records_per_s": 3}}))
    write("grid_sim.json", result("grid", "virtual", "sim", grid()))


if __name__ == "__main__":
    main()
