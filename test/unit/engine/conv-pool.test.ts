/**
 * The fused convolution + bias + ReLU + 2×2 max pool (native/src/conv_pool.c, layers/conv-pool.ts) against plain
 * reference loops written here from the definitions, and the fused op against the unfused one (conv2dOp then
 * maxPool) through tfjs autodiff. Tolerance: 1e-5 of max(|expected|, 1) (relative for large values, absolute near
 * 0) for float32 sums against the references' double sums or another float32 order; 1e-4 for dW and db over 23
 * images, sums of 4,508 terms of magnitude ≤ 1 (float32's worst case n·ε is 2.7e-4); argmax exactly. Needs the
 * native addon (skipped, with the reason, without it; required where CI requires the native suite).
 */
import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import { initBackend } from '../../../main/engine/backend.ts'
import { nativeAddon, nativeStatus, setNativeEnabled } from '../../../main/engine/kernels/native.ts'
import { conv2dOp } from '../../../main/engine/layers/conv.ts'
import { convPoolOp } from '../../../main/engine/layers/conv-pool.ts'
import { maxPool } from '../../../main/engine/layers/pool.ts'
import { mulberry32 } from '../../../main/lib/random.ts'
import { skipSuite } from '../../helpers/suites.ts'

const addon = nativeAddon()
const skip = process.env.IUNET_NATIVE === '0' || skipSuite('native', addon ? null : nativeStatus().reason)

beforeAll(async () => {
  await initBackend('wasm')
})

const rand = (n: number, seed: number) => {
  const u = mulberry32(seed)
  return Float32Array.from({ length: n }, () => u() * 2 - 1)
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1): number {
  expect(a.length).toBe(b.length)
  let worst = 0
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), floor))
  return worst
}

interface Case {
  b: number
  h: number
  w: number
  c: number
  cout: number
  k: number
}

/** The pre-pool map act(conv(x) + bias), straight from the definition ('same' zero padding, stride 1). */
function referenceMap(s: Case, x: Float32Array, wt: Float32Array, bias: Float32Array, relu: boolean): Float32Array {
  const { b, h, w, c, cout, k } = s
  const p = (k - 1) / 2
  const z = new Float32Array(b * h * w * cout)
  for (let n = 0; n < b; n++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++)
        for (let co = 0; co < cout; co++) {
          let acc = 0
          for (let dy = 0; dy < k; dy++)
            for (let dx = 0; dx < k; dx++)
              for (let ch = 0; ch < c; ch++) {
                const yi = i + dy - p
                const xj = j + dx - p
                if (yi < 0 || yi >= h || xj < 0 || xj >= w) continue
                acc += x[((n * h + yi) * w + xj) * c + ch]! * wt[((dy * k + dx) * c + ch) * cout + co]!
              }
          const v = acc + bias[co]!
          z[((n * h + i) * w + j) * cout + co] = relu ? Math.max(v, 0) : v
        }
  return z
}

/** Forward and backward of the fused layer from the definitions: pooled y, argmax, dw, db, dx for upstream dy. */
function reference(s: Case, x: Float32Array, wt: Float32Array, bias: Float32Array, dy: Float32Array, relu: boolean) {
  const { b, h, w, c, cout, k } = s
  const [ho, wo] = [Math.floor(h / 2), Math.floor(w / 2)]
  const z = referenceMap(s, x, wt, bias, relu)
  const y = new Float32Array(b * ho * wo * cout)
  const argmax = new Int32Array(y.length)
  const dz = new Float32Array(z.length)
  for (let n = 0; n < b; n++)
    for (let i = 0; i < ho; i++)
      for (let j = 0; j < wo; j++)
        for (let co = 0; co < cout; co++) {
          const o = ((n * ho + i) * wo + j) * cout + co
          let at = -1
          for (const [di, dj] of [
            [0, 0],
            [0, 1],
            [1, 0],
            [1, 1]
          ]) {
            const idx = ((n * h + 2 * i + di!) * w + 2 * j + dj!) * cout + co
            if (at < 0 || z[idx]! > z[at]!) at = idx
          }
          y[o] = z[at]!
          argmax[o] = at
          // ReLU's derivative at the maximum: 1 where the pre-activation was positive (the pooled value > 0).
          if (!relu || y[o]! > 0) dz[at] = dy[o]!
        }
  const p = (k - 1) / 2
  const dw = new Float32Array(k * k * c * cout)
  const db = new Float32Array(cout)
  const dx = new Float32Array(x.length)
  for (let n = 0; n < b; n++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++)
        for (let co = 0; co < cout; co++) {
          const g = dz[((n * h + i) * w + j) * cout + co]!
          db[co] += g
          for (let dy2 = 0; dy2 < k; dy2++)
            for (let dx2 = 0; dx2 < k; dx2++)
              for (let ch = 0; ch < c; ch++) {
                const yi = i + dy2 - p
                const xj = j + dx2 - p
                if (yi < 0 || yi >= h || xj < 0 || xj >= w) continue
                const xi = ((n * h + yi) * w + xj) * c + ch
                const wi = ((dy2 * k + dx2) * c + ch) * cout + co
                dw[wi] += x[xi]! * g
                dx[xi] += wt[wi]! * g
              }
        }
  return { y, argmax, dw, db, dx }
}

