/**
 * The one source of seeded randomness: data splits and samples, init, shuffling, augmentation, dropout. One run seed is forked into independent named streams so that, e.g., adding an augmentation does not
 * shift the init of the next model: every consumer draws from its own stream.
 *
 * Generator: mulberry32 (32-bit state, passes BigCrush's gjrand subset, plenty for ML shuffles and inits); stream
 * seeds are mixed with a murmur3-style finalizer so nearby seeds give unrelated sequences.
 */

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform in [lo, hi). */
  uniform(lo?: number, hi?: number): number
  /** Gaussian (Box–Muller). */
  normal(mean?: number, std?: number): number
  /** Integer uniform in [0, n). */
  int(n: number): number
  /** Shuffles `a` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T
  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array
  /** A fresh 32-bit seed drawn from this stream (to seed tfjs ops or a child generator). */
  seed(): number
  /** The generator's whole state (for checkpoints): restoring it continues the stream bit for bit. */
  snapshot(): RngState
  restore(s: RngState): void
}

/** mulberry32's 32-bit counter and the Gaussian spare of Box–Muller (null when none is pending). */
export interface RngState {
  a: number
  spare: number | null
}

/** murmur3 fmix32: a bijective mix of a 32-bit integer. */
export function mix32(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** FNV-1a of a string, so streams can be named ('init', 'shuffle', …). */
function hashString(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** The seed of stream `stream` of run seed `seed`; different streams give unrelated seeds. */
export function deriveSeed(seed: number, stream: string | number): number {
  const s = typeof stream === 'number' ? mix32(stream + 0x9e3779b9) : hashString(stream)
  return mix32((mix32(seed >>> 0) ^ Math.imul(s, 0x9e3779b1)) >>> 0)
}

/** mulberry32: uniforms in [0, 1) from a raw 32-bit state (callers pass a seed already mixed by deriveSeed). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Fisher–Yates in place, drawing from `next` (uniform in [0, 1)). */
export function shuffle<T extends { length: number; [i: number]: unknown }>(a: T, next: () => number): T {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    const t = a[i]
    a[i] = a[j]
    a[j] = t
  }
  return a
}

export function createRng(seed: number): Rng {
  // mulberry32 inline (same sequence as mulberry32()), with its counter reachable for snapshot/restore.
  let a = (mix32(seed >>> 0) || 0x6d2b79f5) >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  let spare: number | null = null
  const int = (n: number): number => Math.floor(next() * n)
  const rng: Rng = {
    next,
    uniform: (lo = 0, hi = 1) => lo + (hi - lo) * next(),
    normal(mean = 0, std = 1) {
      if (spare !== null) {
        const v = spare
        spare = null
        return mean + std * v
      }
      // 1 - next() is in (0, 1], so the log is finite.
      const u = 1 - next()
      const v = next()
      const r = Math.sqrt(-2 * Math.log(u))
      spare = r * Math.sin(2 * Math.PI * v)
      return mean + std * r * Math.cos(2 * Math.PI * v)
    },
    int,
    shuffle: (a) => shuffle(a, next),
    permutation(n) {
      const p = new Int32Array(n)
      for (let i = 0; i < n; i++) p[i] = i
      return rng.shuffle(p)
    },
    seed: () => (next() * 4294967296) >>> 0,
    snapshot: () => ({ a, spare }),
    restore(st) {
      a = st.a >>> 0
      spare = st.spare
    }
  }
  return rng
}

/** An independent generator for one named purpose of a run seed, e.g. fork(seed, 'augment'). */
export function fork(seed: number, stream: string | number): Rng {
  return createRng(deriveSeed(seed, stream))
}
