/**
 * Tensor-level GEMMs on the native kernels, in place on the wasm heap: the output is allocated first (uninitialized:
 * every element is written), then views of all operands are taken and handed to OpenBLAS. Each function returns
 * null when the native kernels are not active (not built, IUNET_NATIVE=0, or a backend without heap access), so
 * callers fall back to their tfjs path.
 */
import * as tf from '@tensorflow/tfjs-core'
import { emptyTensor, heapAccess, heapViews } from '../layers/heap.ts'
import { nativeKernels, type NativeKernels } from './native.ts'

/** The addon when it can run on the current backend's memory (wasm heap), else null. */
export function activeNative(): NativeKernels | null {
  const k = nativeKernels()
  return k && heapAccess() ? k : null
}

/** op(a)·op(b) for 2-D tensors, or null without native kernels. */
export function nativeMatMul(a: tf.Tensor2D, b: tf.Tensor2D, transA = false, transB = false): tf.Tensor2D | null {
  const k = activeNative()
  if (!k) return null
  const [m, ka] = transA ? [a.shape[1], a.shape[0]] : a.shape
  const [kb, n] = transB ? [b.shape[1], b.shape[0]] : b.shape
  if (ka !== kb) throw new Error(`matMul: inner dimensions ${ka} and ${kb} differ`)
  const c = emptyTensor([m, n]) as tf.Tensor2D
  const [av, bv, cv] = heapViews([a, b, c])!
  k.sgemm(transA, transB, m, n, ka, 1, av!, bv!, 0, cv!)
  return c
}

/** act(x·w + bias) with bias and ReLU fused after the GEMM, or null without native kernels. */
export function nativeDense(x: tf.Tensor2D, w: tf.Tensor2D, bias: tf.Tensor1D | null, relu: boolean): tf.Tensor2D | null {
  const k = activeNative()
  if (!k) return null
  const [m, kx] = x.shape
  const [kw, n] = w.shape
  if (kx !== kw) throw new Error(`dense: x has ${kx} columns, w has ${kw} rows`)
  const y = emptyTensor([m, n]) as tf.Tensor2D
  const views = heapViews(bias ? [x, w, y, bias] : [x, w, y])!
  k.gemmBiasAct(m, n, kx, views[0]!, views[1]!, bias ? views[3]! : null, views[2]!, relu)
  return y
}

/** Column sums of a 2-D tensor (bias gradients), or null without native kernels. */
export function nativeColumnSums(v: tf.Tensor2D): tf.Tensor1D | null {
  const k = activeNative()
  if (!k) return null
  const [rows, cols] = v.shape
  const out = emptyTensor([cols]) as tf.Tensor1D
  const [vv, ov] = heapViews([v, out])!
  k.colSums(vv!, rows, cols, ov!)
  return out
}

/** a ⊙ b for same-shape tensors (a masked weight), or null without native kernels. */
export function nativeMul<T extends tf.Tensor>(a: T, b: tf.Tensor): T | null {
  const k = activeNative()
  if (!k) return null
  if (a.size !== b.size) throw new Error(`mul: sizes ${a.size} and ${b.size} differ`)
  const out = emptyTensor(a.shape) as T
  const [av, bv, ov] = heapViews([a, b, out])!
  k.mulInto(av!, bv!, ov!)
  return out
}
