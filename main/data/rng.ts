/**
 * Seeded randomness for splits and samples: the shared mulberry32 generator and a seed mixer of its own, so
 * data splits do not depend on the engine's stream names.
 */
export type Rng = () => number

export { mulberry32 } from '../lib/mulberry32.ts'

/** Mixes a seed with a stream number so different uses of one seed do not share a sequence. */
export function deriveSeed(seed: number, stream: number): number {
  let h = (seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
  return (h ^ (h >>> 16)) >>> 0
}

/** Fisher–Yates in place. */
export function shuffle<T extends { length: number; [i: number]: number }>(a: T, rng: Rng): T {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1))
    const t = a[i]
    a[i] = a[j]
    a[j] = t
  }
  return a
}
