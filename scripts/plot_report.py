#!/usr/bin/env python3
"""Draws the charts of `eiabench report` and writes DIR/index.html.

Called by `eiabench report` (which validates the result files first); it can
also be run directly:

    /usr/bin/python3 scripts/plot_report.py --out DIR RESULT.json...

Needs only Debian's python3-matplotlib (scripts/setup.sh installs it). The
charts, each skipped with a note in the page when the data is absent:

  heatmap    median records/s over two parameters; non-compliant cells hatched
  windows    requests in the sliding window over time against the limit
  spectrum   latency percentile spectrum per cell
  batch      records/s against batch size, one line per concurrency
  budget     the time budget per cell (time_*_s medians), stacked

The page references only the image files written next to it and carries its
own CSS: no script, no network.
"""
import argparse
import html
import json
import math
import os
import statistics
import sys

import matplotlib

matplotlib.use("Agg")  # no display: files only
import matplotlib.pyplot as plt  # noqa: E402

BUDGET = ["time_pacing_s", "time_in_flight_s", "time_parse_s", "time_sink_s",
          "time_backoff_s"]
MAX_LINES = 12  # more lines than this make a chart unreadable


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="+")
    p.add_argument("--out", required=True)
    p.add_argument("--format", default="png", choices=["png", "svg"])
    p.add_argument("--x-axis", default="")
    p.add_argument("--y-axis", default="")
    p.add_argument("--batch-axis", default="days_per_batch")
    p.add_argument("--line-axis", default="max_concurrent_batches")
    return p.parse_args(argv)


def load_cells(paths):
    """Every cell of every file, labelled by file when there are several."""
    cells = []
    for path in paths:
        with open(path) as f:
            doc = json.load(f)
        name = doc.get("scenario", {}).get("name") or os.path.basename(path)
        for cell in doc.get("cells", []):
            ok = [r for r in cell.get("repetitions", [])
                  if r.get("status", "ok") == "ok"]
            label = cell.get("id", "")
            if len(paths) > 1:
                label = f"{name}: {label}"
            cells.append({"label": label, "params": cell.get("params", {}),
                          "compliant": cell.get("compliant", True) and all(
                              r.get("compliant", True)
                              for r in cell.get("repetitions", [])),
                          "reps": ok})
    return cells


def median_metric(cell, name):
    values = [r["metrics"][name] for r in cell["reps"]
              if isinstance(r.get("metrics", {}).get(name), (int, float))]
    return statistics.median(values) if values else None


def varying_axes(cells):
    axes = []
    for cell in cells:
        for key in cell["params"]:
            if key not in axes:
                axes.append(key)
    return [a for a in axes
            if len({json.dumps(c["params"].get(a)) for c in cells}) > 1]


def sort_key(value):
    return (0, value, "") if isinstance(value, (int, float)) else (
        1, 0, str(value))


def save(fig, out, name, fmt):
    path = os.path.join(out, f"{name}.{fmt}")
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return os.path.basename(path)


def heatmap(cells, x_axis, y_axis, out, fmt):
    if not x_axis or not y_axis:
        return None, "needs two parameters that vary across cells"
    xs = sorted({c["params"].get(x_axis) for c in cells}, key=sort_key)
    ys = sorted({c["params"].get(y_axis) for c in cells}, key=sort_key)
    grid = [[None] * len(xs) for _ in ys]
    bad = [[False] * len(xs) for _ in ys]
    for c in cells:
        value = median_metric(c, "records_per_s")
        if value is None:
            continue
        i = ys.index(c["params"].get(y_axis))
        j = xs.index(c["params"].get(x_axis))
        # Other axes may vary too: each square shows the best cell.
        if grid[i][j] is None or value > grid[i][j]:
            grid[i][j] = value
        bad[i][j] = bad[i][j] or not c["compliant"]
    fig, ax = plt.subplots(figsize=(1.4 + 1.1 * len(xs), 1.2 + 0.8 * len(ys)))
    data = [[math.nan if v is None else v for v in row] for row in grid]
    image = ax.imshow(data, cmap="viridis", aspect="auto", origin="lower")
    fig.colorbar(image, ax=ax, label="records/s (median)")
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            if value is None:
                continue
            text = f"{value:,.0f}" + ("\nover limit" if bad[i][j] else "")
            ax.text(j, i, text, ha="center", va="center", fontsize=8,
                    color="white" if not bad[i][j] else "red",
                    fontweight="bold" if bad[i][j] else "normal")
            if bad[i][j]:
                ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1,
                                           fill=False, hatch="//",
                                           edgecolor="red", linewidth=2))
    ax.set_xticks(range(len(xs)), [str(x) for x in xs])
    ax.set_yticks(range(len(ys)), [str(y) for y in ys])
    ax.set_xlabel(x_axis)
    ax.set_ylabel(y_axis)
    ax.set_title("records/s by cell (red hatching: rate limit exceeded)")
    return save(fig, out, "heatmap", fmt), None


