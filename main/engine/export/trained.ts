/**
 * A trained model as plain data: its spec and every tensor inference needs (weights with the masks baked in, biases,
 * batch-norm γ/β and running statistics), without the projection head (training only). Enough to rebuild the model
 * in the app (createModel + setWeights) or to write it out as ONNX / a tfjs weights manifest.
 */
import type { ModelKind } from '../../contract/index.ts'
import { createModel } from '../models.ts'
import type { Model, ModelSpec } from '../models/types.ts'
import { predict } from '../train.ts'

export interface TrainedTensor {
  /** The model's parameter name, e.g. 'layer0/w', 's0b0/a/bn/mean'. */
  name: string
  shape: number[]
  values: Float32Array
}

/**
 * A trained model's tensors by name, for the exporters that walk its architecture's description. Each tensor is
 * checked against the shape the description gives it, and an export ends with `placedAll()`: a tensor the walk did
 * not place means the model and the description disagree (the export would silently drop a layer).
 */
export class TensorTable {
  private readonly tensors: Map<string, TrainedTensor>
  private readonly placed = new Set<string>()

  constructor(tensors: readonly TrainedTensor[]) {
    this.tensors = new Map(tensors.map((t) => [t.name, t]))
  }

  /** The tensor `name`, which must have `shape` (rows × columns as the engine stores it). */
  get(name: string, shape: readonly number[]): TrainedTensor {
    const t = this.tensors.get(name)
    if (!t) throw new Error(`the model has no tensor ${name}`)
    const size = shape.reduce((a, b) => a * b, 1)
    if (t.shape.join('×') !== shape.join('×') || t.values.length !== size)
      throw new Error(`tensor ${name} is ${t.shape.join('×')} (${t.values.length} values), the architecture says ${shape.join('×')}`)
    this.placed.add(name)
    return t
  }

  /** Throws when a tensor of the model was not placed by the export. */
  placedAll(): void {
    const left = [...this.tensors.keys()].filter((n) => !this.placed.has(n))
    if (left.length) throw new Error(`the model has tensors its architecture does not place: ${left.join(', ')}`)
  }
}

export interface TrainedModel {
  model: ModelKind
  seed: number
  compression: number
  spec: ModelSpec
  tensors: TrainedTensor[]
}

/** Copies the evaluated weights of `model` out (pruned weights are exactly 0: the mask is multiplied in again). */
export function snapshotModel(model: Model, spec: ModelSpec, id: { model: ModelKind; seed: number; compression: number }): TrainedModel {
  const weights = model.getWeights()
  const tensors: TrainedTensor[] = []
  const seen = new Set<string>()
  for (const p of model.params) {
    seen.add(p.name)
    if (p.group === 'projection') continue
    const values = weights.get(p.name)!
    if (p.mask) {
      const m = p.mask.dataSync() as Float32Array
      for (let i = 0; i < values.length; i++) if (m[i] === 0) values[i] = 0
    }
    tensors.push({ name: p.name, shape: [...p.variable.shape], values })
  }
  // Buffers (batch-norm running mean/variance): one value per channel.
  for (const [name, values] of weights) if (!seen.has(name)) tensors.push({ name, shape: [values.length], values })
  return { ...id, spec, tensors }
}

/** The model again, in the app's engine, for inference (call dispose() when done). */
export function rebuildModel(t: Pick<TrainedModel, 'spec' | 'tensors'>): Model {
  const model = createModel(t.spec, 0, { projection: null })
  const map = new Map(t.tensors.map((x) => [x.name, x.values]))
  const missing = model.params.map((p) => p.name).filter((n) => !map.has(n))
  if (missing.length) {
    model.dispose()
    throw new Error(`the stored model lacks ${missing.join(', ')}`)
  }
  model.setWeights(map)
  return model
}

/** The ArrayBuffers of a trained model's tensors, for postMessage's transfer list. */
export function transferablesOf(models: readonly TrainedModel[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>()
  for (const m of models) for (const t of m.tensors) if (t.values.buffer instanceof ArrayBuffer) out.add(t.values.buffer)
  return [...out]
}

/** Softmax probabilities of `n` preprocessed rows, computed by the app's engine from the stored weights. */
export function predictProbabilities(t: Pick<TrainedModel, 'spec' | 'tensors'>, x: Float32Array, n: number): Float32Array {
  const model = rebuildModel(t)
  try {
    const { logits, nClasses: k } = predict(model, x, n, 512, false)
    const out = new Float32Array(n * k)
    for (let i = 0; i < n; i++) {
      let max = -Infinity
      for (let j = 0; j < k; j++) max = Math.max(max, logits[i * k + j])
      let sum = 0
      for (let j = 0; j < k; j++) sum += Math.exp(logits[i * k + j] - max)
      for (let j = 0; j < k; j++) out[i * k + j] = Math.exp(logits[i * k + j] - max) / sum
    }
    return out
  } finally {
    model.dispose()
  }
}
