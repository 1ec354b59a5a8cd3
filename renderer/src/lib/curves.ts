/** Learning curves of a comparison entry: its per-epoch metrics averaged over seeds (× folds), or one per replicate (DOM-free). */
import { replicateLabel, taskKey, taskOf, type EpochMetrics, type FoldSplit } from '@contract'
import type { Entry } from './entries'

export type CurveMetric = 'valAccuracy' | 'valLoss' | 'trainAccuracy' | 'trainLoss'
export const CURVE_METRICS: { key: CurveMetric; label: string; higherIsBetter: boolean; share: boolean }[] = [
  { key: 'valAccuracy', label: 'Validation accuracy', higherIsBetter: true, share: true },
  { key: 'valLoss', label: 'Validation loss', higherIsBetter: false, share: false },
  { key: 'trainAccuracy', label: 'Train accuracy', higherIsBetter: true, share: true },
  { key: 'trainLoss', label: 'Train loss', higherIsBetter: false, share: false }
]

export interface CurvePoint {
  epoch: number
  mean: number
  std: number
  /** Seeds that reached this epoch (early stopping may end some sooner). */
  n: number
}

/**
 * The epochs that trained the entry's final weights: the finetune phase at its compression for pruned models,
 * else the plain training phase. `phase: 'supernet'` picks the supernetwork's epochs before pruning instead.
 */
export function entryEpochs(metrics: EpochMetrics[], e: Entry, phase: 'final' | 'supernet' = 'final'): EpochMetrics[] {
  const mine = metrics.filter((m) => m.model === e.model)
  if (phase === 'supernet') return mine.filter((m) => m.phase === 'supernet')
  const finetune = mine.filter((m) => m.phase === 'finetune' && m.compression === e.compression)
  if (finetune.length) return finetune
  const train = mine.filter((m) => m.phase === 'train')
  return train.length ? train : mine.filter((m) => m.phase === 'supernet')
}

export function meanCurve(rows: EpochMetrics[], metric: CurveMetric): CurvePoint[] {
  const by = new Map<number, number[]>()
  for (const r of rows) {
    const v = r[metric]
    if (!Number.isFinite(v)) continue
    if (!by.has(r.epoch)) by.set(r.epoch, [])
    by.get(r.epoch)!.push(v)
  }
  return [...by.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([epoch, vs]) => {
      const mean = vs.reduce((a, b) => a + b, 0) / vs.length
      const std = vs.length > 1 ? Math.sqrt(vs.reduce((a, b) => a + (b - mean) ** 2, 0) / (vs.length - 1)) : 0
      return { epoch, mean, std, n: vs.length }
    })
}

export interface ReplicateCurve {
  /** "seed 1 · fold 2/3": the task the epochs came from. */
  label: string
  points: CurvePoint[]
}

/**
 * One curve per replicate (seed × fold): each task's own epochs, never joined to another task's. In the order the
 * tasks trained (seed, then fold).
 */
export function replicateCurves(rows: EpochMetrics[], metric: CurveMetric, split?: FoldSplit): ReplicateCurve[] {
  const by = new Map<string, EpochMetrics[]>()
  for (const r of rows) {
    const k = taskKey(taskOf(r))
    if (!by.has(k)) by.set(k, [])
    by.get(k)!.push(r)
  }
  return [...by.values()]
    .sort((a, b) => a[0]!.seed - b[0]!.seed || (a[0]!.fold ?? 0) - (b[0]!.fold ?? 0))
    .map((task) => ({ label: replicateLabel(task[0]!, split), points: meanCurve(task, metric) }))
}

/** Best-so-far view: running max (accuracy) or min (loss) of the mean curve — what "keep the best epoch" reaches by then. */
export function runningBest(points: CurvePoint[], higherIsBetter: boolean): CurvePoint[] {
  let best: CurvePoint | null = null
  return points.map((p) => {
    if (!best || (higherIsBetter ? p.mean > best.mean : p.mean < best.mean)) best = p
    return { ...best, epoch: p.epoch }
  })
}

/** The epoch with the best mean value (first one on ties). */
export function bestPoint(points: CurvePoint[], higherIsBetter: boolean): CurvePoint | null {
  let best: CurvePoint | null = null
  for (const p of points) if (!best || (higherIsBetter ? p.mean > best.mean : p.mean < best.mean)) best = p
  return best
}
