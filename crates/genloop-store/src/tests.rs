//! The store on its own: a replicate written and read back, resume's record of
//! completed replicates, and the CSV export.

use std::borrow::Cow;

use genloop_core::metrics::{Direction, MetricSpec};
use genloop_core::pipeline::curate::CurationCount;
use genloop_core::pipeline::gate::Decision;
use genloop_core::pipeline::{GenerationResult, ReplicateResult};
use genloop_core::provenance::CompositionDetail;
use genloop_core::provenance::{CompositionEntry, Pool};
use genloop_core::task::Artifact;

use super::*;

const METRICS: &[MetricSpec] = &[
    MetricSpec {
        name: "variance_ratio",
        unit: "ratio",
        direction: Direction::Target(1.0),
        positive: true,
        description: "",
    },
    MetricSpec {
        name: "holdout_nll",
        unit: "nats",
        direction: Direction::LowerIsBetter,
        positive: false,
        description: "",
    },
];
const NAMES: &[&str] = &["variance_ratio", "holdout_nll"];

fn info() -> ExperimentInfo<'static> {
    ExperimentInfo {
        name: "toy",
        arm: "replace",
        position: 0,
        config: "name = \"toy\"\n",
        arm_spec_json: "{}".into(),
        seed: 7,
        replicates: 3,
        generations: 2,
        metrics: METRICS,
    }
}

fn part(pool: Pool, origin_generation: u32, records: u64) -> CompositionEntry {
    CompositionEntry {
        pool,
        origin_generation,
        records,
        units: 10 * records,
    }
}

/// Two generations: the second mixes synthetic data, is rejected and rolls back.
fn replicate(replicate: u64, metrics: [f64; 4]) -> ReplicateResult {
    let generation_0 = GenerationResult {
        generation: 0,
        composition: vec![part(Pool::Original, 0, 100)],
        decision: Decision::accept("no gate"),
        candidate_value: None,
        deployed: 0,
        curation: Vec::new(),
    };
    let generation_1 = GenerationResult {
        generation: 1,
        composition: vec![part(Pool::Original, 0, 50), part(Pool::Synthetic, 0, 50)],
        decision: Decision {
            accepted: false,
            reason: Cow::Borrowed("worse than the best"),
        },
        candidate_value: Some(2.5),
        deployed: 0,
        curation: vec![CurationCount {
            filter: 0,
            kind: "exact_dedup",
            outcome: Cow::Borrowed("duplicate"),
            pool: Pool::Synthetic,
            origin: Pool::Synthetic,
            records: 4,
            units: 40,
        }],
    };
    ReplicateResult {
        replicate,
        generations: vec![generation_0, generation_1],
        metric_count: 2,
        metrics: metrics.to_vec(),
        artifacts: vec![
            (
                1,
                Artifact::Scores {
                    kind: "ppl_gen0",
                    values: vec![1.5, f64::NAN],
                },
            ),
            (
                1,
                Artifact::Texts {
                    kind: "sample",
                    texts: vec!["a b".into(), "c".into()],
                },
            ),
        ],
    }
}

fn store() -> (tempfile::TempDir, Store, i64) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(&dir.path().join("results.sqlite")).unwrap();
    let id = store.add_experiment(&info()).unwrap();
    (dir, store, id)
}

