/**
 * Streaming byte access for the binary and compressed formats (CIFAR, MAT, tar, gzipped text): a file read in
 * 1 MB chunks that hashes and counts the raw bytes as they pass, optionally gunzipped or inflated on the way, and a
 * reader that hands out exact byte counts from such a stream. Nothing holds a whole file unless the caller does.
 */
import type { Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { basename } from 'node:path'
import { Readable, pipeline } from 'node:stream'
import { createGunzip, createInflate } from 'node:zlib'
import { DataError, fsError } from './errors.ts'

const CHUNK = 1 << 20

/** The raw bytes of a file, hashed and counted as they are read. */
export async function* fileChunks(path: string, tap?: { hash?: Hash; onBytes?: (n: number) => void }): AsyncGenerator<Buffer> {
  const s = createReadStream(path, { highWaterMark: CHUNK })
  try {
    for await (const c of s as AsyncIterable<Buffer>) {
      tap?.hash?.update(c)
      tap?.onBytes?.(c.length)
      yield c
    }
  } catch (e) {
    fsError(e, path)
  } finally {
    s.destroy()
  }
}

/**
 * Decompresses a gzip (or, with `zlib`, a zlib) stream. A corrupt or cut stream becomes a DataError naming
 * `what` (a file name, or a variable inside one).
 */
export async function* inflated(src: AsyncIterable<Buffer>, what: string, kind: 'gzip' | 'zlib' = 'gzip'): AsyncGenerator<Buffer> {
  const z = kind === 'gzip' ? createGunzip({ chunkSize: 256 * 1024 }) : createInflate({ chunkSize: 256 * 1024 })
  const out = pipeline(Readable.from(src), z, () => {})
  try {
    for await (const c of out as AsyncIterable<Buffer>) yield c
  } catch (e) {
    if (e instanceof DataError) throw e
    const code = (e as NodeJS.ErrnoException).code
    if (code && code.startsWith('Z_')) {
      const cut = code === 'Z_BUF_ERROR' || /unexpected end/i.test((e as Error).message)
      throw new DataError(
        kind === 'gzip'
          ? `"${what}" is not a valid gzip file (${cut ? 'it ends too early' : (e as Error).message}); the download may be incomplete.`
          : `${what} is damaged: its compressed (zlib) data ${cut ? 'ends too early' : `cannot be read (${(e as Error).message})`}.`
      )
    }
    const inner = (e as { cause?: unknown }).cause
    if (inner instanceof DataError) throw inner
    throw e
  } finally {
    out.destroy()
  }
}

/** A file's bytes, gunzipped when it is gzipped, with the raw bytes hashed and counted. */
export function fileBytes(path: string, gzip: boolean, tap?: { hash?: Hash; onBytes?: (n: number) => void }): AsyncGenerator<Buffer> {
  const raw = fileChunks(path, tap)
  return gzip ? inflated(raw, basename(path)) : raw
}

/** Exact reads from a stream of chunks: `read(n)` waits for n bytes (fewer only at the end of the stream). */
export class ByteReader {
  private chunks: Buffer[] = []
  private have = 0
  private ended = false
  /** Bytes handed out or skipped so far. */
  position = 0
  private readonly it: AsyncIterator<Buffer>

  constructor(src: AsyncIterable<Buffer>) {
    this.it = src[Symbol.asyncIterator]()
  }

  private async fill(n: number): Promise<void> {
    while (this.have < n && !this.ended) {
      const r = await this.it.next()
      if (r.done) this.ended = true
      else if (r.value.length) {
        this.chunks.push(r.value)
        this.have += r.value.length
      }
    }
  }

  /** Up to n bytes taken from the buffered chunks (n ≤ this.have). */
  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0)
    const first = this.chunks[0]
    let out: Buffer
    if (first.length >= n) {
      out = first.subarray(0, n)
      if (first.length === n) this.chunks.shift()
      else this.chunks[0] = first.subarray(n)
    } else {
      out = Buffer.allocUnsafe(n)
      let o = 0
      while (o < n) {
        const c = this.chunks[0]
        const k = Math.min(c.length, n - o)
        c.copy(out, o, 0, k)
        o += k
        if (k === c.length) this.chunks.shift()
        else this.chunks[0] = c.subarray(k)
      }
    }
    this.have -= n
    this.position += n
    return out
  }

  /** n bytes, or fewer when the stream ends first (the caller says what was cut). */
  async read(n: number): Promise<Buffer> {
    await this.fill(n)
    return this.take(Math.min(n, this.have))
  }

  /** The next n bytes in pieces as they arrive (no copy of the whole); stops early at the end of the stream. */
  async *pieces(n: number): AsyncGenerator<Buffer> {
    let left = n
    while (left > 0) {
      if (this.have === 0) await this.fill(1)
      if (this.have === 0) return
      const k = Math.min(left, this.chunks[0].length)
      left -= k
      yield this.take(k)
    }
  }

  /** Skips n bytes; answers how many were there. */
  async skip(n: number): Promise<number> {
    let done = 0
    for await (const p of this.pieces(n)) done += p.length
    return done
  }

  /** True when no byte is left. */
  async atEnd(): Promise<boolean> {
    await this.fill(1)
    return this.have === 0
  }

  /** Reads the rest of the stream so the taps (hash, byte count) see every byte. */
  async drain(): Promise<void> {
    this.chunks = []
    this.have = 0
    for (let r = await this.it.next(); !r.done; r = await this.it.next()) this.position += r.value.length
    this.ended = true
  }
}
