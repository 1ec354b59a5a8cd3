/**
 * The one training loop. A config's tasks (contract runTasks: model × seed × fold) go to the worker pool, each
 * with its own checkpoint folder; progress is counted in epochs against each task's budget (taskEpochs); what a
 * task's worker returns is marked with the task's fold (the engine knows seeds only); failures are collected,
 * never thrown. Where things are kept is the sink's business: the store for local runs and study cells
 * (runExecute.ts), files in the study folder for Slurm cells (studyFolder.ts). Everything else is this file.
 */
import { rmSync } from 'node:fs'
import {
  type DatasetSchema,
  type EpochMetrics,
  type FirstLayerArtifact,
  type ModelResult,
  type RunConfig,
  type RunProgress,
  type TaskId,
  runTasks,
  taskEpochs,
  taskKey,
  taskLabel,
  withFold
} from '../contract/index.ts'
import { loadTable, type Table } from '../data/index.ts'
import type { TaskHandle, TrainingPool } from '../workers/pool.ts'
import { DEFAULT_CHECKPOINT_EVERY, DEFAULT_CHECKPOINT_SECONDS, type DataInfo, type TaskResult } from '../workers/protocol.ts'

/** Checkpoint every this many epochs inside a phase (IUNET_CHECKPOINT_EVERY overrides; phase ends always). */
export function checkpointEvery(): number {
  const n = Number(process.env.IUNET_CHECKPOINT_EVERY)
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_CHECKPOINT_EVERY
}

/** ...and not sooner than this many seconds after the last save (IUNET_CHECKPOINT_SECONDS overrides; 0 = none). */
export function checkpointSeconds(): number {
  const raw = process.env.IUNET_CHECKPOINT_SECONDS?.trim()
  const n = Number(raw)
  return raw && Number.isFinite(n) && n >= 0 ? n : DEFAULT_CHECKPOINT_SECONDS
}

/** A finished task: what its worker returned, and its results and first-layer artifacts marked with its fold. */
export interface TaskOutcome {
  task: TaskId
  res: Extract<TaskResult, { kind: 'train' }>
  results: ModelResult[]
  firstLayer: FirstLayerArtifact[]
  /** The run's share done, this task included. */
  runProgress: number
}

/** One progress event of a task: the engine's, with the task's fold, the run's share done and the time left. */
export type LoopProgress = Omit<RunProgress, 'runId'>

/** Where the loop's output goes. Each method is called on the loop's thread, in the order things happen. */
export interface TaskSink {
  /** The data facts of the config (the first task to load its data tells them; all tasks share them). */
  data(info: DataInfo): void
  /** One finished epoch of a task (already marked with its fold). */
  epoch(task: TaskId, m: EpochMetrics): void
  /** Every progress event, epochs included. */
  progress(p: LoopProgress): void
  /**
   * A finished task. Its results must be kept durably before this returns: the task's checkpoint is removed next,
   * so a crash after that point must find the task finished.
   */
  finished(o: TaskOutcome): void
}

/** Lets the caller stop the loop: cancel (running tasks are dropped) or interrupt (they checkpoint and stop). */
export class TaskControl {
  readonly handles: TaskHandle[] = []
  cancelled = false
  interrupted = false
  get stopped(): boolean {
    return this.cancelled || this.interrupted
  }
  cancel(): void {
    this.cancelled = true
    for (const h of this.handles) h.cancel()
  }
  interrupt(): void {
    this.interrupted = true
    for (const h of this.handles) h.interrupt()
  }
}

export interface TaskLoopOptions {
  pool: Pick<TrainingPool, 'run'>
  config: RunConfig
  /** The dataset's stored table (data/tablefile) and the schema the config trains with. */
  datasetDir: string
  /**
   * The table in shared memory, handed to every task (one copy for all workers); default: read from datasetDir
   * here, once (null: none, the workers read the folder themselves).
   */
  table?: Table | null
  schema: DatasetSchema
  /** Each task's checkpoint folder (services/layout.ts): resumed from when it holds a checkpoint. */
  checkpointDir: (t: TaskId) => string
  sink: TaskSink
  /** Keys (taskKey) of tasks already finished: not run again, counted as done. */
  skip?: ReadonlySet<string>
  /** Epochs already reported per task key before a restart, counted as done (within the task's budget). */
  doneEpochs?: ReadonlyMap<string, number>
  control?: TaskControl
}

