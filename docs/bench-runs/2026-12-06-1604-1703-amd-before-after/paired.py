import sys,glob,statistics as st,re
# paired.py TAG BASE AFTER: per pair i (files TAG-BASE-versus-i.tsv / TAG-AFTER-versus-i.tsv) the ratio of queuekit's median time after/base
def load(p):
    d={}
    for l in open(p):
        if l.startswith('#') or l.startswith('row\t'): continue
        c=l.rstrip('\n').split('\t')
        if len(c)>=4 and c[2]=='queuekit': d[c[0]]=float(c[3])
    return d
tag,base,after=sys.argv[1:4]
def idx(p):
    m=re.search(r'-(\d+)\.tsv$',p); return int(m.group(1)) if m else 1
B={idx(p):load(p) for p in glob.glob(f'/work/runs/s4/{tag}-{base}-versus*.tsv')}
A={idx(p):load(p) for p in glob.glob(f'/work/runs/s4/{tag}-{after}-versus*.tsv')}
pairs=sorted(set(A)&set(B))
print(f"pairs: {len(pairs)}")
print("| row | queuekit time, after ÷ before: median [min–max] over the pairs |")
print("|---|---|")
for row in B[pairs[0]]:
    r=[A[i][row]/B[i][row] for i in pairs if row in A[i]]
    print(f"| {row} | {st.median(r):.2f} [{min(r):.2f}–{max(r):.2f}] |")
