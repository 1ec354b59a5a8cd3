/**
 * IDX files (the MNIST / Fashion-MNIST format), plain or gzipped: an images file (n × H × W [× C] unsigned
 * bytes) and the labels file next to it (n unsigned bytes). Pixels stay Uint8 so 60,000 28×28 images take
 * 47 MB.
 */
import { createHash, type Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { access } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { pipeline } from 'node:stream'
import { createGunzip } from 'node:zlib'
import type { ImageShape } from '../../contract/index.ts'
import { readHead } from '../csv/read.ts'
import { DataError, fsError } from '../errors.ts'
import type { Table } from '../table.ts'

const TYPES: Record<number, string> = { 0x08: 'unsigned byte', 0x09: 'signed byte', 0x0b: 'short', 0x0c: 'int', 0x0d: 'float', 0x0e: 'double' }

const FASHION = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']

export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b
}

/** First bytes look like an IDX header (0, 0, type, dims), or the name says idx. */
export function looksLikeIdx(path: string, head: Uint8Array): boolean {
  if (/idx\d-ubyte/i.test(basename(path)) || /\.idx\d?(\.gz)?$/i.test(path)) return true
  return !isGzip(head) && head.length >= 4 && head[0] === 0 && head[1] === 0 && head[2] in TYPES && head[3] >= 1 && head[3] <= 4
}

/** Reads a whole IDX file (gunzipping if needed) while hashing its raw bytes. */
async function readIdx(path: string, hash: Hash): Promise<{ data: Buffer; rawBytes: number }> {
  const { head } = await readHead(path, 4)
  const gz = isGzip(head)
  const chunks: Buffer[] = []
  let rawBytes = 0
  const raw = createReadStream(path, { highWaterMark: 1 << 20 })
  raw.on('data', (c) => {
    hash.update(c as Buffer)
    rawBytes += c.length
  })
  // pipeline forwards a read error or a gzip error to the stream we iterate
  const src = gz ? pipeline(raw, createGunzip(), () => {}) : raw
  try {
    for await (const chunk of src as AsyncIterable<Buffer>) chunks.push(chunk)
  } catch (e) {
    raw.destroy()
    const code = (e as NodeJS.ErrnoException).code
    if (code && code.startsWith('Z_')) {
      throw new DataError(`"${basename(path)}" is not a valid gzip file (${(e as Error).message}); the download may be incomplete.`)
    }
    fsError(e, path)
  }
  return { data: Buffer.concat(chunks), rawBytes }
}

interface IdxArray {
  dims: number[]
  body: Buffer
}

function parseIdx(path: string, data: Buffer): IdxArray {
  const name = basename(path)
  if (data.length < 4 || data[0] !== 0 || data[1] !== 0) {
    const magic = data.subarray(0, 4).toString('hex') || '(empty)'
    throw new DataError(
      `"${name}" is not an IDX file: its magic number is 0x${magic}, expected 0x0000 followed by a type and a dimension count (e.g. 0x00000803 for images).`
    )
  }
  const type = data[2]
  const nd = data[3]
  if (!(type in TYPES)) throw new DataError(`"${name}" has an unknown IDX data type 0x${type.toString(16).padStart(2, '0')} in its magic number.`)
  if (type !== 0x08) throw new DataError(`"${name}" stores ${TYPES[type]} values; only unsigned-byte IDX files (like MNIST) are supported.`)
  if (nd < 1 || nd > 4) throw new DataError(`"${name}" declares ${nd} dimensions; an IDX images file has 3 (n × H × W) or 4, a labels file 1.`)
  if (data.length < 4 + 4 * nd) throw new DataError(`"${name}" is truncated: its header is incomplete.`)
  const dims = Array.from({ length: nd }, (_, i) => data.readUInt32BE(4 + 4 * i))
  const need = dims.reduce((a, b) => a * b, 1)
  const body = data.subarray(4 + 4 * nd)
  if (body.length < need) {
    throw new DataError(
      `"${name}" is truncated: its header promises ${dims.join(' × ')} = ${need.toLocaleString('en-US')} bytes of data but only ${body.length.toLocaleString('en-US')} are there.`
    )
  }
  return { dims, body: body.subarray(0, need) }
}

