/** Run rows: config, status, progress and timestamps. */
import type { ModelKind, RunConfig, RunStatus, RunSummary } from '../contract/index.ts'
import type { Db } from './db.ts'

interface Row {
  id: string
  name: string
  dataset_id: string
  dataset_name: string | null
  config_json: string
  status: RunStatus
  backend: string
  seeds: number
  progress: number
  error: string | null
  class_names_json: string | null
  image_shape_json: string | null
  created_at: string
  started_at: string | null
  finished_at: string | null
}

export interface StoredRun extends RunSummary {
  config: RunConfig
  classNames: string[]
  imageShape: [number, number, number] | null
}

const SELECT = `SELECT r.*, d.name AS dataset_name FROM runs r LEFT JOIN datasets d ON d.id = r.dataset_id`

function toRun(r: Row, best: { accuracy: number; model: ModelKind } | null): StoredRun {
  const config = JSON.parse(r.config_json) as RunConfig
  return {
    id: r.id,
    name: r.name,
    datasetId: r.dataset_id,
    datasetName: r.dataset_name ?? '(deleted)',
    status: r.status,
    models: config.models,
    preset: config.preset,
    seeds: r.seeds,
    backend: r.backend,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: r.error,
    bestAccuracy: best?.accuracy ?? null,
    bestModel: best?.model ?? null,
    progress: r.progress,
    config,
    classNames: r.class_names_json ? (JSON.parse(r.class_names_json) as string[]) : [],
    imageShape: r.image_shape_json ? (JSON.parse(r.image_shape_json) as [number, number, number]) : null
  }
}

export function runsRepo(db: Db) {
  // Best mean test accuracy over a run's (model, compression) groups.
  const bestOf = db.prepare<[string], { model: ModelKind; accuracy: number }>(
    `SELECT kind AS model, avg(json_extract(result_json, '$.accuracy')) AS accuracy
       FROM models WHERE run_id = ? AND result_json IS NOT NULL
      GROUP BY kind, compression ORDER BY accuracy DESC LIMIT 1`
  )
  const withBest = (r: Row) => toRun(r, bestOf.get(r.id) ?? null)
  return {
    create(run: { id: string; name: string; config: RunConfig; backend: string }, now = new Date()): StoredRun {
      db.prepare(
        `INSERT INTO runs (id, name, dataset_id, config_json, status, backend, seeds, created_at)
         VALUES (?, ?, ?, ?, 'queued', ?, ?, ?)`
      ).run(run.id, run.name, run.config.datasetId, JSON.stringify(run.config), run.backend, run.config.seeds, now.toISOString())
      return this.get(run.id)!
    },
    get(id: string): StoredRun | null {
      const r = db.prepare<[string], Row>(`${SELECT} WHERE r.id = ?`).get(id)
      return r ? withBest(r) : null
    },
    list(): StoredRun[] {
      return db.prepare<[], Row>(`${SELECT} ORDER BY r.created_at DESC, r.rowid DESC`).all().map(withBest)
    },
    setStatus(id: string, status: RunStatus, error: string | null = null, now = new Date()) {
      const ts = now.toISOString()
      db.prepare(
        `UPDATE runs SET status = ?, error = ?,
           started_at = CASE WHEN ? = 'running' AND started_at IS NULL THEN ? ELSE started_at END,
           finished_at = CASE WHEN ? IN ('finished','failed','cancelled','interrupted') THEN ? ELSE finished_at END
         WHERE id = ?`
      ).run(status, error, status, ts, status, ts, id)
    },
    setProgress(id: string, progress: number) {
      db.prepare('UPDATE runs SET progress = ? WHERE id = ?').run(Math.max(0, Math.min(1, progress)), id)
    },
    setDataInfo(id: string, classNames: string[], imageShape: [number, number, number] | null) {
      db.prepare('UPDATE runs SET class_names_json = ?, image_shape_json = ? WHERE id = ?').run(
        JSON.stringify(classNames),
        imageShape ? JSON.stringify(imageShape) : null,
        id
      )
    },
    setBackend(id: string, backend: string) {
      db.prepare('UPDATE runs SET backend = ? WHERE id = ?').run(backend, id)
    },
    /** Runs left 'running' or 'queued' by a process that died are marked interrupted at start-up. */
    markInterrupted(now = new Date()): number {
      return db
        .prepare(`UPDATE runs SET status = 'interrupted', finished_at = ?, error = coalesce(error, 'The app stopped while this run was in progress.') WHERE status IN ('queued','running')`)
        .run(now.toISOString()).changes
    },
    delete(id: string): boolean {
      return db.prepare('DELETE FROM runs WHERE id = ?').run(id).changes > 0
    }
  }
}
export type RunsRepo = ReturnType<typeof runsRepo>
