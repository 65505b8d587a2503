//! `RawConfig::check`: every problem at once, positions of parse errors, the checked
//! types of each section, patching then checking.

use super::*;
use genloop_core::pipeline::mix::RegimeKind;
use genloop_models::gaussian::VarianceEstimator;
use genloop_models::kde::Bandwidth;
use genloop_models::linear::{Design, NoiseMode};
use genloop_text::ngram::Smoothing;

const BASE: &str = r#"
name = "base"
generations = 5
[source]
kind = "gaussian"
dim = 2
[data]
original = 30
[model]
kind = "gaussian"
[regime]
kind = "replace"
"#;

fn problems(text: &str) -> Vec<Problem> {
    RawConfig::parse(text, "t.toml")
        .expect("parses")
        .check()
        .expect_err("rejected")
}

fn keys(problems: &[Problem]) -> Vec<&str> {
    problems.iter().map(|p| p.key.as_str()).collect()
}

#[test]
fn a_valid_config_checks() {
    let e = from_toml(BASE, "t.toml").unwrap();
    assert_eq!(e.name, "base");
    assert_eq!(e.settings.original, 30);
    assert_eq!(e.settings.holdout, 1000);
    assert_eq!(e.arms.len(), 1);
    assert_eq!(e.arms[0].name, "replace");
    assert_eq!(e.arms[0].regime.kind, RegimeKind::Replace);
    assert_eq!(e.source.dim(), 2);
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = BASE
        .replace("generations = 5", "generations = 0\nreplicates = -1")
        .replace("original = 30", "original = 30\nholdout = 0")
        .replace(
            "kind = \"replace\"",
            "kind = \"replace\"\nratio = 2.0\nfraction = 0.5",
        );
    let found = problems(&text);
    assert_eq!(
        keys(&found),
        [
            "replicates",
            "generations",
            "data.holdout",
            "regime.ratio",
            "regime.fraction"
        ],
        "{found:?}"
    );
    assert_eq!(
        found[3].to_string(),
        "`regime.ratio`: does not apply to regime kind `replace`; remove it; `replace` takes: samples, fresh"
    );
}

#[test]
fn a_misspelt_key_names_its_line() {
    let text = BASE.replace("kind = \"replace\"", "kind = \"replace\"\nsampels = 3");
    let error = from_toml(&text, "t.toml").unwrap_err().to_string();
    assert!(error.starts_with("t.toml: "), "{error}");
    assert!(error.contains("unknown field `sampels`"), "{error}");
    assert!(error.contains("line 13"), "{error}");
    let text = BASE.replace("dim = 2", "dim = 2\nfoo = 1");
    let error = from_toml(&text, "t.toml").unwrap_err().to_string();
    assert!(
        error.contains("line 7") && error.contains("`foo`"),
        "{error}"
    );
}

#[test]
fn keys_of_another_kind_do_not_apply() {
    let text = BASE.replace("dim = 2", "dim = 2\ncategories = 5\nvocab = 10");
    let found = problems(&text);
    assert_eq!(keys(&found), ["source.categories", "source.vocab"]);
    assert!(found[0]
        .fix
        .contains("`gaussian` takes: dim, mean, covariance"));
    let text = BASE.replace(
        "[regime]",
        "[contamination]\nschedule = \"constant\"\nstart = 0.1\nend = 0.5\n[regime]",
    );
    assert_eq!(keys(&problems(&text)), ["contamination.end"]);
}

#[test]
fn model_tables_check_into_the_models_own_types() {
    let model = |table: &str, source: &str| {
        let text = BASE
            .replace("[model]\nkind = \"gaussian\"", &format!("[model]\n{table}"))
            .replace("kind = \"gaussian\"\ndim = 2", source);
        from_toml(&text, "t.toml").unwrap().model
    };
    let gaussian = "kind = \"gaussian\"\ndim = 2";
    assert_eq!(
        model("kind = \"gaussian\"\nestimator = \"unbiased\"", gaussian),
        ModelSpec::Gaussian {
            estimator: VarianceEstimator::Unbiased
        }
    );
    assert_eq!(
        model("kind = \"kde\"\nbandwidth = 0.05", gaussian),
        ModelSpec::Kde {
            bandwidth: Bandwidth::Fixed(0.05)
        }
    );
    assert_eq!(
        model("kind = \"kde\"\nbandwidth = \"silverman\"", gaussian),
        ModelSpec::Kde {
            bandwidth: Bandwidth::Silverman
        }
    );
    assert_eq!(
        model(
            "kind = \"mixture\"\ncomponents = 3\ninits = 2",
            "kind = \"mixture\""
        ),
        ModelSpec::Mixture {
            components: 3,
            max_iterations: 100,
            tolerance: 1e-3,
            inits: 2,
            reg_covar: 1e-6
        }
    );
    assert_eq!(
        model(
            "kind = \"categorical\"\nsmoothing = 0.5",
            "kind = \"categorical\"\ncategories = 20"
        ),
        ModelSpec::Categorical { smoothing: 0.5 }
    );
    assert_eq!(
        model(
            "kind = \"linear\"\ndesign = \"fresh\"\nnoise = \"estimated\"",
            "kind = \"linear\"\ndim = 4"
        ),
        ModelSpec::Linear {
            design: Design::Fresh,
            noise: NoiseMode::Estimated
        }
    );
    let ModelSpec::Ngram(ngram) = model(
        "kind = \"ngram\"\norder = 2\nsmoothing = \"add_k\"\nk = 0.5",
        "kind = \"language\"\nvocab = 50",
    ) else {
        panic!("an n-gram model")
    };
    assert_eq!((ngram.order, ngram.smoothing), (2, Smoothing::AddK(0.5)));
}

