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
  `,
  // 3: repeated k-fold: a model row per (kind, seed, fold, compression); fold −1 = not a k-fold run. SQLite cannot
  // change a UNIQUE constraint in place, so the three linked tables are rebuilt with the same ids (renaming
  // models_next to models rewrites the children's foreign keys; nothing is deleted by cascade: the old children
  // are dropped first).
  `
  CREATE TABLE models_next (
    id           INTEGER PRIMARY KEY,
    run_id       TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    seed         INTEGER NOT NULL,
    fold         INTEGER NOT NULL DEFAULT -1,
    compression  REAL NOT NULL,
    result_json  TEXT,
    UNIQUE (run_id, kind, seed, fold, compression)
  );
  INSERT INTO models_next (id, run_id, kind, seed, compression, result_json) SELECT id, run_id, kind, seed, compression, result_json FROM models;
  CREATE TABLE epoch_metrics_next (
    model_id          INTEGER NOT NULL REFERENCES models_next(id) ON DELETE CASCADE,
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
  INSERT INTO epoch_metrics_next SELECT model_id, phase, epoch, train_loss, train_accuracy, val_loss, val_accuracy, contrastive_loss, seconds FROM epoch_metrics;
  CREATE TABLE artifacts_next (
    id         INTEGER PRIMARY KEY,
    model_id   INTEGER NOT NULL REFERENCES models_next(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    meta_json  TEXT NOT NULL,
    data       BLOB NOT NULL
  );
  INSERT INTO artifacts_next SELECT id, model_id, kind, meta_json, data FROM artifacts;
  DROP TABLE epoch_metrics;
  DROP TABLE artifacts;
  DROP TABLE models;
  ALTER TABLE models_next RENAME TO models;
  ALTER TABLE epoch_metrics_next RENAME TO epoch_metrics;
  ALTER TABLE artifacts_next RENAME TO artifacts;
  CREATE INDEX artifacts_model ON artifacts(model_id);
  `,
  // 4: studies: a spec and its prepared cells (dataset × grid point); each cell's run points back at the study.
  `
  CREATE TABLE studies (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    spec_json   TEXT NOT NULL,
    cells_json  TEXT NOT NULL,
    created_at  TEXT NOT NULL
  );
  ALTER TABLE runs ADD COLUMN study_id TEXT REFERENCES studies(id) ON DELETE SET NULL;
  ALTER TABLE runs ADD COLUMN study_cell TEXT;
  CREATE INDEX runs_study ON runs(study_id, study_cell);
  `,
  // 5: validation scores with each result (fair selection in studies reads them). Results stored before this only
  // have the kept epoch's validation accuracy, in the epoch log: it is copied in; the balanced accuracy and macro-F1
  // of that epoch were never computed, so they stay null (and such results are left out of validation selection
  // by those metrics).
  `
  UPDATE models SET result_json = json_set(
    result_json,
    '$.validation',
    (SELECT json_object('accuracy', e.val_accuracy, 'balancedAccuracy', NULL, 'macroF1', NULL)
       FROM epoch_metrics e
      WHERE e.model_id = models.id AND e.phase IN ('finetune', 'train') AND e.epoch = json_extract(models.result_json, '$.bestEpoch'))
  )
  WHERE result_json IS NOT NULL AND json_type(result_json, '$.validation') IS NULL;
  `
]
