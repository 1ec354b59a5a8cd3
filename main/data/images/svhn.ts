/**
 * SVHN format 2 (cropped digits): train_32x32.mat, test_32x32.mat and extra_32x32.mat, each a MAT-file with X
 * (32×32×3×N uint8, column-major) and y (N labels, 1–10, where 10 is the digit 0). A folder with the train and
 * test files keeps their split; the extra file (531,131 images) is read only when imported on its own.
 */
import { createHash } from 'node:crypto'
import { readdir, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import type { Progress } from '../csv/read.ts'
import { DataError, fsError } from '../errors.ts'
import { PUBLISHED_TEST, PUBLISHED_TRAIN, type Table } from '../table.ts'
import { numbersOf, readMat, type MatSink, type MatVariable, type NumericType } from './mat.ts'

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']
/** Pixels one import holds at most (the image folders' 2 GB, which SVHN's 1.6 GB extra set fits). */
const MAX_PIXEL_BYTES = 2 * 2 ** 30

export interface SvhnSource {
  table: Table
  hash: string
  sizeBytes: number
  warnings: string[]
}

interface Part {
  pixels: Uint8Array
  labels: Int32Array
  shape: [number, number, number]
}

/** X and y of one format-2 file; pixels H×W×C row-major per image. */
async function readPart(path: string, tap: { hash: ReturnType<typeof createHash>; onBytes: (n: number) => void }): Promise<Part> {
  const file = basename(path)
  // filled by the sinks while readMat streams the file
  const got: {
    x: MatVariable | null
    pixels: Uint8Array | null
    shape: [number, number, number]
    y: { parts: Buffer[]; type: NumericType; le: boolean } | null
  } = {
    x: null,
    pixels: null,
    shape: [0, 0, 0],
    y: null
  }

  const xSink = (v: MatVariable): MatSink => {
    const [h, w, c, n] = v.dims
    const per = h * w * c
    let out = new Uint8Array(0)
    const block = new Uint8Array(per)
    let fill = 0
    let img = 0
    got.shape = [h, w, c]
    return {
      start(type: NumericType, _le: boolean, bytes: number) {
        if (type !== 'uint8') throw new DataError(`X in "${file}" stores ${type} values; SVHN format 2 stores X as uint8 (0–255).`)
        if (bytes !== per * n)
          throw new DataError(
            `X in "${file}" has ${bytes.toLocaleString('en-US')} data bytes, but its dimensions ${v.dims.join('×')} need ${(per * n).toLocaleString('en-US')}.`
          )
        // the sizes come from the file: allocate only what memory can hold (SVHN's extra set is 1.6 GB)
        if (per * n > MAX_PIXEL_BYTES)
          throw new DataError(
            `X in "${file}" holds ${((per * n) / 2 ** 30).toFixed(1)} GB of pixels, more than the ${MAX_PIXEL_BYTES / 2 ** 30} GB one import can hold.`
          )
        out = new Uint8Array(per * n)
        got.pixels = out
      },
      piece(b: Buffer) {
        let o = 0
        while (o < b.length) {
          const k = Math.min(per - fill, b.length - o)
          block.set(b.subarray(o, o + k), fill)
          fill += k
          o += k
          if (fill === per) {
            // column-major h + H·(w + W·c) → row-major (h·W + w)·C + c
            const dst = img * per
            for (let ch = 0; ch < c; ch++)
              for (let col = 0; col < w; col++) {
                const src = h * (col + w * ch)
                for (let row = 0; row < h; row++) out[dst + (row * w + col) * c + ch] = block[src + row]
              }
            img++
            fill = 0
          }
        }
      }
    }
  }
  const ySink = (): MatSink => {
    const y = { parts: [] as Buffer[], type: 'double' as NumericType, le: true }
    got.y = y
    return {
      start(t: NumericType, l: boolean, bytes: number) {
        if (bytes > 1 << 28) throw new DataError(`y in "${file}" claims ${bytes.toLocaleString('en-US')} bytes of labels; the file is damaged.`)
        y.type = t
        y.le = l
      },
      piece(b: Buffer) {
        y.parts.push(Buffer.from(b))
      }
    }
  }

  const vars = await readMat(
    path,
    (v) => {
      if (v.name === 'X') {
        got.x = v
        if (v.cls !== 'uint8')
          throw new DataError(`X in "${file}" is a ${v.complex ? 'complex ' : ''}${v.cls}; SVHN format 2 stores X as a uint8 array (32×32×3×N).`)
        if (v.dims.length !== 4 || (v.dims[2] !== 3 && v.dims[2] !== 1) || v.dims.some((d) => d < 0)) {
          throw new DataError(`X in "${file}" is ${v.dims.join('×')}; SVHN format 2 stores images as height × width × 3 × N.`)
        }
        return xSink(v)
      }
      if (v.name === 'y') {
        if (!v.numeric || v.complex)
          throw new DataError(`y in "${file}" is a ${v.complex ? 'complex ' : ''}${v.cls}; SVHN format 2 stores the labels as numbers.`)
        return ySink()
      }
      return null
    },
    tap
  )
  const names = vars.map((v) => `"${v.name}"`).join(', ') || 'none'
  if (!got.x || !got.pixels)
    throw new DataError(`"${file}" has no variable "X" (its variables: ${names}). SVHN format 2 files hold X (32×32×3×N images) and y (N labels).`)
  if (!got.y) throw new DataError(`"${file}" has no variable "y" (its variables: ${names}). SVHN format 2 files hold X (32×32×3×N images) and y (N labels).`)
  const n = got.x.dims[3]
  const ys = numbersOf(Buffer.concat(got.y.parts), got.y.type, got.y.le)
  if (ys.length !== n)
    throw new DataError(`"${file}" has ${n.toLocaleString('en-US')} images in X but ${ys.length.toLocaleString('en-US')} labels in y; they must match.`)
  const labels = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const v = ys[i]
    if (!Number.isInteger(v) || v < 1 || v > 10) {
      throw new DataError(`Label ${i + 1} of y in "${file}" is ${v}; SVHN format 2 labels are 1–10 (10 for the digit 0).`)
    }
    labels[i] = v % 10
  }
  if (n === 0) throw new DataError(`"${file}" holds no images.`)
  return { pixels: got.pixels, labels, shape: got.shape }
}

