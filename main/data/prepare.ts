/**
 * Table + schema → PreparedData for the engine: label encoding, optional stratified sampling, the split,
 * preprocessing fitted on the training rows, and the encoded arrays.
 */
import { imageNormalizeFor, type DatasetSchema, type SplitConfig } from '../contract/index.ts'
import type { PreparedData, SplitArrays } from '../contract/index.ts'
import { DataError } from './errors.ts'
import { fitPreprocessor, transformTable, type PreprocessOptions, type SerializedPreprocessor } from './preprocess.ts'
import { validateSchema } from './schema.ts'
import { kfoldSplit, publishedSplit, stratifiedSample, stratifiedSplit } from './split.ts'
import { getColumn, type Column, type Table } from './table.ts'

export interface PrepareOptions extends PreprocessOptions {
  /** Which fold (repeat × k + fold) when `split.kfold` is set. */
  fold?: number
  /** Train on a stratified sample of at most this many rows. */
  maxRows?: number
}

export interface TargetEncoding {
  /** Class index per row, -1 where the target is missing. */
  labels: Int32Array
  classNames: string[]
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' })

/** Class indices for the target column; classes sorted naturally ("2" before "10") unless stored in a meaningful order. */
export function encodeTarget(col: Column): TargetEncoding {
  const labels = new Int32Array(col.kind === 'num' ? col.values.length : col.codes.length)
  if (col.kind === 'num') {
    const distinct = [...new Set(Array.from(col.values).filter((v) => !Number.isNaN(v)))].sort((a, b) => a - b)
    const index = new Map(distinct.map((v, i) => [v, i]))
    col.values.forEach((v, i) => (labels[i] = Number.isNaN(v) ? -1 : index.get(v)!))
    return { labels, classNames: distinct.map(String) }
  }
  const used = new Uint8Array(col.levels.length)
  for (const c of col.codes) if (c >= 0) used[c] = 1
  const present = col.levels.map((l, i) => ({ l, i })).filter((x) => used[x.i])
  if (!col.ordered) present.sort((a, b) => collator.compare(a.l, b.l) || (a.l < b.l ? -1 : a.l > b.l ? 1 : 0))
  const remap = new Int32Array(col.levels.length).fill(-1)
  present.forEach((x, k) => (remap[x.i] = k))
  col.codes.forEach((c, i) => (labels[i] = c < 0 ? -1 : remap[c]))
  return { labels, classNames: present.map((x) => x.l) }
}

export function prepare(
  table: Table,
  schema: DatasetSchema,
  split: SplitConfig,
  seed: number,
  opts: PrepareOptions = {}
): PreparedData & { preprocessor: SerializedPreprocessor } {
  validateSchema(schema)
  const tcol = getColumn(table, schema.target)
  if (!tcol) throw new DataError(`The target column "${schema.target}" is not in the stored data; import the dataset again.`)
  const { labels, classNames } = encodeTarget(tcol)
  const nClasses = classNames.length
  if (nClasses < 2) throw new DataError(`The target "${schema.target}" has ${nClasses} class; classification needs at least 2.`)
  if (opts.maxRows !== undefined && (!Number.isInteger(opts.maxRows) || opts.maxRows < nClasses)) {
    throw new DataError(`maxRows must be a whole number of at least ${nClasses} (one row per class), got ${opts.maxRows}.`)
  }
  // rows with a missing target carry no label: they are dropped here
  const rows = opts.maxRows !== undefined ? stratifiedSample(labels, nClasses, opts.maxRows, seed) : undefined
  if (table.split && split.kfold) {
    throw new DataError(
      `This dataset keeps its published train/test split (${schema.publishedSplit?.test.toLocaleString('en-US') ?? 'its'} test rows); k-fold would train on those test rows. Turn k-fold off: the published test rows are the test split, validation is cut from the train rows.`
    )
  }
  const idx = table.split
    ? publishedSplit(labels, nClasses, table.split, split, seed, rows)
    : split.kfold
      ? kfoldSplit(labels, nClasses, split, split.kfold, opts.fold ?? 0, seed, rows)
      : stratifiedSplit(labels, nClasses, split, seed, rows)
  const empty = (['train', 'val', 'test'] as const).filter((k) => idx[k].length === 0)
  if (empty.length) {
    const n = rows ? rows.length : labels.reduce((a, y) => a + (y >= 0 ? 1 : 0), 0)
    throw new DataError(
      `Too few labelled rows (${n}) to fill the ${empty.join(' and ')} split${empty.length > 1 ? 's' : ''}: each class needs at least 3 rows${split.kfold ? ` and ${split.kfold} folds need at least ${split.kfold} rows` : ''}. Add data${opts.maxRows !== undefined ? ', raise maxRows' : ''} or change the split.`
    )
  }
  // colour images are standardised per channel, grey ones scaled to 0..1 (contract/vision.ts), unless told otherwise
  const imageNormalize = opts.imageNormalize ?? imageNormalizeFor(schema.imageShape)
  const pre = fitPreprocessor(table, schema, classNames, idx.train, { ...opts, imageNormalize })
  // Images stored as 8-bit pixels stay so: a split is its row indices into the table's pixel block (decoded per
  // batch by the engine); everything else is encoded here.
  const block = pre.image && table.image ? table.image.pixels : null
  const arrays = (r: Int32Array): SplitArrays => {
    const y = Int32Array.from(r, (i) => labels[i])
    if (!block || !pre.image) return { x: transformTable(pre, table, r), y, n: r.length }
    const { shape, mode, scale, mean, std } = pre.image
    return { pixels: block, width: pre.nFeatures, channels: shape[2], norm: { mode, scale, mean, std }, rows: r, y, n: r.length }
  }
  return {
    kind: schema.kind,
    nFeatures: pre.nFeatures,
    nClasses,
    classNames,
    imageShape: pre.image ? [...pre.image.shape] : null,
    featureGroups: pre.featureGroups.map(([a, b]) => [a, b]),
    ...(pre.kind === 'tabular' ? { featureNames: pre.steps.map((s) => s.name) } : {}),
    numericMask: Uint8Array.from(pre.numericMask),
    train: arrays(idx.train),
    val: arrays(idx.val),
    test: arrays(idx.test),
    preprocessor: pre
  }
}
