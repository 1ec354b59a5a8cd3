/**
 * Every file format through the one import of the services (the door of the UI, the CLI, study specs and server
 * uploads), parsed in-process and on the import worker: good files import with their format recorded, uploads keep
 * their name so .arff.gz or .parquet are recognised, and a malformed fixture of each format gets 'invalid-data'
 * with a message naming the file — while the store (dataset rows, datasets/ folder) stays exactly as it was.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DataError, inspectFile, mulberry32 } from '../../../main/data/index.ts'
import { createServices, type Services } from '../../../main/services/index.ts'
import { cifar10Folder, cifarRecord, concat, tarGz, testImage } from './formatFixtures.ts'

const PARQUET = join(import.meta.dirname, '../../fixtures/parquet/types.snappy.parquet')
const dir = mkdtempSync(join(tmpdir(), 'iunet-formats-'))
let inline: Services
let worker: Services
afterAll(async () => {
  await inline?.close()
  await worker?.close()
  rmSync(dir, { recursive: true, force: true })
})

const ARFF =
  '@relation r\n@attribute a numeric\n@attribute b {x, y}\n@attribute class {yes, no}\n@data\n' +
  Array.from({ length: 30 }, (_, i) => `${i % 7},${i % 2 ? 'x' : 'y'},${i % 3 ? 'yes' : 'no'}`).join('\n') +
  '\n'
const CSV = 'a,b,class\n' + Array.from({ length: 30 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2 ? 'x' : 'y'}`).join('\n') + '\n'

/** A level-5 MAT-file with one uncompressed uint8 variable, written from the format's documented layout. */
function matWith(name: string): Buffer {
  const head = Buffer.alloc(128, 0x20)
  head.write('MATLAB 5.0 MAT-file, written by hand for a test', 0, 'latin1')
  head.writeUInt16LE(0x0100, 124)
  head.write('IM', 126, 'latin1')
  const el = (type: number, data: Buffer) => {
    const t = Buffer.alloc(8)
    t.writeUInt32LE(type, 0)
    t.writeUInt32LE(data.length, 4)
    return Buffer.concat([t, data, Buffer.alloc((8 - (data.length % 8)) % 8)])
  }
  const flags = Buffer.alloc(8)
  flags.writeUInt32LE(9, 0) // mxUINT8_CLASS
  const dims = Buffer.alloc(8)
  dims.writeInt32LE(4, 0)
  dims.writeInt32LE(1, 4)
  const body = Buffer.concat([el(6, flags), el(5, dims), el(1, Buffer.from(name, 'latin1')), el(2, Buffer.from([1, 2, 3, 4]))])
  return Buffer.concat([head, el(14, body)])
}

beforeAll(async () => {
  inline = createServices({ dataDir: join(dir, 'inline'), transport: 'websocket', workers: 1, parseInWorkerFromBytes: Infinity })
  worker = createServices({ dataDir: join(dir, 'worker'), transport: 'websocket', workers: 1, parseInWorkerFromBytes: 0 })
  mkdirSync(join(dir, 'files'))
  writeFileSync(join(dir, 'files', 'good.arff.gz'), gzipSync(ARFF))
  writeFileSync(join(dir, 'files', 'good.csv.gz'), gzipSync(CSV))
  await cifar10Folder(join(dir, 'files', 'cifar', 'cifar-10-batches-bin'), { perBatch: 10 })
  tarGz(join(dir, 'files', 'cifar-10-binary.tar.gz'), join(dir, 'files', 'cifar'), 'cifar-10-batches-bin')
})

