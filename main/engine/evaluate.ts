/**
 * Test-set evaluation of a trained model: accuracy scores, invariance under the ILO transformation, inference
 * latency, parameter/FLOP counts and per-layer sparsity; and the first-layer artifact for drawing masks.
 */
import { splitRange, type FirstLayerArtifact, type LayerSparsity, type ModelKind, type ValidationScores } from '../contract/index.ts'
import type { Augment } from './augment/index.ts'
import { accuracy, argmaxRows, balancedAccuracy, confusionMatrix, cosineSum, macroF1, predictionConsistency } from './metrics.ts'
import type { Model, Param } from './models/types.ts'
import { countOnes } from './prune.ts'
import type { Rng } from '../lib/random.ts'
import * as tf from '@tensorflow/tfjs-core'
import { predict, predictAsync } from './train.ts'
import type { SplitArrays } from './types.ts'

export interface TestEvaluation {
  accuracy: number
  balancedAccuracy: number
  macroF1: number
  confusion: number[][]
  invariancePrediction: number
  invarianceRepresentation: number
  inferenceMsPerExample: number
  params: number
  nonzeroParams: number
  flopsDense: number
  flopsSparse: number
  layers: LayerSparsity[]
}

/** Parameters of the deployed model: the projection head is a training aid and is not counted. */
export function deployedParams(model: Model): Param[] {
  return model.params.filter((p) => p.group !== 'projection')
}

/** The parameters OMP ranks: weight matrices/kernels of the encoder that carry a mask. */
export function prunableParams(model: Model): Param[] {
  return model.params.filter((p) => p.group === 'encoder' && p.kind === 'weight' && p.mask !== null)
}

/** Per-parameter sizes and kept entries, from the masks (a weight that is 0 by chance still counts as kept). */
export function layerSparsity(model: Model): LayerSparsity[] {
  return deployedParams(model).map((p) => {
    const total = p.variable.size
    const nonzero = p.mask ? countOnes(Uint8Array.from(p.mask.dataSync() as Float32Array)) : total
    return { name: p.name, total, nonzero, prunable: p.group === 'encoder' && p.kind === 'weight' && p.mask !== null }
  })
}

/** ms per example of batched inference over x, timed after the caller's warm-up pass, ≥ 50 ms of work. */
function inferenceLatency(model: Model, x: Float32Array, n: number): number {
  if (n === 0) return 0
  let reps = 0
  const t0 = performance.now()
  let elapsed = 0
  while (reps < 2 || (elapsed < 50 && reps < 50)) {
    predict(model, x, n, 256, false)
    reps++
    elapsed = performance.now() - t0
  }
  return elapsed / (reps * n)
}

/** inferenceLatency with asynchronous reads (GPU backends: the read is part of the latency there too). */
async function inferenceLatencyAsync(model: Model, x: Float32Array, n: number): Promise<number> {
  if (n === 0) return 0
  let reps = 0
  const t0 = performance.now()
  let elapsed = 0
  while (reps < 2 || (elapsed < 50 && reps < 50)) {
    await predictAsync(model, x, n, 256, false)
    reps++
    elapsed = performance.now() - t0
  }
  return elapsed / (reps * n)
}

/**
 * The test rows, encoded, all at once: the ILO transformation draws its randomness over the whole set in one call
 * (a transformation composed of two draws them per transformation, so batches would draw in another order).
 */
function testRows(test: SplitArrays): Float32Array {
  return splitRange(test, 0, test.n)
}

/** The test rows and their transformed copies through the model: both logits and the summed cosine of the features. */
interface Pair {
  plain: Float32Array
  moved: Float32Array
  cosine: number
}

/** Batches of predict's size (512: the same rows per batch, so the same numbers as predict). */
const PAIR_BATCH = 512

/** One batch of both: its logits into the pair, its feature cosines onto the running sum (features are not kept). */
function forwardBatch(model: Model, x: Float32Array, tx: Float32Array, start: number, end: number): tf.Tensor2D[] {
  const d = x.length / Math.max(1, end - start)
  return tf.tidy(() => {
    const a = model.forward(tf.tensor2d(x, [end - start, d]), false)
    const b = model.forward(tf.tensor2d(tx, [end - start, d]), false)
    return [a.logits, a.features, b.logits, b.features]
  })
}

function addBatch(pair: Pair, model: Model, start: number, rows: number, [l, f, lt, ft]: Float32Array[]): void {
  pair.plain.set(l!, start * model.nClasses)
  pair.moved.set(lt!, start * model.nClasses)
  pair.cosine = cosineSum(f!, ft!, rows, model.featureDim, pair.cosine)
}

function forwardPair(model: Model, x: Float32Array, tx: Float32Array, n: number): Pair {
  const pair: Pair = { plain: new Float32Array(n * model.nClasses), moved: new Float32Array(n * model.nClasses), cosine: 0 }
  const d = x.length / Math.max(1, n)
  for (let start = 0; start < n; start += PAIR_BATCH) {
    const end = Math.min(n, start + PAIR_BATCH)
    const out = forwardBatch(model, x.subarray(start * d, end * d), tx.subarray(start * d, end * d), start, end)
    addBatch(
      pair,
      model,
      start,
      end - start,
      out.map((t) => t.dataSync() as Float32Array)
    )
    tf.dispose(out)
  }
  return pair
}

