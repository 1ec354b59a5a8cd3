/**
 * ARFF's header and value syntax (Weka's Attribute-Relation File Format, as OpenML serves it): `@relation`,
 * `@attribute name type` with numeric/real/integer, nominal `{a, 'b c'}`, string and date types, then `@data`.
 * Values are comma-separated, quoted with ' or " (backslash escapes), `?` is missing; `%` starts a comment line.
 */
import { DataError } from '../errors.ts'

export type Attribute =
  | { name: string; kind: 'numeric' }
  | { name: string; kind: 'nominal'; values: string[] }
  | { name: string; kind: 'string' }
  | { name: string; kind: 'date'; format: string; parse: (s: string) => number }

export interface Token {
  text: string
  /** A quoted '?' is the text "?", a bare ? is missing. */
  quoted: boolean
}

/** Reads one value at s[i…] (quoted with ' or " and backslash escapes, or bare up to `stop`); answers it and the next index. */
function value(s: string, i: number, stop: (c: string) => boolean): [Token, number] {
  const n = s.length
  while (i < n && (s[i] === ' ' || s[i] === '\t')) i++
  const q = s[i]
  if (q !== "'" && q !== '"') {
    const start = i
    while (i < n && !stop(s[i])) i++
    return [{ text: s.slice(start, i).trim(), quoted: false }, i]
  }
  let text = ''
  for (i++; i < n; i++) {
    const c = s[i]
    if (c === q) {
      i++
      while (i < n && (s[i] === ' ' || s[i] === '\t')) i++
      return [{ text, quoted: true }, i]
    }
    if (c === '\\' && i + 1 < n) {
      const e = s[++i]
      text += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e
    } else text += c
  }
  throw new SyntaxError(`a quote (${q}) is never closed`)
}

/** The comma-separated values of a dense data row or of a nominal declaration. */
export function tokens(s: string): Token[] {
  const out: Token[] = []
  let i = 0
  for (;;) {
    const [t, next] = value(s, i, (c) => c === ',')
    out.push(t)
    if (next >= s.length) return out
    if (s[next] !== ',') throw new SyntaxError(`unexpected text after a quoted value near "${s.slice(next, next + 20)}"`)
    i = next + 1
  }
}

/** The `index value` entries of a sparse row's braces (without the braces). */
export function sparseEntries(s: string): Array<{ index: number; value: Token }> {
  const out: Array<{ index: number; value: Token }> = []
  let i = 0
  if (s.trim() === '') return out
  for (;;) {
    const m = /^\s*(\d+)\s+/.exec(s.slice(i, i + 32))
    if (!m) throw new SyntaxError(`a sparse entry must be "index value", near "${s.slice(i, i + 20).trim()}"`)
    const [t, next] = value(s, i + m[0].length, (c) => c === ',')
    out.push({ index: Number(m[1]), value: t })
    if (next >= s.length) return out
    if (s[next] !== ',') throw new SyntaxError(`unexpected text after a quoted value near "${s.slice(next, next + 20)}"`)
    i = next + 1
  }
}

/** Java SimpleDateFormat letters this reader understands, as regex groups. */
const DATE_PARTS: Record<string, { re: string; key: 'y' | 'M' | 'd' | 'H' | 'm' | 's' | 'S' }> = {
  y: { re: '(\\d{1,4})', key: 'y' },
  M: { re: '(\\d{1,2})', key: 'M' },
  d: { re: '(\\d{1,2})', key: 'd' },
  H: { re: '(\\d{1,2})', key: 'H' },
  m: { re: '(\\d{1,2})', key: 'm' },
  s: { re: '(\\d{1,2})', key: 's' },
  S: { re: '(\\d{1,3})', key: 'S' }
}

