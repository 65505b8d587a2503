#!/usr/bin/env python3
"""Keep/drop decisions of datatrove 0.10.1's quality filters, and their comparison with
genloop's, for bench/compare_datatrove.sh.

    python3 bench/datatrove_rules.py corpus OUT.jsonl [--seed 0] [--kjv FILE]
    python3 bench/datatrove_rules.py run CORPUS.jsonl RULE OUT.jsonl
    python3 bench/datatrove_rules.py compare CORPUS.jsonl RULE DATATROVE.jsonl GENLOOP.jsonl
    python3 bench/datatrove_rules.py words CORPUS.jsonl GENLOOP_WORDS.jsonl

`corpus` builds a corpus of real documents from what is installed on this machine
(Debian copyright files and changelogs, man pages, fortunes, Python docstrings and
package descriptions from site-packages, KJV chapters): one {"id", "source", "text"}
object per line. `run` applies one datatrove filter with its default parameters
(RULE: gopher_quality, gopher_repetition, c4, fineweb) and writes one {"keep",
"reason"} line per document, then a {"seconds"} line. `compare` prints agreement,
Cohen's kappa, speed and the top causes of disagreement, and one JSON summary line.
`words` compares datatrove's English words (spaCy) with genloop's (`rule_verdicts x
CORPUS --words`) and prints the documents that differ and the most frequent differences.
"""

import argparse
import ast
import collections
import glob
import gzip
import json
import os
import random
import subprocess
import sys
import time

MAX_CHARS = 60_000  # longer documents are cut at a line break, to keep spaCy's time sane
MIN_CHARS = 20


def clip(text):
    text = text.replace("\r\n", "\n")
    if len(text) > MAX_CHARS:
        cut = text.rfind("\n", 0, MAX_CHARS)
        text = text[: cut if cut > 0 else MAX_CHARS]
    return text.strip("\n")


def read_text(path):
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def debian_docs(rng, limit):
    """Copyright files and changelogs of installed Debian packages."""
    paths = sorted(glob.glob("/usr/share/doc/*/copyright"))
    paths += sorted(glob.glob("/usr/share/doc/*/changelog*"))
    rng.shuffle(paths)
    for path in paths[:limit]:
        kind = "copyright" if path.endswith("copyright") else "changelog"
        yield kind, read_text(path)


def man_pages(rng, limit):
    """Man pages rendered as plain text (`man -P cat`)."""
    names = sorted(
        os.path.basename(p).split(".")[0] for p in glob.glob("/usr/share/man/man1/*.1*")
    )
    rng.shuffle(names)
    env = dict(os.environ, MANWIDTH="80", MAN_KEEP_FORMATTING="")
    for name in names[:limit]:
        try:
            out = subprocess.run(
                ["man", "-P", "cat", "1", name], capture_output=True, text=True, env=env, timeout=20
            ).stdout
        except (subprocess.TimeoutExpired, OSError):
            continue
        yield "man", out


def fortunes(rng, limit):
    """Fortune cookies (apt-get install fortunes), one document per cookie."""
    cookies = []
    for path in sorted(glob.glob("/usr/share/games/fortunes/*")):
        if "." in os.path.basename(path):
            continue
        cookies += read_text(path).split("\n%\n")
    rng.shuffle(cookies)
    for cookie in cookies[:limit]:
        yield "fortune", cookie


def python_texts(rng, limit):
    """Docstrings of modules, classes and functions, and package descriptions."""
    roots = sorted(glob.glob("/root/.pyenv/versions/3.1*/lib/python3.*/site-packages"))
    roots += sorted(glob.glob("/root/.pyenv/versions/3.11.7/lib/python3.11"))
    files = [p for root in roots for p in glob.glob(f"{root}/**/*.py", recursive=True)]
    metadata = [p for root in roots for p in glob.glob(f"{root}/*.dist-info/METADATA")]
    rng.shuffle(files)
    seen = set()
    count = 0
    for path in metadata:
        text = read_text(path)
        body = text.split("\n\n", 1)[1] if "\n\n" in text else ""
        if body and body not in seen:
            seen.add(body)
            yield "package-description", body
    for path in files:
        if count >= limit:
            break
        try:
            tree = ast.parse(read_text(path))
        except (SyntaxError, ValueError, RecursionError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)):
                doc = ast.get_docstring(node)
                if doc and len(doc) > 200 and doc not in seen:
                    seen.add(doc)
                    count += 1
                    yield "docstring", doc
        if rng.random() < 0.05:
            count += 1
            yield "source", read_text(path)


def kjv_chapters(rng, path):
    """The KJV, one verse a line, cut into runs of 10 to 40 verses."""
    verses = read_text(path).splitlines()
    start = 0
    while start < len(verses):
        length = rng.randint(10, 40)
        yield "kjv", "\n".join(verses[start : start + length])
        start += length


def build_corpus(out, seed, kjv):
    rng = random.Random(seed)
    sources = [
        debian_docs(rng, 2400),
        man_pages(rng, 1800),
        fortunes(rng, 3000),
        python_texts(rng, 3200),
        kjv_chapters(rng, kjv),
    ]
    counts = collections.Counter()
    with open(out, "w") as handle:
        for source in sources:
            for kind, text in source:
                text = clip(text)
                if len(text) < MIN_CHARS:
                    continue
                handle.write(json.dumps({"id": sum(counts.values()), "source": kind, "text": text}) + "\n")
                counts[kind] += 1
    print(f"corpus: {sum(counts.values())} documents {dict(counts)}", file=sys.stderr)


