/**
 * Parquet files read with hyparquet (maintained, no native code, every page encoding incl. dictionaries) and
 * hyparquet-compressors (snappy, gzip, zstd, brotli, lz4 pages). The footer gives the row count and each
 * column's type, so the typed columns are allocated once; row groups are then read one at a time, so memory is
 * the table plus one decoded row group, as with the CSV path. Types come from the schema: numbers (integers,
 * floats, decimals; dates and timestamps as seconds since 1970) stay numeric, booleans boolean, strings are
 * categories or text as inferred; nulls are missing. Nested columns (lists, structs, maps) are left out, with a
 * warning.
 */
import { createHash } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead } from 'hyparquet'
import type { FileMetaData, SchemaElement } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import type { ColumnType } from '../contract/index.ts'
import { fileChunks } from './bytes.ts'
import type { Progress } from './csv/read.ts'
import { DataError, fsError } from './errors.ts'
import type { Column, Table } from './table.ts'

export const PARQUET_MAGIC = 'PAR1'
/** The most column memory one Parquet import allocates (8 bytes a cell). */
const MAX_TABLE_BYTES = 4 * 2 ** 30

export interface ParquetResult {
  table: Table
  hash: string
  sizeBytes: number
  /** The schema's type of each column, in table order (undefined for strings: category or text is inferred). */
  declared: Array<ColumnType | undefined>
  warnings: string[]
}

type Sink =
  | { kind: 'num'; values: Float64Array; name: string; boolean: boolean; time: boolean }
  | { kind: 'cat'; codes: Int32Array; dict: Map<string, number>; name: string }

/** A top-level leaf column's kind from its schema element: number, boolean, string, or null (not read). */
function kindOf(e: SchemaElement): 'num' | 'bool' | 'time' | 'str' {
  const logical = e.logical_type?.type
  const conv = e.converted_type
  if (e.type === 'BOOLEAN') return 'bool'
  if (logical === 'DATE' || logical === 'TIMESTAMP' || conv === 'DATE' || conv === 'TIMESTAMP_MILLIS' || conv === 'TIMESTAMP_MICROS' || e.type === 'INT96')
    return 'time'
  if (e.type === 'BYTE_ARRAY' || (e.type === 'FIXED_LEN_BYTE_ARRAY' && logical !== 'DECIMAL' && conv !== 'DECIMAL' && logical !== 'FLOAT16')) return 'str'
  return 'num'
}

function toNumber(v: unknown): number {
  if (v === null || v === undefined) return NaN
  if (typeof v === 'number') return v
  if (typeof v === 'bigint') return Number(v)
  if (typeof v === 'boolean') return v ? 1 : 0
  if (v instanceof Date) return v.getTime() / 1000
  return NaN
}

