/**
 * Streams a delimited text file into a columnar Table: one pass that hashes the raw bytes, decodes them
 * (encoding sniffed from the head), parses with csv-parse and appends each cell to a typed column. Nothing
 * holds the whole file as one string, so memory grows with the columns, not with the text.
 */
import { createHash } from 'node:crypto'
import { open, stat } from 'node:fs/promises'
import { gunzipSync } from 'node:zlib'
import { parse, CsvError } from 'csv-parse'
import { fileBytes } from '../bytes.ts'
import { DataError, fsError } from '../errors.ts'
import type { Table } from '../table.ts'
import { ColumnBuilder, type ColumnStats } from './columns.ts'
import { detectEncoding, looksBinary, type Encoding } from './encoding.ts'
import { looksLikeHeader, looksLikeProse, sampleRecords, sniffDelimiter } from './sniff.ts'

export interface Progress {
  bytesRead: number
  totalBytes: number
  rows: number
}

export interface CsvResult {
  table: Table
  stats: ColumnStats[]
  hash: string
  sizeBytes: number
  encoding: Encoding
  delimiter: string
  hasHeader: boolean
  warnings: string[]
}

const HEAD_BYTES = 64 * 1024
const PROGRESS_EVERY_MS = 100

export const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' }

/** Reads the first bytes of a file, turning filesystem problems into DataErrors. */
export async function readHead(path: string, bytes = HEAD_BYTES): Promise<{ head: Buffer; size: number }> {
  let fh
  try {
    fh = await open(path, 'r')
  } catch (e) {
    fsError(e, path)
  }
  try {
    const st = await fh.stat()
    if (st.isDirectory()) throw new DataError(`"${path}" is a folder, but a file was expected.`)
    const buf = Buffer.alloc(Math.min(bytes, st.size))
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0)
    return { head: buf.subarray(0, bytesRead), size: st.size }
  } catch (e) {
    fsError(e, path)
  } finally {
    await fh.close()
  }
}

/** The start of a gzip stream, decompressed as far as the bytes go (a cut stream is fine here); null if unreadable. */
export function peekGzip(head: Uint8Array, bytes = HEAD_BYTES): Buffer | null {
  try {
    return gunzipSync(head, { finishFlush: 2 /* Z_SYNC_FLUSH: tolerate a cut stream */ }).subarray(0, bytes)
  } catch {
    return null
  }
}

/** Reads a delimited text file; `gzip`: the file is gzipped (a .csv.gz), decompressed as it streams. */
export async function readCsv(path: string, onProgress?: (p: Progress) => void, gzip = false): Promise<CsvResult> {
  const raw = await readHead(path)
  const size = raw.size
  if (size === 0) throw new DataError(`The file "${baseName(path)}" is empty.`)
  const head = gzip ? peekGzip(raw.head) : raw.head
  if (!head) throw new DataError(`"${baseName(path)}" is not a valid gzip file; the download may be incomplete.`)
  const guess = detectEncoding(head, !gzip && head.length === size)
  if (looksBinary(head, guess.encoding)) {
    const kind = knownBinary(head)
    if (kind) throw new DataError(`"${baseName(path)}" is ${kind}, not CSV text. ${BINARY_ADVICE[kind]}`)
    throw new DataError(`"${baseName(path)}" looks like a binary file, not CSV text. Export it as CSV (comma- or semicolon-separated) and import that.`)
  }
  try {
    return await readWith(path, size, guess.encoding, guess.bomLength, head, gzip, onProgress)
  } catch (e) {
    // Valid UTF-8 at the start but not later on: re-read the whole file as Latin-1.
    if (e instanceof Utf8Failure) {
      const r = await readWith(path, size, 'latin1', 0, head, gzip, onProgress)
      r.warnings.push(`The file is not valid UTF-8 (first bad byte near byte ${e.at}); it was read as Latin-1.`)
      return r
    }
    throw e
  }
}

const BINARY_ADVICE: Record<string, string> = {
  'an Excel or other ZIP file': 'Open it in a spreadsheet and save it as CSV, then import the CSV.',
  'an image': 'To import images, drop a folder with one sub-folder of images per class.',
  'a PDF document': 'Export the table as CSV instead.',
  'a Parquet file': 'Convert it to CSV (e.g. with pandas: pd.read_parquet(f).to_csv(...)), then import the CSV.'
}

