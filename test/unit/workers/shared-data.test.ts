/**
 * One copy of the data per machine: a stored table read into shared memory (loadTable with `shared`), an image
 * table's splits kept as 8-bit pixels (row indices into the table's pixel block, decoded a batch at a time to the
 * same bits as the full encoding), and worker threads that train from the table main hands them — with a data
 * folder that does not exist, so a worker that read the folder itself would fail — to the same numbers as workers
 * that read it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultRunConfig, splitRange, splitRows, type DatasetSchema, type PixelSplit, type RunConfig } from '../../../main/contract/index.ts'
import { fitPreprocessor, loadSource, loadTable, prepare, saveTable, transformTable, type Table } from '../../../main/data/index.ts'
import { mulberry32 } from '../../../main/lib/random.ts'
import { TrainingPool } from '../../../main/workers/pool.ts'
import type { TaskResult } from '../../../main/workers/protocol.ts'

const tmp = mkdtempSync(join(tmpdir(), 'iunet-shared-data-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const SPLIT = { train: 0.6, val: 0.2, test: 0.2, kfold: null }
const [H, W, C, N] = [6, 6, 1, 90]

/** An IDX file (big-endian dims after a 0x08 type byte). */
function idx(dims: number[], body: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length)
  head[2] = 8
  head[3] = dims.length
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i))
  return Buffer.concat([head, body])
}

/** 90 random 6×6 grey images in an IDX pair, three classes, imported and saved as a stored table. */
let dir: string
let schema: DatasetSchema
beforeAll(async () => {
  const u = mulberry32(5)
  const src = join(tmp, 'idx')
  mkdirSync(src)
  writeFileSync(
    join(src, 't10k-images-idx3-ubyte'),
    idx(
      [N, H, W],
      Uint8Array.from({ length: N * H * W }, () => Math.floor(u() * 256))
    )
  )
  writeFileSync(
    join(src, 't10k-labels-idx1-ubyte'),
    idx(
      [N],
      Uint8Array.from({ length: N }, (_, i) => i % 3)
    )
  )
  const loaded = await loadSource(join(src, 't10k-images-idx3-ubyte'), { path: '' })
  schema = loaded.schema
  dir = join(tmp, 'images')
  await saveTable(dir, loaded.table)
})

const isShared = (a: ArrayBufferView) => a.buffer instanceof SharedArrayBuffer

describe('shared data', () => {
  it('loadTable with `shared` puts columns and pixels in SharedArrayBuffers, with the same contents', async () => {
    const plain = await loadTable(dir)
    const shared = await loadTable(dir, { shared: true })
    expect(isShared(plain.image!.pixels)).toBe(false)
    expect(isShared(shared.image!.pixels)).toBe(true)
    const col = shared.columns[0]!
    expect(col.kind === 'cat' && isShared(col.codes)).toBe(true)
    expect(Array.from(shared.image!.pixels)).toEqual(Array.from(plain.image!.pixels))
    expect(shared.columns).toEqual(plain.columns)
  })

  for (const mode of ['unit', 'standardize'] as const)
    it(`an image table's splits are row indices into its pixel block, decoded to the encoding's bits (${mode})`, async () => {
      const table = await loadTable(dir, { shared: true })
      const p = prepare(table, schema, SPLIT, 3, { imageNormalize: mode })
      for (const s of [p.train, p.val, p.test]) {
        expect('pixels' in s).toBe(true)
        const px = s as PixelSplit
        // The table's block itself: no copy per split, per seed or per worker.
        expect(px.pixels).toBe(table.image!.pixels)
        const encoded = transformTable(p.preprocessor, table, px.rows)
        expect(Array.from(splitRange(s, 0, s.n))).toEqual(Array.from(encoded))
        // Any rows, in any order (a shuffled batch): the same bits as gathered from the full encoding.
        const idx = [s.n - 1, 0, Math.floor(s.n / 2), 0]
        const width = H * W * C
        const gathered = idx.flatMap((i) => Array.from(encoded.subarray(i * width, (i + 1) * width)))
        expect(Array.from(splitRows(s, idx))).toEqual(gathered)
      }
      expect(p.preprocessor).toEqual(fitPreprocessor(table, schema, p.classNames, (p.train as PixelSplit).rows, { imageNormalize: mode }))
    })

  it('workers train from the table main hands them (no folder read) to the numbers of workers that read the folder', async () => {
    const pool = new TrainingPool({ size: 2, backend: 'wasm' })
    try {
      const config: RunConfig = {
        datasetId: 'images',
        ...defaultRunConfig('quick', { kind: 'image', rows: N, nFeatures: H * W * C, imageShape: [H, W, C] }),
        models: ['mlp'],
        seeds: 1,
        depth: 1,
        width: 16,
        epochs: 2,
        finetuneEpochs: 1,
        split: SPLIT
      }
      const table = await loadTable(dir, { shared: true })
      const run = (datasetDir: string, shared: Table | undefined) =>
        pool.run({ kind: 'train', datasetDir, ...(shared ? { table: shared } : {}), schema, config, model: 'mlp', seed: 1 }).promise.then((r: TaskResult) => {
          if (r.kind !== 'train') throw new Error(`expected a train result, got ${r.kind}`)
          return r.result.results.map(({ trainSeconds: _t, inferenceMsPerExample: _l, ...rest }) => rest)
        })
      const [fromShared, fromFolder] = await Promise.all([run(join(tmp, 'no-such-folder'), table), run(dir, undefined)])
      expect(fromShared).toHaveLength(1)
      expect(fromShared).toEqual(fromFolder)
    } finally {
      await pool.close()
    }
  }, 120_000)
})
