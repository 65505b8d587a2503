#!/usr/bin/env bash
# Benchmark genloop's GPT-2 transformer against the same model in PyTorch on the CPU:
# training tokens/s through `genloop lm train --model transformer --json`, sampling
# tokens/s through the `sample_throughput` example, both against
# bench/transformer_pytorch.py (same model, data, batch, context, optimiser, steps,
# validation and threads).
#
# Usage: bash bench/compare_transformer.sh
#   env: TEXT=/tmp/kjv.txt  OUT=/tmp/transformer-bench  THREADS=2  REPEATS=1
#        STEPS_SMALL=300  STEPS_LARGE=100  BATCH=32  SIZES="small large"
#        TORCH_PYTHON=python3 (a Python with torch; never installed by CI:
#        python3 -m venv /tmp/venv-torch && /tmp/venv-torch/bin/pip install torch numpy)
#
# Models (byte-level BPE, --vocab-size 256, plus the end-of-text id: 257 entries):
#   small: 2 layers, 4 heads, d_model 128, context 64   (0.44 M parameters)
#   large: 4 layers, 8 heads, d_model 256, context 128  (3.26 M parameters)
# Every run trains from scratch with seed 1; genloop and PyTorch alternate, REPEATS
# times, and the table shows the best of each (the machine may be shared).
#
# FLOPs per training token: 6·N + 12·L·d·T (N all parameters, the tied output
# projection included; L layers, d width, T context: the attention products, counted
# over the full T × T square as the PaLM paper's appendix B does). Peak FLOP/s: cores ×
# clock × FLOPs per cycle per core, the clock from lscpu's "CPU max MHz" or else
# /proc/cpuinfo's "cpu MHz"; 32 f32 FLOPs per cycle with AVX2 + FMA (two 8-lane FMA
# units), also on AMD with AVX-512 (Zen 4 executes 512-bit FMAs as two 256-bit halves),
# 64 on Intel with AVX-512, 16 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

TEXT=${TEXT:-/tmp/kjv.txt}
OUT=${OUT:-/tmp/transformer-bench}
THREADS=${THREADS:-2}
REPEATS=${REPEATS:-1}
STEPS_SMALL=${STEPS_SMALL:-300}
STEPS_LARGE=${STEPS_LARGE:-100}
BATCH=${BATCH:-32}
SIZES=${SIZES:-small large}
TORCH_PY=${TORCH_PYTHON:-python3}
mkdir -p "$OUT"

if ! "$TORCH_PY" -c 'import torch' 2>/dev/null; then
    echo "$TORCH_PY cannot import torch; set TORCH_PYTHON to a Python that can:" >&2
    echo "  python3 -m venv /tmp/venv-torch && /tmp/venv-torch/bin/pip install torch numpy" >&2
    exit 1
fi

if [ ! -s "$TEXT" ]; then
    if ! command -v bible >/dev/null; then
        echo "no $TEXT and no \`bible\` command: apt-get install -y bible-kjv, or set TEXT" >&2
        exit 1
    fi
    echo "building $TEXT from bible-kjv" >&2
    bible 'gen1:1-rev22:21' | awk '
        function flush() { if (verse != "") print verse; verse = "" }
        /^$/ { flush(); heading = 1; next }
        /^  [0-9]+ / { heading = 0; flush(); sub(/^  [0-9]+ /, ""); verse = $0; next }
        heading { heading = 0; next }
        { verse = verse " " $0 }
        END { flush() }' > "$TEXT"
fi

echo "genloop: building genloop and the sample_throughput example (release)" >&2
cargo build --quiet --release -p genloop-cli
cargo build --quiet --release -p genloop-transformer --example sample_throughput
bin="${CARGO_TARGET_DIR:-target}/release"

size_flags() {
    case "$1" in
        small) echo "--layers 2 --heads 4 --d-model 128 --context 64 --steps $STEPS_SMALL" ;;
        large) echo "--layers 4 --heads 8 --d-model 256 --context 128 --steps $STEPS_LARGE" ;;
        *) echo "unknown size $1 (small or large)" >&2; exit 1 ;;
    esac
}

