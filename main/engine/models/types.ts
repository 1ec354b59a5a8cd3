/**
 * The model interface the pipeline trains, prunes, rewinds and measures, whatever the architecture.
 */
import type * as tf from '@tensorflow/tfjs-core'

export type ParamGroup = 'encoder' | 'head' | 'projection'
export type ParamKind = 'weight' | 'bias' | 'norm'

export interface Param {
  /** Stable name inside the model, e.g. 'layer0/w' (unique per model, not per process). */
  name: string
  variable: tf.Variable
  /** 0/1 of the variable's shape; null = not prunable. Replaced by Model.setMask, never mutated in place. */
  mask: tf.Tensor | null
  group: ParamGroup
  kind: ParamKind
}

export interface ForwardOutput {
  logits: tf.Tensor2D
  /** Encoder output = the input of the final linear layer. */
  features: tf.Tensor2D
}

export type ModelArch = 'mlp' | 'cnn' | 'resnet' | 'tabresnet'

export interface Model {
  kind: ModelArch
  params: Param[]
  /** Per example, without the batch axis: [features] for MLPs, [H, W, C] for image models (input is flattened). */
  inputShape: number[]
  nClasses: number
  /** Width of `features`. */
  featureDim: number
  /** True when a projection head exists. */
  hasProjection: boolean
  /** x: batch × prod(inputShape). Call inside tf.tidy / variableGrads; returned tensors belong to the caller. */
  forward(x: tf.Tensor2D, training: boolean): ForwardOutput
  /** Projection head for the contrastive loss (dense-ReLU-dense); throws when hasProjection is false. */
  project(features: tf.Tensor2D): tf.Tensor2D
  /** Sets a prunable parameter's 0/1 mask (same length as the variable) and zeroes its pruned weights. */
  setMask(name: string, mask: Float32Array): void
  /** Every parameter and buffer (e.g. batch-norm running statistics) by name, copied out. */
  getWeights(): Map<string, Float32Array>
  /** Assigns the entries present in `map`; pruned weights are re-masked so they stay exactly 0. */
  setWeights(map: Map<string, Float32Array>): void
  /** Per example; a multiply-add counts as 2 FLOPs; sparse counts only unmasked weights. */
  flops(): { dense: number; sparse: number }
  dispose(): void
}

/** Architecture and sizes. */
export type ModelSpec =
  | { kind: 'mlp'; inputs: number; classes: number; depth: number; width: number }
  | { kind: 'cnn'; imageShape: [number, number, number]; classes: number; channels?: number[]; hidden?: number }
  | { kind: 'resnet'; imageShape: [number, number, number]; classes: number; width?: number; stages?: number; blocksPerStage?: number }
  | { kind: 'tabresnet'; inputs: number; classes: number; width?: number; blocks?: number; hiddenFactor?: number; dropout?: number }

export interface ModelOptions {
  /** Projection head sizes for the contrastive loss; null/undefined = none. */
  projection?: { hidden: number; out: number } | null
}