/** The format-2 files of a folder: train and test (their split kept); null when the folder has none. */
export async function svhnFiles(dir: string): Promise<{ train: string | null; test: string | null; extra: string | null } | null> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch (e) {
    fsError(e, dir, 'folder')
  }
  const find = (part: string) => names.find((n) => n.toLowerCase() === `${part}_32x32.mat`) ?? null
  const files = { train: find('train'), test: find('test'), extra: find('extra') }
  return files.train || files.test || files.extra ? files : null
}

/** One .mat file, or a folder's train and test files (the published split kept). */
export async function readSvhn(
  paths: { train: string | null; test?: string | null },
  opts: { onProgress?: (p: Progress) => void; warnings?: string[] } = {}
): Promise<SvhnSource> {
  const hash = createHash('sha256')
  const files = [paths.train, paths.test ?? null].filter((p): p is string => p !== null)
  let total = 0
  for (const f of files) total += (await stat(f)).size
  let bytesRead = 0
  const parts: Part[] = []
  for (const f of files) {
    hash.update(basename(f)).update('\0')
    parts.push(
      await readPart(f, {
        hash,
        onBytes: (k) => {
          bytesRead += k
          opts.onProgress?.({ bytesRead, totalBytes: total, rows: parts.reduce((a, p) => a + p.labels.length, 0) })
        }
      })
    )
  }
  const [first] = parts
  for (const p of parts.slice(1)) {
    if (p.shape.join() !== first.shape.join()) {
      throw new DataError(
        `The SVHN files differ in image shape: ${basename(files[0])} has ${first.shape.join('×')}, ${basename(files[1])} ${p.shape.join('×')}.`
      )
    }
  }
  const rows = parts.reduce((a, p) => a + p.labels.length, 0)
  const per = first.shape[0] * first.shape[1] * first.shape[2]
  const pixels = new Uint8Array(rows * per)
  const codes = new Int32Array(rows)
  let o = 0
  for (const p of parts) {
    pixels.set(p.pixels, o * per)
    codes.set(p.labels, o)
    o += p.labels.length
  }
  const table: Table = { rows, columns: [{ kind: 'cat', name: 'label', codes, levels: DIGITS, ordered: true }], image: { shape: first.shape, pixels } }
  if (parts.length === 2) {
    table.split = new Uint8Array(rows).fill(PUBLISHED_TRAIN)
    table.split.fill(PUBLISHED_TEST, parts[0].labels.length)
  }
  opts.onProgress?.({ bytesRead: total, totalBytes: total, rows })
  return { table, hash: hash.digest('hex'), sizeBytes: total, warnings: opts.warnings ?? [] }
}
