/**
 * New rows for a stored model: read a CSV as text records, check them against the stored preprocessing (missing
 * columns, values of the wrong type, unseen categories), then encode them with transformRecords — the same code
 * that encoded the training rows.
 */
import { readFile } from 'node:fs/promises'
import { parse } from 'csv-parse/sync'
import { DataError, fsError } from './errors.ts'
import { transformRecords, type SerializedPreprocessor } from './preprocess.ts'
import { isMissingToken, parseNumber } from './table.ts'

export type TextRecord = Record<string, string>

/** Rows of a CSV with a header line, every cell as text (a UTF-8 BOM is dropped). */
export async function readCsvRecords(path: string): Promise<{ columns: string[]; records: TextRecord[] }> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    fsError(e, path, 'data file')
  }
  let rows: string[][]
  try {
    rows = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false, delimiter: sniffDelimiter(text) }) as string[][]
  } catch (e) {
    throw new DataError(`Could not read ${path} as CSV: ${(e as Error).message}`)
  }
  if (rows.length < 1) throw new DataError(`${path} is empty: it needs a header line and at least one row.`)
  const columns = rows[0].map((c) => c.trim())
  const records = rows.slice(1).map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i] ?? ''])))
  return { columns, records }
}

function sniffDelimiter(text: string): string {
  const head = text.slice(0, text.indexOf('\n') >>> 0 || text.length)
  const counts = [',', ';', '\t', '|'].map((d) => [d, head.split(d).length - 1] as const)
  return counts.reduce((a, b) => (b[1] > a[1] ? b : a))[0]
}

export interface RecordCheck {
  /** Categorical values not seen in training that were pooled into "other", per column. */
  pooledIntoOther: Record<string, number>
}

/**
 * Throws a DataError naming every problem (up to 10): a feature column the rows lack, a value that is not a number
 * where the model expects one, a category the model never saw when the column has no "other" level.
 * Missing values (empty, NA, ?) are fine: they are imputed as in training.
 */
export function checkRecords(pre: SerializedPreprocessor, columns: readonly string[], records: readonly TextRecord[]): RecordCheck {
  const have = new Set(columns)
  const needed = pre.image ? (pre.image.columns ?? []) : pre.steps.map((s) => s.name)
  const missing = needed.filter((c) => !have.has(c))
  if (missing.length) {
    const list = missing
      .slice(0, 10)
      .map((c) => `"${c}"`)
      .join(', ')
    throw new DataError(`The data lacks ${missing.length} column${missing.length > 1 ? 's' : ''} the model needs: ${list}${missing.length > 10 ? ', …' : ''}.`)
  }
  const problems: string[] = []
  const pooledIntoOther: Record<string, number> = {}
  const report = (row: number, col: string, what: string) => {
    if (problems.length < 10) problems.push(`row ${row + 1}, column "${col}": ${what}`)
    else if (problems.length === 10) problems.push('…')
  }
  const numericCols = pre.image ? needed : pre.steps.filter((s) => s.kind === 'numeric').map((s) => s.name)
  records.forEach((r, i) => {
    for (const c of numericCols) {
      const v = r[c] ?? ''
      if (!isMissingToken(v) && Number.isNaN(parseNumber(v.trim()))) report(i, c, `"${v}" is not a number`)
    }
    for (const s of pre.steps) {
      if (s.kind !== 'categorical') continue
      const v = r[s.name] ?? ''
      if (isMissingToken(v) || s.levels.includes(v)) continue
      if (s.other) pooledIntoOther[s.name] = (pooledIntoOther[s.name] ?? 0) + 1
      else
        report(
          i,
          s.name,
          `"${v}" is a category the model never saw (known: ${s.levels
            .slice(0, 8)
            .map((l) => `"${l}"`)
            .join(', ')}${s.levels.length > 8 ? ', …' : ''}; this column has no "other" level)`
        )
    }
  })
  if (problems.length) throw new DataError(`The data does not fit the model:\n  ${problems.join('\n  ')}`, { details: problems })
  return { pooledIntoOther }
}

/** Checked and encoded: n × nFeatures, ready for the model. */
export function encodeRecords(
  pre: SerializedPreprocessor,
  columns: readonly string[],
  records: readonly TextRecord[]
): { x: Float32Array; check: RecordCheck } {
  const check = checkRecords(pre, columns, records)
  const cells = records.map((r) => {
    const out: Record<string, string | null> = {}
    for (const [k, v] of Object.entries(r)) out[k] = isMissingToken(v) ? null : v
    return out
  })
  if (pre.image) {
    // Pixels by column name; a missing pixel reads as 0 (as in training).
    const rows = cells.map((r) => ({ pixels: (pre.image!.columns ?? []).map((c) => (r[c] === null ? 0 : parseNumber(r[c]!.trim()))) }))
    return { x: transformRecords(pre, rows), check }
  }
  return { x: transformRecords(pre, cells), check }
}