def windows(cells, out, fmt):
    series = [(c["label"], c["reps"][0]["window_series"]) for c in cells
              if c["reps"] and "window_series" in c["reps"][0]]
    if not series:
        return None, "no repetition has a window_series"
    fig, ax = plt.subplots(figsize=(8, 4.5))
    limit = None
    for label, s in series[:MAX_LINES]:
        ax.plot(s["t_s"], s["count"], label=label, linewidth=1.2)
        limit = s.get("limit", limit)
        window_s = s.get("window_s")
    if limit is not None:
        ax.axhline(limit, color="red", linestyle="--", linewidth=1.5,
                   label=f"limit {limit}")
    ax.set_xlabel("time (s, run clock)")
    ax.set_ylabel(f"requests in the last {window_s} s")
    ax.set_title("Requests per sliding window (first repetition per cell)")
    ax.legend(fontsize=7, loc="best")
    ax.grid(alpha=0.3)
    return save(fig, out, "windows", fmt), None


def spectrum(cells, out, fmt):
    rows = [(c["label"], c["reps"][0]["latency_spectrum_us"]) for c in cells
            if c["reps"] and c["reps"][0].get("latency_spectrum_us")]
    if not rows:
        return None, "no repetition has a latency_spectrum_us"
    fig, ax = plt.subplots(figsize=(8, 4.5))
    top = max(p for _, pairs in rows for p, _ in pairs if p < 100)
    max_x = 10 / (1 - top / 100)  # the maximum sits one decade further
    for label, pairs in rows[:MAX_LINES]:
        # x = 1 / (1 - p): tails get room, as in HdrHistogram's plots.
        xs = [max_x if p >= 100 else 1 / (1 - p / 100) for p, _ in pairs]
        ax.plot(xs, [us / 1000 for _, us in pairs], marker="o", markersize=3,
                label=label)
    ticks = [t for t in (50, 90, 99, 99.9, 99.99) if t <= top]
    ax.set_xscale("log")
    ax.set_xticks([1 / (1 - t / 100) for t in ticks] + [max_x],
                  [f"p{t:g}" for t in ticks] + ["max"])
    ax.minorticks_off()
    ax.set_xlabel("percentile")
    ax.set_ylabel("latency (ms, actual send to response end)")
    ax.set_title("Latency percentile spectrum (first repetition per cell)")
    ax.legend(fontsize=7, loc="best")
    ax.grid(alpha=0.3, which="both")
    return save(fig, out, "spectrum", fmt), None


def batch(cells, batch_axis, line_axis, out, fmt):
    usable = [c for c in cells if batch_axis in c["params"]
              and median_metric(c, "records_per_s") is not None]
    if len({json.dumps(c["params"][batch_axis]) for c in usable}) < 2:
        return None, f"needs 2+ values of {batch_axis}"
    lines = {}
    for c in usable:
        key = c["params"].get(line_axis, "all")
        best = lines.setdefault(key, {})
        x = c["params"][batch_axis]
        value = median_metric(c, "records_per_s")
        best[x] = max(value, best.get(x, value))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for key in sorted(lines, key=sort_key)[:MAX_LINES]:
        points = sorted(lines[key].items(), key=lambda kv: sort_key(kv[0]))
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o",
                label=f"{line_axis}={key}")
    ax.set_xlabel(batch_axis)
    ax.set_ylabel("records/s (median)")
    ax.set_title(f"records/s vs {batch_axis}, one line per {line_axis}")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return save(fig, out, "batch", fmt), None


