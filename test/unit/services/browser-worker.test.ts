/**
 * The desktop app's webgpu route without Electron: services → pool → BrowserWorker → a MessagePort → the browser
 * training worker (gpu-trainer.ts, the code the hidden window runs), here in this process on tfjs' cpu backend
 * (Node has no navigator.gpu; the page on Chromium's WebGPU is tested in test/e2e/gpu-trainer.e2e.ts). The run
 * trains through the page, with its split prepared on main's side; cancel reaches the page as a message; the
 * page's checkpoints are written by main, and an interrupted run resumes in a new page to the uninterrupted numbers.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { MessageChannel } from 'node:worker_threads'
import { afterAll, describe, expect, it } from 'vitest'
import { createServices } from '../../../main/services/index.ts'
import { BrowserWorker } from '../../../main/workers/browserWorker.ts'
import { serveTrainer } from '../../../main/workers/gpu-trainer.ts'
import type { FromWorker, ToPage } from '../../../main/workers/protocol.ts'

const IRIS = resolve('resources/examples/iris.csv')
const tmp = mkdtempSync(join(tmpdir(), 'iunet-browser-worker-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** A "page" per worker: the real browser worker served on a Node MessageChannel; every message to it is recorded. */
function pages() {
  const sent: ToPage[] = []
  let opened = 0
  const open = () => {
    opened++
    const { port1, port2 } = new MessageChannel()
    const pagePort: { postMessage(m: unknown): void; onmessage: ((e: { data: unknown }) => void) | null } = {
      postMessage: (m) => port2.postMessage(m),
      onmessage: null
    }
    port2.on('message', (data: ToPage) => pagePort.onmessage?.({ data: data.type === 'init' ? { ...data, backend: 'cpu' } : data }))
    serveTrainer(pagePort)
    return new BrowserWorker({
      send: (m) => {
        sent.push(m)
        port1.postMessage(m)
      },
      onMessage: (fn) => port1.on('message', (m: FromWorker) => fn(m)),
      close: () => {
        port1.close()
        port2.close()
      }
    })
  }
  return { sent, open, opened: () => opened }
}

async function setUp(name: string) {
  const page = pages()
  const services = createServices({ dataDir: join(tmp, name), transport: 'websocket', backend: 'webgpu', gpuWorker: page.open })
  if (existsSync(join(tmp, name, 'datasets')) && services.store.datasets.list().length)
    return { services, page, config: null as never, dataDir: join(tmp, name) }
  const d = await services.call('datasets.import', { path: IRIS })
  const defaults = await services.call('runs.defaults', { datasetId: d.id, preset: 'quick' })
  return { services, page, config: { ...defaults, models: ['mlp' as const], seeds: 1, depth: 1, width: 16 }, dataDir: join(tmp, name) }
}

