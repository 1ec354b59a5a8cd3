/**
 * The in-memory dataset: columnar, typed arrays only, so a million rows stay compact and can be written to disk
 * and mapped back without a per-cell object.
 *
 * A column is stored as numbers when every non-missing cell parsed as a number, otherwise as dictionary codes.
 * Image datasets from IDX files or image folders keep their pixels in one Uint8 block (H×W×C row-major per
 * image) instead of one column per pixel.
 */
import type { ImageShape } from '../contract/index.ts'

export interface NumericColumn {
  kind: 'num'
  name: string
  /** NaN = missing. */
  values: Float64Array
}

export interface CategoricalColumn {
  kind: 'cat'
  name: string
  /** Index into `levels`; -1 = missing. */
  codes: Int32Array
  levels: string[]
  /** Levels are in a meaningful order (e.g. IDX label index) rather than first appearance. */
  ordered?: boolean
}

export type Column = NumericColumn | CategoricalColumn

export interface ImageBlock {
  shape: ImageShape
  /** rows × H×W×C, row-major per image. */
  pixels: Uint8Array
}

export interface Table {
  rows: number
  columns: Column[]
  image?: ImageBlock
  /** The file's published split, one flag per row (PUBLISHED_TRAIN or PUBLISHED_TEST); absent when it has none. */
  split?: Uint8Array
}

export const PUBLISHED_TRAIN = 0
export const PUBLISHED_TEST = 1

export const MISSING_CODE = -1

export function getColumn(table: Table, name: string): Column | undefined {
  return table.columns.find((c) => c.name === name)
}

/** The cell as the user would read it; null when missing. */
export function cellText(col: Column, row: number): string | null {
  if (col.kind === 'num') {
    const v = col.values[row]
    return Number.isNaN(v) ? null : String(v)
  }
  const c = col.codes[row]
  return c < 0 ? null : col.levels[c]
}

/** The cell as a number (NaN when missing or not numeric). */
export function cellNumber(col: Column, row: number): number {
  if (col.kind === 'num') return col.values[row]
  const c = col.codes[row]
  if (c < 0) return NaN
  return parseNumber(col.levels[c])
}

const MISSING = new Set(['', 'na', 'n/a', '?', 'null', 'nan', '#n/a'])

/** Empty, NA, N/A, ?, null, NaN (any case, surrounding spaces ignored). */
export function isMissingToken(s: string): boolean {
  if (s.length === 0) return true
  if (s.length > 6) return false
  return MISSING.has(s.trim().toLowerCase())
}

/** A finite number or NaN; rejects what Number() would wrongly accept ('', ' ', '0x1f', 'Infinity'). */
export function parseNumber(s: string): number {
  const n = Number(s)
  if (!Number.isFinite(n)) return NaN
  if (n === 0) {
    // Number('') and Number('  ') are 0
    if (s.trim().length === 0) return NaN
  }
  const c = s.charCodeAt(s.length > 1 ? 1 : 0)
  // hex/octal/binary literals ('0x10') are not data numbers
  if ((c === 120 || c === 88 || c === 111 || c === 79 || c === 98 || c === 66) && s.trim()[0] === '0') return NaN
  return n
}
