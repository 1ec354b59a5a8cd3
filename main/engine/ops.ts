/**
 * Autodiff-friendly primitives for the wasm backend.
 *
 * tfjs' default matMul gradient calls matMul with transposeA/transposeB, which the wasm backend runs 15–50×
 * slower than a plain matMul. These versions transpose explicitly (fast on wasm) and then call the plain kernel.
 */
import * as tf from '@tensorflow/tfjs-core'

/** a (m×k) · b (k×n) with a gradient that only uses plain matMuls. */
export const matMul = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b])
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D]
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as tf.Tensor2D)]
    }
  }
  // customGrad's parameter type admits the save function at any position; the cast states the real signature.
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D
