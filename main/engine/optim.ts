/**
 * Adam with decoupled weight decay (AdamW, Loshchilov & Hutter) over model Params.
 *
 * Pruned weights must stay exactly 0: the gradient is multiplied by the mask (so the moments stay 0 there) and the
 * mask is re-applied to the weight after the update. Weight decay applies to 'weight' params only (not biases or
 * normalization), as is usual. Bias correction follows PyTorch's formulation.
 */
import * as tf from '@tensorflow/tfjs-core'
import { activeNative } from './kernels/gemm.ts'
import { isFullMask, sparsePatternOf } from './layers/dense.ts'
import { computeInto, heapAccess, heapViews } from './layers/heap.ts'
import type { Param } from './models/types.ts'

export interface AdamWOptions {
  learningRate: number
  beta1?: number
  beta2?: number
  epsilon?: number
  weightDecay?: number
  /** On wasm, update in one JS pass over the heap (default); false = tensor ops (the reference path, for tests). */
  fused?: boolean
}

/** What a checkpoint keeps of an AdamW: the step and the moments by param name. */
export interface AdamWState {
  t: number
  m: Map<string, Float32Array>
  v: Map<string, Float32Array>
}

interface Slot {
  param: Param
  m: tf.Variable
  v: tf.Variable
}

export class AdamW {
  learningRate: number
  readonly beta1: number
  readonly beta2: number
  readonly epsilon: number
  weightDecay: number
  private readonly fused: boolean
  private t = 0
  private readonly slots = new Map<string, Slot>()

  constructor(
    private readonly params: Param[],
    opts: AdamWOptions
  ) {
    this.learningRate = opts.learningRate
    this.beta1 = opts.beta1 ?? 0.9
    this.beta2 = opts.beta2 ?? 0.999
    this.epsilon = opts.epsilon ?? 1e-8
    this.weightDecay = opts.weightDecay ?? 0
    this.fused = opts.fused ?? true
    for (const p of params) {
      // tidy: the initial tensors would otherwise stay registered next to the variables.
      const [m, v] = tf.tidy(() => [tf.variable(tf.zerosLike(p.variable), false), tf.variable(tf.zerosLike(p.variable), false)])
      this.slots.set(p.variable.name, { param: p, m, v })
    }
  }

  /** Steps taken so far. */
  get iterations(): number {
    return this.t
  }

