/**
 * CIFAR-10 and CIFAR-100, binary version: a folder (cifar-10-batches-bin/, cifar-100-binary/), the .tar.gz as
 * distributed, or one batch file. A record is the label byte(s) and a 32×32 image stored planar (1024 red, 1024
 * green, 1024 blue bytes, rows top to bottom); pixels are stored here H×W×C like every other image table.
 * CIFAR-10 records: label, image (3,073 bytes). CIFAR-100 records: coarse label, fine label, image (3,074 bytes);
 * both labellings are kept as columns, fine_label the default target. The published split (data_batch_* /
 * train.bin vs test_batch / test.bin) is kept as the table's split flags.
 */
import { createHash, type Hash } from 'node:crypto'
import { readdir, readFile, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { ByteReader, fileBytes, fileChunks } from '../bytes.ts'
import type { Progress } from '../csv/read.ts'
import { DataError, fsError } from '../errors.ts'
import { PUBLISHED_TEST, PUBLISHED_TRAIN, type Column, type Table } from '../table.ts'
import { tarEntries } from '../tar.ts'

const SIDE = 32
const PIXELS = SIDE * SIDE * 3
/** Records converted per read: 1,000 images (3 MB). */
const BATCH = 1000

export type CifarVersion = 'cifar-10' | 'cifar-100'

interface Layout {
  version: CifarVersion
  labelBytes: number
  /** Label columns in record order, with the largest label allowed and the file naming the classes. */
  labels: Array<{ name: string; max: number; meta: string }>
}

const LAYOUTS: Record<CifarVersion, Layout> = {
  'cifar-10': { version: 'cifar-10', labelBytes: 1, labels: [{ name: 'label', max: 9, meta: 'batches.meta.txt' }] },
  'cifar-100': {
    version: 'cifar-100',
    labelBytes: 2,
    labels: [
      { name: 'coarse_label', max: 19, meta: 'coarse_label_names.txt' },
      { name: 'fine_label', max: 99, meta: 'fine_label_names.txt' }
    ]
  }
}

const recordBytes = (l: Layout) => l.labelBytes + PIXELS

/** Which CIFAR batch a file name is, if any. */
export function cifarBatch(name: string): { version: CifarVersion; part: 'train' | 'test' } | null {
  const n = name.toLowerCase()
  if (/^data_batch_\d+\.bin$/.test(n)) return { version: 'cifar-10', part: 'train' }
  if (n === 'test_batch.bin') return { version: 'cifar-10', part: 'test' }
  if (n === 'train.bin') return { version: 'cifar-100', part: 'train' }
  if (n === 'test.bin') return { version: 'cifar-100', part: 'test' }
  return null
}

/** Names of CIFAR's Python version: pickled batches without an extension, and their meta files. */
export function isCifarPickleName(name: string): boolean {
  return /^(data_batch_\d+|test_batch|batches\.meta)$/i.test(name) || /^cifar-(10-batches-py|100-python)(\/|$)/i.test(name)
}

export function pickleError(what: string): DataError {
  return new DataError(
    `"${what}" is the Python (pickle) version of CIFAR, which is not read here (unpickling a file can run code). Download the binary version instead — cifar-10-binary.tar.gz or cifar-100-binary.tar.gz, "binary version (suitable for C programs)" — and import that archive or its folder.`
  )
}

export interface CifarSource {
  table: Table
  hash: string
  sizeBytes: number
  version: CifarVersion
  warnings: string[]
}

const byName = new Intl.Collator('en', { numeric: true }).compare

/**
 * Collects records of one layout, per file: label codes, H×W×C pixels. Rows come out train files first, then
 * test files, each in natural name order, whatever order a folder listing or an archive gave them in.
 */
class Collector {
  readonly files: Array<{ file: string; part: 'train' | 'test'; pixels: Uint8Array; labels: number[][] }> = []
  rows = 0
  readonly names = new Map<string, string[]>()

  constructor(readonly layout: Layout) {}

  /** Reads `bytes` bytes of records of the file `file` from `r`. */
  async records(r: ByteReader, bytes: number, file: string, part: 'train' | 'test', progress: () => void): Promise<void> {
    const rec = recordBytes(this.layout)
    const v = this.layout.version.toUpperCase()
    if (bytes === 0 || bytes % rec !== 0) {
      throw new DataError(
        `"${file}" is not a ${v} binary batch: its ${bytes.toLocaleString('en-US')} bytes are not a whole number of ${rec.toLocaleString('en-US')}-byte records (${this.layout.labelBytes} label byte${this.layout.labelBytes > 1 ? 's' : ''} + 3,072 pixel bytes); it may be truncated.`
      )
    }
    const n = bytes / rec
    const pixels = new Uint8Array(n * PIXELS)
    const labels: number[][] = this.layout.labels.map(() => [])
    for (let i = 0; i < n; i += BATCH) {
      const k = Math.min(BATCH, n - i)
      const buf = await r.read(k * rec)
      if (buf.length < k * rec)
        throw new DataError(
          `"${file}" ends in the middle of record ${(i + Math.floor(buf.length / rec) + 1).toLocaleString('en-US')}; the download may be incomplete.`
        )
      for (let j = 0; j < k; j++) {
        const o = j * rec
        this.layout.labels.forEach((l, b) => {
          const y = buf[o + b]
          if (y > l.max) {
            throw new DataError(
              `Record ${(i + j + 1).toLocaleString('en-US')} of "${file}" has ${l.name.replace('_', ' ')} ${y}, but ${v} ${l.name.replace('_', ' ')}s are 0–${l.max}${this.layout.version === 'cifar-10' ? ' (is this a CIFAR-100 file?)' : ''}.`
            )
          }
          labels[b].push(y)
        })
        // planar R, G, B planes → interleaved H×W×C
        const src = o + this.layout.labelBytes
        const dst = (i + j) * PIXELS
        for (let p = 0; p < SIDE * SIDE; p++) {
          pixels[dst + p * 3] = buf[src + p]
          pixels[dst + p * 3 + 1] = buf[src + 1024 + p]
          pixels[dst + p * 3 + 2] = buf[src + 2048 + p]
        }
      }
      this.rows += k
      progress()
    }
    this.files.push({ file, part, pixels, labels })
  }

  meta(file: string, body: string): void {
    const names = body
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter((s) => s !== '')
    this.names.set(file.toLowerCase(), names)
  }

  finish(what: string): { table: Table; warnings: string[] } {
    const warnings: string[] = []
    if (this.rows === 0) throw new DataError(`"${what}" holds no CIFAR records.`)
    const files = this.files.sort((a, b) => (a.part === b.part ? byName(a.file, b.file) : a.part === 'train' ? -1 : 1))
    const columns: Column[] = this.layout.labels.map((l, b) => {
      const names = this.names.get(l.meta)
      let levels = Array.from({ length: l.max + 1 }, (_, i) => String(i))
      if (!names) warnings.push(`${l.meta} was not found: the classes of "${l.name}" are named by their numbers 0–${l.max}.`)
      else if (names.length !== l.max + 1) {
        throw new DataError(
          `${l.meta} in "${what}" names ${names.length} classes, but ${this.layout.version.toUpperCase()} has ${l.max + 1}; is it the right file?`
        )
      } else levels = names
      return { kind: 'cat', name: l.name, codes: Int32Array.from(files.flatMap((f) => f.labels[b])), levels, ordered: true }
    })
    const pixels = new Uint8Array(this.rows * PIXELS)
    const split = new Uint8Array(this.rows)
    let o = 0
    for (const f of files) {
      pixels.set(f.pixels, o * PIXELS)
      split.fill(f.part === 'train' ? PUBLISHED_TRAIN : PUBLISHED_TEST, o, o + f.labels[0].length)
      o += f.labels[0].length
    }
    this.files.length = 0
    const table: Table = { rows: this.rows, columns, image: { shape: [SIDE, SIDE, 3], pixels } }
    let test = 0
    for (const v of split) if (v === PUBLISHED_TEST) test++
    if (test > 0 && test < this.rows) table.split = split
    else
      warnings.push(
        `Only the ${test ? 'test' : 'training'} batches were found: the published train/test split cannot be kept, so runs split the rows themselves.`
      )
    // The label column the user did not pick first stays available as a target (CIFAR-100 coarse labels).
    if (this.layout.version === 'cifar-100') columns.reverse()
    return { table, warnings }
  }
}

const progressOf = (c: Collector, read: () => number, total: number, onProgress?: (p: Progress) => void) => () =>
  onProgress?.({ bytesRead: read(), totalBytes: total, rows: c.rows })

/** A folder of binary batches (or the folder holding one such folder, as a download unpacks). */
export async function readCifarFolder(dir: string, opts: { onProgress?: (p: Progress) => void } = {}): Promise<CifarSource> {
  const names = await list(dir)
  const batches = names.filter((n) => cifarBatch(n)).sort(byName)
  const versions = new Set(batches.map((n) => cifarBatch(n)!.version))
  if (versions.size !== 1)
    throw new DataError(`"${basename(dir)}" mixes CIFAR-10 batches (data_batch_*.bin, test_batch.bin) with CIFAR-100 ones (train.bin, test.bin).`)
  const layout = LAYOUTS[[...versions][0]]
  const c = new Collector(layout)
  const hash = createHash('sha256')
  let bytesRead = 0
  let total = 0
  for (const n of batches) total += (await stat(join(dir, n))).size
  const tick = progressOf(c, () => bytesRead, total, opts.onProgress)
  for (const n of batches) {
    const size = (await stat(join(dir, n))).size
    hash.update(n).update('\0')
    const r = new ByteReader(fileChunks(join(dir, n), { hash, onBytes: (k) => (bytesRead += k) }))
    await c.records(r, size, n, cifarBatch(n)!.part, tick)
    await r.drain()
  }
  for (const l of layout.labels) if (names.includes(l.meta)) c.meta(l.meta, await readText(join(dir, l.meta)))
  const { table, warnings } = c.finish(basename(dir))
  if (layout.version === 'cifar-10') {
    const missing = [1, 2, 3, 4, 5].filter((i) => !names.includes(`data_batch_${i}.bin`))
    if (missing.length && missing.length < 5)
      warnings.push(
        `data_batch_${missing.join('.bin, data_batch_')}.bin ${missing.length > 1 ? 'are' : 'is'} missing: ${5 - missing.length} of the 5 training batches were imported.`
      )
  }
  return { table, hash: hash.digest('hex'), sizeBytes: total, version: layout.version, warnings }
}

/** One batch file on its own (its class names from the meta file beside it); it has no published split. */
export async function readCifarFile(path: string, opts: { onProgress?: (p: Progress) => void } = {}): Promise<CifarSource> {
  const name = basename(path)
  const batch = cifarBatch(name)!
  const layout = LAYOUTS[batch.version]
  const size = (await stat(path)).size
  const c = new Collector(layout)
  const hash = createHash('sha256')
  let bytesRead = 0
  const r = new ByteReader(fileChunks(path, { hash, onBytes: (k) => (bytesRead += k) }))
  await c.records(
    r,
    size,
    name,
    'train',
    progressOf(c, () => bytesRead, size, opts.onProgress)
  )
  await r.drain()
  const dir = dirname(path)
  const beside = await list(dir).catch(() => [] as string[])
  for (const l of layout.labels) if (beside.includes(l.meta)) c.meta(l.meta, await readText(join(dir, l.meta)))
  const { table, warnings } = c.finish(name)
  return { table, hash: hash.digest('hex'), sizeBytes: size, version: layout.version, warnings: warnings.filter((w) => !w.startsWith('Only the')) }
}

/** The archive as distributed (cifar-10-binary.tar.gz, cifar-100-binary.tar.gz), gzipped or not. */
export async function readCifarTar(path: string, gzip: boolean, opts: { onProgress?: (p: Progress) => void } = {}): Promise<CifarSource> {
  const archive = basename(path)
  const total = (await stat(path)).size
  const hash: Hash = createHash('sha256')
  let bytesRead = 0
  const r = new ByteReader(fileBytes(path, gzip, { hash, onBytes: (k) => (bytesRead += k) }))
  let c: Collector | null = null
  const metas = new Map<string, string>()
  for await (const e of tarEntries(r, archive)) {
    if (e.type !== 'file') continue
    const name = basename(e.name)
    if (isCifarPickleName(e.name) || isCifarPickleName(name)) throw pickleError(archive)
    const batch = cifarBatch(name)
    if (batch) {
      if (c && c.layout.version !== batch.version) throw new DataError(`"${archive}" mixes CIFAR-10 and CIFAR-100 batches.`)
      c ??= new Collector(LAYOUTS[batch.version])
      await c.records(
        r,
        e.size,
        name,
        batch.part,
        progressOf(c, () => bytesRead, total, opts.onProgress)
      )
    } else if (/^(batches\.meta|fine_label_names|coarse_label_names)\.txt$/i.test(name) && e.size < 1 << 20) {
      const body = await r.read(e.size)
      if (body.length < e.size) throw new DataError(`"${archive}" ends in the middle of "${name}"; the download may be incomplete.`)
      metas.set(name, body.toString('utf8'))
    }
  }
  await r.drain()
  if (!c)
    throw new DataError(
      `"${archive}" is a tar archive without CIFAR batches (data_batch_*.bin, test_batch.bin or train.bin, test.bin). Only the CIFAR binary archives are imported from tar files.`
    )
  for (const [n, body] of metas) c.meta(n, body)
  const { table, warnings } = c.finish(archive)
  return { table, hash: hash.digest('hex'), sizeBytes: total, version: c.layout.version, warnings }
}

/** The CIFAR folder inside `dir`: itself, or the one folder a download unpacks to; null when it is none. */
export async function cifarFolder(dir: string): Promise<string | null> {
  const names = await list(dir)
  if (names.some((n) => cifarBatch(n))) return dir
  if (names.some(isCifarPickleName) || names.some((n) => /^(train|test|meta)$/.test(n) && names.includes('meta'))) throw pickleError(basename(dir))
  const inner = names.find((n) => /^cifar-(10-batches-bin|100-binary)$/i.test(n))
  if (inner) return cifarFolder(join(dir, inner))
  if (names.some((n) => /^cifar-(10-batches-py|100-python)$/i.test(n))) throw pickleError(basename(dir))
  return null
}

async function list(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => !n.startsWith('.'))
  } catch (e) {
    fsError(e, dir, 'folder')
  }
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (e) {
    fsError(e, path)
  }
}
