/**
 * A trained model → a TensorFlow.js layers model (format "layers-model": Keras-style topology JSON + weights
 * manifest), loadable with `tf.loadLayersModel` (tfjs or tfjs-layers). Pure: tensors in, JSON and bytes out.
 *
 * Input [batch, nFeatures] (preprocessed rows, images flattened H×W×C), output the class probabilities. Channels-last
 * throughout, so the app's weights keep their memory order: dense [in, out], conv [k·k·Cin, Cout] = [k, k, Cin, Cout].
 * Batch norm stays a BatchNormalization layer (ε = 1e-5, running statistics as moving mean/variance); masks are baked in.
 * The structure mirrors main/engine/models/*.ts and is read from the tensor names, as for ONNX (onnx.ts).
 */
import { TensorTable, type TrainedModel, type TrainedTensor } from './trained.ts'

const BN_EPSILON = 1e-5

interface KerasLayer {
  class_name: string
  name: string
  config: Record<string, unknown>
  inbound_nodes: Array<Array<[string, number, number, Record<string, never>]>>
}

export interface WeightSpec {
  name: string
  shape: number[]
  dtype: 'float32'
}

export interface TfjsLayersModel {
  /** model.json without its `weightsManifest` paths (the caller names the .bin file). */
  modelTopology: Record<string, unknown>
  weightSpecs: WeightSpec[]
  weightData: Uint8Array
  /** For each weight spec, the app's tensor name and shape (to map a bundle back to the engine's model). */
  appTensors: Array<{ name: string; shape: number[] }>
}

