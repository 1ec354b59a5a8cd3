/**
 * A typed wrapper over tf.customGrad: f gets its tensor inputs as an array and returns the value and a gradient
 * function giving one gradient per input.
 */
import * as tf from '@tensorflow/tfjs-core'

export type CustomOpBody<T extends tf.Tensor> = (
  inputs: tf.Tensor[],
  save: tf.GradSaveFunc
) => { value: T; gradFunc: (dy: T, saved: tf.Tensor[]) => tf.Tensor[] }

export function customOp<T extends tf.Tensor>(f: CustomOpBody<T>): (...inputs: tf.Tensor[]) => T {
  const g = tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc
    return f(args.slice(0, -1) as tf.Tensor[], save)
  }) as unknown as Parameters<typeof tf.customGrad>[0])
  return g as unknown as (...inputs: tf.Tensor[]) => T
}