/** Names common binary formats by their magic bytes, to say what to do instead. */
function knownBinary(h: Uint8Array): string | null {
  const starts = (...b: number[]) => b.every((v, i) => h[i] === v)
  if (starts(0x50, 0x4b, 0x03, 0x04) || starts(0xd0, 0xcf, 0x11, 0xe0)) return 'an Excel or other ZIP file'
  if (starts(0x89, 0x50, 0x4e, 0x47) || starts(0xff, 0xd8, 0xff) || starts(0x47, 0x49, 0x46, 0x38)) return 'an image'
  if (starts(0x25, 0x50, 0x44, 0x46)) return 'a PDF document'
  if (starts(0x50, 0x41, 0x52, 0x31)) return 'a Parquet file'
  return null
}

class Utf8Failure extends Error {
  constructor(readonly at: number) {
    super('invalid utf-8')
  }
}

async function readWith(
  path: string,
  size: number,
  encoding: Encoding,
  bomLength: number,
  head: Buffer,
  gzip: boolean,
  onProgress?: (p: Progress) => void
): Promise<CsvResult> {
  const headText = new TextDecoder(encoding === 'latin1' ? 'latin1' : encoding).decode(head.subarray(bomLength))
  if (headText.trim() === '') throw new DataError(`The file "${baseName(path)}" is empty (only blank lines).`)
  // Excel writes "sep=;" as a first line to declare the delimiter
  const sepLine = /^sep=(.)\r?\n/i.exec(headText)
  const body = sepLine ? headText.slice(sepLine[0].length) : headText
  const delimiter = sepLine ? sepLine[1] : sniffDelimiter(body)
  const sample = sampleRecords(body, delimiter)
  const fileName = baseName(path)
  if (!sepLine && looksLikeProse(sample)) {
    const names = Object.values(DELIMITER_NAMES)
    throw new DataError(
      `"${fileName}" does not look like a table: its first ${sample.length} lines do not split into the same number of fields with any delimiter (${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}). A CSV file has one row per line and the same columns on every line; is this the file you meant?`
    )
  }
  const hasHeader = looksLikeHeader(sample)
  const warnings: string[] = []

  let builders: ColumnBuilder[] | null = null
  let rows = 0
  let parseError: unknown = null

  const start = (first: string[]): void => {
    const names = first.map((raw, j) => {
      const n = hasHeader ? raw.trim() : ''
      return n === '' ? `column_${j + 1}` : n
    })
    if (hasHeader) {
      const unnamed = first.map((r, j) => (r.trim() === '' ? j + 1 : 0)).filter((j) => j > 0)
      if (unnamed.length) warnings.push(`Header cells ${unnamed.join(', ')} are empty; named column_<n>.`)
      const seen = new Map<string, number>()
      const dups: string[] = []
      names.forEach((n) => {
        const c = (seen.get(n) ?? 0) + 1
        seen.set(n, c)
        if (c === 2) dups.push(n)
      })
      if (dups.length) {
        throw new DataError(
          `The header row (line 1) has duplicate column names: ${dups.map((d) => `"${d}"`).join(', ')}. Rename them so every column has a unique name.`,
          { line: 1, details: dups }
        )
      }
    }
    // in ;-separated files the comma is the decimal separator ("3,14")
    builders = names.map((n) => new ColumnBuilder(n, delimiter === ';'))
  }

  const parser = parse({
    delimiter,
    relax_quotes: true,
    skip_empty_lines: true,
    from_line: sepLine ? 2 : 1,
    // a "line" of many megabytes is not a CSV row (binary data or a wrong delimiter)
    max_record_size: 16 * 1024 * 1024,
    // all work happens here; returning null means no record object is queued in the stream
    on_record: (record: string[], ctx: { lines: number }) => {
      if (!builders) {
        start(record)
        if (hasHeader) return null
      }
      const b = builders!
      for (let j = 0; j < b.length; j++) b[j].push(record[j], ctx.lines)
      rows++
      return null
    }
  })
  parser.on('data', () => {})

  const hash = createHash('sha256')
  let bytesRead = 0
  let lastProgress = 0
  const decoder = new TextDecoder(encoding === 'latin1' ? 'latin1' : encoding, { fatal: encoding === 'utf-8' })
  let decoded = 0
  // raw bytes are hashed and counted as they are read; a .gz is decompressed on the way
  const stream = fileBytes(path, gzip, { hash, onBytes: (k) => (bytesRead += k) })
  const done = new Promise<void>((resolve, reject) => {
    parser.on('end', resolve)
    parser.on('error', (e) => {
      parseError = e
      reject(e)
    })
  })
  done.catch(() => {}) // observed below; avoid an unhandled rejection while we are still writing

  try {
    let first = true
    for await (const chunk of stream) {
      const offset = decoded
      decoded += chunk.length
      let bytes: Buffer = chunk
      if (first && bomLength) bytes = chunk.subarray(bomLength)
      first = false
      let text: string
      try {
        text = decoder.decode(bytes, { stream: true })
      } catch {
        throw new Utf8Failure(offset)
      }
      if (!parser.write(text)) await Promise.race([new Promise<void>((r) => parser.once('drain', r)), done])
      if (parseError) break
      const now = Date.now()
      if (onProgress && now - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = now
        onProgress({ bytesRead, totalBytes: size, rows })
      }
    }
    let tail: string
    try {
      tail = decoder.decode()
    } catch {
      throw new Utf8Failure(decoded)
    }
    if (parseError) throw parseError
    if (tail) parser.write(tail)
    parser.end()
    await done
  } catch (e) {
    await stream.return(undefined).catch(() => undefined)
    parser.destroy()
    if (e instanceof Utf8Failure || e instanceof DataError) throw e
    if (e instanceof CsvError) throw csvError(e, fileName, delimiter)
    const inner = (e as { cause?: unknown }).cause
    if (inner instanceof DataError) throw inner
    fsError(e, path)
  }

  // The file must still be there, with the size we started from.
  let now
  try {
    now = await stat(path)
  } catch {
    throw new DataError(`"${fileName}" disappeared while it was being imported. Import it again once it is in place.`)
  }
  if (bytesRead !== size || now.size !== size) {
    throw new DataError(
      `"${fileName}" changed while it was being imported (expected ${size} bytes, read ${bytesRead}; now ${now.size}). Wait until the file is fully written, then import it again.`
    )
  }
  onProgress?.({ bytesRead, totalBytes: size, rows })

  if (!builders) throw new DataError(`The file "${fileName}" is empty (only blank lines).`)
  const bs = builders as ColumnBuilder[]
  if (rows === 0) {
    // A single line is no recognisable table (it may be a key or a password line): never quote it back.
    throw new DataError(`"${fileName}" has a header row (${bs.length} column${bs.length === 1 ? '' : 's'}) but no data rows.`)
  }
  const columns = bs.map((b) => b.finish())
  if (encoding !== 'utf-8')
    warnings.push(`Text encoding detected: ${encoding === 'latin1' ? 'Latin-1 (the file is not valid UTF-8)' : encoding.toUpperCase()}.`)
  if (!hasHeader) warnings.push(`The first row looks like data, not a header: columns were named column_1…column_${columns.length}.`)
  return {
    table: { rows, columns },
    stats: bs.map((b) => b.stats),
    hash: hash.digest('hex'),
    sizeBytes: size,
    encoding,
    delimiter,
    hasHeader,
    warnings
  }
}

