//! Corpora from files to pools: the readers on small hand-written fixtures (each
//! test writes its own into a temporary folder), the splits, the tokenizers, and,
//! when `GENLOOP_KJV` names the file written by `scripts/fetch-kjv.sh`, the King
//! James Bible end to end.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use genloop_core::contract::king_james;
use genloop_core::data::Dataset;
use genloop_core::seed::{Rng, RootSeed};
use genloop_text::corpus::{
    read_corpus, CorpusError, CorpusReader, Format, HoldoutChoice, OnError, ReadOptions,
    RecordProblem, SplitSpec, TextSplits,
};
use genloop_text::tokenize::{
    load_tokenizer, BpeOptions, BpeTokenizer, Tokenizer, TokenizerSpec, WordOptions, WordTokenizer,
};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn jsonl() -> ReadOptions {
    ReadOptions {
        format: Format::Jsonl,
        ..ReadOptions::default()
    }
}

fn split_rng() -> Rng {
    RootSeed(7).global("corpus_split")
}

/// Sentences of our own, numbered so order can be checked.
fn numbered_sentences(count: usize) -> Vec<String> {
    (0..count)
        .map(|i| format!("note {i} says the kettle is warm and the window is open ."))
        .collect()
}

#[test]
fn jsonl_keeps_other_fields_as_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "posts.jsonl",
        "{\"text\": \"The heron waited by the reeds.\", \"id\": 1, \"lang\": \"en\"}\n\
         \n\
         {\"id\": 2, \"text\": \"Rain again, said the ferryman.\", \"tags\": [\"weather\"]}\r\n"
            .as_bytes(),
    );
    let corpus = read_corpus(&path, &jsonl()).unwrap();
    assert_eq!(corpus.docs.len(), 2);
    assert_eq!(corpus.docs[0].text, "The heron waited by the reeds.");
    assert_eq!(corpus.docs[0].metadata["lang"], "en");
    assert!(!corpus.docs[0].metadata.contains_key("text"));
    assert_eq!(corpus.docs[1].line, 3, "blank lines still count");
    assert_eq!(corpus.docs[1].metadata["tags"][0], "weather");
    assert_eq!(corpus.skipped.count, 0);

    let options = ReadOptions {
        text_field: "body".to_owned(),
        ..jsonl()
    };
    let path = write(
        dir.path(),
        "body.jsonl",
        b"{\"body\": \"Moss grows north.\"}\n",
    );
    assert_eq!(
        read_corpus(&path, &options).unwrap().docs[0].text,
        "Moss grows north."
    );
}

#[test]
fn gzip_and_zstd_read_like_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    let text = "The lamp was lit at dusk.\nNobody came to the door.\n\nThe dog slept.\n";
    let plain = read_corpus(
        &write(dir.path(), "a.txt", text.as_bytes()),
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(plain.docs.len(), 3);

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    let gz_path = write(dir.path(), "a.txt.gz", &gz.finish().unwrap());
    let zst_path = write(
        dir.path(),
        "a.txt.zst",
        &zstd::encode_all(text.as_bytes(), 3).unwrap(),
    );
    for path in [gz_path, zst_path] {
        let corpus = read_corpus(&path, &ReadOptions::default()).unwrap();
        assert_eq!(corpus.docs, plain.docs, "{}", path.display());
    }

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(b"{\"text\": \"Compressed JSON lines work too.\"}\n")
        .unwrap();
    let path = write(dir.path(), "b.jsonl.gz", &gz.finish().unwrap());
    assert_eq!(Format::infer(&path), Format::Jsonl);
    assert_eq!(read_corpus(&path, &jsonl()).unwrap().docs.len(), 1);
}

#[test]
fn paragraphs_are_separated_by_blank_lines() {
    let dir = tempfile::tempdir().unwrap();
    let text = "\n\nFirst paragraph, first line.\r\nFirst paragraph, second line.\n\n\n  \n\
                Second paragraph alone.\n\nThird, at the end without a newline.";
    let path = write(dir.path(), "p.txt", text.as_bytes());
    let options = ReadOptions {
        format: Format::Paragraphs,
        ..ReadOptions::default()
    };
    let corpus = read_corpus(&path, &options).unwrap();
    let texts: Vec<&str> = corpus.docs.iter().map(|d| d.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "First paragraph, first line.\nFirst paragraph, second line.",
            "Second paragraph alone.",
            "Third, at the end without a newline.",
        ]
    );
    let lines: Vec<usize> = corpus.docs.iter().map(|d| d.line).collect();
    assert_eq!(lines, [3, 8, 10]);
}

