/**
 * An augmentation is a seeded pure function: (batch, shape, rng) → a new batch of the same shape. The input is
 * never modified, so views t₁(x), t₂(x) of one batch can be drawn independently.
 * Images: shape = [n, H, W, C], row-major H×W×C per sample. Tabular: shape = [n, nFeatures].
 */
import type { Rng } from '../../lib/random.ts'

export type Augment = (x: Float32Array, shape: readonly number[], rng: Rng) => Float32Array

/** Applies the augmentations left to right; an empty list copies the batch. */
export function compose(...fns: Augment[]): Augment {
  return (x, shape, rng) => {
    let out = fns.length === 0 ? x.slice() : x
    for (const f of fns) out = f(out, shape, rng)
    return out
  }
}

export function checkShape(x: Float32Array, shape: readonly number[]): void {
  const size = shape.reduce((a, b) => a * b, 1)
  if (size !== x.length) throw new Error(`batch has ${x.length} values, shape [${shape.join(', ')}] needs ${size}`)
}
