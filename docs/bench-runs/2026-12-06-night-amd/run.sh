#!/bin/bash
# run.sh N: binaries m74 = 2026-12-04 code (74f7931), s4base = before the restructuring (0c55222),
# fin = before this session's Mutex change (ee43445, = 6266c58 in src), mb = the membarrier Mutex (b8c9d90); call under /work/bin/quiet
R=/work/runs/s6; n=$1; cd /tmp
F="queue 1P1C,queue 4P,priority,oversubscribed,pool execute,pool submit,lock contended"
B=(m74 s4base fin mb)
echo "# run $n start $(date -u +%T) load $(cat /proc/loadavg)" > $R/run$n-meta.txt
lscpu | grep -E "Model name|Vendor|CPU family|^Model:" >> $R/run$n-meta.txt
for k in 1 2; do /work/bin/abx-mb-6266c58 15 > $R/run$n-abx-fin-$k.md; /work/bin/abx-mb-0c55222 15 > $R/run$n-abx-pre-$k.md; done
: > $R/run$n-minimal.txt
for i in 1 2 3 4 5; do
  for j in 0 1 2 3; do b=${B[$(( (i+j) % 4 ))]}
    echo "== $b round-set $i $(date +%T)" >> $R/run$n-minimal.txt; /work/bin/$b-minimal 11 | tail -4 >> $R/run$n-minimal.txt
  done
done
for i in 1 2 3 4; do
  for j in 0 1 2 3; do b=${B[$(( (i+j) % 4 ))]}
    /work/bin/$b-versus --rounds 7 --filter "$F" --out $R/run$n-$b-versus-$i.tsv >/dev/null 2>&1
  done
done
echo "# run $n end $(date -u +%T) load $(cat /proc/loadavg)" >> $R/run$n-meta.txt