def make_filter(rule):
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )

    return {
        "gopher_quality": GopherQualityFilter,
        "gopher_repetition": GopherRepetitionFilter,
        "c4": C4QualityFilter,
        "fineweb": FineWebQualityFilter,
    }[rule]()


def run_filter(corpus, rule, out):
    from datatrove.data import Document

    docs = [json.loads(line) for line in open(corpus)]
    filt = make_filter(rule)
    filt.filter(Document(text="Warm up the tokenizer. It loads once.", id="0"))
    results = []
    start = time.process_time()
    for doc in docs:
        verdict = filt.filter(Document(text=doc["text"], id=str(doc["id"])))
        keep, reason = (verdict, None) if isinstance(verdict, bool) else verdict
        results.append({"keep": bool(keep), "reason": reason})
    seconds = time.process_time() - start
    with open(out, "w") as handle:
        for result in results:
            handle.write(json.dumps(result) + "\n")
        handle.write(json.dumps({"seconds": seconds}) + "\n")


def read_decisions(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    return rows[:-1], rows[-1]["seconds"]


def kappa(pairs):
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    p_a = sum(a for a, _ in pairs) / n
    p_b = sum(b for _, b in pairs) / n
    expected = p_a * p_b + (1 - p_a) * (1 - p_b)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def compare(corpus, rule, theirs_path, ours_path):
    docs = [json.loads(line) for line in open(corpus)]
    theirs, their_seconds = read_decisions(theirs_path)
    ours, our_seconds = read_decisions(ours_path)
    assert len(theirs) == len(ours) == len(docs), (len(theirs), len(ours), len(docs))
    pairs = [(t["keep"], o["keep"]) for t, o in zip(theirs, ours)]
    agree = sum(a == b for a, b in pairs) / len(pairs)
    causes = collections.Counter()
    examples = {}
    for doc, t, o in zip(docs, theirs, ours):
        if t["keep"] != o["keep"]:
            cause = f"datatrove {t['reason'] or 'keep'} / genloop {o['reason'] or 'keep'}"
            causes[cause, doc["source"]] += 1
            examples.setdefault(cause, doc["id"])
    kept = (sum(a for a, _ in pairs), sum(b for _, b in pairs))
    print(f"\n== {rule}: {len(pairs)} documents, kept datatrove {kept[0]} genloop {kept[1]}")
    print(f"agreement {agree:.2%}  kappa {kappa(pairs):.3f}")
    print(
        f"docs/s (one core, CPU time): datatrove {len(docs) / their_seconds:,.0f}  "
        f"genloop {len(docs) / our_seconds:,.0f}  ({their_seconds / our_seconds:.1f}x)"
    )
    for (cause, source), count in causes.most_common(8):
        print(f"  {count:5d}  {cause}  [{source}]  e.g. id {examples[cause]}")
    summary = {
        "rule": rule,
        "docs": len(pairs),
        "agreement": agree,
        "kappa": kappa(pairs),
        "datatrove_docs_per_s": len(docs) / their_seconds,
        "genloop_docs_per_s": len(docs) / our_seconds,
    }
    print(json.dumps(summary))


def compare_words(corpus, ours_path):
    import difflib

    from datatrove.utils.text import split_into_words

    docs = [json.loads(line) for line in open(corpus)]
    ours = [json.loads(line)["words"] for line in open(ours_path)]
    differences = collections.Counter()
    examples = {}
    differing = 0
    for doc, mine in zip(docs, ours):
        theirs = split_into_words(doc["text"])
        if theirs == mine:
            continue
        differing += 1
        matcher = difflib.SequenceMatcher(a=theirs, b=mine, autojunk=False)
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            if op != "equal":
                key = (" ".join(theirs[a1:a2])[:60], " ".join(mine[b1:b2])[:60])
                differences[key] += 1
                examples.setdefault(key, doc["id"])
    print(f"words differ on {differing} of {len(docs)} documents")
    for (theirs, mine), count in differences.most_common(20):
        print(f"  {count:5d}  spaCy {theirs!r}  genloop {mine!r}  e.g. id {examples[theirs, mine]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    corpus = sub.add_parser("corpus")
    corpus.add_argument("out")
    corpus.add_argument("--seed", type=int, default=0)
    corpus.add_argument("--kjv", default="/work/data/kjv.txt")
    run = sub.add_parser("run")
    run.add_argument("corpus")
    run.add_argument("rule")
    run.add_argument("out")
    comp = sub.add_parser("compare")
    comp.add_argument("corpus")
    comp.add_argument("rule")
    comp.add_argument("datatrove")
    comp.add_argument("genloop")
    words = sub.add_parser("words")
    words.add_argument("corpus")
    words.add_argument("genloop")
    args = parser.parse_args()
    if args.command == "corpus":
        build_corpus(args.out, args.seed, args.kjv)
    elif args.command == "run":
        run_filter(args.corpus, args.rule, args.out)
    elif args.command == "words":
        compare_words(args.corpus, args.genloop)
    else:
        compare(args.corpus, args.rule, args.datatrove, args.genloop)


if __name__ == "__main__":
    main()
