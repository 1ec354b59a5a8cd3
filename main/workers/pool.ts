/**
 * A pool of training workers, one task per worker at a time. wasm is single-threaded in Node, so parallel
 * workers are how a comparison uses every core: independent models and seeds train side by side.
 */
import { Worker } from 'node:worker_threads'
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import type { BackendChoice, BackendInfo } from '../contract/index.ts'
import type { EngineProgress } from '../engine/types.ts'
import { CancelCode, type DataInfo, type FromWorker, type Task, type TaskResult, type ToWorker } from './protocol.ts'

export class TaskError extends Error {
  constructor(
    message: string,
    readonly cancelled: boolean,
    readonly code?: string
  ) {
    super(message)
    this.name = 'TaskError'
  }
}

export interface TaskHandle {
  promise: Promise<TaskResult>
  cancel(): void
  /** Asks the task to save a checkpoint and stop; it then ends as cancelled (a queued task just leaves the queue). */
  interrupt(): void
}

interface Listener {
  onProgress?: (p: EngineProgress) => void
  onData?: (d: DataInfo) => void
}

interface Pending extends Listener {
  jobId: number
  task: Task
  flag: SharedArrayBuffer
  resolve(r: TaskResult): void
  reject(e: Error): void
  started: boolean
  cancelled: boolean
}

/**
 * What the pool needs of a training worker: a Node worker thread, or (desktop app, webgpu) a browser page that
 * trains on Chromium's WebGPU behind the same protocol (browserWorker.ts).
 */
export interface WorkerLike {
  postMessage(message: ToWorker): void
  on(event: 'message', listener: (m: FromWorker) => void): unknown
  on(event: 'error', listener: (e: Error) => void): unknown
  on(event: 'exit', listener: (code: number) => void): unknown
  terminate(): Promise<unknown> | void
}

export interface PoolOptions {
  size?: number
  backend?: BackendChoice
  /**
   * Where webgpu tasks train instead of a Node worker thread (the desktop app: Dawn cannot load in Electron, so a
   * hidden window trains on Chromium's WebGPU). Used when the backend is webgpu.
   */
  gpuWorker?: () => WorkerLike
}

interface Slot {
  worker: WorkerLike
  ready: Promise<BackendInfo>
  job: Pending | null
  /** Set when settings change under a busy worker: it ends after its task. */
  retire: boolean
}

/** Where the worker is: next to the bundle when built, else the TypeScript source through the tsx bootstrap. */
export function workerEntry(): { file: string; workerData?: unknown } {
  const here = fileURLToPath(import.meta.url)
  if (here.endsWith('.js')) {
    const built = fileURLToPath(new URL('./train.worker.js', import.meta.url))
    if (existsSync(built)) return { file: built }
  }
  return {
    file: fileURLToPath(new URL('./bootstrap.mjs', import.meta.url)),
    workerData: { entry: new URL('./train.worker.ts', import.meta.url).href }
  }
}

/** Workers: the count asked for; by default one per core, and a single worker for webgpu (one GPU). */
function defaultSize(opts: { size?: number; backend?: BackendChoice }): number {
  if (opts.size && opts.size > 0) return opts.size
  return opts.backend === 'webgpu' ? 1 : Math.max(1, availableParallelism())
}

/** Grace period for a cancelled task to stop by itself before its worker is terminated. */
const CANCEL_GRACE_MS = 3000
/** Grace period for an interrupted task to save its checkpoint and stop. */
const INTERRUPT_GRACE_MS = 20000

export class TrainingPool {
  size: number
  private slots: (Slot | null)[]
  private queue: Pending[] = []
  private nextId = 1
  private closed = false
  private lastInfo: BackendInfo | null = null
  /** BLAS threads last sent to the workers (cores ÷ busy workers). */
  private blasThreads = 0

  constructor(private opts: PoolOptions = {}) {
    this.size = defaultSize(opts)
    this.slots = new Array(this.size).fill(null)
  }

