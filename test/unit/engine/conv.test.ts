import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import { initBackend } from '../../../main/engine/backend.ts'
import { mulberry32 } from '../../../main/lib/random.ts'
import { conv2dOp } from '../../../main/engine/layers/conv.ts'
import { col2im, im2col, transpose2d } from '../../../main/engine/layers/im2col.ts'
import { BatchNorm } from '../../../main/engine/layers/norm.ts'
import { avgPool, maxPool } from '../../../main/engine/layers/pool.ts'

const B = 2,
  H = 5,
  W = 6,
  C = 3,
  CO = 4,
  K = 3
const rand = (n: number, seed: number) => {
  const u = mulberry32(seed)
  return Float32Array.from({ length: n }, () => u() * 2 - 1)
}
const xData = rand(B * H * W * C, 1)
const fData = rand(K * K * C * CO, 2) // NHWC filter [k, k, C, CO]
const bData = rand(CO, 3)
const upData = rand(B * H * W * CO, 4) // upstream gradient, NHWC
const maskData = Float32Array.from(rand(CO * K * K * C, 5), (v) => (v > 0 ? 1 : 0))

/** [k,k,C,CO] filter ↔ our weight [k·k·C, CO]. */
const toW = (f: tf.Tensor4D) => tf.reshape(f, [K * K * C, CO]) as tf.Tensor2D
const fromW = (w: tf.Tensor) => tf.reshape(w, [K, K, C, CO]) as tf.Tensor4D

interface Result {
  y: Float32Array
  dx: Float32Array
  dw: Float32Array
  db: Float32Array
}

/** Reference: tf.conv2d and autodiff on the cpu backend (its conv gradient kernels exist there). */
async function reference(masked: boolean, relu: boolean): Promise<Result> {
  await initBackend('cpu')
  return tf.tidy(() => {
    const x = tf.tensor4d(xData, [B, H, W, C])
    const f = tf.tensor4d(fData, [K, K, C, CO])
    const b = tf.tensor1d(bData)
    const up = tf.tensor4d(upData, [B, H, W, CO])
    const m = fromW(tf.tensor2d(maskData, [K * K * C, CO]))
    const fn = (xi: tf.Tensor, fi: tf.Tensor, bi: tf.Tensor) => {
      const z = tf.add(tf.conv2d(xi as tf.Tensor4D, (masked ? tf.mul(fi, m) : fi) as tf.Tensor4D, 1, 'same'), bi)
      return relu ? tf.relu(z) : z
    }
    const y = fn(x, f, b)
    const [dx, df, db] = tf.grads((xi: tf.Tensor, fi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(fn(xi, fi, bi), up)))([x, f, b])
    return {
      y: y.dataSync() as Float32Array,
      dx: dx.dataSync() as Float32Array,
      dw: toW(df as tf.Tensor4D).dataSync() as Float32Array,
      db: db.dataSync() as Float32Array
    }
  })
}

async function ours(backend: 'cpu' | 'wasm', masked: boolean, relu: boolean): Promise<Result> {
  await initBackend(backend)
  return tf.tidy(() => {
    const x = tf.tensor4d(xData, [B, H, W, C])
    const wT = toW(tf.tensor4d(fData, [K, K, C, CO]))
    const b = tf.tensor1d(bData)
    const up = tf.tensor4d(upData, [B, H, W, CO])
    const mask = masked ? tf.tensor2d(maskData, [K * K * C, CO]) : null
    const fn = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) =>
      conv2dOp(xi as tf.Tensor4D, wi as tf.Tensor2D, bi as tf.Tensor1D, { k: K, relu, mask, inputGrad: true })
    const y = fn(x, wT, b)
    const [dx, dw, db] = tf.grads((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(fn(xi, wi, bi), up)))([x, wT, b])
    return { y: y.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array, db: db.dataSync() as Float32Array }
  })
}

const close = (a: Float32Array, b: Float32Array, tol = 1e-4) => {
  expect(a.length).toBe(b.length)
  let worst = 0
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])))
  expect(worst).toBeLessThan(tol)
}

describe('im2col conv2d', () => {
  for (const backend of ['cpu', 'wasm'] as const)
    for (const [masked, relu] of [
      [false, false],
      [true, true]
    ] as const)
      it(`on ${backend}${masked ? ', masked' : ''}${relu ? ', relu' : ''}: forward and gradients equal tf.conv2d + cpu autodiff`, async () => {
        const ref = await reference(masked, relu)
        const got = await ours(backend, masked, relu)
        close(got.y, ref.y)
        close(got.dx, ref.dx)
        close(got.dw, ref.dw)
        close(got.db, ref.db)
        if (masked) for (let i = 0; i < maskData.length; i++) if (maskData[i] === 0) expect(got.dw[i] === 0).toBe(true)
      })

  it('skips dL/dx for data input and still gives the same weight gradient', async () => {
    await initBackend('wasm')
    const x = tf.tensor4d(xData, [B, H, W, C])
    const wT = tf.variable(toW(tf.tensor4d(fData, [K, K, C, CO])))
    const b = tf.variable(tf.tensor1d(bData))
    const loss = (inputGrad: boolean) => () => tf.sum(tf.square(conv2dOp(x, wT, b, { k: K, relu: true, mask: null, inputGrad }))) as tf.Scalar
    const g1 = tf.variableGrads(loss(true), [wT, b]).grads
    const g2 = tf.variableGrads(loss(false), [wT, b]).grads
    close(g1[wT.name].dataSync() as Float32Array, g2[wT.name].dataSync() as Float32Array, 1e-6)
  })
})

