/**
 * The desktop app's GPU path, tested in Debian's Chromium: the browser training worker (renderer/gpu-trainer.html,
 * built by vite.gpu-trainer.config.ts) served by the real server from 127.0.0.1, on Chromium's own WebGPU
 * (headless with --enable-unsafe-webgpu: SwiftShader, a software adapter, on a CPU-only machine). Quick runs
 * (iris MLP and IUNet, the 8×8 digits CNN) trained in the page over the worker protocol must agree with the Node
 * engine on the same data and seed:
 * first-epoch loss within 1e-3 relative, test accuracy within 2 test rows. A stopped job's checkpoint resumes in
 * the page to the uninterrupted result. `auto` in the page refuses the software adapter.
 */
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Page } from 'playwright-core'
import { build } from 'vite'
import type { ModelKind, RunConfig } from '../../main/contract/index.ts'
import { initBackend } from '../../main/engine/backend.ts'
import { runJob } from '../../main/engine/pipeline.ts'
import { defaultRunConfig, splitRange } from '../../main/contract/index.ts'
import type { PreparedData } from '../../main/engine/types.ts'
import { createServices, type Services } from '../../main/services/index.ts'
import { startServer, type ServerHandle } from '../../main/transports/server.ts'
import { GPU_TRAINER_PORT } from '../../main/contract/gpuPort.ts'
import type { FromWorker } from '../../main/workers/protocol.ts'
import { loadDigits } from '../unit/engine-method/digits.ts'
import { loadIris } from '../unit/engine-method/iris.ts'
import { CHROMIUM } from './harness.ts'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const data = loadIris(1)
const digits = loadDigits(1, 120)
const digitsConfig: RunConfig = {
  datasetId: 'digits',
  ...defaultRunConfig('quick', { kind: 'image', rows: 120, nFeatures: 64, imageShape: [8, 8, 1] }),
  seeds: 1,
  epochs: 1,
  finetuneEpochs: 1,
  batchSize: 64,
  compressions: [4]
}
const config: RunConfig = {
  datasetId: 'iris',
  ...defaultRunConfig('quick', { kind: 'tabular', rows: 150, nFeatures: 4, imageShape: null }),
  seeds: 1,
  epochs: 3,
  finetuneEpochs: 2,
  depth: 2,
  width: 32,
  compressions: [4]
}

/** PreparedData as plain JSON for page.evaluate (typed arrays rebuilt in the page). */
function plain(d: PreparedData) {
  const split = (s: PreparedData['train']) => ({ x: Array.from(splitRange(s, 0, s.n)), y: Array.from(s.y), n: s.n })
  return { ...d, numericMask: Array.from(d.numericMask), train: split(d.train), val: split(d.val), test: split(d.test) }
}

interface Outcome {
  firstLoss: number
  accuracy: number
}

async function nodeRun(model: ModelKind, d = data, cfg = config): Promise<Outcome> {
  await initBackend('wasm')
  const losses: number[] = []
  const r = await runJob(
    { model, seed: 1, config: cfg, data: d },
    { onProgress: (p) => p.metrics && losses.push(p.metrics.trainLoss), isCancelled: () => false }
  )
  return { firstLoss: losses[0]!, accuracy: r.results[0]!.accuracy }
}

