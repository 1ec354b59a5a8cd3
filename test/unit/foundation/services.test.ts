import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createServices, type Services } from '../../../main/services/index.ts'

let dir: string
let services: Services
const IRIS = resolve('resources/examples/iris.csv')

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'iunet-services-'))
  services = createServices({ dataDir: join(dir, 'data'), transport: 'websocket', workers: 1 })
})
afterAll(async () => {
  await services.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('services', () => {
  it('imports a dataset once and detects the same file again', async () => {
    const d = await services.call('datasets.import', { path: IRIS })
    expect(d).toMatchObject({ rows: 150, classes: 3, target: 'species', kind: 'tabular' })
    const again = await services.handle('datasets.import', { path: IRIS })
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict' } })
    expect((await services.call('datasets.list', {})).length).toBe(1)
  })

  it("stores an upload under the user's file name, never outside the uploads folder", async () => {
    const { path } = await services.call('datasets.upload', { name: '../../evil name.csv', data: Buffer.from('a,b\n1,2\n').toString('base64') })
    expect(path.startsWith(join(dir, 'data', 'uploads'))).toBe(true)
    expect(path.endsWith('/evil name.csv')).toBe(true)
    expect(readFileSync(path, 'utf8')).toBe('a,b\n1,2\n')
  })

  it('assembles a chunked upload and refuses a chunk at the wrong offset', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64')
    const first = await services.call('datasets.upload', { name: 'parts.csv', data: b64('a,b\n'), done: false })
    expect(first.received).toBe(4)
    const bad = await services.handle('datasets.upload', { name: 'parts.csv', data: b64('9,9\n'), uploadId: first.uploadId, offset: 2 })
    expect(bad).toMatchObject({ ok: false, error: { code: 'conflict' } })
    const last = await services.call('datasets.upload', { name: 'parts.csv', data: b64('1,2\n'), uploadId: first.uploadId, offset: 4 })
    expect(last.path).toBe(first.path)
    expect(readFileSync(last.path, 'utf8')).toBe('a,b\n1,2\n')
    const unknown = await services.handle('datasets.upload', { name: 'x.csv', data: '', uploadId: '../../../etc', offset: 1 })
    expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
  })

  it('a bad file changes nothing already stored', async () => {
    const before = await services.call('datasets.list', {})
    const storedDirs = readdirSync(join(dir, 'data', 'datasets'))
    const bad = join(dir, 'one-class.csv')
    writeFileSync(bad, 'a,b,label\n1,2,x\n3,4,x\n5,6,x\n')
    const r = await services.handle('datasets.import', { path: bad })
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.error.code).toBe('invalid-data')
      expect(r.error.message).toMatch(/class/i)
    }
    expect(await services.call('datasets.list', {})).toEqual(before)
    expect(readdirSync(join(dir, 'data', 'datasets'))).toEqual(storedDirs)
  })

  it('saves schema edits and rejects impossible ones', async () => {
    const [d] = await services.call('datasets.list', {})
    const edited = await services.call('datasets.update', { id: d!.id, columns: [{ name: 'sepal width (cm)', role: 'ignore' }] })
    expect(edited.features).toBe(3)
    const bad = await services.handle('datasets.update', { id: d!.id, columns: [{ name: 'species', role: 'ignore' }] })
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-data' } })
  })

  it('prevents image-only models on tabular data before storing a run', async () => {
    const [d] = await services.call('datasets.list', {})
    const config = await services.call('runs.defaults', { datasetId: d!.id, preset: 'quick' })
    const r = await services.handle('runs.start', { ...config, models: ['cnn'] })
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
    if (!r.ok) expect(r.error.message).toMatch(/needs image data/)
    expect(await services.call('runs.list', {})).toEqual([])
  })

  it('cancels a run: status becomes cancelled and the run stays listed', async () => {
    const [d] = await services.call('datasets.list', {})
    const config = await services.call('runs.defaults', { datasetId: d!.id, preset: 'quick' })
    const { summary, finished } = await services.runs.start({ ...config, models: ['mlp'], seeds: 1, epochs: 500, finetuneEpochs: 1, patience: 0 })
    await new Promise<void>((res) => {
      const off = services.bus.subscribe((event, p) => {
        // A run that ends by itself (e.g. fails) must not hang the test: the status assertion below catches it.
        const ended = event === 'run.status' && (p as { status: string }).status !== 'running'
        if (ended || (event === 'run.progress' && (p as { epoch: number }).epoch >= 2)) {
          off()
          res()
        }
      })
    })
    await services.call('runs.cancel', { id: summary.id })
    await finished
    const run = await services.call('runs.get', { id: summary.id })
    expect(run.status).toBe('cancelled')
    expect((await services.call('runs.metrics', { id: summary.id })).length).toBeGreaterThan(0)
  })
})
