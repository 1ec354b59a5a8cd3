/**
 * Task checkpoints on disk: one file per task in the folder the services give it (services/layout.ts says where),
 * replaced atomically (lib/atomic: temp name, fsync, rename, fsync of the folder), so a crash at any moment leaves
 * the previous checkpoint or the new one, never a mix.
 *
 * File: "IUCK1\n", the JSON header's byte length (uint32 LE), the JSON header, zero padding to 8 bytes, then the
 * raw bytes of every typed array. In the header a typed array is {"$ta": kind, "o": offset, "n": length}, a Map
 * is {"$map": [[key, value], …]} and a non-finite number is {"$num": "Infinity"} — so any value of plain objects,
 * arrays, numbers (bit-exact: JSON writes doubles round-trip), strings, Maps and typed arrays survives.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { TaskCheckpoint } from '../engine/types.ts'
import { writeFileAtomic } from '../lib/atomic.ts'

const MAGIC = Buffer.from('IUCK1\n')
export const CHECKPOINT_FILE = 'state.ckpt'

type TypedKind = 'f32' | 'f64' | 'i32' | 'u8'
const CTORS = { f32: Float32Array, f64: Float64Array, i32: Int32Array, u8: Uint8Array } as const

function kindOf(v: unknown): TypedKind | null {
  if (v instanceof Float32Array) return 'f32'
  if (v instanceof Float64Array) return 'f64'
  if (v instanceof Int32Array) return 'i32'
  if (v instanceof Uint8Array) return 'u8'
  return null
}

export function encodeCheckpoint(value: unknown): Buffer {
  const chunks: Buffer[] = []
  let offset = 0
  const walk = (v: unknown): unknown => {
    if (typeof v === 'number') return Number.isFinite(v) ? v : { $num: String(v) }
    if (v === null || typeof v !== 'object') return v
    const kind = kindOf(v)
    if (kind) {
      const a = v as Float32Array
      const bytes = Buffer.from(a.buffer, a.byteOffset, a.byteLength)
      const pad = (8 - (offset % 8)) % 8
      if (pad) chunks.push(Buffer.alloc(pad))
      offset += pad
      const ref = { $ta: kind, o: offset, n: a.length }
      chunks.push(Buffer.from(bytes))
      offset += bytes.length
      return ref
    }
    if (v instanceof Map) return { $map: [...v.entries()].map(([k, x]) => [walk(k), walk(x)]) }
    if (Array.isArray(v)) return v.map(walk)
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = walk(x)
    return out
  }
  const header = Buffer.from(JSON.stringify(walk(value)), 'utf8')
  const len = Buffer.alloc(4)
  len.writeUInt32LE(header.length)
  const headPad = Buffer.alloc((8 - ((MAGIC.length + 4 + header.length) % 8)) % 8)
  return Buffer.concat([MAGIC, len, header, headPad, ...chunks])
}

export function decodeCheckpoint(buf: Buffer): unknown {
  if (buf.length < MAGIC.length + 4 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not a checkpoint file')
  const n = buf.readUInt32LE(MAGIC.length)
  const headerEnd = MAGIC.length + 4 + n
  if (headerEnd > buf.length) throw new Error('truncated checkpoint header')
  const header = JSON.parse(buf.subarray(MAGIC.length + 4, headerEnd).toString('utf8')) as unknown
  const base = headerEnd + ((8 - (headerEnd % 8)) % 8)
  const walk = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v
    if (Array.isArray(v)) return v.map(walk)
    const o = v as Record<string, unknown>
    if ('$num' in o) return Number(o.$num)
    if ('$map' in o) return new Map((o.$map as [unknown, unknown][]).map(([k, x]) => [walk(k), walk(x)]))
    if ('$ta' in o) {
      const Ctor = CTORS[o.$ta as TypedKind]
      if (!Ctor) throw new Error(`unknown array kind in checkpoint: ${String(o.$ta)}`)
      const start = base + (o.o as number)
      const bytes = (o.n as number) * Ctor.BYTES_PER_ELEMENT
      if (start + bytes > buf.length) throw new Error('truncated checkpoint data')
      // A copy: aligned, and independent of the file buffer.
      const out = new Ctor(o.n as number)
      new Uint8Array(out.buffer).set(buf.subarray(start, start + bytes))
      return out
    }
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(o)) out[k] = walk(x)
    return out
  }
  return walk(header)
}

export function saveTaskCheckpoint(dir: string, c: TaskCheckpoint): void {
  mkdirSync(dir, { recursive: true })
  writeFileAtomic(join(dir, CHECKPOINT_FILE), encodeCheckpoint(c))
}

/** The task's checkpoint, or null when there is none (or it cannot be read: the task then starts over). */
export function loadTaskCheckpoint(dir: string): TaskCheckpoint | null {
  const file = join(dir, CHECKPOINT_FILE)
  if (!existsSync(file)) return null
  try {
    return decodeCheckpoint(readFileSync(file)) as TaskCheckpoint
  } catch {
    return null
  }
}
