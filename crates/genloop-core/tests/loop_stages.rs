//! The loop's stages on a toy task, without the CLI: a 1-D source whose estimator
//! fits the mean (plus an optional drift), so what each stage does shows in the
//! numbers.

use genloop_core::data::{Dataset, Part, TrainingSet, Vectors};
use genloop_core::metrics::{Direction, MetricSpec};
use genloop_core::model::{Estimator, FitError, FittedModel, Sampling};
use genloop_core::pipeline::curate::{
    BuildFilter, CandidateView, Chain, DropReason, Filter, FilterContext, FilterError,
    FilterOutcome, FilterParams, FilterSpec, Link, Record,
};
use genloop_core::pipeline::gate::GateSpec;
use genloop_core::pipeline::mix::{RegimeKind, RegimeSpec};
use genloop_core::pipeline::{run_arm, Arm, Collect, ReplicateResult, RunSettings};
use genloop_core::provenance::{Pool, Provenance};
use genloop_core::seed::{Rng, RootSeed};
use genloop_core::task::{Evaluation, Task};
use rand::Rng as _;

const MEAN_ERROR: MetricSpec = MetricSpec {
    name: "mean_error",
    unit: "",
    direction: Direction::LowerIsBetter,
    positive: false,
    description: "distance of the model's mean from the holdout mean",
};

/// Human data: uniform on [5, 6).
struct Toy {
    /// Added to every fitted mean (a model that drifts away from its data).
    drift: f64,
}

#[derive(Clone)]
struct MeanEstimator {
    drift: f64,
}

#[derive(Clone, Debug, PartialEq)]
struct MeanModel {
    mean: f64,
}

impl Estimator for MeanEstimator {
    type Data = Vectors;
    type Model = MeanModel;
    const USES_RNG: bool = false;

    fn fit(&self, train: &TrainingSet<Vectors>, _rng: &mut Rng) -> Result<MeanModel, FitError> {
        let data = train.concatenated();
        if data.is_empty() {
            return Err(FitError::Empty);
        }
        let mean = data.values.iter().sum::<f64>() / data.len() as f64;
        Ok(MeanModel {
            mean: mean + self.drift,
        })
    }
}

impl FittedModel for MeanModel {
    type Data = Vectors;

    /// The mean, give or take ¼.
    fn sample(&self, n: usize, _sampling: &Sampling, rng: &mut Rng) -> Vectors {
        let values = (0..n)
            .map(|_| self.mean + 0.5 * (rng.random::<f64>() - 0.5))
            .collect();
        Vectors::new(1, values)
    }

    fn log_prob(&self, data: &Vectors) -> Vec<f64> {
        data.values.iter().map(|v| -(v - self.mean).abs()).collect()
    }

    fn parameter_count(&self) -> usize {
        1
    }
}

impl Task for Toy {
    type Data = Vectors;
    type Estimator = MeanEstimator;
    type Truth = f64;

    fn metrics(&self) -> &[MetricSpec] {
        &[MEAN_ERROR]
    }

    fn draw(&self, n: usize, rng: &mut Rng) -> Vectors {
        Vectors::new(1, (0..n).map(|_| 5.0 + rng.random::<f64>()).collect())
    }

    fn truth(&self, holdout: Vectors, _original: &Vectors) -> f64 {
        holdout.values.iter().sum::<f64>() / holdout.len() as f64
    }

    fn estimator(&self, _original: &Vectors) -> MeanEstimator {
        MeanEstimator { drift: self.drift }
    }

    fn evaluate(&self, evaluation: &Evaluation<'_, Self>, out: &mut Vec<f64>) {
        out.clear();
        out.push((evaluation.model.mean - evaluation.truth).abs());
    }
}

/// Drops every record above `above` (`kind = "drop_above"`).
struct DropAbove(f64);

impl Filter<Toy> for DropAbove {
    fn kind(&self) -> &'static str {
        "drop_above"
    }

    fn judge(
        &mut self,
        _context: &FilterContext<'_, Toy>,
        view: &CandidateView<'_, Vectors>,
    ) -> FilterOutcome {
        let drops = (0..view.len())
            .map(|i| {
                let (data, index) = view.data(i);
                let value = data.values[index];
                (value > self.0).then(|| DropReason::new("drop_above.value", format!("{value}")))
            })
            .collect();
        FilterOutcome {
            drops,
            scores: None,
        }
    }
}

