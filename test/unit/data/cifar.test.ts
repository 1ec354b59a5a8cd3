/**
 * CIFAR-10/100 binary version: batches built byte by byte from the published layout (label byte(s), then 1024 red,
 * 1024 green, 1024 blue bytes), read from a folder, from the .tar.gz made by GNU tar, and from one batch file. The
 * pixels must come back H×W×C exactly (compared byte for byte), the class names from the meta files, the published
 * split as the split, and the same images as an image folder must give the same table and the same prepared data.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import { afterAll, describe, expect, it } from 'vitest'
import { defaultRunConfig, imageNormalization, runRuleIssues, splitRange } from '../../../main/contract/index.ts'
import { applyOverrides, inspectFile, loadSource, loadTable, prepare, saveTable } from '../../../main/data/index.ts'
import { CIFAR10_NAMES, cifar100Folder, cifar10Folder, cifarRecord, concat, tarGz, testImage } from './formatFixtures.ts'

const root = await mkdtemp(join(tmpdir(), 'iunet-cifar-'))
afterAll(() => rm(root, { recursive: true, force: true }))
const SPLIT = { train: 0.7, val: 0.15, test: 0.15, kfold: null }
const load = (path: string, extra: Record<string, unknown> = {}) => loadSource(path, { path, ...extra })

describe('CIFAR-10 binary', () => {
  it('reads a folder: 32×32×3 pixels H×W×C byte for byte, class names from batches.meta.txt, the published split kept', async () => {
    const dir = await cifar10Folder(join(root, 'cifar-10-batches-bin'))
    const r = await load(dir)
    expect(r.schema.kind).toBe('image')
    expect(r.schema.format).toBe('cifar-10')
    expect(r.schema.imageShape).toEqual([32, 32, 3])
    expect(r.table.rows).toBe(60)
    expect(r.schema.target).toBe('label')
    expect(r.schema.classes.map((c) => c.value).sort()).toEqual([...CIFAR10_NAMES].sort())
    // batches in order data_batch_1, data_batch_2, test_batch: row k is testImage(k)
    const px = r.table.image!.pixels
    for (const k of [0, 17, 39, 59]) expect(Buffer.from(px.subarray(k * 3072, (k + 1) * 3072)).equals(Buffer.from(testImage(k)))).toBe(true)
    expect(r.schema.publishedSplit).toEqual({ train: 40, test: 20 })
    expect(Array.from(r.table.split!)).toEqual([...Array(40).fill(0), ...Array(20).fill(1)])
    // per-channel statistics of the published train part, on the 0..1 scale
    const mean = [0, 1, 2].map((c) => {
      let s = 0
      for (let k = 0; k < 40; k++) for (let p = 0; p < 1024; p++) s += testImage(k)[p * 3 + c]
      return s / (40 * 1024 * 255)
    })
    r.schema.imageStats!.mean.forEach((m, c) => expect(m).toBeCloseTo(mean[c], 5))
    expect(imageNormalization(r.schema)!.mode).toBe('standardize')
  })

  it('keeps the published split through save and load, and a run uses it: the test part is the test batch', async () => {
    const dir = await cifar10Folder(join(root, 'split', 'cifar-10-batches-bin'), { perBatch: 30 })
    const r = await load(dir)
    const stored = join(root, 'split', 'stored')
    await saveTable(stored, r.table)
    const t = await loadTable(stored)
    expect(Array.from(t.split!)).toEqual(Array.from(r.table.split!))
    const p = prepare(t, r.schema, SPLIT, 3)
    expect(p.test.n).toBe(30)
    expect(p.train.n + p.val.n).toBe(60)
    // validation is cut from the train batches in the ratio val : train (0.15 : 0.7), stratified per class
    expect(p.val.n).toBeGreaterThanOrEqual(10)
    expect(p.val.n).toBeLessThanOrEqual(14)
    // the per-channel standardisation of colour images, fitted on the train rows
    expect(p.preprocessor.image!.mode).toBe('standardize')
    expect(() => prepare(t, r.schema, { ...SPLIT, kfold: 3 }, 3)).toThrow(
      /keeps its published train\/test split \(30 test rows\); k-fold would train on those test rows/
    )
    const config = { datasetId: 'd', ...defaultRunConfig('quick', { kind: 'image', rows: 90, nFeatures: 3072, imageShape: [32, 32, 3], format: 'cifar-10' }) }
    expect(config.augment.flip).toBe(true)
    expect(config.augment.translate).toBe(4)
    const issues = runRuleIssues({ ...config, split: { ...config.split, kfold: 3 } }, [{ name: 'cifar', kind: 'image', rows: 90, publishedSplit: true }])
    expect(issues.map((i) => i.sentence)).toEqual([expect.stringMatching(/^Folds \(k\) must be off for "cifar": it keeps its published train\/test split/)])
  })

  it('reads the .tar.gz as distributed (made by GNU tar) to the same table and hash-independent content', async () => {
    const parent = join(root, 'tar')
    const dir = await cifar10Folder(join(parent, 'cifar-10-batches-bin'))
    await writeFile(join(dir, 'readme.html'), '<html>CIFAR</html>')
    const archive = tarGz(join(root, 'cifar-10-binary.tar.gz'), parent, 'cifar-10-batches-bin')
    const a = await load(archive)
    const f = await load(dir)
    expect(a.name).toBe('cifar-10-binary')
    expect(a.schema.format).toBe('cifar-10')
    expect(Buffer.from(a.table.image!.pixels).equals(Buffer.from(f.table.image!.pixels))).toBe(true)
    expect(Array.from((a.table.columns[0] as { codes: Int32Array }).codes)).toEqual(Array.from((f.table.columns[0] as { codes: Int32Array }).codes))
    expect(a.schema.classes).toEqual(f.schema.classes)
    expect(a.schema.publishedSplit).toEqual({ train: 40, test: 20 })
    // the folder that holds the unpacked download is found too
    expect((await inspectFile(parent)).format).toBe('cifar-10')
  })

  it('reads one batch file on its own (names from the meta file beside it), without a published split', async () => {
    const dir = await cifar10Folder(join(root, 'single'))
    const r = await load(join(dir, 'data_batch_2.bin'))
    expect(r.table.rows).toBe(20)
    expect(r.table.split).toBeUndefined()
    expect(r.schema.publishedSplit).toBeUndefined()
    expect(Buffer.from(r.table.image!.pixels.subarray(0, 3072)).equals(Buffer.from(testImage(20)))).toBe(true)
  })

  it('names classes by number when batches.meta.txt is missing, and says so', async () => {
    const s = await inspectFile(await cifar10Folder(join(root, 'nometa'), { meta: false }))
    expect(s.classes.map((c) => c.value).sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
    expect(s.warnings).toContainEqual(expect.stringMatching(/batches\.meta\.txt was not found/))
  })

  it('matches the same images imported as an image folder: same pixels, labels and prepared arrays', async () => {
    // 3 classes × 8 images, written as PNGs in class folders and as one CIFAR batch in the folder's reading order
    const folder = join(root, 'same', 'folder')
    const recs: Uint8Array[] = []
    for (const [c, cls] of ['airplane', 'automobile', 'bird'].entries()) {
      await mkdir(join(folder, cls), { recursive: true })
      for (let i = 0; i < 8; i++) {
        const img = testImage(c * 8 + i)
        const png = new PNG({ width: 32, height: 32 })
        for (let p = 0; p < 1024; p++) png.data.set([img[p * 3], img[p * 3 + 1], img[p * 3 + 2], 255], p * 4)
        await writeFile(join(folder, cls, `${i}.png`), PNG.sync.write(png))
        recs.push(cifarRecord([c], img))
      }
    }
    const batchDir = join(root, 'same', 'cifar')
    await mkdir(batchDir, { recursive: true })
    await writeFile(join(batchDir, 'data_batch_1.bin'), concat(recs))
    await writeFile(join(batchDir, 'batches.meta.txt'), CIFAR10_NAMES.join('\n'))
    const a = await load(join(batchDir, 'data_batch_1.bin'))
    const b = await load(folder)
    expect(Buffer.from(a.table.image!.pixels).equals(Buffer.from(b.table.image!.pixels))).toBe(true)
    const labels = (t: typeof a) => {
      const c = t.table.columns[0] as { codes: Int32Array; levels: string[] }
      return Array.from(c.codes, (k) => c.levels[k])
    }
    expect(labels(a)).toEqual(labels(b))
    const pa = prepare(a.table, a.schema, SPLIT, 5)
    const pb = prepare(b.table, b.schema, SPLIT, 5)
    for (const part of ['train', 'val', 'test'] as const) {
      expect(Array.from(pa[part].y)).toEqual(Array.from(pb[part].y))
      const [ea, eb] = [splitRange(pa[part], 0, pa[part].n), splitRange(pb[part], 0, pb[part].n)]
      expect(Buffer.from(ea.buffer, ea.byteOffset, ea.byteLength).equals(Buffer.from(eb.buffer, eb.byteOffset, eb.byteLength))).toBe(true)
    }
  })
})

describe('CIFAR Python version', () => {
  it('refuses the pickled folder and its archive, naming the binary version', async () => {
    const parent = join(root, 'py')
    const dir = join(parent, 'cifar-10-batches-py')
    await mkdir(dir, { recursive: true })
    for (const f of ['data_batch_1', 'test_batch', 'batches.meta']) await writeFile(join(dir, f), Buffer.from([0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e]))
    const archive = tarGz(join(root, 'cifar-10-python.tar.gz'), parent, 'cifar-10-batches-py')
    for (const path of [dir, parent, archive]) {
      await expect(inspectFile(path)).rejects.toThrow(/is the Python \(pickle\) version of CIFAR.*cifar-10-binary\.tar\.gz or cifar-100-binary\.tar\.gz/)
    }
  })
})

describe('CIFAR-100 binary', () => {
  it('fine labels by default (100 names), coarse labels on request (20 names), the other labelling ignored', async () => {
    const dir = await cifar100Folder(join(root, 'cifar-100-binary'))
    const fine = await load(dir)
    expect(fine.schema.format).toBe('cifar-100')
    expect(fine.schema.target).toBe('fine_label')
    expect(fine.schema.columns.find((c) => c.name === 'coarse_label')!.role).toBe('ignore')
    expect(fine.schema.classes.map((c) => c.value)).toContain('fine3')
    expect(fine.schema.publishedSplit).toEqual({ train: 40, test: 20 })
    expect(Buffer.from(fine.table.image!.pixels.subarray(45 * 3072, 46 * 3072)).equals(Buffer.from(testImage(45)))).toBe(true)
    const coarse = await load(dir, { target: 'coarse_label' })
    expect(coarse.schema.target).toBe('coarse_label')
    expect(coarse.schema.classes).toHaveLength(20)
    expect(coarse.schema.columns.find((c) => c.name === 'fine_label')!.role).toBe('ignore')
    // switching the target of the stored dataset (datasets.update) gives the same schema
    const switched = applyOverrides(fine.schema, { target: 'coarse_label' }, fine.table)
    expect(switched.columns.map((c) => [c.name, c.role])).toEqual(coarse.schema.columns.map((c) => [c.name, c.role]))
    expect(switched.classes).toEqual(coarse.schema.classes)
    const p = prepare(coarse.table, coarse.schema, SPLIT, 1)
    expect(p.nClasses).toBe(20)
    expect(p.classNames[0]).toBe('super0')
    expect(p.test.n).toBe(20)
  })
})
