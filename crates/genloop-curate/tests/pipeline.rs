//! The curation pipeline on hand-written JSONL corpora: what the web profile keeps,
//! why it drops, which kept record a duplicate names, and how bad input is reported.

use std::io::Write;
use std::path::{Path, PathBuf};

use genloop_curate::filters::FilterConfig;
use genloop_curate::pipeline::{curate, CurateFiles, CurationStats, PipelineError, Profile};
use serde_json::{json, Value};

/// A market morning: 103 words, six sentences, one line.
const MARKET: &str = "The village market opens early on Saturday, and the farmers arrive with \
their carts before the sun is up. They set out baskets of apples, jars of honey and loaves of \
dark bread on long wooden tables. By eight o'clock the square is full of families who come to \
buy food for the week and to talk with their neighbours. The children run between the stalls \
while their parents argue about the price of cheese. At noon the bell of the old church rings, \
and the farmers begin to pack what they have not sold. In the evening the square is quiet again.";

/// MARKET with three words changed ("Saturday" → "Sunday", "dark" → "brown", "old" →
/// "small"): about 13 of its 99 five-word shingles differ, Jaccard ≈ 0.77.
const MARKET_EDITED: &str = "The village market opens early on Sunday, and the farmers arrive \
with their carts before the sun is up. They set out baskets of apples, jars of honey and loaves \
of brown bread on long wooden tables. By eight o'clock the square is full of families who come \
to buy food for the week and to talk with their neighbours. The children run between the \
stalls while their parents argue about the price of cheese. At noon the bell of the small \
church rings, and the farmers begin to pack what they have not sold. In the evening the square \
is quiet again.";

/// A train journey, on three lines: nothing in common with MARKET beyond common words.
const TRAIN: &str = "The night train leaves the capital at ten and climbs slowly into the \
mountains.\nMost passengers sleep, but a few stay in the dining car to watch the dark valleys \
pass below the bridges. Near the border the conductor walks through every carriage and checks \
the tickets with a small torch.\nAt dawn the snow on the peaks turns pink, and the first \
villages appear beside the lakes. By the time the train reaches the coast, the travellers have \
crossed three countries and changed their money twice.";

/// A violin lesson: shares its first two sentences with nothing, its vocabulary with
/// MARKET and TRAIN only in function words.
const VIOLIN: &str = "Learning the violin takes patience, because the first months produce more \
noise than music. The teacher asks her pupils to hold the bow lightly and to listen to every \
note they play. Each lesson begins with scales, which are boring but train the fingers to find \
the right places on the strings. After a year most pupils can play simple songs, and some of \
them join the school orchestra. The best moment comes at the spring concert, when parents hear \
how much their children have learned.";

/// The first three sentences of MARKET followed by three new ones: related but not a
/// near-duplicate (Jaccard ≈ 0.4), so both must be kept.
const MARKET_HALF: &str = "The village market opens early on Saturday, and the farmers arrive \
with their carts before the sun is up. They set out baskets of apples, jars of honey and loaves \
of dark bread on long wooden tables. By eight o'clock the square is full of families who come \
to buy food for the week and to talk with their neighbours. Later a storm rolls in from the \
sea and the traders hurry to cover their goods with heavy cloth. Rain falls for an hour, and \
only the baker stays open until the sky clears in the afternoon.";

fn write_lines(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let path = dir.join(name);
    let mut file = std::fs::File::create(&path).unwrap();
    for line in lines {
        writeln!(file, "{line}").unwrap();
    }
    path
}

fn record(id: &str, text: &str) -> String {
    json!({"id": id, "text": text, "source": "hand-written"}).to_string()
}

fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn ids(records: &[Value]) -> Vec<&str> {
    records.iter().map(|r| r["id"].as_str().unwrap()).collect()
}

struct Run {
    stats: CurationStats,
    kept: Vec<Value>,
    rejects: Vec<Value>,
}

