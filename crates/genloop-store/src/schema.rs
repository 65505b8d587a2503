//! The SQLite schema, version 2: compact tables for what the loop writes and views that
//! give SQL users the long form.
//!
//! A run of R replicates × G generations × M metrics costs about 8·R·G·M bytes:
//!
//! * `metric_series` holds one row per experiment × metric × replicate with the
//!   replicate's values of every generation packed into one blob (big-endian IEEE 754
//!   doubles, generation 0 first; NaN = not measured). Metric names live once, in
//!   `metric_specs`; a series names its metric by position.
//! * A replicate's per-generation record besides its metrics — gate decisions,
//!   training-set composition, curation counts — is a *history*. Histories that are
//!   equal are stored once and shared (every replicate of an ungated, unfiltered
//!   replace run has the same one), so these tables cost a few rows per distinct
//!   history instead of rows per replicate × generation.
//! * The views `metrics`, `generations`, `composition` and `curation` give the long
//!   forms, one row per replicate × generation (× metric, part or outcome), for SQL
//!   users. `metrics` decodes the blobs in plain SQL (no extension), a few µs per
//!   value: filter by arm, metric or generation and the filters reach the packed rows.
//!
//! The version is SQLite's `user_version`; stores of another version are refused with a
//! message that names the file (`Store::open`).

/// The version this crate reads and writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 2;

/// Page size of new stores: a series of up to ~2 000 generations fits in one page,
/// so reading it (and decoding it in the `metrics` view) touches no overflow pages.
pub const PAGE_SIZE: i64 = 16_384;

