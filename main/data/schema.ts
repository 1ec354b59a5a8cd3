/**
 * Schema inference: a type and a role for every column, the suggested target, and the checks that make a
 * target usable for classification. Works on the typed Table, so it costs one pass per column.
 */
import type { ChannelStats, ColumnOverride, ColumnSchema, ColumnType, DataFormat, DatasetSchema, ImageShape } from '../contract/index.ts'
import type { ColumnStats } from './csv/columns.ts'
import { DataError } from './errors.ts'
import { summarize, valueCounts, type ColumnSummary } from './stats.ts'
import { PUBLISHED_TEST, type Table } from './table.ts'

/** Names that say "this is what to predict", most telling first. */
const TARGET_NAMES = [
  'class',
  'target',
  'label',
  'labels',
  'y',
  'species',
  'diagnosis',
  'outcome',
  'cultivar',
  'digit',
  'category',
  'variety',
  'response',
  'result',
  'classification',
  'grade'
]
const ID_NAME = /^(id|_id|idx|index|row|row_?id|row_?number|unnamed: ?\d+|.*[_ .-]id|.*Id|.*ID)$/
const BOOLEAN_WORDS = [
  ['true', 'false'],
  ['yes', 'no'],
  ['y', 'n'],
  ['t', 'f']
]

export const MAX_CLASSES = 1000
const MISSING_TARGET = /^\d+ row\(s\) have no ".*" value/
/** A numeric target with more distinct values than this (or non-integers beyond MAX_FLOAT_CLASSES) is continuous. */
const MAX_NUMERIC_CLASSES = 50
const MAX_FLOAT_CLASSES = 10
/** Categorical columns with more levels than this (and mostly unique values) are free text. */
const MAX_CATEGORY_LEVELS = 1000

export interface InferOptions {
  target?: string
  imageShape?: ImageShape
  /** Parse-time stats from the CSV reader (mixed types, line numbers). */
  parseStats?: ColumnStats[]
  kind?: 'tabular' | 'image'
  warnings?: string[]
  /** Types the file declares (ARFF, Parquet), per column in table order: used as they are, never re-guessed. */
  declared?: Array<ColumnType | undefined>
  /** The file format's own default target (ARFF: the last nominal attribute), when the user names none. */
  suggestedTarget?: string
  format?: DataFormat
}

/** The note on the label columns of an image table with several labellings (CIFAR-100 fine and coarse). */
const LABELS_NOTE = 'Labels: one of the labellings of these images (the one chosen as the target is trained on)'

export function inferSchema(table: Table, opts: InferOptions = {}): DatasetSchema {
  const warnings = [...(opts.warnings ?? [])]
  const columns: ColumnSchema[] = table.columns.map((col, j) => {
    const declared = opts.declared?.[j]
    const s = summarize(col)
    return declared ? declaredColumn(col.name, s, declared, warnings) : inferColumn(col.name, s, col.kind === 'num', opts.parseStats?.[j], warnings)
  })
  const extra = { format: opts.format, ...facts(table) }
  if (table.image) {
    // IDX / folder / CIFAR / SVHN: the pixels are one block; describe them as one feature entry
    const [h, w, c] = table.image.shape
    const target = opts.target ?? table.columns[0].name
    // several labellings (CIFAR-100 fine and coarse): one is the target, the others wait as choices
    if (columns.length > 1) for (const col of columns) Object.assign(col, { note: LABELS_NOTE }, col.name === target ? {} : { role: 'ignore' })
    columns.unshift(imageColumn(table))
    return finish(table, columns, target, 'image', [h, w, c], warnings, extra)
  }
  if (columns.length < 2) {
    throw new DataError(
      // The one "column" may be any file's first line (not a dataset at all): it is not quoted back.
      `Only one column was found: a dataset needs at least one feature column and a target column. If the file uses another delimiter than , ; tab or |, convert it first.`
    )
  }
  const target = opts.target ?? opts.suggestedTarget ?? suggestTarget(columns)
  const imageShape = opts.imageShape ?? inferImageShape(columns.map((c) => c.name).filter((n) => n !== target))
  return finish(table, columns, target, imageShape ? 'image' : 'tabular', imageShape, warnings, extra)
}