/// The toy's one filter table: `kind = "drop_above"` with `above`.
#[derive(Debug)]
struct DropAboveParams {
    above: f64,
}

impl FilterParams for DropAboveParams {
    fn kind(&self) -> &'static str {
        "drop_above"
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl BuildFilter for Toy {
    fn build_filter(&self, spec: &FilterSpec) -> Result<Box<dyn Filter<Self>>, FilterError> {
        match spec.config.as_any().downcast_ref::<DropAboveParams>() {
            Some(params) => Ok(Box::new(DropAbove(params.above))),
            None => Err(genloop_core::pipeline::curate::unsupported(
                spec,
                "the toy task takes `drop_above` with `above`",
            )),
        }
    }
}

fn settings(generations: usize, replicates: usize) -> RunSettings {
    RunSettings {
        seed: 7,
        replicates,
        generations,
        original: 20,
        holdout: 50,
        measure_curation: false,
        measure_detector: false,
    }
}

fn arm(kind: RegimeKind, fresh: usize) -> Arm {
    Arm {
        name: "toy".into(),
        regime: RegimeSpec {
            kind,
            samples: 10,
            fresh,
        },
        sampling: Sampling::default(),
        gate: GateSpec::None,
        contamination: None,
        filters: Vec::new(),
    }
}

fn drop_above(above: f64) -> FilterSpec {
    let mut table = toml::Table::new();
    table.insert("above".into(), toml::Value::Float(above));
    FilterSpec {
        key: "filters[0]".into(),
        pools: vec![Pool::Synthetic],
        config: std::sync::Arc::new(DropAboveParams { above }),
        table,
    }
}

fn run(task: &Toy, settings: &RunSettings, arm: &Arm) -> Vec<ReplicateResult> {
    let collect = Collect::default();
    let replicates: Vec<u64> = (0..settings.replicates as u64).collect();
    run_arm(task, settings, arm, &replicates, &collect).expect("the toy loop runs");
    collect.into_inner()
}

/// (pool, origin generation, records) of each part of generation `g`'s training set.
fn composition(result: &ReplicateResult, g: usize) -> Vec<(Pool, u32, u64)> {
    result.generations[g]
        .composition
        .iter()
        .map(|c| (c.pool, c.origin_generation, c.records))
        .collect()
}

#[test]
fn replace_trains_on_the_last_samples_and_accumulate_on_everything() {
    let task = Toy { drift: 0.0 };
    let settings = settings(4, 1);
    let replace = run(&task, &settings, &arm(RegimeKind::Replace, 0));
    assert_eq!(composition(&replace[0], 0), [(Pool::Original, 0, 20)]);
    assert_eq!(composition(&replace[0], 3), [(Pool::Synthetic, 2, 10)]);

    let accumulate = run(&task, &settings, &arm(RegimeKind::Accumulate, 0));
    assert_eq!(
        composition(&accumulate[0], 3),
        [
            (Pool::Original, 0, 20),
            (Pool::Synthetic, 0, 10),
            (Pool::Synthetic, 1, 10),
            (Pool::Synthetic, 2, 10),
        ]
    );
    // Fresh human data join the newest synthetic batch under replace.
    let fresh = run(&task, &settings, &arm(RegimeKind::Replace, 5));
    assert_eq!(
        composition(&fresh[0], 2),
        [(Pool::Fresh, 2, 5), (Pool::Synthetic, 1, 10)]
    );
}

#[test]
fn without_a_gate_every_candidate_goes_into_service() {
    let task = Toy { drift: 1.0 };
    let results = run(&task, &settings(4, 1), &arm(RegimeKind::Replace, 0));
    let result = &results[0];
    for (g, generation) in result.generations.iter().enumerate() {
        assert!(generation.decision.accepted);
        assert_eq!(generation.deployed, g as u32);
        assert_eq!(generation.candidate_value, None);
    }
    // Each refit drifts one unit further from the truth.
    let error = |g| result.metrics_at(g)[0];
    for g in 1..4 {
        assert!(
            (error(g) - error(g - 1) - 1.0).abs() < 0.2,
            "{g}: {}",
            error(g)
        );
    }
}

#[test]
fn the_gate_rejects_a_worse_candidate_and_rolls_back() {
    let task = Toy { drift: 1.0 };
    let mut gated = arm(RegimeKind::Replace, 0);
    gated.gate = GateSpec::Holdout {
        metric: "mean_error".into(),
        tolerance: 0.05,
    };
    let results = run(&task, &settings(4, 1), &gated);
    let result = &results[0];
    let value0 = result.generations[0].candidate_value.expect("gated");
    for generation in &result.generations[1..] {
        assert!(!generation.decision.accepted, "{:?}", generation.decision);
        assert!(generation.decision.reason.contains("mean_error"));
        assert!(generation.candidate_value.expect("gated") > value0);
        // The generation-0 model stays in service.
        assert_eq!(generation.deployed, 0);
    }
    for g in 1..4 {
        assert_eq!(result.metrics_at(g), result.metrics_at(0));
    }
}

#[test]
fn a_filter_chain_drops_records_and_counts_them() {
    let task = Toy { drift: 0.0 };
    let mut curated = arm(RegimeKind::Replace, 0);
    // The model samples its mean ± ¼: about half of each batch lies above it.
    curated.filters = vec![drop_above(5.5)];
    let results = run(&task, &settings(3, 1), &curated);
    let generation = &results[0].generations[1];
    let kept: u64 = generation
        .curation
        .iter()
        .filter(|c| c.outcome == "kept")
        .map(|c| c.records)
        .sum();
    let dropped: u64 = generation
        .curation
        .iter()
        .filter(|c| c.outcome == "drop_above.value")
        .map(|c| c.records)
        .sum();
    assert_eq!(kept + dropped, 10);
    assert!(dropped > 0 && kept > 0, "kept {kept}, dropped {dropped}");
    assert_eq!(composition(&results[0], 1), [(Pool::Synthetic, 0, kept)]);

    // A filter that drops everything leaves nothing to fit: the model in service stays.
    curated.filters = vec![drop_above(f64::NEG_INFINITY)];
    let results = run(&task, &settings(3, 1), &curated);
    let generation = &results[0].generations[1];
    assert!(!generation.decision.accepted);
    assert_eq!(generation.deployed, 0);
    assert!(generation.composition.is_empty());
}

#[test]
fn a_chain_is_itself_a_filter() {
    let task = Toy { drift: 0.0 };
    let mut chain = Chain::new(vec![
        Link {
            filter: Box::new(DropAbove(3.0)),
            pools: vec![Pool::Synthetic],
        },
        Link {
            filter: Box::new(DropAbove(1.0)),
            pools: vec![Pool::Synthetic, Pool::Fresh],
        },
    ]);
    let parts = vec![
        Part::new(
            Provenance::new(Pool::Synthetic, 0),
            Vectors::new(1, vec![0.5, 2.0, 4.0]),
        ),
        Part::new(
            Provenance::new(Pool::Fresh, 1),
            Vectors::new(1, vec![4.0, 0.0]),
        ),
    ];
    let records: Vec<Record> = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]
        .iter()
        .map(|&(part, index)| Record { part, index })
        .collect();
    let model = MeanModel { mean: 0.0 };
    let calibration = Vectors::new(1, Vec::new());
    let context = FilterContext {
        task: &task,
        replicate: 0,
        generation: 1,
        reference: &model,
        deployed: &model,
        calibration: &calibration,
        seed: RootSeed(1),
    };
    let outcome = Filter::judge(&mut chain, &context, &CandidateView::new(&parts, &records));
    let rules: Vec<Option<String>> = outcome
        .drops
        .iter()
        .map(|d| d.as_ref().map(|d| d.detail.clone()))
        .collect();
    // 4.0 of the synthetic batch falls to the first filter; the fresh 4.0 passes it
    // (not its channel) and falls to the second, as does the synthetic 2.0.
    assert_eq!(
        rules,
        [
            None,
            Some("2".into()),
            Some("4".into()),
            Some("4".into()),
            None
        ]
    );
    assert_eq!(chain.kind(), "chain");
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let task = Toy { drift: 0.1 };
    let mut curated = arm(RegimeKind::AccumulateSubsample { budget: 25 }, 3);
    curated.filters = vec![drop_above(5.6)];
    curated.gate = GateSpec::Holdout {
        metric: "mean_error".into(),
        tolerance: 0.5,
    };
    let settings = settings(5, 6);
    let with = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool")
            .install(|| run(&task, &settings, &curated))
    };
    let one = with(1);
    assert_eq!(one.len(), 6);
    assert_eq!(one, with(2));
}