describe('pooling, im2col and batch norm', () => {
  it('maxPool / avgPool match tf.maxPool / tf.avgPool on cpu; max-pool gradient mass is exact', async () => {
    const data = rand(B * 4 * 6 * C, 7)
    await initBackend('cpu')
    const refMax = tf.maxPool(tf.tensor4d(data, [B, 4, 6, C]), 2, 2, 'valid').dataSync() as Float32Array
    const refAvg = tf.avgPool(tf.tensor4d(data, [B, 4, 6, C]), 2, 2, 'valid').dataSync() as Float32Array
    const refGrad = tf
      .grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid')))(tf.tensor4d(data, [B, 4, 6, C]))
      .dataSync() as Float32Array
    await initBackend('wasm')
    const x = tf.tensor4d(data, [B, 4, 6, C])
    close(maxPool(x).dataSync() as Float32Array, refMax, 1e-6)
    close(avgPool(x).dataSync() as Float32Array, refAvg, 1e-6)
    close(
      tf
        .grad((t: tf.Tensor) => tf.sum(maxPool(t as tf.Tensor4D)))(x)
        .dataSync() as Float32Array,
      refGrad,
      1e-6
    )
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.add(maxPool(t as tf.Tensor4D), tf.mul(avgPool(t as tf.Tensor4D), 2))))(x)
    // 36 windows: the max of each gets 1 from max-pool, all four get 2/4 from avg-pool.
    expect(tf.sum(g).dataSync()[0]).toBeCloseTo(B * C * 6 * (1 + 2), 4)
    // Odd sizes drop the last row/column, like 'valid'.
    expect(maxPool(tf.zeros([1, 5, 7, 2]) as tf.Tensor4D).shape).toEqual([1, 2, 3, 2])
  })

  it('JS im2col/col2im are adjoint and transpose2d transposes', () => {
    const s = { b: 2, h: 3, w: 4, c: 2 }
    const x = rand(48, 11)
    const cols = im2col(x, s, 3)
    const r = rand(cols.length, 12)
    // <im2col(x), r> = <x, col2im(r)>
    const lhs = cols.reduce((acc, v, i) => acc + v * r[i], 0)
    const back = col2im(r, s, 3)
    const rhs = x.reduce((acc, v, i) => acc + v * back[i], 0)
    expect(lhs).toBeCloseTo(rhs, 4)
    // im2col writes every element (the wasm path hands it uninitialized memory).
    expect(Array.from(im2col(x, s, 3, new Float32Array(cols.length).fill(NaN)))).toEqual(Array.from(cols))
    const a = rand(35 * 70, 13)
    const t = transpose2d(a, 35, 70)
    expect(t[69 * 35 + 34]).toBe(a[34 * 70 + 69])
    expect(t[3 * 35 + 5]).toBe(a[5 * 70 + 3])
  })

  it('batch norm: training output is normalized, gradient matches autodiff of the same formula', async () => {
    await initBackend('wasm')
    const bn = new BatchNorm(`bn${Math.random()}`, 3)
    const x = tf.tensor2d(rand(8 * 3, 9), [8, 3])
    const up = tf.tensor2d(rand(8 * 3, 10), [8, 3])
    const y = bn.apply(x, true)
    const { mean, variance } = tf.moments(y, 0)
    close(mean.dataSync() as Float32Array, new Float32Array(3), 1e-5)
    close(variance.dataSync() as Float32Array, new Float32Array(3).fill(1), 1e-3)
    const ours = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(bn.apply(t as tf.Tensor2D, true), up)))(x)
    const ref = tf.grad((t: tf.Tensor) => {
      const m = tf.moments(t, 0)
      return tf.sum(tf.mul(tf.div(tf.sub(t, m.mean), tf.sqrt(tf.add(m.variance, 1e-5))), up))
    })(x)
    close(ours.dataSync() as Float32Array, ref.dataSync() as Float32Array, 1e-4)
    // Inference uses the running statistics (moved from 0/1 towards the batch's).
    expect(bn.runMean.dataSync()[0]).not.toBe(0)
    expect(bn.apply(x, false).shape).toEqual([8, 3])
    bn.dispose()
  })
})