#[test]
fn a_replicate_round_trips() {
    let (_dir, store, id) = store();
    let results = [
        replicate(0, [1.0, 2.0, 0.5, 3.0]),
        replicate(1, [1.0, 4.0, f64::NAN, 5.0]),
    ];
    store
        .write_replicates(id, &results, NAMES, CompositionDetail::Full)
        .unwrap();
    store.finish_experiment(id).unwrap();

    let rows = store.experiments().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].arm, "replace");
    assert_eq!(rows[0].config_hash, config_hash("name = \"toy\"\n"));
    assert_eq!(
        (rows[0].seed, rows[0].replicates, rows[0].generations),
        (7, 3, 2)
    );
    assert!(rows[0].finished_at.is_some());
    let specs = store.metric_specs(id).unwrap();
    let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, NAMES);
    assert_eq!(specs[0].direction, "target:1");
    assert!(specs[0].positive && !specs[1].positive);

    // [generation][replicate], NaN where not measured.
    let ratio = store.metric_matrix(id, "variance_ratio").unwrap();
    assert_eq!(ratio[0], vec![1.0, 1.0]);
    assert_eq!(ratio[1][0], 0.5);
    assert!(ratio[1][1].is_nan());
    assert_eq!(
        store.metric_matrix(id, "holdout_nll").unwrap()[1],
        vec![3.0, 5.0]
    );

    let rejections = store.rejections(id).unwrap();
    assert_eq!(
        rejections,
        vec![
            (0, 1, "worse than the best".to_string(), 0),
            (1, 1, "worse than the best".to_string(), 0),
        ]
    );
    assert_eq!(
        store.mean_composition(id).unwrap(),
        vec![(0, 1000.0, 0.0, 0.0), (1, 500.0, 0.0, 500.0)]
    );
    let by_origin = store.mean_composition_by_origin(id).unwrap();
    assert_eq!(by_origin.len(), 3);
    assert_eq!(
        by_origin[2],
        CompositionMean {
            generation: 1,
            pool: "synthetic".into(),
            origin_generation: 0,
            records: 50.0,
            units: 500.0,
        }
    );
    let curation = store.curation_totals(id).unwrap();
    assert_eq!(curation.len(), 1);
    assert_eq!(
        (curation[0].outcome.as_str(), curation[0].records),
        ("duplicate", 4.0)
    );

    let scores = store.sample_scores(id, "ppl_gen0").unwrap();
    assert_eq!(scores.len(), 1);
    assert_eq!(scores[0].0, 1);
    assert_eq!(scores[0].1.len(), 4);
    assert_eq!(store.first_text_replicate(id, "sample").unwrap(), Some(0));
    assert_eq!(
        store.sample_texts(id, "sample", 1).unwrap(),
        vec![(1, vec!["a b".to_string(), "c".to_string()])]
    );
}

#[test]
fn pools_only_stores_no_parts() {
    let (_dir, store, id) = store();
    store
        .write_replicates(
            id,
            &[replicate(0, [1.0; 4])],
            NAMES,
            CompositionDetail::Pools,
        )
        .unwrap();
    assert!(store.mean_composition_by_origin(id).unwrap().is_empty());
    assert_eq!(store.mean_composition(id).unwrap().len(), 2);
}

#[test]
fn resume_sees_completed_replicates_and_the_same_experiment() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("results.sqlite");
    {
        let store = Store::create(&path).unwrap();
        let id = store.add_experiment(&info()).unwrap();
        // Chunks arrive in replicate order; an interrupted run keeps whole chunks.
        store
            .write_replicates(
                id,
                &[replicate(0, [1.0; 4]), replicate(1, [1.0; 4])],
                NAMES,
                CompositionDetail::Full,
            )
            .unwrap();
    }
    assert!(matches!(Store::create(&path), Err(StoreError::Exists(_))));
    let store = Store::open(&path).unwrap();
    let id = store.add_experiment(&info()).unwrap();
    assert_eq!(store.experiment_id("replace").unwrap(), Some(id));
    assert_eq!(store.completed_replicates(id).unwrap(), vec![0, 1]);
    let before = store.canonical_dump().unwrap();
    store
        .write_replicates(
            id,
            &[replicate(2, [1.0; 4])],
            NAMES,
            CompositionDetail::Full,
        )
        .unwrap();
    assert_eq!(store.completed_replicates(id).unwrap(), vec![0, 1, 2]);
    assert_eq!(store.experiments().unwrap().len(), 1);
    assert!(store.canonical_dump().unwrap().len() > before.len());
    // Writing a stored replicate again fails and leaves the chunk out entirely.
    assert!(store
        .write_replicates(
            id,
            &[replicate(3, [1.0; 4]), replicate(0, [1.0; 4])],
            NAMES,
            CompositionDetail::Full
        )
        .is_err());
    assert_eq!(store.completed_replicates(id).unwrap(), vec![0, 1, 2]);
}

#[test]
fn missing_store_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        Store::open(&dir.path().join("results.sqlite")),
        Err(StoreError::Missing(_))
    ));
}

#[test]
fn csv_export_in_metric_order_with_non_finite_values() {
    let (_dir, store, id) = store();
    let results = [replicate(0, [1.0, f64::INFINITY, f64::NAN, -0.25])];
    store
        .write_replicates(id, &results, NAMES, CompositionDetail::Full)
        .unwrap();
    let mut csv = Vec::new();
    store.export_csv(id, &mut csv).unwrap();
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "replicate,generation,metric,value\n\
         0,0,variance_ratio,1\n\
         0,0,holdout_nll,inf\n\
         0,1,variance_ratio,nan\n\
         0,1,holdout_nll,-0.25\n"
    );
}
