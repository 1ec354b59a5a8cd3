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
  study_id: string | null
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

/** The process running a run: its pid and host, and a random id per services instance (pids get reused). */
export interface RunOwner {
  pid: number
  host: string
  instance: string
}

/** An unfinished run's owner as stored, with its last heartbeat (ISO time); nulls for rows from before ownership. */
export interface OwnerRecord {
  pid: number | null
  host: string | null
  instance: string | null
  heartbeatAt: string | null
}

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
    folds: config.split.kfold ?? null,
    backend: r.backend,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: r.error,
    bestAccuracy: best?.accuracy ?? null,
    bestModel: best?.model ?? null,
    progress: r.progress,
    studyId: r.study_id ?? null,
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
    create(run: { id: string; name: string; config: RunConfig; backend: string; owner?: RunOwner }, now = new Date()): StoredRun {
      const o = run.owner
      db.prepare(
        `INSERT INTO runs (id, name, dataset_id, config_json, status, backend, seeds, created_at, owner_pid, owner_host, owner_instance, heartbeat_at)
         VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?)`
      ).run(
        run.id,
        run.name,
        run.config.datasetId,
        JSON.stringify(run.config),
        run.backend,
        run.config.seeds,
        now.toISOString(),
        o?.pid ?? null,
        o?.host ?? null,
        o?.instance ?? null,
        o ? now.toISOString() : null
      )
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
           finished_at = CASE WHEN ? IN ('finished','failed','cancelled','interrupted') THEN ? ELSE NULL END
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
    /** Records `owner` as the process running the run, with a first heartbeat. */
    claim(id: string, owner: RunOwner, now = new Date()) {
      db.prepare('UPDATE runs SET owner_pid = ?, owner_host = ?, owner_instance = ?, heartbeat_at = ? WHERE id = ?').run(
        owner.pid,
        owner.host,
        owner.instance,
        now.toISOString(),
        id
      )
    },
    /** The owner's periodic "still alive" for every unfinished run it owns. */
    heartbeat(instance: string, now = new Date()): number {
      return db.prepare(`UPDATE runs SET heartbeat_at = ? WHERE owner_instance = ? AND status IN ('queued','running')`).run(now.toISOString(), instance).changes
    },
    /**
     * Runs left 'running' or 'queued' by a process that is gone are marked interrupted (at start-up). A run counts
     * as orphaned when it records no owner, its heartbeat is older than `staleMs`, or `isOwnerGone` says so (the
     * caller checks the pid on its own host). A live owner's runs are left alone.
     */
    markInterrupted(opts: { isOwnerGone?: (o: OwnerRecord) => boolean; staleMs?: number; now?: Date } = {}): number {
      const now = opts.now ?? new Date()
      const staleMs = opts.staleMs ?? 30_000
      const rows = db
        .prepare<[], { id: string; owner_pid: number | null; owner_host: string | null; owner_instance: string | null; heartbeat_at: string | null }>(
          `SELECT id, owner_pid, owner_host, owner_instance, heartbeat_at FROM runs WHERE status IN ('queued','running')`
        )
        .all()
      const orphaned = rows.filter((r) => {
        const o: OwnerRecord = { pid: r.owner_pid, host: r.owner_host, instance: r.owner_instance, heartbeatAt: r.heartbeat_at }
        if (!o.instance || !o.heartbeatAt) return true
        const beat = Date.parse(o.heartbeatAt)
        if (!Number.isFinite(beat) || now.getTime() - beat > staleMs) return true
        return opts.isOwnerGone?.(o) ?? false
      })
      const mark = db.prepare(
        `UPDATE runs SET status = 'interrupted', finished_at = ?, error = coalesce(error, 'The app stopped while this run was in progress.')
          WHERE id = ? AND status IN ('queued','running')`
      )
      let n = 0
      db.transaction(() => {
        for (const r of orphaned) n += mark.run(now.toISOString(), r.id).changes
      })()
      return n
    },
    /** Ids of runs in the given statuses (start-up housekeeping). */
    idsWithStatus(statuses: RunStatus[]): string[] {
      if (!statuses.length) return []
      return db
        .prepare<string[], { id: string }>(`SELECT id FROM runs WHERE status IN (${statuses.map(() => '?').join(',')})`)
        .all(...statuses)
        .map((r) => r.id)
    },
    delete(id: string): boolean {
      return db.prepare('DELETE FROM runs WHERE id = ?').run(id).changes > 0
    }
  }
}
export type RunsRepo = ReturnType<typeof runsRepo>
