/**
 * Guesses the delimiter and whether the first row is a header, from a decoded sample of the first lines.
 * The sample is parsed with csv-parse for each candidate delimiter so quoted delimiters and newlines are
 * respected; the delimiter that splits the most rows into the same number (> 1) of fields wins.
 */
import { parse } from 'csv-parse/sync'
import { isMissingToken, parseNumber } from '../table.ts'

export const DELIMITERS = [',', ';', '\t', '|'] as const
export type Delimiter = (typeof DELIMITERS)[number]

const SAMPLE_RECORDS = 50

export function sampleRecords(text: string, delimiter: string): string[][] {
  // Drop the last (possibly cut) line so a truncated sample does not look ragged.
  const cut = text.lastIndexOf('\n')
  const body = cut > 0 ? text.slice(0, cut) : text
  try {
    return parse(body, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      to: SAMPLE_RECORDS
    }) as string[][]
  } catch {
    // An unclosed quote in the sample: judge on what parses line by line instead.
    const out: string[][] = []
    for (const line of body.split(/\r?\n/).slice(0, SAMPLE_RECORDS)) {
      if (line.trim() === '') continue
      out.push(line.split(delimiter))
    }
    return out
  }
}

export function sniffDelimiter(text: string): Delimiter {
  let best: { d: Delimiter; score: number; fields: number } = { d: ',', score: -1, fields: 1 }
  for (const d of DELIMITERS) {
    const recs = sampleRecords(text, d)
    if (recs.length === 0) continue
    const counts = new Map<number, number>()
    for (const r of recs) counts.set(r.length, (counts.get(r.length) ?? 0) + 1)
    let mode = 1
    let modeCount = 0
    for (const [k, v] of counts) if (v > modeCount || (v === modeCount && k > mode)) [mode, modeCount] = [k, v]
    if (mode < 2) continue
    const consistency = modeCount / recs.length
    // consistency first, then more fields (a comma inside decimals "1,5" under ';' gives fewer, uneven splits)
    const score = consistency * 1000 + Math.min(mode, 999)
    if (score > best.score) best = { d, score, fields: mode }
  }
  return best.d
}

/** Below this many sampled lines a file is too short to call it prose rather than a ragged table. */
const PROSE_MIN_LINES = 3

/**
 * Text that is not a table: its sampled lines agree on no field count (fewer than half share one), or split into
 * three or more different counts with under 80 % sharing one, or most are a single field while others split. A
 * table with a few ragged rows, or with a header one field short (R's row names), has one count nearly all lines
 * share and keeps its line-by-line error.
 */
export function looksLikeProse(records: string[][]): boolean {
  if (records.length < PROSE_MIN_LINES) return false
  const counts = new Map<number, number>()
  for (const r of records) counts.set(r.length, (counts.get(r.length) ?? 0) + 1)
  if (counts.size === 1) return false
  let mode = 0
  let modeCount = 0
  for (const [k, v] of counts) if (v > modeCount) [mode, modeCount] = [k, v]
  const share = modeCount / records.length
  return mode === 1 || share < 0.5 || (counts.size >= 3 && share < 0.8)
}

/**
 * Is the first row a header? Not when one of its cells is a number (headers are labels). Yes when a column
 * below it is all numbers while its top cell is text. For all-text data, a header's labels do not reappear
 * in their own column below.
 */
export function looksLikeHeader(records: string[][]): boolean {
  if (records.length === 0) return false
  const first = records[0]
  const seen = new Set<string>()
  for (const cell of first) {
    const t = cell.trim()
    if (t === '') continue // an unnamed column (e.g. a pandas index) still allows a header
    if (!Number.isNaN(parseNumber(t))) return false
    seen.add(t)
  }
  if (seen.size === 0) return false
  const rest = records.slice(1)
  if (rest.length === 0) return true
  let numericColumnWithTextTop = false
  let repeated = 0
  for (let j = 0; j < first.length; j++) {
    const top = first[j].trim()
    let numeric = 0
    let nonMissing = 0
    for (const r of rest) {
      const v = (r[j] ?? '').trim()
      if (isMissingToken(v)) continue
      nonMissing++
      if (!Number.isNaN(parseNumber(v))) numeric++
      if (v === top) repeated++
    }
    if (nonMissing > 0 && numeric === nonMissing && top !== '') numericColumnWithTextTop = true
  }
  if (numericColumnWithTextTop) return true
  return repeated === 0
}
