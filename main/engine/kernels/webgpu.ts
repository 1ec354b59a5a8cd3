/**
 * WebGPU in Node through Dawn (npm `webgpu`, an optional dependency with prebuilt binaries), for
 * `@tensorflow/tfjs-backend-webgpu`.
 *
 * - Adapters: Dawn's default backend first (Vulkan on Linux, Metal, D3D12), then OpenGL ES (on a CPU-only Linux box:
 *   Mesa's llvmpipe, through EGL_PLATFORM=surfaceless), which only answers a `featureLevel: 'compatibility'` request.
 *   tfjs requests its adapter without one, so `navigator.gpu.requestAdapter` adds it.
 * - Software adapters (llvmpipe, SwiftShader, lavapipe, or flagged as a fallback) are correct but slow: `auto`
 *   refuses them; only a forced `webgpu` uses them.
 * - Synchronous reads: tfjs' webgpu readSync needs OffscreenCanvas, which Node lacks, and WebGPU maps buffers only
 *   asynchronously. Dawn completes a map inside its ProcessEvents, which it schedules through setImmediate; the
 *   function it schedules is captured when the device is created and called in a short loop until the staging buffer is mapped, so
 *   the engine's dataSync() works unchanged (one GPU→CPU round trip each, like any readback).
 * - Dawn cannot run inside Electron (dawn-gpu/node-webgpu#5: Electron forbids external buffers); there the desktop
 *   app would use Chromium's own navigator.gpu instead.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs-core'

export interface AdapterInfo {
  vendor: string
  architecture: string
  device: string
  description: string
  /** A CPU implementation (llvmpipe, SwiftShader, lavapipe) or an adapter flagged as a fallback. */
  software: boolean
  /** Dawn backend it was reached through: 'default' (Vulkan/Metal/D3D12) or 'opengles'. */
  via: string
}

type Loader = (specifier: string) => Promise<unknown>

const NO_ADAPTER =
  'no WebGPU adapter (Dawn found no Vulkan/Metal/D3D12 GPU and no OpenGL ES driver; on Debian: apt-get install libvulkan1, or libegl1 libgles2 libgl1-mesa-dri)'

const NO_HARDWARE = 'only a software adapter: no GPU device (/dev/dri, /dev/nvidia*, /dev/dxg)'

interface GpuAdapterLike {
  requestDevice(descriptor?: unknown): Promise<unknown>
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean }
  isFallbackAdapter?: boolean
}

interface GpuLike {
  requestAdapter(options?: Record<string, unknown>): Promise<GpuAdapterLike | null>
}

const SOFTWARE = /llvmpipe|softpipe|swiftshader|lavapipe|software rasteri[sz]er|microsoft basic render/i

/** Whether an adapter is a CPU implementation (never picked by `auto`). */
export function isSoftwareAdapter(info: Omit<AdapterInfo, 'software' | 'via'> & { isFallbackAdapter?: boolean }): boolean {
  if (info.isFallbackAdapter) return true
  return SOFTWARE.test([info.vendor, info.architecture, info.device, info.description].join(' '))
}

/** "llvmpipe-llvm-15… (OpenGL ES 3.2 Mesa 22.3.6), software, via opengles" */
export function describeAdapter(a: AdapterInfo): string {
  const name = [a.vendor, a.architecture, a.device].filter(Boolean).join(' ') || 'unnamed adapter'
  return `${name}${a.description ? ` (${a.description})` : ''}${a.software ? ', software' : ''}, via ${a.via}`
}

let pump: (() => void) | null = null
let chosen: { gpu: GpuLike; extra: Record<string, unknown>; info: AdapterInfo } | null = null

/** Runs `fn` while recording the native callback Dawn schedules through setImmediate (its ProcessEvents). */
async function capturingPump<T>(fn: () => Promise<T>): Promise<T> {
  const g = globalThis as unknown as { setImmediate: (cb: (...a: unknown[]) => void, ...rest: unknown[]) => unknown }
  const original = g.setImmediate
  g.setImmediate = function (this: unknown, cb: (...a: unknown[]) => void, ...rest: unknown[]) {
    if (!pump && typeof cb === 'function' && Function.prototype.toString.call(cb).includes('[native code]')) pump = () => cb()
    return original.call(this, cb, ...rest)
  } as typeof g.setImmediate
  try {
    return await fn()
  } finally {
    g.setImmediate = original
  }
}

