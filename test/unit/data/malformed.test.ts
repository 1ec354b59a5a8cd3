/**
 * Bad input never ends in a stack trace: each generated fixture must give a DataError (code 'invalid-data')
 * whose message tells the user what is wrong and where — or, for problems the import can live with, a
 * specific warning in the schema.
 */
import { truncateSync, unlinkSync } from 'node:fs'
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import jpeg from 'jpeg-js'
import { PNG } from 'pngjs'
import { afterAll, describe, expect, it } from 'vitest'
import { DataError, inspectFile, loadSource, loadTable, prepare, saveTable } from '../../../main/data/index.ts'

const root = await mkdtemp(join(tmpdir(), 'iunet-bad-'))
afterAll(() => rm(root, { recursive: true, force: true }))
let counter = 0
const fresh = async (): Promise<string> => {
  const d = join(root, `case${counter++}`)
  await mkdir(d, { recursive: true })
  return d
}
const file = async (name: string, content: string | Uint8Array): Promise<string> => {
  const p = join(await fresh(), name)
  await writeFile(p, content)
  return p
}
const rows = (n: number, f: (i: number) => string): string => Array.from({ length: n }, (_, i) => f(i)).join('\n') + '\n'

function idx(type: number, dims: number[], body: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length)
  head[2] = type
  head[3] = dims.length
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i))
  return Buffer.concat([head, body])
}
async function idxPair(opts: { images?: Buffer; labels?: Buffer | null; gz?: boolean } = {}): Promise<string> {
  const d = await fresh()
  const n = 10
  const images =
    opts.images ??
    idx(
      8,
      [n, 4, 4],
      new Uint8Array(n * 16).map((_, i) => i % 256)
    )
  const labels =
    opts.labels === undefined
      ? idx(
          8,
          [n],
          new Uint8Array(n).map((_, i) => i % 3)
        )
      : opts.labels
  const ext = opts.gz ? '.gz' : ''
  await writeFile(join(d, `train-images-idx3-ubyte${ext}`), opts.gz ? gzipSync(images) : images)
  if (labels) await writeFile(join(d, `train-labels-idx1-ubyte${ext}`), opts.gz ? gzipSync(labels) : labels)
  return join(d, `train-images-idx3-ubyte${ext}`)
}
function png(w: number, h: number, v = 128): Buffer {
  const p = new PNG({ width: w, height: h })
  p.data.fill(v)
  return PNG.sync.write(p)
}
async function imageFolder(classes: Record<string, Array<[string, Buffer]>>, loose: Array<[string, Buffer]> = []): Promise<string> {
  const d = await fresh()
  for (const [cls, files] of Object.entries(classes)) {
    await mkdir(join(d, cls), { recursive: true })
    for (const [n, b] of files) await writeFile(join(d, cls, n), b)
  }
  for (const [n, b] of loose) await writeFile(join(d, n), b)
  return d
}

const GOOD = 'a,b,class\n' + rows(30, (i) => `${i % 7},${(i * 3) % 5},${['x', 'y'][i % 2]}`)
const BIG = 'a,b,class\n' + rows(200_000, (i) => `${i % 97},${(i * 7) % 13},${['x', 'y', 'z'][i % 3]}`)

type Case = {
  name: string
  make: () => Promise<string>
  run?: (path: string) => Promise<unknown>
  error?: RegExp
  warning?: RegExp
  line?: number
}

const load = (path: string, extra: Record<string, unknown> = {}) => loadSource(path, { path, ...extra })

