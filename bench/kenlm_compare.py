#!/usr/bin/env python3
"""Compare genloop's n-gram ARPA export with KenLM.

Two checks, each printed as JSON lines:

  score      load each ARPA file with the `kenlm` Python module, score every line
             of TEXT (with <s> and </s>, as genloop does), and report KenLM's
             cross-entropy in nats per token (</s> counted) and its query speed;
             compare `cross_entropy_nats` with the `ngram_bench` example's.
  reference  compare an ARPA file with a reference (for example lmplz's on the
             same text): the n-gram sets, and the largest differences of the
             log10 probabilities and backoffs.

usage:
  kenlm_compare.py --text kjv.txt --arpa order3.arpa [--arpa order5.arpa ...]
  kenlm_compare.py --reference lmplz3.arpa --arpa order3.arpa
"""

import argparse
import json
import math
import sys
import time


def read_arpa(path):
    """{n-gram text: (log10 prob, log10 backoff)} of an ARPA file."""
    entries = {}
    order = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("ngram ") or line in ("\\data\\", "\\end\\"):
                continue
            if line.startswith("\\") and line.endswith("-grams:"):
                order = int(line[1:-len("-grams:")])
                continue
            if order == 0:
                continue
            fields = line.split()
            prob = float(fields[0])
            words = " ".join(fields[1 : 1 + order])
            backoff = float(fields[1 + order]) if len(fields) > 1 + order else 0.0
            entries[words] = (prob, backoff)
    return entries


def compare(reference_path, path):
    reference = read_arpa(reference_path)
    ours = read_arpa(path)
    only_reference = sorted(set(reference) - set(ours))
    only_ours = sorted(set(ours) - set(reference))
    worst_prob = (0.0, None)
    worst_backoff = (0.0, None)
    for words, (prob, backoff) in reference.items():
        if words not in ours or words == "<s>":
            continue  # <s> is never predicted; its probability is a convention
        other_prob, other_backoff = ours[words]
        d = abs(prob - other_prob) if prob > -99 or other_prob > -99 else 0.0
        if d > worst_prob[0]:
            worst_prob = (d, words)
        d = abs(backoff - other_backoff)
        if d > worst_backoff[0]:
            worst_backoff = (d, words)
    print(
        json.dumps(
            {
                "check": "reference",
                "reference": reference_path,
                "arpa": path,
                "ngrams_reference": len(reference),
                "ngrams": len(ours),
                "only_in_reference": only_reference[:10],
                "only_in_arpa": only_ours[:10],
                "max_abs_log10_prob_difference": worst_prob[0],
                "at": worst_prob[1],
                "max_abs_log10_backoff_difference": worst_backoff[0],
                "backoff_at": worst_backoff[1],
            }
        )
    )


def score(text_path, path):
    import kenlm  # imported here so that `reference` runs without it

    started = time.perf_counter()
    model = kenlm.Model(path)
    load_seconds = time.perf_counter() - started
    with open(text_path, encoding="utf-8") as f:
        lines = [" ".join(line.split()) for line in f if line.strip()]
    started = time.perf_counter()
    total = sum(model.score(line, bos=True, eos=True) for line in lines)
    query_seconds = time.perf_counter() - started
    tokens = sum(len(line.split()) + 1 for line in lines)
    nats = -total * math.log(10) / tokens
    print(
        json.dumps(
            {
                "check": "score",
                "arpa": path,
                "order": model.order,
                "kenlm_load_seconds": load_seconds,
                "cross_entropy_nats": nats,
                "perplexity": math.exp(nats),
                "query_tokens": tokens,
                "query_tokens_per_second_python": tokens / query_seconds,
            }
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arpa", action="append", required=True, help="ARPA file (repeatable)")
    parser.add_argument("--text", help="text to score, one document per line")
    parser.add_argument("--reference", help="reference ARPA file to compare the first --arpa with")
    args = parser.parse_args()
    if args.reference:
        compare(args.reference, args.arpa[0])
    if args.text:
        for path in args.arpa:
            score(args.text, path)
    if not args.reference and not args.text:
        parser.error("give --text, --reference, or both")


if __name__ == "__main__":
    sys.exit(main())
