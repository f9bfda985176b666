import glob, re, statistics as st, sys
import os; R = os.path.dirname(os.path.abspath(__file__))
RUNS = sys.argv[1:] or ['4', '5']
def loadq(p):
    d = {}
    for l in open(p):
        if l.startswith('#') or l.startswith('row\t'): continue
        c = l.rstrip('\n').split('\t')
        if len(c) >= 8: d.setdefault(c[0], {})[c[2]] = (float(c[3]), float(c[5]) if c[5] else None)
    return d
def idx(p):
    m = re.search(r'-(\d+)\.tsv$', p); return int(m.group(1))
def runs(n, b): return {idx(p): loadq(p) for p in glob.glob(f'{R}/run{n}-{b}-versus-*.tsv')}
def fmt(v): return f"{st.median(v):.2f} [{min(v):.2f}–{max(v):.2f}]"
def paired(n, base, after, row):
    B = runs(n, base); A = runs(n, after); ks = sorted(set(A) & set(B))
    return [A[i][row]['queuekit'][0] / B[i][row]['queuekit'][0] for i in ks if row in A[i] and row in B[i]]
def msets(n):
    sets = []
    for l in open(f'{R}/run{n}-minimal.txt'):
        if l.startswith('=='): sets.append((l.split()[1], int(l.split()[3]), {})); continue
        c = [x.strip() for x in l.split('|')[1:-1]]
        if len(c) >= 6: sets[-1][2][c[0]] = (float(c[3].split()[0]), float(c[4].split('/')[1]), float(c[1].split()[0]), float(c[5]), float(c[2].split()[0]))
    return sets
def mpaired(n, base, after, row):
    s = msets(n); B = {i: d for b, i, d in s if b == base}; A = {i: d for b, i, d in s if b == after}
    return [A[i][row][0] / B[i][row][0] for i in sorted(set(A) & set(B))]
def mval(n, b, row, k): return [d[row][k] for bb, i, d in msets(n) if bb == b]
def vratio(n, b, row, a): return [r[row][a][1] for r in runs(n, b).values() if row in r and a in r[row]]
def vtime(n, b, row, a='queuekit'): return [r[row][a][0] / 1e6 for r in runs(n, b).values() if row in r and a in r[row]]
def abx(n, tag):
    out = {}
    for p in sorted(glob.glob(f'{R}/run{n}-abx-{tag}-*.md')):
        for l in open(p):
            c = [x.strip() for x in l.split('|')[1:-1]]
            if len(c) == 5 and c[0][0].isdigit(): out.setdefault(c[0], []).append(float(c[3].split()[0]))
    return out

rows = list(runs(RUNS[0], 'mb')[1].keys())
mrows = ['1P1C bounded(1024)', '1P1C unbounded', '4P1C bounded(1024)', '4P1C unbounded']
def before_after(title, base, tag):
    print(f"### {title}\n")
    print("| row | " + " | ".join(f"versus, run {n} (pairs)" for n in RUNS) + " | " + " | ".join(f"in-process A/B, run {n}" for n in RUNS) + " |")
    print("|---|" + "---|" * (2 * len(RUNS)))
    A = {n: abx(n, tag) for n in RUNS}
    seen = set()
    for row in rows:
        cells = [fmt(paired(n, base, 'mb', row)) for n in RUNS]
        key = row.replace('queue ', '')
        if key in A[RUNS[0]]: seen.add(key)
        cells += [(", ".join(f"{x:.2f}" for x in A[n][key]) if key in A[n] else "—") for n in RUNS]
        print(f"| {row} | " + " | ".join(cells) + " |")
    for row in mrows:
        print(f"| minimal {row} | " + " | ".join(fmt(mpaired(n, base, 'mb', row)) for n in RUNS) + " | " + " | ".join("—" for n in RUNS) + " |")
    for key in A[RUNS[0]]:
        if key not in seen and not any(key == r.replace('queue ', '') for r in rows):
            print(f"| A/B only: {key} | " + " | ".join("—" for n in RUNS) + " | " + " | ".join(", ".join(f"{x:.2f}" for x in A[n].get(key, [])) for n in RUNS) + " |")
    print()
before_after("The unlock change (hot path), before and after: queuekit's own time, after ÷ before (before = ee43445)", 'fin', 'fin')
before_after("Before and after the queue layer's restructuring: now ÷ 0c55222", 's4base', 'pre')
print("### Against the 2026-12-04 code on this CPU: queuekit's own time, now ÷ then (74f7931)\n")
print("| row | " + " | ".join(f"run {n}" for n in RUNS) + " |")
print("|---|" + "---|" * len(RUNS))
for row in rows:
    print(f"| {row} | " + " | ".join(fmt(paired(n, 'm74', 'mb', row)) for n in RUNS) + " |")
for row in mrows:
    print(f"| minimal {row} | " + " | ".join(fmt(mpaired(n, 'm74', 'mb', row)) for n in RUNS) + " |")
print("\n### The current code against the anchors (anchor's time ÷ queuekit's, median [min–max] of the per-invocation medians)\n")
print("| row | anchor | queuekit ms | " + " | ".join(f"run {n}" for n in RUNS) + " |")
print("|---|---|---|" + "---|" * len(RUNS))
for row in rows:
    anchors = [k for k in runs(RUNS[0], 'mb')[1][row] if k != 'queuekit']
    for a in anchors:
        t = [x for n in RUNS for x in vtime(n, 'mb', row)]
        print(f"| {row} | {a} | {st.median(t):.1f} | " + " | ".join(fmt(vratio(n, 'mb', row, a)) for n in RUNS) + " |")
print("\n| minimal row (per set: median of 11 rounds) | std ms | crossbeam ms | queuekit ms | " + " | ".join(f"std ÷ queuekit, run {n}" for n in RUNS) + " | " + " | ".join(f"crossbeam ÷ queuekit, run {n}" for n in RUNS) + " |")
print("|---|---|---|---|" + "---|" * (2 * len(RUNS)))
for row in mrows:
    s = st.median([x for n in RUNS for x in mval(n, 'mb', row, 2)]); c = st.median([x for n in RUNS for x in mval(n, 'mb', row, 4)]); q = st.median([x for n in RUNS for x in mval(n, 'mb', row, 0)])
    print(f"| {row} | {s:.1f} | {c:.1f} | {q:.1f} | " + " | ".join(fmt(mval(n, 'mb', row, 1)) for n in RUNS) + " | " + " | ".join(fmt(mval(n, 'mb', row, 3)) for n in RUNS) + " |")
