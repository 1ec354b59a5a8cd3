/**
 * A MATLAB level-5 MAT-file reader for what SVHN format 2 needs: numeric matrices (any class, real), stored plain
 * or in zlib-compressed elements, either byte order. Anything else (cells, structs, sparse, char, complex) is
 * named and skipped by the caller's choice; MATLAB v7.3 files (HDF5 inside) and v4 files are refused clearly.
 *
 * Why not `mat-for-js` (the one npm MAT reader, ~1k downloads a month, one release): it needs the whole file in one
 * ArrayBuffer, inflates each element whole with pako and turns every value into a JS number pushed onto nested
 * arrays — SVHN's train X alone (225 M uint8 values) would take gigabytes — and it does not tell v7.3 files apart.
 * This reader streams the file and the inflated data through a visitor, so SVHN's X goes straight into the pixel
 * block, and it is small enough (one format, numeric arrays only) to own and test against SciPy's writer.
 */
import type { Hash } from 'node:crypto'
import { basename } from 'node:path'
import { Unzlib } from 'fflate'
import { ByteReader, fileChunks } from '../bytes.ts'
import { DataError } from '../errors.ts'

/** Data types of MAT elements (miINT8 = 1 …) and their byte sizes. */
const TYPES: Record<number, { name: NumericType; size: number }> = {
  1: { name: 'int8', size: 1 },
  2: { name: 'uint8', size: 1 },
  3: { name: 'int16', size: 2 },
  4: { name: 'uint16', size: 2 },
  5: { name: 'int32', size: 4 },
  6: { name: 'uint32', size: 4 },
  7: { name: 'single', size: 4 },
  9: { name: 'double', size: 8 },
  12: { name: 'int64', size: 8 },
  13: { name: 'uint64', size: 8 }
}
const MI_MATRIX = 14
const MI_COMPRESSED = 15

export type NumericType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'single' | 'double' | 'int64' | 'uint64'

/** Array classes (mxCELL_CLASS = 1 …). */
const CLASSES = [
  '',
  'cell array',
  'struct',
  'object',
  'char array',
  'sparse matrix',
  'double',
  'single',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64'
]

export interface MatVariable {
  name: string
  /** 'double', 'uint8', … or a non-numeric class ('cell array', 'struct', …). */
  cls: string
  numeric: boolean
  complex: boolean
  /** MATLAB's dimensions, column-major (first index fastest). */
  dims: number[]
}

/** Receives a numeric variable's real part as it streams: its storage type, then the bytes in order. */
export interface MatSink {
  start(type: NumericType, littleEndian: boolean, bytes: number): void
  piece(b: Buffer): void
}

/** Decodes bytes of one numeric storage type into numbers. */
export function numbersOf(b: Buffer, type: NumericType, le: boolean): Float64Array {
  const size = Object.values(TYPES).find((t) => t.name === type)!.size
  const n = Math.floor(b.length / size)
  const out = new Float64Array(n)
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength)
  for (let i = 0; i < n; i++) {
    const o = i * size
    // prettier-ignore
    switch (type) {
      case 'int8': out[i] = v.getInt8(o); break
      case 'uint8': out[i] = v.getUint8(o); break
      case 'int16': out[i] = v.getInt16(o, le); break
      case 'uint16': out[i] = v.getUint16(o, le); break
      case 'int32': out[i] = v.getInt32(o, le); break
      case 'uint32': out[i] = v.getUint32(o, le); break
      case 'single': out[i] = v.getFloat32(o, le); break
      case 'double': out[i] = v.getFloat64(o, le); break
      case 'int64': out[i] = Number(v.getBigInt64(o, le)); break
      case 'uint64': out[i] = Number(v.getBigUint64(o, le)); break
    }
  }
  return out
}

/** zlib inflate with fflate's synchronous stream, so nothing reads ahead of the element it belongs to. */
async function* unzlib(src: AsyncIterable<Buffer>, what: string): AsyncGenerator<Buffer> {
  const out: Buffer[] = []
  const z = new Unzlib((chunk) => out.push(Buffer.from(chunk)))
  const push = (c: Uint8Array, final: boolean) => {
    try {
      z.push(c, final)
    } catch (e) {
      throw new DataError(`${what} is damaged: its compressed (zlib) data cannot be read (${(e as Error).message}).`)
    }
  }
  for await (const c of src) {
    push(c, false)
    while (out.length) yield out.shift()!
  }
  push(new Uint8Array(0), true)
  while (out.length) yield out.shift()!
}

const pad8 = (n: number) => (8 - (n % 8)) % 8

/**
 * Reads the MAT file at `path`, calling `visit` with each variable; a sink it returns gets the variable's data.
 * Answers every variable seen, in file order.
 */
