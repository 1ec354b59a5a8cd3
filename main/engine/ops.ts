/**
 * Autodiff-friendly primitives for the wasm backend.
 *
 * tfjs' default matMul gradient calls matMul with transposeA/transposeB, which the wasm backend runs 15–50×
 * slower than a plain matMul. These versions transpose explicitly (fast on wasm) and then call the plain kernel;
 * with the native kernels every product is one OpenBLAS sgemm with transpose flags, in place on the wasm heap.
 */
import * as tf from '@tensorflow/tfjs-core'
import { nativeMatMul } from './kernels/gemm.ts'

/** a (m×k) · b (k×n) with a gradient that only uses plain matMuls. */
export const matMul = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b])
  return {
    value: nativeMatMul(a as tf.Tensor2D, b as tf.Tensor2D) ?? tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D]
      const da = nativeMatMul(dy as tf.Tensor2D, sb, false, true)
      if (da) return [da, nativeMatMul(sa, dy as tf.Tensor2D, true, false)!]
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as tf.Tensor2D)]
    }
  }
  // customGrad's parameter type admits the save function at any position; the cast states the real signature.
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D
