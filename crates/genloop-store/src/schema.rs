//! The SQLite schema: one row per experiment (arm), per replicate, per replicate ×
//! generation (gate decision, pool totals), per part of a training set, per metric
//! value, per curation outcome, and the text tasks' per-sample scores and texts.

/// The schema, version 1. Metric names are the stable names of
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
    PRIMARY KEY (experiment_id, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS replicates (
    experiment_id INTEGER NOT NULL REFERENCES experiments(id),
    replicate     INTEGER NOT NULL,
    PRIMARY KEY (experiment_id, replicate)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS generations (
    experiment_id   INTEGER NOT NULL REFERENCES experiments(id),
    replicate       INTEGER NOT NULL,
    generation      INTEGER NOT NULL,
    accepted        INTEGER NOT NULL,
    reason          TEXT NOT NULL,
    candidate_value REAL,
    deployed        INTEGER NOT NULL,
    original_units  INTEGER NOT NULL,
    fresh_units     INTEGER NOT NULL,
    synthetic_units INTEGER NOT NULL,
    PRIMARY KEY (experiment_id, replicate, generation)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS composition (
    experiment_id     INTEGER NOT NULL REFERENCES experiments(id),
    replicate         INTEGER NOT NULL,
    generation        INTEGER NOT NULL,
    pool              TEXT NOT NULL,
    origin_generation INTEGER NOT NULL,
    records           INTEGER NOT NULL,
    units             INTEGER NOT NULL,
    PRIMARY KEY (experiment_id, replicate, generation, pool, origin_generation)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS metrics (
    experiment_id INTEGER NOT NULL REFERENCES experiments(id),
    replicate     INTEGER NOT NULL,
    generation    INTEGER NOT NULL,
    name          TEXT NOT NULL,
    value         REAL,
    PRIMARY KEY (experiment_id, replicate, generation, name)
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
CREATE TABLE IF NOT EXISTS curation (
    experiment_id INTEGER NOT NULL REFERENCES experiments(id),
    replicate     INTEGER NOT NULL,
    generation    INTEGER NOT NULL,
    filter        INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    pool          TEXT NOT NULL,
    origin        TEXT NOT NULL,
    records       INTEGER NOT NULL,
    units         INTEGER NOT NULL,
    PRIMARY KEY (experiment_id, replicate, generation, filter, outcome, pool, origin)
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
"#;
