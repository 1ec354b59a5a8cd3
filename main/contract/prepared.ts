/**
 * What data hands the engine: a dataset after split and preprocessing (fitted on the train split only), as
 * plain typed arrays. Not on the wire; shared here so data and engine need not import each other.
 *
 * A split's rows come encoded (float32, n × nFeatures), or — images stored as 8-bit pixels — as the table's pixel
 * block itself plus the split's row indices and the normalization fitted on the training rows, decoded a batch at
 * a time (splitRows, splitRange). The pixel block is the stored table's (shared by every worker of a machine), so a
 * split costs its indices, not a float copy of its images.
 */

/** A split as encoded float32 rows. */
export interface DenseSplit {
  /** n × nFeatures, row-major (images: each row is H×W×C row-major, values standardized/scaled). */
  x: Float32Array
  /** Class indices 0..nClasses-1. */
  y: Int32Array
  n: number
}

/** How 8-bit pixels become features: v / scale ('unit'), or (v − mean[c]) / std[c] per channel ('standardize'). */
export interface PixelNorm {
  mode: 'unit' | 'standardize'
  scale: number
  mean: number[]
  std: number[]
}

/** A split of an image table kept as 8-bit pixels: row i of the split is image rows[i] of `pixels`. */
export interface PixelSplit {
  /** The table's pixel block: every image, H×W×C row-major each (not only this split's). */
  pixels: Uint8Array
  /** Pixels per image (H·W·C), the width of a decoded row. */
  width: number
  /** Channels (C): the normalization's per-channel index is the pixel index mod C. */
  channels: number
  norm: PixelNorm
  /** The split's images, as row indices into `pixels`. */
  rows: Int32Array
  y: Int32Array
  n: number
}

export type SplitArrays = DenseSplit | PixelSplit

/** The feature of pixel value v at position p of an image (the one formula: data's transform uses it too). */
export function pixelFeature(v: number, p: number, channels: number, norm: PixelNorm): number {
  return norm.mode === 'standardize' ? (v - norm.mean[p % channels]!) / norm.std[p % channels]! : v * (1 / norm.scale)
}

/** Decodes images `from` (indices into `pixels`) into `out`, row after row. */
export function decodePixels(pixels: Uint8Array, width: number, channels: number, norm: PixelNorm, from: ArrayLike<number>, out: Float32Array): void {
  const unit = norm.mode !== 'standardize'
  const scale = 1 / norm.scale
  for (let i = 0; i < from.length; i++) {
    const src = from[i]! * width
    const dst = i * width
    if (unit) for (let p = 0; p < width; p++) out[dst + p] = pixels[src + p]! * scale
    else for (let p = 0; p < width; p++) out[dst + p] = pixelFeature(pixels[src + p]!, p, channels, norm)
  }
}

/** The width of a split's rows. */
export function splitWidth(s: SplitArrays): number {
  return 'x' in s ? s.x.length / Math.max(1, s.n) : s.width
}

/** Rows `idx` of a split (indices 0..n−1), encoded, into a new array (or `out`). */
export function splitRows(s: SplitArrays, idx: ArrayLike<number>, out?: Float32Array): Float32Array {
  const width = splitWidth(s)
  const dst = out ?? new Float32Array(idx.length * width)
  if ('x' in s) {
    for (let i = 0; i < idx.length; i++) dst.set(s.x.subarray(idx[i]! * width, (idx[i]! + 1) * width), i * width)
    return dst
  }
  const from = new Int32Array(idx.length)
  for (let i = 0; i < idx.length; i++) from[i] = s.rows[idx[i]!]!
  decodePixels(s.pixels, width, s.channels, s.norm, from, dst)
  return dst
}

/** Rows start..end−1 of a split, encoded: a view without a copy for encoded splits, else decoded. */
export function splitRange(s: SplitArrays, start: number, end: number): Float32Array {
  const width = splitWidth(s)
  if ('x' in s) return s.x.subarray(start * width, end * width)
  const out = new Float32Array((end - start) * width)
  decodePixels(s.pixels, width, s.channels, s.norm, s.rows.subarray(start, end), out)
  return out
}

/** A dataset after split + preprocessing (fitted on train only), ready to train on. */
export interface PreparedData {
  kind: 'tabular' | 'image'
  nFeatures: number
  nClasses: number
  classNames: string[]
  imageShape: [number, number, number] | null
  /** One entry per original feature: [offset, length] in the encoded vector; a one-hot block counts as one. */
  featureGroups: Array<[number, number]>
  /** Tabular: each original feature's column name, in featureGroups order (absent for images). */
  featureNames?: string[]
  /** 1 where the encoded column is a standardized numeric feature (Gaussian noise applies there). */
  numericMask: Uint8Array
  train: SplitArrays
  val: SplitArrays
  test: SplitArrays
}