/** What the table itself tells beyond its columns: its published split and its pixels' per-channel statistics. */
function facts(table: Table): Pick<DatasetSchema, 'publishedSplit' | 'imageStats'> {
  const out: Pick<DatasetSchema, 'publishedSplit' | 'imageStats'> = {}
  let test = 0
  if (table.split) {
    for (const v of table.split) if (v === PUBLISHED_TEST) test++
    out.publishedSplit = { train: table.rows - test, test }
  }
  if (table.image) out.imageStats = channelStats(table)
  return out
}

/** Per-channel mean and std of the pixels on the 0..1 scale: of the published train part when there is one. */
export function channelStats(table: Table): ChannelStats {
  const { shape, pixels } = table.image!
  const c = shape[2]
  const px = shape[0] * shape[1] * c
  const sum = new Float64Array(c)
  const sq = new Float64Array(c)
  let n = 0
  for (let r = 0; r < table.rows; r++) {
    if (table.split && table.split[r] === PUBLISHED_TEST) continue
    n++
    for (let i = r * px, k = 0; k < px; i++, k++) {
      const v = pixels[i]
      sum[k % c] += v
      sq[k % c] += v * v
    }
  }
  const count = Math.max(1, n * shape[0] * shape[1])
  const mean = Array.from(sum, (s) => s / count)
  const std = Array.from(sq, (s, k) => Math.sqrt(Math.max(0, s / count - mean[k] ** 2)))
  const round = (x: number) => Math.round((x / 255) * 1e6) / 1e6
  return { mean: mean.map(round), std: std.map(round) }
}

function finish(
  table: Table,
  columns: ColumnSchema[],
  target: string,
  kind: 'tabular' | 'image',
  imageShape: ImageShape | null,
  warnings: string[],
  extra: Pick<DatasetSchema, 'format' | 'publishedSplit' | 'imageStats'> = {}
): DatasetSchema {
  const defined = Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined))
  const schema: DatasetSchema = { kind, ...defined, rows: table.rows, columns, target, imageShape, classes: [], warnings }
  if (kind === 'image' && !table.image) checkImageColumns(schema)
  return withTarget(schema, table, target)
}

/** Puts `target` in the target role (the previous target goes back to its inferred role) and counts classes. */
export function withTarget(schema: DatasetSchema, table: Table, target: string): DatasetSchema {
  const col = table.columns.find((c) => c.name === target)
  const columns = schema.columns.map((c) => {
    if (c.name === target) return { ...c, role: 'target' as const }
    if (c.role === 'target') return { ...c, role: defaultRole(c) }
    return c
  })
  const classes = col && (schema.columns.find((c) => c.name === target)?.distinct ?? 0) <= MAX_CLASSES ? valueCounts(col) : []
  const next = { ...schema, columns, target, classes }
  // a target problem is a warning here (the user may still pick another column); import turns it into an error
  const problem = targetProblem(next)
  const warnings = next.warnings.filter((w) => !w.startsWith('Target: ') && !MISSING_TARGET.test(w))
  if (problem) warnings.push(`Target: ${problem}`)
  const t = columns.find((c) => c.name === target)
  if (!problem && t && t.missing > 0) warnings.push(`${t.missing} row(s) have no "${target}" value; they are left out of training and testing.`)
  return { ...next, warnings }
}

function defaultRole(c: ColumnSchema): ColumnSchema['role'] {
  return c.note && /^(ID-like|Constant|All missing|Free text|Labels:)/.test(c.note) ? 'ignore' : 'feature'
}

