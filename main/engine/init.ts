/**
 * Seeded initial values, generated in JS so that the same seed gives the same θ† on every backend (tfjs' own
 * random ops differ between backends and are not reproducible across them).
 */

import { mulberry32 } from '../lib/random.ts'

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
