import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import { crossEntropyRef, iloLoss, ntXent, ntXentRef, softmaxCrossEntropy, type IloParts } from '../../../main/engine/losses.ts'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

describe('softmaxCrossEntropy', () => {
  it('matches log-sum-exp by hand and stays finite for huge logits', () => {
    const logits = [
      [1, 2, 3],
      [0, 0, 0]
    ]
    // Row 0, label 2: lse(1,2,3) − 3 = log(e^-2 + e^-1 + 1); row 1, label 0: log 3.
    const hand = (Math.log(Math.exp(-2) + Math.exp(-1) + 1) + Math.log(3)) / 2
    const v = tf.tidy(() => softmaxCrossEntropy(tf.tensor2d(logits), tf.tensor1d([2, 0], 'int32')).dataSync()[0])
    expect(v).toBeCloseTo(hand, 6)
    expect(crossEntropyRef(logits, [2, 0])).toBeCloseTo(hand, 12)
    const big = tf.tidy(() => softmaxCrossEntropy(tf.tensor2d([[1000, 0]]), tf.tensor1d([1], 'int32')).dataSync()[0])
    expect(big).toBeCloseTo(1000, 3)
  })
})

describe('ntXent', () => {
  it('equals the hand-computed value for N = 2 in 2-d', () => {
    // Views: rows 0,1 = view 1 of inputs a,b; rows 2,3 = view 2. z0=(1,0), z1=(0,1), z2=(1,1)/√2·…, z3=(−1,0).
    const z = [
      [1, 0],
      [0, 1],
      [1, 1],
      [-1, 0]
    ]
    const tau = 0.5
    const c = Math.SQRT1_2
    // cos table: s01=0, s02=c, s03=−1, s12=c, s13=0, s23=−c. Positives: 0↔2, 1↔3.
    const e = (s: number) => Math.exp(s / tau)
    const l0 = -Math.log(e(c) / (e(0) + e(c) + e(-1)))
    const l1 = -Math.log(e(0) / (e(0) + e(c) + e(0)))
    const l2 = -Math.log(e(c) / (e(c) + e(c) + e(-c)))
    const l3 = -Math.log(e(0) / (e(-1) + e(0) + e(-c)))
    const hand = (l0 + l1 + l2 + l3) / 4
    expect(ntXentRef(z, tau)).toBeCloseTo(hand, 12)
    const v = tf.tidy(() => ntXent(tf.tensor2d(z), tau).dataSync()[0])
    expect(v).toBeCloseTo(hand, 5)
  })

  it('matches the JS reference on random data, is scale-invariant, and has finite gradients', () => {
    const n = 5
    const d = 3
    const rows = Array.from({ length: 2 * n }, (_, i) => Array.from({ length: d }, (_, j) => Math.sin(i * 7.1 + j * 3.3) + 0.1 * j))
    const ref = ntXentRef(rows, 0.3)
    const v = tf.tidy(() => ntXent(tf.tensor2d(rows), 0.3).dataSync()[0])
    expect(v).toBeCloseTo(ref, 4)
    const scaled = tf.tidy(() => ntXent(tf.mul(tf.tensor2d(rows), 7) as tf.Tensor2D, 0.3).dataSync()[0])
    expect(scaled).toBeCloseTo(ref, 4)
    const g = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) => ntXent(x as tf.Tensor2D, 0.3))(tf.tensor2d(rows))
        .dataSync()
    )
    expect(Array.from(g).every(Number.isFinite)).toBe(true)
    expect(Math.max(...Array.from(g).map(Math.abs))).toBeGreaterThan(0)
  })

  it('is lowest when each view matches its positive', () => {
    const aligned = [
      [1, 0],
      [0, 1],
      [1, 0],
      [0, 1]
    ]
    const swapped = [
      [1, 0],
      [0, 1],
      [0, 1],
      [1, 0]
    ]
    expect(ntXentRef(aligned, 0.5)).toBeLessThan(ntXentRef(swapped, 0.5))
  })

  it('leaks no tensors inside tidy, also when differentiated', () => {
    const z = tf.randomNormal([8, 4]) as tf.Tensor2D
    const before = tf.memory().numTensors
    tf.tidy(() => {
      ntXent(z, 0.5)
      tf.grad((x: tf.Tensor) => ntXent(x as tf.Tensor2D, 0.5))(z)
    })
    expect(tf.memory().numTensors).toBe(before)
    z.dispose()
  })
})

/** Central finite differences of a JS function of a flat vector. */
function numericGrad(f: (v: number[]) => number, v: number[], h = 1e-5): number[] {
  return v.map((_, i) => {
    const a = v.slice()
    const b = v.slice()
    a[i] += h
    b[i] -= h
    return (f(a) - f(b)) / (2 * h)
  })
}

describe('analytic gradients', () => {
  const rows = Array.from({ length: 6 }, (_, i) => Array.from({ length: 3 }, (_, j) => Math.cos(i * 2.3 + j * 1.7) + 0.2))
  const flat = rows.flat()
  const unflat = (v: number[]) => rows.map((r, i) => v.slice(i * 3, i * 3 + 3))

  it('NT-Xent gradient matches finite differences of the JS reference', () => {
    const num = numericGrad((v) => ntXentRef(unflat(v), 0.5), flat)
    const g = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) => ntXent(x as tf.Tensor2D, 0.5))(tf.tensor2d(rows))
        .dataSync()
    )
    num.forEach((v, i) => expect(g[i]).toBeCloseTo(v, 3))
  })

  it('cross-entropy gradient matches finite differences', () => {
    const labels = [0, 2, 1, 1, 0, 2]
    const num = numericGrad((v) => crossEntropyRef(unflat(v), labels), flat)
    const g = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) => softmaxCrossEntropy(x as tf.Tensor2D, tf.tensor1d(labels, 'int32')))(tf.tensor2d(rows))
        .dataSync()
    )
    num.forEach((v, i) => expect(g[i]).toBeCloseTo(v, 3))
  })

  it('iloLoss = CE + λ·NT-Xent with both gradients, and reports its parts', () => {
    const logits = [
      [1, 0, -1],
      [0.5, 0.2, 0.1]
    ]
    const labels = [0, 2]
    const z = rows.slice(0, 4)
    const parts: IloParts = { sup: 0, nce: 0 }
    const { v, gl, gz } = tf.tidy(() => {
      const lab = tf.tensor1d(labels, 'int32')
      const L = tf.tensor2d(logits)
      const Z = tf.tensor2d(z)
      const v = iloLoss(L, lab, Z, 0.5, 2, parts).dataSync()[0]
      const [gl, gz] = tf.grads((a: tf.Tensor, b: tf.Tensor) => iloLoss(a as tf.Tensor2D, lab, b as tf.Tensor2D, 0.5, 2))([L, Z])
      const gzRef = tf.grad((b: tf.Tensor) => ntXent(b as tf.Tensor2D, 0.5))(Z)
      return { v, gl: gl.dataSync(), gz: Array.from(gz.dataSync()).map((x, i) => x - 2 * gzRef.dataSync()[i]) }
    })
    expect(parts.sup).toBeCloseTo(crossEntropyRef(logits, labels), 5)
    expect(parts.nce).toBeCloseTo(ntXentRef(z, 0.5), 5)
    expect(v).toBeCloseTo(parts.sup + 2 * parts.nce, 5)
    expect(gl.length).toBe(6)
    gz.forEach((d) => expect(Math.abs(d)).toBeLessThan(1e-5))
  })
})
