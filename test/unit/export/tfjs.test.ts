/**
 * The tfjs layers-model export loads with tfjs-layers' loadLayersModel and gives the engine's probabilities within
 * 1e-5, for every architecture (pruned weights, non-trivial batch-norm statistics).
 */
import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { initBackend } from '../../../main/engine/backend.ts'
import { createModel, type ModelSpec } from '../../../main/engine/models.ts'
import { exportTfjsLayers } from '../../../main/engine/export/tfjs.ts'
import { inputWidth } from '../../../main/engine/export/onnx.ts'
import { predictProbabilities, snapshotModel } from '../../../main/engine/export/trained.ts'
import { mulberry32 } from '../../../main/lib/random.ts'

const specs: ModelSpec[] = [
  { kind: 'mlp', inputs: 9, classes: 3, depth: 2, width: 16 },
  { kind: 'cnn', imageShape: [7, 6, 2], classes: 4, channels: [4, 6], hidden: 10 },
  { kind: 'resnet', imageShape: [8, 8, 1], classes: 3, width: 4, stages: 3, blocksPerStage: 2 },
  { kind: 'tabresnet', inputs: 7, classes: 3, width: 8, blocks: 2 }
]

describe.each(specs)('tfjs layers export of $kind', (spec) => {
  beforeAll(async () => {
    await initBackend('cpu')
  })

  it('loads with loadLayersModel and matches the engine within 1e-5', async () => {
    const model = createModel(spec, 5, { projection: null })
    const u = mulberry32(17)
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
    const n = 11
    const width = inputWidth(trained)
    const x = Float32Array.from({ length: n * width }, () => u() * 2 - 1)
    const app = predictProbabilities(trained, x, n)
    const out = exportTfjsLayers(trained)
    // Through JSON, as from a file.
    const topology = JSON.parse(JSON.stringify(out.modelTopology))
    const loaded = await tfl.loadLayersModel(
      tf.io.fromMemory({ modelTopology: topology, weightSpecs: out.weightSpecs, weightData: out.weightData.slice().buffer })
    )
    const y = loaded.predict(tf.tensor2d(x, [n, width])) as tf.Tensor
    const probs = (await y.data()) as Float32Array
    let worst = 0
    for (let i = 0; i < app.length; i++) worst = Math.max(worst, Math.abs(app[i] - probs[i]))
    expect(probs.length).toBe(app.length)
    expect(worst).toBeLessThan(1e-5)
    expect(Math.max(...app) - Math.min(...app)).toBeGreaterThan(0.05)
    loaded.dispose()
    y.dispose()
  })
})