/// The tables and views of schema version 2. Metric names are the stable names of
/// `genloop_core::metrics`.
pub const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS experiments (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    arm             TEXT NOT NULL UNIQUE,
    position        INTEGER NOT NULL,
    config          TEXT NOT NULL,
    config_hash     TEXT NOT NULL,
    arm_spec        TEXT NOT NULL,
    genloop_version TEXT NOT NULL,
    seed            INTEGER NOT NULL,
    replicates      INTEGER NOT NULL,
    generations     INTEGER NOT NULL,
    started_at      TEXT NOT NULL,
    finished_at     TEXT
);
CREATE TABLE IF NOT EXISTS metric_specs (
    experiment_id INTEGER NOT NULL REFERENCES experiments(id),
    position      INTEGER NOT NULL,
    name          TEXT NOT NULL,
    unit          TEXT NOT NULL,
    direction     TEXT NOT NULL,
    positive      INTEGER NOT NULL,
    PRIMARY KEY (experiment_id, position),
    UNIQUE (experiment_id, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS metric_series (
    experiment_id     INTEGER NOT NULL REFERENCES experiments(id),
    metric            INTEGER NOT NULL,
    replicate         INTEGER NOT NULL,
    generation_values BLOB NOT NULL,
    PRIMARY KEY (experiment_id, metric, replicate)
);
CREATE TABLE IF NOT EXISTS histories (
    id            INTEGER PRIMARY KEY,
    experiment_id INTEGER NOT NULL REFERENCES experiments(id)
);
CREATE TABLE IF NOT EXISTS replicates (
    experiment_id INTEGER NOT NULL REFERENCES experiments(id),
    replicate     INTEGER NOT NULL,
    history       INTEGER NOT NULL REFERENCES histories(id),
    PRIMARY KEY (experiment_id, replicate)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS replicates_by_history ON replicates (history);
CREATE TABLE IF NOT EXISTS history_generations (
    history         INTEGER NOT NULL REFERENCES histories(id),
    generation      INTEGER NOT NULL,
    accepted        INTEGER NOT NULL,
    reason          TEXT NOT NULL,
    candidate_value REAL,
    deployed        INTEGER NOT NULL,
    original_units  INTEGER NOT NULL,
    fresh_units     INTEGER NOT NULL,
    synthetic_units INTEGER NOT NULL,
    PRIMARY KEY (history, generation)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS history_rejections ON history_generations (history, generation)
    WHERE accepted = 0;
CREATE TABLE IF NOT EXISTS history_composition (
    history           INTEGER NOT NULL REFERENCES histories(id),
    generation        INTEGER NOT NULL,
    pool              TEXT NOT NULL,
    origin_generation INTEGER NOT NULL,
    records           INTEGER NOT NULL,
    units             INTEGER NOT NULL,
    PRIMARY KEY (history, generation, pool, origin_generation)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS history_curation (
    history    INTEGER NOT NULL REFERENCES histories(id),
    generation INTEGER NOT NULL,
    filter     INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    pool       TEXT NOT NULL,
    origin     TEXT NOT NULL,
    records    INTEGER NOT NULL,
    units      INTEGER NOT NULL,
    PRIMARY KEY (history, generation, filter, outcome, pool, origin)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sample_scores (
    experiment_id INTEGER NOT NULL REFERENCES experiments(id),
    replicate     INTEGER NOT NULL,
    generation    INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    position      INTEGER NOT NULL,
    value         REAL,
    PRIMARY KEY (experiment_id, replicate, generation, kind, position)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sample_texts (
    experiment_id INTEGER NOT NULL REFERENCES experiments(id),
    replicate     INTEGER NOT NULL,
    generation    INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    position      INTEGER NOT NULL,
    text          TEXT NOT NULL,
    PRIMARY KEY (experiment_id, replicate, generation, kind, position)
) WITHOUT ROWID;

-- Decoding table of the `metrics` view: the first three hex digits of a big-endian
-- double (sign and exponent) → its scale 2^(e − 1075) with the sign, the implicit
-- leading bit of the 52-bit mantissa, and whether the value is finite (exponent 2047
-- holds infinities and NaN). Filled by the store when it is created.
CREATE TABLE IF NOT EXISTS float64_exponents (
    prefix   TEXT PRIMARY KEY,
    scale    REAL NOT NULL,
    implicit INTEGER NOT NULL,
    finite   INTEGER NOT NULL
) WITHOUT ROWID;

-- One row per replicate × generation × metric (NULL = NaN, not measured).
CREATE VIEW IF NOT EXISTS metrics AS
WITH RECURSIVE steps (generation) AS (
    SELECT 0
    UNION ALL
    SELECT generation + 1 FROM steps
    WHERE generation + 1 < (SELECT MAX(length(generation_values)) / 8 FROM metric_series)
)
SELECT v.experiment_id, e.arm, v.replicate, v.generation, m.name AS metric,
       CASE WHEN x.finite THEN (v.mantissa + x.implicit) * x.scale
            WHEN v.mantissa = 0 THEN x.scale
       END AS value
FROM (
    SELECT s.experiment_id, s.metric, s.replicate, steps.generation,
           substr(hex(substr(s.generation_values, 8 * steps.generation + 1, 8)), 1, 3) AS prefix,
           (SELECT MANTISSA_FROM_H FROM (
                SELECT hex(substr(s.generation_values, 8 * steps.generation + 1, 8)) AS h)
           ) AS mantissa
    FROM metric_series s JOIN steps ON steps.generation < length(s.generation_values) / 8
) v
JOIN float64_exponents x ON x.prefix = v.prefix
JOIN experiments e ON e.id = v.experiment_id
JOIN metric_specs m ON m.experiment_id = v.experiment_id AND m.position = v.metric;

-- One row per replicate × generation: the gate's decision and the training set by pool.
CREATE VIEW IF NOT EXISTS generations AS
SELECT r.experiment_id, r.replicate, h.generation, h.accepted, h.reason, h.candidate_value,
       h.deployed, h.original_units, h.fresh_units, h.synthetic_units
FROM replicates r JOIN history_generations h ON h.history = r.history;

-- One row per replicate × generation × part of the training set.
CREATE VIEW IF NOT EXISTS composition AS
SELECT r.experiment_id, r.replicate, c.generation, c.pool, c.origin_generation, c.records, c.units
FROM replicates r JOIN history_composition c ON c.history = r.history;

-- One row per replicate × generation × filter, outcome, channel and true origin.
CREATE VIEW IF NOT EXISTS curation AS
SELECT r.experiment_id, r.replicate, c.generation, c.filter, c.kind, c.outcome, c.pool,
       c.origin, c.records, c.units
FROM replicates r JOIN history_curation c ON c.history = r.history;
"#;

/// [`SCHEMA`] with the mantissa expression of the `metrics` view spelled out: the 13
/// hex digits after the sign and exponent of `h`, each read once.
pub fn schema_sql() -> String {
    let digits: Vec<String> = (4..=16)
        .map(|i| {
            format!(
                "(instr('0123456789ABCDEF', substr(h, {i}, 1)) - 1) * {}",
                1u64 << (4 * (16 - i))
            )
        })
        .collect();
    SCHEMA.replace("MANTISSA_FROM_H", &digits.join(" + "))
}

/// The rows of `float64_exponents`: (prefix, scale, implicit bit, finite) for every
/// sign and 11-bit exponent.
pub fn float64_exponent_rows() -> impl Iterator<Item = (String, f64, i64, bool)> {
    (0u32..4096).map(|bits| {
        let sign = if bits >= 2048 { -1.0 } else { 1.0 };
        let exponent = (bits % 2048) as i32;
        let (scale, implicit, finite) = match exponent {
            // Subnormals and zero: mantissa · 2^−1074.
            0 => (sign * f64::from_bits(1), 0, true),
            // Infinity when the mantissa is 0, NaN (NULL) otherwise.
            2047 => (sign * f64::INFINITY, 0, false),
            e => (sign * pow2(e - 1075), 1i64 << 52, true),
        };
        (format!("{bits:03X}"), scale, implicit, finite)
    })
}

/// 2^k exactly, for −1074 ≤ k ≤ 1023.
fn pow2(k: i32) -> f64 {
    if k >= -1022 {
        f64::from_bits(((k + 1023) as u64) << 52)
    } else {
        f64::from_bits(1u64 << (k + 1074))
    }
}
