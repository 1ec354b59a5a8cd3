/**
 * A trained model → ONNX bytes (opset 13, IR 7), pure: tensors in, bytes out.
 *
 * Input "input": [batch, nFeatures] float32 — the preprocessed row, images flattened H×W×C (as the app feeds them).
 * Outputs "logits" and "probabilities" (softmax): [batch, classes].
 * The graph is the architecture's description (engine/models/arch.ts) walked layer by layer, the one training builds
 * from. Masks are baked in (pruned weights are stored as 0). Batch norm is folded into the adjacent linear/conv where
 * the algebra allows (a conv without activation then a norm; a norm then a dense layer); any other norm (the tabular
 * ResNet's final one, after a residual sum) is an inference-mode BatchNormalization op. Maps are NCHW inside the graph.
 */
import { describeModel, type Architecture, type Layer } from '../models.ts'
import { BN_EPSILON } from '../models/arch.ts'
import { onnxTypes } from './onnx-schema.ts'
import { TensorTable, type TrainedModel, type TrainedTensor } from './trained.ts'

export const ONNX_OPSET = 13
const IR_VERSION = 7
const FLOAT = 1
const INT64 = 7

interface Attr {
  name: string
  type: number
  i?: number
  f?: number
  ints?: number[]
}
const intAttr = (name: string, i: number): Attr => ({ name, type: 2, i })
const intsAttr = (name: string, ints: number[]): Attr => ({ name, type: 7, ints })
const floatAttr = (name: string, f: number): Attr => ({ name, type: 1, f })

class Graph extends TensorTable {
  readonly nodes: Array<{ input: string[]; output: string[]; name: string; op_type: string; attribute: Attr[] }> = []
  readonly initializers: Array<Record<string, unknown>> = []
  private n = 0

  float(name: string, dims: number[], values: Float32Array): string {
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
    this.initializers.push({ name, dims, data_type: FLOAT, raw_data: Uint8Array.from(bytes) })
    return name
  }

  int64(name: string, values: number[]): string {
    this.initializers.push({ name, dims: [values.length], data_type: INT64, int64_data: values })
    return name
  }

  op(op: string, inputs: string[], attrs: Attr[] = [], out?: string): string {
    const output = out ?? `${op.toLowerCase()}_${this.n++}`
    this.nodes.push({ input: inputs, output: [output], name: `${op}_${this.nodes.length}`, op_type: op, attribute: attrs })
    return output
  }

  /** y = x·W + b with W [in, out] (the app's layout); `fold` replaces the stored weight and bias (a folded norm). */
  dense(x: string, l: { name: string; inputs: number; units: number; relu: boolean }, fold?: { w: Float32Array; b: Float32Array }): string {
    const wt = this.get(`${l.name}/w`, [l.inputs, l.units])
    const bt = this.get(`${l.name}/b`, [l.units])
    const y = this.op('Gemm', [x, this.float(`${l.name}/w`, wt.shape, fold?.w ?? wt.values), this.float(`${l.name}/b`, [l.units], fold?.b ?? bt.values)])
    return l.relu ? this.op('Relu', [y]) : y
  }
}

/** Per-channel scale s = γ/√(σ²+ε) and shift t = β − μ·s of an inference-mode batch norm. */
function bnAffine(g: Graph, l: { name: string; channels: number }): { s: Float64Array; t: Float64Array } {
  const [gamma, beta, mean, variance] = ['gamma', 'beta', 'mean', 'var'].map((k) => g.get(`${l.name}/${k}`, [l.channels]).values)
  const s = Float64Array.from(gamma, (v, i) => v / Math.sqrt(variance[i] + BN_EPSILON))
  const t = Float64Array.from(beta, (v, i) => v - mean[i] * s[i])
  return { s, t }
}

/** App conv weight [(dy·k + dx)·Cin + ci, co] → ONNX [co, ci, dy, dx], each output channel scaled by `scale`. */
function convWeight(w: TrainedTensor, k: number, cin: number, cout: number, scale?: Float64Array): Float32Array {
  const out = new Float32Array(w.values.length)
  for (let dy = 0; dy < k; dy++)
    for (let dx = 0; dx < k; dx++)
      for (let ci = 0; ci < cin; ci++)
        for (let co = 0; co < cout; co++) {
          const v = w.values[((dy * k + dx) * cin + ci) * cout + co]
          out[((co * cin + ci) * k + dy) * k + dx] = scale ? v * scale[co] : v
        }
  return out
}

type ConvLayer = Extract<Layer, { op: 'conv' }>
type NormLayer = Extract<Layer, { op: 'norm' }>
type DenseLayer = Extract<Layer, { op: 'dense' }>

/** A conv, with the norm that follows it folded in: W' = W·diag(s), b' = s·b + t. */
function conv(g: Graph, x: string, l: ConvLayer, norm: NormLayer | null): string {
  const w = g.get(`${l.name}/w`, [l.k * l.k * l.cin, l.cout])
  const own = l.bias ? g.get(`${l.name}/b`, [l.cout]).values : new Float32Array(l.cout)
  const affine = norm ? bnAffine(g, norm) : null
  const bias = affine ? Float32Array.from(own, (v, co) => affine.s[co] * v + affine.t[co]) : own
  const pad = (l.k - 1) / 2
  const wn = g.float(`${l.name}/w`, [l.cout, l.cin, l.k, l.k], convWeight(w, l.k, l.cin, l.cout, affine?.s))
  const bn = g.float(`${l.name}/b`, [l.cout], bias)
  const y = g.op('Conv', [x, wn, bn], [intsAttr('kernel_shape', [l.k, l.k]), intsAttr('pads', [pad, pad, pad, pad]), intsAttr('strides', [1, 1])])
  return l.relu ? g.op('Relu', [y]) : y
}

