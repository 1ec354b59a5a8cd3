import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import { initBackend } from '../../../main/engine/backend.ts'
import { MaskedDense } from '../../../main/engine/layers/dense.ts'

const X = [
  [1, -2, 0.5],
  [0, 3, -1]
]
const W = [
  [0.2, -0.4],
  [0.1, 0.3],
  [-0.5, 0.6]
]
const B = [0.05, -0.1]
const M = [
  [1, 0],
  [1, 1],
  [0, 1]
]

/** relu(x·(W⊙M)+b) by hand. */
function reference(mask: number[][] | null, relu: boolean): number[][] {
  return X.map((row) =>
    B.map((b, j) => {
      let s = b
      for (let k = 0; k < row.length; k++) s += row[k] * W[k][j] * (mask ? mask[k][j] : 1)
      return relu ? Math.max(0, s) : s
    })
  )
}

function layer(relu: boolean, prunable = true): MaskedDense {
  return new MaskedDense({
    name: `t${Math.random()}`,
    inputs: 3,
    units: 2,
    activation: relu ? 'relu' : 'linear',
    prunable,
    weight: Float32Array.from(W.flat()),
    bias: Float32Array.from(B)
  })
}

describe.each(['cpu', 'wasm'] as const)('MaskedDense on %s', (backend) => {
  it('forward equals the hand computation, dense and masked', async () => {
    await initBackend(backend)
    for (const relu of [true, false]) {
      const l = layer(relu)
      const x = tf.tensor2d(X)
      const dense = l.apply(x).arraySync()
      l.setMask(Float32Array.from(M.flat()))
      const masked = l.apply(x).arraySync()
      const ref = reference(null, relu)
      const refM = reference(M, relu)
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 2; j++) {
          expect(dense[i][j]).toBeCloseTo(ref[i][j], 5)
          expect(masked[i][j]).toBeCloseTo(refM[i][j], 5)
        }
      // Pruned weights are zeroed in the variable itself.
      const w = l.w.arraySync()
      // Exactly zero (a negative weight times 0 is -0, which equals 0).
      expect(w[0][1] === 0 && w[2][0] === 0).toBe(true)
      l.dispose()
      x.dispose()
    }
  })

  it('gradients equal those of the plain tfjs expression, masked and with or without dL/dx', async () => {
    await initBackend(backend)
    const l = layer(true)
    l.setMask(Float32Array.from(M.flat()))
    const x = tf.tensor2d(X)
    const up = tf.tensor2d([
      [1, -2],
      [0.5, 3]
    ])
    const mask = tf.tensor2d(M)
    for (const inputGrad of [true, false]) {
      // Reference: autodiff through registered kernels (tfgrad/register.ts) with the mask multiplied in.
      const ref = tf.grads((w: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.relu(tf.add(tf.matMul(x, tf.mul(w, mask)), b)), up)))
      const g = tf.variableGrads(() => tf.sum(tf.mul(l.apply(x, inputGrad), up)) as tf.Scalar, [l.w, l.b])
      const [rw, rb] = ref([l.w, l.b])
      expect(Array.from(g.grads[l.w.name].dataSync())).toEqual(Array.from(rw.dataSync()).map((v) => expect.closeTo(v, 5)))
      expect(Array.from(g.grads[l.b.name].dataSync())).toEqual(Array.from(rb.dataSync()).map((v) => expect.closeTo(v, 5)))
      // The masked weights get no gradient.
      const gw = g.grads[l.w.name].arraySync() as number[][]
      expect(gw[0][1] === 0 && gw[2][0] === 0).toBe(true)
    }
    const dx = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(l.apply(xi as tf.Tensor2D, true), up)))(x)
    const dxRef = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(tf.relu(tf.add(tf.matMul(xi, tf.mul(l.w, mask)), l.b)), up)))(x)
    expect(Array.from(dx.dataSync())).toEqual(Array.from(dxRef.dataSync()).map((v) => expect.closeTo(v, 5)))
    l.dispose()
  })
})
