import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import { initBackend } from '../../../main/engine/backend.ts'
import { mulberry32 } from '../../../main/lib/random.ts'
import { createModel } from '../../../main/engine/models.ts'
import { AdamW } from '../../../main/engine/optim.ts'
import { trainStep } from '../../../main/engine/train.ts'

const spec = { kind: 'mlp', inputs: 6, classes: 3, depth: 2, width: 8 } as const

function run(steps: number, tfPath: boolean, weightDecay: number) {
  const model = createModel(spec, 1)
  const mask = Float32Array.from({ length: 6 * 8 }, (_, i) => (i % 3 === 0 ? 0 : 1))
  model.setMask('layer0/w', mask)
  const opt = new AdamW(model.params, { learningRate: 0.01, weightDecay, fused: !tfPath })
  const u = mulberry32(2)
  const x = tf.tensor2d(
    Float32Array.from({ length: 16 * 6 }, () => u() - 0.5),
    [16, 6]
  )
  const y = tf.oneHot(
    tf.tensor1d(
      Int32Array.from({ length: 16 }, (_, i) => i % 3),
      'int32'
    ),
    3
  )
  const w0 = model.getWeights()
  for (let s = 0; s < steps; s++) trainStep(model, opt, () => tf.losses.softmaxCrossEntropy(y, model.forward(x, true).logits) as tf.Scalar)
  const w = model.getWeights()
  opt.dispose()
  model.dispose()
  return { w0, w, mask }
}

describe('AdamW on wasm', () => {
  it('the fused in-heap update equals the tensor-op update, masks included', async () => {
    await initBackend('wasm')
    const a = run(5, false, 0.05)
    const b = run(5, true, 0.05)
    for (const [name, values] of a.w) {
      const ref = b.w.get(name)!
      for (let i = 0; i < values.length; i++) expect(values[i]).toBeCloseTo(ref[i], 5)
    }
    const l0 = a.w.get('layer0/w')!
    for (let i = 0; i < l0.length; i++) if (a.mask[i] === 0) expect(l0[i] === 0).toBe(true)
  })

  it('first step moves each weight by ≈ lr·sign(g) (bias-corrected Adam)', async () => {
    await initBackend('wasm')
    const { w0, w } = run(1, false, 0)
    const d = w.get('layer1/w')!.map((v, i) => Math.abs(v - w0.get('layer1/w')![i]))
    const moved = Array.from(d).filter((v) => v > 1e-6)
    expect(moved.length).toBeGreaterThan(d.length / 2)
    for (const v of moved) expect(v).toBeCloseTo(0.01, 3)
  })
})