/** A column whose type the file declares: the type stays; only the role is suggested from the values. */
function declaredColumn(name: string, s: ColumnSummary, type: ColumnType, warnings: string[]): ColumnSchema {
  const base = { name, type, missing: s.missing, distinct: s.distinct, min: s.min, max: s.max, mean: s.mean, topValues: s.top.map((t) => ({ ...t })) }
  if (s.nonMissing === 0) {
    warnings.push(`Column "${name}" has no values (every cell is missing); it is ignored.`)
    return { ...base, role: 'ignore', note: 'All missing: every value is empty or NA' }
  }
  if (s.distinct === 1) return { ...base, role: 'ignore', note: `Constant: every value is "${s.top[0]?.value}"` }
  if (type === 'text') return { ...base, role: 'ignore', note: 'Free text: declared a string attribute (set its role to use it as a category)' }
  if (type === 'numeric' && s.integers && s.distinct === s.nonMissing && (ID_NAME.test(name) || (s.sequence && s.nonMissing >= 20))) {
    return { ...base, role: 'ignore', note: `ID-like: ${s.sequence ? 'a sequence of integers' : 'every value is a distinct integer'}` }
  }
  return { ...base, role: 'feature' }
}

function inferColumn(name: string, s: ColumnSummary, numeric: boolean, ps: ColumnStats | undefined, warnings: string[]): ColumnSchema {
  const base = { name, missing: s.missing, distinct: s.distinct, min: s.min, max: s.max, mean: s.mean, topValues: s.top.map((t) => ({ ...t })) }
  const col = (type: ColumnType, role: ColumnSchema['role'], note?: string): ColumnSchema => (note ? { ...base, type, role, note } : { ...base, type, role })
  if (s.nonMissing === 0) {
    warnings.push(`Column "${name}" has no values (every cell is missing); it is ignored.`)
    return col('constant', 'ignore', 'All missing: every value is empty or NA')
  }
  if (s.distinct === 1) return col('constant', 'ignore', `Constant: every value is "${s.top[0]?.value}"`)
  if (numeric) {
    if (s.integers && s.distinct === s.nonMissing && (ID_NAME.test(name) || (s.sequence && s.nonMissing >= 20))) {
      return col('numeric', 'ignore', `ID-like: ${s.sequence ? 'a sequence of integers' : 'every value is a distinct integer'}`)
    }
    if (s.distinct === 2 && s.min === 0 && s.max === 1) return col('boolean', 'feature')
    return col('numeric', 'feature')
  }
  let mixedNote: string | undefined
  if (ps && ps.numeric > 0 && ps.text > 0) {
    const ex = ps.firstText
    mixedNote = `Mixed types: ${ps.numeric} numbers and ${ps.text} text values${ex ? ` (first text "${ex.value}" on line ${ex.line})` : ''}`
    warnings.push(
      `Column "${name}" mixes numbers and text (${ps.numeric} numbers, ${ps.text} text values${ex ? `, e.g. "${ex.value}" on line ${ex.line}` : ''}); it is treated as categorical. Fix those cells or mark the column numeric to treat them as missing.`
    )
  }
  const lower = s.top.map((t) => t.value.toLowerCase())
  if (s.distinct === 2 && BOOLEAN_WORDS.some((pair) => lower.every((v) => pair.includes(v)))) return col('boolean', 'feature', mixedNote)
  if (s.distinct === s.nonMissing && s.nonMissing >= 10) return col('text', 'ignore', 'ID-like: every value is distinct')
  if (s.distinct > MAX_CATEGORY_LEVELS || (s.distinct > 50 && s.distinct > 0.5 * s.nonMissing)) {
    return col('text', 'ignore', `Free text: ${s.distinct} distinct values are too many for a category`)
  }
  return col('categorical', 'feature', mixedNote)
}