async function forwardPairAsync(model: Model, x: Float32Array, tx: Float32Array, n: number): Promise<Pair> {
  const pair: Pair = { plain: new Float32Array(n * model.nClasses), moved: new Float32Array(n * model.nClasses), cosine: 0 }
  const d = x.length / Math.max(1, n)
  for (let start = 0; start < n; start += PAIR_BATCH) {
    const end = Math.min(n, start + PAIR_BATCH)
    const out = forwardBatch(model, x.subarray(start * d, end * d), tx.subarray(start * d, end * d), start, end)
    try {
      addBatch(pair, model, start, end - start, (await Promise.all(out.map((t) => t.data()))) as Float32Array[])
    } finally {
      tf.dispose(out)
    }
  }
  return pair
}

export function evaluateTest(model: Model, test: SplitArrays, shape: (n: number) => number[], transform: Augment, rng: Rng): TestEvaluation {
  const x = testRows(test)
  const tx = test.n > 0 ? transform(x, shape(test.n), rng) : x
  const pair = forwardPair(model, x, tx, test.n)
  return scoreTest(model, test, pair, inferenceLatency(model, x, test.n))
}

/** evaluateTest with asynchronous reads (GPU backends); the same numbers. The caller settles the weights first. */
export async function evaluateTestAsync(
  model: Model,
  test: SplitArrays,
  shape: (n: number) => number[],
  transform: Augment,
  rng: Rng
): Promise<TestEvaluation> {
  const x = testRows(test)
  const tx = test.n > 0 ? transform(x, shape(test.n), rng) : x
  const pair = await forwardPairAsync(model, x, tx, test.n)
  return scoreTest(model, test, pair, await inferenceLatencyAsync(model, x, test.n))
}

/** The three scores of a split from its predictions (the study metric can be any of them). */
function scores(y: Int32Array, logits: Float32Array, n: number, c: number): ValidationScores {
  const confusion = confusionMatrix(y, argmaxRows(logits, n, c), c)
  return { accuracy: accuracy(confusion), balancedAccuracy: balancedAccuracy(confusion), macroF1: macroF1(confusion) }
}

/**
 * Validation scores of the weights the model holds (after fit: the kept epoch's), from the same inference as the
 * per-epoch validation, so `accuracy` equals that epoch's logged validation accuracy. Null without validation rows.
 */
export function scoreValidation(model: Model, val: SplitArrays): ValidationScores | null {
  if (val.n === 0) return null
  return scores(val.y, predict(model, val, val.n, 512, false).logits, val.n, model.nClasses)
}

/** scoreValidation with asynchronous reads (GPU backends). */
export async function scoreValidationAsync(model: Model, val: SplitArrays): Promise<ValidationScores | null> {
  if (val.n === 0) return null
  return scores(val.y, (await predictAsync(model, val, val.n, 512, false)).logits, val.n, model.nClasses)
}

function scoreTest(model: Model, test: SplitArrays, pair: Pair, inferenceMsPerExample: number): TestEvaluation {
  const c = model.nClasses
  const pred = argmaxRows(pair.plain, test.n, c)
  const confusion = confusionMatrix(test.y, pred, c)
  const predT = argmaxRows(pair.moved, test.n, c)
  const layers = layerSparsity(model)
  const flops = model.flops()
  return {
    accuracy: accuracy(confusion),
    balancedAccuracy: balancedAccuracy(confusion),
    macroF1: macroF1(confusion),
    confusion,
    invariancePrediction: predictionConsistency(pred, predT),
    invarianceRepresentation: test.n > 0 ? pair.cosine / test.n : 0,
    inferenceMsPerExample,
    params: layers.reduce((s, l) => s + l.total, 0),
    nonzeroParams: layers.reduce((s, l) => s + l.nonzero, 0),
    flopsDense: flops.dense,
    flopsSparse: flops.sparse,
    layers
  }
}

/**
 * First-layer weights (inputs × units row-major, as MaskedDense stores them) turned into ≤ maxUnits rows of
 * units × inputs: the most connected units first (mask row sum), ties by larger L1 weight, then by index.
 */
export function firstLayerArtifact(
  meta: { model: ModelKind; seed: number; compression: number },
  weights: Float32Array,
  mask: Uint8Array | null,
  inputs: number,
  units: number,
  maxUnits = 64
): FirstLayerArtifact {
  const degree = new Float64Array(units)
  const l1 = new Float64Array(units)
  for (let i = 0; i < inputs; i++)
    for (let u = 0; u < units; u++) {
      const k = i * units + u
      degree[u] += mask ? mask[k] : 1
      l1[u] += Math.abs(weights[k])
    }
  const order = Array.from({ length: units }, (_, u) => u).sort((a, b) => degree[b] - degree[a] || l1[b] - l1[a] || a - b)
  const chosen = order.slice(0, Math.min(maxUnits, units))
  const w: number[] = []
  const m: number[] = []
  for (const u of chosen)
    for (let i = 0; i < inputs; i++) {
      const k = i * units + u
      w.push(weights[k])
      m.push(mask ? mask[k] : 1)
    }
  return { ...meta, inputs, units: chosen.length, weights: w, mask: m }
}