#[test]
fn filter_tables_name_their_kind_and_pools() {
    let text = BASE.replace(
        "[regime]",
        "[[filters]]\nkind = \"gopher\"\n[[filters]]\nkind = \"verifier\"\nquantile = 0.1\npools = [\"web\"]\n[regime]",
    );
    let found = problems(&text);
    assert_eq!(keys(&found), ["filters[0].kind", "filters[1].pools"]);
    let e = from_toml(
        &BASE.replace(
            "[regime]",
            "[[filters]]\nkind = \"verifier\"\nquantile = 0.1\n[regime]",
        ),
        "t.toml",
    )
    .unwrap();
    let filter = &e.arms[0].filters[0];
    assert_eq!(
        (filter.kind(), filter.key.as_str()),
        ("verifier", "filters[0]")
    );
    assert!(e.settings.measure_curation);
}

#[test]
fn arms_override_the_top_level_tables() {
    let text = format!(
        "{BASE}[[arm]]\nname = \"a\"\n[[arm]]\nname = \"a\"\nregime = {{ kind = \"fresh\" }}\n"
    );
    let found = problems(&text);
    assert_eq!(keys(&found), ["arm[1].name", "arm[1].regime.fresh"]);
}

#[test]
fn a_patched_config_is_checked() {
    let e = from_toml_patched(
        BASE,
        "t.toml",
        &[
            ("regime.kind", "accumulate"),
            ("regime.fresh", "10"),
            ("sampling.bias", "0.9"),
        ],
    )
    .unwrap();
    assert_eq!(e.arms[0].regime.kind, RegimeKind::Accumulate);
    assert_eq!(e.arms[0].regime.fresh, 10);
    assert_eq!(e.arms[0].sampling.bias, 0.9);

    let error = from_toml_patched(BASE, "t.toml", &[("regime.ratio", "2.0")])
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("`regime.ratio`") && error.contains("does not apply"),
        "{error}"
    );
    let error = from_toml_patched(BASE, "t.toml", &[("arm.0.name", "x")])
        .unwrap_err()
        .to_string();
    assert!(error.contains("cannot set `arm.0.name`"), "{error}");
}

#[test]
fn filter_specs_serialise_as_written() {
    let e = from_toml(
        &BASE.replace(
            "[regime]",
            "[[filters]]\nkind = \"verifier\"\nquantile = 0.1\ncalibration = 40\npools = [\"synthetic\"]\n[[filters]]\ncalibration = 30\nkind = \"verifier\"\nthreshold = -3.0\n[regime]",
        ),
        "t.toml",
    )
    .unwrap();
    // The stored `arm_spec` bytes: kind, key, pools, then the table as written.
    assert_eq!(
        serde_json::to_string(&e.arms[0].filters).unwrap(),
        r#"[{"kind":"verifier","key":"filters[0]","pools":["synthetic"],"table":{"calibration":40,"quantile":0.1}},{"kind":"verifier","key":"filters[1]","pools":["fresh","synthetic"],"table":{"calibration":30,"threshold":-3.0}}]"#
    );
}

#[test]
fn filter_parameters_are_checked_with_the_config() {
    let text = BASE.replace(
        "[regime]",
        "[[filters]]\nkind = \"minhash\"\nthreshhold = 0.8\n\
         [[filters]]\nkind = \"perplexity\"\nthreshold = 50.0\npercentile = 0.9\n\
         [[filters]]\nkind = \"detector\"\nscore = \"binoculars\"\ntarget_fpr = 1.5\n\
         [[filters]]\nkind = \"minhash\"\nthreshold = 1.5\n\
         [[filters]]\nkind = \"verifier\"\n\
         [[filters]]\nkind = \"exact_dedup\"\n[regime]",
    );
    let found = problems(&text);
    assert_eq!(
        keys(&found),
        [
            "filters[0]",
            "filters[1]",
            "filters[2]",
            "filters[3]",
            "filters[4]"
        ]
    );
    let messages: Vec<String> = found.iter().map(|p| p.to_string()).collect();
    assert!(messages[0].contains("threshhold"), "{}", messages[0]);
    assert!(messages[1].ends_with("not both"), "{}", messages[1]);
    assert!(messages[2].contains("target_fpr = 1.5"), "{}", messages[2]);
    assert!(messages[3].contains("1.5"), "{}", messages[3]);
    assert!(messages[4].contains("needs `threshold`"), "{}", messages[4]);
}

/// Issue 16: the rule kinds take datatrove's parameter names; genloop's earlier names
/// survive only where the README documented them (Gopher quality's).
#[test]
fn rule_filters_take_datatrove_parameter_names() {
    let text = BASE.replace(
        "[regime]",
        "[[filters]]\nkind = \"fineweb\"\nline_punct_thr = 0.2\nstop_chars = [\".\", \"!\"]\n\
         [[filters]]\nkind = \"gopher_quality\"\nmax_symbol_word_ratio = 0.2\nmin_alpha_words_ratio = 0.7\n\
         [[filters]]\nkind = \"gopher_repetition\"\ndup_line_frac = 0.4\n\
         [[filters]]\nkind = \"c4\"\nmin_num_sentences = -1\nfilter_curly_bracket = false\n\
         [[filters]]\nkind = \"fineweb\"\nmin_line_punctuation_ratio = 0.2\n[regime]",
    );
    let found = problems(&text);
    assert_eq!(keys(&found), ["filters[4]"]);
    let message = found[0].to_string();
    assert!(
        message.contains("min_line_punctuation_ratio") && message.contains("line_punct_thr"),
        "{message}"
    );
}

mod limits;
