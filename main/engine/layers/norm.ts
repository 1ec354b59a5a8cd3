/**
 * Batch normalization with an explicit gradient (one fused formula instead of autodiff through mean/variance), for
 * 2-D activations laid out either as [features, samples] (channel-major conv maps, reshaped) or [samples, features]
 * (tabular rows). Running statistics are buffers saved with the weights.
 */
import * as tf from '@tensorflow/tfjs-core'
import { customOp } from './custom.ts'

export type SampleAxis = 0 | 1

export class BatchNorm {
  readonly gamma: tf.Variable<tf.Rank.R1>
  readonly beta: tf.Variable<tf.Rank.R1>
  readonly runMean: tf.Variable<tf.Rank.R1>
  readonly runVar: tf.Variable<tf.Rank.R1>

  constructor(
    name: string,
    readonly features: number,
    /** Axis holding the samples (statistics are taken over it). */
    readonly sampleAxis: SampleAxis,
    readonly momentum = 0.9,
    readonly epsilon = 1e-5
  ) {
    this.gamma = tf.tidy(() => tf.variable(tf.ones([features]), true, `${name}/gamma`)) as tf.Variable<tf.Rank.R1>
    this.beta = tf.tidy(() => tf.variable(tf.zeros([features]), true, `${name}/beta`)) as tf.Variable<tf.Rank.R1>
    this.runMean = tf.tidy(() => tf.variable(tf.zeros([features]), false, `${name}/mean`)) as tf.Variable<tf.Rank.R1>
    this.runVar = tf.tidy(() => tf.variable(tf.ones([features]), false, `${name}/var`)) as tf.Variable<tf.Rank.R1>
  }

  /** Shape that broadcasts a per-feature vector against x. */
  private col(v: tf.Tensor1D): tf.Tensor2D {
    return (this.sampleAxis === 1 ? tf.reshape(v, [this.features, 1]) : tf.reshape(v, [1, this.features])) as tf.Tensor2D
  }

  apply(x: tf.Tensor2D, training: boolean): tf.Tensor2D {
    const ax = this.sampleAxis
    if (!training) {
      const scale = tf.mul(this.gamma, tf.rsqrt(tf.add(this.runVar, this.epsilon))) as tf.Tensor1D
      const shift = tf.sub(this.beta, tf.mul(this.runMean, scale)) as tf.Tensor1D
      return tf.add(tf.mul(x, this.col(scale)), this.col(shift)) as tf.Tensor2D
    }
    const n = x.shape[ax]
    // Batch statistics, computed outside the tape: they only feed the running averages and the custom op.
    const { mean, variance } = tf.tidy(() => tf.moments(x, ax))
    tf.tidy(() => {
      this.runMean.assign(tf.add(tf.mul(this.runMean, this.momentum), tf.mul(mean, 1 - this.momentum)))
      this.runVar.assign(tf.add(tf.mul(this.runVar, this.momentum), tf.mul(variance, (1 - this.momentum) * (n / Math.max(1, n - 1)))))
    })
    const op = customOp<tf.Tensor2D>(([xi, g, b], save) => {
      const rstd = this.col(tf.rsqrt(tf.add(variance, this.epsilon)) as tf.Tensor1D)
      const xhat = tf.mul(tf.sub(xi, this.col(mean as tf.Tensor1D)), rstd) as tf.Tensor2D
      const y = tf.add(tf.mul(xhat, this.col(g as tf.Tensor1D)), this.col(b as tf.Tensor1D)) as tf.Tensor2D
      save([xhat, rstd, g])
      return {
        value: y,
        gradFunc: (dy, saved) => {
          const [sx, sr, sg] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D]
          const dbeta = tf.sum(dy, ax)
          const dgamma = tf.sum(tf.mul(dy, sx), ax)
          // dx = γ·rstd·(dy − mean(dy) − x̂·mean(dy·x̂))
          const t = tf.sub(tf.sub(dy, this.col(tf.div(dbeta, n) as tf.Tensor1D)), tf.mul(sx, this.col(tf.div(dgamma, n) as tf.Tensor1D)))
          const dx = tf.mul(t, tf.mul(sr, this.col(sg)))
          return [dx, dgamma, dbeta]
        }
      }
    })
    const y = op(x, this.gamma, this.beta)
    mean.dispose()
    variance.dispose()
    return y
  }

  dispose(): void {
    for (const v of [this.gamma, this.beta, this.runMean, this.runVar]) v.dispose()
  }
}