fn run(dir: &Path, input: &Path, filters: &[FilterConfig], tag: &str) -> Run {
    let out = dir.join(format!("kept-{tag}.jsonl"));
    let rejects = dir.join(format!("rejects-{tag}.jsonl"));
    let stats = curate(
        filters,
        &CurateFiles {
            input,
            out: &out,
            rejects: Some(&rejects),
            text_field: "text",
        },
    )
    .unwrap();
    Run {
        stats,
        kept: read_jsonl(&out),
        rejects: read_jsonl(&rejects),
    }
}

fn rejection<'a>(run: &'a Run, id: &str) -> &'a Value {
    let found = run.rejects.iter().find(|r| r["id"] == id);
    &found.unwrap_or_else(|| panic!("{id} not rejected; kept: {:?}", ids(&run.kept)))["curation"]
}

/// `text` with every word that starts with a capital written in capitals.
fn shout_capitalised(text: &str) -> String {
    let words = text.split(' ').map(|word| {
        let capitalised = word.starts_with(|c: char| c.is_uppercase());
        if capitalised {
            word.to_uppercase()
        } else {
            word.to_string()
        }
    });
    words.collect::<Vec<_>>().join(" ")
}

/// One corpus with every case of the web profile.
fn web_corpus() -> Vec<String> {
    let repeated_paragraph = "We sell the best shoes in town and our prices are the lowest you \
will find anywhere.\n\n"
        .repeat(8);
    // Six good lines and one repeated short line: 4 % of the characters sit in a
    // duplicate line (FineWeb allows 1 %), too few for Gopher's repetition rules.
    let repeated_line = format!(
        "{}\nThanks for reading this.\n{}\nThanks for reading this.",
        VIOLIN.replace(". ", ".\n"),
        "Write to the school office if you want to join the lessons next year."
    );
    vec![
        record("market", MARKET),
        record("short", "Buy cheap watches now."),
        record("train", TRAIN),
        record("lorem", &format!("{VIOLIN} Lorem ipsum dolor sit amet.")),
        record(
            "braces",
            &TRAIN.replace("small torch", "small torch {and a map}"),
        ),
        record("shoes", &repeated_paragraph),
        record("lines", &repeated_line),
        // Same normalised text as MARKET: other case, spacing and punctuation. Only the
        // capitalised words are shouted: Gopher's stop words are matched case-sensitively,
        // as datatrove does, so an all-capitals copy would be dropped before dedup.
        record(
            "market-copy",
            &shout_capitalised(MARKET).replace(", ", " ; "),
        ),
        record("market-edited", MARKET_EDITED),
        record("violin", VIOLIN),
        record("market-half", MARKET_HALF),
    ]
}

#[test]
fn web_profile_keeps_good_documents_and_says_why_it_drops_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_lines(dir.path(), "web.jsonl", &web_corpus());
    let run = run(dir.path(), &input, &Profile::Web.filters(), "web");

    assert_eq!(ids(&run.kept), ["market", "train", "violin", "market-half"]);
    // Kept records are written back unchanged, every field included.
    assert_eq!(
        run.kept[0],
        json!({"id": "market", "text": MARKET, "source": "hand-written"})
    );

    let expect = |id: &str, filter: &str, rule: &str| {
        let curation = rejection(&run, id);
        assert_eq!(curation["filter"], filter, "{id}: {curation}");
        assert_eq!(curation["rule"], rule, "{id}: {curation}");
        assert!(!curation["reason"].as_str().unwrap().is_empty(), "{id}");
    };
    expect("short", "gopher_quality", "gopher_quality.min_words");
    expect("lorem", "c4", "c4.banned_document_phrase");
    expect("braces", "c4", "c4.curly_bracket");
    expect("lines", "fineweb", "fineweb.duplicate_line_chars");
    let shoes = rejection(&run, "shoes");
    assert_eq!(shoes["filter"], "gopher_repetition", "{shoes}");

    // Duplicates name the kept record they duplicate, with its line and id.
    let copy = rejection(&run, "market-copy");
    assert_eq!(copy["filter"], "exact_dedup");
    assert_eq!(copy["kept_line"], 1);
    assert_eq!(copy["kept_id"], "market");
    assert_eq!(copy["jaccard"], 1.0);
    let edited = rejection(&run, "market-edited");
    assert_eq!(edited["filter"], "minhash");
    assert_eq!(edited["rule"], "minhash.near_duplicate");
    assert_eq!(edited["kept_id"], "market");
    let jaccard = edited["jaccard"].as_f64().unwrap();
    assert!((0.7..1.0).contains(&jaccard), "{edited}");
    // The other fields of a dropped record survive beside `curation`.
    let dropped = run
        .rejects
        .iter()
        .find(|r| r["id"] == "market-edited")
        .unwrap();
    assert_eq!(dropped["text"], MARKET_EDITED);
    assert_eq!(dropped["source"], "hand-written");

    let stats = &run.stats;
    assert_eq!((stats.documents, stats.kept, stats.dropped), (11, 4, 7));
    let dropped_by = |kind: &str| {
        stats
            .filters
            .iter()
            .find(|f| f.kind == kind)
            .map_or(0, |f| f.dropped)
    };
    assert_eq!(dropped_by("c4"), 2);
    assert_eq!(dropped_by("exact_dedup"), 1);
    assert_eq!(dropped_by("minhash"), 1);
    let c4 = stats.filters.iter().find(|f| f.kind == "c4").unwrap();
    assert_eq!(c4.by_rule["c4.curly_bracket"], 1);
    assert_eq!(stats.filters[0].checked, 11);
}

