/**
 * The one job host (main/workers/jobHost.ts) through both of its adapters, in this process on tfjs' cpu backend:
 * the Node worker's (nodeHost.ts: data folder, shared cancel flag, checkpoints written to a folder) and the page's
 * (gpu-trainer.ts: prepared split, 'cancel' messages, checkpoints posted to main). Checked: the probe and its
 * checksum, each CancelCode read from either transport, checkpoint-and-stop (a checkpoint of the phase in progress,
 * then the job ends cancelled; without checkpoints a stop ends it like a cancel), and that both hosts train the same
 * task to identical numbers.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultRunConfig, type RunConfig } from '../../../main/contract/index.ts'
import { loadSource, loadTable, prepare, saveTable } from '../../../main/data/index.ts'
import { initBackend } from '../../../main/engine/backend.ts'
import type { TaskCheckpoint } from '../../../main/engine/types.ts'
import { loadTaskCheckpoint } from '../../../main/workers/checkpoint.ts'
import { pageAdapter } from '../../../main/workers/gpu-trainer.ts'
import { serveJobs, type HostAdapter, type HostedTrainTask } from '../../../main/workers/jobHost.ts'
import { nodeHostAdapter } from '../../../main/workers/nodeHost.ts'
import { CancelCode, type FromPage, type PreparedTrainTask, type ToHost, type TrainTask } from '../../../main/workers/protocol.ts'

const tmp = mkdtempSync(join(tmpdir(), 'iunet-job-host-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

let task: TrainTask
let table: Awaited<ReturnType<typeof loadTable>>
beforeAll(async () => {
  await initBackend('cpu')
  const iris = resolve('resources/examples/iris.csv')
  const source = await loadSource(iris, { path: iris })
  await saveTable(join(tmp, 'iris'), source.table)
  table = await loadTable(join(tmp, 'iris'))
  const config: RunConfig = {
    datasetId: 'iris',
    ...defaultRunConfig('quick', { kind: 'tabular', rows: 150, nFeatures: 4, imageShape: null }),
    models: ['mlp'],
    seeds: 1,
    depth: 1,
    width: 16,
    epochs: 4,
    finetuneEpochs: 2,
    patience: 0
  }
  task = { kind: 'train', datasetDir: join(tmp, 'iris'), schema: source.schema, config, model: 'mlp', seed: 1 }
})

/**
 * A host served on a direct port: every message it sends is recorded, and `onSend` sees each one as it is sent (from
 * inside the engine's loop, so a stop set there is seen at the engine's next poll, deterministically).
 */
function host<T extends HostedTrainTask>(adapter: HostAdapter<T>, onSend: (m: FromPage) => void = () => undefined) {
  const sent: FromPage[] = []
  let deliver!: (m: ToHost<T>) => void
  serveJobs<T>({ send: (m) => (sent.push(m), onSend(m)), onMessage: (fn) => (deliver = fn) }, adapter)
  const ended = (jobId: number) =>
    new Promise<FromPage>((res) => {
      const poll = () => {
        const end = sent.find((m) => (m.type === 'result' || m.type === 'error') && m.jobId === jobId)
        if (end) res(end)
        else setTimeout(poll, 5)
      }
      poll()
    })
  return { sent, deliver: (m: ToHost<T>) => deliver(m), ended }
}

const flagOf = () => new SharedArrayBuffer(4)
const setFlag = (flag: SharedArrayBuffer, code: CancelCode) => Atomics.store(new Int32Array(flag), 0, code)
const numbers = (m: FromPage) => {
  if (m.type !== 'result' || m.result.kind !== 'train') throw new Error(`expected a train result, got ${JSON.stringify(m).slice(0, 300)}`)
  return m.result.result.results.map(({ trainSeconds: _t, inferenceMsPerExample: _i, ...rest }) => rest)
}
const pageTask = (t: TrainTask, extra: Partial<PreparedTrainTask> = {}): PreparedTrainTask => {
  const { checkpointDir: _dir, ...rest } = t
  return { ...rest, prepared: prepare(table, t.schema, t.config.split, t.seed, { maxRows: t.config.maxRows ?? undefined, fold: t.fold }), ...extra }
}

