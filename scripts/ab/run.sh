#!/bin/sh
# scripts/ab/run.sh REV [ROUNDS] [ROW]: builds this checkout ("new") and
# queuekit at REV ("old", renamed queuekit_old) into one binary and runs the
# rows with the two alternating per round (new ÷ old per round; above 1.00 the
# checkout is slower). ROW (0-11) runs one row only.
set -e
here=$(cd "$(dirname "$0")" && pwd)
rev=${1:?usage: run.sh REV [ROUNDS] [ROW]}
rm -rf "$here/target/old" && mkdir -p "$here/target/old"
git -C "$here/../.." archive "$rev" | tar -x -C "$here/target/old"
sed -i '0,/^name = "queuekit"/s//name = "queuekit_old"/' "$here/target/old/Cargo.toml"
cd "$here" && cargo build --release -q
"$here/target/release/queuekit-ab" "${2:-21}" ${3:-}
