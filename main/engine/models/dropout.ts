/**
 * Seeded inverted dropout: masks come from a JS PRNG, so a run is reproducible on every backend.
 */
import * as tf from '@tensorflow/tfjs-core'
import { mulberry32 } from '../../lib/random.ts'

export class Dropout {
  private readonly uniform: () => number

  constructor(
    readonly rate: number,
    seed: number
  ) {
    if (rate < 0 || rate >= 1) throw new Error(`dropout rate must be in [0, 1), got ${rate}`)
    this.uniform = mulberry32(seed)
  }

  apply(x: tf.Tensor2D, training: boolean): tf.Tensor2D {
    if (!training || this.rate === 0) return x
    const keep = 1 / (1 - this.rate)
    const m = new Float32Array(x.size)
    for (let i = 0; i < m.length; i++) m[i] = this.uniform() < this.rate ? 0 : keep
    return tf.mul(x, tf.tensor2d(m, x.shape)) as tf.Tensor2D
  }
}
