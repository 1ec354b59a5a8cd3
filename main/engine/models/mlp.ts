/**
 * The IUNet supernetwork: `depth` masked dense ReLU layers of `width` units (the encoder, all prunable) and a dense
 * linear classifier (the head, never pruned). He-normal init from a seeded JS PRNG; κ scales the weights only.
 */
import type * as tf from '@tensorflow/tfjs-core'
import { heNormal } from '../init.ts'
import { deriveSeed } from '../../lib/random.ts'
import { MaskedDense } from '../layers/dense.ts'
import { ParamSet, uniquePrefix } from './base.ts'
import { assembleModel } from './assemble.ts'
import type { Model, ModelOptions } from './types.ts'

export interface MlpSpec {
  inputs: number
  classes: number
  depth: number
  width: number
}

export function createMlp(spec: MlpSpec, seed: number, opts: ModelOptions = {}): Model {
  const prefix = uniquePrefix('mlp')
  const set = new ParamSet()
  const hidden: MaskedDense[] = []
  let fanIn = spec.inputs
  for (let i = 0; i < spec.depth; i++) {
    const layer = new MaskedDense({
      name: `${prefix}/layer${i}`,
      inputs: fanIn,
      units: spec.width,
      activation: 'relu',
      prunable: true,
      weight: heNormal(fanIn * spec.width, fanIn, deriveSeed(seed, `layer${i}/w`)),
      bias: new Float32Array(spec.width)
    })
    set.addLayer(`layer${i}`, layer, 'encoder', 1)
    hidden.push(layer)
    fanIn = spec.width
  }
  return assembleModel({
    kind: 'mlp',
    prefix,
    set,
    seed,
    opts,
    inputShape: [spec.inputs],
    classes: spec.classes,
    featureDim: fanIn,
    encode(x: tf.Tensor2D) {
      let h = x
      // The data needs no gradient: the first layer skips dL/dx.
      hidden.forEach((layer, i) => (h = layer.apply(h, i > 0)))
      return h
    },
    headInputGrad: spec.depth > 0
  })
}
