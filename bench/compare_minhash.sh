#!/usr/bin/env bash
# Exact and MinHash dedup throughput: genloop's curation pipeline against a
# datatrove-style Python/numpy implementation (bench/minhash_datatrove.py), one core
# each, on the same corpus of short documents.
#
# Usage: bash bench/compare_minhash.sh [DOCS]        (DOCS: 1000000 by default)
#   env: OUT=/tmp/minhash-bench  SEED=0  PYTHON=python3
#        NATIVE=1  build with -C target-cpu=native (numpy picks its SIMD kernels at run
#                  time, so this is the like-for-like build); NATIVE=0 for a portable one
#
# 1. Builds the `dedup_throughput` example (release) and runs it: it generates DOCS
#    short documents (20-40 words; 5 % exact and 10 % near copies, seeded), writes them
#    to $OUT/short.jsonl and times exact and MinHash dedup on them.
# 2. Runs bench/minhash_datatrove.py on $OUT/short.jsonl (installs numpy with pip if it
#    is missing; uses xxhash for shingles when the module is there, as datatrove does).
# 3. Prints one table: documents/s (wall and per CPU-second), MB/s, peak RSS, kept, and
#    genloop's speedup per stage. Per CPU-second is the per-core figure and the one to
#    trust on a shared machine; wall time includes waiting for the CPU.
set -euo pipefail
cd "$(dirname "$0")/.."

DOCS=${1:-1000000}
OUT=${OUT:-/tmp/minhash-bench}
SEED=${SEED:-0}
PY=${PYTHON:-python3}
NATIVE=${NATIVE:-1}
mkdir -p "$OUT"

if ! "$PY" -c 'import numpy' 2>/dev/null; then
    echo "installing numpy" >&2
    "$PY" -m pip install --quiet numpy
fi
"$PY" -c 'import xxhash' 2>/dev/null ||
    echo "note: no xxhash module (pip install xxhash); the Python side hashes with sha1" >&2

target=${CARGO_TARGET_DIR:-target}
if [ "$NATIVE" = 1 ]; then
    # A separate folder, so the portable build's cache is not invalidated.
    target="$target/native-cpu"
    export RUSTFLAGS="${RUSTFLAGS:-} -C target-cpu=native"
fi
echo "genloop: building the example dedup_throughput (release, NATIVE=$NATIVE)" >&2
CARGO_TARGET_DIR="$target" cargo build --quiet --release -p genloop-curate --example dedup_throughput
binary="$target/release/examples/dedup_throughput"

echo "genloop: $DOCS documents, seed $SEED -> $OUT/short.jsonl" >&2
"$binary" --docs "$DOCS" --seed "$SEED" --write "$OUT/short.jsonl" | tee "$OUT/genloop.jsonl"
echo "python: bench/minhash_datatrove.py" >&2
"$PY" bench/minhash_datatrove.py "$OUT/short.jsonl" --seed "$SEED" | tee "$OUT/python.jsonl"

"$PY" - "$OUT/genloop.jsonl" "$OUT/python.jsonl" <<'EOF'
import json
import sys

rows = [json.loads(line) for path in sys.argv[1:] for line in open(path) if line.strip()]
by = {(r["tool"], r["stage"]): r for r in rows}
print()
print(f"{'tool':<24} {'stage':<8} {'docs':>9} {'docs/s':>10} {'docs/cpu-s':>11} "
      f"{'MB/s':>7} {'MB/cpu-s':>9} {'peak RSS MB':>12} {'kept':>9}")
for r in rows:
    cpu = r.get("docs_per_cpu_s") or float("nan")
    mb_cpu = r["text_mb"] * cpu / r["docs"]
    print(f"{r['tool']:<24} {r['stage']:<8} {r['docs']:>9} {r['docs_per_s']:>10.0f} "
          f"{cpu:>11.0f} {r['mb_per_s']:>7.1f} {mb_cpu:>9.1f} {r['peak_rss_mb']:>12.0f} "
          f"{r['kept']:>9}")
print()
for stage in ("exact", "minhash"):
    ours, theirs = by.get(("genloop", stage)), by.get(("python-datatrove-style", stage))
    if ours and theirs:
        wall = ours["docs_per_s"] / theirs["docs_per_s"]
        cpu = (ours.get("docs_per_cpu_s") or float("nan")) / theirs["docs_per_cpu_s"]
        print(f"genloop speedup, {stage}: {cpu:.1f}x per CPU-second, {wall:.1f}x wall")
EOF
