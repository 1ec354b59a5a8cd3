/**
 * The CNN baseline for images: [conv3×3 + ReLU → 2×2 max-pool] per entry of `channels`, then a dense ReLU layer
 * (the features) and the linear head. Input rows are flattened H×W×C images.
 */
import * as tf from '@tensorflow/tfjs-core'
import { deriveSeed, heNormal, lecunNormal } from '../init.ts'
import { ConvLayer } from '../layers/conv-layer.ts'
import { MaskedDense } from '../layers/dense.ts'
import { maxPool } from '../layers/pool.ts'
import { ParamSet, uniquePrefix } from './base.ts'
import { ProjectionHead } from './projection.ts'
import type { ForwardOutput, Model, ModelOptions } from './types.ts'

export interface CnnSpec {
  imageShape: [number, number, number]
  classes: number
  channels?: number[]
  hidden?: number
}

export function createCnn(spec: CnnSpec, seed: number, opts: ModelOptions = {}): Model {
  const kappa = opts.kappa ?? 1
  const channels = spec.channels ?? [32, 64]
  const hidden = spec.hidden ?? 128
  const [h0, w0, c0] = spec.imageShape
  const prefix = uniquePrefix('cnn')
  const set = new ParamSet()
  const convs: ConvLayer[] = []
  let [h, w, c] = [h0, w0, c0]
  channels.forEach((cout, i) => {
    const fanIn = 9 * c
    const layer = new ConvLayer({
      name: `${prefix}/conv${i}`, inChannels: c, outChannels: cout, k: 3, relu: true, prunable: true,
      weight: heNormal(cout * fanIn, fanIn, deriveSeed(seed, `conv${i}/w`), kappa), bias: new Float32Array(cout)
    })
    set.addLayer(`conv${i}`, layer, 'encoder', h * w)
    convs.push(layer)
    c = cout
    h = Math.floor(h / 2)
    w = Math.floor(w / 2)
  })
  const flat = c * h * w
  const fc = new MaskedDense({
    name: `${prefix}/fc`, inputs: flat, units: hidden, activation: 'relu', prunable: true,
    weight: heNormal(flat * hidden, flat, deriveSeed(seed, 'fc/w'), kappa), bias: new Float32Array(hidden)
  })
  set.addLayer('fc', fc, 'encoder', 1)
  const head = new MaskedDense({
    name: `${prefix}/head`, inputs: hidden, units: spec.classes, activation: 'linear', prunable: false,
    weight: lecunNormal(hidden * spec.classes, hidden, deriveSeed(seed, 'head/w'), kappa), bias: new Float32Array(spec.classes)
  })
  set.addLayer('head', head, 'head', 1)
  const proj = opts.projection ? new ProjectionHead(prefix, hidden, opts.projection.hidden, opts.projection.out, seed, set) : null

  return {
    kind: 'cnn',
    params: set.params,
    inputShape: [h0, w0, c0],
    nClasses: spec.classes,
    featureDim: hidden,
    hasProjection: proj !== null,
    forward(x: tf.Tensor2D): ForwardOutput {
      let m = tf.reshape(x, [x.shape[0], h0, w0, c0]) as tf.Tensor4D
      convs.forEach((conv, i) => (m = maxPool(conv.apply(m, i > 0))))
      const features = fc.apply(tf.reshape(m, [x.shape[0], flat]) as tf.Tensor2D, convs.length > 0)
      return { logits: head.apply(features), features }
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