#[test]
fn bad_records_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[u8], &str); 5] = [
        (
            "broken.jsonl",
            b"{\"text\": \"fine\"}\n{\"text\": \"no closing brace\"\n",
            ":2: malformed JSON",
        ),
        (
            "missing.jsonl",
            b"{\"text\": \"fine\"}\n{\"txt\": \"typo in the key\"}\n",
            ":2: no field `text`",
        ),
        (
            "number.jsonl",
            b"{\"text\": 42}\n",
            ":1: field `text` is a number, not a string",
        ),
        (
            "array.jsonl",
            b"[\"text\"]\n",
            ":1: a JSONL record must be an object",
        ),
        (
            "latin1.jsonl",
            b"{\"text\": \"ok\"}\n{\"text\": \"caf\xe9\"}\n",
            ":2: invalid UTF-8 at byte 13",
        ),
    ];
    for (name, bytes, expected) in cases {
        let path = write(dir.path(), name, bytes);
        let error = read_corpus(&path, &jsonl()).unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with(&format!("{}{expected}", path.display())),
            "{message}"
        );
    }

    let path = write(dir.path(), "latin1.txt", b"fine line\nna\xefve line\n");
    let error = read_corpus(&path, &ReadOptions::default()).unwrap_err();
    assert!(matches!(
        error,
        CorpusError::Record {
            line: 2,
            problem: RecordProblem::InvalidUtf8 { byte: 2 },
            ..
        }
    ));
}

#[test]
fn skip_mode_skips_counts_and_lists_bad_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "mixed.jsonl",
        b"{\"text\": \"one\"}\n{oops\n{\"text\": \"two\"}\n{\"text\": null}\n\xff\xfe\n{\"text\": \"three\"}\n",
    );
    let options = ReadOptions {
        on_error: OnError::Skip,
        ..jsonl()
    };
    let corpus = read_corpus(&path, &options).unwrap();
    let texts: Vec<&str> = corpus.docs.iter().map(|d| d.text.as_str()).collect();
    assert_eq!(texts, ["one", "two", "three"]);
    assert_eq!(corpus.skipped.count, 3);
    let lines: Vec<usize> = corpus.skipped.examples.iter().map(|e| e.0).collect();
    assert_eq!(lines, [2, 4, 5]);
    let report = corpus.skipped.to_string();
    assert!(report.contains("skipped 3 malformed records"), "{report}");
    assert!(report.contains("line 4: field `text` is null"), "{report}");

    // A paragraph with one bad line is skipped whole.
    let path = write(
        dir.path(),
        "p.txt",
        b"good one\n\nbad \xff here\nand more\n\ngood two\n",
    );
    let options = ReadOptions {
        format: Format::Paragraphs,
        on_error: OnError::Skip,
        ..ReadOptions::default()
    };
    let corpus = read_corpus(&path, &options).unwrap();
    assert_eq!(corpus.docs.len(), 2);
    assert_eq!(corpus.skipped.examples[0].0, 3);
}

#[test]
fn empty_corpus_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [("empty.txt", &b""[..]), ("blank.txt", b"\n  \n\t\n")] {
        let path = write(dir.path(), name, bytes);
        let error = read_corpus(&path, &ReadOptions::default()).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("{}: no documents", path.display())
        );
    }
    let path = write(dir.path(), "allbad.jsonl", b"nope\nstill nope\n");
    let options = ReadOptions {
        on_error: OnError::Skip,
        ..jsonl()
    };
    let message = read_corpus(&path, &options).unwrap_err().to_string();
    assert!(
        message.ends_with("no documents (2 malformed records were skipped)"),
        "{message}"
    );

    let missing = dir.path().join("absent.txt");
    let message = read_corpus(&missing, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with(&missing.display().to_string()),
        "{message}"
    );
}

