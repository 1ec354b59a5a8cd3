/**
 * The IUNet supernetwork: `depth` masked dense ReLU layers of `width` units (the encoder, all prunable) and a dense
 * linear classifier (the head, never pruned). He-normal init from a seeded JS PRNG; κ scales the weights only.
 */
import type * as tf from '@tensorflow/tfjs-core'
import { deriveSeed, heNormal, lecunNormal } from '../init.ts'
import { MaskedDense } from '../layers/dense.ts'
import { ParamSet, uniquePrefix } from './base.ts'
import { ProjectionHead } from './projection.ts'
import type { ForwardOutput, Model, ModelOptions } from './types.ts'

export interface MlpSpec {
  inputs: number
  classes: number
  depth: number
  width: number
}

export function createMlp(spec: MlpSpec, seed: number, opts: ModelOptions = {}): Model {
  const kappa = opts.kappa ?? 1
  const prefix = uniquePrefix('mlp')
  const set = new ParamSet()
  const hidden: MaskedDense[] = []
  let fanIn = spec.inputs
  for (let i = 0; i < spec.depth; i++) {
    const layer = new MaskedDense({
      name: `${prefix}/layer${i}`, inputs: fanIn, units: spec.width, activation: 'relu', prunable: true,
      weight: heNormal(fanIn * spec.width, fanIn, deriveSeed(seed, `layer${i}/w`), kappa),
      bias: new Float32Array(spec.width)
    })
    set.addLayer(`layer${i}`, layer, 'encoder', 1)
    hidden.push(layer)
    fanIn = spec.width
  }
  const head = new MaskedDense({
    name: `${prefix}/head`, inputs: fanIn, units: spec.classes, activation: 'linear', prunable: false,
    weight: lecunNormal(fanIn * spec.classes, fanIn, deriveSeed(seed, 'head/w'), kappa),
    bias: new Float32Array(spec.classes)
  })
  set.addLayer('head', head, 'head', 1)
  const proj = opts.projection ? new ProjectionHead(prefix, fanIn, opts.projection.hidden, opts.projection.out, seed, set) : null

  return {
    kind: 'mlp',
    params: set.params,
    inputShape: [spec.inputs],
    nClasses: spec.classes,
    featureDim: fanIn,
    hasProjection: proj !== null,
    forward(x: tf.Tensor2D): ForwardOutput {
      let h = x
      // The data needs no gradient: the first layer skips dL/dx.
      hidden.forEach((layer, i) => (h = layer.apply(h, i > 0)))
      return { logits: head.apply(h, spec.depth > 0), features: h }
    },
    project(features: tf.Tensor2D): tf.Tensor2D {
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
