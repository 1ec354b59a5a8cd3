/**
 * k×k convolution (stride 1, 'same' zero padding) as im2col + plain matMul, forward and backward, with an optional
 * 0/1 kernel mask, on NHWC maps.
 *
 * Why not tf.conv2d: the wasm backend has no Conv2DBackpropFilter kernel, and its Conv2DBackpropInput is slow. Here
 * the patches are gathered in JS (im2col.ts explains why) and every product is a plain, untransposed matMul whose
 * right operand is the small kernel — the fast path of wasm's BatchMatMul (XNNPACK packs the right operand).
 *
 * With the native kernels (kernels/native.ts) the three products are OpenBLAS sgemms on the wasm heap with
 * transpose flags (no transposed copies), bias + ReLU fused into the forward one.
 *
 * Layouts: x [B, H, W, C]; weight [k·k·C, Cout] (= a tf.conv2d filter [k, k, C, Cout] reshaped); y [B, H, W, Cout].
 */
import * as tf from '@tensorflow/tfjs-core'
import { reluBackward } from './act.ts'
import { customOp } from './custom.ts'
import { activeNative, nativeColumnSums, nativeDense, nativeMatMul } from '../kernels/gemm.ts'
import { computeInto, heapAccess } from './heap.ts'
import { col2im, columnSums, im2col, im2colT, transpose2d, type MapShape } from './im2col.ts'

export interface ConvOpOptions {
  k: number
  relu: boolean
  /** 0/1 mask of the weight's shape, or null. */
  mask: tf.Tensor2D | null
  /** False when x is data (no dL/dx needed). */
  inputGrad: boolean
}

function shapeOf(x: tf.Tensor4D): MapShape {
  const [b, h, w, c] = x.shape
  return { b, h, w, c }
}

/** Patches of x as a tensor [B·H·W, k·k·C]. */
export function im2colTensor(x: tf.Tensor4D, k: number): tf.Tensor2D {
  const s = shapeOf(x)
  return computeInto([x], [s.b * s.h * s.w, k * k * s.c], (out, xv) => im2col(xv, s, k, out), false) as tf.Tensor2D
}

function forward(x: tf.Tensor4D, w: tf.Tensor2D, bias: tf.Tensor1D, opts: ConvOpOptions): { y: tf.Tensor4D; cols: tf.Tensor2D } {
  const { b, h, w: wd } = shapeOf(x)
  const cout = w.shape[1]
  const cols = im2colTensor(x, opts.k)
  const wEff = (opts.mask ? tf.mul(w, opts.mask) : w) as tf.Tensor2D
  const y = nativeDense(cols, wEff, bias, opts.relu) ?? tf.fused.matMul({ a: cols, b: wEff, bias, activation: opts.relu ? 'relu' : 'linear' })
  return { y: tf.reshape(y, [b, h, wd, cout]) as tf.Tensor4D, cols }
}

