/** Study rows: the spec, its prepared cells, and which run holds each cell's results. */
import type { RunConfig, RunStatus, StudySpec } from '../contract/index.ts'
import type { Db } from './db.ts'

/** A cell as prepared: its key, dataset and grid point, and the full run config it trains. */
export interface PreparedCell {
  key: string
  datasetId: string
  datasetName: string
  grid: Record<string, unknown>
  config: RunConfig
}

export interface StoredStudy {
  id: string
  name: string
  spec: StudySpec
  cells: PreparedCell[]
  createdAt: string
}

export interface CellRun {
  runId: string
  cell: string
  status: RunStatus
  createdAt: string
}

interface Row {
  id: string
  name: string
  spec_json: string
  cells_json: string
  created_at: string
}

const toStudy = (r: Row): StoredStudy => ({
  id: r.id,
  name: r.name,
  spec: JSON.parse(r.spec_json) as StudySpec,
  cells: JSON.parse(r.cells_json) as PreparedCell[],
  createdAt: r.created_at
})

export function studiesRepo(db: Db) {
  return {
    /** Inserts the study unless one with this id exists; returns the stored one either way. */
    ensure(study: Omit<StoredStudy, 'createdAt'>, now = new Date()): StoredStudy {
      db.prepare(`INSERT INTO studies (id, name, spec_json, cells_json, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`).run(
        study.id,
        study.name,
        JSON.stringify(study.spec),
        JSON.stringify(study.cells),
        now.toISOString()
      )
      return this.get(study.id)!
    },
    get(id: string): StoredStudy | null {
      const r = db.prepare<[string], Row>('SELECT * FROM studies WHERE id = ?').get(id)
      return r ? toStudy(r) : null
    },
    list(): StoredStudy[] {
      return db.prepare<[], Row>('SELECT * FROM studies ORDER BY created_at DESC').all().map(toStudy)
    },
    delete(id: string): boolean {
      return db.prepare('DELETE FROM studies WHERE id = ?').run(id).changes > 0
    },
    attachRun(runId: string, studyId: string, cell: string) {
      db.prepare('UPDATE runs SET study_id = ?, study_cell = ? WHERE id = ?').run(studyId, cell, runId)
    },
    /** The runs of a study's cells, oldest first (a cell retried after a failure has several). */
    cellRuns(studyId: string): CellRun[] {
      return db
        .prepare<[string], { id: string; study_cell: string; status: RunStatus; created_at: string }>(
          'SELECT id, study_cell, status, created_at FROM runs WHERE study_id = ? ORDER BY created_at, rowid'
        )
        .all(studyId)
        .map((r) => ({ runId: r.id, cell: r.study_cell, status: r.status, createdAt: r.created_at }))
    }
  }
}
export type StudiesRepo = ReturnType<typeof studiesRepo>
