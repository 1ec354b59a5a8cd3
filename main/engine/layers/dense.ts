/**
 * Masked dense layer: y = act(x · (W ⊙ M) + b).
 *
 * The whole layer (matMul + bias + ReLU) is one customGrad op whose backward pass uses only plain matMuls with
 * explicit transposes: tfjs' default matMul gradient uses transposeA/transposeB, which wasm runs 15–50× slower.
 * The mask is applied inside the op, so the weight gradient comes out already masked. The first layer of a network
 * skips the input gradient (nobody needs dL/dx of the data), saving one of its three matMuls.
 *
 * With the native kernels (kernels/native.ts) on wasm every product is an OpenBLAS sgemm on the wasm heap, with
 * transpose flags instead of explicit transposes and bias + ReLU fused into the forward pass. A layer pruned to
 * density ≤ SPARSE_DENSITY switches to sparse kernels built once from its mask (CSR/CSC): SpMM forward, SpMM for
 * dX and SDDMM for dW at the kept positions only, so a pruned layer costs in proportion to its nonzeros.
 */
import * as tf from '@tensorflow/tfjs-core'
import { reluBackward } from './act.ts'
import { customOp } from './custom.ts'
import { activeNative, nativeColumnSums, nativeDense, nativeMatMul, nativeMul } from '../kernels/gemm.ts'
import { nativeAddon, type SparsePattern } from '../kernels/native.ts'
import { computeInto, emptyTensor, heapAccess, heapViews, readFloats } from './heap.ts'
import { columnSums, transpose2d } from './im2col.ts'

export type Activation = 'relu' | 'linear'

export interface DenseOpOptions {
  activation: Activation
  /** 0/1 mask of W's shape, or null for a dense layer. */
  mask: tf.Tensor2D | null
  /** False for a layer fed directly by data: dL/dx is not computed (x is treated as a constant). */
  inputGrad: boolean
  /** The mask's sparse pattern when the sparse kernels are to be used (native only), else null/absent. */
  sparse?: SparsePattern | null
}

/** Masks at or below this density run on the sparse kernels (measured: see README, Measured). */
export const SPARSE_DENSITY = 0.3

/**
 * The sparse pattern of each live mask tensor (registered by MaskedDense): the optimizer updates a weight on the
 * sparse kernels at its kept positions only.
 */
const patterns = new WeakMap<tf.Tensor, SparsePattern>()

/** Mask tensors that are all ones (an unpruned layer): the optimizer need not read them. */
const fullMasks = new WeakSet<tf.Tensor>()

/** Whether `mask` is known to be all ones (a MaskedDense layer not pruned yet). */
export function isFullMask(mask: tf.Tensor | null): boolean {
  return mask !== null && fullMasks.has(mask)
}

/** The pattern to use for a mask now (sparse kernels on and active), else null. */
export function sparsePatternOf(mask: tf.Tensor | null): SparsePattern | null {
  if (!mask || !sparseKernels || activeNative() === null) return null
  return patterns.get(mask) ?? null
}

let sparseKernels = process.env.IUNET_SPARSE !== '0'
/** Turns the sparse kernels off (the dense masked kernels run instead) or on; returns the previous setting. */
export function setSparseKernels(on: boolean): boolean {
  const prev = sparseKernels
  sparseKernels = on
  return prev
}

/** Forward of act(x·(W⊙M)+b) without any autodiff bookkeeping. */
function forward(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, opts: DenseOpOptions): tf.Tensor2D {
  const nk = opts.sparse ? activeNative() : null
  if (nk && opts.sparse) {
    // The pattern restricts W to the kept positions: no masked copy of W is needed.
    const y = emptyTensor([x.shape[0], w.shape[1]]) as tf.Tensor2D
    const [xv, wv, bv, yv] = heapViews([x, w, b, y])!
    nk.spmmForward(opts.sparse, x.shape[0], xv!, wv!, bv!, yv!, opts.activation === 'relu')
    return y
  }
  // On the native path W is used as it is: a masked weight is kept masked (W ⊙ M = W: setMask, setWeights and every
  // AdamW step re-apply the mask), so multiplying again would cost a pass over W for nothing.
  if (activeNative()) {
    const y = nativeDense(x, w, b, opts.activation === 'relu')
    if (y) return y
  }
  const wEff = (opts.mask ? tf.mul(w, opts.mask) : w) as tf.Tensor2D
  const y = tf.fused.matMul({ a: x, b: wEff, bias: b, activation: opts.activation }) as tf.Tensor2D
  if (opts.mask) wEff.dispose()
  return y
}

