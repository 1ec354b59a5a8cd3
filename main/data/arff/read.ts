/**
 * Streams an ARFF file (plain or gzipped) into a columnar Table with the declared types kept: numeric, integer,
 * real and date attributes become numbers (dates as seconds since 1970, UTC), nominal attributes categories with
 * their declared values in declared order, string attributes text. Dense and sparse (`{index value, …}`) rows;
 * in sparse rows an omitted value is 0 — the first declared value of a nominal attribute, as in Weka — and an
 * omitted string is missing. Memory grows with the columns (typed arrays), never with the text.
 */
import { createHash } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import type { ColumnType } from '../../contract/index.ts'
import { fileBytes } from '../bytes.ts'
import type { Progress } from '../csv/read.ts'
import { DataError } from '../errors.ts'
import type { Column, Table } from '../table.ts'
import { parseAttribute, sparseEntries, tokens, type Attribute, type Token } from './header.ts'

export interface ArffResult {
  table: Table
  hash: string
  sizeBytes: number
  relation: string
  /** The declared type of each column, in table order. */
  declared: ColumnType[]
  /** The last nominal attribute (OpenML's default target), or undefined when there is none. */
  defaultTarget?: string
  warnings: string[]
}

/** Whether text (the start of a file, comments and blank lines skipped) opens an ARFF header. */
export function looksLikeArff(text: string): boolean {
  for (const line of text.split(/\r?\n/, 200)) {
    const t = line.trim()
    if (t === '' || t.startsWith('%')) continue
    return /^@relation\b/i.test(t)
  }
  return false
}

/** A column growing while rows stream in. */
class Builder {
  n = 0
  nums: Float64Array | null
  codes: Int32Array | null
  private dict: Map<string, number> | null

  constructor(readonly attr: Attribute) {
    const numeric = attr.kind === 'numeric' || attr.kind === 'date'
    this.nums = numeric ? new Float64Array(1024) : null
    this.codes = numeric ? null : new Int32Array(1024)
    this.dict = attr.kind === 'nominal' ? new Map(attr.values.map((v, i) => [v, i])) : attr.kind === 'string' ? new Map() : null
  }

  /** Room for row `row` (rows arrive in order; a sparse row fills every column). */
  private grow(): void {
    if (this.nums && this.n === this.nums.length) {
      const next = new Float64Array(this.nums.length * 2)
      next.set(this.nums)
      this.nums = next
    }
    if (this.codes && this.n === this.codes.length) {
      const next = new Int32Array(this.codes.length * 2)
      next.set(this.codes)
      this.codes = next
    }
  }

  /** Appends one value; answers an error message (without the line) when it does not fit the declared type. */
  push(t: Token | null): string | null {
    this.grow()
    const a = this.attr
    const missing = t === null || (!t.quoted && t.text === '?')
    if (this.nums) {
      if (missing) this.nums[this.n++] = NaN
      else {
        const v = a.kind === 'date' ? a.parse(t.text) : Number(t.text)
        if (t.text === '' || !Number.isFinite(v)) {
          this.nums[this.n++] = NaN
          return a.kind === 'date'
            ? `the value "${clip(t.text)}" of the date attribute "${a.name}" does not match its format "${a.format}"`
            : `the value "${clip(t.text)}" of the numeric attribute "${a.name}" is not a number`
        }
        this.nums[this.n++] = v
      }
      return null
    }
    if (missing) {
      this.codes![this.n++] = -1
      return null
    }
    let code = this.dict!.get(t.text)
    if (code === undefined) {
      if (a.kind === 'nominal') {
        this.codes![this.n++] = -1
        const vals = a.values.slice(0, 8).map((v) => `"${v}"`)
        return `"${clip(t.text)}" is not a declared value of the nominal attribute "${a.name}" (declared: ${vals.join(', ')}${a.values.length > 8 ? ', …' : ''})`
      }
      code = this.dict!.size
      this.dict!.set(t.text, code)
    }
    this.codes![this.n++] = code
    return null
  }

  /** A value a sparse row leaves out: 0, the first declared value of a nominal attribute, missing for a string. */
  pushZero(): void {
    this.grow()
    if (this.nums) this.nums[this.n++] = 0
    else this.codes![this.n++] = this.attr.kind === 'nominal' ? 0 : -1
  }

  finish(): Column {
    const a = this.attr
    if (this.nums) return { kind: 'num', name: a.name, values: this.nums.slice(0, this.n) }
    const levels = a.kind === 'nominal' ? a.values : [...this.dict!.keys()]
    return { kind: 'cat', name: a.name, codes: this.codes!.slice(0, this.n), levels, ...(a.kind === 'nominal' ? { ordered: true } : {}) }
  }
}

const clip = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s)

/** The lines of a text stream (UTF-8), numbered from 1. */
async function* lines(src: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const dec = new TextDecoder('utf-8')
  let carry = ''
  for await (const chunk of src) {
    const text = carry + dec.decode(chunk, { stream: true })
    let start = 0
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      yield text.slice(start, nl)
      start = nl + 1
    }
    carry = text.slice(start)
  }
  carry += dec.decode()
  if (carry !== '') yield carry
}