function csvError(e: CsvError, file: string, delimiter: string): DataError {
  const info = e as CsvError & { lines?: number; record?: string[] }
  const line = info.lines
  const d = DELIMITER_NAMES[delimiter] ?? JSON.stringify(delimiter)
  switch (e.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH': {
      const m = /expect (\d+), got (\d+)/.exec(e.message)
      const want = m ? m[1] : '?'
      const got = m ? m[2] : String(info.record?.length ?? '?')
      return new DataError(
        `Line ${line} of "${file}" has ${got} fields but the first row has ${want} (${d}-separated). Check that line for a missing or extra ${d} or an unquoted ${d} inside a value.`,
        { line }
      )
    }
    case 'CSV_QUOTE_NOT_CLOSED':
      return new DataError(`"${file}" ends inside a quoted value: a quote (") opened before line ${line} is never closed.`, { line })
    case 'CSV_INVALID_CLOSING_QUOTE':
      return new DataError(`Line ${line} of "${file}" has a quote (") in the middle of a quoted value; double it ("") or remove it.`, { line })
    case 'CSV_MAX_RECORD_SIZE':
      return new DataError(`Line ${line} of "${file}" is far too long for a CSV row; is it really a CSV file?`, { line })
    default:
      // csv-parse's own messages quote the offending value: the code says enough without the file's content.
      return new DataError(`"${file}" could not be read as CSV near line ${line ?? '?'} (${e.code}).`, { line })
  }
}

export function baseName(p: string): string {
  const parts = p.split(/[\\/]/)
  return parts[parts.length - 1] || p
}