#[test]
fn unrelated_and_partly_overlapping_documents_are_never_merged() {
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        record("a", MARKET),
        record("b", TRAIN),
        record("c", VIOLIN),
        record("d", MARKET_HALF),
    ];
    let input = write_lines(dir.path(), "distinct.jsonl", &lines);
    for profile in Profile::ALL {
        let run = run(dir.path(), &input, &profile.filters(), profile.name());
        assert_eq!(ids(&run.kept), ["a", "b", "c", "d"], "{profile}");
        assert!(run.rejects.is_empty(), "{profile}: {:?}", run.rejects);
    }
}

#[test]
fn a_chain_of_edits_is_not_merged_transitively() {
    // 40 distinct words, 38 three-word shingles. Two substitutions change 6 shingles:
    // B is A with two words replaced (Jaccard 32/44 = 0.73), C is B with two more
    // (0.73 with B, 26/50 = 0.52 with A). B is dropped against A; C must be kept: its
    // only close neighbour B is not in the output, and A is too far. 28 bands × 4 rows
    // make each of these pairs an LSH candidate with probability > 0.999, so the test
    // exercises verification, not luck.
    let first = ["ka", "lo", "mi", "ne", "ru", "sa", "ti"];
    let second = ["bo", "de", "fu", "gi", "ha", "je"];
    let words: Vec<String> = (0..40)
        .map(|i| format!("{}{}", first[i % 7], second[i / 7]))
        .collect();
    let replace = |words: &[String], positions: [usize; 2], new: [&str; 2]| {
        let mut edited = words.to_vec();
        for (position, word) in positions.into_iter().zip(new) {
            edited[position] = word.to_string();
        }
        edited
    };
    let b = replace(&words, [10, 30], ["xylo", "zeta"]);
    let c = replace(&b, [5, 20], ["quark", "vex"]);
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        record("a", &words.join(" ")),
        record("b", &b.join(" ")),
        record("c", &c.join(" ")),
    ];
    let input = write_lines(dir.path(), "chain.jsonl", &lines);
    let filters: Vec<FilterConfig> =
        toml::from_str::<toml::Table>("[[filters]]\nkind = \"minhash\"\nbands = 28\nrows = 4\n")
            .unwrap()["filters"]
            .clone()
            .try_into()
            .unwrap();
    let run = run(dir.path(), &input, &filters, "chain");
    assert_eq!(ids(&run.kept), ["a", "c"]);
    let b_rejection = rejection(&run, "b");
    assert_eq!(b_rejection["kept_id"], "a");
    assert_eq!(b_rejection["jaccard"].as_f64().unwrap(), 32.0 / 44.0);
}

