/**
 * The ONNX exporter against the app's own engine: every architecture (with pruned weights and non-trivial batch-norm
 * statistics) run in onnxruntime-node gives the engine's probabilities within 1e-5.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import * as ort from 'onnxruntime-node'
import { initBackend } from '../../../main/engine/backend.ts'
import { createModel, type ModelSpec } from '../../../main/engine/models.ts'
import { exportOnnx, inputWidth } from '../../../main/engine/export/onnx.ts'
import { predictProbabilities, snapshotModel } from '../../../main/engine/export/trained.ts'
import { mulberry32 } from '../../../main/lib/random.ts'

const specs: ModelSpec[] = [
  { kind: 'mlp', inputs: 9, classes: 3, depth: 2, width: 16 },
  { kind: 'cnn', imageShape: [7, 6, 2], classes: 4, channels: [4, 6], hidden: 10 },
  { kind: 'resnet', imageShape: [8, 8, 1], classes: 3, width: 4, stages: 3, blocksPerStage: 2 },
  { kind: 'tabresnet', inputs: 7, classes: 3, width: 8, blocks: 2 }
]

export async function onnxProbabilities(bytes: Uint8Array, x: Float32Array, n: number, width: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes)
  const out = await session.run({ input: new ort.Tensor('float32', x, [n, width]) })
  return out.probabilities.data as Float32Array
}

describe.each(specs)('ONNX export of $kind', (spec) => {
  beforeAll(async () => {
    await initBackend('cpu')
  })

  it('matches the engine within 1e-5, pruned weights stay zero', async () => {
    const model = createModel(spec, 5, { projection: { hidden: 8, out: 4 } })
    const u = mulberry32(11)
    // Random trained-looking state: weights, biases, γ/β and running statistics (variance > 0).
    const w = model.getWeights()
    for (const [name, v] of w) for (let i = 0; i < v.length; i++) v[i] = name.endsWith('/var') ? 0.2 + u() : (u() - 0.5) * (name.endsWith('/mean') ? 1 : 0.8)
    model.setWeights(w)
    for (const p of model.params)
      if (p.mask)
        model.setMask(
          p.name,
          Float32Array.from({ length: p.variable.size }, () => (u() < 0.5 ? 0 : 1))
        )
    const trained = snapshotModel(model, spec, { model: 'iunet', seed: 0, compression: 2 })
    model.dispose()
    expect(trained.tensors.some((t) => t.name.startsWith('proj'))).toBe(false)
    const n = 13
    const width = inputWidth(trained)
    const x = Float32Array.from({ length: n * width }, () => u() * 2 - 1)
    const app = predictProbabilities(trained, x, n)
    const bytes = exportOnnx(trained, { metadata: { classes: 'a,b,c' } })
    const onnx = await onnxProbabilities(bytes, x, n, width)
    expect(onnx.length).toBe(app.length)
    let worst = 0
    for (let i = 0; i < app.length; i++) worst = Math.max(worst, Math.abs(app[i] - onnx[i]))
    expect(worst).toBeLessThan(1e-5)
    // Not a trivially uniform output: the classes are told apart.
    expect(Math.max(...app) - Math.min(...app)).toBeGreaterThan(0.05)
  })
})
