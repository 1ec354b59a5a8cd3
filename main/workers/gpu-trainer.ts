/**
 * The training worker for a browser page (renderer/gpu-trainer.html): the same engine bundle as the Node worker,
 * on Chromium's own WebGPU (`navigator.gpu`, tfjs-backend-webgpu) — the desktop app's GPU path, since Dawn cannot
 * load inside Electron. It speaks the worker protocol (protocol.ts) over a MessagePort that the page receives
 * through `window.postMessage(GPU_TRAINER_PORT, …, [port])` (Electron: from a small preload; tests: from the page).
 *
 * What differs from train.worker.ts, and why:
 * - The page cannot read the data folder: train tasks arrive with the prepared split (`BrowserTrainTask.prepared`),
 *   which the main-process side (browserWorker.ts) builds with the same data code the Node worker uses.
 * - A SharedArrayBuffer cannot cross processes: cancel/interrupt come as messages, seen between epochs.
 * - Checkpoints without a file system: the engine's saves go to main as messages (browserWorker.ts writes them
 *   with the same atomic code as the Node worker), and a resumed task arrives with its checkpoint.
 * - Backends: webgpu (any adapter when forced; `auto` takes hardware adapters only) or the cpu backend.
 */
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import type { BackendChoice, BackendInfo } from '../contract/index.ts'
import { runJob } from '../engine/pipeline.ts'
import { CancelledError, type PreparedData, type TaskCheckpoint } from '../engine/types.ts'
import { transferablesOf } from '../engine/export/trained.ts'
import '../engine/tfgrad/register.ts'
import type { SerializedPreprocessor } from '../data/preprocess.ts'
import type { DataInfo, FromWorker, ProbeResult, ProbeTask, TrainTask, ToWorker } from './protocol.ts'

/** What the page receives on `window` (with the port in `ports[0]`) to start speaking the protocol. */
export const GPU_TRAINER_PORT = 'iunet-gpu-trainer-port'

/**
 * A train task with its data already prepared (the page has no file system). With `checkpointEvery` set the page
 * checkpoints (as 'checkpoint' messages) and starts from `resumeFrom` when one was saved before.
 */
export interface BrowserTrainTask extends Omit<TrainTask, 'checkpointDir'> {
  prepared: PreparedData & { preprocessor?: SerializedPreprocessor }
  resumeFrom?: TaskCheckpoint | null
}

/** Messages from the page: the worker protocol, and checkpoints for main to write. */
export type FromBrowserWorker = FromWorker | { type: 'checkpoint'; jobId: number; checkpoint: TaskCheckpoint }

/** Messages to the page: the worker protocol, train tasks with their data, and cancellation as a message. */
export type ToBrowserWorker =
  | Exclude<ToWorker, { type: 'job' }>
  | { type: 'job'; jobId: number; task: BrowserTrainTask | ProbeTask }
  /** 1 = cancel, 2 = stop (save a checkpoint and end; a task without checkpoints just ends). */
  | { type: 'cancel'; jobId: number; mode: 1 | 2 }

interface PortLike {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void
  onmessage: ((e: { data: unknown }) => void) | null
  start?(): void
}

/** The few page globals used here (typed locally: the Node program has no DOM types). */
interface PageGlobals {
  navigator: { gpu?: { requestAdapter(o?: unknown): Promise<AdapterLike | null> } }
  addEventListener(type: 'message', fn: (e: { source: unknown; data: unknown; ports: readonly PortLike[] }) => void): void
  document: { documentElement: { dataset: Record<string, string | undefined> } }
  setImmediate?: (cb: () => void) => unknown
}
const page = globalThis as unknown as PageGlobals

const SOFTWARE = /llvmpipe|softpipe|swiftshader|lavapipe|software rasteri[sz]er|microsoft basic render/i

interface AdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean }
  isFallbackAdapter?: boolean
}

/** Sets up the backend asked for: webgpu on navigator.gpu (a software adapter only when forced), else cpu. */
export async function initBrowserBackend(choice: BackendChoice): Promise<BackendInfo> {
  const skipped: BackendInfo['skipped'] = []
  if (choice === 'webgpu' || choice === 'auto') {
    const gpu = page.navigator.gpu
    const adapter = gpu ? await gpu.requestAdapter({ powerPreference: 'high-performance' }) : null
    let reason = !gpu ? 'this browser has no navigator.gpu' : !adapter ? 'navigator.gpu found no adapter' : null
    if (adapter) {
      const i = adapter.info ?? {}
      const base = { vendor: i.vendor ?? '', architecture: i.architecture ?? '', device: i.device ?? '', description: i.description ?? '' }
      const software = !!(i.isFallbackAdapter || adapter.isFallbackAdapter) || SOFTWARE.test(Object.values(base).join(' '))
      if (software && choice === 'auto') reason = `only a software adapter (${base.vendor} ${base.architecture}): used only when webgpu is chosen`
      else {
        await import('@tensorflow/tfjs-backend-webgpu')
        if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs could not start its webgpu backend on this adapter')
        await tf.ready()
        return { name: 'webgpu', threads: 1, workers: 1, skipped, adapter: { ...base, software, via: 'browser' } }
      }
    }
    if (choice === 'webgpu') throw new Error(`webgpu was chosen, but ${reason}`)
    skipped.push({ name: 'webgpu', reason: reason! })
  } else if (choice !== 'cpu') skipped.push({ name: choice, reason: 'not available in the browser engine' })
  await tf.setBackend('cpu')
  await tf.ready()
  return { name: 'cpu', threads: 1, workers: 1, skipped }
}

