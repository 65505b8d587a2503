//! Across sections: whether the model can be fitted to the source's data, and
//! whether every training set is large enough for it.

use genloop_core::pipeline::mix::{RegimeKind, RegimeSpec};
use genloop_core::pipeline::{Arm, RunSettings};
use genloop_models::gaussian::VarianceEstimator;

use crate::model::ModelSpec;
use crate::problem::Checker;
use crate::source::SourceSpec;

/// Source/model compatibility and sizes each model needs.
pub(crate) fn check_pairing(
    c: &mut Checker,
    source: &SourceSpec,
    model: &ModelSpec,
    settings: &RunSettings,
    arms: &[Arm],
) {
    if !compatible(c, source, model) {
        return;
    }
    let (needed, why) = records_needed(model, source.dim());
    if settings.original < needed {
        c.problem(
            "data.original",
            settings.original,
            &format!("is too small: {why}"),
            &format!("use original ≥ {needed}"),
        );
    }
    for arm in arms {
        let smallest = smallest_training_set(&arm.regime, settings.original);
        if smallest < needed && settings.generations > 1 {
            c.problem(
                &format!("arm `{}` regime", arm.name),
                format!("{} records per generation", smallest),
                &format!("is too small: {why}"),
                &format!("raise samples/fresh so each training set has ≥ {needed} records"),
            );
        }
    }
}

/// Whether `model` fits data of `source`'s kind (a problem when not).
fn compatible(c: &mut Checker, source: &SourceSpec, model: &ModelSpec) -> bool {
    let (fits, ok) = match model {
        ModelSpec::Gaussian { .. } | ModelSpec::Mixture { .. } | ModelSpec::Kde { .. } => (
            "gaussian or mixture",
            matches!(
                source,
                SourceSpec::Gaussian { .. } | SourceSpec::Mixture { .. }
            ),
        ),
        ModelSpec::Categorical { .. } => (
            "categorical",
            matches!(source, SourceSpec::Categorical { .. }),
        ),
        ModelSpec::Linear { .. } => ("linear", matches!(source, SourceSpec::Linear { .. })),
        ModelSpec::Ngram(_) | ModelSpec::Transformer(_) => (
            "corpus or language",
            matches!(source, SourceSpec::Corpus(_) | SourceSpec::Language(_)),
        ),
    };
    if !ok {
        c.problem(
            "model.kind",
            format!("\"{}\"", model.kind()),
            &format!(
                "cannot be fitted to data from source kind `{}`",
                source.kind()
            ),
            &format!("use a {fits} source"),
        );
    }
    ok
}

/// The fewest records a fit of `model` needs, and why.
fn records_needed(model: &ModelSpec, dim: usize) -> (usize, String) {
    match model {
        ModelSpec::Gaussian { estimator } => {
            let n = (dim + 1).max(2);
            let why = match estimator {
                VarianceEstimator::Unbiased => format!("the unbiased estimator divides by M − 1 and a full {dim}-d covariance needs {n} records"),
                VarianceEstimator::Mle => format!("a full {dim}-d covariance needs {n} records"),
            };
            (n, why)
        }
        ModelSpec::Mixture { components, .. } => (
            *components,
            format!("{components} components need as many records"),
        ),
        ModelSpec::Kde { .. } => (2, "a bandwidth rule needs at least 2 records".into()),
        ModelSpec::Categorical { .. } => (1, "a categorical fit needs a record".into()),
        ModelSpec::Linear { .. } => (
            dim + 2,
            format!(
                "the OLS error E‖ŵ − w*‖² = σ²d/(T−d−1) needs T > d + 1 = {}",
                dim + 1
            ),
        ),
        ModelSpec::Ngram(_) => (1, "a language model needs at least one token".into()),
        ModelSpec::Transformer(spec) => (
            10 * (spec.context + 1),
            format!(
                "the transformer holds every tenth document out for validation and needs a window of context + 1 = {} tokens in each part",
                spec.context + 1
            ),
        ),
    }
}

/// The smallest training set a regime builds over the run (in records; sums
/// saturate, the sizes are checked against memory afterwards).
fn smallest_training_set(regime: &RegimeSpec, original: usize) -> usize {
    let added = regime
        .synthetic_per_generation(original)
        .saturating_add(regime.fresh);
    match regime.kind {
        RegimeKind::Replace | RegimeKind::Fresh { .. } => added,
        RegimeKind::Accumulate | RegimeKind::RealOnly => original,
        RegimeKind::AccumulateSubsample { budget } => budget.min(original.saturating_add(added)),
        RegimeKind::Augment { .. } => original.saturating_add(added),
        RegimeKind::Preserve { fraction } => {
            ((fraction * original as f64).round() as usize).saturating_add(added)
        }
    }
}