function infoOf(adapter: GpuAdapterLike, via: string): AdapterInfo {
  const i = adapter.info ?? {}
  const base = { vendor: i.vendor ?? '', architecture: i.architecture ?? '', device: i.device ?? '', description: i.description ?? '' }
  return { ...base, software: isSoftwareAdapter({ ...base, isFallbackAdapter: i.isFallbackAdapter || adapter.isFallbackAdapter }), via }
}

/** Whether libvulkan.so.1 is in a usual library folder or on LD_LIBRARY_PATH. */
function vulkanLoaderPresent(): boolean {
  const dirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/lib64', '/usr/local/lib']
  for (const d of (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean).concat(dirs)) if (existsSync(path.join(d, 'libvulkan.so.1'))) return true
  return false
}

/**
 * Whether a GPU device node exists (Linux: /dev/dri render nodes for Mesa and AMD/Intel Vulkan, /dev/nvidia* for
 * NVIDIA, /dev/dxg under WSL2). Without one every adapter is a CPU one, which auto refuses: it need not load Dawn or
 * start the probe (a child process loading Dawn and creating adapters, ~0.4 s of CPU a worker). Elsewhere: true.
 */
export function gpuDevicePresent(): boolean {
  if (process.platform !== 'linux') return true
  const entries = (dir: string) => {
    try {
      return readdirSync(dir)
    } catch {
      return []
    }
  }
  return entries('/dev/dri').some((n) => /^(renderD|card)\d+$/.test(n)) || entries('/dev').some((n) => /^nvidia\d+$/.test(n) || n === 'dxg')
}

/** Dawn toggles to try, in order; IUNET_DAWN_FLAGS (comma-separated) replaces them with one attempt. */
function attempts(): { via: string; flags: string[]; extra: Record<string, unknown> }[] {
  const env = process.env.IUNET_DAWN_FLAGS
  if (env) return [{ via: env, flags: env.split(',').filter(Boolean), extra: { featureLevel: 'compatibility' } }]
  // Without the Vulkan loader Dawn's default backend on Linux only prints a warning: skip it.
  return [
    ...(process.platform !== 'linux' || vulkanLoaderPresent() ? [{ via: 'default', flags: [], extra: {} }] : []),
    { via: 'opengles', flags: ['backend=opengles'], extra: { featureLevel: 'compatibility' } }
  ]
}

/** Adapters Dawn reports, as seen by probeAdapters. */
export type ProbedAdapter = Omit<AdapterInfo, 'software'> & { isFallbackAdapter?: boolean }

const PROBE_ENV = 'IUNET_WEBGPU_PROBE'
const PROBE_SCRIPT = `
const { create } = require(process.env.IUNET_WEBGPU_MODULE)
const tries = JSON.parse(process.env.IUNET_WEBGPU_TRIES)
;(async () => {
  const out = []
  for (const t of tries) {
    try {
      const a = await create(t.flags).requestAdapter({ powerPreference: 'high-performance', ...t.extra })
      const i = (a && a.info) || {}
      if (a) out.push({ via: t.via, vendor: i.vendor || '', architecture: i.architecture || '', device: i.device || '', description: i.description || '', isFallbackAdapter: !!(i.isFallbackAdapter || a.isFallbackAdapter) })
    } catch {}
  }
  process.stdout.write('IUNET_PROBE ' + JSON.stringify(out) + '\\n')
  process.exit(0)
})()
`

/**
 * Which adapters Dawn finds, asked in a short-lived child process. A Dawn instance created in this process lives
 * until it exits, and terminating worker threads that held one crashed the whole process (SIGSEGV at pool close,
 * about one run in two here); so `auto` creates an instance only where the child saw a hardware adapter, and a
 * CPU-only machine never hosts Dawn unless webgpu is forced. The answer is kept in the environment, which worker
 * threads started later inherit. Null when the probe itself could not run.
 */
