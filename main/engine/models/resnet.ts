/**
 * A small ResNet for images: conv3×3 stem → `stages` stages of `blocksPerStage` basic blocks
 * ([conv3×3 → BN → ReLU → conv3×3 → BN] + shortcut, then ReLU), 2×2 max-pool between stages, channels doubling per
 * stage; the shortcut is a 1×1 conv + BN when the width changes. Global average pooling gives the features.
 */
import * as tf from '@tensorflow/tfjs-core'
import { heNormal } from '../init.ts'
import { deriveSeed } from '../../lib/random.ts'
import { ConvLayer } from '../layers/conv-layer.ts'
import { BatchNorm } from '../layers/norm.ts'
import { globalAvgPool, maxPool } from '../layers/pool.ts'
import { ParamSet, uniquePrefix } from './base.ts'
import { assembleModel } from './assemble.ts'
import type { Model, ModelOptions } from './types.ts'

export interface ResNetSpec {
  imageShape: [number, number, number]
  classes: number
  width?: number
  stages?: number
  blocksPerStage?: number
}

/** conv (no bias) followed by batch norm (statistics over B·H·W) on NHWC maps. */
class ConvBn {
  constructor(
    readonly conv: ConvLayer,
    readonly bn: BatchNorm
  ) {}
  apply(x: tf.Tensor4D, training: boolean, inputGrad = true): tf.Tensor4D {
    const y = this.conv.apply(x, inputGrad)
    const [b, h, w, c] = y.shape
    return tf.reshape(this.bn.apply(tf.reshape(y, [b * h * w, c]) as tf.Tensor2D, training), [b, h, w, c]) as tf.Tensor4D
  }
}

interface Block {
  a: ConvBn
  b: ConvBn
  shortcut: ConvBn | null
  /** Max-pool before the block (stage transition). */
  pool: boolean
}

export function createResNet(spec: ResNetSpec, seed: number, opts: ModelOptions = {}): Model {
  const width = spec.width ?? 16
  const stages = spec.stages ?? 3
  const perStage = spec.blocksPerStage ?? 1
  const [h0, w0, c0] = spec.imageShape
  const prefix = uniquePrefix('resnet')
  const set = new ParamSet()
  let h = h0
  let w = w0

  const convBn = (name: string, cin: number, cout: number, k: number): ConvBn => {
    const fanIn = k * k * cin
    const conv = new ConvLayer({
      name: `${prefix}/${name}`,
      inChannels: cin,
      outChannels: cout,
      k,
      relu: false,
      prunable: true,
      bias: null,
      weight: heNormal(cout * fanIn, fanIn, deriveSeed(seed, `${name}/w`))
    })
    set.addLayer(name, conv, 'encoder', h * w)
    const bn = new BatchNorm(`${prefix}/${name}/bn`, cout)
    set.addNorm(`${name}/bn`, bn, 'encoder')
    return new ConvBn(conv, bn)
  }

  const stem = convBn('stem', c0, width, 3)
  const blocks: Block[] = []
  let c = width
  for (let s = 0; s < stages; s++) {
    const cout = width * 2 ** s
    for (let j = 0; j < perStage; j++) {
      const pool = s > 0 && j === 0 && h >= 2 && w >= 2
      if (pool) {
        h = Math.floor(h / 2)
        w = Math.floor(w / 2)
      }
      const name = `s${s}b${j}`
      blocks.push({
        pool,
        a: convBn(`${name}/a`, c, cout, 3),
        b: convBn(`${name}/b`, cout, cout, 3),
        shortcut: c !== cout ? convBn(`${name}/short`, c, cout, 1) : null
      })
      c = cout
    }
  }
  return assembleModel({
    kind: 'resnet',
    prefix,
    set,
    seed,
    opts,
    inputShape: [h0, w0, c0],
    classes: spec.classes,
    featureDim: c,
    encode(x: tf.Tensor2D, training: boolean) {
      let m = tf.relu(stem.apply(tf.reshape(x, [x.shape[0], h0, w0, c0]) as tf.Tensor4D, training, false)) as tf.Tensor4D
      for (const blk of blocks) {
        if (blk.pool) m = maxPool(m)
        const r = blk.b.apply(tf.relu(blk.a.apply(m, training)) as tf.Tensor4D, training)
        const sc = blk.shortcut ? blk.shortcut.apply(m, training) : m
        m = tf.relu(tf.add(r, sc)) as tf.Tensor4D
      }
      return globalAvgPool(m)
    }
  })
}
