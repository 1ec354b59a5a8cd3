/**
 * Versioned schema migrations. Append only: a released migration never changes; `user_version` records how
 * many have been applied, and each runs in its own transaction.
 */
export const migrations: readonly string[] = [
  // 1: datasets, runs, the models of a run, their per-epoch metrics and artifacts, settings.
  `
  CREATE TABLE datasets (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('tabular', 'image')),
    hash         TEXT NOT NULL UNIQUE,
    source_path  TEXT NOT NULL,
    size_bytes   INTEGER NOT NULL,
    rows         INTEGER NOT NULL,
    schema_json  TEXT NOT NULL,
    storage_dir  TEXT NOT NULL,
    created_at   TEXT NOT NULL
  );
  CREATE TABLE runs (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    dataset_id    TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    config_json   TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('queued','running','finished','failed','cancelled','interrupted')),
    backend       TEXT NOT NULL,
    seeds         INTEGER NOT NULL,
    progress      REAL NOT NULL DEFAULT 0,
    error         TEXT,
    class_names_json TEXT,
    image_shape_json TEXT,
    created_at    TEXT NOT NULL,
    started_at    TEXT,
    finished_at   TEXT
  );
  CREATE INDEX runs_dataset ON runs(dataset_id);
  CREATE TABLE models (
    id           INTEGER PRIMARY KEY,
    run_id       TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    seed         INTEGER NOT NULL,
    compression  REAL NOT NULL,
    result_json  TEXT,
    UNIQUE (run_id, kind, seed, compression)
  );
  CREATE TABLE epoch_metrics (
    model_id          INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    phase             TEXT NOT NULL,
    epoch             INTEGER NOT NULL,
    train_loss        REAL NOT NULL,
    train_accuracy    REAL NOT NULL,
    val_loss          REAL NOT NULL,
    val_accuracy      REAL NOT NULL,
    contrastive_loss  REAL,
    seconds           REAL NOT NULL,
    PRIMARY KEY (model_id, phase, epoch)
  );
  CREATE TABLE artifacts (
    id         INTEGER PRIMARY KEY,
    model_id   INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    meta_json  TEXT NOT NULL,
    data       BLOB NOT NULL
  );
  CREATE INDEX artifacts_model ON artifacts(model_id);
  CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value_json  TEXT NOT NULL
  );
  `,
  // 2: run ownership: which process runs it (pid, host, a random id per services instance) and when it last
  // said so. A starting process marks a run interrupted only when its owner is gone or silent.
  `
  ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
  ALTER TABLE runs ADD COLUMN owner_host TEXT;
  ALTER TABLE runs ADD COLUMN owner_instance TEXT;
  ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;
  `
]