/** Opens the trainer page, hands it a MessagePort and initializes `backend`; messages collect in window.__msgs. */
async function openTrainer(url: string, backend: string): Promise<{ page: Page; ready: FromWorker }> {
  const page = await browser.newPage()
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`)
    // tfjs warns on a synchronous GPU read: the engine must not make one in the page (headless they return zeros).
    if (/synchronously reading/i.test(m.text())) problems.push(`sync GPU read: ${m.text()}`)
  })
  await page.goto(url)
  await page.waitForSelector('html[data-trainer="ready"]', { state: 'attached' })
  const ready = await page.evaluate(
    ([tag, choice]) =>
      new Promise<FromWorker>((res) => {
        const w = window as unknown as { __msgs: FromWorker[]; __port: MessagePort }
        const ch = new MessageChannel()
        w.__msgs = []
        w.__port = ch.port1
        ch.port1.onmessage = (e) => {
          w.__msgs.push(e.data)
          if (e.data.type === 'ready' || e.data.type === 'init-failed') res(e.data)
        }
        window.postMessage(tag, '*', [ch.port2])
        ch.port1.postMessage({ type: 'init', backend: choice })
      }),
    [GPU_TRAINER_PORT, backend] as const
  )
  return { page, ready }
}

/** Sends one train job to the page and waits for its result; returns the first-epoch loss and test accuracy. */
async function browserRun(page: Page, model: ModelKind, jobId: number, d = data, cfg = config): Promise<Outcome & { messages: string[] }> {
  return page.evaluate(
    ([d, cfg, m, id]) =>
      new Promise<Outcome & { messages: string[] }>((res, rej) => {
        const w = window as unknown as { __port: MessagePort }
        const split = (s: { x: number[]; y: number[]; n: number }) => ({ x: Float32Array.from(s.x), y: Int32Array.from(s.y), n: s.n })
        const prepared = { ...d, numericMask: Uint8Array.from(d.numericMask), train: split(d.train), val: split(d.val), test: split(d.test) }
        const losses: number[] = []
        const seen: string[] = []
        w.__port.onmessage = (e) => {
          const msg = e.data
          seen.push(msg.type)
          if (msg.jobId !== id) return
          if (msg.type === 'progress' && msg.progress.metrics) losses.push(msg.progress.metrics.trainLoss)
          if (msg.type === 'result') res({ firstLoss: losses[0]!, accuracy: msg.result.result.results[0].accuracy, messages: seen })
          if (msg.type === 'error') rej(new Error(msg.message))
        }
        const task = { kind: 'train', datasetDir: '', schema: null, config: cfg, model: m, seed: 1, prepared }
        w.__port.postMessage({ type: 'job', jobId: id, task })
      }),
    [plain(d), cfg, model, jobId] as const
  )
}

let services: Services
let server: ServerHandle
let browser: Browser
let dataDir: string
const problems: string[] = []

beforeAll(async () => {
  // test:e2e builds the renderer (electron-vite build empties out/renderer); the trainer is built into it here.
  await build({ configFile: resolve('vite.gpu-trainer.config.ts'), logLevel: 'error' })
  dataDir = mkdtempSync(join(tmpdir(), 'iunet-gpu-e2e-'))
  services = createServices({ dataDir, transport: 'websocket', workers: 1 })
  server = await startServer(services, { rendererDir: resolve('out/renderer'), port: 0 })
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--no-first-run']
  })
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
  await services?.close()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

describe('GPU trainer page (Chromium WebGPU, served from 127.0.0.1)', () => {
  it('trains the MLP, IUNet and the CNN in the page on webgpu and agrees with the Node engine', async () => {
    const url = new URL('/gpu-trainer.html', server.url).href
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//)
    const { page, ready } = await openTrainer(url, 'webgpu')
    expect(ready.type, JSON.stringify(ready)).toBe('ready')
    if (ready.type !== 'ready') return
    expect(ready.backend.name).toBe('webgpu')
    expect(ready.backend.adapter).toMatchObject({ via: 'browser' })
    console.log(`browser adapter: ${JSON.stringify(ready.backend.adapter)}`)
    const cases = [
      ['mlp', data, config],
      ['iunet', data, config],
      ['cnn', digits, digitsConfig]
    ] as const
    for (const [i, [model, d, cfg]] of cases.entries()) {
      const inPage = await browserRun(page, model, i + 1, d, cfg)
      const node = await nodeRun(model, d, cfg)
      const rel = Math.abs(inPage.firstLoss - node.firstLoss) / Math.abs(node.firstLoss)
      console.log(
        `${model}: first-epoch loss node/wasm ${node.firstLoss.toFixed(6)} browser/webgpu ${inPage.firstLoss.toFixed(6)} (rel ${rel.toExponential(2)}); accuracy ${node.accuracy.toFixed(4)} vs ${inPage.accuracy.toFixed(4)} on ${d.test.n} test rows`
      )
      expect(inPage.messages).toContain('data')
      expect(Number.isFinite(inPage.firstLoss)).toBe(true)
      expect(rel).toBeLessThan(1e-3)
      expect(Math.abs(inPage.accuracy - node.accuracy) * d.test.n).toBeLessThanOrEqual(2 + 1e-9)
    }
    await page.close()
    expect(problems).toEqual([])
  })

  it('checkpoints in the page: a stop posts the saved state, and a job given it resumes to the uninterrupted result', async () => {
    const { page, ready } = await openTrainer(new URL('/gpu-trainer.html', server.url).href, 'webgpu')
    expect(ready.type).toBe('ready')
    const cfg = { ...config, epochs: 4, finetuneEpochs: 5, patience: 0 }
    type Ended = { ok: boolean; cancelled?: boolean; error?: string; results?: unknown; checkpoints: number; last: unknown; supernetEpochs: number[] }
    const out = await page.evaluate(
      ([d, cfg]) => {
        const w = window as unknown as { __port: MessagePort }
        const split = (s: { x: number[]; y: number[]; n: number }) => ({ x: Float32Array.from(s.x), y: Int32Array.from(s.y), n: s.n })
        const prepared = { ...d, numericMask: Uint8Array.from(d.numericMask), train: split(d.train), val: split(d.val), test: split(d.test) }
        const task = { kind: 'train', datasetDir: '', schema: null, config: cfg, model: 'iunet', seed: 1, prepared, checkpointEvery: 2 }
        // One job; stops it (mode 2) at finetune epoch 3 when asked. Checkpoints stay in the page (the last one kept).
        const run = (id: number, extra: Record<string, unknown>, stop: boolean) =>
          new Promise<Ended>((res) => {
            const e: Ended = { ok: false, checkpoints: 0, last: null, supernetEpochs: [] }
            w.__port.onmessage = (ev) => {
              const m = ev.data
              if (m.jobId !== id) return
              if (m.type === 'checkpoint') {
                e.checkpoints++
                e.last = m.checkpoint
              }
              if (m.type === 'progress' && m.progress.phase === 'supernet' && m.progress.epoch > 0) e.supernetEpochs.push(m.progress.epoch)
              if (stop && m.type === 'progress' && m.progress.phase === 'finetune' && m.progress.epoch === 3)
                w.__port.postMessage({ type: 'cancel', jobId: id, mode: 2 })
              if (m.type === 'result')
                res({
                  ...e,
                  ok: true,
                  results: m.result.result.results.map((r: Record<string, unknown>) => ({ ...r, trainSeconds: 0, inferenceMsPerExample: 0 }))
                })
              if (m.type === 'error') res({ ...e, cancelled: m.cancelled, error: m.message })
            }
            w.__port.postMessage({ type: 'job', jobId: id, task: { ...task, ...extra } })
          })
        return (async () => {
          const ref = await run(21, {}, false)
          const stopped = await run(22, {}, true)
          const resumed = await run(23, { resumeFrom: stopped.last }, false)
          const last = stopped.last as { fit: { phase: string } | null; supernet: { trained: unknown } | null } | null
          return {
            ref,
            stopped: { ...stopped, last: null, lastPhase: last?.fit?.phase ?? null, supernetIsMap: last?.supernet?.trained instanceof Map },
            resumed: { ...resumed, last: null }
          }
        })()
      },
      [plain(data), cfg] as const
    )
    expect(out.ref.ok, out.ref.error).toBe(true)
    expect(out.ref.checkpoints).toBeGreaterThan(2)
    // The stop ends the job as cancelled after posting a checkpoint of the finetune phase in progress.
    expect(out.stopped).toMatchObject({ ok: false, cancelled: true, lastPhase: 'finetune', supernetIsMap: true })
    // The resumed job trains no supernet epoch again and ends where the uninterrupted one did.
    expect(out.resumed.ok).toBe(true)
    expect(out.resumed.supernetEpochs).toEqual([])
    expect(out.resumed.results).toEqual(out.ref.results)
    await page.close()
    expect(problems).toEqual([])
  })

  it('auto refuses a software adapter in the page (cpu instead, with the reason)', async () => {
    const { page, ready } = await openTrainer(new URL('/gpu-trainer.html', server.url).href, 'auto')
    expect(ready.type).toBe('ready')
    if (ready.type !== 'ready') return
    const forced = await page.evaluate(async () => {
      const a = await (
        navigator as unknown as { gpu: { requestAdapter(): Promise<{ info: { isFallbackAdapter?: boolean; architecture: string } } | null> } }
      ).gpu.requestAdapter()
      return a ? { fallback: !!a.info.isFallbackAdapter, arch: a.info.architecture } : null
    })
    if (forced && (forced.fallback || /swiftshader|llvmpipe/i.test(forced.arch))) {
      expect(ready.backend.name).toBe('cpu')
      expect(ready.backend.skipped.find((s) => s.name === 'webgpu')?.reason).toMatch(/only a software adapter/)
    } else expect(ready.backend.name).toBe('webgpu')
    await page.close()
    expect(problems).toEqual([])
  })
})