fn split_file(
    path: &Path,
    options: &ReadOptions,
    spec: &SplitSpec,
) -> Result<TextSplits, CorpusError> {
    let counter = WordTokenizer::empty(&WordOptions::default());
    let reader = CorpusReader::open(path, options)?;
    TextSplits::split(reader, path, &counter, spec, &mut split_rng())
}

#[test]
fn too_small_corpus_gives_the_sizes() {
    let dir = tempfile::tempdir().unwrap();
    // 10 documents of 13 word tokens each.
    let path = write(
        dir.path(),
        "small.txt",
        numbered_sentences(10).join("\n").as_bytes(),
    );
    let spec = SplitSpec {
        original: 100,
        holdout: 20,
        fresh: Some(50),
        timestamp_field: None,
        holdout_choice: HoldoutChoice::Random,
    };
    let message = split_file(&path, &ReadOptions::default(), &spec)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("the splits need 170 tokens (holdout 20 + original 100 + fresh 50), the corpus has 130 in 10 documents"),
        "{message}"
    );
}

#[test]
fn splits_take_whole_documents_holdout_and_original_first() {
    let dir = tempfile::tempdir().unwrap();
    let sentences = numbered_sentences(100);
    let path = write(dir.path(), "notes.txt", sentences.join("\n").as_bytes());
    let spec = SplitSpec {
        original: 260,
        holdout: 130,
        fresh: Some(390),
        timestamp_field: None,
        holdout_choice: HoldoutChoice::Random,
    };
    let splits = split_file(&path, &ReadOptions::default(), &spec).unwrap();
    // 13 tokens per document: exact multiples.
    assert_eq!(
        (
            splits.holdout.tokens,
            splits.original.tokens,
            splits.fresh.tokens
        ),
        (130, 260, 390)
    );
    let mut prefix_lines: Vec<usize> = splits
        .holdout
        .docs
        .iter()
        .chain(&splits.original.docs)
        .map(|d| d.line)
        .collect();
    prefix_lines.sort_unstable();
    assert_eq!(
        prefix_lines,
        (1..=30).collect::<Vec<_>>(),
        "holdout and original are the first 30"
    );
    let fresh_lines: Vec<usize> = splits.fresh.docs.iter().map(|d| d.line).collect();
    assert_eq!(
        fresh_lines,
        (31..=60).collect::<Vec<_>>(),
        "fresh follows, in order"
    );
    let holdout_lines: Vec<usize> = splits.holdout.docs.iter().map(|d| d.line).collect();
    assert_ne!(
        holdout_lines,
        (1..=10).collect::<Vec<_>>(),
        "a random share, not the first ten"
    );
    assert!(
        holdout_lines.windows(2).all(|w| w[0] < w[1]),
        "pools keep corpus order"
    );

    // Seeded: the same rng stream gives the same holdout.
    let again = split_file(&path, &ReadOptions::default(), &spec).unwrap();
    assert_eq!(again.holdout.docs, splits.holdout.docs);

    let first = SplitSpec {
        holdout_choice: HoldoutChoice::First,
        ..spec.clone()
    };
    let splits = split_file(&path, &ReadOptions::default(), &first).unwrap();
    let holdout_lines: Vec<usize> = splits.holdout.docs.iter().map(|d| d.line).collect();
    assert_eq!(holdout_lines, (1..=10).collect::<Vec<_>>());

    // Sizes between document boundaries round up to whole documents.
    let uneven = SplitSpec {
        original: 20,
        holdout: 14,
        fresh: None,
        ..spec
    };
    let splits = split_file(&path, &ReadOptions::default(), &uneven).unwrap();
    assert_eq!((splits.holdout.tokens, splits.original.tokens), (26, 26));
    assert_eq!(splits.fresh.docs.len(), 96, "fresh = None takes the rest");
}

