/**
 * Training losses: softmax cross-entropy (L_SUP), NT-Xent (L_NCE, SimCLR) and their ILO sum, as in
 * shared/iunet-method.md. Tensor versions for training and plain-JS references for tests.
 *
 * Every loss is one tf.customGrad op with its analytic gradient: tfjs-core alone registers no gradient functions
 * (they ship in the @tensorflow/tfjs union package, whose ESM files node cannot import), and one fused op is also
 * fewer kernels per step on wasm. Labels are closed over as constants (no gradient flows to them).
 */
import * as tf from '@tensorflow/tfjs-core'
import { matMul } from './ops.ts'

/** Large negative logit for the self-similarity (exp underflows to exactly 0, no NaN unlike -Infinity·0). */
const SELF_MASK = -1e9

/** Forward parts of the mean CE: value and the gradient w.r.t. the logits (softmax − onehot) / n. */
function ceParts(logits: tf.Tensor2D, labels: tf.Tensor1D): { value: tf.Scalar; grad: tf.Tensor2D } {
  const [n, c] = logits.shape
  const onehot = tf.oneHot(tf.cast(labels, 'int32'), c)
  const logp = tf.logSoftmax(logits)
  const value = tf.div(tf.neg(tf.sum(tf.mul(onehot, logp))), n) as tf.Scalar
  const grad = tf.div(tf.sub(tf.exp(logp), onehot), n) as tf.Tensor2D
  return { value, grad }
}

/** Forward parts of NT-Xent over z (2N × d): value and dL/dz. */
function ntXentParts(z: tf.Tensor2D, tau: number): { value: tf.Scalar; grad: tf.Tensor2D } {
  const twoN = z.shape[0]
  if (twoN % 2 !== 0 || twoN < 4) throw new Error(`ntXent needs 2N rows with N ≥ 2, got ${twoN}`)
  const n = twoN / 2
  // Cosine similarity = dot product of L2-normalized rows; the epsilon keeps an all-zero row finite.
  const r = tf.sqrt(tf.add(tf.sum(tf.square(z), 1, true), 1e-12))
  const u = tf.div(z, r) as tf.Tensor2D
  // ops.matMul: plain kernels only (tfjs' transposed matMul is slow on wasm).
  const s = tf.add(tf.div(matMul(u, tf.transpose(u) as tf.Tensor2D), tau), tf.mul(tf.eye(twoN), SELF_MASK))
  const posIdx = new Int32Array(twoN)
  for (let i = 0; i < twoN; i++) posIdx[i] = (i + n) % twoN
  const pos = tf.oneHot(tf.tensor1d(posIdx, 'int32'), twoN)
  const logp = tf.logSoftmax(s)
  const value = tf.div(tf.neg(tf.sum(tf.mul(pos, logp))), twoN) as tf.Scalar
  // dL/dS = (P − Pos)/2N (P_ii = 0: masked); S = U·Uᵀ/τ → dL/dU = (G + Gᵀ)·U/τ;
  // u = z/‖z‖ → dL/dz = (g − u·⟨u, g⟩)/‖z‖ per row.
  const g = tf.div(tf.sub(tf.exp(logp), pos), twoN) as tf.Tensor2D
  const gu = tf.div(matMul(tf.add(g, tf.transpose(g)) as tf.Tensor2D, u), tau)
  const grad = tf.div(tf.sub(gu, tf.mul(u, tf.sum(tf.mul(u, gu), 1, true))), r) as tf.Tensor2D
  return { value, grad }
}

/** Mean softmax cross-entropy of logits (n × c) against integer labels; stable via logSoftmax. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [l, save] = args as [tf.Tensor2D, tf.GradSaveFunc]
    const { value, grad } = ceParts(l, labels)
    save([grad])
    return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(saved[0], dy)] }
  })
  return op(logits) as tf.Scalar
}

/**
 * NT-Xent over 2N projections z (rows 0..N-1 = view 1 of inputs 0..N-1, rows N..2N-1 = view 2 of the same inputs):
 * for anchor i the positive is the other view of the same input, the 2N−2 other rows are negatives,
 * ℓ(i) = −log(exp(sim(z_i, z_pos)/τ) / Σ_{k≠i} exp(sim(z_i, z_k)/τ)), sim = cosine, averaged over all 2N anchors.
 */
export function ntXent(z: tf.Tensor2D, tau: number): tf.Scalar {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [zi, save] = args as [tf.Tensor2D, tf.GradSaveFunc]
    const { value, grad } = ntXentParts(zi, tau)
    save([grad])
    return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(saved[0], dy)] }
  })
  return op(z) as tf.Scalar
}

/** The two parts of an ILO loss, as plain numbers (for the per-epoch metrics). */
export interface IloParts {
  sup: number
  nce: number
}

/** Receives the two terms of an ILO loss as device scalars (no read); freed when the op's forward pass ends unless kept (tf.keep). */
export type IloPartsSink = (sup: tf.Scalar, nce: tf.Scalar) => void

/**
 * ILO = L_SUP(logits, labels) + λ · L_NCE(z, τ) as one op with gradients for both logits and z.
 * When `parts` is given, the two terms are written into it (one small GPU→CPU read per step); a function gets
 * them as tensors instead (no read: GPU backends sum them on the device).
 */
export function iloLoss(logits: tf.Tensor2D, labels: tf.Tensor1D, z: tf.Tensor2D, tau: number, lambda: number, parts?: IloParts | IloPartsSink): tf.Scalar {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [l, zi, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc]
    const ce = ceParts(l, labels)
    const nce = ntXentParts(zi, tau)
    if (typeof parts === 'function') parts(ce.value, nce.value)
    else if (parts) {
      parts.sup = ce.value.dataSync()[0]
      parts.nce = nce.value.dataSync()[0]
    }
    save([ce.grad, nce.grad])
    return {
      value: tf.add(ce.value, tf.mul(nce.value, lambda)) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(saved[0], dy), tf.mul(saved[1], tf.mul(dy, lambda))]
    }
  })
  return op(logits, z) as tf.Scalar
}

// ───────────── plain-JS references (tests) ─────────────

export function crossEntropyRef(logits: number[][], labels: number[]): number {
  let total = 0
  for (let i = 0; i < logits.length; i++) {
    const row = logits[i]
    const m = Math.max(...row)
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0))
    total += lse - row[labels[i]]
  }
  return total / logits.length
}

export function ntXentRef(z: number[][], tau: number): number {
  const twoN = z.length
  const n = twoN / 2
  const unit = z.map((r) => {
    const l = Math.sqrt(r.reduce((s, v) => s + v * v, 0))
    return r.map((v) => v / l)
  })
  const sim = (a: number, b: number): number => unit[a].reduce((s, v, k) => s + v * unit[b][k], 0)
  let total = 0
  for (let i = 0; i < twoN; i++) {
    const p = (i + n) % twoN
    let denom = 0
    for (let k = 0; k < twoN; k++) if (k !== i) denom += Math.exp(sim(i, k) / tau)
    total += -Math.log(Math.exp(sim(i, p) / tau) / denom)
  }
  return total / twoN
}