results="$OUT/results.jsonl"
: > "$results"
for size in $SIZES; do
    flags=$(size_flags "$size")
    for repeat in $(seq 1 "$REPEATS"); do
        dir="$OUT/$size-$repeat"
        rm -rf "$dir"
        echo "$size, run $repeat: genloop lm train $flags" >&2
        # shellcheck disable=SC2086
        train=$("$bin/genloop" lm train "$TEXT" --model transformer $flags --batch-size "$BATCH" \
            --learning-rate 3e-3 --threads "$THREADS" --seed 1 --tokenizer bpe --vocab-size 256 \
            --out "$dir" --json)
        sample=$("$bin/examples/sample_throughput" "$dir" --batch "$BATCH" --threads "$THREADS")
        echo "{\"size\": \"$size\", \"tool\": \"genloop\", \"train\": $train, \"sample\": $sample}" | tee -a "$results" >&2
        echo "$size, run $repeat: bench/transformer_pytorch.py $flags" >&2
        # shellcheck disable=SC2086
        torch_out=$("$TORCH_PY" bench/transformer_pytorch.py "$TEXT" $flags --batch-size "$BATCH" \
            --learning-rate 3e-3 --threads "$THREADS" --seed 1 --sample-batch "$BATCH")
        echo "{\"size\": \"$size\", \"tool\": \"pytorch\", \"train\": $torch_out, \"sample\": $torch_out}" | tee -a "$results" >&2
    done
done

python3 - "$results" "$BATCH" <<'PY'
import json, os, re, subprocess, sys

rows = [json.loads(line) for line in open(sys.argv[1])]
shapes = {"small": (2, 128, 64), "large": (4, 256, 128)}

lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
def field(name):
    m = re.search(rf"^{name}:\s*(.+)$", lscpu, re.M)
    return m.group(1).strip() if m else ""
flags = set(field("Flags").split())
cores = os.cpu_count()
mhz = field("CPU max MHz")
if not mhz:
    info = open("/proc/cpuinfo").read()
    m = re.search(r"^cpu MHz\s*:\s*([\d.]+)", info, re.M)
    mhz = m.group(1) if m else "0"
ghz = float(mhz) / 1000
intel = "GenuineIntel" in field("Vendor ID")
per_cycle = 64 if ("avx512f" in flags and intel) else 32 if {"avx2", "fma"} <= flags else 16
peak = cores * ghz * per_cycle * 1e9
print(f"CPU: {field('Model name')}, {cores} cores, {ghz:.2f} GHz, {per_cycle} f32 FLOPs/cycle/core: "
      f"peak {peak / 1e9:.0f} GFLOP/s")
print()
print("| model | parameters | genloop train tok/s | PyTorch train tok/s | ratio | genloop % peak | PyTorch % peak "
      "| genloop sample tok/s | PyTorch sample tok/s | ratio | val. loss genloop / PyTorch |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for size in shapes:
    runs = {t: [r for r in rows if r["size"] == size and r["tool"] == t] for t in ("genloop", "pytorch")}
    if not runs["genloop"] or not runs["pytorch"]:
        continue
    best = {t: max(r["train"]["train_tokens_per_second"] for r in runs[t]) for t in runs}
    sample = {t: max(r["sample"]["sample_tokens_per_second"] for r in runs[t]) for t in runs}
    loss = {t: runs[t][0]["train"]["final_validation_loss"] for t in runs}
    n = runs["genloop"][0]["train"]["parameters"]
    layers, d, t = shapes[size]
    flops = 6 * n + 12 * layers * d * t
    share = {k: 100 * v * flops / peak if peak else float("nan") for k, v in best.items()}
    print(f"| {size} (L{layers} d{d} T{t} B{sys.argv[2]}) | {n:,} | {best['genloop']:,.0f} | {best['pytorch']:,.0f} | "
          f"{best['genloop'] / best['pytorch']:.2f}× | {share['genloop']:.1f} % | {share['pytorch']:.1f} % | "
          f"{sample['genloop']:,.0f} | {sample['pytorch']:,.0f} | {sample['genloop'] / sample['pytorch']:.2f}× | "
          f"{loss['genloop']:.3f} / {loss['pytorch']:.3f} |")
print()
print("FLOPs per training token: 6·N + 12·L·d·T. Sampling: batch of", sys.argv[2],
      "sequences, context − 1 tokens each, key/value cache on both sides.")
PY
