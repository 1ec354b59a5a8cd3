/**
 * Feature preprocessing fitted on the training rows only and stored as plain JSON, so a run can keep it and
 * apply it to any row later (another split, a CSV row typed in the UI, the CLI).
 *
 * Tabular: median imputation + standardization for numbers; most-frequent imputation + one-hot for
 * categories (at most `maxLevels` columns, rare levels pooled into "other"); booleans as one 0/1 column;
 * optional missing-indicator columns. Images: pixels scaled to 0..1 (or standardized per channel), H×W×C
 * row-major order kept.
 */
import { decodePixels, pixelFeature, type DatasetSchema, type ImageShape } from '../contract/index.ts'
import { DataError } from './errors.ts'
import { cellNumber, getColumn, parseNumber, type Column, type Table } from './table.ts'

export type FeatureStep =
  | { kind: 'numeric'; name: string; median: number; mean: number; std: number; indicator: boolean }
  | { kind: 'categorical'; name: string; levels: string[]; other: boolean; mode: string; indicator: boolean }
  | { kind: 'boolean'; name: string; positive: string; mode: string; indicator: boolean }

export interface ImageStep {
  shape: ImageShape
  /** Pixel columns in H×W×C order (image CSV), or null when the table holds an image block. */
  columns: string[] | null
  mode: 'unit' | 'standardize'
  /** Pixel value that maps to 1 in 'unit' mode (255 for 8-bit images, the training maximum for CSV pixels). */
  scale: number
  /** Per channel, 'standardize' mode only. */
  mean: number[]
  std: number[]
}

export interface SerializedPreprocessor {
  version: 1
  kind: 'tabular' | 'image'
  target: string
  classNames: string[]
  steps: FeatureStep[]
  image: ImageStep | null
  nFeatures: number
  featureGroups: Array<[number, number]>
  numericMask: number[]
}

export interface PreprocessOptions {
  /** Add a 0/1 column after each feature that had missing values in the training rows. */
  missingIndicators?: boolean
  /** Most one-hot columns per categorical feature, "other" included. */
  maxLevels?: number
  /** A level seen fewer times than this in the training rows is pooled into "other". */
  minLevelCount?: number
  imageNormalize?: 'unit' | 'standardize'
}

export type Cell = number | string | null

const TRUTHY = new Set(['1', 'true', 'yes', 'y', 't'])

export function fitPreprocessor(
  table: Table,
  schema: DatasetSchema,
  classNames: string[],
  train: Int32Array,
  opts: PreprocessOptions = {}
): SerializedPreprocessor {
  if (train.length === 0) throw new DataError('The training split is empty: the dataset has too few labelled rows.')
  const base = { version: 1 as const, kind: schema.kind, target: schema.target, classNames }
  if (schema.kind === 'image') {
    const image = fitImage(table, schema, train, opts.imageNormalize ?? 'unit')
    const n = image.shape[0] * image.shape[1] * image.shape[2]
    return { ...base, steps: [], image, nFeatures: n, featureGroups: Array.from({ length: n }, (_, i) => [i, 1]), numericMask: new Array(n).fill(0) }
  }
  const steps: FeatureStep[] = []
  for (const c of schema.columns) {
    if (c.role !== 'feature') continue
    const col = getColumn(table, c.name)
    if (!col) throw new DataError(`The column "${c.name}" is in the schema but not in the stored data; import the dataset again.`)
    steps.push(fitStep(col, c.type, train, opts))
  }
  const layout = layoutOf(steps)
  return { ...base, steps, image: null, ...layout }
}

