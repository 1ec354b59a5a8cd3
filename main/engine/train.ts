/**
 * Training primitives: one optimizer step, batched prediction, seeded batching. Every intermediate tensor is
 * disposed here, so tf.memory().numTensors stays flat across epochs.
 */
import * as tf from '@tensorflow/tfjs-core'
import { splitRange, splitRows, type SplitArrays } from '../contract/index.ts'
import type { Model } from './models/types.ts'
import type { AdamW } from './optim.ts'
import './tfgrad/register.ts'

/** A loss: a scalar, or a scalar with named parts to report (e.g. the contrastive term). */
export type LossResult = tf.Scalar | { loss: tf.Scalar; parts?: Record<string, tf.Scalar> }
export type LossFn = () => LossResult

export interface StepResult {
  loss: number
  parts: Record<string, number>
}

/**
 * Computes the loss and the gradients of every trainable Param, then applies one optimizer step. Only params
 * reached by the loss get a gradient (an unused projection head is left alone).
 */
export function trainStep(model: Model, optimizer: AdamW, lossFn: LossFn): StepResult {
  const { loss: value, parts } = trainStepOnDevice(model, optimizer, lossFn)
  const loss = value.dataSync()[0]
  const partValues: Record<string, number> = {}
  for (const [k, t] of Object.entries(parts)) {
    partValues[k] = t.dataSync()[0]
    t.dispose()
  }
  value.dispose()
  return { loss, parts: partValues }
}

/** One step's loss and its parts, still on the device (the caller reads and disposes them). */
export interface DeviceStepResult {
  loss: tf.Scalar
  parts: Record<string, tf.Scalar>
}

/**
 * trainStep without reading anything back: on a GPU a read waits for the queue to drain (a round trip per step),
 * so the caller accumulates the loss on the device and reads it once per epoch.
 */
export function trainStepOnDevice(model: Model, optimizer: AdamW, lossFn: LossFn): DeviceStepResult {
  const vars = model.params.map((p) => p.variable)
  let parts: Record<string, tf.Scalar> = {}
  const { value, grads } = tf.variableGrads(() => {
    const r = lossFn()
    if (r instanceof tf.Tensor) return r
    // Parts must outlive variableGrads' tidy to be read by the caller.
    parts = Object.fromEntries(Object.entries(r.parts ?? {}).map(([k, t]) => [k, tf.keep(t)]))
    return r.loss
  }, vars)
  optimizer.applyGradients(grads)
  for (const g of Object.values(grads)) g.dispose()
  return { loss: value, parts }
}

/** Whether reads from the device are costly enough to keep out of the per-step loop (a GPU backend). */
export function readsArePerEpoch(): boolean {
  return tf.getBackend() === 'webgpu'
}

export interface Predictions {
  n: number
  nClasses: number
  featureDim: number
  /** n × nClasses, row-major. */
  logits: Float32Array
  /** n × featureDim, row-major (encoder outputs). */
  features: Float32Array
}

/** What prediction runs over: n × dim encoded rows, or a split (images decoded a batch at a time). */
export type Rows = Float32Array | SplitArrays

/** Rows start..end−1 of `x` (n × dim). */
function rowsOf(x: Rows, n: number, start: number, end: number): { values: Float32Array; dim: number } {
  if (!(x instanceof Float32Array)) {
    const values = splitRange(x, start, end)
    return { values, dim: values.length / Math.max(1, end - start) }
  }
  const dim = x.length / n
  if (!Number.isInteger(dim)) throw new Error(`x has ${x.length} values, not a multiple of n = ${n}`)
  return { values: x.subarray(start * dim, end * dim), dim }
}

/** Runs the model in inference mode over x (n rows) in batches. */
export function predict(model: Model, x: Rows, n: number, batchSize = 512, withFeatures = true): Predictions {
  if (x instanceof Float32Array && !Number.isInteger(x.length / n)) throw new Error(`x has ${x.length} values, not a multiple of n = ${n}`)
  const logits = new Float32Array(n * model.nClasses)
  const features = new Float32Array(withFeatures ? n * model.featureDim : 0)
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize)
    const { values, dim } = rowsOf(x, n, start, end)
    tf.tidy(() => {
      const xb = tf.tensor2d(values, [end - start, dim])
      const out = model.forward(xb, false)
      logits.set(out.logits.dataSync() as Float32Array, start * model.nClasses)
      if (withFeatures) features.set(out.features.dataSync() as Float32Array, start * model.featureDim)
    })
  }
  return { n, nClasses: model.nClasses, featureDim: model.featureDim, logits, features }
}

/**
 * predict with asynchronous reads (GPU backends: a browser page cannot read the GPU synchronously, and in Node
 * it keeps the event loop free). Same values as predict.
 */
export async function predictAsync(model: Model, x: Rows, n: number, batchSize = 512, withFeatures = true): Promise<Predictions> {
  if (x instanceof Float32Array && !Number.isInteger(x.length / n)) throw new Error(`x has ${x.length} values, not a multiple of n = ${n}`)
  const logits = new Float32Array(n * model.nClasses)
  const features = new Float32Array(withFeatures ? n * model.featureDim : 0)
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize)
    const { values, dim } = rowsOf(x, n, start, end)
    const out = tf.tidy(() => {
      const o = model.forward(tf.tensor2d(values, [end - start, dim]), false)
      return withFeatures ? [o.logits, o.features] : [o.logits]
    })
    try {
      const [l, f] = await Promise.all(out.map((t) => t.data()))
      logits.set(l as Float32Array, start * model.nClasses)
      if (withFeatures) features.set(f as Float32Array, start * model.featureDim)
    } finally {
      tf.dispose(out)
    }
  }
  return { n, nClasses: model.nClasses, featureDim: model.featureDim, logits, features }
}

/**
 * GPU backends: brings the model's current weights, masks and batch-norm statistics to the CPU asynchronously
 * (tfjs keeps what it read), so the synchronous reads that follow (getWeights, snapshots, mask counts) need no GPU
 * read of their own — a browser page has none. Nothing to do elsewhere.
 */
export async function settleWeights(model: Model): Promise<void> {
  if (!readsArePerEpoch()) return
  const ts: tf.Tensor[] = []
  for (const p of model.params) ts.push(p.variable, ...(p.mask ? [p.mask] : []))
  // Batch-norm running statistics: non-trainable variables named …/mean and …/var (not the optimizer's moments).
  for (const v of Object.values(tf.engine().registeredVariables)) if (!v.trainable && /\/(mean|var)$/.test(v.name)) ts.push(v)
  await Promise.all(ts.map((t) => t.data()))
}

/** Splits indices into consecutive batches; the last may be smaller unless dropLast. */
export function batchesOf(indices: Int32Array, batchSize: number, dropLast = false): Int32Array[] {
  const out: Int32Array[] = []
  for (let s = 0; s < indices.length; s += batchSize) {
    const b = indices.subarray(s, Math.min(indices.length, s + batchSize))
    if (dropLast && b.length < batchSize) break
    out.push(b)
  }
  return out
}

/** Copies the rows `idx` of a split (encoded rows, or images decoded from their pixels). */
export function gatherRows(x: SplitArrays, idx: ArrayLike<number>): Float32Array {
  return splitRows(x, idx)
}

/** Picks the labels `idx`. */
export function gatherLabels(y: Int32Array, idx: ArrayLike<number>): Int32Array {
  const out = new Int32Array(idx.length)
  for (let i = 0; i < idx.length; i++) out[i] = y[idx[i]]
  return out
}
