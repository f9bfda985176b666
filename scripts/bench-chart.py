#!/usr/bin/env python3
"""Draw `benches/versus` runs as an SVG chart (no dependencies).

Usage: scripts/bench-chart.py OUT.svg RUN.tsv [RUN.tsv ...]

One line per (row, anchor) found in the runs; for each run a dot at the median
per-round ratio (the anchor's time / queuekit's time in the same round) and a
whisker from the smallest to the largest ratio. The x axis is logarithmic; the
line at 1.0 is a tie: right of it queuekit is faster. Runs are drawn in
different colours, in the order given, and named by their `started` stamp.
"""
import math
import sys

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]


def read(path):
    meta, rows = {}, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# "):
                key, _, value = line[2:].partition(": ")
                meta[key] = value
            elif line and not line.startswith("row\t"):
                cells = line.split("\t")
                if len(cells) >= 7 and cells[4]:
                    rows.append((cells[0], cells[2], float(cells[4]), float(cells[5]), float(cells[6])))
    return meta, rows


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, paths = sys.argv[1], sys.argv[2:]
    runs = [read(p) for p in paths]
    keys = []
    for _, rows in runs:
        for name, anchor, *_ in rows:
            if (name, anchor) not in keys:
                keys.append((name, anchor))
    lo, hi = 0.125, 16.0
    for _, rows in runs:
        for *_, rmin, _, rmax in rows:
            lo, hi = min(lo, rmin), max(hi, rmax)
    lo, hi = 2 ** math.floor(math.log2(lo)), 2 ** math.ceil(math.log2(hi))
    label_w, plot_w, row_h = 330, 520, 8 + 8 * len(runs)
    top = 50 + 14 * len(runs)
    width, height = label_w + plot_w + 30, top + row_h * len(keys) + 40

    def x(v):
        return label_w + plot_w * (math.log2(v) - math.log2(lo)) / (math.log2(hi) - math.log2(lo))

    svg = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="10" y="18" font-size="13">queuekit vs anchors: anchor time / queuekit time '
        "per round (median, min-max); right of 1.0 queuekit is faster</text>",
    ]
    for i, (meta, _) in enumerate(runs):
        colour = COLOURS[i % len(COLOURS)]
        svg.append(
            f'<text x="10" y="{36 + 14 * i}" fill="{colour}">run {i + 1}: '
            f'{meta.get("cpu", "?")}, {meta.get("started", "?")}</text>'
        )
    v = lo
    while v <= hi:
        svg.append(
            f'<line x1="{x(v):.1f}" y1="{top - 8}" x2="{x(v):.1f}" y2="{height - 30}" '
            f'stroke="{"#000" if v == 1 else "#ddd"}"/>'
        )
        svg.append(f'<text x="{x(v):.1f}" y="{height - 14}" text-anchor="middle">{v:g}</text>')
        v *= 2
    for k, (name, anchor) in enumerate(keys):
        y0 = top + row_h * k
        svg.append(f'<text x="10" y="{y0 + row_h / 2 + 4:.1f}">{name} vs {anchor}</text>')
        for i, (_, rows) in enumerate(runs):
            colour = COLOURS[i % len(COLOURS)]
            for rname, ranchor, rmin, rmed, rmax in rows:
                if (rname, ranchor) == (name, anchor):
                    y = y0 + 6 + 8 * i
                    svg.append(
                        f'<line x1="{x(rmin):.1f}" y1="{y}" x2="{x(rmax):.1f}" y2="{y}" '
                        f'stroke="{colour}"/>'
                    )
                    svg.append(f'<circle cx="{x(rmed):.1f}" cy="{y}" r="3" fill="{colour}"/>')
    svg.append("</svg>")
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