const bad: Array<[string, string, () => string | Buffer, RegExp]> = [
  ['ARFF: undeclared nominal value', 'bad.arff', () => ARFF.replace('3,y,no', '3,z,no'), /"z" is not a declared value of the nominal attribute "b"/],
  ['ARFF: truncated record', 'cut.arff', () => ARFF + '1,x', /Line 36 of "cut\.arff": 2 values where 3 attributes are declared/],
  ['ARFF.gz: cut stream', 'cut.arff.gz', () => gzipSync(ARFF.repeat(1)).subarray(0, 60), /"cut\.arff\.gz" is not a valid gzip file/],
  ['CSV.gz: cut stream', 'cut.csv.gz', () => gzipSync(CSV.repeat(40)).subarray(0, 150), /"cut\.csv\.gz" is not a valid gzip file/],
  [
    'Parquet: corrupt footer',
    'bad.parquet',
    () => Buffer.concat([readFileSync(PARQUET).subarray(0, -8), Buffer.from([9, 9, 9, 9]), Buffer.from('PAR1')]),
    /"bad\.parquet" is not a readable Parquet file/
  ],
  ['MAT: wrong variable names', 'names.mat', () => matWith('images'), /"names\.mat" has no variable "X" \(its variables: "images"\)/],
  [
    'MAT: v7.3 (HDF5)',
    'v73.mat',
    () => Buffer.concat([Buffer.from('MATLAB 7.3 MAT-file, Platform: GLNXA64'.padEnd(512)), Buffer.from('\x89HDF\r\n\x1a\n', 'latin1')]),
    /"v73\.mat" is a MATLAB v7\.3 MAT-file \(HDF5 inside\)/
  ],
  [
    'CIFAR: truncated batch',
    'data_batch_1.bin',
    () => concat([cifarRecord([3], testImage(0)), cifarRecord([4], testImage(1))]).subarray(0, 5000),
    /"data_batch_1\.bin" is not a CIFAR-10 binary batch: its 5,000 bytes are not a whole number of 3,073-byte records/
  ],
  [
    'CIFAR: label out of range',
    'test_batch.bin',
    () => concat([cifarRecord([3], testImage(0)), cifarRecord([42], testImage(1))]),
    /Record 2 of "test_batch\.bin" has label 42, but CIFAR-10 labels are 0–9 \(is this a CIFAR-100 file\?\)/
  ],
  [
    'CIFAR: Python pickle version',
    'data_batch_1',
    () => Buffer.from([0x80, 0x02, 0x7d, 0x71, 0x00]),
    /"data_batch_1" is the Python \(pickle\) version of CIFAR.*Download the binary version instead — cifar-10-binary\.tar\.gz/
  ],
  [
    'CIFAR: archive cut short',
    'cifar-cut.tar.gz',
    () => {
      const b = readFileSync(join(dir, 'files', 'cifar-10-binary.tar.gz'))
      return b.subarray(0, b.length >> 1)
    },
    /"cifar-cut\.tar\.gz" is not a valid gzip file \(it ends too early\)/
  ]
]

