/**
 * A streaming reader for tar archives (ustar, GNU long names and pax paths), enough for the CIFAR downloads
 * (cifar-10-binary.tar.gz): entries come one after the other and each body is read from the stream while it
 * passes, so a 160 MB archive never sits in memory. Written here rather than pulling a tar package into the
 * app: the format is 512-byte headers and padded bodies, and only reading is needed.
 */
import { DataError } from './errors.ts'
import type { ByteReader } from './bytes.ts'

const BLOCK = 512

export interface TarEntry {
  name: string
  size: number
  type: 'file' | 'dir' | 'other'
}

function text(b: Buffer, from: number, len: number): string {
  const s = b.subarray(from, from + len)
  const end = s.indexOf(0)
  return s.subarray(0, end < 0 ? s.length : end).toString('utf8')
}

function octal(b: Buffer, from: number, len: number): number {
  // GNU base-256 for sizes ≥ 8 GB: high bit set, big-endian value
  if (b[from] & 0x80) {
    let v = b[from] & 0x7f
    for (let i = 1; i < len; i++) v = v * 256 + b[from + i]
    return v
  }
  const s = text(b, from, len).trim()
  return s === '' ? 0 : parseInt(s, 8)
}

function checksumOk(h: Buffer): boolean {
  let sum = 0
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]
  return sum === octal(h, 148, 8)
}

/** Whether these bytes start like a tar archive (ustar magic, or an old-style header with a good checksum). */
export function looksLikeTar(head: Uint8Array): boolean {
  if (head.length < BLOCK) return false
  const h = Buffer.from(head.buffer, head.byteOffset, BLOCK)
  return h.toString('latin1', 257, 262) === 'ustar' || (h[0] !== 0 && checksumOk(h))
}

/**
 * The entries of the archive read by `r`. After each entry the caller may read up to `size` bytes of its body
 * from `r`; whatever it leaves is skipped when the next entry is asked for.
 */
export async function* tarEntries(r: ByteReader, archive: string): AsyncGenerator<TarEntry> {
  let longName: string | null = null
  const cut = (what: string) => new DataError(`"${archive}" ends in the middle of ${what}; the download may be incomplete.`)
  for (;;) {
    const h = await r.read(BLOCK)
    if (h.length === 0) return
    if (h.length < BLOCK) throw cut('a file header')
    if (h.every((v) => v === 0)) return
    if (!checksumOk(h)) throw new DataError(`"${archive}" is not a tar archive, or it is damaged (a file header near byte ${r.position - BLOCK} is wrong).`)
    const size = octal(h, 124, 12)
    const flag = String.fromCharCode(h[156] || 48)
    let name = text(h, 0, 100)
    if (h.toString('latin1', 257, 262) === 'ustar') {
      const prefix = text(h, 345, 155)
      if (prefix) name = `${prefix}/${name}`
    }
    const padded = Math.ceil(size / BLOCK) * BLOCK
    if (flag === 'L' || flag === 'x') {
      // GNU long name, or a pax header whose "path" record names the next entry
      const body = await r.read(padded)
      if (body.length < padded) throw cut('a file header')
      const s = body.subarray(0, size).toString('utf8')
      if (flag === 'L') longName = s.replace(/\0+$/, '')
      else {
        const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(s)
        if (m) longName = m[1]
      }
      continue
    }
    if (longName !== null) {
      name = longName
      longName = null
    }
    const start = r.position
    yield { name, size, type: flag === '0' || flag === '7' ? 'file' : flag === '5' ? 'dir' : 'other' }
    const used = r.position - start
    if (used > padded) throw new Error(`tar entry "${name}" was read past its end`)
    if ((await r.skip(padded - used)) < padded - used) throw cut(`"${name}"`)
  }
}
