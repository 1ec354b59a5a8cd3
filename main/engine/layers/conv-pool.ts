/**
 * A convolution followed by 2×2 max pooling as one op on the native kernels (native/src/conv_pool.c): conv, bias,
 * ReLU and pooling in one pass over chunks of images that stay in cache, and a backward pass that needs only the
 * pooled output and each window's argmax. Without the native kernels (IUNET_NATIVE=0, webgpu) the caller composes
 * conv2dOp and maxPool as before: the same function up to float rounding (the sums run in another order).
 */
import type * as tf from '@tensorflow/tfjs-core'
import { customOp } from './custom.ts'
import type { ConvOpOptions } from './conv.ts'
import { activeNative, nativeMul } from '../kernels/gemm.ts'
import { emptyTensor, heapViews } from './heap.ts'

/**
 * An Int32Array view of a float32 tensor's heap memory: the argmax lives in a tensor, so tfjs frees it with the
 * step's other saved tensors and its memory is reused (a fresh Int32Array per step page-faults megabytes).
 */
function asInt32(v: Float32Array): Int32Array {
  return new Int32Array(v.buffer, v.byteOffset, v.length)
}

/** maxPool(act(conv(x, W⊙M) + b)), pooled 2×2 with stride 2 (odd edges dropped); null without the native kernels. */
export function convPoolOp(x: tf.Tensor4D, w: tf.Tensor2D, bias: tf.Tensor1D, opts: ConvOpOptions): tf.Tensor4D | null {
  const nk = activeNative()
  if (!nk) return null
  const [b, h, wd, c] = x.shape
  const cout = w.shape[1]
  if (opts.k % 2 !== 1) throw new Error(`conv2d: 'same' padding needs an odd kernel size, got ${opts.k}`)
  if (w.shape[0] !== opts.k * opts.k * c) throw new Error(`kernel ${w.shape} does not fit ${opts.k}×${opts.k}×${c}`)
  const pooled = [b, Math.floor(h / 2), Math.floor(wd / 2), cout]
  // The weight is kept masked (setMask, setWeights and every AdamW step re-apply the mask): used as it is.
  const forward = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => {
    const y = emptyTensor(pooled) as tf.Tensor4D
    const argmax = emptyTensor([y.size])
    const [xv, wv, bv, yv, av] = heapViews([xi, wi, bi, y, argmax])!
    nk.convPoolForward(xv!, b, h, wd, c, opts.k, wv!, cout, bv!, opts.relu, yv!, asInt32(av!))
    return { y, argmax }
  }
  const backward = (dy: tf.Tensor, xi: tf.Tensor, wi: tf.Tensor, y: tf.Tensor, argmax: tf.Tensor) => {
    let dw = emptyTensor(w.shape) as tf.Tensor2D
    const db = emptyTensor([cout]) as tf.Tensor1D
    const dx = opts.inputGrad ? (emptyTensor(x.shape) as tf.Tensor4D) : null
    const [xv, wv, yv, av, dyv, dwv, dbv, dxv] = heapViews([xi, wi, y, argmax, dy, dw, db, ...(dx ? [dx] : [])])!
    nk.convPoolBackward(xv!, b, h, wd, c, opts.k, wv!, cout, yv!, asInt32(av!), dyv!, opts.relu, dwv!, dbv!, dxv ?? null)
    if (opts.mask) dw = nativeMul(dw, opts.mask)!
    return { dw, db, dx }
  }
  if (opts.inputGrad) {
    return customOp<tf.Tensor4D>(([xi, wi, bi], save) => {
      const { y, argmax } = forward(xi, wi, bi)
      save([xi, wi, y, argmax])
      return {
        value: y,
        gradFunc: (dy, [sx, sw, sy, sa]) => {
          const g = backward(dy, sx, sw, sy, sa)
          return [g.dx!, g.dw, g.db]
        }
      }
    })(x, w, bias)
  }
  // x is data: a constant of the op (closed over), no gradient for it.
  return customOp<tf.Tensor4D>(([wi, bi], save) => {
    const { y, argmax } = forward(x, wi, bi)
    save([x, wi, y, argmax])
    return {
      value: y,
      gradFunc: (dy, [sx, sw, sy, sa]) => {
        const g = backward(dy, sx, sw, sy, sa)
        return [g.dw, g.db]
      }
    }
  })(w, bias)
}
