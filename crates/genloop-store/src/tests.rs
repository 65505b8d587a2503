//! The store on its own: a replicate written and read back, resume's record of
//! completed replicates, the CSV export, exact round trips of the packed series, the
//! long views against the old one-row-per-value layout, and old stores refused.

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
    store.export_csv(&[id], &mut csv).unwrap();
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "arm,replicate,generation,metric,value\n\
         replace,0,0,variance_ratio,1\n\
         replace,0,0,holdout_nll,inf\n\
         replace,0,1,variance_ratio,nan\n\
         replace,0,1,holdout_nll,-0.25\n"
    );
}

/// Values a metric can take, the awkward ones included: NaN (not measured), both
/// infinities, both zeros, subnormals, the extremes and ordinary values.
fn awkward_values() -> Vec<f64> {
    let mut values = vec![
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.0,
        -0.0,
        f64::from_bits(1),
        -f64::from_bits(0x000f_ffff_ffff_ffff),
        f64::MIN_POSITIVE,
        f64::MAX,
        f64::MIN,
        f64::EPSILON,
        1.0,
        -2.5,
        std::f64::consts::PI,
        1e-300,
        4.317e-5,
        123_456_789.0,
    ];
    // And a spread of ordinary doubles from a fixed xorshift sequence.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..200 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let v = f64::from_bits(x);
        values.push(if v.is_nan() { 0.5 } else { v });
    }
    values
}

/// Replicates whose metrics are `awkward_values`, laid out over `generations`.
fn awkward_replicates(generations: usize) -> Vec<ReplicateResult> {
    let values = awkward_values();
    let per_replicate = generations * NAMES.len();
    values
        .chunks(per_replicate)
        .filter(|c| c.len() == per_replicate)
        .enumerate()
        .map(|(r, chunk)| {
            let mut result = replicate(r as u64, [0.0; 4]);
            let template = result.generations.clone();
            result.generations = (0..generations as u32)
                .map(|g| GenerationResult {
                    generation: g,
                    ..template[(g as usize).min(1)].clone()
                })
                .collect();
            result.metrics = chunk.to_vec();
            result
        })
        .collect()
}

#[test]
fn packed_series_round_trip_every_value_bit_for_bit() {
    let (_dir, store, id) = store();
    let results = awkward_replicates(9);
    assert!(results.len() >= 10);
    store
        .write_replicates(id, &results, NAMES, CompositionDetail::Full)
        .unwrap();
    for (m, name) in NAMES.iter().enumerate() {
        let series = store.metric_series(id, name).unwrap();
        assert_eq!(series.len(), results.len());
        for ((replicate, values), result) in series.iter().zip(&results) {
            assert_eq!(*replicate, result.replicate);
            let written: Vec<u64> = (0..9).map(|g| result.metrics_at(g)[m].to_bits()).collect();
            let read: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
            assert_eq!(read, written, "{name}, replicate {replicate}");
        }
    }
}

/// The version-1 layout: one row per value with its metric's name as text (and the
/// per-replicate decision, composition and curation rows), written as genloop wrote
/// it before the compact store.
const OLD_LAYOUT: &str = "
CREATE TABLE metrics (experiment_id INTEGER, replicate INTEGER, generation INTEGER, name TEXT,
    value REAL, PRIMARY KEY (experiment_id, replicate, generation, name)) WITHOUT ROWID;
CREATE TABLE generations (experiment_id INTEGER, replicate INTEGER, generation INTEGER,
    accepted INTEGER, reason TEXT, candidate_value REAL, deployed INTEGER, original_units INTEGER,
    fresh_units INTEGER, synthetic_units INTEGER, PRIMARY KEY (experiment_id, replicate, generation)) WITHOUT ROWID;
CREATE TABLE composition (experiment_id INTEGER, replicate INTEGER, generation INTEGER, pool TEXT,
    origin_generation INTEGER, records INTEGER, units INTEGER,
    PRIMARY KEY (experiment_id, replicate, generation, pool, origin_generation)) WITHOUT ROWID;
CREATE TABLE curation (experiment_id INTEGER, replicate INTEGER, generation INTEGER, filter INTEGER,
    kind TEXT, outcome TEXT, pool TEXT, origin TEXT, records INTEGER, units INTEGER,
    PRIMARY KEY (experiment_id, replicate, generation, filter, outcome, pool, origin)) WITHOUT ROWID;
";

fn write_old_layout(conn: &rusqlite::Connection, id: i64, results: &[ReplicateResult]) {
    use rusqlite::params;
    for result in results {
        let r = result.replicate as i64;
        for g in &result.generations {
            let units = |pool: Pool| -> i64 {
                g.composition
                    .iter()
                    .filter(|c| c.pool == pool)
                    .map(|c| c.units as i64)
                    .sum()
            };
            conn.execute(
                "INSERT INTO generations VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    id,
                    r,
                    g.generation,
                    g.decision.accepted,
                    g.decision.reason,
                    g.candidate_value,
                    g.deployed,
                    units(Pool::Original),
                    units(Pool::Fresh),
                    units(Pool::Synthetic)
                ],
            )
            .unwrap();
            for c in &g.composition {
                conn.execute(
                    "INSERT INTO composition VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        id,
                        r,
                        g.generation,
                        c.pool.as_str(),
                        c.origin_generation,
                        c.records as i64,
                        c.units as i64
                    ],
                )
                .unwrap();
            }
            for c in &g.curation {
                conn.execute(
                    "INSERT INTO curation VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    params![
                        id,
                        r,
                        g.generation,
                        c.filter,
                        c.kind,
                        c.outcome.as_ref(),
                        c.pool.as_str(),
                        c.origin.as_str(),
                        c.records as i64,
                        c.units as i64
                    ],
                )
                .unwrap();
            }
            let values = result.metrics_at(g.generation as usize);
            for (name, value) in NAMES.iter().zip(values) {
                conn.execute(
                    "INSERT INTO metrics VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![id, r, g.generation, name, value],
                )
                .unwrap();
            }
        }
    }
}

