/**
 * Throughput measurements on the current backend. Every number is measured in the call that returns it.
 */
import * as tf from '@tensorflow/tfjs-core'
import { mulberry32 } from '../lib/random.ts'
import { setSparseKernels } from './layers/dense.ts'
import { createModel } from './models.ts'
import type { Model } from './models/types.ts'
import { AdamW } from './optim.ts'
import { trainStep } from './train.ts'

export interface BenchOptions {
  /** Measuring time after warm-up (default 5 s). */
  seconds?: number
  batchSize?: number
  /** Untimed steps first (wasm compiles and allocates on the first steps). */
  warmupSteps?: number
}

export interface BenchResult {
  backend: string
  /** Training samples (or images) per second. */
  perSecond: number
  steps: number
  seconds: number
  msPerStep: number
  batchSize: number
}

function randomBatch(n: number, dim: number, classes: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const u = mulberry32(seed)
  const xs = new Float32Array(n * dim)
  for (let i = 0; i < xs.length; i++) xs[i] = u()
  const labels = new Int32Array(n)
  for (let i = 0; i < n; i++) labels[i] = Math.floor(u() * classes)
  return { x: tf.tensor2d(xs, [n, dim]), y: tf.oneHot(tf.tensor1d(labels, 'int32'), classes) as tf.Tensor2D }
}

/** Trains `model` on a fixed random batch for ~seconds; the data upload is outside the timing. */
export function benchTraining(model: Model, opts: BenchOptions = {}): BenchResult {
  const batch = opts.batchSize ?? 256
  const seconds = opts.seconds ?? 5
  const dim = model.inputShape.reduce((a, b) => a * b, 1)
  const { x, y } = randomBatch(batch, dim, model.nClasses, 1)
  const opt = new AdamW(model.params, { learningRate: 1e-3 })
  const step = () => trainStep(model, opt, () => tf.losses.softmaxCrossEntropy(y, model.forward(x, true).logits) as tf.Scalar)
  for (let i = 0; i < (opts.warmupSteps ?? 2); i++) step()
  let steps = 0
  const t0 = performance.now()
  let elapsed = 0
  while (elapsed < seconds * 1000 || steps < 2) {
    step()
    steps++
    elapsed = performance.now() - t0
  }
  opt.dispose()
  x.dispose()
  y.dispose()
  const s = elapsed / 1000
  return { backend: tf.getBackend(), perSecond: (steps * batch) / s, steps, seconds: s, msPerStep: elapsed / steps, batchSize: batch }
}

/** Samples/s training the 784-1024-1024-1024-10 MLP with Adam, batch 256 by default. */
export function benchMlp(opts: BenchOptions = {}): BenchResult {
  const model = createModel({ kind: 'mlp', inputs: 784, classes: 10, depth: 3, width: 1024 }, 1)
  try {
    return benchTraining(model, opts)
  } finally {
    model.dispose()
  }
}

/** Images/s training the CNN baseline (conv32 → pool → conv64 → pool → fc128 → 10) on 28×28×1, batch 128. */
export function benchCnn(opts: BenchOptions = {}): BenchResult {
  const model = createModel({ kind: 'cnn', imageShape: [28, 28, 1], classes: 10 }, 1)
  try {
    return benchTraining(model, { batchSize: 128, ...opts })
  } finally {
    model.dispose()
  }
}

/** Samples/s of inference (forward, training=false) on a fixed random batch. */
export function benchInference(model: Model, opts: BenchOptions = {}): BenchResult {
  const batch = opts.batchSize ?? 256
  const seconds = opts.seconds ?? 5
  const dim = model.inputShape.reduce((a, b) => a * b, 1)
  const { x, y } = randomBatch(batch, dim, model.nClasses, 1)
  const step = () => tf.tidy(() => model.forward(x, false).logits.dataSync())
  for (let i = 0; i < (opts.warmupSteps ?? 2); i++) step()
  let steps = 0
  const t0 = performance.now()
  let elapsed = 0
  while (elapsed < seconds * 1000 || steps < 2) {
    step()
    steps++
    elapsed = performance.now() - t0
  }
  x.dispose()
  y.dispose()
  const s = elapsed / 1000
  return { backend: tf.getBackend(), perSecond: (steps * batch) / s, steps, seconds: s, msPerStep: elapsed / steps, batchSize: batch }
}

/** Masks every prunable weight of `model` at random to `density` (the pruned MLP's shape of work). */
export function maskRandomly(model: Model, density: number, seed = 3): void {
  const u = mulberry32(seed)
  for (const p of model.params) {
    if (!p.mask) continue
    const m = new Float32Array(p.variable.size)
    for (let i = 0; i < m.length; i++) m[i] = u() < density ? 1 : 0
    model.setMask(p.name, m)
  }
}

export interface MaskedBench {
  /** Train samples/s and inference samples/s with the sparse kernels, then with the dense masked kernels. */
  sparseTrain: BenchResult
  denseTrain: BenchResult
  sparseInference: BenchResult
  denseInference: BenchResult
  /** FLOPs per example, dense vs kept weights only. */
  flops: { dense: number; sparse: number }
}

/** Several timed rounds of one measurement as one result (steps and time summed). */
function combine(rs: BenchResult[]): BenchResult {
  const steps = rs.reduce((a, r) => a + r.steps, 0)
  const seconds = rs.reduce((a, r) => a + r.seconds, 0)
  const batchSize = rs[0]!.batchSize
  return { backend: rs[0]!.backend, perSecond: (steps * batchSize) / seconds, steps, seconds, msPerStep: (seconds * 1000) / steps, batchSize }
}

/**
 * The bench MLP masked to `density` (default 1/16): sparse kernels vs dense masked kernels, train and inference,
 * in alternating rounds (sparse, dense, sparse, …) so that a machine whose speed drifts (shared cores) slows both
 * alike.
 */
export function benchMaskedMlp(opts: BenchOptions & { density?: number; rounds?: number } = {}): MaskedBench {
  const model = createModel({ kind: 'mlp', inputs: 784, classes: 10, depth: 3, width: 1024 }, 1)
  const prev = setSparseKernels(true)
  try {
    maskRandomly(model, opts.density ?? 1 / 16)
    const rounds = Math.max(1, opts.rounds ?? 3)
    const round = { ...opts, seconds: (opts.seconds ?? 5) / rounds }
    const r = { sparseTrain: [] as BenchResult[], denseTrain: [] as BenchResult[], sparseInference: [] as BenchResult[], denseInference: [] as BenchResult[] }
    for (let i = 0; i < rounds; i++) {
      setSparseKernels(true)
      r.sparseTrain.push(benchTraining(model, round))
      r.sparseInference.push(benchInference(model, round))
      setSparseKernels(false)
      r.denseTrain.push(benchTraining(model, round))
      r.denseInference.push(benchInference(model, round))
    }
    return {
      sparseTrain: combine(r.sparseTrain),
      denseTrain: combine(r.denseTrain),
      sparseInference: combine(r.sparseInference),
      denseInference: combine(r.denseInference),
      flops: model.flops()
    }
  } finally {
    setSparseKernels(prev)
    model.dispose()
  }
}