export async function readParquet(path: string, onProgress?: (p: Progress) => void): Promise<ParquetResult> {
  const file = basename(path)
  const size = (await stat(path).catch((e) => fsError(e, path))).size
  const bad = (e: unknown) => {
    if (e instanceof DataError) return e
    const msg = (e as Error)?.message ?? String(e)
    return new DataError(`"${file}" is not a readable Parquet file (${msg.replace(/^parquet /, '')}); it may be damaged or cut short.`)
  }
  let metadata: FileMetaData
  const buffer = await asyncBufferFromFile(path).catch((e) => fsError(e, path))
  try {
    metadata = await parquetMetadataAsync(buffer)
  } catch (e) {
    throw bad(e)
  }
  const rows = Number(metadata.num_rows)
  if (!Number.isSafeInteger(rows) || rows < 0) throw new DataError(`"${file}" has an unreadable row count in its footer.`)
  if (rows === 0) throw new DataError(`"${file}" has a schema but no rows.`)
  const grouped = metadata.row_groups.reduce((a, g) => a + Number(g.num_rows), 0)
  if (grouped !== rows)
    throw new DataError(
      `"${file}" is damaged: its footer promises ${rows.toLocaleString('en-US')} rows but its row groups hold ${grouped.toLocaleString('en-US')}.`
    )

  // top-level leaves only: schema[0] is the root; a child with children (or repeated) is nested
  const warnings: string[] = []
  const sinks: Sink[] = []
  const declared: Array<ColumnType | undefined> = []
  const nested: string[] = []
  const times: string[] = []
  const schema = metadata.schema
  // the elements a schema element spans: itself and, depth first, all its descendants
  const spanOf = (at: number, depth = 0): number => {
    if (depth > 64) throw new DataError(`"${file}" has a schema nested more than 64 levels deep; it is damaged or not a table.`)
    let n = 1
    for (let c = 0; c < (schema[at]?.num_children ?? 0); c++) n += spanOf(at + n, depth + 1)
    return n
  }
  for (let i = 1, top = 0; i < schema.length && top < (schema[0].num_children ?? 0); top++) {
    const e = schema[i]
    const span = spanOf(i)
    i += span
    if (span > 1 || e.repetition_type === 'REPEATED') {
      nested.push(e.name)
      continue
    }
    const k = kindOf(e)
    if (k === 'str') {
      sinks.push({ kind: 'cat', name: e.name, codes: new Int32Array(rows).fill(-1), dict: new Map() })
      declared.push(undefined)
    } else {
      sinks.push({ kind: 'num', name: e.name, values: new Float64Array(rows).fill(NaN), boolean: k === 'bool', time: k === 'time' })
      declared.push(k === 'bool' ? 'boolean' : 'numeric')
      if (k === 'time') times.push(e.name)
    }
  }
  if (nested.length)
    warnings.push(
      `Nested column${nested.length > 1 ? 's' : ''} ${nested.map((n) => `"${n}"`).join(', ')} (lists, structs or maps) ${nested.length > 1 ? 'were' : 'was'} not read.`
    )
  if (times.length) warnings.push(`Date and time columns (${times.map((n) => `"${n}"`).join(', ')}) are read as numbers: seconds since 1970-01-01 (UTC).`)
  if (sinks.length === 0) throw new DataError(`"${file}" has no flat columns to read (only nested lists, structs or maps).`)
  // columns are allocated up front from the footer's counts: refuse what memory cannot hold rather than crash
  const bytes = rows * sinks.length * 8
  if (bytes > MAX_TABLE_BYTES) {
    throw new DataError(
      `"${file}" has ${rows.toLocaleString('en-US')} rows × ${sinks.length} columns (${(bytes / 2 ** 30).toFixed(1)} GB as numbers), more than the ${MAX_TABLE_BYTES / 2 ** 30} GB one import holds. Select fewer rows or columns first.`
    )
  }
  const byName = new Map(sinks.map((s) => [s.name, s]))

  let done = 0
  let groupStart = 0
  for (const g of metadata.row_groups) {
    const groupRows = Number(g.num_rows)
    const groupEnd = Math.min(rows, groupStart + groupRows)
    try {
      await parquetRead({
        file: buffer,
        metadata,
        compressors,
        columns: sinks.map((s) => s.name),
        rowStart: groupStart,
        rowEnd: groupEnd,
        onChunk: ({ columnName, columnData, rowStart }) => {
          const s = byName.get(columnName)
          if (!s) return
          const from = Math.max(rowStart, groupStart)
          const to = Math.min(rowStart + columnData.length, groupEnd)
          if (s.kind === 'num') {
            for (let r = from; r < to; r++) s.values[r] = toNumber(columnData[r - rowStart])
          } else {
            for (let r = from; r < to; r++) {
              const v = columnData[r - rowStart] as unknown
              if (v === null || v === undefined) continue
              const text = typeof v === 'string' ? v : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : String(v)
              let code = s.dict.get(text)
              if (code === undefined) s.dict.set(text, (code = s.dict.size))
              s.codes[r] = code
            }
          }
        }
      })
    } catch (e) {
      throw bad(e)
    }
    done = groupEnd
    groupStart += groupRows
    onProgress?.({ bytesRead: Math.round((size * done) / rows), totalBytes: size, rows: done })
  }
  if (done < rows)
    throw new DataError(`"${file}" promises ${rows.toLocaleString('en-US')} rows in its footer but its row groups hold ${done.toLocaleString('en-US')}.`)

  // the content hash, from a second (sequential) pass over the raw bytes
  const hash = createHash('sha256')
  for await (const _ of fileChunks(path, { hash })) void _
  const columns: Column[] = sinks.map((s) =>
    s.kind === 'num' ? { kind: 'num', name: s.name, values: s.values } : { kind: 'cat', name: s.name, codes: s.codes, levels: [...s.dict.keys()] }
  )
  return { table: { rows, columns }, hash: hash.digest('hex'), sizeBytes: size, declared, warnings }
}