describe('webgpu tasks routed to a browser page (the desktop app path)', () => {
  it('trains a run in the page: one GPU worker, the split prepared on main, checkpoints asked for but no folder sent', async () => {
    const { services, page, config } = await setUp('a')
    try {
      const run = await services.call('runs.start', { ...config, epochs: 3 })
      await services.whenFinished(run.id)
      const detail = await services.call('runs.get', { id: run.id })
      expect(detail.error ?? null).toBeNull()
      expect(detail.status).toBe('finished')
      expect(detail.backend).toBe('cpu')
      expect(detail.aggregates[0]!.accuracy.mean).toBeGreaterThan(0.5)
      expect(page.opened()).toBe(1)
      const job = page.sent.find((m) => m.type === 'job')
      expect(job && job.type === 'job' && job.task.kind === 'train' && job.task.prepared.train.n).toBeGreaterThan(50)
      expect(job && job.type === 'job' && 'checkpointDir' in job.task).toBe(false)
      expect(job && job.type === 'job' && job.task.kind === 'train' && job.task.resumeFrom).toBeNull()
      expect(job && job.type === 'job' && job.task.kind === 'train' && job.task.checkpointEvery).toBeGreaterThan(0)
    } finally {
      await services.close()
    }
  }, 60_000)

  it('cancel reaches the page as a message and the run ends cancelled', async () => {
    const { services, page, config } = await setUp('b')
    try {
      const run = await services.call('runs.start', { ...config, epochs: 400 })
      await new Promise<void>((res) => services.bus.subscribe((e, p) => e === 'run.progress' && (p as { runId: string }).runId === run.id && res()))
      await services.call('runs.cancel', { id: run.id })
      await services.whenFinished(run.id)
      expect((await services.call('runs.get', { id: run.id })).status).toBe('cancelled')
      expect(page.sent.some((m) => m.type === 'cancel')).toBe(true)
    } finally {
      await services.close()
    }
  }, 60_000)

  it('an interrupted page run keeps its checkpoints on main and resumes in a new page to the uninterrupted numbers', async () => {
    const numbers = (d: { results: { trainSeconds: number; inferenceMsPerExample: number }[] }) =>
      d.results.map(({ trainSeconds: _t, inferenceMsPerExample: _i, ...rest }) => rest)
    // A long finetune: the stop reaches the page (its cancel flag is polled every 200 ms) well before the phase ends.
    const settings = { models: ['iunet' as const, 'mlp' as const], epochs: 20, finetuneEpochs: 300, patience: 0, compressions: [4] }
    const ref = await setUp('ref')
    let expected: ReturnType<typeof numbers>
    try {
      const run = await ref.services.call('runs.start', { ...ref.config, ...settings })
      await ref.services.whenFinished(run.id)
      const d = await ref.services.call('runs.get', { id: run.id })
      expect(d.status, d.error ?? '').toBe('finished')
      expected = numbers(d)
    } finally {
      await ref.services.close()
    }

    const first = await setUp('resumed')
    let id: string
    try {
      id = (await first.services.call('runs.start', { ...first.config, ...settings })).id
      // Stop inside the first task's second phase (after at least one periodic save inside a phase).
      await new Promise<void>((res) =>
        first.services.bus.subscribe((e, p) => {
          const q = p as { runId: string; phase: string; epoch: number }
          if (e === 'run.progress' && q.runId === id && q.phase === 'finetune' && q.epoch >= 12) res()
        })
      )
      await first.services.interruptAll()
      expect((await first.services.call('runs.get', { id })).status).toBe('interrupted')
      expect(first.page.sent.some((m) => m.type === 'cancel' && m.mode === 2)).toBe(true)
      const saved = readdirSync(join(first.dataDir, 'runs', id, 'checkpoints'), { recursive: true }).map(String)
      expect(saved.filter((f) => f.endsWith('state.ckpt'))).toEqual([join('iunet__seed0', 'state.ckpt')])
    } finally {
      await first.services.close()
    }

    const again = await setUp('resumed')
    const phases: string[] = []
    again.services.bus.subscribe((e, p) => {
      const q = p as { model: string; phase: string; epoch: number }
      if (e === 'run.progress' && q.model === 'iunet') phases.push(`${q.phase}@${q.epoch}`)
    })
    try {
      await again.services.call('runs.resume', { id })
      await again.services.whenFinished(id)
      const d = await again.services.call('runs.get', { id })
      expect(d.status, d.error ?? '').toBe('finished')
      const job = again.page.sent.find((m) => m.type === 'job' && m.task.kind === 'train' && m.task.model === 'iunet')
      // The new page started from the saved state, not from scratch.
      expect(job && job.type === 'job' && job.task.kind === 'train' && job.task.resumeFrom?.supernet).toBeTruthy()
      // ...and the page used it: no supernet epoch again, finetuning went on from where it stopped.
      expect(phases.filter((x) => x.startsWith('supernet@') && !x.endsWith('@0'))).toEqual([])
      expect(phases.find((x) => x.startsWith('finetune@'))).not.toBe('finetune@1')
      expect(numbers(d)).toEqual(expected)
      expect(existsSync(join(again.dataDir, 'runs', id, 'checkpoints'))).toBe(false)
    } finally {
      await again.services.close()
    }
  }, 120_000)
})