function fitStep(col: Column, type: string, train: Int32Array, opts: PreprocessOptions): FeatureStep {
  const name = col.name
  if (type === 'numeric') {
    const vals = new Float64Array(train.length)
    let k = 0
    for (const r of train) {
      const v = cellNumber(col, r)
      if (!Number.isNaN(v)) vals[k++] = v
    }
    const xs = vals.subarray(0, k).sort()
    const indicator = !!opts.missingIndicators && k < train.length
    if (k === 0) return { kind: 'numeric', name, median: 0, mean: 0, std: 1, indicator }
    const median = k % 2 ? xs[(k - 1) / 2] : (xs[k / 2 - 1] + xs[k / 2]) / 2
    // mean/std of the imputed training column, so the imputed value sits where the model saw it
    const missing = train.length - k
    let sum = median * missing
    for (const v of xs) sum += v
    const mean = sum / train.length
    let ss = missing * (median - mean) ** 2
    for (const v of xs) ss += (v - mean) ** 2
    const std = Math.sqrt(ss / train.length)
    return { kind: 'numeric', name, median, mean, std: std > 1e-12 ? std : 1, indicator }
  }
  const counts = new Map<string, number>()
  let missing = 0
  for (const r of train) {
    const s = cellString(col, r)
    if (s === null) missing++
    else counts.set(s, (counts.get(s) ?? 0) + 1)
  }
  const indicator = !!opts.missingIndicators && missing > 0
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  const mode = ranked[0]?.[0] ?? ''
  if (type === 'boolean' && ranked.length <= 2) {
    const names = ranked.map((r) => r[0]).sort()
    const positive = names.find((v) => TRUTHY.has(v.toLowerCase())) ?? names[names.length - 1] ?? ''
    return { kind: 'boolean', name, positive, mode, indicator }
  }
  const maxLevels = Math.max(2, opts.maxLevels ?? 32)
  const minCount = opts.minLevelCount ?? 2
  let keep = ranked.filter(([, n]) => n >= minCount)
  // a category never seen twice is pooled unless that would leave nothing to learn from
  if (keep.length === 0) keep = ranked
  if (keep.length > maxLevels || keep.length < ranked.length) keep = keep.slice(0, maxLevels - 1)
  const other = keep.length < ranked.length
  return { kind: 'categorical', name, levels: keep.map((r) => r[0]), other, mode, indicator }
}

function layoutOf(steps: FeatureStep[]): Pick<SerializedPreprocessor, 'nFeatures' | 'featureGroups' | 'numericMask'> {
  const groups: Array<[number, number]> = []
  const mask: number[] = []
  let o = 0
  for (const s of steps) {
    const width = stepWidth(s)
    groups.push([o, width])
    for (let i = 0; i < width; i++) mask.push(s.kind === 'numeric' && i === 0 ? 1 : 0)
    o += width
  }
  return { nFeatures: o, featureGroups: groups, numericMask: mask }
}

function stepWidth(s: FeatureStep): number {
  const base = s.kind === 'categorical' ? s.levels.length + (s.other ? 1 : 0) : 1
  return base + (s.indicator ? 1 : 0)
}

function fitImage(table: Table, schema: DatasetSchema, train: Int32Array, mode: 'unit' | 'standardize'): ImageStep {
  const shape = schema.imageShape
  if (!shape) throw new DataError('This image dataset has no image shape; set height × width × channels.')
  const [h, w, c] = shape
  const px = h * w * c
  let columns: string[] | null = null
  let get: (r: number, i: number) => number
  if (table.image) {
    const pixels = table.image.pixels
    get = (r, i) => pixels[r * px + i]
  } else {
    columns = pixelColumns(schema)
    const cols = columns.map((n) => getColumn(table, n)!)
    get = (r, i) => {
      const v = cellNumber(cols[i], r)
      return Number.isNaN(v) ? 0 : v
    }
  }
  let max = 0
  const sum = new Float64Array(c)
  const sq = new Float64Array(c)
  for (const r of train) {
    for (let i = 0; i < px; i++) {
      const v = get(r, i)
      if (v > max) max = v
      sum[i % c] += v
      sq[i % c] += v * v
    }
  }
  const scale = table.image ? 255 : max > 0 ? max : 1
  const count = train.length * h * w
  const mean = Array.from(sum, (s) => s / count)
  const std = Array.from(sq, (s, k) => Math.sqrt(Math.max(0, s / count - mean[k] ** 2)) || 1)
  return { shape, columns, mode, scale, mean, std }
}

/** The pixel columns of an image CSV, in H×W×C row-major order when their names say so (px_r_c[_ch]). */
export function pixelColumns(schema: DatasetSchema): string[] {
  const names = schema.columns.filter((c) => c.name !== schema.target && c.role !== 'target').map((c) => c.name)
  const rc = /^(?:px|pixel|pix|p)[_-]?(\d+)[_-](\d+)(?:[_-](\d+))?$/i
  const [, w, ch] = schema.imageShape!
  const keyed = names.map((n) => {
    const m = rc.exec(n)
    return { n, k: m ? (+m[1] * w + +m[2]) * ch + (m[3] === undefined ? 0 : +m[3]) : NaN }
  })
  if (keyed.every((x) => !Number.isNaN(x.k))) keyed.sort((a, b) => a.k - b.k)
  return keyed.map((x) => x.n)
}

function cellString(col: Column, r: number): string | null {
  if (col.kind === 'num') {
    const v = col.values[r]
    return Number.isNaN(v) ? null : String(v)
  }
  const c = col.codes[r]
  return c < 0 ? null : col.levels[c]
}