describe('the job host', () => {
  it('CancelCode: run 0, cancel 1, checkpoint-and-stop 2 (the values an Int32 flag carries)', () => {
    expect(CancelCode).toEqual({ run: 0, cancel: 1, checkpointAndStop: 2 })
  })

  it.each(['flag', 'message'] as const)('probe: progress per step and the backend checksum; a cancel by %s ends it cancelled', async (via) => {
    const h = host(nodeHostAdapter())
    h.deliver({ type: 'init', backend: 'cpu' })
    h.deliver({ type: 'job', jobId: 1, task: { kind: 'probe', steps: 3, delayMs: 1 }, cancelFlag: via === 'flag' ? flagOf() : undefined })
    // ones(8×8)·fill(8×8, 3) summed = 8·8·8·3 (the last step's product).
    expect(await h.ended(1)).toEqual({ type: 'result', jobId: 1, result: { kind: 'probe', result: { steps: 3, checksum: 1536 } } })
    expect(h.sent.filter((m) => m.type === 'progress').length).toBe(3)
    expect(h.sent.find((m) => m.type === 'ready')).toMatchObject({ backend: { name: 'cpu' } })

    const flag = flagOf()
    h.deliver({ type: 'job', jobId: 2, task: { kind: 'probe', steps: 1000, delayMs: 2 }, cancelFlag: via === 'flag' ? flag : undefined })
    while (!h.sent.some((m) => m.type === 'progress' && m.jobId === 2)) await new Promise((r) => setTimeout(r, 2))
    if (via === 'flag') setFlag(flag, CancelCode.cancel)
    else h.deliver({ type: 'cancel', jobId: 2, mode: CancelCode.cancel })
    expect(await h.ended(2)).toMatchObject({ type: 'error', jobId: 2, cancelled: true })
    expect(h.sent.filter((m) => m.type === 'progress' && m.jobId === 2).length).toBeLessThan(1000)
  })

  it('an init the backend refuses answers init-failed with the reason', async () => {
    const h = host({ ...nodeHostAdapter(), initBackend: () => Promise.reject(new Error('no such backend here')) })
    h.deliver({ type: 'init', backend: 'webgpu' })
    await new Promise((r) => setTimeout(r, 10))
    expect(h.sent).toEqual([{ type: 'init-failed', message: 'no such backend here' }])
  })

  it('trains the same task to identical numbers in the Node host and the page host', async () => {
    const node = host(nodeHostAdapter())
    node.deliver({ type: 'job', jobId: 1, task, cancelFlag: flagOf() })
    const page = host(pageAdapter(() => undefined))
    page.deliver({ type: 'job', jobId: 1, task: pageTask(task) })
    const [a, b] = [await node.ended(1), await page.ended(1)]
    expect(numbers(a).length).toBe(1)
    expect(numbers(b)).toEqual(numbers(a))
    for (const h of [node, page]) expect(h.sent.find((m) => m.type === 'data')).toMatchObject({ data: { classNames: expect.any(Array), trainRows: 105 } })
  })
})

describe('checkpoint-and-stop through both adapters', () => {
  const long = () => ({ ...task, config: { ...task.config, epochs: 400 }, checkpointEvery: 1 })
  /** Stops the job once it has trained `epoch` epochs, from inside the engine's progress callback. */
  const stopAt = (epoch: number, stop: () => void) => (m: FromPage) => {
    if (m.type === 'progress' && m.progress.metrics && m.progress.epoch === epoch) stop()
  }

  it('Node worker (shared flag, checkpoint written to its folder): saves the phase in progress, ends cancelled', async () => {
    const flag = flagOf()
    const dir = join(tmp, 'ck-node')
    const h = host(
      nodeHostAdapter(),
      stopAt(3, () => setFlag(flag, CancelCode.checkpointAndStop))
    )
    h.deliver({ type: 'job', jobId: 7, task: { ...long(), checkpointDir: dir }, cancelFlag: flag })
    expect(await h.ended(7)).toMatchObject({ type: 'error', cancelled: true })
    const saved = loadTaskCheckpoint(dir)
    expect(saved?.fit).toMatchObject({ phase: 'train' })
    expect(saved?.fit?.state.epoch).toBeGreaterThanOrEqual(3)
    expect(saved?.fit?.state.epoch).toBeLessThan(400)
  })

  it('page (cancel message, checkpoints posted to main): posts the phase in progress, ends cancelled', async () => {
    const posted: TaskCheckpoint[] = []
    const h = host(
      pageAdapter((m) => m.type === 'checkpoint' && posted.push(m.checkpoint)),
      stopAt(3, () => h.deliver({ type: 'cancel', jobId: 8, mode: CancelCode.checkpointAndStop }))
    )
    h.deliver({ type: 'job', jobId: 8, task: pageTask(long()) })
    expect(await h.ended(8)).toMatchObject({ type: 'error', cancelled: true })
    expect(posted.at(-1)?.fit).toMatchObject({ phase: 'train' })
    expect(posted.at(-1)?.fit?.state.epoch).toBeLessThan(400)
  })

  it.each(['flag', 'message'] as const)('a job without checkpoints ends at a stop by %s like a cancel (nothing saved)', async (via) => {
    const flag = flagOf()
    const h = host(
      nodeHostAdapter(),
      stopAt(3, () =>
        via === 'flag' ? setFlag(flag, CancelCode.checkpointAndStop) : h.deliver({ type: 'cancel', jobId: 9, mode: CancelCode.checkpointAndStop })
      )
    )
    const { checkpointEvery: _e, ...plain } = long()
    h.deliver({ type: 'job', jobId: 9, task: plain, cancelFlag: via === 'flag' ? flag : undefined })
    const end = await h.ended(9)
    expect(end).toMatchObject({ type: 'error', cancelled: true })
    const epochs = h.sent.filter((m) => m.type === 'progress' && m.progress.metrics).length
    expect(epochs).toBeLessThan(10)
    expect(h.sent.some((m) => m.type === 'checkpoint')).toBe(false)
  })
})
