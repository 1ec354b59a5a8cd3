/**
 * A study folder for a cluster: everything a compute node needs, so no node opens the SQLite store (SQLite on a
 * network filesystem is unsafe). The login node writes it (`iunet study submit`) and merges it back
 * (`iunet study collect`); compute nodes only read it and each writes its own files atomically (studyCell.ts
 * trains a cell). Its layout is in layout.ts (studyFolderLayout):
 *
 *   study.json             the study (id, spec) and its cells, each with its run config and resolved schema
 *   datasets/<id>/         each dataset's stored table (copied from the data folder)
 *   results/<i>.json       cell i's results (lib/atomic: complete or absent)
 *   results/<i>.error.json why cell i failed or stopped (removed when it is resubmitted)
 *   checkpoints/<i>/, partial/<i>/  cell i's checkpoints and finished tasks while it trains (studyCell.ts)
 *   logs/                  Slurm's output per array task
 *   jobs.json              submitted jobs: Slurm job id and the cell indices of each
 */
import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { cp } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import {
  ApiError,
  type DatasetSchema,
  type EpochMetrics,
  type FirstLayerArtifact,
  type ModelResult,
  type RunConfig,
  type StudySpec
} from '../contract/index.ts'
import { writeJsonAtomic } from '../lib/atomic.ts'
import type { Store } from '../store/index.ts'
import type { PreparedCell, StoredStudy } from '../store/studies.ts'
import { studyFolderLayout } from './layout.ts'
import { resolvedSchema } from './runStart.ts'

export const FOLDER_VERSION = 1

export interface FolderCell extends PreparedCell {
  index: number
  /** The schema the cell trains with (the stored one with the config's target/column overrides). */
  schema: DatasetSchema
  /** Relative to the study folder. */
  datasetDir: string
}

export interface StudyFolder {
  version: number
  studyId: string
  name: string
  spec: StudySpec
  createdAt: string
  cells: FolderCell[]
}

export interface CellResult {
  version: number
  studyId: string
  index: number
  key: string
  config: RunConfig
  results: ModelResult[]
  epochs: EpochMetrics[]
  firstLayer: FirstLayerArtifact[]
  classNames: string[]
  imageShape: [number, number, number] | null
  backend: string | null
  host: string
  startedAt: string
  finishedAt: string
}

export interface SubmittedJob {
  jobId: string
  indices: number[]
  submittedAt: string
}

export const resultFile = (dir: string, index: number) => studyFolderLayout(resolve(dir)).result(index)
export const errorFile = (dir: string, index: number) => studyFolderLayout(resolve(dir)).error(index)

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T
}

/** Writes the study folder from a prepared study (datasets copied from the store's data folder). */
export async function writeStudyFolder(dir: string, study: StoredStudy, store: Store): Promise<StudyFolder> {
  const layout = studyFolderLayout(resolve(dir))
  const root = layout.root
  if (existsSync(layout.study)) {
    const prior = readJson<StudyFolder>(layout.study)
    if (prior.studyId !== study.id) throw new ApiError('conflict', `${root} already holds another study (${prior.name}); pick an empty folder.`)
  }
  for (const sub of [layout.datasets, layout.results, layout.logs]) mkdirSync(sub, { recursive: true })
  const cells: FolderCell[] = []
  const copied = new Set<string>()
  for (const [index, c] of study.cells.entries()) {
    const d = store.datasets.get(c.datasetId)
    if (!d) throw new ApiError('not-found', `The dataset of cell ${index} (${c.datasetName}) is no longer stored.`)
    const rel = layout.datasetRel(d.id)
    if (!copied.has(d.id)) {
      await cp(d.storageDir, join(root, rel), { recursive: true, force: true })
      copied.add(d.id)
    }
    cells.push({ ...c, index, schema: await resolvedSchema(d.schema, d.storageDir, c.config), datasetDir: rel })
  }
  const folder: StudyFolder = { version: FOLDER_VERSION, studyId: study.id, name: study.name, spec: study.spec, createdAt: study.createdAt, cells }
  writeJsonAtomic(layout.study, folder)
  return folder
}