function imageColumn(table: Table): ColumnSchema {
  const img = table.image!
  const [h, w, c] = img.shape
  let sum = 0
  let min = 255
  let max = 0
  // a strided sample is enough for a summary of millions of pixels
  const step = Math.max(1, Math.floor(img.pixels.length / 1_000_000))
  let n = 0
  for (let i = 0; i < img.pixels.length; i += step) {
    const v = img.pixels[i]
    sum += v
    if (v < min) min = v
    if (v > max) max = v
    n++
  }
  return {
    name: 'image',
    type: 'numeric',
    role: 'feature',
    missing: 0,
    distinct: 0,
    min,
    max,
    mean: n ? sum / n : null,
    topValues: [],
    note: `Image pixels: ${h}×${w}×${c} (${h * w * c} values per image, 0–255)`
  }
}

export function suggestTarget(columns: ColumnSchema[]): string {
  for (const want of TARGET_NAMES) {
    const hit = columns.find((c) => c.name.trim().toLowerCase() === want)
    if (hit) return hit.name
  }
  for (let j = columns.length - 1; j >= 0; j--) if (columns[j].role !== 'ignore') return columns[j].name
  return columns[columns.length - 1].name
}

/** px_<row>_<col>[_<channel>] or pixel<i> (square, grey) column names → H×W×C; null if the names do not say. */
export function inferImageShape(names: string[]): ImageShape | null {
  if (names.length < 4) return null
  const rc = /^(?:px|pixel|pix|p)[_-]?(\d+)[_-](\d+)(?:[_-](\d+))?$/i
  let h = 0
  let w = 0
  let c = 0
  let all = true
  for (const n of names) {
    const m = rc.exec(n)
    if (!m) {
      all = false
      break
    }
    h = Math.max(h, +m[1] + 1)
    w = Math.max(w, +m[2] + 1)
    c = Math.max(c, m[3] === undefined ? 1 : +m[3] + 1)
  }
  if (all && h * w * c === names.length) return [h, w, c]
  const flat = /^(?:px|pixel|pix)[_-]?(\d+)$/i
  if (names.every((n) => flat.test(n))) {
    const side = Math.round(Math.sqrt(names.length))
    if (side * side === names.length) return [side, side, 1]
  }
  return null
}

/** An image CSV: every non-target column must be a numeric pixel, and their number must be H×W×C. */
function checkImageColumns(schema: DatasetSchema): void {
  const [h, w, c] = schema.imageShape!
  const pixels = schema.columns.filter((col) => col.name !== schema.target)
  if (pixels.length !== h * w * c) {
    throw new DataError(
      `The declared image shape ${h}×${w}×${c} needs ${h * w * c} pixel columns, but the file has ${pixels.length} columns besides the target "${schema.target}". Check the height, width and channels.`
    )
  }
  const bad = pixels.filter((p) => p.type !== 'numeric' && p.type !== 'constant' && p.type !== 'boolean')
  if (bad.length) {
    throw new DataError(
      `Image pixel columns must be numbers, but ${bad
        .slice(0, 5)
        .map((b) => `"${b.name}"`)
        .join(', ')} contain text.`
    )
  }
  // pixels that are constant (e.g. always-black borders) are still part of the image
  for (const p of pixels) {
    p.role = 'feature'
    if (p.type === 'constant' || p.type === 'boolean') p.type = 'numeric'
    if (p.note?.startsWith('Constant')) delete p.note
  }
}

/** Why `schema.target` cannot be a classification target, or null when it can. */
export function targetProblem(schema: DatasetSchema): string | null {
  const t = schema.columns.find((c) => c.name === schema.target)
  if (!t) {
    const names = schema.columns.map((c) => `"${c.name}"`)
    return `there is no column named "${schema.target}". Columns are: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''}.`
  }
  const name = `"${t.name}"`
  if (t.distinct === 0) return `the target column ${name} has no values (every cell is missing).`
  if (t.distinct < 2) return `the target column ${name} has a single class ("${t.topValues[0]?.value}"); classification needs at least 2 classes.`
  if (t.distinct > MAX_CLASSES) {
    return `the target column ${name} has ${t.distinct.toLocaleString('en-US')} distinct values; a classification target can have at most ${MAX_CLASSES.toLocaleString('en-US')} classes. Pick another target column.`
  }
  if (t.type === 'numeric' && t.min !== null && (t.distinct > MAX_NUMERIC_CLASSES || (t.distinct > MAX_FLOAT_CLASSES && !isIntegerColumn(t)))) {
    return `the target column ${name} looks continuous (${t.distinct} distinct numbers from ${fmt(t.min)} to ${fmt(t.max!)}): regression is not supported yet — pick a column with classes, or mark this one categorical if its values are class codes.`
  }
  if (t.type === 'text' && t.note?.startsWith('ID-like')) {
    return `every row has its own value in the target column ${name}; it looks like an ID, not a class.`
  }
  return null
}

