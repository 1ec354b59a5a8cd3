/**
 * The one CSV writer (RFC 4180 quoting), safe to open in a spreadsheet: a text cell that a spreadsheet would run as
 * a formula (starting with = + - @, a tab or a carriage return; OWASP "CSV injection") gets a leading apostrophe,
 * so it shows as text. Numbers, and text that is a plain number ("-1", "+2.5e3"), are written as they are: a
 * spreadsheet reads them as numbers, not formulas. Every CSV the app writes (predictions, Compare's exports) uses it.
 */

export type CsvValue = string | number | boolean | null | undefined

const FORMULA_START = /^[=+\-@\t\r]/
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
const NEEDS_QUOTES = /[",\r\n]/

/** One cell: empty for null/undefined, numbers verbatim, text neutralised and quoted when it needs it. */
export function csvCell(v: CsvValue): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  const s = FORMULA_START.test(v) && !PLAIN_NUMBER.test(v) ? `'${v}` : v
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** One record: its cells joined by commas (no line end). */
export function csvLine(cells: readonly CsvValue[]): string {
  return cells.map(csvCell).join(',')
}

/** A header and rows as a CSV document; every line ends with `eol` (RFC 4180: CRLF). */
export function toCsv(header: readonly CsvValue[], rows: readonly (readonly CsvValue[])[], eol: '\r\n' | '\n' = '\r\n'): string {
  return [header, ...rows].map(csvLine).join(eol) + eol
}
