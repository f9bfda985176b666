#!/bin/bash
# run.sh N: run N (binaries m74 = 2026-12-04 code, s4base = before the restructuring, fin = now); call under /work/bin/quiet
R=/work/runs/s5; n=$1; cd /tmp
F="queue 1P1C,queue 4P,priority,oversubscribed,pool execute,pool submit,lock contended"
B=(m74 s4base fin)
echo "# run $n start $(date -u +%T) load $(cat /proc/loadavg)" > $R/run$n-meta.txt
lscpu | grep -E "Model name|Vendor|CPU family|^Model:" >> $R/run$n-meta.txt
for k in 1 2 3; do /work/bin/abx-fin 15 > $R/run$n-abx-$k.md; done
: > $R/run$n-minimal.txt
for i in 1 2 3 4 5 6; do
  for j in 0 1 2; do b=${B[$(( (i+j) % 3 ))]}
    echo "== $b round-set $i $(date +%T)" >> $R/run$n-minimal.txt; /work/bin/$b-minimal 11 | tail -4 >> $R/run$n-minimal.txt
  done
done
for i in 1 2 3 4; do
  for j in 0 1 2; do b=${B[$(( (i+j) % 3 ))]}
    /work/bin/$b-versus --rounds 7 --filter "$F" --out $R/run$n-$b-versus-$i.tsv >/dev/null 2>&1
  done
done
echo "# run $n end $(date -u +%T) load $(cat /proc/loadavg)" >> $R/run$n-meta.txt
