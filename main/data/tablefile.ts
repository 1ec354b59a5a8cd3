/**
 * A Table on disk: one binary file per column (Float64 values, Int32 codes, Uint8 pixels, little-endian as
 * in memory), level dictionaries as JSON, and a small JSON header written last. Every file is written atomically
 * (lib/atomic: temp name, fsync, rename), so a crash never leaves a header that points at half-written data.
 */
import { mkdir, open, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomicAsync as writeAtomic } from '../lib/atomic.ts'
import { DataError, fsError } from './errors.ts'
import type { Column, Table } from './table.ts'

const HEADER = 'table.json'
const FORMAT = 'iunet-table'

interface HeaderColumn {
  name: string
  kind: 'num' | 'cat'
  file: string
  levels?: string
  ordered?: boolean
}

interface Header {
  format: typeof FORMAT
  version: 1
  endian: 'le'
  rows: number
  columns: HeaderColumn[]
  image?: { shape: [number, number, number]; file: string }
  /** The published train/test flag per row (Uint8: 0 train, 1 test). */
  split?: { file: string }
}

function bytesOf(a: Float64Array | Int32Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
}

export async function saveTable(dir: string, table: Table): Promise<void> {
  await mkdir(dir, { recursive: true })
  const columns: HeaderColumn[] = []
  for (let j = 0; j < table.columns.length; j++) {
    const c = table.columns[j]
    if (c.kind === 'num') {
      const file = `c${j}.f64`
      await writeAtomic(join(dir, file), bytesOf(c.values))
      columns.push({ name: c.name, kind: 'num', file })
    } else {
      const file = `c${j}.i32`
      const levels = `c${j}.levels.json`
      await writeAtomic(join(dir, file), bytesOf(c.codes))
      await writeAtomic(join(dir, levels), JSON.stringify(c.levels))
      columns.push({ name: c.name, kind: 'cat', file, levels, ...(c.ordered ? { ordered: true } : {}) })
    }
  }
  const header: Header = { format: FORMAT, version: 1, endian: 'le', rows: table.rows, columns }
  if (table.image) {
    await writeAtomic(join(dir, 'image.u8'), table.image.pixels)
    header.image = { shape: [...table.image.shape], file: 'image.u8' }
  }
  if (table.split) {
    await writeAtomic(join(dir, 'split.u8'), table.split)
    header.split = { file: 'split.u8' }
  }
  await writeAtomic(join(dir, HEADER), JSON.stringify(header))
}

async function readBytes(dir: string, file: string, shared = false): Promise<Uint8Array> {
  try {
    if (!shared) return await readFile(join(dir, file))
    // Straight into shared memory: worker threads that get the table see these bytes without a copy.
    const fh = await open(join(dir, file), 'r')
    try {
      const size = (await fh.stat()).size
      const out = new Uint8Array(new SharedArrayBuffer(size))
      for (let off = 0; off < size;) {
        const { bytesRead } = await fh.read(out, off, size - off, off)
        if (bytesRead === 0) break
        off += bytesRead
      }
      return out
    } finally {
      await fh.close()
    }
  } catch (e) {
    fsError(e, join(dir, file), 'stored dataset file')
  }
}

/** A typed view on the buffer, copied when the buffer is not aligned for the element size. */
function typed<T extends Float64Array | Int32Array>(
  buf: Uint8Array,
  Ctor: { new (b: ArrayBufferLike, o: number, n: number): T; BYTES_PER_ELEMENT: number }
): T {
  const size = Ctor.BYTES_PER_ELEMENT
  if (buf.byteOffset % size === 0) return new Ctor(buf.buffer, buf.byteOffset, buf.byteLength / size)
  const copy = new Uint8Array(buf.byteLength)
  copy.set(buf)
  return new Ctor(copy.buffer, 0, buf.byteLength / size)
}

export interface LoadTableOptions {
  /** Column, pixel and split data in SharedArrayBuffers, to hand to worker threads without a copy. */
  shared?: boolean
}

export async function loadTable(dir: string, opts: LoadTableOptions = {}): Promise<Table> {
  const shared = opts.shared ?? false
  const text = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8')
  let header: Header
  try {
    header = JSON.parse(text(await readBytes(dir, HEADER))) as Header
  } catch (e) {
    if (e instanceof DataError) throw e
    throw new DataError(`The stored dataset in "${dir}" is damaged (unreadable header); import the file again.`)
  }
  if (header.format !== FORMAT || header.version !== 1) {
    throw new DataError(`"${dir}" does not hold a dataset stored by this version of the app; import the file again.`)
  }
  const damaged = (what: string) => new DataError(`The stored dataset in "${dir}" is damaged (${what}); import the file again.`)
  const columns: Column[] = []
  for (const h of header.columns) {
    const buf = await readBytes(dir, h.file, shared)
    if (h.kind === 'num') {
      if (buf.byteLength !== header.rows * 8) throw damaged(`column "${h.name}" has the wrong size`)
      columns.push({ kind: 'num', name: h.name, values: typed(buf, Float64Array) })
    } else {
      if (buf.byteLength !== header.rows * 4) throw damaged(`column "${h.name}" has the wrong size`)
      let levels: string[]
      try {
        levels = JSON.parse(text(await readBytes(dir, h.levels!))) as string[]
      } catch (e) {
        if (e instanceof DataError) throw e
        throw damaged(`levels of "${h.name}" are unreadable`)
      }
      columns.push({ kind: 'cat', name: h.name, codes: typed(buf, Int32Array), levels, ...(h.ordered ? { ordered: true } : {}) })
    }
  }
  const table: Table = { rows: header.rows, columns }
  if (header.image) {
    const buf = await readBytes(dir, header.image.file, shared)
    const [h, w, c] = header.image.shape
    if (buf.byteLength !== header.rows * h * w * c) throw damaged('the image pixels have the wrong size')
    table.image = { shape: header.image.shape, pixels: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) }
  }
  if (header.split) {
    const buf = await readBytes(dir, header.split.file, shared)
    if (buf.byteLength !== header.rows || buf.some((v) => v > 1)) throw damaged('the published split flags are wrong')
    table.split = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
  }
  return table
}