function isIntegerColumn(c: ColumnSchema): boolean {
  return c.topValues.every((v) => Number.isInteger(Number(v.value))) && Number.isInteger(c.min) && Number.isInteger(c.max)
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4)
}

/** Throws a DataError when the target cannot be used or no feature is left. */
export function validateSchema(schema: DatasetSchema): void {
  const problem = targetProblem(schema)
  if (problem) throw new DataError(`Cannot use this target: ${problem}`)
  const t = schema.columns.find((c) => c.name === schema.target)!
  if (t.role === 'ignore') throw new DataError(`The target column "${t.name}" is marked "ignore"; choose another target or change its role.`)
  if (!schema.columns.some((c) => c.role === 'feature')) {
    throw new DataError(
      `No feature columns are left: every column other than the target "${schema.target}" is ignored. Set at least one column's role to "feature".`
    )
  }
}

/**
 * Applies user changes (target, per-column type/role) and validates the result: the target exists, is not
 * ignored, has 2..1000 classes and is not continuous; at least one feature is left.
 */
export function applyOverrides(schema: DatasetSchema, o: { target?: string; columns?: ColumnOverride[] }, table?: Table): DatasetSchema {
  const byName = new Map(schema.columns.map((c) => [c.name, c]))
  for (const ov of o.columns ?? []) {
    if (!byName.has(ov.name)) throw new DataError(`Cannot change column "${ov.name}": the dataset has no such column.`)
  }
  let target = o.target ?? schema.target
  const roleTarget = (o.columns ?? []).find((c) => c.role === 'target')
  if (roleTarget && !o.target) target = roleTarget.name
  if (!byName.has(target)) {
    throw new DataError(
      `Cannot use "${target}" as the target: there is no such column. Columns are: ${schema.columns
        .map((c) => `"${c.name}"`)
        .slice(0, 20)
        .join(', ')}.`
    )
  }
  const overrides = new Map((o.columns ?? []).map((c) => [c.name, c]))
  let columns = schema.columns.map((c) => {
    const ov = overrides.get(c.name)
    const next = { ...c }
    if (ov?.type) next.type = ov.type
    if (ov?.role && ov.role !== 'target') next.role = ov.role
    if (c.name === target) {
      if (ov?.role === 'ignore') {
        throw new DataError(`The target column "${target}" cannot be marked "ignore"; choose another target first.`)
      }
      next.role = 'target'
    } else if (next.role === 'target') next.role = ov?.role ?? defaultRole(next)
    if (schema.kind === 'image' && next.role === 'ignore' && c.role !== 'ignore' && !c.note?.startsWith('Labels:')) {
      throw new DataError(`"${c.name}" is part of the image (${schema.imageShape?.join('×')}); pixels cannot be ignored one by one.`)
    }
    return next
  })
  let next: DatasetSchema = { ...schema, columns, target }
  if (target !== schema.target && table) next = withTarget(next, table, target)
  else if (target !== schema.target) next = { ...next, classes: [] }
  columns = next.columns
  if (next.classes.length === 0 && !table && target !== schema.target) {
    // without the table we cannot count classes; judge from the column summary alone
    const t = columns.find((c) => c.name === target)!
    next = { ...next, classes: t.topValues.length === t.distinct ? t.topValues : [] }
  }
  validateSchema(next)
  return { ...next, warnings: next.warnings.filter((w) => !w.startsWith('Target: ')) }
}
