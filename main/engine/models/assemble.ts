/**
 * The part every architecture shares after its encoder: the dense classifier (never pruned), the optional
 * projection head on the encoder output, and the Model object around the encoder's forward pass.
 */
import type * as tf from '@tensorflow/tfjs-core'
import { lecunNormal } from '../init.ts'
import { deriveSeed } from '../../lib/random.ts'
import { MaskedDense } from '../layers/dense.ts'
import type { ParamSet } from './base.ts'
import { ProjectionHead } from './projection.ts'
import type { Model, ModelArch, ModelOptions } from './types.ts'

export interface EncoderParts {
  kind: ModelArch
  prefix: string
  set: ParamSet
  seed: number
  opts: ModelOptions
  inputShape: number[]
  classes: number
  featureDim: number
  /** x → encoder output (the classifier's input). */
  encode(x: tf.Tensor2D, training: boolean): tf.Tensor2D
  /** False when the features are the raw input (an MLP without hidden layers): skips dL/dx in the head. */
  headInputGrad?: boolean
}

export function assembleModel(p: EncoderParts): Model {
  const { set, featureDim: d, classes } = p
  const head = new MaskedDense({
    name: `${p.prefix}/head`,
    inputs: d,
    units: classes,
    activation: 'linear',
    prunable: false,
    weight: lecunNormal(d * classes, d, deriveSeed(p.seed, 'head/w')),
    bias: new Float32Array(classes)
  })
  set.addLayer('head', head, 'head', 1)
  const proj = p.opts.projection ? new ProjectionHead(p.prefix, d, p.opts.projection.hidden, p.opts.projection.out, p.seed, set) : null
  return {
    kind: p.kind,
    params: set.params,
    inputShape: p.inputShape,
    nClasses: classes,
    featureDim: d,
    hasProjection: proj !== null,
    forward(x, training) {
      const features = p.encode(x, training)
      return { logits: head.apply(features, p.headInputGrad ?? true), features }
    },
    project(features) {
      if (!proj) throw new Error('this model has no projection head')
      return proj.apply(features)
    },
    setMask: (name, mask) => set.setMask(name, mask),
    getWeights: () => set.getWeights(),
    setWeights: (map) => set.setWeights(map),
    flops: () => set.flops(),
    dispose: () => set.dispose()
  }
}