/** A norm, then a dense layer: W' = diag(s)·W, b' = b + t·W. */
function normDense(g: Graph, x: string, norm: NormLayer, l: DenseLayer): string {
  const { s, t } = bnAffine(g, norm)
  const w1 = g.get(`${l.name}/w`, [l.inputs, l.units]).values
  const w = new Float32Array(w1.length)
  const b = Float64Array.from(g.get(`${l.name}/b`, [l.units]).values)
  for (let r = 0; r < l.inputs; r++)
    for (let col = 0; col < l.units; col++) {
      const v = w1[r * l.units + col]
      w[r * l.units + col] = v * s[r]
      b[col] += t[r] * v
    }
  return g.dense(x, l, { w, b: Float32Array.from(b) })
}

/** An inference-mode BatchNormalization op (channels on axis 1: rows [n, c] or NCHW maps). */
function batchNorm(g: Graph, x: string, l: NormLayer): string {
  const inputs = ['gamma', 'beta', 'mean', 'var'].map((k) => g.float(`${l.name}/${k}`, [l.channels], g.get(`${l.name}/${k}`, [l.channels]).values))
  return g.op('BatchNormalization', [x, ...inputs], [floatAttr('epsilon', BN_EPSILON)])
}

/** The graph of `layers` on `x`. */
function walk(g: Graph, x: string, layers: readonly Layer[]): string {
  let h = x
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i]
    const next = layers[i + 1]
    switch (l.op) {
      case 'dense':
        h = g.dense(h, l)
        break
      case 'conv':
        // A conv without activation and the norm after it: one conv.
        if (!l.relu && next?.op === 'norm') {
          h = conv(g, h, l, next)
          i++
        } else h = conv(g, h, l, null)
        break
      case 'norm':
        if (next?.op === 'dense') {
          h = normDense(g, h, l, next)
          i++
        } else h = batchNorm(g, h, l)
        break
      case 'relu':
        h = g.op('Relu', [h])
        break
      case 'dropout':
        break
      case 'image': {
        // Flat NHWC rows → NCHW maps.
        const nhwc = g.op('Reshape', [h, g.int64(`shape_${g.nodes.length}`, [-1, ...l.shape])])
        h = g.op('Transpose', [nhwc], [intsAttr('perm', [0, 3, 1, 2])])
        break
      }
      case 'maxpool':
        h = g.op('MaxPool', [h], [intsAttr('kernel_shape', [2, 2]), intsAttr('strides', [2, 2])])
        break
      case 'flatten': {
        // The app flattens NHWC maps: back to NHWC first.
        const nhwc = g.op('Transpose', [h], [intsAttr('perm', [0, 2, 3, 1])])
        h = g.op('Reshape', [nhwc, g.int64(`shape_${g.nodes.length}`, [-1, l.size])])
        break
      }
      case 'globalAvgPool':
        h = g.op('Flatten', [g.op('GlobalAveragePool', [h])], [intAttr('axis', 1)])
        break
      case 'residual':
        h = g.op('Add', [walk(g, h, l.body), l.shortcut.length ? walk(g, h, l.shortcut) : h])
        break
    }
  }
  return h
}

export interface OnnxOptions {
  producerVersion?: string
  /** Extra key/value metadata stored in the model (class names, run id…). */
  metadata?: Record<string, string>
}

/** The model's input width (features per row). */
export function inputWidth(m: Pick<TrainedModel, 'spec'>): number {
  return describeModel(m.spec).inputs
}

export function exportOnnx(m: Pick<TrainedModel, 'spec' | 'tensors'>, opts: OnnxOptions = {}): Uint8Array {
  const g = new Graph(m.tensors)
  const arch: Architecture = describeModel(m.spec)
  const x = 'input'
  g.dense(walk(g, x, arch.encoder), { ...arch.head, relu: false })
  g.placedAll()
  // The head's Gemm is the last node: name its output "logits".
  g.nodes[g.nodes.length - 1].output = ['logits']
  g.op('Softmax', ['logits'], [intAttr('axis', -1)], 'probabilities')
  const tensorType = (dims: Array<number | string>) => ({
    tensor_type: { elem_type: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } }
  })
  const model = {
    ir_version: IR_VERSION,
    producer_name: 'iunet-workbench',
    producer_version: opts.producerVersion ?? '0',
    model_version: 1,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    metadata_props: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: `iunet_${arch.kind}`,
      node: g.nodes,
      initializer: g.initializers,
      input: [{ name: x, type: tensorType(['batch', arch.inputs]) }],
      output: [
        { name: 'logits', type: tensorType(['batch', arch.head.units]) },
        { name: 'probabilities', type: tensorType(['batch', arch.head.units]) }
      ]
    }
  }
  const { ModelProto } = onnxTypes()
  const err = ModelProto.verify(model)
  if (err) throw new Error(`ONNX model does not fit the schema: ${err}`)
  return ModelProto.encode(ModelProto.fromObject(model)).finish()
}
