#!/usr/bin/env python3
"""Exact and MinHash dedup in Python, written the way huggingface/datatrove does it,
with the parameters of genloop's pipeline, to compare throughput on the same corpus.

Usage: python3 bench/minhash_datatrove.py CORPUS.jsonl [--stages exact,minhash]

CORPUS.jsonl holds one {"text": ...} object per line (as written by
`dedup_throughput --write`). Prints one JSON line per stage, like the Rust example.

What it follows (datatrove `pipeline/dedup/minhash.py`, `utils/text.py`):
- text: `simplify_text` (lowercase, digit runs -> "0", punctuation -> space, collapse
  whitespace, NFD without combining marks), split on spaces;
- shingles: word n-grams joined by a space, n = 5, or 3 for texts under 50 words (as in
  genloop; datatrove has one n), hashed to 64 bits with xxh64 (datatrove's default
  `hash_fc`; sha1's first 8 bytes if the xxhash module is missing);
- signature: 14 bands x 8 rows = 112 permutations (a*h + b) mod (2^61 - 1) with a, b
  from np.random.RandomState(seed), computed per document with numpy broadcasting and
  min over shingles -- exactly datatrove's `get_signature`, including its uint64
  arithmetic, which wraps a*h + b modulo 2^64 before the mod (genloop computes the exact
  128-bit product; same cost class, different bits);
- buckets: per band, documents sorted by band and grouped on equal bands (datatrove
  sorts signature files per bucket); every member of a group is paired with the first;
- then, unlike datatrove (which merges every pair), each candidate pair is verified
  with exact Jaccard >= 0.7 on the shingle sets, and verified pairs are merged with
  union-find; one document per cluster (the earliest) is kept.

Choices that make this baseline faster than datatrove itself, so the comparison is
conservative: everything stays in memory (no signature files), band values are folded
into one uint64 key per band, ASCII texts skip the per-character diacritics pass, and
words come from str.split instead of a language tokenizer.
"""

import argparse
import json
import re
import resource
import string
import sys
import time
import unicodedata

import numpy as np

try:
    import xxhash

    def hash64(text):
        return xxhash.xxh64_intdigest(text.encode())

    HASH_NAME = "xxh64"
except ImportError:  # pragma: no cover - depends on the environment
    import hashlib
    import struct

    def hash64(text):
        return struct.unpack("<Q", hashlib.sha1(text.encode()).digest()[:8])[0]

    HASH_NAME = "sha1[:8]"

MERSENNE_PRIME = np.uint64((1 << 61) - 1)
BANDS, ROWS = 14, 8
THRESHOLD = 0.7
SHINGLE_WORDS, SHORT_SHINGLE_WORDS, SHORT_TEXT_WORDS = 5, 3, 50

NUMBERS = re.compile(r"\d+")
WHITESPACE = re.compile(r"\s+")
PUNCTUATION = str.maketrans({c: " " for c in string.punctuation + "\u2026\u2019\u201c\u201d"})


def simplify_text(text):
    """datatrove `simplify_text` with its default normalisation config."""
    text = text.lower()
    text = NUMBERS.sub("0", text)
    text = text.translate(PUNCTUATION)
    text = WHITESPACE.sub(" ", text.strip())
    if not text.isascii():
        text = "".join(
            c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn"
        )
    return text.strip()


