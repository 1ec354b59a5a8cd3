/** Uploads (one writer per upload, size cap, base64 checked, folders removed) and imports (temp folder renamed
 *  into place, stale leftovers swept at start, parsing on a worker thread with progress events). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { createServices, type Services } from '../../../main/services/index.ts'
import { resourcesDir } from '../../../main/services/paths.ts'

const IRIS = readFileSync(join(resourcesDir(), 'examples', 'iris.csv'))
const WINE = readFileSync(join(resourcesDir(), 'examples', 'wine.csv'))
let dir: string
let s: Services
let w: Services

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'iunet-uploads-'))
  // Inline parsing with a 1000-byte upload cap; and one that reads every file on a worker thread.
  s = createServices({ dataDir: join(dir, 'data'), transport: 'websocket', workers: 1, maxUploadBytes: 1000, parseInWorkerFromBytes: Infinity })
  w = createServices({ dataDir: join(dir, 'data-w'), transport: 'websocket', workers: 1, parseInWorkerFromBytes: 0 })
})
afterAll(async () => {
  await s.close()
  await w.close()
  rmSync(dir, { recursive: true, force: true })
})

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64')

describe('uploads', () => {
  it('writes the chunks of one upload one at a time: the same offset sent twice appends once', async () => {
    const first = await s.call('datasets.upload', { name: 'a.csv', data: b64('x'.repeat(300)) })
    const twice = await Promise.all(
      [0, 1].map(() => s.handle('datasets.upload', { name: 'a.csv', uploadId: first.uploadId, offset: 300, data: b64('y'.repeat(300)) }))
    )
    expect(twice.filter((r) => r.ok)).toHaveLength(1)
    expect(twice.find((r) => !r.ok)).toMatchObject({ ok: false, error: { code: 'conflict' } })
    expect(statSync(first.path).size).toBe(600)
    expect(readFileSync(first.path, 'utf8')).toBe('x'.repeat(300) + 'y'.repeat(300))
  })

  it('refuses an upload over the size cap, naming the cap', async () => {
    const first = await s.call('datasets.upload', { name: 'big.csv', data: b64('x'.repeat(900)) })
    const r = await s.handle('datasets.upload', { name: 'big.csv', uploadId: first.uploadId, offset: 900, data: b64('y'.repeat(200)) })
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
    if (!r.ok) expect(r.error.message).toMatch(/upload limit of 1000 bytes/)
    expect(await s.handle('datasets.upload', { name: 'huge.csv', data: b64('z'.repeat(1001)) })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' }
    })
  })

  it('refuses data that is not base64', async () => {
    for (const data of ['@@@@', 'abc', 'ab=c', 'YQ==YQ==', 'aGVsbG8gd29ybGQ=\n']) {
      const r = await s.handle('datasets.upload', { name: 'x.csv', data })
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
      if (!r.ok) expect(r.error.message).toMatch(/not valid base64/)
    }
  })

  it('removes the upload folder once its file is imported', async () => {
    const up = await w.call('datasets.upload', { name: 'iris.csv', data: b64(IRIS) })
    expect(existsSync(up.path)).toBe(true)
    const d = await w.call('datasets.import', { path: up.path })
    expect(d.rows).toBe(150)
    expect(existsSync(join(dir, 'data-w', 'uploads', up.uploadId))).toBe(false)
  })
})

describe('imports', () => {
  it('parses on a worker thread with progress events, and writes through a temp folder', async () => {
    const csv = join(dir, 'wine.csv')
    writeFileSync(csv, WINE)
    const progress: unknown[] = []
    const off = w.bus.subscribe((event, p) => event === 'import.progress' && progress.push(p))
    expect((await w.call('datasets.inspect', { path: csv })).columns.length).toBe(14)
    const d = await w.call('datasets.import', { path: csv })
    off()
    expect(d.rows).toBe(178)
    expect(progress.length).toBeGreaterThan(0)
    expect(progress.at(-1)).toMatchObject({ path: csv, rows: 178 })
    expect((await w.call('datasets.preview', { id: d.id, rows: 3 })).rows).toHaveLength(3)
    const root = join(dir, 'data-w', 'datasets')
    expect(readdirSync(root).filter((n) => n.startsWith('.tmp-'))).toEqual([])
    // The same content again: a conflict, and nothing left behind.
    expect(await w.handle('datasets.import', { path: csv })).toMatchObject({ ok: false, error: { code: 'conflict' } })
    expect(readdirSync(root).filter((n) => n.startsWith('.tmp-'))).toEqual([])
  })

  it('reports data errors from the worker as invalid-data, as in-process', async () => {
    const bad = join(dir, 'bad.csv')
    writeFileSync(bad, 'a,b,c\n')
    const r = await w.handle('datasets.import', { path: bad })
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-data' } })
    if (!r.ok) expect(r.error.message).toMatch(/has a header row \(3 columns\) but no data rows/)
    expect(await w.handle('datasets.inspect', { path: bad })).toMatchObject({ ok: false, error: { code: 'invalid-data' } })
    expect(readdirSync(join(dir, 'data-w', 'datasets')).filter((n) => n.startsWith('.tmp-'))).toEqual([])
  })

  it('sweeps what crashed imports and abandoned uploads left, but nothing recent or claimed', async () => {
    const data = join(dir, 'data')
    const csv = join(dir, 'iris.csv')
    writeFileSync(csv, IRIS)
    const kept = await s.call('datasets.import', { path: csv })
    const root = join(data, 'datasets')
    const claimedDir = readdirSync(root).find((n) => !n.startsWith('.'))!
    const old = new Date(Date.now() - 48 * 3600 * 1000)
    const mk = (path: string, file = 'c0.f64') => {
      mkdirSync(path, { recursive: true })
      writeFileSync(join(path, file), 'x')
      utimesSync(join(path, file), old, old)
      utimesSync(path, old, old)
      return path
    }
    const staleTmp = mk(join(root, `.tmp-import-${randomUUID()}`))
    const orphan = mk(join(root, randomUUID()), 'c0.f64.tmp-123-456')
    const freshTmp = join(root, `.tmp-import-${randomUUID()}`)
    mkdirSync(freshTmp)
    const leftover = join(root, claimedDir, 'c1.f64.tmp-1-2')
    writeFileSync(leftover, 'x')
    utimesSync(leftover, old, old)
    const staleUpload = mk(join(data, 'uploads', 'old-upload-1'), 'x.csv')
    const freshUpload = join(data, 'uploads', 'new-upload-1')
    mkdirSync(freshUpload, { recursive: true })
    writeFileSync(join(freshUpload, 'x.csv'), 'x')

    const { removed } = await s.datasets.sweepStale()
    expect(removed.sort()).toEqual([staleTmp, orphan, leftover, staleUpload].sort())
    expect(existsSync(freshTmp) && existsSync(freshUpload)).toBe(true)
    expect((await s.call('datasets.preview', { id: kept.id, rows: 2 })).rows).toHaveLength(2)

    // And it runs by itself when the services start.
    const again = mk(join(root, `.tmp-import-${randomUUID()}`))
    const s2 = createServices({ dataDir: data, transport: 'websocket', workers: 1 })
    expect((await s2.swept).removed).toEqual([again])
    await s2.close()
  })
})