/** Transpose through JS on wasm (its Transpose kernel is a per-element loop), tf.transpose elsewhere. */
function transpose(t: tf.Tensor2D): tf.Tensor2D {
  if (!heapAccess()) return tf.transpose(t)
  const [r, c] = t.shape
  return computeInto([t], [c, r], (out, v) => transpose2d(v, r, c, out), false) as tf.Tensor2D
}

/** dz = dy ⊙ act'(y) ; dW = (xᵀ·dz) ⊙ M ; db = Σ dz ; dx = dz·(W⊙M)ᵀ, all with plain (untransposed) matMuls. */
function backward(dy: tf.Tensor2D, x: tf.Tensor2D, w: tf.Tensor2D, y: tf.Tensor2D, opts: DenseOpOptions) {
  const [rows, cols] = dy.shape
  const dz = opts.activation === 'relu' ? reluBackward(dy, y) : dy
  const nk = activeNative()
  if (nk) return nativeBackward(dz, x, w, opts)
  let dw: tf.Tensor2D = tf.matMul(transpose(x), dz)
  if (opts.mask) dw = tf.mul(dw, opts.mask) as tf.Tensor2D
  // JS column sums: wasm's Sum over axis 0 transposes first. Elsewhere (webgpu) tf.sum: no read back to the CPU.
  const db = heapAccess() ? (computeInto([dz], [cols], (out, v) => columnSums(v, rows, cols, out)) as tf.Tensor1D) : (tf.sum(dz, 0) as tf.Tensor1D)
  let dx: tf.Tensor2D | null = null
  if (opts.inputGrad) {
    const wEff = (opts.mask ? tf.mul(w, opts.mask) : w) as tf.Tensor2D
    // dx = (W·dzᵀ)ᵀ: two transposes of batch-sized tensors instead of one of W (wasm's transpose of a 1024²
    // matrix costs ~12 ms, of a 256×1024 one ~1 ms); measured 7 % faster per MLP step.
    dx = transpose(tf.matMul(wEff, transpose(dz)))
  }
  return { dw, db, dx }
}

/** The backward pass on the native kernels: sgemm with transpose flags, or the sparse kernels. */
function nativeBackward(dz: tf.Tensor2D, x: tf.Tensor2D, w: tf.Tensor2D, opts: DenseOpOptions) {
  const nk = activeNative()!
  const db = nativeColumnSums(dz)!
  if (opts.sparse) {
    const [batch, inputs] = x.shape
    const dw = emptyTensor(w.shape) as tf.Tensor2D
    const dx = opts.inputGrad ? (emptyTensor([batch, inputs]) as tf.Tensor2D) : null
    const [xv, wv, dzv, dwv, dxv] = heapViews(dx ? [x, w, dz, dw, dx] : [x, w, dz, dw])!
    nk.spmmBackward(opts.sparse, batch, xv!, wv!, dzv!, dwv!, dxv ?? null)
    return { dw, db, dx }
  }
  // The gradient's mask is applied in C (wasm's Multiply of a 1024² matrix costs several ms); dX uses W as it is,
  // already masked (see forward).
  let dw = nativeMatMul(x, dz, true, false)!
  if (opts.mask) dw = nativeMul(dw, opts.mask)!
  let dx: tf.Tensor2D | null = null
  if (opts.inputGrad) dx = nativeMatMul(dz, w, false, true)!
  return { dw, db, dx }
}

/** act(x · (W⊙M) + b) with the fast gradient. */
export function denseOp(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, opts: DenseOpOptions): tf.Tensor2D {
  if (opts.inputGrad) {
    const op = customOp<tf.Tensor2D>(([xi, wi, bi], save) => {
      const y = forward(xi as tf.Tensor2D, wi as tf.Tensor2D, bi as tf.Tensor1D, opts)
      save([xi, wi, y])
      return {
        value: y,
        gradFunc: (dy, saved) => {
          const [sx, sw, sy] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]
          const g = backward(dy, sx, sw, sy, opts)
          return [g.dx!, g.dw, g.db]
        }
      }
    })
    return op(x, w, b)
  }
  // x is a constant of this op (data): it is closed over, not an input, so no gradient is computed for it.
  const op = customOp<tf.Tensor2D>(([wi, bi], save) => {
    const y = forward(x, wi as tf.Tensor2D, bi as tf.Tensor1D, opts)
    save([x, wi, y])
    return {
      value: y,
      gradFunc: (dy, saved) => {
        const [sx, sw, sy] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]
        const g = backward(dy, sx, sw, sy, opts)
        return [g.dw, g.db]
      }
    }
  })
  return op(w, b)
}

