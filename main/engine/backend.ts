/**
 * Picks the tfjs backend and reports what was chosen and why the others were skipped.
 *
 * auto tries, in order: tfjs-node-gpu → webgpu (hardware adapters only; kernels/webgpu.ts) → tfjs-node → wasm → cpu. The native packages are optionalDependencies whose
 * install downloads libtensorflow, so they are often missing: they are imported dynamically and a failure is
 * recorded, never thrown. The module loader is injectable so tests can simulate missing packages.
 */
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import type { BackendChoice, BackendInfo, BackendName } from '../contract/index.ts'
import { nativeStatus, setBlasThreads } from './kernels/native.ts'
import { installSyncRead, openAdapter, describeAdapter, probeAdapters, type AdapterInfo, type ProbedAdapter } from './kernels/webgpu.ts'
// tfjs-core's node build ships no gradients; every engine entry point gets them through here.
import './tfgrad/register.ts'

/** Imports a package by name; returns its namespace. */
export type ModuleLoader = (specifier: string) => Promise<unknown>

export interface InitBackendOptions {
  /** Replaces `import()` (tests). */
  load?: ModuleLoader
  /** Parallel training workers to report (the pool decides; default 1). */
  workers?: number
  /** BLAS threads for the native kernels (default: all cores ÷ workers). */
  blasThreads?: number
}

function cores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length
}

const ORDER: BackendName[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']

const PACKAGES: Record<BackendName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu'
}

/** tfjs' own registry name of each backend (both native packages register 'tensorflow'). */
const TF_NAMES: Record<BackendName, string> = {
  'tensorflow-gpu': 'tensorflow',
  webgpu: 'webgpu',
  tensorflow: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu'
}

const defaultLoader: ModuleLoader = (specifier) => import(specifier)

let current: BackendInfo | null = null

/** Absolute folder (with trailing separator) holding the wasm binaries, resolved through node's resolver. */
export function wasmBinaryDir(): string {
  const require = createRequire(import.meta.url)
  const main = require.resolve('@tensorflow/tfjs-backend-wasm')
  return path.dirname(main) + path.sep
}

function reasonOf(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e)
  return msg.split('\n')[0].slice(0, 300)
}

async function tryBackend(name: BackendName, load: ModuleLoader, auto: boolean, probe: (() => ProbedAdapter[] | null) | null): Promise<AdapterInfo | null> {
  // WebGPU: an adapter first (auto refuses software ones), then tfjs' backend, which asks navigator.gpu for it.
  const adapter = name === 'webgpu' ? await openAdapter(load, auto, probe) : null
  const mod = (await load(PACKAGES[name])) as Record<string, unknown>
  if (name === 'wasm') {
    const setWasmPaths = mod.setWasmPaths as ((prefix: string) => void) | undefined
    if (typeof setWasmPaths !== 'function') throw new Error('tfjs-backend-wasm has no setWasmPaths')
    // The threaded build starts pthread workers from a blob: URL, which node's Worker rejects; training runs in
    // node worker_threads anyway, so always use the single-threaded SIMD build.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false)
    // setWasmPaths throws once an init was attempted; a second initBackend call must not fail on that.
    if (tf.findBackend('wasm') == null) {
      try {
        setWasmPaths(wasmBinaryDir())
      } catch (e) {
        if (!/already initialized/.test(reasonOf(e))) throw e
      }
    }
  }
  const ok = await tf.setBackend(TF_NAMES[name])
  if (!ok) throw new Error(`tf.setBackend('${TF_NAMES[name]}') failed`)
  await tf.ready()
  if (tf.getBackend() !== TF_NAMES[name]) throw new Error(`backend is ${tf.getBackend()} after setBackend`)
  if (name === 'wasm') shareIdentityOnWasm()
  if (name === 'webgpu') installSyncRead()
  return adapter
}

/**
 * wasm's Identity kernel copies the tensor, and tfjs clones (Identity) every tensor a gradient saves for the
 * backward pass: ~35 ms per step for a small ResNet's patch matrices. Tensors are immutable, so the clone can share
 * the data and its reference count, as the cpu backend and wasm's own Reshape do.
 */
function shareIdentityOnWasm(): void {
  const kernel = tf.getKernel('Identity', 'wasm')
  if (!kernel || (kernel as { shared?: boolean }).shared) return
  tf.unregisterKernel('Identity', 'wasm')
  const config = {
    kernelName: 'Identity',
    backendName: 'wasm',
    shared: true,
    kernelFunc: ({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }) => {
      const x = inputs.x!
      ;(backend as { incRef(dataId: object): void }).incRef(x.dataId)
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype }
    }
  }
  tf.registerKernel(config as tf.KernelConfig)
}

function threadsOf(name: BackendName, native: BackendInfo['native']): number {
  if (name === 'wasm' && native?.available) return native.threads
  if (name === 'wasm' || name === 'cpu' || name === 'webgpu') return 1
  // libtensorflow uses one intra-op thread per core by default.
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length
}

/**
 * Initializes a backend. 'auto' walks ORDER and keeps the first that works; a forced choice tries only that one
 * and throws if it fails (the caller asked for it explicitly).
 */
export async function initBackend(choice: BackendChoice = 'auto', opts: InitBackendOptions = {}): Promise<BackendInfo> {
  const load = opts.load ?? defaultLoader
  // PROD drops tfjs' debug checks and its "install tfjs-node" banner.
  tf.env().set('PROD', true)
  const candidates = choice === 'auto' ? ORDER : [choice]
  const skipped: BackendInfo['skipped'] = []
  for (const name of candidates) {
    try {
      // An injected loader (tests) has no real Dawn to probe in a child process.
      const adapter = await tryBackend(name, load, choice === 'auto', opts.load ? null : probeAdapters)
      let native: BackendInfo['native'] = undefined
      if (name === 'wasm') {
        const workers = opts.workers ?? 1
        setBlasThreads(opts.blasThreads ?? Math.max(1, Math.floor(cores() / workers)))
        native = nativeStatus()
      }
      current = { name, threads: threadsOf(name, native), workers: opts.workers ?? 1, skipped, ...(native ? { native } : {}), ...(adapter ? { adapter } : {}) }
      return current
    } catch (e) {
      skipped.push({ name, reason: reasonOf(e) })
    }
  }
  const why = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')
  throw new Error(`No tfjs backend could be initialized (${why})`)
}

/** The backend chosen by the last successful initBackend, or null. */
export function currentBackend(): BackendInfo | null {
  return current
}

/** One line for logs and the UI, e.g. "wasm (1 thread) — skipped tensorflow-gpu: Cannot find module …". */
export function describeBackend(info: BackendInfo | null = current): string {
  if (!info) return 'no backend initialized'
  const name = info.native?.available ? `${info.name} + ${info.native.library}${info.native.kernels ? ` ${info.native.kernels}` : ''}` : info.name
  const head = `${name} (${info.threads} thread${info.threads === 1 ? '' : 's'}, ${info.workers} worker${info.workers === 1 ? '' : 's'})`
  let why = info.native && !info.native.available ? `; native kernels off: ${info.native.reason}` : ''
  if (info.adapter) why += `; adapter ${describeAdapter(info.adapter)}`
  if (info.skipped.length === 0) return head + why
  return `${head}${why} — skipped ${info.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`
}
