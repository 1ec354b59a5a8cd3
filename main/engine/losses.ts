/**
 * Training losses: softmax cross-entropy (L_SUP) and NT-Xent (L_NCE, SimCLR), as in shared/iunet-method.md.
 * Tensor versions for training and plain-JS references for tests.
 */
import * as tf from '@tensorflow/tfjs-core'
import { matMul } from './ops.ts'

/** Mean softmax cross-entropy of logits (n × c) against integer labels; stable via logSoftmax. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const c = logits.shape[1]
    const onehot = tf.oneHot(tf.cast(labels, 'int32'), c)
    const logp = tf.logSoftmax(logits)
    return tf.neg(tf.mean(tf.sum(tf.mul(onehot, logp), 1))) as tf.Scalar
  })
}

/** Large negative logit for the self-similarity (exp underflows to exactly 0, no NaN unlike -Infinity·0). */
const SELF_MASK = -1e9

/**
 * NT-Xent over 2N projections z (rows 0..N-1 = view 1 of inputs 0..N-1, rows N..2N-1 = view 2 of the same inputs):
 * for anchor i the positive is the other view of the same input, the 2N−2 other rows are negatives,
 * ℓ(i) = −log(exp(sim(z_i, z_pos)/τ) / Σ_{k≠i} exp(sim(z_i, z_k)/τ)), sim = cosine, averaged over all 2N anchors.
 */
export function ntXent(z: tf.Tensor2D, tau: number): tf.Scalar {
  const twoN = z.shape[0]
  if (twoN % 2 !== 0 || twoN < 4) throw new Error(`ntXent needs 2N rows with N ≥ 2, got ${twoN}`)
  const n = twoN / 2
  return tf.tidy(() => {
    // Cosine similarity = dot product of L2-normalized rows; the epsilon keeps an all-zero row finite.
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(z), 1, true), 1e-12))
    const zn = tf.div(z, norm) as tf.Tensor2D
    // ops.matMul: tfjs' own matMul gradient uses transposed kernels, slow on wasm.
    const sim = matMul(zn, tf.transpose(zn) as tf.Tensor2D)
    const eye = tf.eye(twoN)
    const logits = tf.add(tf.div(sim, tau), tf.mul(eye, SELF_MASK))
    const posIdx = new Int32Array(twoN)
    for (let i = 0; i < twoN; i++) posIdx[i] = (i + n) % twoN
    const pos = tf.oneHot(tf.tensor1d(posIdx, 'int32'), twoN)
    const logp = tf.logSoftmax(logits)
    return tf.neg(tf.mean(tf.sum(tf.mul(pos, logp), 1))) as tf.Scalar
  })
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
