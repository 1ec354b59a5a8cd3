/**
 * ReLU's backward pass, dz = dy where y > 0 else 0, as one JS pass over the heap on wasm (two kernels, Step and
 * Multiply, otherwise; ~11 ms per step for the CNN's first layer). Other backends use their kernels.
 */
import * as tf from '@tensorflow/tfjs-core'
import { computeInto, heapAccess } from './heap.ts'

export function reluBackward<T extends tf.Tensor>(dy: T, y: tf.Tensor): T {
  if (!heapAccess()) return tf.mul(dy, tf.step(y)) as T
  return computeInto(
    [dy, y],
    dy.shape,
    (out, d, yv) => {
      for (let i = 0; i < out.length; i++) out[i] = yv[i] > 0 ? d[i] : 0
    },
    false
  ) as T
}
