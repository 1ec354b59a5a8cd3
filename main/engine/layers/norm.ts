/**
 * Batch normalization over the rows of [samples, features] activations (tabular rows, or NHWC maps reshaped to
 * [B·H·W, C]), with an explicit gradient. Statistics and the elementwise passes are JS over the tensors' memory
 * (layers/heap.ts): wasm reduces over axis 0 by transposing first, and its broadcasting [N, C] ⊙ [1, C] kernels are
 * slow (~30 ms per step for a small ResNet's batch norms). Running statistics are buffers saved with the weights.
 */
import * as tf from '@tensorflow/tfjs-core'
import { customOp } from './custom.ts'
import { computeInto, heapAccess, readFloats } from './heap.ts'

/** Per-column mean and biased variance of an n×c matrix. */
function columnMoments(x: Float32Array, n: number, c: number): { mean: Float64Array; variance: Float64Array } {
  const mean = new Float64Array(c)
  const variance = new Float64Array(c)
  for (let i = 0; i < n; i++) for (let j = 0, o = i * c; j < c; j++) mean[j] += x[o + j]
  for (let j = 0; j < c; j++) mean[j] /= n
  // Two passes: sum of squares minus square of sums loses precision in float.
  for (let i = 0; i < n; i++)
    for (let j = 0, o = i * c; j < c; j++) {
      const d = x[o + j] - mean[j]
      variance[j] += d * d
    }
  for (let j = 0; j < c; j++) variance[j] /= n
  return { mean, variance }
}

export class BatchNorm {
  readonly gamma: tf.Variable<tf.Rank.R1>
  readonly beta: tf.Variable<tf.Rank.R1>
  readonly runMean: tf.Variable<tf.Rank.R1>
  readonly runVar: tf.Variable<tf.Rank.R1>

  constructor(
    name: string,
    readonly features: number,
    readonly momentum = 0.9,
    readonly epsilon = 1e-5
  ) {
    this.gamma = tf.tidy(() => tf.variable(tf.ones([features]), true, `${name}/gamma`)) as tf.Variable<tf.Rank.R1>
    this.beta = tf.tidy(() => tf.variable(tf.zeros([features]), true, `${name}/beta`)) as tf.Variable<tf.Rank.R1>
    this.runMean = tf.tidy(() => tf.variable(tf.zeros([features]), false, `${name}/mean`)) as tf.Variable<tf.Rank.R1>
    this.runVar = tf.tidy(() => tf.variable(tf.ones([features]), false, `${name}/var`)) as tf.Variable<tf.Rank.R1>
  }

  /** x: [n, features]. Training uses (and updates the running averages with) the batch statistics. */
  apply(x: tf.Tensor2D, training: boolean): tf.Tensor2D {
    const [n, c] = x.shape
    if (c !== this.features) throw new Error(`batch norm over ${this.features} features got ${c}`)
    if (!heapAccess()) return this.applyOnDevice(x, training)
    if (!training) {
      const mean = readFloats(this.runMean, (v) => Float64Array.from(v))
      const rstd = readFloats(this.runVar, (v) => Float64Array.from(v, (s) => 1 / Math.sqrt(s + this.epsilon)))
      return this.normalize(x, mean, rstd)
    }
    const { mean, variance } = readFloats(x, (v) => columnMoments(v, n, c))
    const rstd = variance.map((s) => 1 / Math.sqrt(s + this.epsilon))
    const unbias = n / Math.max(1, n - 1)
    tf.tidy(() => {
      const m = this.momentum
      this.runMean.assign(tf.add(tf.mul(this.runMean, m), tf.mul(tf.tensor1d(Float32Array.from(mean)), 1 - m)))
      this.runVar.assign(tf.add(tf.mul(this.runVar, m), tf.mul(tf.tensor1d(Float32Array.from(variance)), (1 - m) * unbias)))
    })
    return this.normalize(x, mean, rstd)
  }

  /**
   * The same normalization in tfjs ops (backends other than wasm, e.g. webgpu): nothing is read back to the CPU;
   * the gradient is autodiff's through the batch statistics, which equals the explicit one below.
   */
  private applyOnDevice(x: tf.Tensor2D, training: boolean): tf.Tensor2D {
    const [n] = x.shape
    if (!training) return tf.batchNorm(x, this.runMean, this.runVar, this.beta, this.gamma, this.epsilon) as tf.Tensor2D
    const { mean, variance } = tf.moments(x, 0)
    tf.tidy(() => {
      const m = this.momentum
      const unbias = n / Math.max(1, n - 1)
      this.runMean.assign(tf.add(tf.mul(this.runMean, m), tf.mul(mean, 1 - m)))
      this.runVar.assign(tf.add(tf.mul(this.runVar, m), tf.mul(variance, (1 - m) * unbias)))
    })
    return tf.batchNorm(x, mean as tf.Tensor1D, variance as tf.Tensor1D, this.beta, this.gamma, this.epsilon) as tf.Tensor2D
  }

  /** y = γ·(x − μ)·rstd + β, with dx = γ·rstd·(dy − mean(dy) − x̂·mean(dy·x̂)), dγ = Σ dy·x̂, dβ = Σ dy. */
  private normalize(x: tf.Tensor2D, mean: Float64Array, rstd: Float64Array): tf.Tensor2D {
    const [n, c] = x.shape
    return customOp<tf.Tensor2D>(([xi, g, b], save) => {
      // The op's inputs may be disposed before the backward pass; save() keeps them (a free clone on wasm, see
      // backend.ts).
      save([xi, g])
      const y = computeInto(
        [xi, g, b],
        [n, c],
        (out, X, G, B) => {
          for (let i = 0; i < n; i++) for (let j = 0, o = i * c; j < c; j++) out[o + j] = G[j] * (X[o + j] - mean[j]) * rstd[j] + B[j]
        },
        false
      ) as tf.Tensor2D
      return {
        value: y,
        gradFunc: (dy, saved) => {
          const [sx, sg] = saved
          const dgamma = new Float64Array(c)
          const dbeta = new Float64Array(c)
          readFloats(dy, (D) =>
            readFloats(sx, (X) => {
              for (let i = 0; i < n; i++)
                for (let j = 0, o = i * c; j < c; j++) {
                  dbeta[j] += D[o + j]
                  dgamma[j] += D[o + j] * (X[o + j] - mean[j]) * rstd[j]
                }
            })
          )
          const dx = computeInto(
            [dy, sx, sg],
            [n, c],
            (out, D, X, G) => {
              for (let i = 0; i < n; i++)
                for (let j = 0, o = i * c; j < c; j++) {
                  const xhat = (X[o + j] - mean[j]) * rstd[j]
                  out[o + j] = G[j] * rstd[j] * (D[o + j] - dbeta[j] / n - (xhat * dgamma[j]) / n)
                }
            },
            false
          )
          return [dx, tf.tensor1d(Float32Array.from(dgamma)), tf.tensor1d(Float32Array.from(dbeta))]
        }
      }
    })(x, this.gamma, this.beta)
  }

  dispose(): void {
    for (const v of [this.gamma, this.beta, this.runMean, this.runVar]) v.dispose()
  }
}
