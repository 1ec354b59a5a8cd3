/**
 * SVHN format 2 read from MAT files written by SciPy (scipy.io.savemat, compressed and not): the pixels must equal
 * NumPy's own transpose of X to N×H×W×C (compared byte for byte), labels 10 must be the digit 0, and everything the
 * reader does not take must be refused by name (v7.3/HDF5, v4, wrong variables, wrong types, cut files).
 */
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { defaultRunConfig } from '../../../main/contract/index.ts'
import { inspectFile, loadSource, prepare } from '../../../main/data/index.ts'
import { python, pythonMissing } from './formatFixtures.ts'

const missing = pythonMissing('scipy')
const root = await mkdtemp(join(tmpdir(), 'iunet-svhn-'))
afterAll(() => rm(root, { recursive: true, force: true }))
const load = (path: string) => loadSource(path, { path })

/** Writes train_32x32.mat (compressed), test_32x32.mat (not) and plain.mat + the expected N×H×W×C bytes. */
const MAKE = `
import numpy as np, scipy.io as sio
rng = np.random.default_rng(7)
def part(n, seed):
    X = np.random.default_rng(seed).integers(0, 256, size=(32, 32, 3, n), dtype=np.uint8)
    y = (np.arange(n) % 10 + 1).astype(np.float64).reshape(n, 1)  # 1..10, 10 = digit 0
    return X, y
X, y = part(23, 1)
sio.savemat('train_32x32.mat', {'X': X, 'y': y}, do_compression=True)
open('train.hwc', 'wb').write(np.ascontiguousarray(X.transpose(3, 0, 1, 2)).tobytes())
Xt, yt = part(11, 2)
sio.savemat('test_32x32.mat', {'X': Xt, 'y': yt}, do_compression=False)
open('test.hwc', 'wb').write(np.ascontiguousarray(Xt.transpose(3, 0, 1, 2)).tobytes())
sio.savemat('extra_32x32.mat', {'X': Xt[:, :, :, :5], 'y': yt[:5]})
sio.savemat('wrongnames.mat', {'images': X, 'labels': y}, do_compression=True)
sio.savemat('double.mat', {'X': X.astype(np.float64), 'y': y})
sio.savemat('zerolabel.mat', {'X': X, 'y': y - 1})
sio.savemat('countmismatch.mat', {'X': X, 'y': y[:20]})
sio.savemat('v4.mat', {'y': y}, format='4')
sio.savemat('withcell.mat', {'X': X, 'y': y, 'notes': np.array(['a', 'bc'], dtype=object), 'info': {'a': 1}}, do_compression=True)
`

describe.skipIf(missing)(`SVHN format 2 from SciPy${missing ? ` (skipped: ${missing})` : ''}`, async () => {
  const dir = join(root, 'svhn')
  if (!missing) {
    await mkdir(dir, { recursive: true })
    python(MAKE, dir)
  }

  it('reads a compressed file: 32×32×3 pixels equal NumPy X.transpose(3,0,1,2), label 10 is the digit 0', async () => {
    const r = await load(join(dir, 'train_32x32.mat'))
    expect(r.schema.format).toBe('svhn')
    expect(r.schema.imageShape).toEqual([32, 32, 3])
    expect(r.table.rows).toBe(23)
    expect(Buffer.from(r.table.image!.pixels).equals(readFileSync(join(dir, 'train.hwc')))).toBe(true)
    const col = r.table.columns[0] as { codes: Int32Array; levels: string[] }
    expect(Array.from(col.codes.subarray(0, 11), (c) => col.levels[c])).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '1'])
    expect(r.schema.publishedSplit).toBeUndefined()
  })

  it('reads an uncompressed file the same way, and skips variables it does not need (cells, structs)', async () => {
    const r = await load(join(dir, 'test_32x32.mat'))
    expect(Buffer.from(r.table.image!.pixels).equals(readFileSync(join(dir, 'test.hwc')))).toBe(true)
    expect((await load(join(dir, 'withcell.mat'))).table.rows).toBe(23)
  })

  it('a folder keeps the published split (train then test), leaves the extra file out with a warning', async () => {
    const folder = join(root, 'folder')
    await mkdir(folder, { recursive: true })
    for (const f of ['train_32x32.mat', 'test_32x32.mat', 'extra_32x32.mat']) await writeFile(join(folder, f), readFileSync(join(dir, f)))
    const r = await load(folder)
    expect(r.table.rows).toBe(34)
    expect(r.schema.publishedSplit).toEqual({ train: 23, test: 11 })
    expect(r.schema.warnings).toContainEqual(expect.stringMatching(/"extra_32x32\.mat" \(SVHN's extra training images\) was not imported/))
    const p = prepare(r.table, r.schema, { train: 0.7, val: 0.15, test: 0.15, kfold: null }, 1)
    expect(p.test.n).toBe(11)
    // SVHN digits: no flip; the pad-4 crop (translate 4) stays
    const config = defaultRunConfig('quick', { kind: 'image', rows: 34, nFeatures: 3072, imageShape: [32, 32, 3], format: r.schema.format })
    expect(config.augment.flip).toBe(false)
    expect(config.augment.translate).toBe(4)
  })

  const bad: Array<[string, string | (() => Promise<string>), RegExp]> = [
    ['wrong variable names', 'wrongnames.mat', /"wrongnames\.mat" has no variable "X" \(its variables: "images", "labels"\)\. SVHN format 2 files hold X/],
    ['X stored as double', 'double.mat', /X in "double\.mat" is a double; SVHN format 2 stores X as a uint8 array/],
    ['labels outside 1–10', 'zerolabel.mat', /Label 1 of y in "zerolabel\.mat" is 0; SVHN format 2 labels are 1–10 \(10 for the digit 0\)/],
    ['images and labels disagree in number', 'countmismatch.mat', /has 23 images in X but 20 labels in y/],
    ['a MATLAB 4 file', 'v4.mat', /"v4\.mat" is not a MATLAB level-5 MAT-file/],
    [
      'a v7.3 (HDF5) file',
      async () => {
        const p = join(dir, 'v73.mat')
        const head = Buffer.alloc(512, 0x20)
        head.write('MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 .', 0, 'latin1')
        await writeFile(p, Buffer.concat([head, Buffer.from('\x89HDF\r\n\x1a\n', 'latin1'), Buffer.alloc(64)]))
        return p
      },
      /"v73\.mat" is a MATLAB v7\.3 MAT-file \(HDF5 inside\), which is not read here\. Save it again in the level-5 format/
    ],
    [
      'a compressed file cut short',
      async () => {
        const b = readFileSync(join(dir, 'train_32x32.mat'))
        await writeFile(join(dir, 'cut.mat'), b.subarray(0, Math.floor(b.length * 0.6)))
        return join(dir, 'cut.mat')
      },
      /"cut\.mat" is cut short inside variable "X"|A compressed variable in "cut\.mat" is damaged/
    ],
    [
      'an uncompressed file cut short',
      async () => {
        const b = readFileSync(join(dir, 'test_32x32.mat'))
        await writeFile(join(dir, 'cut2.mat'), b.subarray(0, 5000))
        return join(dir, 'cut2.mat')
      },
      /"cut2\.mat" is cut short inside variable "X" \(\d[\d,]* of 33,792 data bytes\)/
    ]
  ]
  it.each(bad)('refuses %s with a clear message', async (_name, make, error) => {
    const path = typeof make === 'string' ? join(dir, make) : await make()
    await expect(inspectFile(path)).rejects.toMatchObject({ code: 'invalid-data', message: expect.stringMatching(error) })
  })
})