const layerName = (appPrefix: string) => appPrefix.replace(/\//g, '_')

class Builder extends TensorTable {
  readonly layers: KerasLayer[] = []
  readonly weights: Array<{ spec: WeightSpec; values: Float32Array; app: TrainedTensor }> = []
  private n = 0

  layer(className: string, config: Record<string, unknown>, inputs: string[], name?: string): string {
    const ln = name ?? `${className.toLowerCase()}_${this.n++}`
    // A repeated name would wire the graph into a cycle (tfjs then never finishes loading it).
    if (this.layers.some((l) => l.name === ln)) throw new Error(`duplicate layer name ${ln}`)
    this.layers.push({
      class_name: className,
      name: ln,
      config: { name: ln, trainable: true, ...config },
      inbound_nodes: inputs.length ? [inputs.map((i) => [i, 0, 0, {}])] : []
    })
    return ln
  }

  weight(ln: string, kind: string, app: TrainedTensor, shape: number[]): void {
    this.weights.push({ spec: { name: `${ln}/${kind}`, shape, dtype: 'float32' }, values: app.values, app })
  }

  dense(x: string, prefix: string, activation: 'relu' | 'linear'): string {
    const w = this.get(`${prefix}/w`)
    const ln = this.layer('Dense', { units: w.shape[1], activation, use_bias: true }, [x], layerName(prefix))
    this.weight(ln, 'kernel', w, w.shape)
    this.weight(ln, 'bias', this.get(`${prefix}/b`), [w.shape[1]])
    return ln
  }

  conv(x: string, prefix: string, cin: number, activation: 'relu' | 'linear'): { y: string; cout: number } {
    const w = this.get(`${prefix}/w`)
    const k = Math.round(Math.sqrt(w.shape[0] / cin))
    if (k * k * cin !== w.shape[0]) throw new Error(`${w.name}: ${w.shape[0]} rows is not k·k·${cin}`)
    const hasBias = this.has(`${prefix}/b`)
    const ln = this.layer(
      'Conv2D',
      {
        filters: w.shape[1],
        kernel_size: [k, k],
        strides: [1, 1],
        padding: 'same',
        data_format: 'channels_last',
        dilation_rate: [1, 1],
        activation,
        use_bias: hasBias
      },
      [x],
      layerName(prefix)
    )
    this.weight(ln, 'kernel', w, [k, k, cin, w.shape[1]])
    if (hasBias) this.weight(ln, 'bias', this.get(`${prefix}/b`), [w.shape[1]])
    return { y: ln, cout: w.shape[1] }
  }

  batchNorm(x: string, prefix: string): string {
    const c = this.get(`${prefix}/gamma`).values.length
    const ln = this.layer('BatchNormalization', { axis: -1, momentum: 0.9, epsilon: BN_EPSILON, center: true, scale: true }, [x], layerName(prefix))
    for (const [app, kind] of [
      ['gamma', 'gamma'],
      ['beta', 'beta'],
      ['mean', 'moving_mean'],
      ['var', 'moving_variance']
    ] as const)
      this.weight(ln, kind, this.get(`${prefix}/${app}`), [c])
    return ln
  }

  relu(x: string): string {
    return this.layer('Activation', { activation: 'relu' }, [x])
  }

  maxPool(x: string): string {
    return this.layer('MaxPooling2D', { pool_size: [2, 2], strides: [2, 2], padding: 'valid', data_format: 'channels_last' }, [x])
  }
}

function mlp(b: Builder, x: string): string {
  let h = x
  for (let i = 0; b.has(`layer${i}/w`); i++) h = b.dense(h, `layer${i}`, 'relu')
  return h
}

function cnn(b: Builder, x: string, shape: [number, number, number]): string {
  let m = b.layer('Reshape', { target_shape: shape }, [x])
  let c = shape[2]
  for (let i = 0; b.has(`conv${i}/w`); i++) {
    const conv = b.conv(m, `conv${i}`, c, 'relu')
    m = b.maxPool(conv.y)
    c = conv.cout
  }
  return b.dense(b.layer('Flatten', { data_format: 'channels_last' }, [m]), 'fc', 'relu')
}

function resnet(b: Builder, x: string, shape: [number, number, number]): string {
  let [h, w, c] = shape
  const convBn = (input: string, prefix: string, cin: number) => {
    const conv = b.conv(input, prefix, cin, 'linear')
    return { y: b.batchNorm(conv.y, `${prefix}/bn`), cout: conv.cout }
  }
  const stem = convBn(b.layer('Reshape', { target_shape: shape }, [x]), 'stem', c)
  let m = b.relu(stem.y)
  c = stem.cout
  for (let s = 0; b.has(`s${s}b0/a/w`); s++) {
    for (let j = 0; b.has(`s${s}b${j}/a/w`); j++) {
      const name = `s${s}b${j}`
      if (s > 0 && j === 0 && h >= 2 && w >= 2) {
        m = b.maxPool(m)
        h = Math.floor(h / 2)
        w = Math.floor(w / 2)
      }
      const a = convBn(m, `${name}/a`, c)
      const bb = convBn(b.relu(a.y), `${name}/b`, a.cout)
      const sc = b.has(`${name}/short/w`) ? convBn(m, `${name}/short`, c).y : m
      m = b.relu(b.layer('Add', {}, [bb.y, sc]))
      c = bb.cout
    }
  }
  return b.layer('GlobalAveragePooling2D', { data_format: 'channels_last' }, [m])
}

function tabresnet(b: Builder, x: string): string {
  let h = b.dense(x, 'input', 'linear')
  for (let i = 0; b.has(`b${i}/l1/w`); i++) {
    const z = b.dense(b.batchNorm(h, `b${i}/bn`), `b${i}/l1`, 'relu')
    h = b.layer('Add', {}, [h, b.dense(z, `b${i}/l2`, 'linear')])
  }
  return b.relu(b.batchNorm(h, 'final/bn'))
}

function inputWidthOf(spec: TrainedModel['spec']): number {
  return spec.kind === 'mlp' || spec.kind === 'tabresnet' ? spec.inputs : spec.imageShape[0] * spec.imageShape[1] * spec.imageShape[2]
}

export function exportTfjsLayers(m: Pick<TrainedModel, 'spec' | 'tensors'>): TfjsLayersModel {
  const b = new Builder(m.tensors)
  const spec = m.spec
  const x = b.layer('InputLayer', { batch_input_shape: [null, inputWidthOf(spec)], dtype: 'float32', sparse: false }, [], 'model_input')
  const features =
    spec.kind === 'mlp'
      ? mlp(b, x)
      : spec.kind === 'cnn'
        ? cnn(b, x, spec.imageShape)
        : spec.kind === 'resnet'
          ? resnet(b, x, spec.imageShape)
          : tabresnet(b, x)
  const logits = b.dense(features, 'head', 'linear')
  const probs = b.layer('Activation', { activation: 'softmax' }, [logits], 'probabilities')
  const total = b.weights.reduce((a, w) => a + w.values.length, 0)
  const all = new Float32Array(total)
  let o = 0
  for (const w of b.weights) {
    all.set(w.values, o)
    o += w.values.length
  }
  return {
    modelTopology: {
      class_name: 'Model',
      config: { name: `iunet_${spec.kind}`, layers: b.layers, input_layers: [[x, 0, 0]], output_layers: [[probs, 0, 0]] },
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js'
    },
    weightSpecs: b.weights.map((w) => w.spec),
    weightData: new Uint8Array(all.buffer),
    appTensors: b.weights.map((w) => ({ name: w.app.name, shape: w.app.shape }))
  }
}