export async function readArff(path: string, gzip: boolean, onProgress?: (p: Progress) => void): Promise<ArffResult> {
  const file = basename(path)
  const size = (await stat(path)).size
  const hash = createHash('sha256')
  let bytesRead = 0
  let lastProgress = 0
  const attrs: Attribute[] = []
  let relation: string | null = null
  let builders: Builder[] | null = null
  let rows = 0
  let lineNo = 0
  const at = () => `Line ${lineNo} of "${file}"`
  const fail = (msg: string) => new DataError(`${at()}: ${msg}.`, { line: lineNo })

  for await (const raw of lines(fileBytes(path, gzip, { hash, onBytes: (k) => (bytesRead += k) }))) {
    lineNo++
    const line = raw.trim()
    if (line === '' || line.startsWith('%')) continue
    if (!builders) {
      const kw = /^@(\w+)\s*(.*)$/.exec(line)
      if (!kw) {
        if (!relation)
          throw new DataError(`"${file}" is not an ARFF file: it must start with "@relation" (after % comments), but line ${lineNo} is not a declaration.`, {
            line: lineNo
          })
        throw fail('expected "@attribute" or "@data"')
      }
      const word = kw[1].toLowerCase()
      if (word === 'relation') relation = kw[2].replace(/^['"]|['"]$/g, '')
      else if (word === 'attribute') {
        if (!relation) throw fail('"@attribute" comes before "@relation"')
        const a = parseAttribute(kw[2], at())
        if (attrs.some((b) => b.name === a.name)) throw fail(`the attribute "${a.name}" is declared twice`)
        attrs.push(a)
      } else if (word === 'data') {
        if (attrs.length === 0) throw fail('"@data" comes before any "@attribute"')
        builders = attrs.map((a) => new Builder(a))
        const rest = kw[2].trim()
        if (rest !== '') throw fail('data rows start on the line after "@data"')
      } else if (word === 'end') {
        throw fail('relational attributes ("@end") are not supported')
      } else throw fail(`"@${kw[1]}" is not an ARFF declaration`)
      continue
    }
    let body = line
    // a trailing instance weight "{w}" after the values is dropped
    if (!body.startsWith('{')) body = body.replace(/,\s*\{[^}]*\}\s*$/, '')
    let problem: string | null = null
    try {
      if (body.startsWith('{')) {
        if (!body.endsWith('}')) throw fail('a sparse row must end with "}"')
        const entries = sparseEntries(body.slice(1, -1))
        const given = new Map<number, Token>()
        for (const e of entries) {
          if (e.index >= attrs.length) throw fail(`the sparse index ${e.index} is past the last attribute (${attrs.length - 1})`)
          given.set(e.index, e.value)
        }
        builders.forEach((b, j) => {
          const t = given.get(j)
          if (t) problem ??= b.push(t)
          else b.pushZero()
        })
      } else {
        const vals = tokens(body)
        if (vals.length !== attrs.length) throw fail(`${vals.length} value${vals.length === 1 ? '' : 's'} where ${attrs.length} attributes are declared`)
        builders.forEach((b, j) => (problem ??= b.push(vals[j])))
      }
    } catch (e) {
      if (e instanceof SyntaxError) throw fail(e.message)
      throw e
    }
    if (problem) throw fail(problem)
    rows++
    const now = Date.now()
    if (onProgress && now - lastProgress >= 100) {
      lastProgress = now
      onProgress({ bytesRead, totalBytes: size, rows })
    }
  }
  if (!relation) throw new DataError(`"${file}" is not an ARFF file: it has no "@relation" declaration.`)
  if (!builders) throw new DataError(`"${file}" has no "@data" section: the header ends without data.`)
  if (rows === 0) throw new DataError(`"${file}" declares ${attrs.length} attributes but has no data rows.`)
  if (bytesRead !== size)
    throw new DataError(`"${file}" changed while it was being imported (expected ${size} bytes, read ${bytesRead}). Import it again once it is complete.`)
  onProgress?.({ bytesRead, totalBytes: size, rows })
  const declared: ColumnType[] = attrs.map((a) => (a.kind === 'nominal' ? 'categorical' : a.kind === 'string' ? 'text' : 'numeric'))
  const nominal = attrs.filter((a) => a.kind === 'nominal')
  const warnings: string[] = []
  const dates = attrs.filter((a) => a.kind === 'date')
  if (dates.length) warnings.push(`Date attributes (${dates.map((d) => `"${d.name}"`).join(', ')}) are read as numbers: seconds since 1970-01-01 (UTC).`)
  return {
    table: { rows, columns: builders.map((b) => b.finish()) },
    hash: hash.digest('hex'),
    sizeBytes: size,
    relation,
    declared,
    defaultTarget: nominal.length ? nominal[nominal.length - 1].name : undefined,
    warnings
  }
}