/** Trains every task of `config` not in `skip`; answers the failures ("Dense MLP · seed 0 · fold 2/3: why"). */
export async function runTaskLoop(o: TaskLoopOptions): Promise<{ failures: string[] }> {
  const { config, sink } = o
  const skip = o.skip ?? new Set<string>()
  const control = o.control ?? new TaskControl()
  const every = checkpointEvery()
  const seconds = checkpointSeconds()
  const tasks = runTasks(config)
  const budget = tasks.map((t) => taskEpochs(t.model, config))
  const total = budget.reduce((a, b) => a + b, 0)
  const done = tasks.map((t, i) => (skip.has(taskKey(t)) ? budget[i]! : Math.min(budget[i]!, o.doneEpochs?.get(taskKey(t)) ?? 0)))
  const fraction = () => (total > 0 ? done.reduce((a, b) => a + b, 0) / total : 1)
  const started = Date.now()
  let dataSeen = false
  // One copy of the data for the machine. Should it fail to load here, each worker reads the folder and reports why.
  const pending = tasks.some((t) => !skip.has(taskKey(t)))
  const table = o.table !== undefined ? o.table : pending && !control.stopped ? await loadTable(o.datasetDir, { shared: true }).catch(() => null) : null
  const failures: string[] = []

  await Promise.all(
    tasks.map((t, i) => {
      if (skip.has(taskKey(t)) || control.stopped) return undefined
      const checkpointDir = o.checkpointDir(t)
      const handle = o.pool.run(
        {
          kind: 'train',
          datasetDir: o.datasetDir,
          ...(table ? { table } : {}),
          schema: o.schema,
          config,
          model: t.model,
          seed: t.seed,
          fold: t.fold,
          checkpointDir,
          checkpointEvery: every,
          checkpointSeconds: seconds
        },
        {
          onData: (d) => {
            if (dataSeen) return
            dataSeen = true
            sink.data(d)
          },
          onProgress: (p) => {
            const metrics = p.metrics && withFold(p.metrics, t.fold)
            if (metrics) {
              sink.epoch(t, metrics)
              done[i] = Math.min(budget[i]!, done[i]! + 1)
            }
            const share = fraction()
            const elapsed = (Date.now() - started) / 1000
            const eta = share > 0.02 ? (elapsed / share) * (1 - share) : null
            sink.progress({ ...p, ...(t.fold === undefined ? {} : { fold: t.fold }), metrics, runProgress: share, etaSeconds: eta })
          }
        }
      )
      control.handles.push(handle)
      return handle.promise.then(
        (res) => {
          if (res.kind !== 'train') return
          const before = done[i]!
          done[i] = budget[i]!
          try {
            sink.finished({
              task: t,
              res,
              results: res.result.results.map((r) => withFold(r, t.fold)),
              firstLayer: res.result.firstLayer.map((a) => withFold(a, t.fold)),
              runProgress: fraction()
            })
          } catch (e) {
            // Not kept: the checkpoint stays, so a resume finishes the task again.
            done[i] = before
            failures.push(`${taskLabel(t, config)}: its results could not be kept: ${(e as Error).message}`)
            return
          }
          // Kept by the sink: the checkpoint is no longer needed (a crash before this line leaves it to a sweep).
          rmSync(checkpointDir, { recursive: true, force: true })
        },
        (e: Error & { cancelled?: boolean }) => {
          if (!e.cancelled) failures.push(`${taskLabel(t, config)}: ${e.message}`)
        }
      )
    })
  )
  return { failures }
}
