/**
 * A study folder for a cluster: everything a compute node needs, so no node opens the SQLite store (SQLite on a
 * network filesystem is unsafe). The login node writes it (`iunet study submit`) and merges it back
 * (`iunet study collect`); compute nodes only read it and each writes its own result file atomically.
 *
 *   DIR/study.json             the study (id, spec) and its cells, each with its run config and resolved schema
 *   DIR/datasets/<id>/         each dataset's stored table (copied from the data folder)
 *   DIR/results/<i>.json       cell i's results (temp file + fsync + rename: complete or absent)
 *   DIR/results/<i>.error.json why cell i failed (removed when it is resubmitted)
 *   DIR/logs/                  Slurm's output per array task
 *   DIR/jobs.json              submitted jobs: Slurm job id and the cell indices of each
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { cp } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join, resolve } from 'node:path'
import {
  ApiError,
  type BackendChoice,
  type DatasetSchema,
  type EpochMetrics,
  type FirstLayerArtifact,
  type ModelResult,
  type RunConfig,
  type StudySpec,
  runTasks,
  withFold
} from '../contract/index.ts'
import { applyOverrides, loadTable } from '../data/index.ts'
import type { Store } from '../store/index.ts'
import type { PreparedCell, StoredStudy } from '../store/studies.ts'
import { TrainingPool } from '../workers/pool.ts'

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

export const resultFile = (dir: string, index: number) => join(dir, 'results', `${index}.json`)
export const errorFile = (dir: string, index: number) => join(dir, 'results', `${index}.error.json`)

/** The schema a run of `config` trains with, as the run services resolve it. */
export async function resolvedSchema(schema: DatasetSchema, storageDir: string, config: RunConfig): Promise<DatasetSchema> {
  const changesTarget = config.target !== undefined && config.target !== schema.target
  const table = changesTarget || config.columns?.some((c) => c.role === 'target') ? await loadTable(storageDir) : undefined
  return applyOverrides(schema, { target: config.target, columns: config.columns }, table)
}

/** Writes `data` as JSON at `file` so that readers see the old file, the new one, or none: never a part. */
export function writeJsonAtomic(file: string, data: unknown): void {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  const fd = openSync(tmp, 'w')
  try {
    writeSync(fd, JSON.stringify(data))
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, file)
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T
}

/** Writes the study folder from a prepared study (datasets copied from the store's data folder). */
export async function writeStudyFolder(dir: string, study: StoredStudy, store: Store): Promise<StudyFolder> {
  const root = resolve(dir)
  if (existsSync(join(root, 'study.json'))) {
    const prior = readJson<StudyFolder>(join(root, 'study.json'))
    if (prior.studyId !== study.id) throw new ApiError('conflict', `${root} already holds another study (${prior.name}); pick an empty folder.`)
  }
  for (const sub of ['datasets', 'results', 'logs']) mkdirSync(join(root, sub), { recursive: true })
  const cells: FolderCell[] = []
  const copied = new Set<string>()
  for (const [index, c] of study.cells.entries()) {
    const d = store.datasets.get(c.datasetId)
    if (!d) throw new ApiError('not-found', `The dataset of cell ${index} (${c.datasetName}) is no longer stored.`)
    const rel = join('datasets', d.id)
    if (!copied.has(d.id)) {
      await cp(d.storageDir, join(root, rel), { recursive: true, force: true })
      copied.add(d.id)
    }
    cells.push({ ...c, index, schema: await resolvedSchema(d.schema, d.storageDir, c.config), datasetDir: rel })
  }
  const folder: StudyFolder = { version: FOLDER_VERSION, studyId: study.id, name: study.name, spec: study.spec, createdAt: study.createdAt, cells }
  writeJsonAtomic(join(root, 'study.json'), folder)
  return folder
}

export function readStudyFolder(dir: string): StudyFolder {
  const file = join(resolve(dir), 'study.json')
  if (!existsSync(file))
    throw new ApiError('not-found', `${resolve(dir)} is not a study folder (no study.json); create one with "iunet study submit SPEC --slurm --dir DIR".`)
  const f = readJson<StudyFolder>(file)
  if (f.version !== FOLDER_VERSION) throw new ApiError('invalid-data', `${file} has folder version ${f.version}; this build reads ${FOLDER_VERSION}.`)
  return f
}