function backward(dy: tf.Tensor4D, x: tf.Tensor4D, cols: tf.Tensor2D, w: tf.Tensor2D, y: tf.Tensor4D, opts: ConvOpOptions) {
  const s = shapeOf(x)
  const [kk, cout] = w.shape
  const n = s.b * s.h * s.w
  let dz = tf.reshape(dy, [n, cout]) as tf.Tensor2D
  if (opts.relu) dz = reluBackward(dz, tf.reshape(y, [n, cout]))
  if (activeNative()) {
    const db = nativeColumnSums(dz)!
    let dw = nativeMatMul(cols, dz, true, false)!
    if (opts.mask) dw = tf.mul(dw, opts.mask) as tf.Tensor2D
    let dx: tf.Tensor4D | null = null
    if (opts.inputGrad) {
      const wEff = (opts.mask ? tf.mul(w, opts.mask) : w) as tf.Tensor2D
      const dcols = nativeMatMul(dz, wEff, false, true)!
      dx = computeInto([dcols], [s.b, s.h, s.w, s.c], (out, v) => col2im(v, s, opts.k, out)) as tf.Tensor4D
    }
    return { dw, db, dx }
  }
  const db = computeInto([dz], [cout], (out, v) => columnSums(v, n, cout, out)) as tf.Tensor1D
  // dW = colsᵀ·dz. wasm's matMul packs its right operand on every call, so the smaller of cols [n, kk] and
  // dz [n, cout] should be on the right: kk ≤ cout → (dzᵀ·cols)ᵀ, else colsᵀ·dz with colsᵀ gathered afresh from x.
  // (Transposes are JS: wasm's Transpose is a slow per-element loop.)
  let dw: tf.Tensor2D
  if (kk <= cout) {
    const dzT = computeInto([dz], [cout, n], (out, v) => transpose2d(v, n, cout, out), false) as tf.Tensor2D
    dw = tf.transpose(tf.matMul(dzT, cols)) as tf.Tensor2D
  } else {
    const colsT = computeInto([x], [kk, n], (out, xv) => im2colT(xv, s, opts.k, out)) as tf.Tensor2D
    dw = tf.matMul(colsT, dz)
  }
  if (opts.mask) dw = tf.mul(dw, opts.mask) as tf.Tensor2D
  let dx: tf.Tensor4D | null = null
  if (opts.inputGrad) {
    const wEff = (opts.mask ? tf.mul(w, opts.mask) : w) as tf.Tensor2D
    const dcols = tf.matMul(dz, tf.transpose(wEff))
    dx = computeInto([dcols], [s.b, s.h, s.w, s.c], (out, v) => col2im(v, s, opts.k, out)) as tf.Tensor4D
  }
  return { dw, db, dx }
}

/**
 * Off wasm (webgpu): tfjs' conv2d, bias add and ReLU with their registered gradients (webgpu has the
 * Conv2DBackpropInput/Filter kernels), so nothing is read back to the CPU; the JS im2col above needs the heap.
 */
function conv2dOnDevice(x: tf.Tensor4D, w: tf.Tensor2D, bias: tf.Tensor1D, opts: ConvOpOptions): tf.Tensor4D {
  const wEff = opts.mask ? tf.mul(w, opts.mask) : w
  const filter = tf.reshape(wEff, [opts.k, opts.k, x.shape[3], w.shape[1]]) as tf.Tensor4D
  const z = tf.add(tf.conv2d(x, filter, 1, 'same'), bias) as tf.Tensor4D
  return opts.relu ? tf.relu(z) : z
}

/** y = act(conv(x, W⊙M) + b) on NHWC maps, with the im2col gradient. */
export function conv2dOp(x: tf.Tensor4D, w: tf.Tensor2D, bias: tf.Tensor1D, opts: ConvOpOptions): tf.Tensor4D {
  if (opts.k % 2 !== 1) throw new Error(`conv2d: 'same' padding needs an odd kernel size, got ${opts.k}`)
  if (w.shape[0] !== opts.k * opts.k * x.shape[3]) throw new Error(`kernel ${w.shape} does not fit ${opts.k}×${opts.k}×${x.shape[3]}`)
  if (!heapAccess()) return conv2dOnDevice(x, w, bias, opts)
  if (opts.inputGrad) {
    return customOp<tf.Tensor4D>(([xi, wi, bi], save) => {
      const { y, cols } = forward(xi as tf.Tensor4D, wi as tf.Tensor2D, bi as tf.Tensor1D, opts)
      save([xi, cols, wi, y])
      return {
        value: y,
        gradFunc: (dy, saved) => {
          const [sx, sc, sw, sy] = saved as [tf.Tensor4D, tf.Tensor2D, tf.Tensor2D, tf.Tensor4D]
          const g = backward(dy, sx, sc, sw, sy, opts)
          return [g.dx!, g.dw, g.db]
        }
      }
    })(x, w, bias)
  }
  return customOp<tf.Tensor4D>(([wi, bi], save) => {
    const { y, cols } = forward(x, wi as tf.Tensor2D, bi as tf.Tensor1D, opts)
    save([x, cols, wi, y])
    return {
      value: y,
      gradFunc: (dy, saved) => {
        const [sx, sc, sw, sy] = saved as [tf.Tensor4D, tf.Tensor2D, tf.Tensor2D, tf.Tensor4D]
        const g = backward(dy, sx, sc, sw, sy, opts)
        return [g.dw, g.db]
      }
    }
  })(w, bias)
}