  /**
   * Reports the backend the workers chose. Starts every worker now (they idle until a task comes), so the first
   * run's tasks all begin at once instead of waiting for backends to initialize one by one.
   */
  async backendInfo(): Promise<BackendInfo> {
    for (let i = 0; i < this.size; i++) if (!this.slots[i]) this.spawn(i)
    const slot = this.slots.find((s) => s && !s.retire) ?? this.slots.find((s) => s)!
    const info = await slot.ready
    return { ...info, workers: this.size }
  }

  /**
   * New backend or worker count: idle workers stop now, busy ones after their task, and new workers start
   * with the new settings. Running tasks are never interrupted.
   */
  reconfigure(opts: { size?: number; backend?: BackendChoice }) {
    this.opts = { ...this.opts, ...opts }
    this.size = defaultSize({ size: opts.size, backend: this.opts.backend })
    this.lastInfo = null
    const old = this.slots
    this.slots = new Array(Math.max(this.size, old.length)).fill(null)
    old.forEach((slot, i) => {
      if (!slot) return
      if (slot.job) {
        slot.retire = true
        this.slots[i] = slot
      } else void slot.worker.terminate()
    })
    this.pump()
  }

  get cachedBackend(): BackendInfo | null {
    return this.lastInfo ? { ...this.lastInfo, workers: this.size } : null
  }

  run(task: Task, listener: Listener = {}): TaskHandle {
    if (this.closed) throw new Error('training pool is closed')
    let pending!: Pending
    const promise = new Promise<TaskResult>((resolve, reject) => {
      pending = {
        ...listener,
        jobId: this.nextId++,
        task,
        flag: new SharedArrayBuffer(4),
        resolve,
        reject,
        started: false,
        cancelled: false
      }
    })
    this.queue.push(pending)
    this.pump()
    return { promise, cancel: () => this.cancel(pending), interrupt: () => this.interrupt(pending) }
  }

  async close(): Promise<void> {
    this.closed = true
    for (const p of this.queue) p.reject(new TaskError('cancelled: the app is closing', true))
    this.queue = []
    await Promise.all(this.slots.map((s) => s?.worker.terminate()))
    this.slots.fill(null)
  }

  private cancel(p: Pending) {
    if (p.cancelled) return
    p.cancelled = true
    if (!p.started) {
      this.queue = this.queue.filter((q) => q !== p)
      p.reject(new TaskError('cancelled', true))
      return
    }
    Atomics.store(new Int32Array(p.flag), 0, CancelCode.cancel)
    const idx = this.slots.findIndex((s) => s?.job === p)
    setTimeout(() => {
      const slot = this.slots[idx]
      if (slot?.job === p) this.kill(idx, new TaskError('cancelled', true))
    }, CANCEL_GRACE_MS).unref()
  }

  private interrupt(p: Pending) {
    if (p.cancelled) return
    if (!p.started) return this.cancel(p)
    p.cancelled = true
    Atomics.store(new Int32Array(p.flag), 0, CancelCode.checkpointAndStop)
    const idx = this.slots.findIndex((s) => s?.job === p)
    // A checkpoint of a large model takes a moment to write; past this the last periodic one is used.
    setTimeout(() => {
      const slot = this.slots[idx]
      if (slot?.job === p) this.kill(idx, new TaskError('cancelled', true))
    }, INTERRUPT_GRACE_MS).unref()
  }

