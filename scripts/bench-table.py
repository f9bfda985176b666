#!/usr/bin/env python3
"""Print criterion's medians (target/criterion) as a markdown table.

Usage: scripts/bench-table.py [GROUP_PREFIX ...]
One row per benchmark group and parameter, one cell per implementation (the
function id: queuekit, std, parking_lot, ...). Each anchor's cell shows its median
time and, in brackets, that time divided by queuekit's: above 1.00× means queuekit
is faster by that factor.
"""
import json
import pathlib
import sys

root = pathlib.Path("target/criterion")
prefixes = sys.argv[1:]
rows = {}
for est in sorted(root.glob("**/new/estimates.json")):
    bench = json.loads((est.parent / "benchmark.json").read_text())
    full = bench["full_id"]
    if prefixes and not any(full.startswith(p) for p in prefixes):
        continue
    median = json.loads(est.read_text())["median"]["point_estimate"]
    group = bench["group_id"]
    func = bench.get("function_id") or ""
    param = bench.get("value_str") or ""
    rows.setdefault((group, param), {})[func] = median


def fmt(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


for (group, param), impls in rows.items():
    base = impls.get("queuekit")
    cells = []
    for name, ns in sorted(impls.items(), key=lambda kv: kv[0] != "queuekit"):
        ratio = f" ({ns / base:.2f}×)" if base and name != "queuekit" else ""
        cells.append(f"{name}: {fmt(ns)}{ratio}")
    label = f"{group}/{param}" if param else group
    print(f"| {label} | " + " | ".join(cells) + " |")
