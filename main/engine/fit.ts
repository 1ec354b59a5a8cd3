/**
 * One training phase of one model: epochs of seeded mini-batches with L_SUP (plus λ·NT-Xent for ILO), validation
 * after every epoch, best-validation weights, early stopping, progress and cancellation.
 */
import * as tf from '@tensorflow/tfjs-core'
import { splitWidth, type EpochMetrics, type ModelKind, type Phase } from '../contract/index.ts'
import type { Augment } from './augment/index.ts'
import { iloLoss, softmaxCrossEntropy, type IloParts } from './losses.ts'
import { accuracy, argmaxRows, confusionMatrix, logLoss } from './metrics.ts'
import type { Model } from './models/types.ts'
import { AdamW } from './optim.ts'
import type { EpochSums, FitState } from './fitState.ts'
import type { Rng } from '../lib/random.ts'
import {
  batchesOf,
  gatherLabels,
  gatherRows,
  predict,
  predictAsync,
  readsArePerEpoch,
  settleWeights,
  trainStep,
  trainStepOnDevice,
  type DeviceStepResult,
  type LossFn
} from './train.ts'
import { CancelledError, type EngineHooks, type SplitArrays } from './types.ts'

export interface FitOptions {
  model: Model
  train: SplitArrays
  val: SplitArrays
  /** Batch shape for n rows ([n, H, W, C] or [n, F]), for the augmentations. */
  shape(n: number): number[]
  epochs: number
  batchSize: number
  learningRate: number
  weightDecay: number
  /** Stop after this many epochs without validation improvement (0 = never). */
  patience: number
  /** Standard augmentation applied to the L_SUP batch, or null. */
  standard: Augment | null
  /** ILO: two views per input through `transform`, NT-Xent on the projection (or the features). */
  ilo: { transform: Augment; tau: number; lambda: number } | null
  /** Keep the best-validation weights (restored at the end) rather than the last. */
  keepBest: boolean
  shuffleRng: Rng
  augmentRng: Rng
  hooks: EngineHooks
  report: { model: ModelKind; seed: number; compression: number; phase: Phase }
  /** Continue from a saved state (bit-identical to never having stopped). */
  resume?: FitState | null
  /** Save the state every few epochs, and on request between batches (then stop with a CancelledError). */
  checkpoint?: FitCheckpoint | null
  /**
   * Keep the epoch's loss and accuracy sums on the device and read them once per epoch, instead of reading each
   * step's loss (default: on GPU backends, where every read drains the queue). The weights are the same either way.
   */
  readsPerEpoch?: boolean
}

/** An epoch's sums on the device: every step adds to them without a read; they are read once, at the end. */
class DeviceSums {
  /** [Σ loss·n, Σ nce·n, Σ hits] */
  private sums: tf.Tensor1D
  private seen: number

  constructor(start: EpochSums) {
    this.sums = tf.tensor1d([start.lossSum, start.nceSum, start.correct])
    this.seen = start.seen
  }

  /** Adds one step of n rows and disposes its tensors. */
  add(step: DeviceStepResult, n: number) {
    const { loss, parts } = step
    const next = tf.tidy(() => {
      const zero = tf.scalar(0)
      return tf.add(this.sums, tf.stack([tf.mul(loss, n), parts.nce ? tf.mul(parts.nce, n) : zero, parts.hits ?? zero])) as tf.Tensor1D
    })
    this.sums.dispose()
    this.sums = next
    this.seen += n
    tf.dispose([loss, ...Object.values(parts)])
  }

  private values(v: ArrayLike<number>): EpochSums {
    return { lossSum: v[0]!, nceSum: v[1]!, correct: v[2]!, seen: this.seen }
  }

  /** The sums now, read asynchronously; the device tensors stay (a checkpoint between batches). */
  async peek(): Promise<EpochSums> {
    return this.values(await this.sums.data())
  }

  /** The epoch's sums, read asynchronously; the device tensors are freed. */
  async read(): Promise<EpochSums> {
    const out = this.values(await this.sums.data())
    this.dispose()
    return out
  }

  dispose() {
    if (!this.sums.isDisposed) this.sums.dispose()
  }
}

export interface FitCheckpoint {
  /** Save at the end of every this many epochs (the last epoch is left to the caller's phase boundary). */
  everyEpochs: number
  /** ...once at least this many seconds have passed since the last save (or the phase's start); 0 or absent: none. */
  minSeconds?: number
  save(state: FitState): void
  /** Polled between batches: when true, the state is saved and fit throws a CancelledError. */
  stopRequested(): boolean
}

export interface FitResult {
  /** 1-based epoch whose weights the model holds at the end. */
  bestEpoch: number
  /** Validation accuracy of the weights the model holds at the end. */
  valAccuracy: number
  epochsRun: number
  seconds: number
  history: EpochMetrics[]
}

export interface Evaluation {
  loss: number
  accuracy: number
}

