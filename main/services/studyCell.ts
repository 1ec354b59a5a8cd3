/**
 * One cell of a study folder on a compute node (`iunet study task DIR i`): its tasks train through the one
 * training loop (taskLoop.ts), like a local run's, with a sink that keeps everything as files in the study folder
 * (layout.ts) instead of the store:
 *   checkpoints/<i>/<task>/state.ckpt   the task's checkpoint (the worker writes it)
 *   checkpoints/<i>/<task>/epochs.jsonl the task's epochs so far, one JSON line each (a crash may cut the last)
 *   partial/<i>/<task key>.json         a finished task: its results, first-layer artifacts and epochs (atomic)
 *   results/<i>.json                    the cell, once every task is finished (atomic); partial and checkpoints go
 * A cell killed at any moment continues where it stopped when run again: finished tasks are kept, the others resume
 * from their checkpoints, so its results equal an uninterrupted cell's.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { hostname } from 'node:os'
import { join, resolve } from 'node:path'
import {
  ApiError,
  type BackendChoice,
  type EpochMetrics,
  type FirstLayerArtifact,
  type ModelResult,
  type TaskId,
  runTasks,
  taskKey
} from '../contract/index.ts'
import { appendLine, writeJsonAtomic } from '../lib/atomic.ts'
import { TrainingPool } from '../workers/pool.ts'
import { studyFolderLayout, type StudyFolderLayout } from './layout.ts'
import { FOLDER_VERSION, readStudyFolder, type CellResult, type FolderCell } from './studyFolder.ts'
import { TaskControl, runTaskLoop, type LoopProgress, type TaskSink } from './taskLoop.ts'

const EPOCH_LOG = 'epochs.jsonl'

/** A finished task of a cell, as kept until the cell's result file is written. */
interface PartialTask {
  version: number
  key: string
  results: ModelResult[]
  firstLayer: FirstLayerArtifact[]
  epochs: EpochMetrics[]
  classNames: string[]
  imageShape: [number, number, number] | null
}

/** The epochs a task's log holds, each (ratio, phase, epoch) once: a line written again after a resume wins. */
function readEpochLog(file: string): EpochMetrics[] {
  if (!existsSync(file)) return []
  const byEpoch = new Map<string, EpochMetrics>()
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue
    let m: EpochMetrics
    try {
      m = JSON.parse(line) as EpochMetrics
    } catch {
      continue // the line a kill cut short
    }
    byEpoch.set(`${m.compression}|${m.phase}|${m.epoch}`, m)
  }
  return [...byEpoch.values()]
}

function readPartial(file: string, key: string): PartialTask | null {
  if (!existsSync(file)) return null
  try {
    const p = JSON.parse(readFileSync(file, 'utf8')) as PartialTask
    return p.version === FOLDER_VERSION && p.key === key ? p : null
  } catch {
    return null
  }
}

/** The file-backed sink of cell `index`: epochs appended to the task's log, finished tasks written as partial files. */
function folderSink(layout: StudyFolderLayout, index: number, onProgress?: (p: LoopProgress) => void): TaskSink {
  const log = (t: TaskId) => join(layout.taskCheckpoint(index, t), EPOCH_LOG)
  return {
    data: () => undefined,
    epoch: (t, m) => appendLine(log(t), JSON.stringify(m)),
    progress: (p) => onProgress?.(p),
    finished({ task, res, results, firstLayer }) {
      const partial: PartialTask = {
        version: FOLDER_VERSION,
        key: taskKey(task),
        results,
        firstLayer,
        epochs: readEpochLog(log(task)),
        classNames: res.data.classNames,
        imageShape: res.data.imageShape
      }
      mkdirSync(layout.partial(index), { recursive: true })
      writeJsonAtomic(layout.partialTask(index, partial.key), partial)
    }
  }
}

export interface FolderTaskOptions {
  workers?: number
  backend?: BackendChoice
  onProgress?: (p: LoopProgress) => void
  /** Before training: the cell, and how many of its tasks were finished (kept) by an earlier run. */
  onStart?: (cell: FolderCell, kept: number) => void
  /** Stops the cell (signals): running tasks checkpoint and stop; what is finished is kept. */
  control?: TaskControl
}

/** Why a cell stopped before it finished, for its error file. */
const INTERRUPTED = 'Stopped before it finished; its finished tasks and checkpoints are kept: run it again (or resubmit) to continue.'

/**
 * One array task on a compute node: trains (or continues) cell `index` of the folder with its own worker pool and
 * writes results/<index>.json (or results/<index>.error.json), never the store.
 */
export async function runFolderTask(dir: string, index: number, opts: FolderTaskOptions = {}): Promise<CellResult> {
  const layout = studyFolderLayout(resolve(dir))
  const folder = readStudyFolder(layout.root)
  const cell: FolderCell | undefined = folder.cells[index]
  if (!cell) throw new ApiError('invalid-request', `The study has cells 0..${folder.cells.length - 1}; there is no cell ${index}.`)
  const startedAt = new Date().toISOString()
  const tasks = runTasks(cell.config)
  const kept = new Map<string, PartialTask>()
  for (const t of tasks) {
    const p = readPartial(layout.partialTask(index, taskKey(t)), taskKey(t))
    if (p) kept.set(taskKey(t), p)
  }
  opts.onStart?.(cell, kept.size)
  const doneEpochs = new Map(tasks.map((t) => [taskKey(t), readEpochLog(join(layout.taskCheckpoint(index, t), EPOCH_LOG)).length]))
  const control = opts.control ?? new TaskControl()
  const pool = new TrainingPool({ size: Math.max(1, opts.workers ?? 1), backend: opts.backend ?? 'auto' })
  try {
    const { failures } = await runTaskLoop({
      pool,
      config: cell.config,
      datasetDir: join(layout.root, cell.datasetDir),
      schema: cell.schema,
      checkpointDir: (t) => layout.taskCheckpoint(index, t),
      sink: folderSink(layout, index, opts.onProgress),
      skip: new Set(kept.keys()),
      doneEpochs,
      control
    })
    if (control.stopped) throw new Error([INTERRUPTED, ...failures].join('\n'))
    if (failures.length) throw new Error(failures.join('\n'))
    const parts = tasks.map((t) => readPartial(layout.partialTask(index, taskKey(t)), taskKey(t)))
    const missing = tasks.filter((_, i) => !parts[i])
    if (missing.length) throw new Error(`tasks without a kept result: ${missing.map(taskKey).join(', ')}`)
    const done = parts as PartialTask[]
    const result: CellResult = {
      version: FOLDER_VERSION,
      studyId: folder.studyId,
      index: cell.index,
      key: cell.key,
      config: cell.config,
      results: done.flatMap((p) => p.results),
      epochs: done.flatMap((p) => p.epochs),
      firstLayer: done.flatMap((p) => p.firstLayer),
      classNames: done[0]?.classNames ?? [],
      imageShape: done[0]?.imageShape ?? null,
      backend: (await pool.backendInfo().catch(() => null))?.name ?? null,
      host: hostname(),
      startedAt,
      finishedAt: new Date().toISOString()
    }
    writeJsonAtomic(layout.result(index), result)
    rmSync(layout.error(index), { force: true })
    // The result is kept: what led to it is not needed any more.
    rmSync(layout.partial(index), { recursive: true, force: true })
    rmSync(layout.checkpoints(index), { recursive: true, force: true })
    return result
  } catch (e) {
    writeJsonAtomic(layout.error(index), {
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