/** Trains one cell with no store: the same tasks, data and results as a local run of its config. */
export async function trainFolderCell(
  dir: string,
  cell: FolderCell,
  studyId: string,
  pool: TrainingPool,
  onEpoch?: (m: EpochMetrics) => void
): Promise<CellResult> {
  const startedAt = new Date().toISOString()
  const datasetDir = join(resolve(dir), cell.datasetDir)
  const results: ModelResult[] = []
  const epochs: EpochMetrics[] = []
  const firstLayer: FirstLayerArtifact[] = []
  let info: { classNames: string[]; imageShape: [number, number, number] | null } = { classNames: [], imageShape: null }
  const failures: string[] = []
  await Promise.all(
    runTasks(cell.config).map((t) =>
      pool
        .run(
          { kind: 'train', datasetDir, schema: cell.schema, config: cell.config, model: t.model, seed: t.seed, fold: t.fold },
          {
            onData: (d) => (info = { classNames: d.classNames, imageShape: d.imageShape }),
            onProgress: (p) => {
              if (!p.metrics) return
              const m = withFold(p.metrics, t.fold)
              epochs.push(m)
              onEpoch?.(m)
            }
          }
        )
        .promise.then(
          (res) => {
            if (res.kind !== 'train') return
            results.push(...res.result.results.map((r) => withFold(r, t.fold)))
            firstLayer.push(...res.result.firstLayer.map((a) => withFold(a, t.fold)))
          },
          (e: Error) => void failures.push(`${t.model} seed ${t.seed}${t.fold === undefined ? '' : ` fold ${t.fold}`}: ${e.message}`)
        )
    )
  )
  if (failures.length) throw new Error(failures.join('\n'))
  const backend = (await pool.backendInfo().catch(() => null))?.name ?? null
  return {
    version: FOLDER_VERSION,
    studyId,
    index: cell.index,
    key: cell.key,
    config: cell.config,
    results,
    epochs,
    firstLayer,
    ...info,
    backend,
    host: hostname(),
    startedAt,
    finishedAt: new Date().toISOString()
  }
}

export type CellFileState = 'done' | 'failed' | 'none'

/** What the files say about each cell. */
export function cellFileStates(dir: string, folder: StudyFolder): CellFileState[] {
  const root = resolve(dir)
  return folder.cells.map((c) => (existsSync(resultFile(root, c.index)) ? 'done' : existsSync(errorFile(root, c.index)) ? 'failed' : 'none'))
}

export function readJobs(dir: string): SubmittedJob[] {
  const f = join(resolve(dir), 'jobs.json')
  return existsSync(f) ? readJson<SubmittedJob[]>(f) : []
}

export function addJob(dir: string, job: SubmittedJob): void {
  writeJsonAtomic(join(resolve(dir), 'jobs.json'), [...readJobs(dir), job])
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
  const d = join(resolve(dir), 'results')
  return existsSync(d) ? readdirSync(d).filter((f) => /^\d+\.json$/.test(f)) : []
}

/** A resubmitted cell starts clean: its old error file goes. */
export function clearError(dir: string, index: number): void {
  rmSync(errorFile(resolve(dir), index), { force: true })
}

/**
 * One array task on a compute node: trains cell `index` of the folder with its own worker pool and writes
 * results/<index>.json (or results/<index>.error.json), never the store.
 */
export async function runFolderTask(
  dir: string,
  index: number,
  opts: { workers?: number; backend?: BackendChoice; onEpoch?: (m: EpochMetrics) => void } = {}
): Promise<CellResult> {
  const root = resolve(dir)
  const folder = readStudyFolder(root)
  const cell = folder.cells[index]
  if (!cell) throw new ApiError('invalid-request', `The study has cells 0..${folder.cells.length - 1}; there is no cell ${index}.`)
  const pool = new TrainingPool({ size: Math.max(1, opts.workers ?? 1), backend: opts.backend ?? 'auto' })
  try {
    const result = await trainFolderCell(root, cell, folder.studyId, pool, opts.onEpoch)
    writeJsonAtomic(resultFile(root, index), result)
    clearError(root, index)
    return result
  } catch (e) {
    writeJsonAtomic(errorFile(root, index), {
      index,
      key: cell.key,
      message: e instanceof Error ? e.message : String(e),
      host: hostname(),
      at: new Date().toISOString()
    })
    throw e
  } finally {
    await pool.close()
  }
}
