/**
 * A trained model → ONNX bytes (opset 13, IR 7), pure: tensors in, bytes out.
 *
 * Input "input": [batch, nFeatures] float32 — the preprocessed row, images flattened H×W×C (as the app feeds them).
 * Outputs "logits" and "probabilities" (softmax): [batch, classes].
 * Masks are baked in (pruned weights are stored as 0). Batch norm is folded into the adjacent linear/conv where the
 * algebra allows (ResNet: conv → BN; tabular ResNet: BN → linear); the tabular ResNet's final BN (after a residual
 * sum) is exported as an inference-mode BatchNormalization op.
 * The graph mirrors main/engine/models/*.ts; the structure is read from the tensor names and shapes.
 */
import { onnxTypes } from './onnx-schema.ts'
import { TensorTable, type TrainedModel, type TrainedTensor } from './trained.ts'

export const ONNX_OPSET = 13
const IR_VERSION = 7
const FLOAT = 1
const INT64 = 7
const BN_EPSILON = 1e-5

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

  /** y = x·W + b with W [in, out] (the app's layout). */
  dense(x: string, name: string, relu: boolean, w?: Float32Array, b?: Float32Array): string {
    const wt = this.get(`${name}/w`)
    const wName = this.float(`${name}/w`, wt.shape, w ?? wt.values)
    const bName = this.float(`${name}/b`, [wt.shape[1]], b ?? this.get(`${name}/b`).values)
    const y = this.op('Gemm', [x, wName, bName])
    return relu ? this.op('Relu', [y]) : y
  }
}

/** Per-channel scale s = γ/√(σ²+ε) and shift t = β − μ·s of an inference-mode batch norm. */
function bnAffine(g: Graph, name: string): { s: Float64Array; t: Float64Array } {
  const gamma = g.get(`${name}/gamma`).values
  const beta = g.get(`${name}/beta`).values
  const mean = g.get(`${name}/mean`).values
  const variance = g.get(`${name}/var`).values
  const s = Float64Array.from(gamma, (v, i) => v / Math.sqrt(variance[i] + BN_EPSILON))
  const t = Float64Array.from(beta, (v, i) => v - mean[i] * s[i])
  return { s, t }
}

/** App conv weight [(dy·k + dx)·Cin + ci, co] → ONNX [co, ci, dy, dx], each output channel scaled by `scale`. */
function convWeight(w: TrainedTensor, cin: number, scale?: Float64Array): { dims: number[]; values: Float32Array; k: number } {
  const cout = w.shape[1]
  const k = Math.round(Math.sqrt(w.shape[0] / cin))
  if (k * k * cin !== w.shape[0]) throw new Error(`${w.name}: ${w.shape[0]} rows is not k·k·${cin}`)
  const out = new Float32Array(w.values.length)
  for (let dy = 0; dy < k; dy++)
    for (let dx = 0; dx < k; dx++)
      for (let ci = 0; ci < cin; ci++)
        for (let co = 0; co < cout; co++) {
          const v = w.values[((dy * k + dx) * cin + ci) * cout + co]
          out[((co * cin + ci) * k + dy) * k + dx] = scale ? v * scale[co] : v
        }
  return { dims: [cout, cin, k, k], values: out, k }
}

function conv(g: Graph, x: string, name: string, cin: number, w: { dims: number[]; values: Float32Array; k: number }, bias: Float32Array): string {
  const pad = (w.k - 1) / 2
  const wn = g.float(`${name}/w`, w.dims, w.values)
  const bn = g.float(`${name}/b`, [w.dims[0]], bias)
  return g.op('Conv', [x, wn, bn], [intsAttr('kernel_shape', [w.k, w.k]), intsAttr('pads', [pad, pad, pad, pad]), intsAttr('strides', [1, 1])])
}

const maxPool = (g: Graph, x: string) => g.op('MaxPool', [x], [intsAttr('kernel_shape', [2, 2]), intsAttr('strides', [2, 2])])

function buildMlp(g: Graph, x: string): string {
  let h = x
  for (let i = 0; g.has(`layer${i}/w`); i++) h = g.dense(h, `layer${i}`, true)
  return h
}

/** Flat NHWC rows → NCHW maps. */
function toNchw(g: Graph, x: string, [h, w, c]: [number, number, number]): string {
  const nhwc = g.op('Reshape', [x, g.int64('shape_nhwc', [-1, h, w, c])])
  return g.op('Transpose', [nhwc], [intsAttr('perm', [0, 3, 1, 2])])
}

function buildCnn(g: Graph, x: string, shape: [number, number, number]): string {
  let [h, w, c] = shape
  let m = toNchw(g, x, shape)
  for (let i = 0; g.has(`conv${i}/w`); i++) {
    const wt = g.get(`conv${i}/w`)
    m = maxPool(g, g.op('Relu', [conv(g, m, `conv${i}`, c, convWeight(wt, c), g.get(`conv${i}/b`).values)]))
    c = wt.shape[1]
    h = Math.floor(h / 2)
    w = Math.floor(w / 2)
  }
  // The app flattens NHWC maps: back to NHWC before the dense layer.
  const nhwc = g.op('Transpose', [m], [intsAttr('perm', [0, 2, 3, 1])])
  const flat = g.op('Reshape', [nhwc, g.int64('shape_flat', [-1, h * w * c])])
  return g.dense(flat, 'fc', true)
}

