/**
 * Pooling on NHWC maps. Max pooling is JS with an argmax gradient: wasm's MaxPoolGrad kernel returns wrong values
 * (tfjs-backend-wasm 4.22: a 2×4×6×1 input gets gradient mass 10 instead of 12), and a broadcast-compare
 * formulation is ~100× slower on wasm.
 */
import * as tf from '@tensorflow/tfjs-core'
import { customOp } from './custom.ts'
import { computeInto, heapAccess } from './heap.ts'
import { maxPoolBackward, maxPoolForward } from './im2col.ts'

/** s×s max pooling, stride s, 'valid' (odd edges are dropped); the gradient goes to the first maximum. */
export function maxPool(x: tf.Tensor4D, s = 2): tf.Tensor4D {
  const [b, h, w, c] = x.shape
  const ho = Math.floor(h / s)
  const wo = Math.floor(w / s)
  // Off wasm (webgpu): tfjs' MaxPool and MaxPoolGrad kernels, nothing read back to the CPU.
  if (!heapAccess()) return tf.maxPool(x, s, s, 'valid')
  return customOp<tf.Tensor4D>(([xi]) => {
    let argmax: Int32Array = new Int32Array(0)
    const y = computeInto([xi], [b, ho, wo, c], (out, xv) => (argmax = maxPoolForward(xv, { b, h, w, c }, s, out).argmax), false)
    return {
      value: y as tf.Tensor4D,
      gradFunc: (dy) => [computeInto([dy], [b, h, w, c], (out, dv) => maxPoolBackward(dv, argmax, out.length, out))]
    }
  })(x)
}

/** s×s average pooling, stride s; H and W must be multiples of s. Reshape + mean: no pooling kernel needed. */
export function avgPool(x: tf.Tensor4D, s = 2): tf.Tensor4D {
  const [b, h, w, c] = x.shape
  if (h % s || w % s) throw new Error(`avgPool: ${h}×${w} is not a multiple of ${s}`)
  return tf.mean(tf.reshape(x, [b, h / s, s, w / s, s, c]), [2, 4]) as tf.Tensor4D
}

/** Mean over H and W: [B, H, W, C] → [B, C]. */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor2D {
  const [b, h, w, c] = x.shape
  return tf.mean(tf.reshape(x, [b, h * w, c]), 1) as tf.Tensor2D
}