def shingles(text):
    """Unsorted uint64 hashes of the word shingles (datatrove `get_shingles`)."""
    words = simplify_text(text).split(" ")
    if not words[0]:
        return np.empty(0, dtype=np.uint64)
    n = SHORT_SHINGLE_WORDS if len(words) < SHORT_TEXT_WORDS else SHINGLE_WORDS
    n = min(n, len(words))
    grams = zip(*(words[i:] for i in range(n)))
    return np.fromiter(
        (hash64(" ".join(gram)) for gram in grams), dtype=np.uint64, count=len(words) - n + 1
    )


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def find(parent, x):
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def minhash_dedup(texts, seed):
    n_docs = len(texts)
    gen = np.random.RandomState(seed)
    a = gen.randint(1, MERSENNE_PRIME, dtype=np.uint64, size=(1, BANDS * ROWS))
    b = gen.randint(0, MERSENNE_PRIME, dtype=np.uint64, size=(1, BANDS * ROWS))
    # Folds the 8 rows of a band into one key (wrapping uint64 dot product); a collision
    # only adds a candidate pair, which verification rejects.
    fold = gen.randint(1, 2**63, dtype=np.uint64, size=(1, ROWS)) | np.uint64(1)
    phases = {}

    start = time.perf_counter()
    sets = [None] * n_docs
    keys = np.empty((n_docs, BANDS), dtype=np.uint64)
    empty_signature = np.full(BANDS * ROWS, np.iinfo(np.uint64).max, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i, text in enumerate(texts):
            sh = shingles(text)
            sets[i] = sh
            if sh.size:
                signature = ((sh.reshape(-1, 1) * a + b) % MERSENNE_PRIME).min(axis=0)
            else:
                signature = empty_signature
            keys[i] = (signature.reshape(BANDS, ROWS) * fold).sum(axis=1)
    phases["signatures"] = time.perf_counter() - start

    start = time.perf_counter()
    pairs = []
    for band in range(BANDS):
        column = keys[:, band]
        order = np.argsort(column, kind="stable")
        ordered = column[order]
        same = ordered[1:] == ordered[:-1]
        if not same.any():
            continue
        # Index (in sorted order) of the first member of each group.
        first = np.arange(n_docs)
        first[1:][same] = 0
        first = np.maximum.accumulate(first)
        members = np.nonzero(np.concatenate(([False], same)))[0]
        left, right = order[first[members]], order[members]
        pairs.append(np.minimum(left, right) * n_docs + np.maximum(left, right))
    candidates = np.unique(np.concatenate(pairs)) if pairs else np.empty(0, dtype=np.int64)
    phases["buckets"] = time.perf_counter() - start

    start = time.perf_counter()
    parent = list(range(n_docs))
    unique_sets = {}
    verified = 0
    for pair in candidates.tolist():
        i, j = divmod(pair, n_docs)
        for k in (i, j):
            if k not in unique_sets:
                unique_sets[k] = np.unique(sets[k])
        si, sj = unique_sets[i], unique_sets[j]
        common = np.intersect1d(si, sj, assume_unique=True).size
        union = si.size + sj.size - common
        if union == 0 or common / union >= THRESHOLD:
            verified += 1
            ri, rj = find(parent, i), find(parent, j)
            if ri != rj:
                parent[max(ri, rj)] = min(ri, rj)
    kept = sum(1 for x in range(n_docs) if find(parent, x) == x)
    phases["verify_and_cluster"] = time.perf_counter() - start
    return kept, {"candidate_pairs": int(candidates.size), "verified_pairs": verified, "phases": phases}


def exact_dedup(texts):
    seen = set()
    kept = 0
    for text in texts:
        h = hash64(simplify_text(text))
        if h not in seen:
            seen.add(h)
            kept += 1
    return kept, {}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus")
    parser.add_argument("--stages", default="exact,minhash")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    with open(args.corpus, encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    text_mb = sum(len(t.encode()) for t in texts) / 1e6

    for stage in args.stages.split(","):
        rss_before = peak_rss_mb()
        wall, cpu = time.perf_counter(), time.process_time()
        if stage == "exact":
            kept, extra = exact_dedup(texts)
        elif stage == "minhash":
            kept, extra = minhash_dedup(texts, args.seed)
        else:
            sys.exit(f"unknown stage {stage}; stages: exact, minhash")
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        row = {
            "tool": "python-datatrove-style",
            "stage": stage,
            "docs": len(texts),
            "text_mb": text_mb,
            "seconds": wall,
            "cpu_seconds": cpu,
            "docs_per_s": len(texts) / wall,
            "docs_per_cpu_s": len(texts) / cpu,
            "mb_per_s": text_mb / wall,
            "kept": kept,
            "dropped": len(texts) - kept,
            "peak_rss_mb_before": rss_before,
            "peak_rss_mb": peak_rss_mb(),
            "hash": HASH_NAME,
            "numpy": np.__version__,
            "python": sys.version.split()[0],
        }
        row.update(extra)
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