  private spawn(i: number): Slot {
    const entry = workerEntry()
    // Mesa's EGL (Dawn's OpenGL ES adapter, llvmpipe) reads EGL_PLATFORM from the C environment, which a worker
    // thread's process.env does not change: set it here, on the main thread, before a worker loads Dawn. Not in
    // Electron, whose GPU process inherits the environment and draws on a real display.
    if (process.platform === 'linux' && !process.versions.electron && !process.env.EGL_PLATFORM) process.env.EGL_PLATFORM = 'surfaceless'
    const worker: WorkerLike =
      this.opts.backend === 'webgpu' && this.opts.gpuWorker ? this.opts.gpuWorker() : new Worker(entry.file, { workerData: entry.workerData })
    let resolveReady!: (b: BackendInfo) => void
    let rejectReady!: (e: Error) => void
    const ready = new Promise<BackendInfo>((res, rej) => {
      resolveReady = res
      rejectReady = rej
    })
    ready.catch(() => undefined)
    const slot: Slot = { worker, ready, job: null, retire: false }
    this.slots[i] = slot
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        this.lastInfo = m.backend
        if (m.backend.name === 'webgpu') this.oneGpuWorker()
        resolveReady(m.backend)
        return
      }
      if (m.type === 'init-failed') {
        rejectReady(new Error(`training backend failed to start: ${m.message}`))
        return
      }
      const job = slot.job
      if (!job || job.jobId !== m.jobId) return
      if (m.type === 'progress' || m.type === 'data') {
        // A listener that throws (its run's row deleted by another process: a foreign key fails) ends the
        // task instead of the process.
        try {
          if (m.type === 'progress') job.onProgress?.(m.progress)
          else job.onData?.(m.data)
        } catch (e) {
          this.kill(i, new TaskError(`could not record the task's progress: ${(e as Error).message}`, false))
        }
      } else if (m.type === 'result') this.finish(i, () => job.resolve(m.result))
      else if (m.type === 'error') this.finish(i, () => job.reject(new TaskError(m.message, m.cancelled || job.cancelled, m.code)))
    })
    worker.on('error', (e) => this.kill(i, new TaskError(`training worker crashed: ${e.message}`, false)))
    worker.on('exit', (code) => {
      if (this.slots[i] === slot && slot.job) this.kill(i, new TaskError(`training worker exited (code ${code})`, false))
      else if (this.slots[i] === slot) this.slots[i] = null
    })
    worker.postMessage({ type: 'init', backend: this.opts.backend ?? 'auto', workers: this.size } satisfies ToWorker)
    return slot
  }

  /**
   * One GPU is shared by one worker unless a worker count was set: `auto` may land on webgpu after one worker per
   * core was started; the extra idle workers stop now, busy ones after their task.
   */
  private oneGpuWorker() {
    if (this.size === 1 || (this.opts.size && this.opts.size > 0)) return
    this.size = 1
    this.slots.forEach((slot, i) => {
      if (i === 0 || !slot || slot.job) return
      this.slots[i] = null
      void slot.worker.terminate()
    })
  }

  private finish(i: number, settle: () => void) {
    const slot = this.slots[i]
    if (slot) {
      slot.job = null
      if (slot.retire || i >= this.size) {
        this.slots[i] = null
        void slot.worker.terminate()
      }
    }
    settle()
    this.pump()
  }

  private kill(i: number, err: TaskError) {
    const slot = this.slots[i]
    if (!slot) return
    this.slots[i] = null
    const job = slot.job
    slot.job = null
    void slot.worker.terminate()
    if (job) job.reject(job.cancelled ? new TaskError('cancelled', true) : err)
    this.pump()
  }

  private pump() {
    if (this.closed) return
    for (let i = 0; i < this.size && this.queue.length; i++) {
      const slot = this.slots[i] ?? this.spawn(i)
      if (slot.job) continue
      const job = this.queue.shift()!
      slot.job = job
      job.started = true
      slot.ready.then(
        () => {
          if (slot.job === job && !job.cancelled) {
            slot.worker.postMessage({
              type: 'job',
              jobId: job.jobId,
              task: job.task,
              cancelFlag: job.flag,
              blasThreads: this.threadsPerTask()
            } satisfies ToWorker)
          } else if (slot.job === job) this.finish(i, () => job.reject(new TaskError('cancelled', true)))
        },
        (e: Error) => this.kill(i, new TaskError(e.message, false))
      )
    }
    this.balanceThreads()
  }

  /** BLAS threads per running task: the cores shared by the busy workers (a lone task gets the whole machine). */
  private threadsPerTask(): number {
    const busy = this.slots.filter((s) => s?.job).length
    return Math.max(1, Math.floor(availableParallelism() / Math.max(1, busy)))
  }

  /** Tells the busy workers when the share changes (a task ended or started); they apply it between epochs. */
  private balanceThreads() {
    const n = this.threadsPerTask()
    if (n === this.blasThreads) return
    this.blasThreads = n
    for (const s of this.slots) if (s?.job) s.worker.postMessage({ type: 'threads', blasThreads: n } satisfies ToWorker)
  }
}