#[test]
fn reading_stops_once_the_pools_are_full() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = numbered_sentences(20).join("\n");
    text.push_str("\nthis line is fine but the next is not\n");
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(b"\xff\xff\n");
    let path = write(dir.path(), "tail.txt", &bytes);
    let spec = SplitSpec {
        original: 52,
        holdout: 26,
        fresh: Some(52),
        timestamp_field: None,
        holdout_choice: HoldoutChoice::Random,
    };
    let splits = split_file(&path, &ReadOptions::default(), &spec).unwrap();
    assert_eq!(splits.fresh.docs.len(), 4);
}

#[test]
fn timestamps_order_the_stream() {
    let dir = tempfile::tempdir().unwrap();
    // Written out of order; two share a timestamp and keep file order.
    let records = [
        ("2024-03-01T09:00:00Z", "the spring market opened early"),
        ("2024-01-15T08:30:00Z", "snow closed the mountain road"),
        ("2024-02-10T12:00:00Z", "the river froze near the mill"),
        ("2024-01-15T08:30:00Z", "the bakery gave away bread"),
        ("2024-04-20T17:45:00Z", "swallows returned to the barn"),
        ("2023-12-31T23:59:00Z", "fireworks lit the harbour"),
    ];
    let lines: Vec<String> = records
        .iter()
        .map(|(time, text)| format!("{{\"published\": \"{time}\", \"text\": \"{text}\"}}"))
        .collect();
    let path = write(dir.path(), "timeline.jsonl", lines.join("\n").as_bytes());
    let spec = SplitSpec {
        original: 5,
        holdout: 4,
        fresh: None,
        timestamp_field: Some("published".to_owned()),
        holdout_choice: HoldoutChoice::First,
    };
    let splits = split_file(&path, &jsonl(), &spec).unwrap();
    assert_eq!(splits.holdout.docs[0].text, "fireworks lit the harbour");
    assert_eq!(
        splits.original.docs[0].text,
        "snow closed the mountain road"
    );
    let fresh: Vec<&str> = splits.fresh.docs.iter().map(|d| d.text.as_str()).collect();
    assert_eq!(
        fresh,
        [
            "the bakery gave away bread",
            "the river froze near the mill",
            "the spring market opened early",
            "swallows returned to the barn",
        ]
    );

    // Unix seconds work too; a record without the field is an error naming its line.
    let path = write(
        dir.path(),
        "numbers.jsonl",
        b"{\"t\": 30, \"text\": \"c c\"}\n{\"t\": 10, \"text\": \"a a\"}\n{\"t\": 20, \"text\": \"b b\"}\n",
    );
    let numeric = SplitSpec {
        original: 2,
        holdout: 0,
        timestamp_field: Some("t".to_owned()),
        ..spec.clone()
    };
    let splits = split_file(&path, &jsonl(), &numeric).unwrap();
    assert_eq!(splits.original.docs[0].text, "a a");
    assert_eq!(splits.fresh.docs[1].text, "c c");

    let path = write(
        dir.path(),
        "gap.jsonl",
        b"{\"t\": 30, \"text\": \"c c\"}\n{\"text\": \"no time\"}\n",
    );
    let message = split_file(&path, &jsonl(), &numeric)
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with(&format!(
            "{}:2: timestamp field `t` is missing",
            path.display()
        )),
        "{message}"
    );
    let path = write(
        dir.path(),
        "mixed.jsonl",
        b"{\"t\": 30, \"text\": \"c c\"}\n{\"t\": \"2024\", \"text\": \"d d\"}\n",
    );
    let message = split_file(&path, &jsonl(), &numeric)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains(":2: timestamp field `t` mixes strings and numbers"),
        "{message}"
    );
}