/** The labels file that goes with an images file: same name with images→labels and idx3→idx1, .gz or not. */
export async function findLabelsFile(imagesPath: string): Promise<string | null> {
  const dir = dirname(imagesPath)
  const name = basename(imagesPath)
  const stem = name.replace(/\.gz$/i, '')
  const swapped = stem.replace(/images/i, 'labels').replace(/idx3/i, 'idx1')
  const candidates = new Set([`${swapped}.gz`, swapped, stem.replace(/images/i, 'labels') + '.gz', stem.replace(/images/i, 'labels')])
  candidates.delete(stem)
  candidates.delete(name)
  for (const c of candidates) {
    try {
      await access(join(dir, c))
      return join(dir, c)
    } catch {
      /* try the next name */
    }
  }
  return null
}

export interface IdxSource {
  table: Table
  hash: string
  sizeBytes: number
  labelsPath: string
}

export async function readIdxPair(
  imagesPath: string,
  opts: { imageShape?: ImageShape; onProgress?: (p: { bytesRead: number; totalBytes: number; rows: number }) => void } = {}
): Promise<IdxSource> {
  const name = basename(imagesPath)
  if (/labels/i.test(name) && !/images/i.test(name)) {
    throw new DataError(
      `"${name}" is an IDX labels file; import the images file next to it (e.g. ${name.replace(/labels/i, 'images').replace(/idx1/i, 'idx3')}).`
    )
  }
  const labelsPath = await findLabelsFile(imagesPath)
  if (!labelsPath) {
    throw new DataError(
      `No labels file was found next to "${name}". Put the labels file (e.g. ${name.replace(/images/i, 'labels').replace(/idx3/i, 'idx1')}) in the same folder.`
    )
  }
  const hash = createHash('sha256')
  const img = await readIdx(imagesPath, hash)
  opts.onProgress?.({ bytesRead: img.rawBytes, totalBytes: img.rawBytes, rows: 0 })
  const images = parseIdx(imagesPath, img.data)
  img.data = Buffer.alloc(0)
  const lab = await readIdx(labelsPath, hash)
  const labels = parseIdx(labelsPath, lab.data)
  if (images.dims.length < 3) {
    throw new DataError(
      `"${name}" has ${images.dims.length} dimension(s) (${images.dims.join(' × ')}); an IDX images file has n × height × width (× channels).`
    )
  }
  if (labels.dims.length !== 1) {
    throw new DataError(`"${basename(labelsPath)}" has ${labels.dims.length} dimensions; an IDX labels file has one (n).`)
  }
  const [n, h, w, c = 1] = images.dims
  if (labels.dims[0] !== n) {
    throw new DataError(
      `"${name}" has ${n.toLocaleString('en-US')} images but "${basename(labelsPath)}" has ${labels.dims[0].toLocaleString('en-US')} labels; they must match.`
    )
  }
  if (opts.imageShape && (opts.imageShape[0] !== h || opts.imageShape[1] !== w || opts.imageShape[2] !== c)) {
    throw new DataError(`The declared image shape ${opts.imageShape.join('×')} does not match "${name}", whose images are ${h}×${w}×${c}.`)
  }
  if (n === 0) throw new DataError(`"${name}" contains no images.`)
  let maxLabel = 0
  for (const v of labels.body) if (v > maxLabel) maxLabel = v
  const fashion = /fashion/i.test(imagesPath) && maxLabel < FASHION.length
  const levels = Array.from({ length: maxLabel + 1 }, (_, i) => (fashion ? FASHION[i] : String(i)))
  // copy out of the decompressed buffer so the rest of it can be freed
  const pixels = new Uint8Array(images.body.length)
  pixels.set(images.body)
  const shape: ImageShape = [h, w, c]
  opts.onProgress?.({ bytesRead: img.rawBytes + lab.rawBytes, totalBytes: img.rawBytes + lab.rawBytes, rows: n })
  return {
    table: { rows: n, columns: [{ kind: 'cat', name: 'label', codes: Int32Array.from(labels.body), levels, ordered: true }], image: { shape, pixels } },
    hash: hash.digest('hex'),
    sizeBytes: img.rawBytes + lab.rawBytes,
    labelsPath
  }
}