def budget(cells, out, fmt):
    rows = [(c["label"], [median_metric(c, m) or 0 for m in BUDGET])
            for c in cells if any(median_metric(c, m) for m in BUDGET)]
    if not rows:
        return None, "no cell has time_*_s metrics"
    fig, ax = plt.subplots(figsize=(8, 1.5 + 0.35 * len(rows)))
    left = [0] * len(rows)
    for k, name in enumerate(BUDGET):
        widths = [r[1][k] for r in rows]
        ax.barh([r[0] for r in rows], widths, left=left,
                label=name.removeprefix("time_").removesuffix("_s"))
        left = [a + b for a, b in zip(left, widths)]
    ax.invert_yaxis()
    ax.set_xlabel("seconds (median over repetitions, run clock)")
    ax.set_title("Time budget per cell")
    ax.tick_params(axis="y", labelsize=7)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    return save(fig, out, "budget", fmt), None


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>eiabench report</title>
<style>
body {{ font-family: sans-serif; max-width: 980px; margin: 2em auto;
       color: #222; }}
img {{ max-width: 100%; border: 1px solid #ddd; }}
table {{ border-collapse: collapse; font-size: 0.85em; }}
td, th {{ border: 1px solid #ccc; padding: 2px 6px; text-align: right; }}
td:first-child {{ text-align: left; }}
.bad {{ color: #b00; font-weight: bold; }}
.note {{ color: #777; font-style: italic; }}
</style></head><body>
<h1>eiabench report</h1>
<p>Result files: {files}</p>
{sections}
<h2>Cells</h2>
{table}
</body></html>
"""


def cell_table(cells):
    rows = ["<table><tr><th>cell</th><th>reps</th><th>records/s</th>"
            "<th>requests/h</th><th>compliant</th></tr>"]
    for c in cells:
        rate = median_metric(c, "records_per_s")
        per_hour = median_metric(c, "requests_per_hour")
        fmt = (lambda v: "-" if v is None else f"{v:,.1f}")
        compliant = ("yes" if c["compliant"]
                     else '<span class="bad">no</span>')
        rows.append(f"<tr><td>{html.escape(c['label'])}</td>"
                    f"<td>{len(c['reps'])}</td><td>{fmt(rate)}</td>"
                    f"<td>{fmt(per_hour)}</td><td>{compliant}</td></tr>")
    return "\n".join(rows + ["</table>"])


def main(argv):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    cells = load_cells(args.files)
    axes = varying_axes(cells)
    x_axis = args.x_axis or (axes[0] if len(axes) > 0 else "")
    y_axis = args.y_axis or (axes[1] if len(axes) > 1 else "")
    charts = [
        ("Records/s heat map", heatmap(cells, x_axis, y_axis, args.out,
                                       args.format)),
        ("Requests per sliding window vs the limit",
         windows(cells, args.out, args.format)),
        ("Latency percentile spectrum", spectrum(cells, args.out,
                                                 args.format)),
        ("Records/s vs batch size", batch(cells, args.batch_axis,
                                          args.line_axis, args.out,
                                          args.format)),
        ("Time budget", budget(cells, args.out, args.format)),
    ]
    sections = []
    for title, (image, why_not) in charts:
        body = (f'<img src="{html.escape(image)}" alt="{html.escape(title)}">'
                if image else
                f'<p class="note">Not drawn: {html.escape(why_not)}.</p>')
        sections.append(f"<h2>{html.escape(title)}</h2>\n{body}")
    files = ", ".join(f"<code>{html.escape(p)}</code>" for p in args.files)
    with open(os.path.join(args.out, "index.html"), "w") as f:
        f.write(PAGE.format(files=files, sections="\n".join(sections),
                            table=cell_table(cells)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
