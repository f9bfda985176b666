#!/usr/bin/env python3
"""Print runs of benches/versus/ side by side as a markdown table.

Usage: scripts/versus-compare.py RUN.tsv [RUN2.tsv ...]

Each RUN.tsv is a file the runner wrote (target/versus/<UTC time>.tsv by default).
One line per row and contender (queuekit is the denominator, so it has no line of
its own); per run, the cell shows the median per-round ratio (contender's time /
queuekit's time; above 1.00 means queuekit is faster) and its [min-max] range. A
range that crosses 1.00 is a tie, marked "tie". The last column says whether all
runs agree: "queuekit faster" / "queuekit slower" when every run's range lies on the same side of
1.00, "tie" when every run is a tie, otherwise "mixed".
"""
import sys


def load(path):
    meta, rows, order = {}, {}, []
    with open(path, encoding="utf-8") as f:
        header = None
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                key, _, value = line[1:].strip().partition(":")
                meta[key.strip()] = value.strip()
                continue
            cols = line.split("\t")
            if header is None:
                header = cols
                continue
            r = dict(zip(header, cols))
            if not r.get("ratio_median"):
                rows[(r["row"], "queuekit")] = r
                continue
            key = (r["row"], r["contender"])
            rows[key] = r
            order.append(key)
    return meta, rows, order


def side(r):
    lo, hi = float(r["ratio_min"]), float(r["ratio_max"])
    if lo > 1.0:
        return "queuekit faster"
    if hi < 1.0:
        return "queuekit slower"
    return "tie"


def fmt_ns(ns):
    ns = float(ns)
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def main(paths):
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
    runs = [load(p) for p in paths]
    order = []
    for _, _, o in runs:
        for key in o:
            if key not in order:
                order.append(key)
    for i, (meta, _, _) in enumerate(runs, 1):
        print(
            f"run {i}: {paths[i - 1]}: started {meta.get('started', '?')}, "
            f"commit {meta.get('commit', '?')}, rounds: {meta.get('rounds', '?')}  "
        )
        print(f"  cpu: {meta.get('cpu', '?')}; loadavg at start {meta.get('loadavg at start', '?')}  ")
    print()
    head = ["row", "contender"]
    for i in range(1, len(runs) + 1):
        head += [f"queuekit median (run {i})", f"ratio run {i}"]
    head.append("verdict")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for key in order:
        row, contender = key
        cells = [row, contender]
        sides = []
        for _, rows, _ in runs:
            r = rows.get(key)
            q = rows.get((row, "queuekit"))
            if r is None:
                cells += ["", "—"]
                continue
            s = side(r)
            sides.append(s)
            mark = " tie" if s == "tie" else ""
            cells.append(fmt_ns(q["median_ns"]) if q else "")
            cells.append(
                f"{float(r['ratio_median']):.2f}× "
                f"[{float(r['ratio_min']):.2f}–{float(r['ratio_max']):.2f}]{mark}"
            )
        if sides and all(s == sides[0] for s in sides):
            verdict = sides[0] if len(sides) == len(runs) else sides[0] + " (partial)"
        else:
            verdict = "mixed"
        cells.append(verdict)
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