export function probeAdapters(): ProbedAdapter[] | null {
  const cached = process.env[PROBE_ENV]
  if (cached) return JSON.parse(cached) as ProbedAdapter[]
  let modulePath: string
  try {
    modulePath = createRequire(import.meta.url).resolve('webgpu')
  } catch {
    return null
  }
  const env: NodeJS.ProcessEnv = { ...process.env, IUNET_WEBGPU_MODULE: modulePath, IUNET_WEBGPU_TRIES: JSON.stringify(attempts()) }
  if (process.platform === 'linux' && !env.EGL_PLATFORM) env.EGL_PLATFORM = 'surfaceless'
  // ELECTRON_RUN_AS_NODE: inside Electron, execPath is Electron itself.
  const r = spawnSync(process.execPath, ['-e', PROBE_SCRIPT], { env: { ...env, ELECTRON_RUN_AS_NODE: '1' }, encoding: 'utf8', timeout: 30_000 })
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('IUNET_PROBE '))
  if (!line) return null
  process.env[PROBE_ENV] = line.slice('IUNET_PROBE '.length)
  return JSON.parse(process.env[PROBE_ENV]) as ProbedAdapter[]
}

/**
 * Loads Dawn and finds an adapter; with `hardwareOnly` (auto) a software adapter is refused — decided by
 * `probe` (probeAdapters; null for an injected loader, as in tests) before any Dawn instance exists here. Throws
 * with the reason when there is none. Installs navigator.gpu and the WebGPU globals for tfjs-backend-webgpu.
 */
export async function openAdapter(load: Loader, hardwareOnly: boolean, probe: (() => ProbedAdapter[] | null) | null = null): Promise<AdapterInfo> {
  if (process.versions.electron) {
    throw new Error('Dawn (npm webgpu) cannot run inside Electron (dawn-gpu/node-webgpu#5); use the CLI or server for WebGPU')
  }
  if (!chosen) {
    // Decided before Dawn loads here (its load alone costs a worker ~0.1 s): a real run (the probe given) on a
    // machine without a GPU device cannot find a hardware adapter; elsewhere the probe says which adapters exist.
    if (hardwareOnly && probe && !gpuDevicePresent()) throw new Error(`${NO_HARDWARE} (used only when forced: --backend webgpu)`)
    const seen = hardwareOnly && probe ? probe() : null
    if (seen && !seen.some((a) => !isSoftwareAdapter(a))) {
      if (seen.length) {
        const names = seen.map((a) => describeAdapter({ ...a, software: true }))
        throw new Error(`only a software adapter: ${names.join('; ')} (used only when forced: --backend webgpu)`)
      }
      throw new Error(NO_ADAPTER)
    }
    // Mesa's EGL needs no display for compute; without this it looks for X11/Wayland and finds none.
    if (process.platform === 'linux' && !process.env.EGL_PLATFORM) process.env.EGL_PLATFORM = 'surfaceless'
    const dawn = (await load('webgpu')) as { create(flags: string[]): GpuLike; globals: Record<string, unknown> }
    if (typeof dawn.create !== 'function') throw new Error('the webgpu package has no create()')
    const found: string[] = []
    for (const a of attempts()) {
      const picked = await capturingPump(async () => {
        const gpu = dawn.create(a.flags)
        const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance', ...a.extra })
        return adapter ? { gpu, info: infoOf(adapter, a.via) } : null
      })
      if (!picked) continue
      found.push(describeAdapter(picked.info))
      if (picked.info.software && hardwareOnly) continue
      chosen = { gpu: picked.gpu, extra: a.extra, info: picked.info }
      break
    }
    if (!chosen) {
      if (found.length) throw new Error(`only a software adapter: ${found.join('; ')} (used only when forced: --backend webgpu)`)
      throw new Error(NO_ADAPTER)
    }
    Object.assign(globalThis, dawn.globals)
    const { gpu, extra } = chosen
    const navigatorGpu = {
      // Dawn first schedules its event processing while creating a device: capture it there.
      requestAdapter: async (options?: Record<string, unknown>) => {
        const adapter = await gpu.requestAdapter({ ...options, ...extra })
        if (!adapter) return null
        const requestDevice = adapter.requestDevice.bind(adapter)
        adapter.requestDevice = (descriptor?: unknown) => capturingPump(() => requestDevice(descriptor))
        return adapter
      },
      getPreferredCanvasFormat: () => 'rgba8unorm',
      wgslLanguageFeatures: new Set<string>()
    }
    const g = globalThis as unknown as { navigator?: Record<string, unknown> }
    if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: navigatorGpu, configurable: true })
    else Object.defineProperty(globalThis, 'navigator', { value: { gpu: navigatorGpu }, configurable: true, writable: true })
  } else if (chosen.info.software && hardwareOnly) {
    throw new Error(`only a software adapter: ${describeAdapter(chosen.info)} (used only when forced: --backend webgpu)`)
  }
  return chosen.info
}