async function runProbe(task: ProbeTask, jobId: number, send: (m: FromWorker) => void, cancelled: () => boolean): Promise<ProbeResult> {
  let checksum = 0
  for (let i = 0; i < task.steps; i++) {
    if (cancelled()) throw new CancelledError()
    const t = tf.tidy(() => tf.sum(tf.matMul(tf.ones([8, 8]), tf.fill([8, 8], i + 1))))
    checksum = (await t.data())[0]!
    t.dispose()
    send({ type: 'progress', jobId, progress: { model: 'mlp', seed: 0, compression: 1, phase: 'train', epoch: i + 1, totalEpochs: task.steps, metrics: null } })
    await new Promise((r) => setTimeout(r, task.delayMs))
  }
  return { steps: task.steps, checksum }
}

/** Serves the worker protocol on `port` (one task at a time, like a Node training worker). */
export function serveTrainer(port: PortLike): void {
  const send = (m: FromBrowserWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer)
  const cancels = new Map<number, number>()
  port.onmessage = async (e) => {
    const msg = e.data as ToBrowserWorker
    if (msg.type === 'init') {
      try {
        send({ type: 'ready', backend: await initBrowserBackend(msg.backend) })
      } catch (err) {
        send({ type: 'init-failed', message: err instanceof Error ? err.message : String(err) })
      }
      return
    }
    if (msg.type === 'threads') return
    if (msg.type === 'cancel') {
      cancels.set(msg.jobId, msg.mode)
      return
    }
    const { jobId, task } = msg
    const saves = task.kind === 'train' && task.checkpointEvery !== undefined
    // With checkpoints a stop (2) saves and ends in the engine; without, it ends like a cancel.
    const cancelled = () => (saves ? cancels.get(jobId) === 1 : cancels.has(jobId))
    try {
      if (task.kind === 'probe') {
        send({ type: 'result', jobId, result: { kind: 'probe', result: await runProbe(task, jobId, send, cancelled) } })
        return
      }
      const data = task.prepared
      const info: DataInfo = { classNames: data.classNames, imageShape: data.imageShape, trainRows: data.train.n }
      send({ type: 'data', jobId, data: info })
      const checkpoint = saves
        ? {
            load: () => task.resumeFrom ?? null,
            // Cloned as it is posted, so the engine may go on changing its state; the port keeps the order, so
            // main has written it before it sees this task's end.
            save: (c: TaskCheckpoint) => send({ type: 'checkpoint', jobId, checkpoint: c }),
            everyEpochs: Math.max(1, task.checkpointEvery!),
            stopRequested: () => cancels.get(jobId) === 2
          }
        : undefined
      const result = await runJob(
        { model: task.model, seed: task.seed, config: task.config, data },
        { onProgress: (progress) => send({ type: 'progress', jobId, progress }), isCancelled: cancelled, checkpoint }
      )
      send({ type: 'result', jobId, result: { kind: 'train', result, data: info, preprocessor: data.preprocessor } }, transferablesOf(result.models ?? []))
    } catch (err) {
      const isCancel = err instanceof CancelledError || cancels.has(jobId)
      send({ type: 'error', jobId, message: err instanceof Error ? err.message : String(err), cancelled: isCancel, code: (err as { code?: string }).code })
    } finally {
      cancels.delete(jobId)
    }
  }
}

/** Page entry: Node's setImmediate (the engine yields with it between epochs), then wait for the port. */
export function startPage(): void {
  if (!page.setImmediate) {
    // A MessageChannel turn, not setTimeout(0): no 4 ms clamp and no throttling in a hidden window.
    const ch = new (globalThis as unknown as { MessageChannel: new () => { port1: PortLike; port2: PortLike } }).MessageChannel()
    const queue: (() => void)[] = []
    ch.port1.onmessage = () => queue.shift()?.()
    page.setImmediate = (cb) => {
      queue.push(cb)
      ch.port2.postMessage(0)
    }
  }
  page.addEventListener('message', (e) => {
    if (e.source === globalThis && e.data === GPU_TRAINER_PORT && e.ports[0]) {
      const port = e.ports[0]
      serveTrainer(port)
      port.start?.()
    }
  })
  page.document.documentElement.dataset.trainer = 'ready'
}