export async function readMat(
  path: string,
  visit: (v: MatVariable) => MatSink | null,
  tap?: { hash?: Hash; onBytes?: (n: number) => void }
): Promise<MatVariable[]> {
  const file = basename(path)
  const r = new ByteReader(fileChunks(path, tap))
  const head = await r.read(128)
  const text = head.toString('latin1', 0, Math.min(116, head.length))
  if (text.startsWith('MATLAB 7.3 MAT-file') || head.toString('latin1', 1, 4) === 'HDF') {
    throw new DataError(
      `"${file}" is a MATLAB v7.3 MAT-file (HDF5 inside), which is not read here. Save it again in the level-5 format (MATLAB: save(f, 'X', 'y', '-v7'); Python: scipy.io.savemat), or use SVHN's format-2 files as distributed.`
    )
  }
  if (head.length < 128 || !/^MATLAB 5\.0 MAT-file/.test(text)) {
    throw new DataError(
      `"${file}" is not a MATLAB level-5 MAT-file (its header does not start with "MATLAB 5.0 MAT-file"); MATLAB 4 files and other formats are not read.`
    )
  }
  const endian = head.toString('latin1', 126, 128)
  if (endian !== 'IM' && endian !== 'MI') throw new DataError(`"${file}" has an unreadable MAT header (byte-order mark "${endian}").`)
  const le = endian === 'IM'
  const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o))
  const seen: MatVariable[] = []

  const tagOf = async (m: ByteReader, where: string) => {
    const t = await m.read(8)
    if (t.length < 8) throw new DataError(`"${file}" is cut short inside ${where}; the download may be incomplete.`)
    const word = u32(t, 0)
    // small data element: size in the upper 16 bits, up to 4 bytes of data in the tag itself
    if (word >>> 16 !== 0) {
      const small = t.subarray(4, 4 + (word >>> 16))
      return { type: word & 0xffff, bytes: word >>> 16, small }
    }
    return { type: word, bytes: u32(t, 4), small: null as Buffer | null }
  }
  const body = async (m: ByteReader, tag: { bytes: number; small: Buffer | null }, where: string) => {
    if (tag.small) return tag.small
    // flags, dimensions and names are a few bytes: a huge size here is damage, not data to wait for
    if (tag.bytes > 1 << 16) throw new DataError(`"${file}" is damaged: ${where} claims ${tag.bytes.toLocaleString('en-US')} bytes.`)
    const b = await m.read(tag.bytes)
    if (b.length < tag.bytes || (await m.skip(pad8(tag.bytes))) < pad8(tag.bytes)) throw new DataError(`"${file}" is cut short inside ${where}.`)
    return b
  }

  /** One miMATRIX element's content (after its tag) from `m`, `bytes` long; `skipRest`: read past what is not used. */
  const matrix = async (m: ByteReader, bytes: number, skipRest: boolean) => {
    const start = m.position
    const flagsTag = await tagOf(m, 'a variable header')
    const flags = await body(m, flagsTag, 'a variable header')
    const word = u32(flags, 0)
    const clsCode = word & 0xff
    const dimsTag = await tagOf(m, 'a variable header')
    const dimsBody = await body(m, dimsTag, 'a variable header')
    const dims = Array.from({ length: dimsBody.length / 4 }, (_, i) => (le ? dimsBody.readInt32LE(i * 4) : dimsBody.readInt32BE(i * 4)))
    const nameTag = await tagOf(m, 'a variable header')
    const name = (await body(m, nameTag, 'a variable header')).toString('latin1')
    const cls = CLASSES[clsCode] ?? `class ${clsCode}`
    const v: MatVariable = { name, cls, numeric: clsCode >= 6 && clsCode <= 15, complex: (word & 0x800) !== 0, dims }
    seen.push(v)
    const sink = v.numeric && !v.complex ? visit(v) : (visit(v), null)
    if (sink) {
      const where = `variable "${name}"`
      const real = await tagOf(m, where)
      const t = TYPES[real.type]
      if (!t) throw new DataError(`Variable "${name}" in "${file}" stores its values as MAT data type ${real.type}, which is not a numeric type.`)
      sink.start(t.name, le, real.bytes)
      if (real.small) sink.piece(real.small)
      else {
        let got = 0
        for await (const p of m.pieces(real.bytes)) {
          got += p.length
          sink.piece(p)
        }
        if (got < real.bytes)
          throw new DataError(
            `"${file}" is cut short inside variable "${name}" (${got.toLocaleString('en-US')} of ${real.bytes.toLocaleString('en-US')} data bytes); the download may be incomplete.`
          )
      }
    }
    const rest = start + bytes - m.position
    if (skipRest && rest > 0 && (await m.skip(rest)) < rest)
      throw new DataError(`"${file}" is cut short inside variable "${name}"; the download may be incomplete.`)
  }

  for (;;) {
    if (await r.atEnd()) break
    const tag = await tagOf(r, 'a data element')
    if (tag.type === MI_COMPRESSED) {
      const end = r.position + tag.bytes
      const inner = new ByteReader(unzlib(r.pieces(tag.bytes), `A compressed variable in "${file}"`))
      const t = await tagOf(inner, 'a compressed variable')
      if (t.type !== MI_MATRIX) throw new DataError(`"${file}" holds a compressed element of MAT data type ${t.type}, not a variable.`)
      await matrix(inner, t.bytes, false)
      // the rest of the compressed element (its trailer, or a variable nobody asked for) is skipped unread
      if (end > r.position && (await r.skip(end - r.position)) < end - r.position)
        throw new DataError(`"${file}" is cut short; the download may be incomplete.`)
    } else if (tag.type === MI_MATRIX) {
      await matrix(r, tag.bytes, true)
    } else {
      throw new DataError(
        `"${file}" holds a top-level element of MAT data type ${tag.type}; a MAT-file holds variables (matrices), so it is damaged or not a MAT-file.`
      )
    }
  }
  return seen
}
