/**
 * The CNN baseline for images: [conv3×3 + ReLU → 2×2 max-pool] per entry of `channels`, then a dense ReLU layer
 * (the features) and the linear head. Input rows are flattened H×W×C images.
 */
import * as tf from '@tensorflow/tfjs-core'
import { heNormal } from '../init.ts'
import { deriveSeed } from '../../lib/random.ts'
import { ConvLayer } from '../layers/conv-layer.ts'
import { MaskedDense } from '../layers/dense.ts'
import { ParamSet, uniquePrefix } from './base.ts'
import { assembleModel } from './assemble.ts'
import type { Model, ModelOptions } from './types.ts'

export interface CnnSpec {
  imageShape: [number, number, number]
  classes: number
  channels?: number[]
  hidden?: number
}

export function createCnn(spec: CnnSpec, seed: number, opts: ModelOptions = {}): Model {
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
      name: `${prefix}/conv${i}`,
      inChannels: c,
      outChannels: cout,
      k: 3,
      relu: true,
      prunable: true,
      weight: heNormal(cout * fanIn, fanIn, deriveSeed(seed, `conv${i}/w`)),
      bias: new Float32Array(cout)
    })
    set.addLayer(`conv${i}`, layer, 'encoder', h * w)
    convs.push(layer)
    c = cout
    h = Math.floor(h / 2)
    w = Math.floor(w / 2)
  })
  const flat = c * h * w
  const fc = new MaskedDense({
    name: `${prefix}/fc`,
    inputs: flat,
    units: hidden,
    activation: 'relu',
    prunable: true,
    weight: heNormal(flat * hidden, flat, deriveSeed(seed, 'fc/w')),
    bias: new Float32Array(hidden)
  })
  set.addLayer('fc', fc, 'encoder', 1)

  return assembleModel({
    kind: 'cnn',
    prefix,
    set,
    seed,
    opts,
    inputShape: [h0, w0, c0],
    classes: spec.classes,
    featureDim: hidden,
    encode(x: tf.Tensor2D) {
      let m = tf.reshape(x, [x.shape[0], h0, w0, c0]) as tf.Tensor4D
      convs.forEach((conv, i) => (m = conv.applyPooled(m, i > 0)))
      return fc.apply(tf.reshape(m, [x.shape[0], flat]) as tf.Tensor2D, convs.length > 0)
    }
  })
}