/** Writes the encoding of one value of one step at out[o…]. */
function encodeCell(s: FeatureStep, cell: Cell, out: Float32Array, o: number, levelIndex: Map<string, number> | null): void {
  const missing = cell === null || (typeof cell === 'number' && Number.isNaN(cell))
  if (s.kind === 'numeric') {
    let v = missing ? NaN : typeof cell === 'number' ? cell : parseNumber(cell as string)
    const isNa = Number.isNaN(v)
    if (isNa) v = s.median
    out[o] = (v - s.mean) / s.std
    if (s.indicator) out[o + 1] = isNa ? 1 : 0
    return
  }
  const text = missing ? s.mode : typeof cell === 'number' ? String(cell) : (cell as string)
  if (s.kind === 'boolean') {
    out[o] = text === s.positive ? 1 : 0
    if (s.indicator) out[o + 1] = missing ? 1 : 0
    return
  }
  const width = s.levels.length + (s.other ? 1 : 0)
  for (let i = 0; i < width; i++) out[o + i] = 0
  const idx = levelIndex!.get(text)
  if (idx !== undefined) out[o + idx] = 1
  else if (s.other) out[o + s.levels.length] = 1
  if (s.indicator) out[o + width] = missing ? 1 : 0
}

function levelIndexOf(s: FeatureStep): Map<string, number> | null {
  return s.kind === 'categorical' ? new Map(s.levels.map((l, i) => [l, i])) : null
}

/** Encodes the given table rows into an n × nFeatures Float32Array. */
export function transformTable(pre: SerializedPreprocessor, table: Table, rows: Int32Array): Float32Array {
  const n = rows.length
  const out = new Float32Array(n * pre.nFeatures)
  if (pre.image) {
    transformImages(pre.image, table, rows, out)
    return out
  }
  pre.steps.forEach((s, j) => {
    const col = getColumn(table, s.name)
    if (!col) throw new DataError(`The data has no column "${s.name}", which this preprocessing needs.`)
    const [o] = pre.featureGroups[j]
    const idx = levelIndexOf(s)
    // numbers straight from a numeric column skip the Cell boxing on the hot path
    if (s.kind === 'numeric' && col.kind === 'num' && !s.indicator) {
      const vals = col.values
      for (let i = 0; i < n; i++) {
        const v = vals[rows[i]]
        out[i * pre.nFeatures + o] = ((Number.isNaN(v) ? s.median : v) - s.mean) / s.std
      }
      return
    }
    for (let i = 0; i < n; i++) encodeCell(s, cellString(col, rows[i]), out, i * pre.nFeatures + o, idx)
  })
  return out
}

function transformImages(img: ImageStep, table: Table, rows: Int32Array, out: Float32Array): void {
  const [h, w, c] = img.shape
  const px = h * w * c
  if (table.image) {
    decodePixels(table.image.pixels, px, c, img, rows, out)
    return
  }
  const cols = (img.columns ?? []).map((n) => {
    const col = getColumn(table, n)
    if (!col) throw new DataError(`The data has no pixel column "${n}", which this preprocessing needs.`)
    return col
  })
  for (let p = 0; p < px; p++) {
    const col = cols[p]
    for (let i = 0; i < rows.length; i++) {
      let v = cellNumber(col, rows[i])
      if (Number.isNaN(v)) v = 0
      out[i * px + p] = pixelFeature(v, p, c, img)
    }
  }
}

/**
 * Encodes records given by column name (e.g. typed in the UI or read by the CLI) with a stored
 * preprocessor; image records carry their pixels under the pixel column names or as `pixels`.
 */
export function transformRecords(pre: SerializedPreprocessor, records: Array<Record<string, Cell | number[] | undefined>>): Float32Array {
  const out = new Float32Array(records.length * pre.nFeatures)
  const idx = pre.steps.map(levelIndexOf)
  records.forEach((rec, i) => {
    const o = i * pre.nFeatures
    if (pre.image) {
      const img = pre.image
      const c = img.shape[2]
      const pixels = Array.isArray(rec.pixels) ? rec.pixels : (img.columns ?? []).map((n) => Number(rec[n] ?? 0))
      if (pixels.length !== pre.nFeatures) throw new DataError(`An image needs ${pre.nFeatures} pixel values, got ${pixels.length}.`)
      for (let p = 0; p < pre.nFeatures; p++) {
        const v = Number.isFinite(pixels[p]) ? pixels[p] : 0
        // The training rows' formula (v · (1/scale) can differ from v / scale in the last bit).
        out[o + p] = pixelFeature(v, p, c, img)
      }
      return
    }
    pre.steps.forEach((s, j) => {
      const v = rec[s.name]
      encodeCell(s, Array.isArray(v) || v === undefined ? null : v, out, o + pre.featureGroups[j][0], idx[j])
    })
  })
  return out
}
