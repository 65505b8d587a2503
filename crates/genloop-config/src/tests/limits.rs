//! Issue 12: numbers that passed the check and then panicked, aborted or hung the
//! run. Each is refused by the check now, with its key.

use super::*;

const LANGUAGE: &str = r#"
name = "language"
generations = 3
[source]
kind = "language"
[data]
original = 200
holdout = 200
[model]
kind = "ngram"
order = 2
[regime]
kind = "replace"
"#;

/// The problem keys of `text`, checked against a budget of 16 GB.
fn refused(text: &str) -> Vec<String> {
    let budget = memory::Budget {
        bytes: 16e9,
        source: "a test's budget",
    };
    RawConfig::parse(text, "t.toml")
        .expect("parses")
        .check_within(Some(budget))
        .expect_err("refused")
        .into_iter()
        .map(|p| p.key)
        .collect()
}

fn with(line_after: &str, added: &str) -> String {
    BASE.replace(line_after, &format!("{line_after}\n{added}"))
}

#[test]
fn non_finite_covariances_and_means_are_refused() {
    // `[[nan]]` and `[[inf]]` passed the positive-definite check (NaN compares false)
    // and panicked in genloop-models' sources.rs; `mean = [inf]` failed later with
    // "raise the samples per generation".
    for (table, key) in [
        ("dim = 1\ncovariance = [[nan]]", "source.covariance"),
        ("dim = 1\ncovariance = [[inf]]", "source.covariance"),
        ("dim = 1\ncovariance = [[-inf]]", "source.covariance"),
        ("dim = 1\ncovariance = [[1e300]]", "source.covariance"),
        ("dim = 1\nmean = [inf]", "source.mean"),
        ("dim = 1\nmean = [nan]", "source.mean"),
    ] {
        let text = BASE.replace("dim = 2", table);
        assert_eq!(refused(&text), [key], "{table}");
    }
}

#[test]
fn sizes_beyond_any_machine_are_refused_with_their_key() {
    // i64::MAX panicked with "capacity overflow", 2³² aborted on a failed allocation.
    for value in [i64::MAX, 1 << 32] {
        for (text, key) in [
            (
                with("original = 30", &format!("holdout = {value}")),
                "data.holdout",
            ),
            (
                with("generations = 5", &format!("replicates = {value}")),
                "replicates",
            ),
            (
                with("kind = \"replace\"", &format!("samples = {value}")),
                "regime.samples",
            ),
            (
                with("kind = \"replace\"", &format!("fresh = {value}")),
                "regime.fresh",
            ),
            (
                format!("{BASE}\n[output]\nbootstrap = {value}\n"),
                "output.bootstrap",
            ),
            (
                BASE.replace("generations = 5", &format!("generations = {value}")),
                "generations",
            ),
            (
                BASE.replace("original = 30", &format!("original = {value}")),
                "data.original",
            ),
        ] {
            let keys = refused(&text);
            assert!(
                keys.iter().any(|k| k.ends_with(key)),
                "{key} = {value}: {keys:?}"
            );
        }
    }
}

#[test]
fn the_memory_estimate_names_the_key_and_the_figures() {
    // 2²⁷ holdout records of 2 dimensions: 2.1 GB per worker; fits 16 GB but not 1 GB.
    let text = with("original = 30", "holdout = 134217728");
    let raw = RawConfig::parse(&text, "t.toml").unwrap();
    let small = memory::Budget {
        bytes: 1e9,
        source: "a test's budget",
    };
    let problems = raw.check_within(Some(small)).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    let message = problems[0].to_string();
    assert!(message.starts_with("`data.holdout`"), "{message}");
    assert!(
        message.contains("this machine allows 500.0 MB"),
        "{message}"
    );
    assert!(message.contains("GB"), "{message}");
    let estimate = memory::estimate(&raw.check_within(None).unwrap(), &[], 1.0);
    let holdout = estimate.iter().find(|p| p.key == "data.holdout").unwrap();
    assert_eq!(holdout.bytes, 134217728.0 * 16.0);
}

#[test]
fn a_huge_language_is_refused_before_it_is_built() {
    // `vocab = 4000000000` ran for a minute without a word.
    let text = LANGUAGE.replace(
        "kind = \"language\"",
        "kind = \"language\"\nvocab = 4000000000",
    );
    assert_eq!(refused(&text), ["source.vocab"]);
    let text = LANGUAGE.replace(
        "kind = \"language\"",
        "kind = \"language\"\nmean_length = 1e300",
    );
    assert_eq!(refused(&text), ["source.mean_length"]);
    assert!(from_toml(LANGUAGE, "t.toml").is_ok());
}

#[test]
fn bootstrap_is_the_t_interval_or_enough_resamples() {
    // One resample's "interval" is a single resampled mean: it need not hold the mean.
    for bad in [1, 199, 100_001] {
        let text = format!("{BASE}\n[output]\nbootstrap = {bad}\n");
        assert_eq!(refused(&text), ["output.bootstrap"], "bootstrap = {bad}");
    }
    for good in [0, 200, 2000] {
        let text = format!("{BASE}\n[output]\nbootstrap = {good}\n");
        assert_eq!(from_toml(&text, "t.toml").unwrap().bootstrap, good);
    }
}

#[test]
fn dimensions_and_categories_have_limits() {
    let text = BASE.replace("dim = 2", "dim = 4294967296");
    assert_eq!(refused(&text), ["source.dim"]);
    let text = BASE
        .replace(
            "kind = \"gaussian\"\ndim = 2",
            "kind = \"categorical\"\ncategories = 4294967296",
        )
        .replace(
            "[model]\nkind = \"gaussian\"",
            "[model]\nkind = \"categorical\"",
        );
    assert_eq!(refused(&text), ["source.categories"]);
}
