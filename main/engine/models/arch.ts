/**
 * Each architecture described once, as data: its layers in order, their names, sizes and activations. Training builds
 * its model from this description (build.ts), and both exporters (export/onnx.ts, export/tfjs.ts) walk the same list,
 * so the trained weights, the ONNX graph and the tfjs model cannot disagree on what a layer is or where it sits.
 *
 * A layer's name is its parameters' prefix: dense and conv weights are `<name>/w` (and `<name>/b`), a batch norm's
 * tensors `<name>/gamma`, `/beta`, `/mean`, `/var`. Encoder layers with weights are prunable; the head never is.
 */
import type { ModelArch } from './types.ts'

/** Seeded initial weights: He normal for layers a ReLU follows (and every conv), LeCun normal otherwise. */
export type Init = 'he' | 'lecun'

/** One step of the encoder. Rows are flat [n, width] until `image` makes NHWC maps [n, h, w, c]. */
export type Layer =
  /** y = x·W + b, W [inputs, units]; `relu` fused. */
  | { op: 'dense'; name: string; inputs: number; units: number; relu: boolean; init: Init }
  /** k×k convolution, stride 1, 'same' padding, W [k·k·cin, cout]; `uses` = output positions (h·w), for FLOPs. */
  | { op: 'conv'; name: string; cin: number; cout: number; k: number; relu: boolean; bias: boolean; uses: number }
  /** Batch norm over the last axis (on maps: statistics over B·H·W), ε = BN_EPSILON; running statistics kept. */
  | { op: 'norm'; name: string; channels: number }
  | { op: 'relu' }
  /** Seeded inverted dropout while training (its stream is named `name`); nothing at inference. */
  | { op: 'dropout'; name: string; rate: number }
  /** Flat rows → NHWC maps. */
  | { op: 'image'; shape: [number, number, number] }
  /** 2×2 max-pool, stride 2 (odd sizes floor). */
  | { op: 'maxpool' }
  /** NHWC maps → flat rows of `size` = h·w·c, in NHWC order. */
  | { op: 'flatten'; size: number }
  /** Mean over H and W: maps → [n, c]. */
  | { op: 'globalAvgPool' }
  /** body(x) + shortcut(x); an empty shortcut is the identity. */
  | { op: 'residual'; body: Layer[]; shortcut: Layer[] }

export interface Architecture {
  kind: ModelArch
  /** Per example, without the batch axis: [features], or [H, W, C] for image models (fed flattened). */
  inputShape: number[]
  /** Width of an input row (prod(inputShape)). */
  inputs: number
  encoder: Layer[]
  /** Width of the encoder's output, the head's input. */
  featureDim: number
  /** The linear classifier (never pruned), LeCun init. */
  head: { name: 'head'; inputs: number; units: number }
}

/** Batch norm's ε, in training and in both exports. */
export const BN_EPSILON = 1e-5

/** A dense layer of the encoder. */
export function dense(name: string, inputs: number, units: number, relu: boolean, init: Init = relu ? 'he' : 'lecun'): Layer {
  return { op: 'dense', name, inputs, units, relu, init }
}

/** The architecture around an encoder: input width, head sizes. */
export function architecture(kind: ModelArch, inputShape: number[], encoder: Layer[], featureDim: number, classes: number): Architecture {
  return { kind, inputShape, inputs: inputShape.reduce((a, b) => a * b, 1), encoder, featureDim, head: { name: 'head', inputs: featureDim, units: classes } }
}

/** Every layer, depth first (a residual's body before its shortcut): the order parameters are registered in. */
export function flatLayers(layers: readonly Layer[]): Layer[] {
  return layers.flatMap((l) => (l.op === 'residual' ? [l, ...flatLayers(l.body), ...flatLayers(l.shortcut)] : [l]))
}

/** The tensors a trained model of `arch` holds for inference (its projection head aside), with their shapes. */
export function tensorsOf(arch: Architecture): { name: string; shape: number[] }[] {
  const out: { name: string; shape: number[] }[] = []
  for (const l of flatLayers(arch.encoder)) {
    if (l.op === 'dense') out.push({ name: `${l.name}/w`, shape: [l.inputs, l.units] }, { name: `${l.name}/b`, shape: [l.units] })
    else if (l.op === 'conv') {
      out.push({ name: `${l.name}/w`, shape: [l.k * l.k * l.cin, l.cout] })
      if (l.bias) out.push({ name: `${l.name}/b`, shape: [l.cout] })
    } else if (l.op === 'norm') for (const t of ['gamma', 'beta', 'mean', 'var']) out.push({ name: `${l.name}/${t}`, shape: [l.channels] })
  }
  out.push({ name: 'head/w', shape: [arch.head.inputs, arch.head.units] }, { name: 'head/b', shape: [arch.head.units] })
  return out
}
