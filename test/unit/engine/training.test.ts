import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import { initBackend } from '../../../main/engine/backend.ts'
import { mulberry32, shuffle } from '../../../main/lib/random.ts'
import { createModel, type Model } from '../../../main/engine/models.ts'
import { pisWeights } from '../../../main/engine/pipeline.ts'
import { AdamW } from '../../../main/engine/optim.ts'
import { batchesOf, gatherLabels, gatherRows, predict, trainStep } from '../../../main/engine/train.ts'

const N = 96
const D = 12
const C = 3

/** A learnable toy problem: the class is the argmax of three fixed projections of x. */
function toyData(seed: number) {
  const u = mulberry32(seed)
  const x = Float32Array.from({ length: N * D }, () => u() * 2 - 1)
  const y = new Int32Array(N)
  for (let i = 0; i < N; i++) {
    const s = [0, 1, 2].map((c) => x[i * D + c] + 0.5 * x[i * D + c + 3])
    y[i] = s.indexOf(Math.max(...s))
  }
  return { x, y }
}

const ce = (logits: tf.Tensor2D, labels: Int32Array) => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(labels, 'int32'), C), logits) as tf.Scalar

function trainEpochs(model: Model, opt: AdamW, epochs: number, seed: number, onEpoch?: (e: number) => void): number[] {
  const { x, y } = toyData(1)
  const rng = mulberry32(seed)
  const losses: number[] = []
  for (let e = 0; e < epochs; e++) {
    let total = 0
    for (const idx of batchesOf(
      shuffle(
        Int32Array.from({ length: N }, (_, i) => i),
        rng
      ),
      32
    )) {
      const xb = tf.tensor2d(gatherRows({ x, y, n: N }, idx), [idx.length, D])
      const yb = gatherLabels(y, idx)
      total += trainStep(model, opt, () => ce(model.forward(xb, true).logits, yb)).loss
      xb.dispose()
    }
    losses.push(total)
    onEpoch?.(e)
  }
  return losses
}

const spec = { kind: 'mlp', inputs: D, classes: C, depth: 3, width: 32 } as const

describe('training primitives on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm')
  })

  it('pruned weights stay exactly zero after many AdamW steps (with weight decay)', () => {
    const model = createModel(spec, 3)
    const u = mulberry32(9)
    const masks = new Map<string, Float32Array>()
    for (const p of model.params.filter((q) => q.mask)) {
      const m = Float32Array.from({ length: p.variable.size }, () => (u() < 0.3 ? 1 : 0))
      masks.set(p.name, m)
      model.setMask(p.name, m)
    }
    expect(masks.size).toBe(3)
    expect(model.params.find((p) => p.name === 'head/w')!.mask).toBeNull()
    const opt = new AdamW(model.params, { learningRate: 1e-2, weightDecay: 0.1 })
    const losses = trainEpochs(model, opt, 20, 5)
    expect(losses[losses.length - 1]).toBeLessThan(losses[0])
    const w = model.getWeights()
    for (const [name, m] of masks) {
      const values = w.get(name)!
      let survivors = 0
      for (let i = 0; i < m.length; i++) {
        if (m[i] === 0) expect(values[i] === 0).toBe(true)
        else if (values[i] !== 0) survivors++
      }
      expect(survivors).toBeGreaterThan(0)
    }
    const f = model.flops()
    expect(f.sparse).toBeLessThan(f.dense * 0.5)
    opt.dispose()
    model.dispose()
  })

  it('leaks no tensors across epochs, predict included', () => {
    const model = createModel(spec, 4, { projection: { hidden: 16, out: 8 } })
    const opt = new AdamW(model.params, { learningRate: 1e-3 })
    const { x } = toyData(2)
    const counts: number[] = []
    trainEpochs(model, opt, 4, 1, () => {
      predict(model, x, N, 40)
      counts.push(tf.memory().numTensors)
    })
    expect(new Set(counts).size).toBe(1)
    const before = tf.memory().numTensors
    opt.dispose()
    model.dispose()
    expect(tf.memory().numTensors).toBeLessThan(before)
  })

  it('same seed → same θ† (on cpu and wasm alike) and the same trained weights', async () => {
    const a = createModel(spec, 11)
    const b = createModel(spec, 11)
    const c = createModel(spec, 12)
    const wa = a.getWeights()
    expect(wa).toEqual(b.getWeights())
    expect(wa.get('layer0/w')).not.toEqual(c.getWeights().get('layer0/w'))
    // He-normal: std ≈ sqrt(2 / fanIn).
    const w1 = wa.get('layer1/w')!
    const sd = Math.sqrt(w1.reduce((s, v) => s + v * v, 0) / w1.length)
    expect(sd).toBeCloseTo(Math.sqrt(2 / 32), 1)
    // κ (PIS) scales weights only.
    const k = pisWeights(wa, a.params, 0.125)
    expect(k.get('layer0/w')![5]).toBeCloseTo(wa.get('layer0/w')![5] * 0.125, 6)
    expect(k.get('layer0/b')).toEqual(wa.get('layer0/b'))
    await initBackend('cpu')
    expect(createModel(spec, 11).getWeights()).toEqual(wa)
    await initBackend('wasm')

    const optA = new AdamW(a.params, { learningRate: 1e-2 })
    const optB = new AdamW(b.params, { learningRate: 1e-2 })
    trainEpochs(a, optA, 3, 7)
    trainEpochs(b, optB, 3, 7)
    expect(a.getWeights()).toEqual(b.getWeights())
    expect(a.getWeights().get('layer0/w')).not.toEqual(wa.get('layer0/w'))
    for (const m of [a, b, c]) m.dispose()
    optA.dispose()
    optB.dispose()
  })

  it('setWeights restores a snapshot and keeps pruned weights at zero', () => {
    const model = createModel(spec, 5)
    const snap = model.getWeights()
    const mask = new Float32Array(D * 32).fill(1)
    mask[0] = 0
    model.setMask('layer0/w', mask)
    model.setWeights(snap)
    const w = model.getWeights()
    expect(w.get('layer0/w')![0] === 0).toBe(true)
    expect(w.get('layer0/w')![1]).toBe(snap.get('layer0/w')![1])
    model.dispose()
  })
})
