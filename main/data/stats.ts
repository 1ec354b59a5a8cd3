/**
 * Per-column summaries (missing, distinct, min/max/mean, most frequent values) computed from the typed columns
 * in one pass each, without building a string per cell.
 */
import type { ValueCount } from '../contract/index.ts'
import type { Column } from './table.ts'

export interface ColumnSummary {
  missing: number
  nonMissing: number
  distinct: number
  min: number | null
  max: number | null
  mean: number | null
  /** Most frequent values, most frequent first (at most `TOP`). */
  top: ValueCount[]
  /** Every non-missing value is an integer. */
  integers: boolean
  /** Numeric values in row order form n, n+1, n+2, … (a row index). */
  sequence: boolean
  /** Levels and counts for categorical columns (all of them), in level order. */
  levelCounts?: Int32Array
}

const TOP = 10

// Columns are never modified after reading, so a summary can be reused (schema inference runs once per
// target choice, and sorting a million values each time is the slow part).
const cache = new WeakMap<Column, ColumnSummary>()

export function summarize(col: Column): ColumnSummary {
  let s = cache.get(col)
  if (!s) {
    s = col.kind === 'num' ? summarizeNumeric(col.values) : summarizeCategorical(col.codes, col.levels)
    cache.set(col, s)
  }
  return s
}

function summarizeNumeric(values: Float64Array): ColumnSummary {
  const n = values.length
  let missing = 0
  let sum = 0
  let min = Infinity
  let max = -Infinity
  let integers = true
  let sequence = n > 1
  let prev = NaN
  for (let i = 0; i < n; i++) {
    const v = values[i]
    if (Number.isNaN(v)) {
      missing++
      sequence = false
      continue
    }
    sum += v
    if (v < min) min = v
    if (v > max) max = v
    if (integers && !Number.isInteger(v)) integers = false
    if (sequence && i > 0 && v !== prev + 1) sequence = false
    prev = v
  }
  const nonMissing = n - missing
  if (nonMissing === 0) {
    return { missing, nonMissing, distinct: 0, min: null, max: null, mean: null, top: [], integers: false, sequence: false }
  }
  // distinct values and their counts from a sorted copy of the non-missing values
  const sorted = new Float64Array(nonMissing)
  let k = 0
  for (let i = 0; i < n; i++) if (!Number.isNaN(values[i])) sorted[k++] = values[i]
  sorted.sort()
  let distinct = 0
  const top: ValueCount[] = []
  let runStart = 0
  for (let i = 1; i <= nonMissing; i++) {
    if (i === nonMissing || sorted[i] !== sorted[runStart]) {
      distinct++
      pushTop(top, String(sorted[runStart]), i - runStart)
      runStart = i
    }
  }
  return { missing, nonMissing, distinct, min, max, mean: sum / nonMissing, top, integers, sequence }
}

function summarizeCategorical(codes: Int32Array, levels: string[]): ColumnSummary {
  const counts = new Int32Array(levels.length)
  let missing = 0
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]
    if (c < 0) missing++
    else counts[c]++
  }
  let distinct = 0
  const top: ValueCount[] = []
  for (let l = 0; l < levels.length; l++) {
    if (counts[l] === 0) continue
    distinct++
    pushTop(top, levels[l], counts[l])
  }
  return {
    missing,
    nonMissing: codes.length - missing,
    distinct,
    min: null,
    max: null,
    mean: null,
    top,
    integers: false,
    sequence: false,
    levelCounts: counts
  }
}

/** Keeps `top` sorted by count (desc) and at most TOP long; ties keep the earlier value. */
function pushTop(top: ValueCount[], value: string, count: number): void {
  if (top.length === TOP && count <= top[TOP - 1].count) return
  let i = top.length
  while (i > 0 && top[i - 1].count < count) i--
  top.splice(i, 0, { value, count })
  if (top.length > TOP) top.pop()
}

/** Counts of every level of a column (numbers as text), largest first: the class balance of a target. */
export function valueCounts(col: Column): ValueCount[] {
  const m = new Map<string, number>()
  if (col.kind === 'num') {
    for (const v of col.values) if (!Number.isNaN(v)) m.set(String(v), (m.get(String(v)) ?? 0) + 1)
  } else {
    const counts = new Int32Array(col.levels.length)
    for (const c of col.codes) if (c >= 0) counts[c]++
    col.levels.forEach((l, i) => counts[i] > 0 && m.set(l, counts[i]))
  }
  return [...m].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count)
}
