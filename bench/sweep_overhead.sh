#!/usr/bin/env bash
# A sweep's overhead over running its cells one by one by hand: the same cells, first
# through `genloop sweep` (cells in parallel within --threads), then each cell's
# config.toml through `genloop run --no-report` one after another with the same
# threads, and `genloop collect` timed on its own. Release binary.
# Usage: bash bench/sweep_overhead.sh   (env: THREADS REPLICATES GENERATIONS)
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
R=${REPLICATES:-400}
G=${GENERATIONS:-400}
cargo build --release -q -p genloop-cli --bin genloop
bin=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/genloop
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/base.toml" <<TOML
name = "overhead"
seed = 1
replicates = $R
generations = $G
[source]
kind = "gaussian"
[data]
original = 100
holdout = 1000
[model]
kind = "gaussian"
[regime]
kind = "replace"
TOML
cat >"$tmp/sweep.toml" <<TOML
base = "base.toml"
seeds = [1, 2]
[grid]
"regime.kind" = ["replace", "accumulate"]
TOML
now() { python3 -c 'import time; print(time.perf_counter())'; }
t0=$(now)
"$bin" sweep "$tmp/sweep.toml" --out "$tmp/sweep" --threads "$THREADS" 2>/dev/null
t1=$(now)
"$bin" collect "$tmp/sweep" 2>/dev/null
t2=$(now)
i=0
for config in "$tmp"/sweep/cells/*/config.toml; do
  i=$((i + 1))
  "$bin" run "$config" --out "$tmp/by-hand/$i" --threads "$THREADS" --no-report >/dev/null 2>&1
done
t3=$(now)
python3 - "$t0" "$t1" "$t2" "$t3" "$i" <<'PY'
import sys
t0, t1, t2, t3 = map(float, sys.argv[1:5])
cells = int(sys.argv[5])
sweep, collect, hand = t1 - t0, t2 - t1, t3 - t2
print(f"{cells} cells: sweep {sweep:.2f} s, by hand one by one {hand:.2f} s "
      f"(sweep/by hand = {sweep / hand:.3f}); collect {collect:.2f} s")
PY