describe.each([
  ['in-process', () => inline, 'inline'],
  ['on the import worker', () => worker, 'worker']
] as const)('formats through datasets.import, %s', (_how, services, sub) => {
  it('imports each format with its format recorded, the CIFAR archive with its published split', async () => {
    const s = services()
    const files = join(dir, 'files')
    const cases: Array<[string, string]> = [
      [join(files, 'good.arff.gz'), 'arff'],
      [join(files, 'good.csv.gz'), 'csv'],
      [PARQUET, 'parquet'],
      [join(files, 'cifar-10-binary.tar.gz'), 'cifar-10'],
      [join(files, 'cifar'), 'cifar-10']
    ]
    for (const [path, format] of cases) {
      const d = await s.call('datasets.import', { path, reuseExisting: true })
      expect(d.schema.format, path).toBe(format)
    }
    const cifar = (await s.call('datasets.list', {})).find((d) => d.name === 'cifar-10-binary')!
    const detail = await s.call('datasets.get', { id: cifar.id })
    expect(detail.schema.publishedSplit).toEqual({ train: 20, test: 10 })
    expect(detail.schema.imageStats!.mean).toHaveLength(3)
    // the run defaults read the format: CIFAR images are flipped, k-fold on the published split is refused
    const defaults = await s.call('runs.defaults', { datasetId: cifar.id, preset: 'quick' })
    expect(defaults.augment.flip).toBe(true)
    const r = await s.handle('runs.start', { ...defaults, split: { ...defaults.split, kfold: 2 } })
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
    if (!r.ok) expect(r.error.message).toMatch(/Folds \(k\) must be off for "cifar-10-binary": it keeps its published train\/test split/)
  })

  it('an upload keeps its file name, so a gzipped ARFF is read as ARFF', async () => {
    const s = services()
    const up = await s.call('datasets.upload', { name: 'weather.arff.gz', data: gzipSync(ARFF.replace('@relation r', '@relation weather')).toString('base64') })
    const d = await s.call('datasets.import', { path: up.path })
    expect(d.schema.format).toBe('arff')
    expect(d.name).toBe('weather')
  })

  it.each(bad)('%s: invalid-data naming the file, nothing stored', async (_name, file, make, error) => {
    const s = services()
    const path = join(dir, `bad-${sub}`, file)
    mkdirSync(join(dir, `bad-${sub}`), { recursive: true })
    writeFileSync(path, make())
    const before = { rows: await s.call('datasets.list', {}), files: readdirSync(join(dir, sub, 'datasets')).sort() }
    const r = await s.handle('datasets.import', { path })
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-data' } })
    if (!r.ok) expect(r.error.message).toMatch(error)
    expect(await s.call('datasets.list', {})).toEqual(before.rows)
    expect(readdirSync(join(dir, sub, 'datasets')).sort()).toEqual(before.files)
  })
})

describe('damaged copies of good files', () => {
  it('flipped bytes, overwritten runs and cuts give a table or a DataError, never another error', async () => {
    const rng = mulberry32(11)
    const sources: Array<[string, Buffer]> = [
      ['types.parquet', readFileSync(PARQUET)],
      ['cifar.tar.gz', readFileSync(join(dir, 'files', 'cifar-10-binary.tar.gz'))],
      ['data_batch_1.bin', readFileSync(join(dir, 'files', 'cifar', 'cifar-10-batches-bin', 'data_batch_1.bin'))],
      ['w.arff.gz', gzipSync(ARFF)],
      ['w.arff', Buffer.from(ARFF)],
      ['train_32x32.mat', matWith('X')]
    ]
    const others: string[] = []
    let k = 0
    for (const [name, orig] of sources) {
      for (let i = 0; i < 15; i++) {
        const b = Buffer.from(orig)
        const at = Math.floor(rng() * b.length)
        const data = i % 3 === 0 ? b.subarray(0, at) : i % 3 === 1 ? b.fill(0xff, at, at + 8) : ((b[at] ^= 1 + Math.floor(rng() * 255)), b)
        const path = join(dir, `fuzz-${k++}`, name)
        mkdirSync(join(path, '..'), { recursive: true })
        writeFileSync(path, data)
        await inspectFile(path).catch((e: unknown) => (e instanceof DataError ? null : others.push(`${name} #${i}: ${String(e)}`)))
      }
    }
    expect(others).toEqual([])
  })
})

describe('iunet inspect on a malformed file', () => {
  it('exits with code 2 and the message, no stack trace', () => {
    const p = join(dir, 'cli.arff')
    writeFileSync(p, ARFF.replace('3,y,no', '3,y,maybe'))
    let status = 0
    let stderr = ''
    try {
      execFileSync(process.execPath, ['bin/iunet.mjs', 'inspect', '--data', p, '--data-dir', join(dir, 'cli-data')], {
        encoding: 'utf8',
        stdio: 'pipe',
        timeout: 120_000
      })
    } catch (e) {
      status = (e as { status: number }).status
      stderr = (e as { stderr: string }).stderr
    }
    expect(status).toBe(2)
    expect(stderr).toMatch(/"maybe" is not a declared value of the nominal attribute "class"/)
    expect(stderr).not.toMatch(/\n\s+at /)
  })
})