/** Loss and accuracy of the model on a split (inference mode). */
export function evaluateSplit(model: Model, split: SplitArrays): Evaluation {
  if (split.n === 0) return { loss: 0, accuracy: 0 }
  const p = predict(model, split, split.n, 512, false)
  const pred = argmaxRows(p.logits, split.n, model.nClasses)
  return { loss: logLoss(p.logits, split.y, split.n, model.nClasses), accuracy: accuracy(confusionMatrix(split.y, pred, model.nClasses)) }
}

/** evaluateSplit with asynchronous reads (GPU backends). */
export async function evaluateSplitAsync(model: Model, split: SplitArrays): Promise<Evaluation> {
  if (split.n === 0) return { loss: 0, accuracy: 0 }
  const p = await predictAsync(model, split, split.n, 512, false)
  const pred = argmaxRows(p.logits, split.n, model.nClasses)
  return { loss: logLoss(p.logits, split.y, split.n, model.nClasses), accuracy: accuracy(confusionMatrix(split.y, pred, model.nClasses)) }
}

/** Lets the event loop run (progress messages, timers) between epochs. */
const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r))

export async function fit(o: FitOptions): Promise<FitResult> {
  const { model, train, hooks } = o
  // Without validation rows there is nothing to select on: keep the last epoch, never stop early.
  const keepBest = o.keepBest && o.val.n > 0
  const patience = o.val.n > 0 ? o.patience : 0
  const dim = splitWidth(train)
  // Batch statistics would mix clean rows and views in one pass: merge only for models without batch norm.
  const mergeForward = !model.params.some((p) => p.kind === 'norm')
  // A fresh optimizer per phase: finetuning starts with zero moments, as training from scratch does.
  const opt = new AdamW(model.params, { learningRate: o.learningRate, weightDecay: o.weightDecay })
  const started = performance.now()
  const history: EpochMetrics[] = []
  let best = { epoch: 0, acc: -1, loss: Infinity, weights: null as Map<string, Float32Array> | null }
  let epoch = 0
  const resume = o.resume ?? null
  const secondsBefore = resume?.seconds ?? 0
  if (resume) {
    model.setWeights(resume.weights)
    opt.setState(resume.optimizer)
    o.shuffleRng.restore(resume.shuffleRng)
    o.augmentRng.restore(resume.augmentRng)
    best = { ...resume.best }
    history.push(...resume.history)
  }
  const stateAt = (ep: number, batch: number, order: Int32Array | null, sums: EpochSums): FitState => ({
    epoch: ep,
    batch,
    order,
    sums: { ...sums },
    shuffleRng: o.shuffleRng.snapshot(),
    augmentRng: o.augmentRng.snapshot(),
    best: { ...best },
    history: [...history],
    weights: model.getWeights(),
    optimizer: opt.getState(),
    seconds: secondsBefore + (performance.now() - started) / 1000
  })
  let sinceSave = 0
  let lastSave = performance.now()
  const readsPerEpoch = o.readsPerEpoch ?? readsArePerEpoch()
  // GPU backends: what the snapshot reads comes to the CPU asynchronously first (a browser page has no sync read).
  const save = async (ep: number, batch: number, order: Int32Array | null, sums: EpochSums) => {
    if (readsPerEpoch) await Promise.all([settleWeights(model), opt.settle()])
    o.checkpoint!.save(stateAt(ep, batch, order, sums))
  }
  let device: DeviceSums | null = null
  try {
    for (epoch = resume?.epoch ?? 1; epoch <= o.epochs; epoch++) {
      const t0 = performance.now()
      const resumed = resume !== null && epoch === resume.epoch
      const order = resumed && resume.order ? resume.order : o.shuffleRng.permutation(train.n)
      // NT-Xent needs ≥ 2 inputs per batch: a trailing batch of one row is dropped in ILO phases.
      const batches = batchesOf(order, o.batchSize).filter((b) => !o.ilo || b.length >= 2)
      let { lossSum, nceSum, correct, seen } = resumed ? resume.sums : { lossSum: 0, nceSum: 0, correct: 0, seen: 0 }
      // GPU backends: the sums stay on the device until the epoch ends (no read per step).
      device = readsPerEpoch ? new DeviceSums({ lossSum, nceSum, correct, seen }) : null
      for (let bi = resumed ? resume.batch : 0; bi < batches.length; bi++) {
        const idx = batches[bi]!
        if (hooks.isCancelled()) throw new CancelledError()
        if (o.checkpoint?.stopRequested()) {
          await save(epoch, bi, order, device ? await device.peek() : { lossSum, nceSum, correct, seen })
          throw new CancelledError()
        }
        const n = idx.length
        const xb = gatherRows(train, idx)
        const yb = gatherLabels(train.y, idx)
        const xs = o.standard ? o.standard(xb, o.shape(n), o.augmentRng) : xb
        // ILO rows: [L_SUP batch; view 1; view 2] in one buffer of 3n rows.
        let rows: Float32Array = xs
        if (o.ilo) {
          rows = new Float32Array(3 * n * dim)
          rows.set(xs, 0)
          rows.set(o.ilo.transform(xb, o.shape(n), o.augmentRng), n * dim)
          rows.set(o.ilo.transform(xb, o.shape(n), o.augmentRng), 2 * n * dim)
        }
        const parts: IloParts = { sup: 0, nce: 0 }
        const onDevice: { nce?: tf.Scalar } = {}
        const lossFn: LossFn = () => {
          const labels = tf.tensor1d(yb, 'int32')
          let logits: tf.Tensor2D
          let feats: tf.Tensor2D | null = null
          if (!o.ilo) logits = model.forward(tf.tensor2d(xs, [n, dim]), true).logits
          else if (mergeForward) {
            // One pass over all 3n rows (half the step time on small MLPs); slices route the gradients back.
            const out = model.forward(tf.tensor2d(rows, [3 * n, dim]), true)
            logits = tf.slice(out.logits, [0, 0], [n, model.nClasses])
            feats = tf.slice(out.features, [n, 0], [2 * n, model.featureDim])
          } else {
            logits = model.forward(tf.tensor2d(xs, [n, dim]), true).logits
            feats = model.forward(tf.tensor2d(rows.subarray(n * dim), [2 * n, dim]), true).features
          }
          // Training accuracy from the same forward pass (not differentiated: not on the loss path).
          const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')) as tf.Scalar
          if (!o.ilo || !feats) return { loss: softmaxCrossEntropy(logits, labels), parts: { hits } }
          const z = model.hasProjection ? model.project(feats) : feats
          if (device) {
            const loss = iloLoss(logits, labels, z, o.ilo.tau, o.ilo.lambda, (_sup, nce) => (onDevice.nce = tf.keep(nce)))
            const kept: Record<string, tf.Scalar> = onDevice.nce ? { hits, nce: onDevice.nce } : { hits }
            return { loss, parts: kept }
          }
          return { loss: iloLoss(logits, labels, z, o.ilo.tau, o.ilo.lambda, parts), parts: { hits } }
        }
        if (device) {
          device.add(trainStepOnDevice(model, opt, lossFn), n)
          continue
        }
        const r = trainStep(model, opt, lossFn)
        if (!Number.isFinite(r.loss)) throw new Error(`${o.report.model}: training loss became ${r.loss} in epoch ${epoch} (${o.report.phase})`)
        lossSum += r.loss * n
        nceSum += parts.nce * n
        correct += r.parts.hits
        seen += n
      }
      if (device) {
        ;({ lossSum, nceSum, correct, seen } = await device.read())
        device = null
        if (!Number.isFinite(lossSum)) throw new Error(`${o.report.model}: training loss became ${lossSum / seen} in epoch ${epoch} (${o.report.phase})`)
      }
      const val = readsPerEpoch ? await evaluateSplitAsync(model, o.val) : evaluateSplit(model, o.val)
      const improved = val.accuracy > best.acc || (val.accuracy === best.acc && val.loss < best.loss)
      if (improved && keepBest && readsPerEpoch) await settleWeights(model)
      if (improved) best = { epoch, acc: val.accuracy, loss: val.loss, weights: keepBest ? model.getWeights() : null }
      const metrics: EpochMetrics = {
        ...o.report,
        epoch,
        trainLoss: seen ? lossSum / seen : 0,
        trainAccuracy: seen ? correct / seen : 0,
        valLoss: val.loss,
        valAccuracy: val.accuracy,
        contrastiveLoss: o.ilo ? (seen ? nceSum / seen : 0) : null,
        seconds: (performance.now() - t0) / 1000
      }
      history.push(metrics)
      hooks.onProgress({ ...o.report, epoch, totalEpochs: o.epochs, metrics })
      await yieldToLoop()
      const stop = patience > 0 && epoch - best.epoch >= patience
      const due = o.checkpoint && ++sinceSave >= o.checkpoint.everyEpochs && performance.now() - lastSave >= (o.checkpoint.minSeconds ?? 0) * 1000
      if (!stop && epoch < o.epochs && due) {
        sinceSave = 0
        await save(epoch + 1, 0, null, { lossSum: 0, nceSum: 0, correct: 0, seen: 0 })
        lastSave = performance.now()
      }
      if (stop) break
    }
  } finally {
    device?.dispose()
    opt.dispose()
  }
  const epochsRun = Math.min(epoch, o.epochs)
  if (keepBest && best.weights && best.epoch !== epochsRun) model.setWeights(best.weights)
  const last = history[history.length - 1]
  return {
    bestEpoch: keepBest ? best.epoch : epochsRun,
    valAccuracy: keepBest ? best.acc : last.valAccuracy,
    epochsRun,
    seconds: secondsBefore + (performance.now() - started) / 1000,
    history
  }
}