describe.skipIf(skip)(`fused convolution + ReLU + 2×2 max pool${addon ? '' : ` (skipped: ${nativeStatus().reason})`}`, () => {
  // Odd sizes (a dropped edge row and column), a first layer's single channel, and a batch of several chunks.
  const cases: Case[] = [
    { b: 3, h: 7, w: 6, c: 3, cout: 5, k: 3 },
    { b: 2, h: 5, w: 5, c: 2, cout: 3, k: 1 },
    { b: 23, h: 28, w: 28, c: 1, cout: 32, k: 3 }
  ]
  for (const s of cases)
    for (const relu of [true, false])
      it(`${s.b}×${s.h}×${s.w}×${s.c} → ${s.cout}, k ${s.k}${relu ? ', ReLU' : ''}: the kernels equal the reference loops`, () => {
        const { b, h, w, c, cout, k } = s
        const x = rand(b * h * w * c, 1)
        const wt = rand(k * k * c * cout, 2)
        const bias = rand(cout, 3)
        const pooled = b * Math.floor(h / 2) * Math.floor(w / 2) * cout
        const dy = rand(pooled, 4)
        const ref = reference(s, x, wt, bias, dy, relu)
        const y = new Float32Array(pooled)
        const argmax = new Int32Array(pooled)
        addon!.convPoolForward(x, b, h, w, c, k, wt, cout, bias, relu, y, argmax)
        expect(relErr(y, ref.y)).toBeLessThan(1e-5)
        // The same window element wins unless two taps differ by rounding only (not with these random values).
        expect(Array.from(argmax)).toEqual(Array.from(ref.argmax))
        const [dw, db, dx] = [new Float32Array(wt.length).fill(7), new Float32Array(cout).fill(7), new Float32Array(x.length).fill(7)]
        addon!.convPoolBackward(x, b, h, w, c, k, wt, cout, y, argmax, dy, relu, dw, db, dx)
        const sums = s.b > 4 ? 1e-4 : 1e-5
        expect(relErr(dw, ref.dw), 'dw').toBeLessThan(sums)
        expect(relErr(db, ref.db), 'db').toBeLessThan(sums)
        expect(relErr(dx, ref.dx), 'dx').toBeLessThan(1e-5)
        // Without dx, dw and db are the same.
        const [dw2, db2] = [new Float32Array(wt.length), new Float32Array(cout)]
        addon!.convPoolBackward(x, b, h, w, c, k, wt, cout, y, argmax, dy, relu, dw2, db2, null)
        expect([Array.from(dw2), Array.from(db2)]).toEqual([Array.from(dw), Array.from(db)])
      })

  it('a layer without bias adds nothing', () => {
    const s = { b: 2, h: 4, w: 4, c: 2, cout: 3, k: 3 }
    const x = rand(2 * 4 * 4 * 2, 5)
    const wt = rand(9 * 2 * 3, 6)
    const [a, b] = [new Float32Array(24), new Float32Array(24)]
    addon!.convPoolForward(x, s.b, s.h, s.w, s.c, s.k, wt, s.cout, null, false, a, new Int32Array(24))
    addon!.convPoolForward(x, s.b, s.h, s.w, s.c, s.k, wt, s.cout, new Float32Array(3), false, b, new Int32Array(24))
    expect(Array.from(a)).toEqual(Array.from(b))
  })

  it('rejects bad shapes, argmax indices outside their image and overlapping outputs with a JS error', () => {
    const x = new Float32Array(2 * 4 * 4)
    const wt = new Float32Array(9 * 3)
    const y = new Float32Array(2 * 2 * 2 * 3)
    const am = new Int32Array(y.length)
    const f = (n: number) => new Float32Array(n)
    expect(() => addon!.convPoolForward(x, 2, 4, 4, 1, 3, f(26), 3, null, true, y, am)).toThrow(/weight has 26 elements/)
    expect(() => addon!.convPoolForward(x, 2, 4, 4, 1, 2, wt, 3, null, true, y, am)).toThrow(/odd kernel size/)
    expect(() => addon!.convPoolForward(x, 2, 4, 4, 1, 3, wt, 3, null, true, f(5), am)).toThrow(/y has 5 elements/)
    expect(() => addon!.convPoolForward(x, 2, 4, 4, 1, 3, wt, 3, null, true, x.subarray(0, 24), am)).toThrow(/overlap/)
    addon!.convPoolForward(x, 2, 4, 4, 1, 3, wt, 3, null, true, y, am)
    const bad = Int32Array.from(am)
    bad[0] = 4 * 4 * 3 // image 1's map, for an output of image 0
    expect(() => addon!.convPoolBackward(x, 2, 4, 4, 1, 3, wt, 3, y, bad, f(24), true, f(27), f(3), null)).toThrow(/argmax index outside/)
    bad[0] = -1
    expect(() => addon!.convPoolBackward(x, 2, 4, 4, 1, 3, wt, 3, y, bad, f(24), true, f(27), f(3), null)).toThrow(/argmax index outside/)
    expect(() => addon!.convPoolBackward(x, 2, 4, 4, 1, 3, wt, 3, y, am, f(24), true, f(27), f(2), null)).toThrow(/db has 2 elements/)
  })

  for (const [masked, inputGrad] of [
    [false, true],
    [true, true],
    [false, false]
  ] as const)
    it(`the op equals conv2dOp + maxPool through autodiff${masked ? ', masked' : ''}${inputGrad ? '' : ', data input'}`, () => {
      const [B, H, W, C, CO] = [3, 9, 8, 4, 6]
      const run = (fused: boolean) => {
        let out: (Float32Array | null)[] = []
        tf.tidy(() => {
          const x = tf.tensor4d(rand(B * H * W * C, 11), [B, H, W, C])
          const mask = masked
            ? tf.tensor2d(
                Float32Array.from(rand(9 * C * CO, 12), (v) => (v > 0 ? 1 : 0)),
                [9 * C, CO]
              )
            : null
          const w = tf.tensor2d(rand(9 * C * CO, 13), [9 * C, CO])
          const wk = mask ? tf.mul(w, mask) : w
          const b = tf.tensor1d(rand(CO, 14))
          const up = tf.tensor4d(rand(B * 4 * 4 * CO, 15), [B, 4, 4, CO])
          const opts = { k: 3, relu: true, mask, inputGrad }
          const f = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) =>
            fused
              ? convPoolOp(xi as tf.Tensor4D, wi as tf.Tensor2D, bi as tf.Tensor1D, opts)!
              : maxPool(conv2dOp(xi as tf.Tensor4D, wi as tf.Tensor2D, bi as tf.Tensor1D, opts))
          const y = f(x, wk, b)
          const loss = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(f(xi, wi, bi), up))
          const grads = inputGrad ? tf.grads(loss)([x, wk, b]) : [null, ...tf.grads((wi: tf.Tensor, bi: tf.Tensor) => loss(x, wi, bi))([wk, b])]
          out = [y, ...grads].map((t) => (t ? (t.dataSync() as Float32Array) : null))
        })
        return out
      }
      const fused = run(true)
      const plain = run(false)
      fused.forEach((v, i) => {
        if (v === null || plain[i] === null) expect(v).toBe(plain[i])
        else expect(relErr(v, plain[i]!)).toBeLessThan(1e-5)
      })
    })

  it('off the native kernels the op answers null (the layer composes conv2dOp and maxPool)', () => {
    const prev = setNativeEnabled(false)
    try {
      const x = tf.zeros([1, 2, 2, 1]) as tf.Tensor4D
      expect(convPoolOp(x, tf.zeros([9, 2]) as tf.Tensor2D, tf.zeros([2]) as tf.Tensor1D, { k: 3, relu: true, mask: null, inputGrad: true })).toBeNull()
    } finally {
      setNativeEnabled(prev)
    }
  })
})