  /**
   * One update from grads keyed by tf variable name (what tf.variableGrads returns). Params without a gradient
   * (e.g. an unused projection head) are left untouched. Does not dispose `grads`.
   */
  applyGradients(grads: Record<string, tf.Tensor>): void {
    this.t++
    const { beta1: b1, beta2: b2, epsilon: eps } = this
    const bc1 = 1 - Math.pow(b1, this.t)
    const bc2 = 1 - Math.pow(b2, this.t)
    const stepSize = this.learningRate / bc1
    const sqrtBc2 = Math.sqrt(bc2)
    const decayAll = 1 - this.learningRate * this.weightDecay
    const alpha = stepSize * sqrtBc2
    const epsHat = eps * sqrtBc2
    const fused = heapAccess() && this.fused
    // The same update in C (native kernels): ~20× faster than the JS pass, the largest cost of a step after the GEMMs.
    const nk = fused ? activeNative() : null
    tf.tidy(() => {
      for (const slot of this.slots.values()) {
        const g0 = grads[slot.param.variable.name]
        if (!g0) continue
        const { param, m, v } = slot
        // An all-ones mask (a layer not pruned yet) is not read: one stream of the update's memory traffic fewer.
        const mask = isFullMask(param.mask) ? null : param.mask
        const decay = this.weightDecay > 0 && param.kind === 'weight' ? decayAll : 1
        if (fused) {
          // One JS pass over the wasm heap instead of ~15 kernels: m and v (owned by this optimizer, never shared)
          // are updated in place; the weight goes to a new tensor, so wasm's matMul never reuses stale packed
          // weights cached under the old tensor's id.
          // A weight on the sparse kernels is updated at its kept positions only (the same arithmetic, so the same
          // kept weights; it is kept masked, so the pruned ones are 0).
          const pattern = nk ? sparsePatternOf(mask) : null
          if (nk && pattern) {
            // In place: the weight's memory belongs to the variable alone here (the step's saved tensors are gone),
            // and on the native path no wasm matMul has packed it; pruned positions stay 0, kept ones get the same
            // arithmetic as a new tensor would.
            const [W, G, M, V] = heapViews([param.variable, g0, m, v])!
            nk.adamwSparse(pattern, W!, G!, M!, V!, W!, b1, b2, alpha, epsHat, decay)
            continue
          }
          const inputs = mask && !pattern ? [param.variable, g0, m, v, mask] : [param.variable, g0, m, v]
          const w = computeInto(
            inputs,
            param.variable.shape,
            (out, W, G, M, V, K) => {
              if (nk) return nk.adamw(W!, G!, M!, V!, K ?? null, out, b1, b2, alpha, epsHat, decay)
              for (let i = 0; i < out.length; i++) {
                const k = K ? K[i] : 1
                const g = G[i] * k
                const mi = b1 * M[i] + (1 - b1) * g
                const vi = b2 * V[i] + (1 - b2) * g * g
                M[i] = mi
                V[i] = vi
                out[i] = (W[i] * decay - (alpha * mi) / (Math.sqrt(vi) + epsHat)) * k
              }
            },
            false
          )
          param.variable.assign(w)
          continue
        }
        const g = mask ? tf.mul(g0, mask) : g0
        const m1 = tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1))
        const v1 = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2))
        m.assign(m1)
        v.assign(v1)
        // lr/bc1 · m / (sqrt(v)/sqrt(bc2) + eps) = (lr·sqrt(bc2)/bc1) · m / (sqrt(v) + eps·sqrt(bc2)): two ops fewer.
        const denom = tf.add(tf.sqrt(v1), epsHat)
        let w: tf.Tensor = param.variable
        if (decay !== 1) w = tf.mul(w, decay)
        w = tf.sub(w, tf.mul(tf.div(m1, denom), alpha))
        if (mask) w = tf.mul(w, mask)
        param.variable.assign(w)
      }
    })
  }

  /** GPU backends: both moments brought to the CPU asynchronously, so getState then makes no GPU read of its own. */
  async settle(): Promise<void> {
    await Promise.all([...this.slots.values()].flatMap((s) => [s.m.data(), s.v.data()]))
  }

  /** Step count and both moments of every param, copied out (for checkpoints). */
  getState(): AdamWState {
    const m = new Map<string, Float32Array>()
    const v = new Map<string, Float32Array>()
    for (const s of this.slots.values()) {
      m.set(s.param.name, Float32Array.from(s.m.dataSync() as Float32Array))
      v.set(s.param.name, Float32Array.from(s.v.dataSync() as Float32Array))
    }
    return { t: this.t, m, v }
  }

  /** Restores what getState returned: the next step continues exactly where the saved one stopped. */
  setState(state: AdamWState): void {
    this.t = state.t
    tf.tidy(() => {
      for (const s of this.slots.values()) {
        const m = state.m.get(s.param.name)
        const v = state.v.get(s.param.name)
        if (!m || !v) throw new Error(`optimizer state has no moments for ${s.param.name}`)
        // Fresh buffers owned by the variables alone: the fused update writes m and v in place.
        s.m.assign(tf.tensor(Float32Array.from(m), s.m.shape))
        s.v.assign(tf.tensor(Float32Array.from(v), s.v.shape))
      }
    })
  }

  /** Forgets the moments and the step count (a fresh optimizer for finetuning). */
  reset(): void {
    this.t = 0
    tf.tidy(() => {
      for (const s of this.slots.values()) {
        s.m.assign(tf.zerosLike(s.m))
        s.v.assign(tf.zerosLike(s.v))
      }
    })
  }

  dispose(): void {
    for (const s of this.slots.values()) {
      s.m.dispose()
      s.v.dispose()
    }
    this.slots.clear()
  }

  /** The params this optimizer updates. */
  get paramList(): readonly Param[] {
    return this.params
  }
}