#[test]
fn fresh_batches_release_the_stream_without_drift() {
    let dir = tempfile::tempdir().unwrap();
    // Documents of 1 to 7 words.
    let texts: Vec<String> = (0..60).map(|i| vec!["word"; 1 + i % 7].join(" ")).collect();
    let path = write(dir.path(), "stream.txt", texts.join("\n").as_bytes());
    let spec = SplitSpec {
        original: 10,
        holdout: 10,
        fresh: None,
        timestamp_field: None,
        holdout_choice: HoldoutChoice::First,
    };
    let text_splits = split_file(&path, &ReadOptions::default(), &spec).unwrap();
    let tokenizer = WordTokenizer::train(text_splits.original.texts(), &WordOptions::default());
    let splits = text_splits.encode(&tokenizer);
    assert_eq!(splits.fresh.units(), text_splits.fresh.tokens);
    assert_eq!(
        splits.fresh_batch(0, 9).unwrap().len(),
        0,
        "generation 0 gets none"
    );

    let per_generation = 9;
    let generations = splits.fresh_generations(per_generation);
    let mut released = 0;
    let mut documents = 0;
    for generation in 1..=generations {
        let batch = splits.fresh_batch(generation, per_generation).unwrap();
        for doc in batch.iter() {
            assert_eq!(
                doc,
                splits.fresh.doc(documents),
                "batches follow the stream"
            );
            documents += 1;
        }
        released += batch.units();
        let target = generation as usize * per_generation;
        assert!(
            released >= target && released < target + 7,
            "g{generation}: {released}"
        );
    }
    let error = splits
        .fresh_batch(generations + 1, per_generation)
        .unwrap_err();
    assert!(matches!(error, CorpusError::FreshExhausted { .. }));
    assert!(error
        .to_string()
        .contains(&format!("generation {}", generations + 1)));
}

