/**
 * The contrastive projection head (dense-ReLU-dense), trained with the encoder and never pruned.
 */
import type * as tf from '@tensorflow/tfjs-core'
import { heNormal, lecunNormal } from '../init.ts'
import { deriveSeed } from '../../lib/random.ts'
import { MaskedDense } from '../layers/dense.ts'
import type { ParamSet } from './base.ts'

export class ProjectionHead {
  private readonly l1: MaskedDense
  private readonly l2: MaskedDense

  constructor(prefix: string, inputs: number, hidden: number, out: number, seed: number, set: ParamSet) {
    this.l1 = new MaskedDense({
      name: `${prefix}/proj0`,
      inputs,
      units: hidden,
      activation: 'relu',
      prunable: false,
      weight: heNormal(inputs * hidden, inputs, deriveSeed(seed, 'proj0/w')),
      bias: new Float32Array(hidden)
    })
    this.l2 = new MaskedDense({
      name: `${prefix}/proj1`,
      inputs: hidden,
      units: out,
      activation: 'linear',
      prunable: false,
      weight: lecunNormal(hidden * out, hidden, deriveSeed(seed, 'proj1/w')),
      bias: new Float32Array(out)
    })
    // The head is not part of the deployed model: it adds no inference FLOPs.
    set.addLayer('proj0', this.l1, 'projection', 0)
    set.addLayer('proj1', this.l2, 'projection', 0)
  }

  apply(features: tf.Tensor2D): tf.Tensor2D {
    return this.l2.apply(this.l1.apply(features))
  }
}
