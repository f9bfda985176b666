import glob,re,statistics as st
R='/work/runs/s4'
def loadq(p):
    d={}
    for l in open(p):
        if l.startswith('#') or l.startswith('row\t'): continue
        c=l.rstrip('\n').split('\t')
        if len(c)>=8: d.setdefault(c[0],{})[c[2]]=(float(c[3]), float(c[5]) if c[5] else None)
    return d
def idx(p):
    m=re.search(r'-(\d+)\.tsv$',p); return int(m.group(1)) if m else 1
def runs(tag,b): return {idx(p):loadq(p) for p in glob.glob(f'{R}/{tag}-{b}-versus*.tsv')}
def paired(tag,base,after,row):
    B=runs(tag,base); A=runs(tag,after); ks=sorted(set(A)&set(B))
    r=[A[i][row]['queuekit'][0]/B[i][row]['queuekit'][0] for i in ks]
    return f"{st.median(r):.2f} [{min(r):.2f}–{max(r):.2f}]"
def minimal_sets(path):
    sets=[]
    for l in open(path):
        if l.startswith('=='): sets.append((l.split()[1],int(l.split()[3]),{})); continue
        c=[x.strip() for x in l.split('|')[1:-1]]
        if len(c)>=6: sets[-1][2][c[0]]=(float(c[3].split()[0]), float(c[4].split('/')[1]), float(c[1].split()[0]), float(c[5]))
    return sets
def mpaired(path,base,after,row):
    s=minimal_sets(path); B={i:d for b,i,d in s if b==base}; A={i:d for b,i,d in s if b==after}
    r=[A[i][row][0]/B[i][row][0] for i in sorted(set(A)&set(B))]
    return f"{st.median(r):.2f} [{min(r):.2f}–{max(r):.2f}]"
def mratio(path,b,row,k=1):
    v=[d[row][k] for bb,i,d in minimal_sets(path) if bb==b]
    return f"{st.median(v):.2f} [{min(v):.2f}–{max(v):.2f}]"
def vratio(tag,b,row,a):
    v=[r[row][a][1] for r in runs(tag,b).values()]
    return f"{st.median(v):.2f} [{min(v):.2f}–{max(v):.2f}]"
rows=list(runs('run1','s4base')[1].keys())
print("**Before and after, queuekit's own time** (after ÷ before, per pair of adjacent runs: median [min–max]; above 1.00 the new code is slower):\n")
print("| row | versus, run 1 (8 pairs) | versus, run 2 (6 pairs) | run 2, final binary | ")
print("|---|---|---|---|")
for row in rows:
    print(f"| {row} | {paired('run1','s4base','s4after',row)} | {paired('run2','s4base','s4after',row)} | {paired('run2','s4base','s4final',row)} |")
print()
print("| `minimal` row | run 1 (8 sets) | run 2 (8 sets) | run 2, final binary |")
print("|---|---|---|---|")
for row in ['1P1C bounded(1024)','1P1C unbounded','4P1C bounded(1024)','4P1C unbounded']:
    print(f"| {row} | {mpaired(R+'/run1-minimal.txt','s4base','s4after',row)} | {mpaired(R+'/run2-minimal.txt','s4base','s4after',row)} | {mpaired(R+'/run2-minimal.txt','s4base','s4final',row)} |")
print()
print("**Against the anchors** (anchor's time ÷ queuekit's time in the same round, median of the per-run medians [min–max over the runs]; above 1.00 queuekit is faster):\n")
print("| row | anchor | before, run 1 | before, run 2 | final, run 2 | all say (final vs anchor) |")
print("|---|---|---|---|---|---|")
for row in rows:
    for a in [k for k in runs('run1','s4base')[1][row] if k!='queuekit']:
        b1=vratio('run1','s4base',row,a); b2=vratio('run2','s4base',row,a); f2=vratio('run2','s4final',row,a)
        v=[r[row][a][1] for r in runs('run2','s4final').values()]+[r[row][a][1] for r in runs('run1','s4after').values()]
        verdict='faster' if min(v)>1 else ('**slower**' if max(v)<1 else 'tie')
        print(f"| {row} | {a} | {b1} | {b2} | {f2} | {verdict} |")
print()
print("| `minimal` row (std ÷ queuekit) | before, run 1 | before, run 2 | final, run 2 | crossbeam ÷ queuekit, final, run 2 |")
print("|---|---|---|---|---|")
for row in ['1P1C bounded(1024)','1P1C unbounded','4P1C bounded(1024)','4P1C unbounded']:
    print(f"| {row} | {mratio(R+'/run1-minimal.txt','s4base',row)} | {mratio(R+'/run2-minimal.txt','s4base',row)} | {mratio(R+'/run2-minimal.txt','s4final',row)} | {mratio(R+'/run2-minimal.txt','s4final',row,3)} |")
