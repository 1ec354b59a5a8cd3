/**
 * A training worker that is a browser page (gpu-trainer.ts in a hidden window of the desktop app), seen by the pool
 * as a WorkerLike. The page cannot read the data folder or share memory with main, so this side:
 * - prepares each train task's split here, with the same data code as the Node worker (one table cached), and
 *   sends it with the task, with the task's checkpoint when there is one; the page's checkpoints come back as
 *   messages and are written here, atomically, where the Node worker would have written them;
 * - watches the pool's cancel flag and forwards cancel/interrupt as messages;
 * - turns the page's death (window closed or crashed) into the 'error'/'exit' events the pool knows.
 */
import { loadTable, prepare } from '../data/index.ts'
import { loadTaskCheckpoint, saveTaskCheckpoint } from './checkpoint.ts'
import type { WorkerLike } from './pool.ts'
import type { TaskCheckpoint } from '../engine/types.ts'
import {
  CancelCode,
  DEFAULT_CHECKPOINT_EVERY,
  type FromPage,
  type FromWorker,
  type PreparedTrainTask,
  type StopCode,
  type ToPage,
  type ToWorker,
  type TrainTask
} from './protocol.ts'

/** A message channel to the page: Electron's MessagePortMain, or a Node MessagePort in tests. */
export interface PagePort {
  send(message: ToPage): void
  onMessage(listener: (message: FromPage) => void): void
  /** Closes the page (and the port). */
  close(): void
}

type Listeners = { message: ((m: FromWorker) => void)[]; error: ((e: Error) => void)[]; exit: ((code: number) => void)[] }

/** How often the pool's cancel flag is looked at while the page trains. */
const CANCEL_POLL_MS = 200

export class BrowserWorker implements WorkerLike {
  private listeners: Listeners = { message: [], error: [], exit: [] }
  private table: { dir: string; table: Awaited<ReturnType<typeof loadTable>> } | null = null
  private watchers = new Map<number, ReturnType<typeof setInterval>>()
  /** Where each running job's checkpoints go (the Node worker's folder for that task). */
  private checkpointDirs = new Map<number, string>()
  private ended = false

  constructor(private port: PagePort) {
    port.onMessage((m) => {
      if (m.type === 'checkpoint') return this.saveCheckpoint(m.jobId, m.checkpoint)
      if (m.type === 'result' || m.type === 'error') {
        clearInterval(this.watchers.get(m.jobId))
        this.watchers.delete(m.jobId)
        this.checkpointDirs.delete(m.jobId)
      }
      this.emit('message', m)
    })
  }

  /** Writes a checkpoint the page sent; one that cannot be written fails the task, as in the Node worker. */
  private saveCheckpoint(jobId: number, checkpoint: TaskCheckpoint) {
    const dir = this.checkpointDirs.get(jobId)
    if (!dir) return
    try {
      saveTaskCheckpoint(dir, checkpoint)
    } catch (e) {
      this.checkpointDirs.delete(jobId)
      this.port.send({ type: 'cancel', jobId, mode: CancelCode.cancel })
      this.emit('message', { type: 'error', jobId, message: `could not save a checkpoint: ${e instanceof Error ? e.message : String(e)}`, cancelled: false })
    }
  }

  on(event: 'message', listener: (m: FromWorker) => void): this
  on(event: 'error', listener: (e: Error) => void): this
  on(event: 'exit', listener: (code: number) => void): this
  on(event: keyof Listeners, listener: (arg: never) => void): this {
    ;(this.listeners[event] as ((arg: never) => void)[]).push(listener)
    return this
  }

  postMessage(message: ToWorker): void {
    if (this.ended) return
    if (message.type === 'threads') return
    if (message.type !== 'job') return this.port.send(message)
    const { jobId, task, cancelFlag } = message
    const flag = new Int32Array(cancelFlag)
    this.watchers.set(
      jobId,
      setInterval(() => {
        const code = Atomics.load(flag, 0)
        if (code === CancelCode.run) return
        clearInterval(this.watchers.get(jobId))
        this.watchers.delete(jobId)
        // Any other value cancels, as in the Node worker.
        const mode: StopCode = code === CancelCode.checkpointAndStop ? CancelCode.checkpointAndStop : CancelCode.cancel
        this.port.send({ type: 'cancel', jobId, mode })
      }, CANCEL_POLL_MS)
    )
    if (task.kind === 'probe') return this.port.send({ type: 'job', jobId, task })
    this.withData(jobId, task).then(
      (prepared) => !this.ended && this.port.send({ type: 'job', jobId, task: prepared }),
      (e: unknown) =>
        this.emit('message', {
          type: 'error',
          jobId,
          message: e instanceof Error ? e.message : String(e),
          cancelled: false,
          code: (e as { code?: string }).code
        })
    )
  }

  /** The task with its prepared split and its checkpoint (the folder stays here: the page cannot write one). */
  private async withData(jobId: number, task: TrainTask): Promise<PreparedTrainTask> {
    if (this.table?.dir !== task.datasetDir) this.table = { dir: task.datasetDir, table: await loadTable(task.datasetDir) }
    const prepared = prepare(this.table.table, task.schema, task.config.split, task.seed, { maxRows: task.config.maxRows ?? undefined, fold: task.fold })
    // The page gets its own copy of the split: shared memory cannot cross to a page that is not cross-origin isolated.
    const { checkpointDir, checkpointEvery, table: _shared, ...rest } = task
    if (!checkpointDir) return { ...rest, prepared }
    this.checkpointDirs.set(jobId, checkpointDir)
    return { ...rest, prepared, checkpointEvery: checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY, resumeFrom: loadTaskCheckpoint(checkpointDir) }
  }

  /** The page is gone: a crash is an error, any end an exit (the pool fails a running task with either). */
  pageGone(reason: string | null) {
    if (this.ended) return
    this.ended = true
    for (const t of this.watchers.values()) clearInterval(t)
    this.watchers.clear()
    this.checkpointDirs.clear()
    if (reason) this.emit('error', new Error(reason))
    this.emit('exit', reason ? 1 : 0)
  }

  terminate(): Promise<number> {
    if (!this.ended) {
      this.pageGone(null)
      this.port.close()
    }
    return Promise.resolve(0)
  }

  private emit<E extends keyof Listeners>(event: E, arg: Parameters<Listeners[E][number]>[0]) {
    for (const l of this.listeners[event]) (l as (a: typeof arg) => void)(arg)
  }
}
