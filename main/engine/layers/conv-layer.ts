/**
 * A masked k×k convolution layer on NHWC maps; weight [k·k·Cin, Cout] (a tf.conv2d filter, flattened) and bias [Cout]
 * as tf.Variables.
 */
import * as tf from '@tensorflow/tfjs-core'
import { conv2dOp } from './conv.ts'
import { convPoolOp } from './conv-pool.ts'
import { maxPool } from './pool.ts'

export interface ConvLayerConfig {
  name: string
  inChannels: number
  outChannels: number
  k: number
  relu: boolean
  /** Initial weight, (k·k·Cin) × Cout row-major, rows ordered (dy, dx, cin). */
  weight: Float32Array
  /** Null for a layer without bias (followed by batch norm). */
  bias: Float32Array | null
  prunable: boolean
}

export class ConvLayer {
  readonly name: string
  readonly k: number
  readonly relu: boolean
  readonly inChannels: number
  readonly outChannels: number
  readonly w: tf.Variable<tf.Rank.R2>
  readonly b: tf.Variable<tf.Rank.R1> | null
  /** Zero bias used when the layer has none (the op always adds one). */
  private readonly zeroBias: tf.Tensor1D | null
  mask: tf.Tensor2D | null
  private maskIsFull = true

  constructor(cfg: ConvLayerConfig) {
    this.name = cfg.name
    this.k = cfg.k
    this.relu = cfg.relu
    this.inChannels = cfg.inChannels
    this.outChannels = cfg.outChannels
    const shape: [number, number] = [cfg.k * cfg.k * cfg.inChannels, cfg.outChannels]
    this.w = tf.tidy(() => tf.variable(tf.tensor2d(cfg.weight, shape), true, `${cfg.name}/w`)) as tf.Variable<tf.Rank.R2>
    this.b = cfg.bias ? (tf.tidy(() => tf.variable(tf.tensor1d(cfg.bias!), true, `${cfg.name}/b`)) as tf.Variable<tf.Rank.R1>) : null
    this.zeroBias = cfg.bias ? null : tf.keep(tf.zeros([cfg.outChannels]) as tf.Tensor1D)
    this.mask = cfg.prunable ? tf.keep(tf.ones(shape) as tf.Tensor2D) : null
  }

  setMask(values: Float32Array): void {
    if (!this.mask) throw new Error(`${this.name} is not prunable`)
    if (values.length !== this.w.size) throw new Error(`${this.name}: mask has ${values.length} values, expected ${this.w.size}`)
    this.mask.dispose()
    this.mask = tf.keep(tf.tensor2d(values, this.w.shape as [number, number]))
    this.maskIsFull = values.every((v) => v === 1)
    tf.tidy(() => this.w.assign(tf.mul(this.w, this.mask!) as tf.Tensor2D))
  }

  /** x: [B, H, W, Cin] → [B, H, W, Cout]. */
  apply(x: tf.Tensor4D, inputGrad = true): tf.Tensor4D {
    const mask = this.maskIsFull ? null : this.mask
    return conv2dOp(x, this.w, this.b ?? this.zeroBias!, { k: this.k, relu: this.relu, mask, inputGrad })
  }

  /** x: [B, H, W, Cin] → 2×2 max pool of apply(x): [B, H/2, W/2, Cout]; one fused op on the native kernels. */
  applyPooled(x: tf.Tensor4D, inputGrad = true): tf.Tensor4D {
    const mask = this.maskIsFull ? null : this.mask
    return convPoolOp(x, this.w, this.b ?? this.zeroBias!, { k: this.k, relu: this.relu, mask, inputGrad }) ?? maxPool(this.apply(x, inputGrad))
  }

  nonzero(): number {
    if (!this.mask || this.maskIsFull) return this.w.size
    return tf.tidy(() => tf.sum(this.mask!).dataSync()[0])
  }

  dispose(): void {
    this.w.dispose()
    this.b?.dispose()
    this.zeroBias?.dispose()
    this.mask?.dispose()
  }
}