/** A parser from a Java date pattern (Weka's default "yyyy-MM-dd'T'HH:mm:ss") to seconds since 1970 (UTC). */
export function dateParser(format: string): (s: string) => number {
  let re = '^'
  const keys: Array<keyof typeof DATE_PARTS | string> = []
  for (let i = 0; i < format.length;) {
    const c = format[i]
    if (c === "'") {
      const end = format.indexOf("'", i + 1)
      if (end < 0) throw new SyntaxError(`the date format "${format}" has an unclosed quote`)
      re += (end === i + 1 ? "'" : format.slice(i + 1, end)).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      i = end + 1
    } else if (/[a-zA-Z]/.test(c)) {
      let j = i
      while (format[j] === c) j++
      const part = DATE_PARTS[c]
      if (!part) throw new SyntaxError(`the date format "${format}" uses the pattern letter "${c}", which is not supported (use y, M, d, H, m, s, S)`)
      re += part.re
      keys.push(part.key)
      i = j
    } else {
      re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      i++
    }
  }
  const rx = new RegExp(re + '$')
  return (s: string) => {
    const m = rx.exec(s.trim())
    if (!m) return NaN
    const v: Record<string, number> = { y: 1970, M: 1, d: 1, H: 0, m: 0, s: 0, S: 0 }
    keys.forEach((k, i) => (v[k] = Number(m[i + 1])))
    const t = Date.UTC(v.y, v.M - 1, v.d, v.H, v.m, v.s, v.S)
    return t / 1000
  }
}

/** Parses one `@attribute` line (without the keyword) into an attribute; `where` names the line for errors. */
export function parseAttribute(rest: string, where: string): Attribute {
  const s = rest.trim()
  let name: string
  let type: string
  const q = s[0]
  if (q === "'" || q === '"') {
    let i = 1
    name = ''
    while (i < s.length && s[i] !== q) {
      if (s[i] === '\\' && i + 1 < s.length) i++
      name += s[i++]
    }
    if (i >= s.length) throw new DataError(`${where}: the attribute name's quote (${q}) is never closed.`)
    type = s.slice(i + 1).trim()
  } else {
    const m = /^(\S+?)(?=[\s{])\s*(.*)$/.exec(s)
    if (!m) throw new DataError(`${where}: "@attribute" needs a name and a type.`)
    name = m[1]
    type = m[2].trim()
  }
  if (type === '') throw new DataError(`${where}: the attribute "${name}" has no type.`)
  if (type.startsWith('{')) {
    if (!type.endsWith('}')) throw new DataError(`${where}: the values of the nominal attribute "${name}" are not closed by "}".`)
    let values: string[]
    try {
      values = tokens(type.slice(1, -1)).map((t) => t.text)
    } catch (e) {
      throw new DataError(`${where}: the values of the nominal attribute "${name}" cannot be read (${(e as Error).message}).`)
    }
    values = values.filter((v, i) => v !== '' || i < values.length - 1)
    if (values.length === 0) throw new DataError(`${where}: the nominal attribute "${name}" declares no values.`)
    const dup = values.find((v, i) => values.indexOf(v) !== i)
    if (dup !== undefined) throw new DataError(`${where}: the nominal attribute "${name}" declares the value "${dup}" twice.`)
    return { name, kind: 'nominal', values }
  }
  const [word, ...more] = type.split(/\s+/)
  switch (word.toLowerCase()) {
    case 'numeric':
    case 'real':
    case 'integer':
      return { name, kind: 'numeric' }
    case 'string':
      return { name, kind: 'string' }
    case 'date': {
      let format = more.join(' ').trim()
      if ((format.startsWith('"') && format.endsWith('"')) || (format.startsWith("'") && format.endsWith("'"))) format = format.slice(1, -1)
      format ||= "yyyy-MM-dd'T'HH:mm:ss"
      try {
        return { name, kind: 'date', format, parse: dateParser(format) }
      } catch (e) {
        throw new DataError(`${where}: ${(e as Error).message}.`)
      }
    }
    case 'relational':
      throw new DataError(`${where}: the attribute "${name}" is relational (multi-instance data), which is not supported.`)
    default:
      throw new DataError(
        `${where}: the attribute "${name}" has the unknown type "${word}" (ARFF types: numeric, real, integer, {nominal values}, string, date).`
      )
  }
}
