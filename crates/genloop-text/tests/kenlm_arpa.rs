//! Scenario: a Kneser-Ney model is fitted, exported as ARPA and loaded by KenLM
//! (the `kenlm` Python module); KenLM's per-sentence log10 scores equal ours.
//!
//! Skipped, with a notice, when `python3 -c 'import kenlm'` fails on a developer machine;
//! fails under `CI=true` (CI installs it with `pip install kenlm`).

use std::process::Command;

use genloop_core::data::Documents;
use genloop_core::seed::RootSeed;
use genloop_text::ngram::{NgramEstimator, NgramModel, Smoothing};
use rand::Rng as _;

const WORDS: &[&str] = &[
    "the", "a", "fox", "hen", "owl", "crow", "barn", "field", "river", "hill", "runs", "sleeps",
    "sings", "waits", "near", "over", "under", "by", "red", "quiet", "old", "small", "and", "then",
    "again", "today",
    // In the vocabulary, never in training: scored through the uniform share.
    "lantern", "meadow",
];
const TRAINED_WORDS: usize = WORDS.len() - 2;

fn kenlm_available() -> bool {
    Command::new("python3")
        .args(["-c", "import kenlm"])
        .output()
        .map(|out| out.status.success())
        .unwrap_or(false)
}

/// Sentences from a small template grammar, driven by a seeded stream.
fn corpus() -> Documents {
    let mut rng = RootSeed(2024).stream("kenlm-corpus", 0, 0);
    let id = |w: &str| WORDS.iter().position(|x| *x == w).unwrap() as u32;
    let nouns = ["fox", "hen", "owl", "crow"];
    let places = ["barn", "field", "river", "hill"];
    let verbs = ["runs", "sleeps", "sings", "waits"];
    let preps = ["near", "over", "under", "by"];
    let adjectives = ["red", "quiet", "old", "small"];
    let pick = |rng: &mut genloop_core::seed::Rng, list: &[&'static str]| {
        // Skewed, so counts of counts are all non-zero.
        let u: f64 = rng.random();
        list[((u * u) * list.len() as f64) as usize]
    };
    let mut docs = Documents::new();
    for _ in 0..600 {
        let mut sentence: Vec<&str> = Vec::new();
        sentence.push(if rng.random::<f64>() < 0.7 {
            "the"
        } else {
            "a"
        });
        if rng.random::<f64>() < 0.4 {
            sentence.push(pick(&mut rng, &adjectives));
        }
        sentence.push(pick(&mut rng, &nouns));
        sentence.push(pick(&mut rng, &verbs));
        if rng.random::<f64>() < 0.6 {
            sentence.push(pick(&mut rng, &preps));
            sentence.push("the");
            sentence.push(pick(&mut rng, &places));
        }
        match rng.random_range(0..6) {
            0 => sentence.extend(["and", "then", pick(&mut rng, &verbs)]),
            1 => sentence.push("again"),
            2 => sentence.push("today"),
            _ => {}
        }
        let ids: Vec<u32> = sentence.iter().map(|w| id(w)).collect();
        docs.push(&ids);
    }
    // One-word and empty documents exercise the start-of-document n-grams.
    docs.push(&[id("fox")]);
    docs.push(&[]);
    docs
}

fn probes() -> Vec<Vec<&'static str>> {
    [
        "the fox runs",
        "the red hen sleeps near the barn",
        "a quiet owl sings over the river and then waits",
        "",
        "fox",
        "the the the",
        "runs the fox",
        "hill hill over crow today again",
        "the lantern waits near the meadow",
        "meadow",
        "a small crow waits under the hill today",
    ]
    .iter()
    .map(|s| s.split_whitespace().collect())
    .collect()
}

fn kenlm_scores(arpa: &std::path::Path, sentences: &[String]) -> Vec<f64> {
    let script = "import kenlm, sys\n\
        model = kenlm.Model(sys.argv[1])\n\
        for line in sys.stdin.read().split('\\n')[:-1]:\n    \
            print(repr(model.score(line, bos=True, eos=True)))\n";
    let mut child = Command::new("python3")
        .args(["-c", script, arpa.to_str().unwrap()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        for sentence in sentences {
            writeln!(stdin, "{sentence}").unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "kenlm failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.parse().unwrap())
        .collect()
}

#[test]
fn kenlm_scores_our_arpa_export_as_we_do() {
    if !kenlm_available() {
        genloop_core::contract::missing_data(
            "kenlm_arpa: `python3 -c 'import kenlm'` failed; `pip install kenlm` to run it",
        );
        return;
    }
    let docs = corpus();
    assert!(docs.tokens.iter().all(|&t| (t as usize) < TRAINED_WORDS));
    let dir = tempfile::tempdir().unwrap();
    let vocab = |id: u32| WORDS[id as usize].to_owned();
    let probes = probes();
    let sentences: Vec<String> = probes.iter().map(|p| p.join(" ")).collect();
    let mut largest_difference = 0f64;
    // KenLM refuses unigram models ("assumes at least a bigram model").
    for order in [2, 3, 4, 5] {
        let model = NgramEstimator::new(order, Smoothing::KneserNey, WORDS.len())
            .unwrap()
            .fit_documents(&[&docs])
            .unwrap();
        let path = dir.path().join(format!("order{order}.arpa"));
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        model.write_arpa(&mut file, &vocab).unwrap();
        drop(file);
        let theirs = kenlm_scores(&path, &sentences);
        assert_eq!(theirs.len(), probes.len());
        for (probe, their) in probes.iter().zip(theirs) {
            let ids: Vec<u32> = probe
                .iter()
                .map(|w| WORDS.iter().position(|x| x == w).unwrap() as u32)
                .collect();
            let ours: f64 =
                model.token_log_probs(&ids).iter().sum::<f64>() / std::f64::consts::LN_10;
            largest_difference = largest_difference.max((ours - their).abs());
            assert!(
                (ours - their).abs() < 1e-4,
                "order {order}, {:?}: ours {ours}, KenLM {their}",
                probe.join(" ")
            );
        }
        // The import reads back what KenLM read.
        let text = std::fs::read_to_string(&path).unwrap();
        let lookup = |w: &str| WORDS.iter().position(|x| *x == w).map(|i| i as u32);
        let read = NgramModel::read_arpa(text.as_bytes(), WORDS.len(), &lookup).unwrap();
        assert_eq!(
            read.token_log_probs(&[0, 2, 10]),
            model.token_log_probs(&[0, 2, 10])
        );
    }
    eprintln!(
        "largest |ours - KenLM| over {} sentences × 4 orders: {largest_difference:e} (log10)",
        probes.len()
    );
}
