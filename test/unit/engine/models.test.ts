import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import { initBackend } from '../../../main/engine/backend.ts'
import { mulberry32 } from '../../../main/lib/random.ts'
import { createModel, type ModelSpec } from '../../../main/engine/models.ts'
import { AdamW } from '../../../main/engine/optim.ts'
import { predict, trainStep } from '../../../main/engine/train.ts'

const specs: ModelSpec[] = [
  { kind: 'cnn', imageShape: [8, 8, 2], classes: 3, channels: [4, 6], hidden: 10 },
  { kind: 'resnet', imageShape: [8, 8, 1], classes: 3, width: 4, stages: 2, blocksPerStage: 1 },
  { kind: 'tabresnet', inputs: 7, classes: 3, width: 8, blocks: 2, dropout: 0.1 }
]

const dimOf = (s: ModelSpec) => ('imageShape' in s ? s.imageShape.reduce((a, b) => a * b, 1) : s.inputs)

describe.each(specs)('$kind on wasm', (spec) => {
  beforeAll(async () => {
    await initBackend('wasm')
  })

  it('trains (loss falls), keeps masks, leaks nothing, and restores weights incl. buffers', () => {
    const model = createModel(spec, 3, { projection: { hidden: 8, out: 4 } })
    const n = 24
    const dim = dimOf(spec)
    const u = mulberry32(1)
    const xs = Float32Array.from({ length: n * dim }, () => u())
    const labels = Int32Array.from({ length: n }, (_, i) => i % 3)
    // Make the classes separable: shift each class's inputs.
    for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) xs[i * dim + j] += labels[i]
    const x = tf.tensor2d(xs, [n, dim])
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 3)
    const out = model.forward(x, false)
    expect(out.logits.shape).toEqual([n, 3])
    expect(out.features.shape).toEqual([n, model.featureDim])
    expect(model.project(out.features).shape).toEqual([n, 4])
    const snapshot = model.getWeights()
    const first = model.params.find((p) => p.mask)!
    const mask = Float32Array.from({ length: first.variable.size }, (_, i) => i % 2)
    model.setMask(first.name, mask)
    expect(model.params.filter((p) => p.group === 'head').every((p) => p.mask === null)).toBe(true)
    const opt = new AdamW(model.params, { learningRate: 0.01 })
    const losses: number[] = []
    let tensors = -1
    for (let s = 0; s < 15; s++) {
      losses.push(trainStep(model, opt, () => tf.losses.softmaxCrossEntropy(y, model.forward(x, true).logits) as tf.Scalar).loss)
      if (s === 2) tensors = tf.memory().numTensors
    }
    expect(tf.memory().numTensors).toBe(tensors)
    expect(losses[14]).toBeLessThan(losses[0])
    const w = model.getWeights().get(first.name)!
    for (let i = 0; i < w.length; i++) if (mask[i] === 0) expect(w[i] === 0).toBe(true)
    const p = predict(model, xs, n, 10)
    expect(p.logits.length).toBe(n * 3)
    // Restoring θ† (and, for BN models, the running statistics) gives back the initial predictions.
    model.setMask(first.name, new Float32Array(mask.length).fill(1))
    model.setWeights(snapshot)
    const again = predict(model, xs, n, 10)
    const init = Array.from(out.logits.dataSync())
    again.logits.forEach((v, i) => expect(v).toBeCloseTo(init[i], 4))
    const f = model.flops()
    expect(f.dense).toBeGreaterThan(0)
    expect(f.sparse).toBe(f.dense)
    opt.dispose()
    model.dispose()
    tf.dispose([x, y, out.logits, out.features])
  })
})