#[test]
fn the_same_input_gives_byte_identical_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_lines(dir.path(), "web.jsonl", &web_corpus());
    let filters = Profile::Web.filters();
    let _ = run(dir.path(), &input, &filters, "first");
    let _ = run(dir.path(), &input, &filters, "second");
    for name in ["kept", "rejects"] {
        let first = std::fs::read(dir.path().join(format!("{name}-first.jsonl"))).unwrap();
        let second = std::fs::read(dir.path().join(format!("{name}-second.jsonl"))).unwrap();
        assert!(!first.is_empty());
        assert_eq!(first, second, "{name}");
    }
}

#[test]
fn compressed_inputs_give_the_same_result() {
    let dir = tempfile::tempdir().unwrap();
    let text = web_corpus().join("\n") + "\n";
    let plain = write_lines(dir.path(), "web.jsonl", &web_corpus());
    let gz = dir.path().join("web.jsonl.gz");
    let mut encoder =
        flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), Default::default());
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap();
    let zst = dir.path().join("web.jsonl.zst");
    std::fs::write(&zst, zstd::encode_all(text.as_bytes(), 3).unwrap()).unwrap();
    let filters = Profile::Web.filters();
    let expected = run(dir.path(), &plain, &filters, "plain").kept;
    assert_eq!(run(dir.path(), &gz, &filters, "gz").kept, expected);
    assert_eq!(run(dir.path(), &zst, &filters, "zst").kept, expected);
}

fn curate_error(dir: &Path, input: &Path, filters: &[FilterConfig], field: &str) -> PipelineError {
    let out = dir.join("out.jsonl");
    let error = curate(
        filters,
        &CurateFiles {
            input,
            out: &out,
            rejects: Some(&dir.join("rejects.jsonl")),
            text_field: field,
        },
    )
    .unwrap_err();
    // Nothing is left behind: no output, no temporary file.
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.ends_with(".jsonl.in"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    error
}

#[test]
fn bad_records_are_reported_with_file_line_and_field() {
    let inputs = tempfile::tempdir().unwrap();
    let outputs = tempfile::tempdir().unwrap();
    let cases = [
        ("{\"text\": \"unterminated", "malformed JSON"),
        ("[\"a list\"]", "expected a JSON object, found an array"),
        (
            "{\"body\": \"no text here\"}",
            "no field `text` (fields: body)",
        ),
        ("{\"text\": 42}", "field `text` is a number, not a string"),
    ];
    for (bad, message) in cases {
        let lines = [record("ok", MARKET), String::new(), bad.to_string()];
        let input = write_lines(inputs.path(), "bad.jsonl.in", &lines);
        let error = curate_error(outputs.path(), &input, &Profile::Web.filters(), "text");
        let text = error.to_string();
        assert!(
            text.starts_with(&format!("{}:3: ", input.display())),
            "{text}"
        );
        assert!(text.contains(message), "{text}");
        assert!(error.is_input_error());
    }
}

#[test]
fn model_filters_and_existing_outputs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_lines(dir.path(), "in.jsonl.in", &[record("a", MARKET)]);
    let filters: Vec<FilterConfig> = toml::from_str::<toml::Table>(
        "[[filters]]\nkind = \"c4\"\n[[filters]]\nkind = \"perplexity\"\npercentile = 0.9\n",
    )
    .unwrap()["filters"]
        .clone()
        .try_into()
        .unwrap();
    let error = curate_error(dir.path(), &input, &filters, "text");
    assert!(
        matches!(error, PipelineError::NeedsModels { kind: "perplexity" }),
        "{error}"
    );
    assert!(
        error.to_string().contains("needs the loop's models"),
        "{error}"
    );

    let out = dir.path().join("kept.jsonl");
    std::fs::write(&out, "precious\n").unwrap();
    let error = curate(
        &Profile::Web.filters(),
        &CurateFiles {
            input: &input,
            out: &out,
            rejects: None,
            text_field: "text",
        },
    )
    .unwrap_err();
    assert!(matches!(error, PipelineError::OutputExists(_)), "{error}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious\n");
}