fn rows(conn: &rusqlite::Connection, sql: &str) -> Vec<Vec<rusqlite::types::Value>> {
    let mut stmt = conn.prepare(sql).unwrap();
    let count = stmt.column_count();
    stmt.query_map([], |row| {
        (0..count)
            .map(|i| row.get::<_, rusqlite::types::Value>(i))
            .collect()
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn long_views_equal_the_old_layout() {
    let (dir, store, id) = store();
    // Replicates that share a history and, after them, awkward values in replicates
    // whose histories differ (a candidate value of their own).
    let mut results: Vec<ReplicateResult> =
        (0..3).map(|r| replicate(r, [1.0, 2.0, 3.0, 4.0])).collect();
    for mut r in awkward_replicates(3) {
        r.replicate += 3;
        r.generations[1].candidate_value = Some(r.replicate as f64);
        results.push(r);
    }
    let distinct = results.len() as i64 - 2;
    store
        .write_replicates(id, &results[..4], NAMES, CompositionDetail::Full)
        .unwrap();
    store
        .write_replicates(id, &results[4..], NAMES, CompositionDetail::Full)
        .unwrap();

    let old = rusqlite::Connection::open_in_memory().unwrap();
    old.execute_batch(OLD_LAYOUT).unwrap();
    write_old_layout(&old, id, &results);
    let new = rusqlite::Connection::open(dir.path().join("results.sqlite")).unwrap();
    for (old_sql, new_sql) in [
        (
            "SELECT experiment_id, replicate, generation, name, value FROM metrics
             ORDER BY experiment_id, replicate, generation, name",
            "SELECT experiment_id, replicate, generation, metric, value FROM metrics
             ORDER BY experiment_id, replicate, generation, metric",
        ),
        (
            "SELECT * FROM generations ORDER BY experiment_id, replicate, generation",
            "SELECT * FROM generations ORDER BY experiment_id, replicate, generation",
        ),
        (
            "SELECT * FROM composition ORDER BY experiment_id, replicate, generation, pool, origin_generation",
            "SELECT * FROM composition ORDER BY experiment_id, replicate, generation, pool, origin_generation",
        ),
        (
            "SELECT * FROM curation ORDER BY experiment_id, replicate, generation, filter, outcome, pool, origin",
            "SELECT * FROM curation ORDER BY experiment_id, replicate, generation, filter, outcome, pool, origin",
        ),
    ] {
        let (before, after) = (rows(&old, old_sql), rows(&new, new_sql));
        assert!(!before.is_empty());
        assert_eq!(before.len(), after.len(), "{new_sql}");
        for (a, b) in before.iter().zip(&after) {
            assert_eq!(a, b, "{new_sql}");
        }
    }
    // The arm is in the view too; the three equal histories are stored once.
    let arms: Vec<Vec<rusqlite::types::Value>> = rows(&new, "SELECT DISTINCT arm FROM metrics");
    assert_eq!(
        arms,
        vec![vec![rusqlite::types::Value::Text("replace".into())]]
    );
    let histories: i64 = new
        .query_row("SELECT COUNT(*) FROM histories", [], |r| r.get(0))
        .unwrap();
    assert_eq!(histories, distinct);
}

#[test]
fn a_store_of_the_old_layout_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("results.sqlite");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(OLD_LAYOUT).unwrap();
        conn.execute_batch(
            "CREATE TABLE experiments (id INTEGER PRIMARY KEY, genloop_version TEXT);
             INSERT INTO experiments VALUES (1, '0.1.0');",
        )
        .unwrap();
    }
    let error = Store::open(&path).err().expect("refused");
    assert!(
        matches!(error, StoreError::Version { found: 1, .. }),
        "{error}"
    );
    let message = error.to_string();
    for part in [
        path.display().to_string().as_str(),
        "schema version 1",
        "genloop 0.1.0",
        "--out",
    ] {
        assert!(message.contains(part), "{part} in {message}");
    }
    // Refused without being touched: no new tables.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let tables: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'metric_series'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 0);
}

#[test]
fn a_run_costs_about_eight_bytes_per_value() {
    // 64 replicates × 500 generations × 2 metrics sharing one history: 512 000 bytes of
    // values; the file holds them plus a fixed overhead (tables, the decoding table).
    let (dir, store, id) = store();
    let generations = 500;
    let results: Vec<ReplicateResult> = (0..64)
        .map(|r| {
            let mut result = replicate(r, [0.0; 4]);
            let template = result.generations[0].clone();
            result.generations = (0..generations)
                .map(|g| GenerationResult {
                    generation: g,
                    ..template.clone()
                })
                .collect();
            result.metrics = (0..generations as usize * 2)
                .map(|i| (i as f64 + r as f64).sqrt())
                .collect();
            result
        })
        .collect();
    store
        .write_replicates(id, &results, NAMES, CompositionDetail::Full)
        .unwrap();
    drop(store);
    let bytes = std::fs::metadata(dir.path().join("results.sqlite"))
        .unwrap()
        .len();
    let values = 64 * generations as u64 * 2 * 8;
    assert!(
        bytes < values + values / 4 + 400_000,
        "{bytes} bytes for {values} bytes of values"
    );
}