export function readStudyFolder(dir: string): StudyFolder {
  const file = studyFolderLayout(resolve(dir)).study
  if (!existsSync(file))
    throw new ApiError('not-found', `${resolve(dir)} is not a study folder (no study.json); create one with "iunet study submit SPEC --slurm --dir DIR".`)
  const f = readJson<StudyFolder>(file)
  if (f.version !== FOLDER_VERSION) throw new ApiError('invalid-data', `${file} has folder version ${f.version}; this build reads ${FOLDER_VERSION}.`)
  return f
}

export type CellFileState = 'done' | 'failed' | 'none'

/** What the files say about each cell. */
export function cellFileStates(dir: string, folder: StudyFolder): CellFileState[] {
  const root = resolve(dir)
  return folder.cells.map((c) => (existsSync(resultFile(root, c.index)) ? 'done' : existsSync(errorFile(root, c.index)) ? 'failed' : 'none'))
}

export function readJobs(dir: string): SubmittedJob[] {
  const f = studyFolderLayout(resolve(dir)).jobs
  return existsSync(f) ? readJson<SubmittedJob[]>(f) : []
}

export function addJob(dir: string, job: SubmittedJob): void {
  writeJsonAtomic(studyFolderLayout(resolve(dir)).jobs, [...readJobs(dir), job])
}

/**
 * Merges the folder's result files into the store: the study (if this store lacks it) and one finished run per
 * cell with a result and no finished run yet. Collecting twice adds nothing; cells without results stay open.
 */
export function collectStudyFolder(dir: string, store: Store): { added: number; skipped: number; missing: number; studyId: string } {
  const root = resolve(dir)
  const folder = readStudyFolder(root)
  const study = store.studies.ensure({
    id: folder.studyId,
    name: folder.name,
    spec: folder.spec,
    cells: folder.cells.map(({ index: _i, schema: _s, datasetDir: _d, ...c }) => c)
  })
  const finished = new Set(
    store.studies
      .cellRuns(study.id)
      .filter((r) => r.status === 'finished')
      .map((r) => r.cell)
  )
  let added = 0
  let skipped = 0
  let missing = 0
  for (const cell of folder.cells) {
    const file = resultFile(root, cell.index)
    if (!existsSync(file)) {
      missing++
      continue
    }
    if (finished.has(cell.key)) {
      skipped++
      continue
    }
    const r = readJson<CellResult>(file)
    if (r.studyId !== folder.studyId || r.key !== cell.key) throw new ApiError('invalid-data', `${file} belongs to another study or cell.`)
    if (!store.datasets.get(cell.datasetId))
      throw new ApiError(
        'not-found',
        `Cell ${cell.index}: dataset ${cell.datasetName} (${cell.datasetId}) is not in this data folder; collect into the data folder the study was submitted from.`
      )
    const id = randomUUID()
    store.transaction(() => {
      store.runs.create({ id, name: cell.config.name ?? `${folder.name} · ${cell.datasetName}`, config: cell.config, backend: r.backend ?? 'slurm' })
      store.studies.attachRun(id, folder.studyId, cell.key)
      store.runs.setDataInfo(id, r.classNames, r.imageShape)
      for (const m of r.epochs) store.results.addEpoch(id, m)
      for (const x of r.results) store.results.saveResult(id, x)
      for (const a of r.firstLayer) store.results.saveFirstLayer(id, a)
      store.runs.setStatus(id, 'running')
      store.runs.setProgress(id, 1)
      store.runs.setStatus(id, 'finished')
    })
    added++
  }
  return { added, skipped, missing, studyId: folder.studyId }
}

/** Result files in the folder (for tests and status). */
export function listResultFiles(dir: string): string[] {
  const d = studyFolderLayout(resolve(dir)).results
  return existsSync(d) ? readdirSync(d).filter((f) => /^\d+\.json$/.test(f)) : []
}

/** A resubmitted cell starts clean: its old error file goes. */
export function clearError(dir: string, index: number): void {
  rmSync(errorFile(resolve(dir), index), { force: true })
}