/** The adapter opened by openAdapter, or null. */
export function currentAdapter(): AdapterInfo | null {
  return chosen?.info ?? null
}

interface TensorData {
  values: unknown
  dtype: string
  resource: { size: number } | null
}

interface WebGpuBackendLike {
  tensorMap: { get(id: object): TensorData }
  bufferManager: { acquireBuffer(size: number, usage: number): StagingBuffer; releaseBuffer(b: StagingBuffer): void }
  commandEncoder: { copyBufferToBuffer(src: unknown, so: number, dst: unknown, dof: number, size: number): void }
  ensureCommandEncoderReady(): void
  endComputePassEncoder(): void
  submitQueue(): void
  convertAndCacheOnCPU(id: object, values: unknown): unknown
  readSync(id: object): unknown
  iunetSyncRead?: boolean
}

interface StagingBuffer {
  mapState: string
  mapAsync(mode: number): Promise<void>
  getMappedRange(): ArrayBuffer
  unmap(): void
}

/** Longest a synchronous read may wait for the GPU (a long queue of work on a software adapter). */
const READ_TIMEOUT_MS = 600_000

/**
 * Gives the active webgpu backend a synchronous read that works in Node: copy to a staging buffer, map it, and
 * run Dawn's event processing until the map completes. Values are cached on the CPU, as tfjs' async read does.
 */
export function installSyncRead(): void {
  if (typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas !== 'undefined') return
  const backend = tf.backend() as unknown as WebGpuBackendLike
  if (backend.iunetSyncRead) return
  if (!pump) throw new Error('webgpu: Dawn event processing was not captured; synchronous reads are unavailable')
  const run = pump
  const original = backend.readSync.bind(backend)
  const usage = (globalThis as unknown as { GPUBufferUsage: { COPY_DST: number; MAP_READ: number } }).GPUBufferUsage
  const mapRead = (globalThis as unknown as { GPUMapMode: { READ: number } }).GPUMapMode.READ
  backend.readSync = function (dataId: object) {
    const td = this.tensorMap.get(dataId)
    if (td.values != null || td.dtype === 'string' || td.dtype === 'complex64' || !td.resource) return original(dataId)
    const size = td.resource.size
    const staging = this.bufferManager.acquireBuffer(size, usage.COPY_DST | usage.MAP_READ)
    this.ensureCommandEncoderReady()
    this.endComputePassEncoder()
    this.commandEncoder.copyBufferToBuffer(td.resource, 0, staging, 0, size)
    this.submitQueue()
    let failed: unknown = null
    staging.mapAsync(mapRead).catch((e: unknown) => (failed = e))
    const t0 = Date.now()
    while (staging.mapState === 'pending') {
      run()
      if (Date.now() - t0 > READ_TIMEOUT_MS) throw new Error('webgpu: a synchronous read timed out')
    }
    if (staging.mapState !== 'mapped') throw new Error(`webgpu: mapping a staging buffer failed${failed ? `: ${String(failed)}` : ''}`)
    const data = staging.getMappedRange().slice(0)
    staging.unmap()
    this.bufferManager.releaseBuffer(staging)
    const values = tf.util.convertBackendValuesAndArrayBuffer(data, td.dtype as tf.DataType)
    this.convertAndCacheOnCPU(dataId, values)
    return values
  }
  backend.iunetSyncRead = true
}
