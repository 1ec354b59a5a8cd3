/**
 * The native kernels (native/, OpenBLAS on the wasm heap) against the pure wasm kernels: same results, same seed →
 * same numbers, no leaks, bad input rejected. Runs under whichever path is active (IUNET_NATIVE=0 turns the addon
 * off); the comparisons need the addon and are skipped, with the reason, only when it is not built — and it must
 * be built wherever it can be (OpenBLAS headers present).
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import { initBackend } from '../../../main/engine/backend.ts'
import { activeNative } from '../../../main/engine/kernels/gemm.ts'
import { nativeAddon, nativeStatus, setBlasThreads, setNativeEnabled } from '../../../main/engine/kernels/native.ts'
import { MaskedDense, setSparseKernels } from '../../../main/engine/layers/dense.ts'
import { heapViews } from '../../../main/engine/layers/heap.ts'
import { col2im, im2col, maxPoolBackward, maxPoolForward } from '../../../main/engine/layers/im2col.ts'
import { createModel, type Model, type ModelSpec } from '../../../main/engine/models.ts'
import { AdamW } from '../../../main/engine/optim.ts'
import { trainStep } from '../../../main/engine/train.ts'
import { mulberry32 } from '../../../main/lib/random.ts'
import { skipSuite } from '../../helpers/suites.ts'

const addon = nativeAddon()
const forcedOff = process.env.IUNET_NATIVE === '0'
const buildable = ['/usr/include/x86_64-linux-gnu/cblas.h', '/usr/include/cblas.h', '/usr/include/aarch64-linux-gnu/cblas.h'].some((p) => existsSync(p))

beforeAll(async () => {
  await initBackend('wasm')
})

afterEach(() => {
  setNativeEnabled(true)
  setSparseKernels(true)
})

function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const u = mulberry32(seed)
  return Float32Array.from({ length: n }, () => (u() * 2 - 1) * scale)
}

function randomMask(n: number, density: number, seed: number): Float32Array {
  const u = mulberry32(seed)
  return Float32Array.from({ length: n }, () => (u() < density ? 1 : 0))
}

/** Max |a-b| / max(|b|, floor) over two arrays. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-3): number {
  let worst = 0
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), floor))
  return worst
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!))
  return worst
}

/** One Adam step of `spec` from seed 1 on a fixed batch; returns the loss and every weight afterwards. */
function oneStep(spec: ModelSpec, density: number | null, batch = 16): { loss: number; weights: Map<string, Float32Array> } {
  const model = createModel(spec, 1)
  try {
    if (density !== null) model.params.forEach((p, i) => p.mask && model.setMask(p.name, randomMask(p.variable.size, density, 100 + i)))
    const dim = model.inputShape.reduce((a, b) => a * b, 1)
    const x = tf.tensor2d(randomArray(batch * dim, 7), [batch, dim])
    const y = tf.oneHot(
      tf.tensor1d(
        Int32Array.from({ length: batch }, (_, i) => i % model.nClasses),
        'int32'
      ),
      model.nClasses
    ) as tf.Tensor2D
    const opt = new AdamW(model.params, { learningRate: 1e-2 })
    const { loss } = trainStep(model, opt, () => tf.losses.softmaxCrossEntropy(y, model.forward(x, true).logits) as tf.Scalar)
    opt.dispose()
    x.dispose()
    y.dispose()
    return { loss, weights: model.getWeights() }
  } finally {
    model.dispose()
  }
}

const MLP: ModelSpec = { kind: 'mlp', inputs: 40, classes: 5, depth: 3, width: 96 }
const CNN: ModelSpec = { kind: 'cnn', imageShape: [8, 8, 2], classes: 4, channels: [8, 16], hidden: 32 }

describe('native kernel provider', () => {
  it('is built wherever it can be, or says why not', () => {
    const status = nativeStatus()
    if (forcedOff) {
      expect(status).toMatchObject({ available: false, reason: 'IUNET_NATIVE=0' })
      return
    }
    if (buildable) expect(status.reason, 'libopenblas-dev is installed, so npm install must have built native/').toBeNull()
    if (status.available) {
      expect(status.library).toMatch(/^OpenBLAS \d+\.\d+/)
      expect(status.threads).toBeGreaterThanOrEqual(1)
    } else expect(status.reason).toBeTruthy()
  })

  it('IUNET_NATIVE=0 turns the addon off in a fresh process', () => {
    const code = "import('./main/engine/kernels/native.ts').then((m) => console.log(JSON.stringify(m.nativeStatus())))"
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8', env: { ...process.env, IUNET_NATIVE: '0' } })
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ available: false, reason: 'IUNET_NATIVE=0' })
  })
})

