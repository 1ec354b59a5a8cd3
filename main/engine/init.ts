/**
 * Seeded initial values, generated in JS so that the same seed gives the same θ† on every backend (tfjs' own
 * random ops differ between backends and are not reproducible across them).
 */

import { mulberry32 } from '../lib/mulberry32.ts'

export { mulberry32 }

/** Mixes a run seed with a stream name so that layers get independent streams (FNV-1a, then splitmix-like). */
export function deriveSeed(seed: number, stream: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0)
  for (let i = 0; i < stream.length; i++) h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  return h >>> 0
}

/** Fills `out` with N(0, std²) via Box–Muller. */
export function fillNormal(out: Float32Array, std: number, uniform: () => number): Float32Array {
  for (let i = 0; i < out.length; i += 2) {
    // 1 - u avoids log(0).
    const r = Math.sqrt(-2 * Math.log(1 - uniform()))
    const th = 2 * Math.PI * uniform()
    out[i] = r * Math.cos(th) * std
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(th) * std
  }
  return out
}

/** Kaiming/He normal for ReLU layers: N(0, 2/fanIn), times `scale` (κ for PIS). */
export function heNormal(size: number, fanIn: number, seed: number, scale = 1): Float32Array {
  return fillNormal(new Float32Array(size), Math.sqrt(2 / fanIn) * scale, mulberry32(seed))
}

/** Glorot/LeCun-style normal N(0, 1/fanIn) for layers not followed by ReLU (logits, projections' last layer). */
export function lecunNormal(size: number, fanIn: number, seed: number, scale = 1): Float32Array {
  return fillNormal(new Float32Array(size), Math.sqrt(1 / fanIn) * scale, mulberry32(seed))
}