#[test]
fn tokenizers_save_load_and_decode_any_ids() {
    let dir = tempfile::tempdir().unwrap();
    let texts = [
        "The miller's cat didn't chase the mice, it watched them.",
        "Mice ran under the mill; the cat yawned.",
        "By evening the mill was quiet and the cat was asleep.",
    ];
    let word = TokenizerSpec::Word(WordOptions {
        lowercase: true,
        ..WordOptions::default()
    })
    .train(texts)
    .unwrap();
    assert_eq!(word.token(0), "<unk>");
    let ids = word.encode("The cat didn't sleep!");
    assert_eq!(word.decode(&ids), "the cat didn't <unk> <unk>");
    let path = dir.path().join("word.json");
    word.save(&path).unwrap();
    let loaded = load_tokenizer(&path).unwrap();
    assert_eq!(loaded.encode(texts[1]), word.encode(texts[1]));
    assert_eq!(loaded.vocab_size(), word.vocab_size());

    let spec: TokenizerSpec =
        serde_json::from_str(r#"{"kind": "bpe", "vocab_size": 300, "min_frequency": 1}"#).unwrap();
    let bpe = spec.train(texts).unwrap();
    let path = dir.path().join("tokenizer.json");
    bpe.save(&path).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        json["model"]["type"], "BPE",
        "the Hugging Face tokenizer.json layout"
    );
    assert_eq!(json["pre_tokenizer"]["type"], "ByteLevel");
    let loaded = load_tokenizer(&path).unwrap();
    assert_eq!(loaded.encode(texts[2]), bpe.encode(texts[2]));

    // Model samples are arbitrary id sequences: both decode them.
    for tokenizer in [&word, &bpe] {
        let ids: Vec<u32> = (0..40)
            .map(|i| (i * 7919) % tokenizer.vocab_size() as u32)
            .collect();
        assert!(!tokenizer.decode(&ids).is_empty());
        assert!(!tokenizer.decode(&[u32::MAX]).contains('\u{0}'));
    }
    assert!(serde_json::from_str::<TokenizerSpec>(r#"{"kind": "bpe", "vocab": 300}"#).is_err());
}

/// The King James Bible (31,102 verses, about 4 MB), one verse per line, as written by
/// `scripts/fetch-kjv.sh`. Skipped with a notice when `GENLOOP_KJV` is unset, except
/// under `CI=true` ([`king_james`]).
#[test]
fn kjv_splits_and_trains_a_bpe_tokenizer() {
    let Some(path) = king_james() else {
        return;
    };
    let started = Instant::now();
    let corpus = read_corpus(&path, &ReadOptions::default()).unwrap();
    let read_seconds = started.elapsed().as_secs_f64();
    let bytes = std::fs::metadata(&path).unwrap().len() as f64;
    assert_eq!(corpus.docs.len(), 31_102);
    eprintln!(
        "KJV: read {} verses in {read_seconds:.3} s ({:.0} MB/s)",
        corpus.docs.len(),
        bytes / read_seconds / 1e6
    );

    let spec = SplitSpec {
        original: 400_000,
        holdout: 50_000,
        fresh: Some(300_000),
        timestamp_field: None,
        holdout_choice: HoldoutChoice::Random,
    };
    let counter = WordTokenizer::empty(&WordOptions::default());
    let docs = corpus.docs.into_iter().map(Ok);
    let splits = TextSplits::split(docs, &path, &counter, &spec, &mut split_rng()).unwrap();
    for (name, pool, size) in [
        ("holdout", &splits.holdout, spec.holdout),
        ("original", &splits.original, spec.original),
        ("fresh", &splits.fresh, 300_000),
    ] {
        // A verse is at most about 90 word tokens.
        assert!(
            pool.tokens >= size && pool.tokens < size + 200,
            "{name}: {}",
            pool.tokens
        );
        eprintln!(
            "KJV {name}: {} verses, {} word tokens",
            pool.docs.len(),
            pool.tokens
        );
    }

    let words = WordTokenizer::train(splits.original.texts(), &WordOptions::default());
    let word_pools = splits.encode(&words);
    assert_eq!(word_pools.original.units(), splits.original.tokens);
    let holdout_unknown = word_pools
        .holdout
        .tokens
        .iter()
        .filter(|&&id| id == 0)
        .count();
    eprintln!(
        "KJV word tokenizer: vocabulary {}, holdout <unk> rate {:.4}",
        words.vocab_size(),
        holdout_unknown as f64 / word_pools.holdout.units() as f64
    );

    let started = Instant::now();
    let options = BpeOptions {
        vocab_size: 8192,
        ..BpeOptions::default()
    };
    let bpe = BpeTokenizer::train(splits.original.texts(), &options).unwrap();
    let train_seconds = started.elapsed().as_secs_f64();
    assert_eq!(bpe.vocab_size(), 8192);
    let started = Instant::now();
    let pools = splits.encode(&bpe);
    let encode_seconds = started.elapsed().as_secs_f64();
    let ratio = pools.original.units() as f64 / splits.original.tokens as f64;
    eprintln!(
        "KJV BPE 8192: trained in {train_seconds:.2} s on {} verses; encoded all pools in \
         {encode_seconds:.2} s; original {} BPE tokens ({ratio:.3} per word token)",
        splits.original.docs.len(),
        pools.original.units()
    );
    assert!((0.9..1.5).contains(&ratio), "{ratio}");
    for doc in splits.holdout.docs.iter().take(200) {
        assert_eq!(bpe.decode(&bpe.encode(&doc.text)), doc.text);
    }
}

/// Read throughput on a generated 100 MB JSONL file, plain and gzip. Not part of
/// the normal run: `cargo test -p genloop-text --test corpus -- --ignored --nocapture`.
#[test]
#[ignore]
fn read_throughput() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.jsonl");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut written = 0;
    let mut i = 0u64;
    while written < 100_000_000 {
        let line = format!(
            "{{\"id\": {i}, \"published\": \"2024-01-01T00:00:{:02}Z\", \"text\": \"post {i}: the tide \
             came in over the flats and the gulls rose, calling, as the boats turned home\"}}\n",
            i % 60
        );
        file.write_all(line.as_bytes()).unwrap();
        written += line.len();
        i += 1;
    }
    drop(file);
    let gz_path = dir.path().join("big.jsonl.gz");
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz_path).unwrap(),
        flate2::Compression::fast(),
    );
    std::io::copy(&mut std::fs::File::open(&path).unwrap(), &mut gz).unwrap();
    gz.finish().unwrap();
    for path in [&path, &gz_path] {
        let started = Instant::now();
        let mut count = 0;
        for doc in CorpusReader::open(path, &jsonl()).unwrap() {
            doc.unwrap();
            count += 1;
        }
        let seconds = started.elapsed().as_secs_f64();
        eprintln!(
            "{}: {count} records, {:.0} MB of JSONL in {seconds:.2} s = {:.0} MB/s",
            path.display(),
            written as f64 / 1e6,
            written as f64 / 1e6 / seconds
        );
    }
}