// IUNET_NATIVE=0 (the wasm pass) skips on purpose; otherwise a missing addon fails where CI requires the suite.
const skipNative = forcedOff || skipSuite('native', addon ? null : nativeStatus().reason)

describe.skipIf(skipNative)(`native kernels${addon ? '' : ` (skipped: ${nativeStatus().reason})`}`, () => {
  it('sgemm with transpose flags matches a reference, in place on the wasm heap', () => {
    const [m, n, k] = [7, 5, 9]
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true]
    ] as const) {
      const a = randomArray(m * k, 1)
      const b = randomArray(k * n, 2)
      const at = (i: number, p: number) => (ta ? a[p * m + i]! : a[i * k + p]!)
      const bt = (p: number, j: number) => (tb ? b[j * k + p]! : b[p * n + j]!)
      const ref = new Float32Array(m * n)
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) ref[i * n + j] += at(i, p) * bt(p, j)
      const ta_ = tf.tensor1d(a)
      const tb_ = tf.tensor1d(b)
      const tc = tf.zeros([m * n])
      const [av, bv, cv] = heapViews([ta_, tb_, tc])!
      addon!.sgemm(ta, tb, m, n, k, 1, av!, bv!, 0, cv!)
      expect(maxAbs(tc.dataSync(), ref)).toBeLessThan(1e-5)
      tf.dispose([ta_, tb_, tc])
    }
  })

  it('rejects bad shapes, offsets, types and handles with a JS error, never a crash', () => {
    const a = new Float32Array(12)
    const b = new Float32Array(12)
    const c = new Float32Array(9)
    expect(() => addon!.sgemm(false, false, 3, 3, 4, 1, a, b, 0, c)).not.toThrow()
    expect(() => addon!.sgemm(false, false, 4, 3, 4, 1, a, b, 0, c)).toThrow(/a has 12 elements, the shape needs 16/)
    expect(() => addon!.sgemm(false, false, 3, 3, 4, 1, a.subarray(1), b, 0, c)).toThrow(/a has 11 elements/)
    expect(() => addon!.sgemm(false, false, 3, 3, 4, 1, a, b, 0, c.subarray(2))).toThrow(/c has 7 elements/)
    expect(() => addon!.sgemm(false, false, -1, 3, 4, 1, a, b, 0, c)).toThrow(/integer/)
    expect(() => addon!.sgemm(false, false, 1.5, 3, 4, 1, a, b, 0, c)).toThrow(/integer/)
    expect(() => addon!.sgemm(false, false, 3, 3, 4, NaN, a, b, 0, c)).toThrow(/finite/)
    expect(() => addon!.sgemm(false, false, 3, 3, 4, 1, new Float64Array(12) as unknown as Float32Array, b, 0, c)).toThrow(/Float32Array/)
    expect(() => addon!.sgemm(false, false, 3, 3, 4, 1, a, b, 0, a as Float32Array)).toThrow(/overlaps/)
    expect(() => (addon!.sgemm as unknown as (...x: unknown[]) => void)(false, false, 3)).toThrow(/arguments/)
    // A misaligned view on a shared buffer (byte offset not a multiple of 4) cannot exist as a Float32Array; an
    // offset view that is too short for the shape is caught above.
    expect(() => addon!.gemmBiasAct(3, 3, 4, a, b, new Float32Array(2), c, true)).toThrow(/bias has 2 elements/)
    const p = addon!.sparsePattern(Float32Array.from([1, 0, 0, 1]), 2, 2)
    expect(addon!.patternNnz(p)).toBe(2)
    expect(() => addon!.spmmForward(p, 3, new Float32Array(4), new Float32Array(4), null, new Float32Array(6), false)).toThrow(/x has 4 elements/)
    addon!.freePattern(p)
    expect(() => addon!.spmmForward(p, 1, new Float32Array(2), new Float32Array(4), null, new Float32Array(2), false)).toThrow(/freed/)
    expect(() => addon!.spmmForward({} as never, 1, new Float32Array(2), new Float32Array(4), null, new Float32Array(2), false)).toThrow(/sparsePattern/)
    expect(() => addon!.sparsePattern(new Float32Array(3), 2, 2)).toThrow(/mask has 3 elements/)
    expect(() => addon!.setThreads(0)).toThrow(/threads/)
    const f4 = () => new Float32Array(4)
    expect(() => addon!.adamw(f4(), new Float32Array(3), f4(), f4(), null, f4(), 0.9, 0.999, 1e-3, 1e-8, 1)).toThrow(/g has 3 elements/)
    const shared = f4()
    expect(() => addon!.adamw(f4(), f4(), shared, shared, null, f4(), 0.9, 0.999, 1e-3, 1e-8, 1)).toThrow(/overlap/)
    expect(() => addon!.mulInto(f4(), new Float32Array(2), f4())).toThrow(/b has 2 elements/)
  })

  it('one training step agrees with the pure wasm kernels (MLP, masked MLP, CNN) within 1e-4 relative', () => {
    for (const [spec, density] of [
      [MLP, null],
      [MLP, 0.5],
      [CNN, null]
    ] as const) {
      setNativeEnabled(true)
      const native = oneStep(spec, density)
      setNativeEnabled(false)
      const wasm = oneStep(spec, density)
      expect(Math.abs(native.loss - wasm.loss) / Math.abs(wasm.loss)).toBeLessThan(1e-4)
      for (const [name, w] of wasm.weights) expect(relErr(native.weights.get(name)!, w), `${spec.kind} ${name}`).toBeLessThan(1e-4)
    }
  })

  it('sparse kernels agree with the dense masked kernels to 1e-5 (forward, dX, dW)', () => {
    const [batch, inputs, units] = [13, 37, 29]
    for (const density of [0.05, 0.25]) {
      const layer = new MaskedDense({
        name: `sp${density}`,
        inputs,
        units,
        activation: 'relu',
        weight: randomArray(inputs * units, 3),
        bias: randomArray(units, 4, 0.1),
        prunable: true
      })
      layer.setMask(randomMask(inputs * units, density, 5))
      expect(layer.usesSparseKernels).toBe(true)
      const x = tf.tensor2d(randomArray(batch * inputs, 6), [batch, inputs])
      const dy = tf.tensor2d(randomArray(batch * units, 8), [batch, units])
      const run = () => {
        const f = (xi: tf.Tensor) => tf.sum(tf.mul(layer.apply(xi as tf.Tensor2D, true), dy)) as tf.Scalar
        const y = layer.apply(x, true)
        const { grads } = tf.variableGrads(() => f(x), [layer.w, layer.b])
        const dx = tf.grad(f)(x)
        const out = {
          y: y.dataSync().slice(),
          dw: grads[layer.w.name]!.dataSync().slice(),
          db: grads[layer.b.name]!.dataSync().slice(),
          dx: dx.dataSync().slice()
        }
        tf.dispose([y, dx, ...Object.values(grads)])
        return out
      }
      const sparse = run()
      setSparseKernels(false)
      expect(layer.usesSparseKernels).toBe(false)
      const dense = run()
      setSparseKernels(true)
      for (const key of ['y', 'dw', 'db', 'dx'] as const) expect(maxAbs(sparse[key], dense[key]), key).toBeLessThan(1e-5)
      tf.dispose([x, dy])
      layer.dispose()
    }
  })

  it('a masked MLP step on the sparse kernels equals the dense masked step', () => {
    setSparseKernels(true)
    const sparse = oneStep(MLP, 1 / 16)
    setSparseKernels(false)
    const dense = oneStep(MLP, 1 / 16)
    expect(Math.abs(sparse.loss - dense.loss)).toBeLessThan(1e-5)
    for (const [name, w] of dense.weights) expect(maxAbs(sparse.weights.get(name)!, w), name).toBeLessThan(1e-5)
  })

  it('the tiled sparse kernels are bit-identical for 1 and 2 threads, ragged batch tiles included', () => {
    // Above the kernels' threading threshold (nnz × batch ≥ 4 M) so that 2 threads really split the tiles.
    const [batch, inputs, units] = [165, 400, 300]
    const mask = randomMask(inputs * units, 0.25, 21)
    const w = randomArray(inputs * units, 22).map((v, i) => v * mask[i]!)
    const x = randomArray(batch * inputs, 23)
    const dz = randomArray(batch * units, 24)
    const bias = randomArray(units, 25, 0.1)
    const p = addon!.sparsePattern(mask, inputs, units)
    const runAll = (threads: number) => {
      setBlasThreads(threads)
      const y = new Float32Array(batch * units)
      const dw = new Float32Array(inputs * units)
      const dx = new Float32Array(batch * inputs)
      addon!.spmmForward(p, batch, x, w, bias, y, true)
      addon!.spmmBackward(p, batch, x, w, dz, dw, dx)
      return { y, dw, dx }
    }
    const one = runAll(1)
    const two = runAll(2)
    setBlasThreads(1)
    for (const k of ['y', 'dw', 'dx'] as const) expect(Array.from(two[k]), k).toEqual(Array.from(one[k]))
    // And against a plain reference (y = relu(x·W + b), dX = dZ·Wᵀ).
    let worst = 0
    for (let b = 0; b < batch; b++)
      for (let j = 0; j < units; j++) {
        let s = bias[j]!
        for (let i = 0; i < inputs; i++) s += x[b * inputs + i]! * w[i * units + j]!
        worst = Math.max(worst, Math.abs(Math.max(s, 0) - one.y[b * units + j]!))
      }
    for (let b = 0; b < batch; b++)
      for (let i = 0; i < inputs; i++) {
        let s = 0
        for (let j = 0; j < units; j++) s += dz[b * units + j]! * w[i * units + j]!
        worst = Math.max(worst, Math.abs(s - one.dx[b * inputs + i]!))
      }
    expect(worst).toBeLessThan(1e-5)
    addon!.freePattern(p)
  })

  it('sparse AdamW equals the masked AdamW at kept positions (bit for bit), 0 elsewhere; ReLU backward in C', () => {
    const [rows, cols] = [33, 47]
    const mask = randomMask(rows * cols, 0.2, 31)
    const w = randomArray(rows * cols, 32).map((v, i) => v * mask[i]!)
    const g = randomArray(rows * cols, 33)
    const p = addon!.sparsePattern(mask, rows, cols)
    const m1 = randomArray(rows * cols, 34, 0.01).map((v, i) => v * mask[i]!)
    const v1 = randomArray(rows * cols, 35, 0.01).map((v, i) => Math.abs(v) * mask[i]!)
    const [m2, v2, m3, v3] = [m1.slice(), v1.slice(), m1.slice(), v1.slice()]
    const dense = new Float32Array(rows * cols)
    const sparse = new Float32Array(rows * cols).fill(7)
    addon!.adamw(w, g, m1, v1, mask, dense, 0.9, 0.999, 1e-3, 1e-8, 0.99)
    addon!.adamwSparse(p, w, g, m2, v2, sparse, 0.9, 0.999, 1e-3, 1e-8, 0.99)
    // (+0 and -0 alike: the masked multiply leaves -0 where the update was negative.)
    expect(Array.from(sparse, (v) => v + 0)).toEqual(Array.from(dense, (v) => v + 0))
    for (let i = 0; i < mask.length; i++) if (mask[i]) expect([m2[i], v2[i]]).toEqual([m1[i], v1[i]])
    // In place (out = w): the same kept weights, bit for bit; pruned ones keep w's zeros (-0 where masking left it).
    const inPlace = w.slice()
    addon!.adamwSparse(p, inPlace, g, m3, v3, inPlace, 0.9, 0.999, 1e-3, 1e-8, 0.99)
    for (let i = 0; i < mask.length; i++) expect(mask[i] ? inPlace[i] : inPlace[i]! + 0).toBe(mask[i] ? sparse[i] : 0)
    const shifted = new Float32Array(rows * cols + 1)
    expect(() => addon!.adamwSparse(p, shifted.subarray(0, rows * cols), g, m2, v2, shifted.subarray(1), 0.9, 0.999, 1e-3, 1e-8, 1)).toThrow(/overlap/)
    expect(() => addon!.adamwSparse(p, w.subarray(1), g, m2, v2, sparse, 0.9, 0.999, 1e-3, 1e-8, 1)).toThrow(/w has/)
    expect(() => addon!.adamwSparse(p, w, g, m2, m2, sparse, 0.9, 0.999, 1e-3, 1e-8, 1)).toThrow(/overlap/)
    addon!.freePattern(p)
    const dy = randomArray(100, 36)
    const y = randomArray(100, 37)
    const out = new Float32Array(100)
    addon!.reluBackward(dy, y, out)
    expect(Array.from(out)).toEqual(Array.from(dy).map((d, i) => (y[i]! > 0 ? d : 0)))
    expect(() => addon!.reluBackward(dy, y.subarray(3), out)).toThrow(/y has 97 elements/)
  })

  it('AdamW flushes denormal moments (57x slower otherwise) and leaves JS/wasm denormals intact after the call', () => {
    const n = 64
    const w = new Float32Array(n).fill(0.01)
    const g = Float32Array.from({ length: n }, (_, i) => 1e-20 * ((i % 7) - 3))
    const [m, v, out] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)]
    addon!.adamw(w, g, m, v, null, out, 0.9, 0.999, 1e-3, 1e-8, 1)
    // (1 - 0.999) · (2e-20)² = 4e-43 is a denormal: flushed to 0 inside the kernel.
    expect(v[1]).toBe(0)
    expect(Math.abs(m[1]! / (0.1 * -2e-20) - 1)).toBeLessThan(1e-6)
    expect(out.every((x) => Number.isFinite(x))).toBe(true)
    // The thread's float mode is restored: denormals still exist for JS and for the wasm backend.
    expect(Math.fround(1e-40)).not.toBe(0)
    expect(new Float32Array([1e-41])[0]).not.toBe(0)
    const t = tf.mul(tf.tensor1d([1e-20]), tf.tensor1d([1e-20]))
    expect(t.dataSync()[0]).not.toBe(0)
    t.dispose()
  })

  it('im2col, col2im and 2×2 max pooling in C equal the JS loops bit for bit; bad shapes are rejected', () => {
    for (const [shape, k] of [
      [{ b: 2, h: 5, w: 7, c: 3 }, 3],
      [{ b: 1, h: 6, w: 4, c: 1 }, 5],
      [{ b: 3, h: 2, w: 2, c: 4 }, 3]
    ] as const) {
      const x = randomArray(shape.b * shape.h * shape.w * shape.c, 41)
      const cols = randomArray(shape.b * shape.h * shape.w * k * k * shape.c, 42)
      const viaC = { cols: im2col(x, shape, k, new Float32Array(cols.length).fill(9)), map: col2im(cols, shape, k) }
      setNativeEnabled(false)
      const viaJs = { cols: im2col(x, shape, k, new Float32Array(cols.length).fill(9)), map: col2im(cols, shape, k) }
      setNativeEnabled(true)
      expect(Array.from(viaC.cols), `im2col ${k}`).toEqual(Array.from(viaJs.cols))
      expect(Array.from(viaC.map), `col2im ${k}`).toEqual(Array.from(viaJs.map))
    }
    // 2×2 max pooling (odd sizes drop the last row/column; a NaN wins like tf's) and its backward pass.
    const shape = { b: 2, h: 5, w: 7, c: 3 }
    const x = randomArray(2 * 5 * 7 * 3, 43)
    x[10] = NaN
    const dy = randomArray(2 * 2 * 3 * 3, 44)
    const pool = () => {
      const f = maxPoolForward(x, shape, 2)
      return { y: Array.from(f.y), argmax: Array.from(f.argmax), dx: Array.from(maxPoolBackward(dy, f.argmax, x.length)) }
    }
    const poolC = pool()
    setNativeEnabled(false)
    const poolJs = pool()
    setNativeEnabled(true)
    expect(poolC).toEqual(poolJs)
    expect(() =>
      addon!.maxPoolBackward(
        dy,
        Int32Array.from(dy, () => 9999),
        new Float32Array(10)
      )
    ).toThrow(/outside dx/)
    const f = (n: number) => new Float32Array(n)
    expect(() => addon!.maxPool2(f(10), 1, 4, 4, 1, f(4), new Int32Array(4))).toThrow(/x has 10 elements/)
    expect(() => addon!.im2col(f(10), 1, 2, 2, 3, 3, f(108))).toThrow(/x has 10 elements/)
    expect(() => addon!.im2col(f(12), 1, 2, 2, 3, 2, f(200))).toThrow(/odd kernel/)
    expect(() => addon!.col2im(f(100), 1, 2, 2, 3, 3, f(12))).toThrow(/cols has 100 elements/)
  })

  it('masked weights stay exactly 0 through training on the dense and the sparse kernels (W ⊙ M = W)', () => {
    for (const density of [0.5, 1 / 16]) {
      const model = createModel(MLP, 1)
      const masks = new Map<string, Float32Array>()
      model.params.forEach((p, i) => {
        if (!p.mask) return
        masks.set(p.name, randomMask(p.variable.size, density, 60 + i))
        model.setMask(p.name, masks.get(p.name)!)
      })
      const x = tf.tensor2d(randomArray(20 * 40, 9), [20, 40])
      const y = tf.oneHot(
        tf.tensor1d(
          Int32Array.from({ length: 20 }, (_, i) => i % 5),
          'int32'
        ),
        5
      ) as tf.Tensor2D
      const opt = new AdamW(model.params, { learningRate: 1e-2, weightDecay: 0.01 })
      for (let s = 0; s < 3; s++) trainStep(model, opt, () => tf.losses.softmaxCrossEntropy(y, model.forward(x, true).logits) as tf.Scalar)
      for (const [name, w] of model.getWeights()) {
        const m = masks.get(name)
        if (!m) continue
        let offMask = 0
        let moved = 0
        for (let i = 0; i < m.length; i++) {
          if (m[i]) moved += w[i] !== 0 ? 1 : 0
          else offMask += w[i] !== 0 ? 1 : 0
        }
        expect(offMask, `${name} at ${density}`).toBe(0)
        expect(moved, name).toBeGreaterThan(0)
      }
      opt.dispose()
      model.dispose()
      tf.dispose([x, y])
    }
  })

  it('same seed → identical numbers, with 1 and with 2 BLAS threads', () => {
    for (const threads of [1, 2]) {
      setBlasThreads(threads)
      // Big enough for OpenBLAS to split the work across threads.
      const spec: ModelSpec = { kind: 'mlp', inputs: 300, classes: 10, depth: 2, width: 512 }
      const a = oneStep(spec, null, 128)
      const b = oneStep(spec, null, 128)
      expect(a.loss).toBe(b.loss)
      for (const [name, w] of a.weights) expect(Array.from(b.weights.get(name)!), name).toEqual(Array.from(w))
    }
    setBlasThreads(1)
  })

  it('no tensor or native-memory leaks across epochs (tf.memory and the addon counters)', () => {
    const model: Model = createModel(MLP, 2)
    model.params.forEach((p, i) => p.mask && model.setMask(p.name, randomMask(p.variable.size, 0.1, 50 + i)))
    expect(activeNative()).not.toBeNull()
    const x = tf.tensor2d(randomArray(32 * 40, 9), [32, 40])
    const y = tf.oneHot(
      tf.tensor1d(
        Int32Array.from({ length: 32 }, (_, i) => i % 5),
        'int32'
      ),
      5
    ) as tf.Tensor2D
    const opt = new AdamW(model.params, { learningRate: 1e-3 })
    const epoch = () => {
      for (let s = 0; s < 5; s++) trainStep(model, opt, () => tf.losses.softmaxCrossEntropy(y, model.forward(x, true).logits) as tf.Scalar)
    }
    epoch()
    const tensors = tf.memory().numTensors
    const live = addon!.counters().liveBytes
    for (let e = 0; e < 3; e++) epoch()
    expect(tf.memory().numTensors).toBe(tensors)
    expect(addon!.counters().liveBytes).toBe(live)
    // Re-masking (same masks) frees the old sparse index; disposing the model frees the last one.
    model.params.forEach((p, i) => p.mask && model.setMask(p.name, randomMask(p.variable.size, 0.1, 50 + i)))
    expect(addon!.counters().liveBytes).toBe(live)
    opt.dispose()
    model.dispose()
    tf.dispose([x, y])
    const c = addon!.counters()
    // What remains is this thread's scratch buffers (kept for reuse), not patterns.
    expect(c.liveBytes).toBeLessThan(live)
  })
})
