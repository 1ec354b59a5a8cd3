/**
 * The training worker for a browser page (renderer/gpu-trainer.html): the same engine bundle and the same job host
 * (jobHost.ts) as the Node worker, on Chromium's own WebGPU (`navigator.gpu`, tfjs-backend-webgpu) — the desktop
 * app's GPU path, since Dawn cannot load inside Electron. It serves the job protocol over a MessagePort that the page
 * receives through `window.postMessage(GPU_TRAINER_PORT, …, [port])` (Electron: from a small preload; tests: from
 * the page).
 *
 * The page's adapter, and why it differs from the Node worker's (nodeHost.ts):
 * - The page cannot read the data folder: train tasks arrive with the prepared split (PreparedTrainTask), which the
 *   main-process side (browserWorker.ts) builds with the same data code the Node worker uses.
 * - A SharedArrayBuffer cannot cross processes: cancel/stop come as 'cancel' messages, seen between batches.
 * - Checkpoints without a file system: the engine's saves go to main as 'checkpoint' messages (browserWorker.ts
 *   writes them with the same atomic code as the Node worker), and a resumed task arrives with its checkpoint.
 * - Backends: webgpu (any adapter when forced; `auto` takes hardware adapters only) or the cpu backend.
 */
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import type { BackendChoice, BackendInfo } from '../contract/index.ts'
import { GPU_TRAINER_PORT } from '../contract/gpuPort.ts'
import '../engine/tfgrad/register.ts'
import { serveJobs, type HostAdapter, type HostPort } from './jobHost.ts'
import type { PreparedTrainTask, ToPage } from './protocol.ts'

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

/** The page's adapter: its own backends, the task's prepared split, checkpoints posted to main. */
export function pageAdapter(send: HostPort<PreparedTrainTask>['send']): HostAdapter<PreparedTrainTask> {
  return {
    initBackend: (choice) => initBrowserBackend(choice),
    prepare: (task) => task.prepared,
    checkpoints: (task, jobId) =>
      task.checkpointEvery === undefined
        ? null
        : {
            load: () => task.resumeFrom ?? null,
            // Cloned as it is posted, so the engine may go on changing its state; the port keeps the order, so
            // main has written it before it sees this task's end.
            save: (checkpoint) => send({ type: 'checkpoint', jobId, checkpoint })
          }
  }
}

/** Serves the job protocol on `port` (one task at a time, like a Node training worker). */
export function serveTrainer(port: PortLike): void {
  const send: HostPort<PreparedTrainTask>['send'] = (m, transfer = []) => port.postMessage(m, transfer)
  serveJobs<PreparedTrainTask>({ send, onMessage: (listener) => (port.onmessage = (e) => listener(e.data as ToPage)) }, pageAdapter(send))
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
