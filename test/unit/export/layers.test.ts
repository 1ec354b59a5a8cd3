/**
 * One description per architecture (engine/models/arch.ts), read by training and by both exporters: for each
 * architecture (and edge shapes: no hidden layer, a pool skipped on small maps, dropout), the trainer's parameters and
 * buffers are exactly the tensors the description lists (names, shapes, order), the tfjs export places exactly those,
 * and a model whose tensors differ from its description by one tensor — missing, extra or reshaped — is refused by
 * both exporters with the tensor named, instead of being exported with a layer dropped or misread.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../../../main/engine/backend.ts'
import { createModel, describeModel, tensorsOf, type ModelSpec } from '../../../main/engine/models.ts'
import { exportOnnx } from '../../../main/engine/export/onnx.ts'
import { exportTfjsLayers } from '../../../main/engine/export/tfjs.ts'
import { snapshotModel, type TrainedModel } from '../../../main/engine/export/trained.ts'

const specs: ModelSpec[] = [
  { kind: 'mlp', inputs: 9, classes: 3, depth: 2, width: 16 },
  { kind: 'mlp', inputs: 5, classes: 2, depth: 0, width: 16 },
  { kind: 'cnn', imageShape: [7, 6, 2], classes: 4, channels: [4, 6], hidden: 10 },
  { kind: 'cnn', imageShape: [5, 5, 1], classes: 2, channels: [3], hidden: 4 },
  { kind: 'resnet', imageShape: [8, 8, 1], classes: 3, width: 4, stages: 3, blocksPerStage: 2 },
  { kind: 'resnet', imageShape: [3, 3, 2], classes: 2, width: 2, stages: 3, blocksPerStage: 1 },
  { kind: 'tabresnet', inputs: 7, classes: 3, width: 8, blocks: 2, dropout: 0.1 }
]

const shapes = (ts: readonly { name: string; shape: number[] }[]) => ts.map((t) => `${t.name} ${t.shape.join('×')}`)

function trained(spec: ModelSpec): TrainedModel {
  const model = createModel(spec, 1, { projection: { hidden: 4, out: 2 } })
  try {
    return snapshotModel(model, spec, { model: 'iunet', seed: 0, compression: 1 })
  } finally {
    model.dispose()
  }
}

beforeAll(async () => {
  await initBackend('cpu')
})

describe.each(specs)('$kind %#: one layer list for training and both exports', (spec) => {
  it('the trainer holds exactly the described tensors, in the described order', () => {
    const arch = describeModel(spec)
    const model = createModel(spec, 1, { projection: { hidden: 4, out: 2 } })
    try {
      // Parameters (the projection head is training-only) in registration order, then the running statistics.
      const params = model.params.filter((p) => p.group !== 'projection').map((p) => ({ name: p.name, shape: [...p.variable.shape] }))
      const described = tensorsOf(arch)
      expect(shapes(params)).toEqual(shapes(described.filter((t) => !/\/(mean|var)$/.test(t.name))))
      expect(shapes(trained(spec).tensors).sort()).toEqual(shapes(described).sort())
      expect(model.featureDim).toBe(arch.featureDim)
      expect(model.inputShape).toEqual(arch.inputShape)
    } finally {
      model.dispose()
    }
  })

  it('the tfjs export places exactly those tensors, in order; the ONNX export takes them all', () => {
    const t = trained(spec)
    expect(shapes(exportTfjsLayers(t).appTensors)).toEqual(shapes(tensorsOf(describeModel(spec))))
    expect(exportOnnx(t).length).toBeGreaterThan(0)
  })

  it('both exporters refuse a model one tensor away from its description, naming the tensor', () => {
    const t = trained(spec)
    const first = t.tensors[0]!
    const missing = { ...t, tensors: t.tensors.slice(1) }
    const extra = { ...t, tensors: [...t.tensors, { name: 'extra/w', shape: [2, 2], values: new Float32Array(4) }] }
    const reshaped = { ...t, tensors: [{ ...first, shape: [...first.shape].reverse().concat(first.shape.length === 1 ? [1] : []) }, ...t.tensors.slice(1)] }
    for (const exporter of [exportOnnx, exportTfjsLayers]) {
      expect(() => exporter(missing)).toThrow(`the model has no tensor ${first.name}`)
      expect(() => exporter(extra)).toThrow('the model has tensors its architecture does not place: extra/w')
      expect(() => exporter(reshaped)).toThrow(new RegExp(`tensor ${first.name.replace('/', '\\/')} is .* the architecture says`))
    }
  })
})

describe('descriptions', () => {
  it('pool only where the maps allow it: a 3×3 ResNet pools once (3 → 1), then keeps 1×1 maps', () => {
    const arch = describeModel({ kind: 'resnet', imageShape: [3, 3, 2], classes: 2, width: 2, stages: 3, blocksPerStage: 1 })
    expect(arch.encoder.filter((l) => l.op === 'maxpool')).toHaveLength(1)
    const convs = JSON.stringify(arch.encoder).match(/"uses":\d+/g)
    // stem and stage 0 at 3×3 (9 positions), the rest at 1×1.
    expect(convs).toEqual(['"uses":9', '"uses":9', '"uses":9', '"uses":1', '"uses":1', '"uses":1', '"uses":1', '"uses":1', '"uses":1'])
  })

  it('an MLP without hidden layers is the head on the raw features', () => {
    const arch = describeModel({ kind: 'mlp', inputs: 5, classes: 2, depth: 0, width: 16 })
    expect(arch.encoder).toEqual([])
    expect(arch.head).toEqual({ name: 'head', inputs: 5, units: 2 })
  })
})
