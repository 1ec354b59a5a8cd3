/**
 * ReLU's backward pass, dz = dy where y > 0 else 0, as one JS pass over the heap on wasm (two kernels, Step and
 * Multiply, otherwise; ~11 ms per step for the CNN's first layer). Other backends use their kernels.
 */
import * as tf from '@tensorflow/tfjs-core'
import { activeNative } from '../kernels/gemm.ts'
import { computeInto, heapAccess } from './heap.ts'

export function reluBackward<T extends tf.Tensor>(dy: T, y: tf.Tensor): T {
  if (!heapAccess()) return tf.mul(dy, tf.step(y)) as T
  // In C with the native kernels (~10× the JS loop: 7 ms a step for the bench MLP's three layers in JS).
  const nk = activeNative()
  return computeInto(
    [dy, y],
    dy.shape,
    (out, d, yv) => {
      if (nk) return nk.reluBackward(d!, yv!, out)
      for (let i = 0; i < out.length; i++) out[i] = yv[i] > 0 ? d[i] : 0
    },
    false
  ) as T
}
