/** IDX pairs (plain and gzipped), Fashion-MNIST when installed, and folders of class sub-folders. */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import jpeg from 'jpeg-js'
import { PNG } from 'pngjs'
import { afterAll, describe, expect, it } from 'vitest'
import { inspectFile, loadSource, loadTable, prepare, previewOf, saveTable } from '../../../main/data/index.ts'
import { splitRange } from '../../../main/contract/index.ts'

const SPLIT = { train: 0.7, val: 0.15, test: 0.15, kfold: null }
const tmp = await mkdtemp(join(tmpdir(), 'iunet-img-'))
afterAll(() => rm(tmp, { recursive: true, force: true }))

function idx(dims: number[], body: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length)
  head[2] = 8
  head[3] = dims.length
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i))
  return Buffer.concat([head, body])
}

describe('IDX', () => {
  it.each([false, true])('reads an images + labels pair (gzip: %s)', async (gz) => {
    const d = join(tmp, `idx-${gz}`)
    await mkdir(d)
    const n = 30
    const pixels = new Uint8Array(n * 5 * 4).map((_, i) => (i * 13) % 256)
    const ext = gz ? '.gz' : ''
    const enc = (b: Buffer) => (gz ? gzipSync(b) : b)
    await writeFile(join(d, `t10k-images-idx3-ubyte${ext}`), enc(idx([n, 5, 4], pixels)))
    await writeFile(
      join(d, `t10k-labels-idx1-ubyte${ext}`),
      enc(
        idx(
          [n],
          new Uint8Array(n).map((_, i) => i % 3)
        )
      )
    )
    const r = await loadSource(join(d, `t10k-images-idx3-ubyte${ext}`), { path: '' })
    expect(r.schema.kind).toBe('image')
    expect(r.schema.imageShape).toEqual([5, 4, 1])
    expect(r.schema.target).toBe('label')
    expect(r.schema.classes.map((c) => c.count)).toEqual([10, 10, 10])
    expect(r.table.image!.pixels).toEqual(pixels)
    const p = prepare(r.table, r.schema, SPLIT, 1)
    expect(p.nFeatures).toBe(20)
    expect(p.classNames).toEqual(['0', '1', '2'])
    // pixels scaled to 0..1, order kept
    const row = splitRange(p.train, 0, 1)
    expect(Math.max(...row)).toBeLessThanOrEqual(1)
    expect(p.featureGroups).toHaveLength(20)
  })
})

const FASHION = '/usr/share/datasets/fashion-mnist'
const haveFashion = existsSync(join(FASHION, 'train-images-idx3-ubyte.gz'))
if (!haveFashion) console.warn(`Fashion-MNIST test skipped: ${FASHION} is missing (apt-get install -y dataset-fashion-mnist)`)

describe.skipIf(!haveFashion)(`Fashion-MNIST (${haveFashion ? FASHION : 'skipped: not installed — apt-get install -y dataset-fashion-mnist'})`, () => {
  it('imports the 60k training set as Uint8 pixels with named classes, saves, reloads and samples', async () => {
    const r = await loadSource(join(FASHION, 'train-images-idx3-ubyte.gz'), { path: '' })
    expect(r.schema.kind).toBe('image')
    expect(r.schema.rows).toBe(60000)
    expect(r.schema.imageShape).toEqual([28, 28, 1])
    expect(r.schema.classes).toHaveLength(10)
    expect(r.schema.classes.every((c) => c.count === 6000)).toBe(true)
    expect(r.table.image!.pixels).toBeInstanceOf(Uint8Array)
    expect(r.table.image!.pixels.length).toBe(60000 * 784)
    const dir = join(tmp, 'fashion')
    await saveTable(dir, r.table)
    const back = await loadTable(dir)
    const p = prepare(back, r.schema, SPLIT, 1, { maxRows: 2000 })
    expect(p.classNames[0]).toBe('T-shirt/top')
    expect(p.classNames[9]).toBe('Ankle boot')
    expect(p.nFeatures).toBe(784)
    expect(p.train.n + p.val.n + p.test.n).toBe(2000)
    expect(previewOf(back, r.schema, 8).images).toHaveLength(8)
  })

  it('the test set (t10k) and the folder itself import too', async () => {
    const s = await inspectFile(join(FASHION, 't10k-images-idx3-ubyte.gz'))
    expect(s.rows).toBe(10000)
    const f = await inspectFile(FASHION)
    expect(f.rows).toBe(60000)
  })
})

describe('image folder', () => {
  async function make(): Promise<string> {
    const d = join(tmp, 'folder')
    for (const [cls, v] of [
      ['cats', 40],
      ['dogs', 200]
    ] as const) {
      await mkdir(join(d, cls), { recursive: true })
      for (let i = 0; i < 4; i++) {
        const png = new PNG({ width: 6, height: 4 })
        for (let p = 0; p < 24; p++) png.data.set([v, v, v, 255], p * 4)
        await writeFile(join(d, cls, `${i}.png`), PNG.sync.write(png))
      }
      const j = jpeg.encode({ width: 6, height: 4, data: Buffer.alloc(96, v).map((x, i) => (i % 4 === 3 ? 255 : x)) }, 100)
      await writeFile(join(d, cls, 'x.jpg'), j.data)
    }
    return d
  }

  it('one class per sub-folder, grey images → 1 channel, PNG and JPEG', async () => {
    const d = await make()
    const r = await loadSource(d, { path: d })
    expect(r.schema.kind).toBe('image')
    expect(r.schema.imageShape).toEqual([4, 6, 1])
    expect(r.schema.classes).toEqual([
      { value: 'cats', count: 5 },
      { value: 'dogs', count: 5 }
    ])
    expect(r.table.image!.pixels[0]).toBe(40)
    const p = prepare(r.table, r.schema, SPLIT, 2)
    expect(p.classNames).toEqual(['cats', 'dogs'])
  })

  it('resizes to a declared shape, colour kept with 3 channels', async () => {
    const d = await make()
    const r = await loadSource(d, { path: d, imageShape: [8, 8, 3] })
    expect(r.schema.imageShape).toEqual([8, 8, 3])
    expect(r.table.image!.pixels.length).toBe(10 * 8 * 8 * 3)
  })
})
