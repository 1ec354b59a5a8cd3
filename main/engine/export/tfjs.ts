/**
 * A trained model → a TensorFlow.js layers model (format "layers-model": Keras-style topology JSON + weights
 * manifest), loadable with `tf.loadLayersModel` (tfjs or tfjs-layers). Pure: tensors in, JSON and bytes out.
 *
 * Input [batch, nFeatures] (preprocessed rows, images flattened H×W×C), output the class probabilities. Channels-last
 * throughout, so the app's weights keep their memory order: dense [in, out], conv [k·k·Cin, Cout] = [k, k, Cin, Cout].
 * Batch norm stays a BatchNormalization layer (running statistics as moving mean/variance); masks are baked in.
 * The layers are the architecture's description (engine/models/arch.ts) walked in order, the one training builds
 * from and the ONNX export walks too.
 */
import { describeModel, type Layer } from '../models.ts'
import { BN_EPSILON } from '../models/arch.ts'
import { TensorTable, type TrainedModel, type TrainedTensor } from './trained.ts'

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

  dense(x: string, l: { name: string; inputs: number; units: number; relu: boolean }): string {
    const ln = this.layer('Dense', { units: l.units, activation: l.relu ? 'relu' : 'linear', use_bias: true }, [x], layerName(l.name))
    this.weight(ln, 'kernel', this.get(`${l.name}/w`, [l.inputs, l.units]), [l.inputs, l.units])
    this.weight(ln, 'bias', this.get(`${l.name}/b`, [l.units]), [l.units])
    return ln
  }

  conv(x: string, l: Extract<Layer, { op: 'conv' }>): string {
    const ln = this.layer(
      'Conv2D',
      {
        filters: l.cout,
        kernel_size: [l.k, l.k],
        strides: [1, 1],
        padding: 'same',
        data_format: 'channels_last',
        dilation_rate: [1, 1],
        activation: l.relu ? 'relu' : 'linear',
        use_bias: l.bias
      },
      [x],
      layerName(l.name)
    )
    // [k·k·Cin, Cout] is [k, k, Cin, Cout] in memory.
    this.weight(ln, 'kernel', this.get(`${l.name}/w`, [l.k * l.k * l.cin, l.cout]), [l.k, l.k, l.cin, l.cout])
    if (l.bias) this.weight(ln, 'bias', this.get(`${l.name}/b`, [l.cout]), [l.cout])
    return ln
  }

  batchNorm(x: string, l: Extract<Layer, { op: 'norm' }>): string {
    const ln = this.layer('BatchNormalization', { axis: -1, momentum: 0.9, epsilon: BN_EPSILON, center: true, scale: true }, [x], layerName(l.name))
    for (const [app, kind] of [
      ['gamma', 'gamma'],
      ['beta', 'beta'],
      ['mean', 'moving_mean'],
      ['var', 'moving_variance']
    ] as const)
      this.weight(ln, kind, this.get(`${l.name}/${app}`, [l.channels]), [l.channels])
    return ln
  }

  relu(x: string): string {
    return this.layer('Activation', { activation: 'relu' }, [x])
  }

  maxPool(x: string): string {
    return this.layer('MaxPooling2D', { pool_size: [2, 2], strides: [2, 2], padding: 'valid', data_format: 'channels_last' }, [x])
  }
}

/** The layers of `layers` on `x`. */
function walk(b: Builder, x: string, layers: readonly Layer[]): string {
  let h = x
  for (const l of layers) {
    if (l.op === 'dense') h = b.dense(h, l)
    else if (l.op === 'conv') h = b.conv(h, l)
    else if (l.op === 'norm') h = b.batchNorm(h, l)
    else if (l.op === 'relu') h = b.relu(h)
    else if (l.op === 'image') h = b.layer('Reshape', { target_shape: l.shape }, [h])
    else if (l.op === 'maxpool') h = b.maxPool(h)
    else if (l.op === 'flatten') h = b.layer('Flatten', { data_format: 'channels_last' }, [h])
    else if (l.op === 'globalAvgPool') h = b.layer('GlobalAveragePooling2D', { data_format: 'channels_last' }, [h])
    else if (l.op === 'residual') h = b.layer('Add', {}, [walk(b, h, l.body), l.shortcut.length ? walk(b, h, l.shortcut) : h])
    // dropout: nothing at inference.
  }
  return h
}

export function exportTfjsLayers(m: Pick<TrainedModel, 'spec' | 'tensors'>): TfjsLayersModel {
  const b = new Builder(m.tensors)
  const arch = describeModel(m.spec)
  const x = b.layer('InputLayer', { batch_input_shape: [null, arch.inputs], dtype: 'float32', sparse: false }, [], 'model_input')
  const logits = b.dense(walk(b, x, arch.encoder), { ...arch.head, relu: false })
  b.placedAll()
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
      config: { name: `iunet_${arch.kind}`, layers: b.layers, input_layers: [[x, 0, 0]], output_layers: [[probs, 0, 0]] },
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js'
    },
    weightSpecs: b.weights.map((w) => w.spec),
    weightData: new Uint8Array(all.buffer),
    appTensors: b.weights.map((w) => ({ name: w.app.name, shape: w.app.shape }))
  }
}