export interface MaskedDenseConfig {
  name: string
  inputs: number
  units: number
  activation: Activation
  /** Initial W, inputs × units row-major, and b (length units). */
  weight: Float32Array
  bias: Float32Array
  /** Whether the weight may be pruned (has a mask). */
  prunable: boolean
}

/** A dense layer whose W and b are tf.Variables and whose mask is replaced by setMask. */
export class MaskedDense {
  readonly name: string
  readonly inputs: number
  readonly units: number
  readonly activation: Activation
  readonly w: tf.Variable<tf.Rank.R2>
  readonly b: tf.Variable<tf.Rank.R1>
  /** All ones until pruned; null when the layer is not prunable. */
  mask: tf.Tensor2D | null
  /** True while the mask is all ones, so the forward pass can skip the multiply. */
  private maskIsFull = true
  /** The mask's sparse index (native addon) when its density is ≤ SPARSE_DENSITY. */
  private pattern: SparsePattern | null = null

  constructor(cfg: MaskedDenseConfig) {
    this.name = cfg.name
    this.inputs = cfg.inputs
    this.units = cfg.units
    this.activation = cfg.activation
    this.w = tf.tidy(() => tf.variable(tf.tensor2d(cfg.weight, [cfg.inputs, cfg.units]), true, `${cfg.name}/w`)) as tf.Variable<tf.Rank.R2>
    this.b = tf.tidy(() => tf.variable(tf.tensor1d(cfg.bias), true, `${cfg.name}/b`)) as tf.Variable<tf.Rank.R1>
    this.mask = cfg.prunable ? tf.keep(tf.ones([cfg.inputs, cfg.units]) as tf.Tensor2D) : null
    if (this.mask) fullMasks.add(this.mask)
  }

  /** Replaces the mask (0/1 values) and zeroes the pruned weights. */
  setMask(values: Float32Array): void {
    if (!this.mask) throw new Error(`${this.name} is not prunable`)
    if (values.length !== this.inputs * this.units) throw new Error(`${this.name}: mask has ${values.length} values, expected ${this.inputs * this.units}`)
    this.mask.dispose()
    this.mask = tf.keep(tf.tensor2d(values, [this.inputs, this.units]))
    this.maskIsFull = values.every((v) => v === 1)
    if (this.maskIsFull) fullMasks.add(this.mask)
    this.freePattern()
    const addon = nativeAddon()
    if (addon && !this.maskIsFull) {
      let kept = 0
      for (let i = 0; i < values.length; i++) if (values[i] !== 0) kept++
      if (kept <= SPARSE_DENSITY * values.length) {
        this.pattern = addon.sparsePattern(values, this.inputs, this.units)
        patterns.set(this.mask, this.pattern)
      }
    }
    tf.tidy(() => this.w.assign(tf.mul(this.w, this.mask!) as tf.Tensor2D))
  }

  /** Whether the forward/backward passes run on the sparse kernels now. */
  get usesSparseKernels(): boolean {
    return this.pattern !== null && sparseKernels && activeNative() !== null
  }

  private freePattern(): void {
    if (this.pattern) nativeAddon()?.freePattern(this.pattern)
    this.pattern = null
  }

  apply(x: tf.Tensor2D, inputGrad = true): tf.Tensor2D {
    const mask = this.maskIsFull ? null : this.mask
    const sparse = this.usesSparseKernels ? this.pattern : null
    return denseOp(x, this.w, this.b, { activation: this.activation, mask, inputGrad, sparse })
  }

  /** Nonzero entries of the mask (all entries when dense). */
  nonzero(): number {
    if (!this.mask || this.maskIsFull) return this.inputs * this.units
    // Summed on the CPU from the mask's values (cached there on GPU backends: no GPU read of a fresh sum).
    return readFloats(this.mask, (m) => m.reduce((s, v) => s + v, 0))
  }

  dispose(): void {
    this.w.dispose()
    this.b.dispose()
    this.mask?.dispose()
    this.freePattern()
  }
}
