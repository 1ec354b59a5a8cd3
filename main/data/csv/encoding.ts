/**
 * Encoding detection from the first bytes of a file: BOMs decide UTF-8/UTF-16, otherwise the sample must be
 * valid UTF-8 or we fall back to Latin-1 (which can decode any byte). Also spots binary files, which would
 * otherwise parse into garbage columns.
 */
export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'latin1'

export interface EncodingGuess {
  encoding: Encoding
  /** Bytes of BOM to skip. */
  bomLength: number
}

export function detectEncoding(head: Uint8Array, isWholeFile: boolean): EncodingGuess {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 }
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 }
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 }
  // UTF-16 without BOM: every other byte is NUL in mostly-ASCII text
  const sixteen = guessUtf16WithoutBom(head)
  if (sixteen) return { encoding: sixteen, bomLength: 0 }
  return { encoding: isValidUtf8(head, !isWholeFile) ? 'utf-8' : 'latin1', bomLength: 0 }
}

function guessUtf16WithoutBom(b: Uint8Array): Encoding | null {
  const n = Math.min(b.length, 4096) & ~1
  if (n < 8) return null
  let evenZero = 0
  let oddZero = 0
  for (let i = 0; i < n; i += 2) {
    if (b[i] === 0) evenZero++
    if (b[i + 1] === 0) oddZero++
  }
  const half = n / 2
  if (oddZero > half * 0.9 && evenZero === 0) return 'utf-16le'
  if (evenZero > half * 0.9 && oddZero === 0) return 'utf-16be'
  return null
}

/** Strict UTF-8 check; `allowTruncatedEnd` forgives a sequence cut by the end of a sample. */
export function isValidUtf8(b: Uint8Array, allowTruncatedEnd: boolean): boolean {
  let i = 0
  const n = b.length
  while (i < n) {
    const c = b[i]
    if (c < 0x80) {
      i++
      continue
    }
    let need: number
    if (c >= 0xc2 && c <= 0xdf) need = 1
    else if (c >= 0xe0 && c <= 0xef) need = 2
    else if (c >= 0xf0 && c <= 0xf4) need = 3
    else return false
    if (i + need > n - 1) return allowTruncatedEnd
    for (let k = 1; k <= need; k++) if ((b[i + k] & 0xc0) !== 0x80) return false
    i += need + 1
  }
  return true
}

/**
 * Binary files (images, archives, spreadsheets) have NUL bytes or many control characters; text in a
 * single-byte or UTF-8 encoding has neither.
 */
export function looksBinary(head: Uint8Array, enc: Encoding): boolean {
  if (enc === 'utf-16le' || enc === 'utf-16be') return false
  const n = Math.min(head.length, 65536)
  let control = 0
  for (let i = 0; i < n; i++) {
    const c = head[i]
    if (c === 0) return true
    if (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) control++
  }
  return n > 0 && control / n > 0.05
}
