#!/usr/bin/env bash
# Quality rules: genloop's Gopher quality, Gopher repetition, C4 and FineWeb rule sets
# against huggingface/datatrove 0.10.1's filters (GopherQualityFilter,
# GopherRepetitionFilter, C4QualityFilter, FineWebQualityFilter), default parameters on
# both sides, one rule set at a time, on a corpus of real documents built from what is
# installed on this machine. A benchmark, not a CI test.
#
# Usage: bash bench/compare_datatrove.sh [RULE...]   (default: all four)
#   env: VENV=/work/venv-datatrove  OUT=/tmp/datatrove-bench  SEED=0  KJV=/work/data/kjv.txt
#        PYTHON=python3 (makes the venv)  CORPUS=path (reuse a corpus instead of building one)
#        WORDS=1  also compare the English words themselves (spaCy's against genloop's)
#
# 1. Makes a virtual environment with datatrove==0.10.1 and spaCy (pip; once).
# 2. Builds the corpus (bench/datatrove_rules.py corpus): Debian copyright files and
#    changelogs, man pages (`man -P cat`), fortunes (`apt-get install fortunes` for
#    them), docstrings, source files and package descriptions from Python
#    site-packages, and the KJV cut into runs of 10-40 verses; documents are cut at
#    60 000 characters. About 11 600 documents with the defaults here.
# 3. Per rule set: datatrove's decisions (bench/datatrove_rules.py run) and genloop's
#    (the release example `rule_verdicts`), each timed in CPU seconds of the deciding
#    loop only (reading, start-up and spaCy's loading excluded).
# 4. Prints, per rule set: agreement, Cohen's kappa, documents per CPU-second on both
#    sides, and the most frequent disagreements (datatrove's reason / genloop's rule,
#    source kind, an example id in the corpus).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-/work/venv-datatrove}
OUT=${OUT:-/tmp/datatrove-bench}
SEED=${SEED:-0}
KJV=${KJV:-/work/data/kjv.txt}
PY=${PYTHON:-python3}
RULES=("$@")
[ ${#RULES[@]} -gt 0 ] || RULES=(gopher_quality gopher_repetition c4 fineweb)
mkdir -p "$OUT"

if ! "$VENV/bin/python" -c 'import datatrove, spacy, regex' 2>/dev/null; then
    echo "making $VENV with datatrove==0.10.1 and spaCy" >&2
    "$PY" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "datatrove==0.10.1" spacy regex
fi
"$VENV/bin/python" -c 'import datatrove.pipeline.filters' 2>/dev/null ||
    { echo "datatrove does not import in $VENV" >&2; exit 1; }
[ -d /usr/share/games/fortunes ] ||
    echo "note: no fortunes (apt-get install fortunes); the corpus will have none" >&2

corpus=${CORPUS:-$OUT/corpus.jsonl}
if [ ! -s "$corpus" ]; then
    echo "building the corpus -> $corpus" >&2
    "$VENV/bin/python" bench/datatrove_rules.py corpus "$corpus" --seed "$SEED" --kjv "$KJV"
fi

echo "genloop: building the example rule_verdicts (release)" >&2
cargo build --quiet --release -p genloop-curate --example rule_verdicts
binary="${CARGO_TARGET_DIR:-target}/release/examples/rule_verdicts"

if [ "${WORDS:-0}" = 1 ]; then
    "$binary" x "$corpus" --words > "$OUT/genloop-words.jsonl"
    "$VENV/bin/python" bench/datatrove_rules.py words "$corpus" "$OUT/genloop-words.jsonl"
fi

for rule in "${RULES[@]}"; do
    echo "$rule: datatrove" >&2
    "$VENV/bin/python" bench/datatrove_rules.py run "$corpus" "$rule" "$OUT/datatrove-$rule.jsonl"
    echo "$rule: genloop" >&2
    "$binary" "$rule" "$corpus" > "$OUT/genloop-$rule.jsonl"
    "$VENV/bin/python" bench/datatrove_rules.py compare "$corpus" "$rule" \
        "$OUT/datatrove-$rule.jsonl" "$OUT/genloop-$rule.jsonl" | tee "$OUT/compare-$rule.txt"
done
