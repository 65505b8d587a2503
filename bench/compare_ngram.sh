#!/usr/bin/env bash
# Benchmark genloop's n-gram model on the King James Bible (≈ 0.79 M words, one
# verse per line) and, where available, compare it with KenLM.
#
# Usage: bash bench/compare_ngram.sh
#   env: TEXT=/tmp/kjv.txt  OUT=/tmp/ngram-bench  ORDERS=3,5  LMPLZ=path/to/lmplz
#        PYTHON=python3
#
# 1. Builds $TEXT from the `bible-kjv` package if it is missing
#    (apt-get install -y bible-kjv): `bible 'gen1:1-rev22:21'` prints the text
#    with chapter headings and verse numbers, and wraps verses; we keep one verse
#    per line without its number.
# 2. Runs the `ngram_bench` example (release, one thread): JSON lines with the
#    estimation seconds, n-grams, bytes per n-gram, query and sampling tokens/s;
#    it also writes the ARPA files to $OUT.
# 3. If an `lmplz` binary is found ($LMPLZ or PATH; it is not on the development
#    machines — build it from the `kenlm` sdist with cmake and Boost), times
#    `lmplz -o N` on the same text and compares its ARPA file with ours entry by
#    entry (bench/kenlm_compare.py --reference).
# 4. If the `kenlm` Python module imports (pip install kenlm), scores the text
#    with KenLM on our ARPA files (bench/kenlm_compare.py --text).
set -euo pipefail
cd "$(dirname "$0")/.."

TEXT=${TEXT:-/tmp/kjv.txt}
OUT=${OUT:-/tmp/ngram-bench}
ORDERS=${ORDERS:-3,5}
PY=${PYTHON:-python3}
mkdir -p "$OUT"

if [ ! -s "$TEXT" ]; then
    if ! command -v bible >/dev/null; then
        echo "no $TEXT and no \`bible\` command: apt-get install -y bible-kjv, or set TEXT" >&2
        exit 1
    fi
    echo "building $TEXT from bible-kjv" >&2
    bible 'gen1:1-rev22:21' | awk '
        function flush() { if (verse != "") print verse; verse = "" }
        /^$/ { flush(); heading = 1; next }                        # blank line: a heading follows
        /^  [0-9]+ / { heading = 0; flush(); sub(/^  [0-9]+ /, ""); verse = $0; next }
        heading { heading = 0; next }                              # "Genesis 1"
        { verse = verse " " $0 }                                   # a wrapped verse continues
        END { flush() }' > "$TEXT"
fi
echo "$TEXT: $(wc -l < "$TEXT") lines, $(wc -w < "$TEXT") words" >&2

echo "genloop: building the example ngram_bench (release)" >&2
cargo build --quiet --release -p genloop-text --example ngram_bench
binary="${CARGO_TARGET_DIR:-target}/release/examples/ngram_bench"
"$binary" "$TEXT" --orders "$ORDERS" --arpa-dir "$OUT" | tee "$OUT/genloop.jsonl"

lmplz_binary=${LMPLZ:-$(command -v lmplz || true)}
if [ -n "$lmplz_binary" ] && [ -x "$lmplz_binary" ]; then
    for order in ${ORDERS//,/ }; do
        /usr/bin/time -f "{\"tool\": \"lmplz\", \"order\": $order, \"seconds\": %e, \"max_rss_kb\": %M}" \
            "$lmplz_binary" -o "$order" -S 1G -T "$OUT" < "$TEXT" > "$OUT/lmplz$order.arpa" 2> "$OUT/lmplz$order.log" || {
            echo "lmplz -o $order failed; see $OUT/lmplz$order.log" >&2
            continue
        }
        tail -n 1 "$OUT/lmplz$order.log"
        "$PY" bench/kenlm_compare.py --reference "$OUT/lmplz$order.arpa" --arpa "$OUT/order$order.arpa"
    done
else
    echo "no lmplz binary (set LMPLZ or put it on PATH): skipping the estimation comparison" >&2
fi

if "$PY" -c 'import kenlm' 2>/dev/null; then
    arpas=()
    for order in ${ORDERS//,/ }; do arpas+=(--arpa "$OUT/order$order.arpa"); done
    "$PY" bench/kenlm_compare.py --text "$TEXT" "${arpas[@]}" 2>/dev/null
else
    echo "the kenlm Python module is missing (pip install kenlm): skipping KenLM scoring" >&2
fi
