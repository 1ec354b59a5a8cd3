/**
 * Reads once per epoch (the GPU path of fit): the loss, the contrastive term and the hit count are summed on the
 * device and read at the end of the epoch instead of after every step. Run here on wasm with the option forced, so
 * it is checked on every machine: the weights are bit-identical to the per-step path (the reads never feed the
 * training), the epoch metrics agree to float32 rounding, and the hot loop does no dataSync at all.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import { initBackend } from '../../../main/engine/backend.ts'
import { openAdapter } from '../../../main/engine/kernels/webgpu.ts'
import { buildAugmentations } from '../../../main/engine/augment/index.ts'
import { fit, type FitResult } from '../../../main/engine/fit.ts'
import { buildModel, initSeedOf } from '../../../main/engine/pipeline.ts'
import { fork } from '../../../main/lib/random.ts'
import type { EngineHooks } from '../../../main/engine/types.ts'
import { loadIris } from '../engine-method/iris.ts'

const data = loadIris(1)
const silent: EngineHooks = { onProgress: () => {}, isCancelled: () => false }
const spec = { kind: 'mlp' as const, inputs: 4, classes: 3, depth: 2, width: 32 }

beforeAll(async () => {
  await initBackend('wasm')
})

let noAdapter: string | null = null
try {
  await openAdapter((m) => import(m), false)
} catch (e) {
  noAdapter = (e as Error).message
}

async function train(ilo: boolean, readsPerEpoch: boolean | undefined, batchSize = 16) {
  const before = tf.memory().numTensors
  const model = buildModel(spec, initSeedOf(3), ilo ? { hidden: 16, out: 8 } : null)
  const aug = buildAugmentations({ translate: 0, flip: false, cropScale: 1, colorJitter: 0, grayscale: 0, corruption: 0.3, noise: 0 }, data)
  let reads = 0
  const proto = tf.Tensor.prototype as unknown as { dataSync: () => unknown }
  const original = proto.dataSync
  proto.dataSync = function (this: tf.Tensor) {
    reads++
    return original.call(this)
  }
  let result: FitResult
  try {
    result = await fit({
      model,
      train: data.train,
      val: data.val,
      shape: (n) => [n, 4],
      epochs: 3,
      batchSize,
      learningRate: 0.01,
      weightDecay: 0.01,
      patience: 0,
      standard: null,
      ilo: ilo ? { transform: aug.ilo, tau: 0.5, lambda: 1 } : null,
      keepBest: false,
      shuffleRng: fork(1, 's'),
      augmentRng: fork(1, 'a'),
      hooks: silent,
      report: { model: ilo ? 'iunet' : 'mlp', seed: 1, compression: 1, phase: 'supernet' },
      readsPerEpoch
    })
  } finally {
    proto.dataSync = original
  }
  const weights = model.getWeights()
  model.dispose()
  expect(tf.memory().numTensors).toBe(before)
  return { result, weights, reads }
}

describe('fit with reads once per epoch', () => {
  for (const ilo of [false, true]) {
    it(`${ilo ? 'ILO' : 'CE'}: same weights as reading every step, same metrics to float32 rounding, no read per step`, async () => {
      const perStep = await train(ilo, false)
      const perEpoch = await train(ilo, true)
      for (const [name, w] of perStep.weights) expect(Array.from(perEpoch.weights.get(name)!), name).toEqual(Array.from(w))
      perStep.result.history.forEach((a, i) => {
        const b = perEpoch.result.history[i]!
        expect(b.trainLoss).toBeCloseTo(a.trainLoss, 5)
        expect(b.trainAccuracy).toBeCloseTo(a.trainAccuracy, 6)
        expect(b.valLoss).toBe(a.valLoss)
        expect(b.valAccuracy).toBe(a.valAccuracy)
        if (ilo) expect(b.contrastiveLoss!).toBeCloseTo(a.contrastiveLoss!, 5)
        else expect(b.contrastiveLoss).toBeNull()
      })
      // 105 training rows in batches of 16: 7 steps an epoch, 21 in all. Per step: the loss and the hits (and
      // on ILO the two terms); per epoch: one read of the sums plus validation.
      const steps = 3 * Math.ceil(data.train.n / 16)
      expect(perStep.reads).toBeGreaterThanOrEqual(2 * steps)
      const smallBatches = await train(ilo, true, 4)
      // Four times the steps, the same reads: none of them is in the step loop.
      expect(smallBatches.reads).toBe(perEpoch.reads)
      expect(perEpoch.reads).toBeLessThan(steps)
    })
  }

  it.skipIf(!!noAdapter)(
    'on webgpu it is the default (no read per step), and the result matches wasm',
    async () => {
      const wasm = await train(true, false)
      await initBackend('webgpu')
      try {
        const gpu = await train(true, undefined)
        const gpuSmall = await train(true, undefined, 4)
        expect(gpuSmall.reads).toBe(gpu.reads)
        expect(gpu.reads).toBeLessThan(3 * Math.ceil(data.train.n / 16))
        wasm.result.history.forEach((a, i) => {
          const b = gpu.result.history[i]!
          expect(Math.abs(b.trainLoss - a.trainLoss) / a.trainLoss).toBeLessThan(1e-3)
          expect(Math.abs(b.valAccuracy - a.valAccuracy) * data.val.n).toBeLessThanOrEqual(2)
        })
      } finally {
        await initBackend('wasm')
      }
    },
    60_000
  )
})
