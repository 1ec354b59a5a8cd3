/**
 * The tabular ResNet of Gorishniy et al. 2021 ("Revisiting Deep Learning Models for Tabular Data"):
 * Linear(d_in → d) → N × [x + Dropout(Linear(Dropout(ReLU(Linear(BN(x))))))] → BN → ReLU → Linear(head).
 * The features are the output of the final ReLU. Dropout is seeded and off by default.
 */
import * as tf from '@tensorflow/tfjs-core'
import { heNormal, lecunNormal } from '../init.ts'
import { deriveSeed } from '../../lib/random.ts'
import { MaskedDense } from '../layers/dense.ts'
import { BatchNorm } from '../layers/norm.ts'
import { ParamSet, uniquePrefix } from './base.ts'
import { Dropout } from './dropout.ts'
import { assembleModel } from './assemble.ts'
import type { Model, ModelOptions } from './types.ts'

export interface TabResNetSpec {
  inputs: number
  classes: number
  width?: number
  blocks?: number
  hiddenFactor?: number
  dropout?: number
}

interface Block {
  bn: BatchNorm
  l1: MaskedDense
  l2: MaskedDense
  drop1: Dropout
  drop2: Dropout
}

export function createTabResNet(spec: TabResNetSpec, seed: number, opts: ModelOptions = {}): Model {
  const d = spec.width ?? 128
  const nBlocks = spec.blocks ?? 2
  const hidden = Math.round(d * (spec.hiddenFactor ?? 2))
  const rate = spec.dropout ?? 0
  const prefix = uniquePrefix('tabresnet')
  const set = new ParamSet()
  const dense = (name: string, inputs: number, units: number, relu: boolean, group: 'encoder' = 'encoder') => {
    const init = relu ? heNormal : lecunNormal
    const layer = new MaskedDense({
      name: `${prefix}/${name}`,
      inputs,
      units,
      activation: relu ? 'relu' : 'linear',
      prunable: group === 'encoder',
      weight: init(inputs * units, inputs, deriveSeed(seed, `${name}/w`)),
      bias: new Float32Array(units)
    })
    set.addLayer(name, layer, group, 1)
    return layer
  }
  const first = dense('input', spec.inputs, d, false)
  const blocks: Block[] = []
  for (let i = 0; i < nBlocks; i++) {
    const bn = new BatchNorm(`${prefix}/b${i}/bn`, d)
    set.addNorm(`b${i}/bn`, bn, 'encoder')
    blocks.push({
      bn,
      l1: dense(`b${i}/l1`, d, hidden, true),
      l2: dense(`b${i}/l2`, hidden, d, false),
      drop1: new Dropout(rate, deriveSeed(seed, `b${i}/drop1`)),
      drop2: new Dropout(rate, deriveSeed(seed, `b${i}/drop2`))
    })
  }
  const finalBn = new BatchNorm(`${prefix}/final/bn`, d)
  set.addNorm('final/bn', finalBn, 'encoder')
  return assembleModel({
    kind: 'tabresnet',
    prefix,
    set,
    seed,
    opts,
    inputShape: [spec.inputs],
    classes: spec.classes,
    featureDim: d,
    encode(x: tf.Tensor2D, training: boolean) {
      let h = first.apply(x, false)
      for (const b of blocks) {
        const z = b.l1.apply(b.bn.apply(h, training))
        h = tf.add(h, b.drop2.apply(b.l2.apply(b.drop1.apply(z, training)), training)) as tf.Tensor2D
      }
      return tf.relu(finalBn.apply(h, training)) as tf.Tensor2D
    }
  })
}
