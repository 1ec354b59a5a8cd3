/**
 * A folder with one sub-folder of PNG/JPEG images per class → an image Table (Uint8 pixels, H×W×C).
 * Sizes must agree unless the user declared a shape, in which case every image is resized to it.
 */
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { basename, extname, join } from 'node:path'
import type { ImageShape } from '../../contract/index.ts'
import type { Progress } from '../csv/read.ts'
import { DataError, fsError } from '../errors.ts'
import type { Table } from '../table.ts'
import { decodeImage, resizeRgb, type Rgb } from './decode.ts'

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg'])
const collator = new Intl.Collator('en', { numeric: true })
/** Without a declared shape, images larger than this (1 megapixel) are refused rather than kept at full size. */
const MAX_PIXELS = 1024 * 1024
/** Decoded pixels kept in memory at most (RGB bytes). */
const MAX_BYTES = 2 * 2 ** 30

export interface FolderSource {
  table: Table
  hash: string
  sizeBytes: number
  warnings: string[]
}

async function list(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true })
  } catch (e) {
    fsError(e, dir, 'folder')
  }
}

export async function readImageFolder(root: string, opts: { imageShape?: ImageShape; onProgress?: (p: Progress) => void } = {}): Promise<FolderSource> {
  const folder = basename(root)
  const entries = (await list(root)).filter((e) => !e.name.startsWith('.'))
  const classDirs = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort(collator.compare)
  const looseImages = entries.filter((e) => e.isFile() && IMAGE_EXT.has(extname(e.name).toLowerCase()))
  if (classDirs.length === 0) {
    if (looseImages.length) {
      throw new DataError(`"${folder}" holds images directly; put them in one sub-folder per class (e.g. ${folder}/cat/, ${folder}/dog/).`)
    }
    throw new DataError(`"${folder}" has no class sub-folders and no images. An image dataset is a folder with one sub-folder of PNG or JPEG images per class.`)
  }
  const warnings: string[] = []
  const files: Array<{ cls: number; rel: string; path: string }> = []
  const classes: string[] = []
  let skippedOther = 0
  for (const cls of classDirs) {
    const inside = (await list(join(root, cls))).filter((e) => e.isFile() && !e.name.startsWith('.'))
    const imgs = inside
      .filter((e) => IMAGE_EXT.has(extname(e.name).toLowerCase()))
      .map((e) => e.name)
      .sort(collator.compare)
    skippedOther += inside.length - imgs.length
    if (imgs.length === 0) {
      warnings.push(`Sub-folder "${cls}" has no PNG or JPEG images; it is not used as a class.`)
      continue
    }
    const k = classes.length
    classes.push(cls)
    for (const f of imgs) files.push({ cls: k, rel: `${cls}/${f}`, path: join(root, cls, f) })
  }
  if (skippedOther) warnings.push(`${skippedOther} file(s) that are not PNG or JPEG were skipped.`)
  if (files.length === 0) {
    throw new DataError(
      `No images were found in the sub-folders of "${folder}" (${classDirs.slice(0, 5).join(', ')}${classDirs.length > 5 ? ', …' : ''}). Only PNG and JPEG files are read.`
    )
  }
  if (classes.length < 2) {
    throw new DataError(`"${folder}" has images for only one class ("${classes[0]}"); classification needs at least 2 class sub-folders.`)
  }

  const hash = createHash('sha256')
  let sizeBytes = 0
  const decoded: Array<Rgb | null> = []
  const bad: string[] = []
  let first: { rel: string; w: number; h: number } | null = null
  let allGray = true
  let keptBytes = 0
  let lastProgress = 0
  for (let i = 0; i < files.length; i++) {
    const f = files[i]
    let bytes: Buffer
    try {
      bytes = await readFile(f.path)
    } catch (e) {
      fsError(e, f.path)
    }
    hash.update(f.rel).update('\0').update(bytes)
    sizeBytes += bytes.length
    let img: Rgb
    try {
      img = decodeImage(bytes, extname(f.path).toLowerCase() === '.png' ? '.png' : '.jpg')
    } catch (e) {
      bad.push(`${f.rel} (${(e as Error).message})`)
      decoded.push(null)
      continue
    }
    if (!first) {
      first = { rel: f.rel, w: img.width, h: img.height }
      if (!opts.imageShape && img.width * img.height > MAX_PIXELS) {
        throw new DataError(
          `"${f.rel}" is ${img.width}×${img.height} pixels, too large to train on as is. Declare a smaller image shape (e.g. 64×64×3) so images are resized on import.`
        )
      }
    }
    if (opts.imageShape) img = resizeRgb(img, opts.imageShape[1], opts.imageShape[0])
    else if (img.width !== first.w || img.height !== first.h) {
      throw new DataError(
        `Images differ in size: "${f.rel}" is ${img.width}×${img.height} pixels but "${first.rel}" is ${first.w}×${first.h}. Resize them to one size, or declare an image shape (height × width × channels) so they are resized on import.`
      )
    }
    allGray &&= img.gray
    decoded.push(img)
    keptBytes += img.data.length
    if (keptBytes > MAX_BYTES) {
      throw new DataError(
        `The images in "${folder}" take more than ${MAX_BYTES / 2 ** 30} GB at ${img.width}×${img.height} pixels; declare a smaller image shape so they are resized on import.`
      )
    }
    const now = Date.now()
    if (opts.onProgress && now - lastProgress > 100) {
      lastProgress = now
      opts.onProgress({ bytesRead: sizeBytes, totalBytes: 0, rows: i + 1 })
    }
  }
  if (bad.length) {
    if (bad.length === files.length) throw new DataError(`None of the images could be decoded, e.g. ${bad[0]}.`)
    warnings.push(`${bad.length} image(s) could not be decoded and were skipped: ${bad.slice(0, 3).join('; ')}${bad.length > 3 ? '; …' : ''}.`)
  }
  const kept = decoded.map((d, i) => [d, files[i].cls] as const).filter((x): x is readonly [Rgb, number] => x[0] !== null)
  const used = new Set(kept.map((k) => k[1]))
  if (used.size < 2) throw new DataError(`Only one class ("${classes[[...used][0]]}") has readable images; classification needs at least 2.`)
  const h = opts.imageShape ? opts.imageShape[0] : first!.h
  const w = opts.imageShape ? opts.imageShape[1] : first!.w
  const c = opts.imageShape ? opts.imageShape[2] : allGray ? 1 : 3
  if (c !== 1 && c !== 3) throw new DataError(`Image folders give 1 (grey) or 3 (colour) channels; the declared shape asks for ${c}.`)
  const px = h * w * c
  const pixels = new Uint8Array(kept.length * px)
  const codes = new Int32Array(kept.length)
  kept.forEach(([img, cls], r) => {
    codes[r] = cls
    const o = r * px
    if (c === 3) pixels.set(img.data, o)
    else for (let p = 0; p < h * w; p++) pixels[o + p] = Math.round((img.data[p * 3] * 299 + img.data[p * 3 + 1] * 587 + img.data[p * 3 + 2] * 114) / 1000)
  })
  opts.onProgress?.({ bytesRead: sizeBytes, totalBytes: sizeBytes, rows: kept.length })
  return {
    table: { rows: kept.length, columns: [{ kind: 'cat', name: 'label', codes, levels: classes, ordered: true }], image: { shape: [h, w, c], pixels } },
    hash: hash.digest('hex'),
    sizeBytes,
    warnings
  }
}
