/**
 * A trainable model from an architecture's description (arch.ts): each layer becomes the engine's layer object with
 * its seeded initial weights (the seed of `<name>/w` derived from the model's seed), registered in description order,
 * and the forward pass runs the same list. Same description + seed → the same initial weights on every backend.
 */
import * as tf from '@tensorflow/tfjs-core'
import { deriveSeed } from '../../lib/random.ts'
import { heNormal, lecunNormal } from '../init.ts'
import { ConvLayer } from '../layers/conv-layer.ts'
import { MaskedDense } from '../layers/dense.ts'
import { BatchNorm } from '../layers/norm.ts'
import { globalAvgPool, maxPool } from '../layers/pool.ts'
import { BN_EPSILON, type Architecture, type Layer } from './arch.ts'
import { assembleModel } from './assemble.ts'
import { ParamSet, uniquePrefix } from './base.ts'
import { Dropout } from './dropout.ts'
import type { Model, ModelOptions } from './types.ts'

/** One layer's forward step; tensors are rows [n, width] or NHWC maps [n, h, w, c]. */
type Step = (x: tf.Tensor, training: boolean) => tf.Tensor

interface Ctx {
  prefix: string
  seed: number
  set: ParamSet
}

const INIT = { he: heNormal, lecun: lecunNormal }

/**
 * The steps of `layers`. `gradIn`: whether the input needs dL/dx — the data does not, so the first layer with
 * weights skips it. Returns whether the output depends on weights (then the next layer computes dL/dx).
 */
function compile(layers: readonly Layer[], ctx: Ctx, gradIn: boolean): { steps: Step[]; gradOut: boolean } {
  const steps: Step[] = []
  let grad = gradIn
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i]!
    const inputGrad = grad
    switch (l.op) {
      case 'dense': {
        const layer = new MaskedDense({
          name: `${ctx.prefix}/${l.name}`,
          inputs: l.inputs,
          units: l.units,
          activation: l.relu ? 'relu' : 'linear',
          prunable: true,
          weight: INIT[l.init](l.inputs * l.units, l.inputs, deriveSeed(ctx.seed, `${l.name}/w`)),
          bias: new Float32Array(l.units)
        })
        ctx.set.addLayer(l.name, layer, 'encoder', 1)
        steps.push((x) => layer.apply(x as tf.Tensor2D, inputGrad))
        grad = true
        break
      }
      case 'conv': {
        const fanIn = l.k * l.k * l.cin
        const conv = new ConvLayer({
          name: `${ctx.prefix}/${l.name}`,
          inChannels: l.cin,
          outChannels: l.cout,
          k: l.k,
          relu: l.relu,
          prunable: true,
          weight: heNormal(l.cout * fanIn, fanIn, deriveSeed(ctx.seed, `${l.name}/w`)),
          bias: l.bias ? new Float32Array(l.cout) : null
        })
        ctx.set.addLayer(l.name, conv, 'encoder', l.uses)
        // A max pool right after the convolution runs with it, as one op (one fused kernel on the native path).
        if (layers[i + 1]?.op === 'maxpool') {
          steps.push((x) => conv.applyPooled(x as tf.Tensor4D, inputGrad))
          i++
        } else steps.push((x) => conv.apply(x as tf.Tensor4D, inputGrad))
        grad = true
        break
      }
      case 'norm': {
        const bn = new BatchNorm(`${ctx.prefix}/${l.name}`, l.channels, 0.9, BN_EPSILON)
        ctx.set.addNorm(l.name, bn, 'encoder')
        steps.push((x, training) => {
          if (x.rank === 2) return bn.apply(x as tf.Tensor2D, training)
          // Maps: statistics over B·H·W per channel.
          const [b, h, w, c] = x.shape
          return tf.reshape(bn.apply(tf.reshape(x, [b * h * w, c]) as tf.Tensor2D, training), [b, h, w, c])
        })
        grad = true
        break
      }
      case 'relu':
        steps.push((x) => tf.relu(x))
        break
      case 'dropout': {
        const drop = new Dropout(l.rate, deriveSeed(ctx.seed, l.name))
        steps.push((x, training) => drop.apply(x as tf.Tensor2D, training))
        break
      }
      case 'image':
        steps.push((x) => tf.reshape(x, [x.shape[0], ...l.shape]))
        break
      case 'maxpool':
        steps.push((x) => maxPool(x as tf.Tensor4D))
        break
      case 'flatten':
        steps.push((x) => tf.reshape(x, [x.shape[0], l.size]))
        break
      case 'globalAvgPool':
        steps.push((x) => globalAvgPool(x as tf.Tensor4D))
        break
      case 'residual': {
        const body = compile(l.body, ctx, inputGrad)
        const shortcut = l.shortcut.length ? compile(l.shortcut, ctx, inputGrad) : null
        steps.push((x, training) => tf.add(run(body.steps, x, training), shortcut ? run(shortcut.steps, x, training) : x))
        grad = body.gradOut || (shortcut?.gradOut ?? inputGrad)
        break
      }
    }
  }
  return { steps, gradOut: grad }
}

function run(steps: readonly Step[], x: tf.Tensor, training: boolean): tf.Tensor {
  let h = x
  for (const s of steps) h = s(h, training)
  return h
}

/** The model `arch` describes, with seeded initial weights (and a projection head when `opts` asks for one). */
export function buildModel(arch: Architecture, seed: number, opts: ModelOptions = {}): Model {
  const ctx: Ctx = { prefix: uniquePrefix(arch.kind), seed, set: new ParamSet() }
  const encoder = compile(arch.encoder, ctx, false)
  return assembleModel({
    kind: arch.kind,
    prefix: ctx.prefix,
    set: ctx.set,
    seed,
    opts,
    inputShape: arch.inputShape,
    classes: arch.head.units,
    featureDim: arch.featureDim,
    encode: (x, training) => run(encoder.steps, x, training) as tf.Tensor2D,
    headInputGrad: encoder.gradOut
  })
}