const cases: Case[] = [
  { name: 'missing file', make: async () => join(root, 'nope.csv'), error: /"[^"]*nope\.csv" does not exist/ },
  { name: 'empty path', make: async () => '', error: /path is empty/ },
  { name: 'empty folder (a folder where a file was expected)', make: fresh, error: /no class sub-folders and no images/ },
  { name: 'empty file', make: () => file('empty.csv', ''), error: /"empty\.csv" is empty/ },
  { name: 'only blank lines', make: () => file('blank.csv', '\n\n  \n\n'), error: /empty \(only blank lines\)/ },
  { name: 'header only', make: () => file('h.csv', 'a,b,class\n'), error: /has a header row \(3 columns\) but no data rows/ },
  {
    name: 'ragged row: too few fields',
    make: () => file('r.csv', 'a,b,class\n1,2,x\n3,4,y\n5,y\n6,7,x\n'),
    error: /Line 4 of "r\.csv" has 2 fields but the first row has 3/,
    line: 4
  },
  {
    name: 'ragged row: too many fields',
    make: () => file('r2.csv', 'a;b;class\n1;2;x\n3;4;5;y\n'),
    error: /Line 3 of "r2\.csv" has 4 fields but the first row has 3 \(semicolon-separated\)/,
    line: 3
  },
  {
    // Prose saved as .csv: no field count is shared, so the error is about the file, not about its line 2.
    name: 'prose, not a table',
    make: () =>
      file(
        'notes.csv',
        'Meeting notes, Tuesday\nWe looked at the wine data, the iris data, and the penguins.\nNext: try k-fold.\nAsk Sam about the GPU box, the Slurm queue and the budget.\n'
      ),
    error: /"notes\.csv" does not look like a table: its first 4 lines do not split into the same number of fields with any delimiter/
  },
  { name: 'ragged row far down', make: () => file('r3.csv', GOOD + '1,2\n'), error: /Line 32 .* has 2 fields/, line: 32 },
  { name: 'unclosed quote', make: () => file('q.csv', 'a,b,class\n1,2,x\n3,"4,y\n5,6,x\n'), error: /quote \("\) opened before line \d+ is never closed/ },
  {
    name: 'binary file',
    make: () =>
      file(
        'data.csv',
        new Uint8Array(4096).map((_, i) => (i * 37) % 256)
      ),
    error: /looks like a binary file, not CSV text/
  },
  { name: 'a PNG given as CSV', make: () => file('pic.csv', png(8, 8)), error: /"pic\.csv" is an image, not CSV text. To import images, drop a folder/ },
  {
    name: 'an Excel workbook',
    make: () => file('book.xlsx', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 6, 0]), Buffer.alloc(200)])),
    error: /"book\.xlsx" is an Excel or other ZIP file, not CSV text. Open it in a spreadsheet and save it as CSV/
  },
  { name: 'gzip of an image', make: () => file('pic.csv.gz', gzipSync(png(8, 8))), error: /"pic\.csv\.gz" is an image, not CSV text/ },
  { name: 'one column only', make: () => file('one.csv', 'value\n' + rows(20, (i) => String(i % 3))), error: /Only one column was found: a dataset needs/ },
  {
    name: 'single class',
    make: () => file('s.csv', 'a,b,class\n' + rows(20, (i) => `${i},${i * 2},yes`)),
    error: /single class \("yes"\).*at least 2 classes/
  },
  {
    name: 'target with > 1000 levels',
    make: () => file('lv.csv', 'a,class\n' + rows(3000, (i) => `${i % 5},k${i % 1500}`)),
    error: /"class" has 1,500 distinct values; .*at most 1,000 classes/
  },
  {
    name: 'continuous target',
    make: () => file('reg.csv', 'a,b,price\n' + rows(200, (i) => `${i % 9},${i % 4},${(i * 1.37).toFixed(2)}`)),
    error: /"price" looks continuous \(200 distinct numbers from 0 to 272\.6\): regression is not supported yet/
  },
  { name: 'all-missing target', make: () => file('nt.csv', 'a,b,label\n' + rows(20, (i) => `${i},${i % 3},NA`)), error: /target column "label" has no values/ },
  {
    name: 'ID-like target',
    make: () => file('idt.csv', 'a,b,name\n' + rows(40, (i) => `${i % 3},${i % 5},person${i}`)),
    run: (p) => load(p, { target: 'name' }),
    error: /every row has its own value in the target column "name"; it looks like an ID/
  },
  {
    name: 'duplicate header names',
    make: () => file('d.csv', 'a,b,a,class\n' + rows(10, (i) => `1,2,3,${i % 2}`)),
    error: /line 1\) has duplicate column names: "a"/,
    line: 1
  },
  {
    name: 'target does not exist',
    make: () => file('t.csv', GOOD),
    run: (p) => load(p, { target: 'nope' }),
    error: /Cannot use "nope" as the target: there is no such column. Columns are: "a", "b", "class"/
  },
  {
    name: 'override of an unknown column',
    make: () => file('o.csv', GOOD),
    run: (p) => load(p, { columns: [{ name: 'zzz', role: 'ignore' }] }),
    error: /Cannot change column "zzz": the dataset has no such column/
  },
  {
    name: 'target marked ignore',
    make: () => file('ti.csv', GOOD),
    run: (p) => load(p, { columns: [{ name: 'class', role: 'ignore' }] }),
    error: /target column "class" cannot be marked "ignore"/
  },
  {
    name: 'every feature ignored',
    make: () => file('fi.csv', GOOD),
    run: (p) =>
      load(p, {
        columns: [
          { name: 'a', role: 'ignore' },
          { name: 'b', role: 'ignore' }
        ]
      }),
    error: /No feature columns are left/
  },
  {
    name: 'wrong declared image shape (CSV)',
    make: () =>
      file(
        'img.csv',
        Array.from({ length: 16 }, (_, i) => `px_${i >> 2}_${i & 3}`).join(',') +
          ',digit\n' +
          rows(
            20,
            (i) =>
              Array(16)
                .fill(i % 9)
                .join(',') + `,${i % 2}`
          )
      ),
    run: (p) => load(p, { imageShape: [3, 3, 1] }),
    error: /image shape 3×3×1 needs 9 pixel columns, but the file has 16 columns besides the target "digit"/
  },
  {
    name: 'text in an image CSV pixel',
    make: () => file('imgt.csv', 'px_0_0,px_0_1,px_1_0,px_1_1,digit\n' + rows(20, (i) => `${i === 5 ? 'dark' : 1},2,3,4,${i % 2}`)),
    error: /pixel columns must be numbers, but "px_0_0" contain text/
  },
  {
    name: 'IDX with a bad magic number',
    make: () => idxPair({ images: Buffer.from('PK\x03\x04 not an idx file at all') }),
    error: /is not an IDX file: its magic number is 0x504b0304/
  },
  {
    name: 'IDX float data',
    make: () => idxPair({ images: idx(0x0d, [2, 2, 2], new Uint8Array(32)) }),
    error: /stores float values; only unsigned-byte IDX files/
  },
  {
    name: 'IDX truncated',
    make: () => idxPair({ images: idx(8, [10, 4, 4], new Uint8Array(100)) }),
    error: /is truncated: its header promises 10 × 4 × 4 = 160 bytes of data but only 100/
  },
  { name: 'IDX without labels file', make: () => idxPair({ labels: null }), error: /No labels file was found next to "train-images-idx3-ubyte"/ },
  {
    name: 'IDX labels count mismatch',
    make: () => idxPair({ labels: idx(8, [9], new Uint8Array(9)) }),
    error: /has 10 images but "train-labels-idx1-ubyte" has 9 labels/
  },
  {
    name: 'IDX labels file chosen',
    make: async () => (await idxPair()).replace('images-idx3', 'labels-idx1'),
    error: /is an IDX labels file; import the images file next to it \(e\.g\. train-images-idx3-ubyte\)/
  },
  {
    name: 'IDX corrupt gzip',
    make: async () => {
      const p = await idxPair({ gz: true })
      await writeFile(
        p,
        gzipSync(
          idx(
            8,
            [10, 4, 4],
            new Uint8Array(160).map((_, i) => (i * 7919) % 251)
          )
        ).subarray(0, 60)
      )
      return p
    },
    error: /"train-images-idx3-ubyte\.gz" is not a valid gzip file .*download may be incomplete/
  },
  {
    name: 'IDX wrong declared shape',
    make: () => idxPair(),
    run: (p) => load(p, { imageShape: [28, 28, 1] }),
    error: /declared image shape 28×28×1 does not match .* 4×4×1/
  },
  { name: 'IDX single class', make: () => idxPair({ labels: idx(8, [10], new Uint8Array(10)) }), error: /single class \("0"\)/ },
  {
    name: 'image folder with one class',
    make: () =>
      imageFolder({
        cat: [
          ['1.png', png(4, 4)],
          ['2.png', png(4, 4)]
        ]
      }),
    error: /has images for only one class \("cat"\)/
  },
  {
    name: 'image folder without images',
    make: () => imageFolder({ cat: [['notes.txt', Buffer.from('hi')]], dog: [] }),
    error: /No images were found in the sub-folders of .* \(cat, dog\)/
  },
  {
    name: 'images not in class folders',
    make: () => imageFolder({}, [['1.png', png(4, 4)]]),
    error: /holds images directly; put them in one sub-folder per class/
  },
  {
    name: 'image folder with inconsistent sizes',
    make: () => imageFolder({ cat: [['1.png', png(4, 4)]], dog: [['2.png', png(5, 4)]] }),
    error: /Images differ in size: "dog\/2\.png" is 5×4 pixels but "cat\/1\.png" is 4×4/
  },
  {
    name: 'image folder where nothing decodes',
    make: () => imageFolder({ cat: [['1.png', Buffer.from('nope')]], dog: [['2.jpg', Buffer.from('nope')]] }),
    error: /None of the images could be decoded, e\.g\. cat\/1\.png/
  },
  {
    name: 'file shrinks mid-import',
    make: () => file('shrink.csv', BIG),
    run: (p) => {
      let done = false
      return load(p, {
        onProgress: () => {
          if (!done) {
            done = true
            truncateSync(p, 1000)
          }
        }
      })
    },
    error: /"shrink\.csv" changed while it was being imported/
  },
  {
    name: 'file disappears mid-import',
    make: () => file('gone.csv', BIG),
    run: (p) => {
      let done = false
      return load(p, {
        onProgress: () => {
          if (!done) {
            done = true
            unlinkSync(p)
          }
        }
      })
    },
    error: /"gone\.csv" disappeared while it was being imported/
  },
  {
    name: 'damaged stored table',
    make: async () => {
      const d = await fresh()
      const r = await load(await file('ok.csv', GOOD))
      await saveTable(d, r.table)
      await truncate(join(d, 'c0.f64'), 7)
      return d
    },
    run: (d) => loadTable(d),
    error: /stored dataset in .* is damaged \(column "a" has the wrong size\)/
  },
  { name: 'stored table missing', make: async () => join(root, 'no-table'), run: (d) => loadTable(d), error: /does not exist/ },
  {
    name: 'maxRows below the class count',
    make: () => file('mr.csv', GOOD),
    run: async (p) => {
      const r = await load(p)
      return prepare(r.table, r.schema, { train: 0.7, val: 0.15, test: 0.15, kfold: null }, 1, { maxRows: 1 })
    },
    error: /maxRows must be a whole number of at least 2/
  },
  {
    name: 'too few rows to split',
    make: () => file('tiny.csv', 'a,b,class\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n'),
    run: async (p) => {
      const r = await load(p)
      return prepare(r.table, r.schema, { train: 0.7, val: 0.15, test: 0.15, kfold: null }, 1)
    },
    error: /Too few labelled rows \(4\) to fill the val split: each class needs at least 3 rows/
  },
  {
    name: 'ignoring one pixel of an image CSV',
    make: () => file('imgi.csv', 'px_0_0,px_0_1,px_1_0,px_1_1,digit\n' + rows(20, (i) => `${i % 3},2,3,4,${i % 2}`)),
    run: (p) => load(p, { columns: [{ name: 'px_0_1', role: 'ignore' }] }),
    error: /"px_0_1" is part of the image \(2×2×1\); pixels cannot be ignored one by one/
  },
  {
    name: 'huge images without a declared shape',
    make: () => imageFolder({ a: [['1.png', png(1100, 1000)]], b: [['2.png', png(1100, 1000)]] }),
    error: /"a\/1\.png" is 1100×1000 pixels, too large to train on as is. Declare a smaller image shape/
  },
  // problems the import can live with: a specific warning instead of an error
  {
    name: 'all-missing column (warning)',
    make: () => file('am.csv', 'a,empty,class\n' + rows(20, (i) => `${i % 4},,${i % 2 ? 'x' : 'y'}`)),
    warning: /Column "empty" has no values \(every cell is missing\); it is ignored/
  },
  {
    name: 'mixed types in a column (warning)',
    make: () => file('mx.csv', 'a,b,class\n' + rows(20, (i) => `${i === 3 ? 'oops' : i % 5},${i % 3},${i % 2 ? 'x' : 'y'}`)),
    warning: /Column "a" mixes numbers and text \(19 numbers, 1 text values, e\.g\. "oops" on line 5\); it is treated as categorical/
  },
  {
    name: 'rows without a target value (warning)',
    make: () => file('mt.csv', 'a,b,class\n' + rows(20, (i) => `${i % 4},${i % 3},${i === 4 ? 'NA' : i % 2 ? 'x' : 'y'}`)),
    warning: /1 row\(s\) have no "class" value; they are left out/
  },
  {
    name: 'continuous suggested target (inspect warns)',
    make: () => file('reg2.csv', 'a,b,price\n' + rows(100, (i) => `${i % 9},${i % 4},${i * 1.5}`)),
    run: (p) => inspectFile(p),
    warning: /regression is not supported yet/
  },
  {
    name: 'some images undecodable (warning)',
    make: () =>
      imageFolder({
        cat: [
          ['1.png', png(4, 4)],
          ['bad.png', Buffer.from('x')]
        ],
        dog: [['2.png', png(4, 4, 9)]]
      }),
    warning: /1 image\(s\) could not be decoded and were skipped: cat\/bad\.png/
  },
  {
    name: 'jpeg and png of different sizes resized when a shape is declared (no error)',
    make: () => imageFolder({ a: [['1.png', png(6, 6)]], b: [['2.jpg', jpeg.encode({ width: 8, height: 5, data: Buffer.alloc(160, 200) }, 90).data]] }),
    run: (p) => load(p, { imageShape: [4, 4, 1] }),
    warning: /^$/
  }
]

describe('malformed input → DataError with a human message', () => {
  it('has at least 30 generated fixtures', () => {
    expect(cases.filter((c) => c.error).length).toBeGreaterThanOrEqual(30)
  })

  it.each(cases)('$name', async (c) => {
    const path = await c.make()
    const run = c.run ?? ((p: string) => load(p))
    if (c.error) {
      const err = await run(path).then(
        () => null,
        (e: unknown) => e
      )
      expect(err, 'expected a DataError').toBeInstanceOf(DataError)
      const e = err as DataError
      expect(e.code).toBe('invalid-data')
      expect(e.message).toMatch(c.error)
      expect(e.message).not.toMatch(/\n\s+at /)
      if (c.line !== undefined) expect(e.line).toBe(c.line)
    } else {
      const r = (await run(path)) as { schema?: { warnings: string[] }; warnings?: string[] }
      const warnings = r.schema?.warnings ?? r.warnings ?? []
      if (c.warning!.source === '^$') expect(warnings).toEqual([])
      else expect(warnings.join('\n')).toMatch(c.warning!)
    }
  })
})