/** conv (no bias) + batch norm, folded into one conv with bias. */
function convBn(g: Graph, x: string, name: string, cin: number): { y: string; cout: number } {
  const wt = g.get(`${name}/w`)
  const { s, t } = bnAffine(g, `${name}/bn`)
  return { y: conv(g, x, name, cin, convWeight(wt, cin, s), Float32Array.from(t)), cout: wt.shape[1] }
}

function buildResNet(g: Graph, x: string, shape: [number, number, number]): string {
  let [h, w, c] = shape
  const stem = convBn(g, toNchw(g, x, shape), 'stem', c)
  let m = g.op('Relu', [stem.y])
  c = stem.cout
  for (let s = 0; g.has(`s${s}b0/a/w`); s++) {
    for (let j = 0; g.has(`s${s}b${j}/a/w`); j++) {
      const name = `s${s}b${j}`
      // Same rule as models/resnet.ts: pool before the first block of every stage after the first.
      if (s > 0 && j === 0 && h >= 2 && w >= 2) {
        m = maxPool(g, m)
        h = Math.floor(h / 2)
        w = Math.floor(w / 2)
      }
      const a = convBn(g, m, `${name}/a`, c)
      const b = convBn(g, g.op('Relu', [a.y]), `${name}/b`, a.cout)
      const sc = g.has(`${name}/short/w`) ? convBn(g, m, `${name}/short`, c).y : m
      m = g.op('Relu', [g.op('Add', [b.y, sc])])
      c = b.cout
    }
  }
  return g.op('Flatten', [g.op('GlobalAveragePool', [m])], [intAttr('axis', 1)])
}

function buildTabResNet(g: Graph, x: string): string {
  let h = g.dense(x, 'input', false)
  for (let i = 0; g.has(`b${i}/l1/w`); i++) {
    // BN → linear folds into the linear: W' = diag(s)·W, b' = b + t·W.
    const { s, t } = bnAffine(g, `b${i}/bn`)
    const w1 = g.get(`b${i}/l1/w`)
    const b1 = g.get(`b${i}/l1/b`).values
    const [din, dout] = w1.shape
    const w = new Float32Array(w1.values.length)
    const b = Float64Array.from(b1)
    for (let r = 0; r < din; r++)
      for (let col = 0; col < dout; col++) {
        const v = w1.values[r * dout + col]
        w[r * dout + col] = v * s[r]
        b[col] += t[r] * v
      }
    const z = g.dense(h, `b${i}/l1`, true, w, Float32Array.from(b))
    h = g.op('Add', [h, g.dense(z, `b${i}/l2`, false)])
  }
  const bnIn = ['gamma', 'beta', 'mean', 'var'].map((k) => {
    const t = g.get(`final/bn/${k}`)
    return g.float(`final/bn/${k}`, [t.values.length], t.values)
  })
  return g.op('Relu', [g.op('BatchNormalization', [h, ...bnIn], [floatAttr('epsilon', BN_EPSILON)])])
}

export interface OnnxOptions {
  producerVersion?: string
  /** Extra key/value metadata stored in the model (class names, run id…). */
  metadata?: Record<string, string>
}

/** The model's input width (features per row). */
export function inputWidth(m: Pick<TrainedModel, 'spec'>): number {
  const s = m.spec
  return s.kind === 'mlp' || s.kind === 'tabresnet' ? s.inputs : s.imageShape[0] * s.imageShape[1] * s.imageShape[2]
}

export function exportOnnx(m: Pick<TrainedModel, 'spec' | 'tensors'>, opts: OnnxOptions = {}): Uint8Array {
  const g = new Graph(m.tensors)
  const spec = m.spec
  const x = 'input'
  const features =
    spec.kind === 'mlp'
      ? buildMlp(g, x)
      : spec.kind === 'cnn'
        ? buildCnn(g, x, spec.imageShape)
        : spec.kind === 'resnet'
          ? buildResNet(g, x, spec.imageShape)
          : buildTabResNet(g, x)
  g.dense(features, 'head', false)
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
      name: `iunet_${spec.kind}`,
      node: g.nodes,
      initializer: g.initializers,
      input: [{ name: x, type: tensorType(['batch', inputWidth(m)]) }],
      output: [
        { name: 'logits', type: tensorType(['batch', spec.classes]) },
        { name: 'probabilities', type: tensorType(['batch', spec.classes]) }
      ]
    }
  }
  const { ModelProto } = onnxTypes()
  const err = ModelProto.verify(model)
  if (err) throw new Error(`ONNX model does not fit the schema: ${err}`)
  return ModelProto.encode(ModelProto.fromObject(model)).finish()
}
