/**
 * Evaluation metrics as pure functions: confusion matrix and the scores derived from it, invariance consistency,
 * and mean ± std aggregation over seeds into ModelAggregate rows.
 */
import type { MeanStd, ModelAggregate, ModelResult } from '../contract/index.ts'

/** Row-wise argmax of an n × c row-major array (first maximum wins). */
export function argmaxRows(values: Float32Array, n: number, c: number): Int32Array {
  const out = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    let best = 0
    let bv = values[i * c]
    for (let j = 1; j < c; j++) {
      const v = values[i * c + j]
      if (v > bv) {
        bv = v
        best = j
      }
    }
    out[i] = best
  }
  return out
}

/** confusion[true][predicted]. */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, nClasses: number): number[][] {
  if (yTrue.length !== yPred.length) throw new Error('yTrue and yPred differ in length')
  const m = Array.from({ length: nClasses }, () => new Array<number>(nClasses).fill(0))
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]][yPred[i]]++
  return m
}

export function accuracy(confusion: number[][]): number {
  let right = 0
  let all = 0
  confusion.forEach((row, t) => row.forEach((v, p) => ((all += v), t === p && (right += v))))
  return all === 0 ? 0 : right / all
}

/** Mean recall over the classes present in the true labels (sklearn's balanced_accuracy_score). */
export function balancedAccuracy(confusion: number[][]): number {
  let sum = 0
  let k = 0
  confusion.forEach((row, t) => {
    const support = row.reduce((a, b) => a + b, 0)
    if (support > 0) {
      sum += row[t] / support
      k++
    }
  })
  return k === 0 ? 0 : sum / k
}

/**
 * Unweighted mean of per-class F1 over the classes that occur in the true or predicted labels (sklearn's macro F1
 * with labels = those seen; a class that is never predicted but present scores F1 = 0).
 */
export function macroF1(confusion: number[][]): number {
  const c = confusion.length
  let sum = 0
  let k = 0
  for (let j = 0; j < c; j++) {
    const tp = confusion[j][j]
    let support = 0
    let predicted = 0
    for (let i = 0; i < c; i++) {
      support += confusion[j][i]
      predicted += confusion[i][j]
    }
    if (support === 0 && predicted === 0) continue
    sum += (2 * tp) / (support + predicted)
    k++
  }
  return k === 0 ? 0 : sum / k
}

/** Mean and sample std (n − 1); std is 0 for a single value. */
export function meanStd(values: readonly number[]): MeanStd {
  const n = values.length
  if (n === 0) return { mean: 0, std: 0, n: 0 }
  const mean = values.reduce((a, b) => a + b, 0) / n
  if (n === 1) return { mean, std: 0, n }
  const ss = values.reduce((a, v) => a + (v - mean) * (v - mean), 0)
  return { mean, std: Math.sqrt(ss / (n - 1)), n }
}

/** Share of inputs whose predicted class is unchanged under the transformation. */
export function predictionConsistency(predX: ArrayLike<number>, predTx: ArrayLike<number>): number {
  if (predX.length === 0) return 0
  let same = 0
  for (let i = 0; i < predX.length; i++) if (predX[i] === predTx[i]) same++
  return same / predX.length
}

/** Mean cosine similarity of matching rows of two n × d representations (a zero row counts as cosine 0). */
export function representationConsistency(a: Float32Array, b: Float32Array, n: number, d: number): number {
  if (n === 0) return 0
  return cosineSum(a, b, n, d) / n
}

/**
 * `total` plus the cosine similarities of the n matching rows of a and b, added one after the other: a set summed
 * batch by batch (each batch continuing the previous total) gives the same bits as summed at once.
 */
export function cosineSum(a: Float32Array, b: Float32Array, n: number, d: number, total = 0): number {
  for (let i = 0; i < n; i++) {
    let dot = 0
    let na = 0
    let nb = 0
    for (let j = 0; j < d; j++) {
      const x = a[i * d + j]
      const y = b[i * d + j]
      dot += x * y
      na += x * x
      nb += y * y
    }
    const den = Math.sqrt(na) * Math.sqrt(nb)
    total += den > 0 ? dot / den : 0
  }
  return total
}

/** Entries of a list of tensors and how many are nonzero. */
export function countParams(tensors: readonly Float32Array[]): { params: number; nonzero: number } {
  let params = 0
  let nonzero = 0
  for (const t of tensors) {
    params += t.length
    for (let i = 0; i < t.length; i++) if (t[i] !== 0) nonzero++
  }
  return { params, nonzero }
}

/** Groups results by (model, compression) and aggregates each group over its seeds, in first-seen order. */
export function aggregateResults(results: readonly ModelResult[]): ModelAggregate[] {
  const groups = new Map<string, ModelResult[]>()
  for (const r of results) {
    const key = `${r.model}@${r.compression}`
    const g = groups.get(key)
    if (g) g.push(r)
    else groups.set(key, [r])
  }
  return [...groups.values()].map((g) => {
    const pick = (f: (r: ModelResult) => number): MeanStd => meanStd(g.map(f))
    const supernet = g.map((r) => r.supernetValAccuracy).filter((v): v is number => v !== null)
    const local = g.flatMap((r) => (r.locality ? [r.locality] : []))
    const round = (v: number): number => Math.round(v)
    return {
      model: g[0].model,
      compression: g[0].compression,
      seeds: g.length,
      // Counts are identical across seeds for a fixed architecture and ratio; the mean guards against surprises.
      params: round(pick((r) => r.params).mean),
      nonzeroParams: round(pick((r) => r.nonzeroParams).mean),
      flopsDense: pick((r) => r.flopsDense).mean,
      flopsSparse: pick((r) => r.flopsSparse).mean,
      accuracy: pick((r) => r.accuracy),
      balancedAccuracy: pick((r) => r.balancedAccuracy),
      macroF1: pick((r) => r.macroF1),
      invariancePrediction: pick((r) => r.invariancePrediction),
      invarianceRepresentation: pick((r) => r.invarianceRepresentation),
      supernetValAccuracy: supernet.length ? meanStd(supernet) : null,
      trainSeconds: pick((r) => r.trainSeconds),
      inferenceMsPerExample: pick((r) => r.inferenceMsPerExample),
      singleFeatureShare: local.length ? meanStd(local.map((l) => l.singleFeatureShare)) : null,
      meanFeatures: local.length ? meanStd(local.map((l) => l.meanFeatures)) : null
    }
  })
}

/** Mean softmax cross-entropy of n × c row-major logits against integer labels (stable log-sum-exp). */
export function logLoss(logits: Float32Array, y: ArrayLike<number>, n: number, c: number): number {
  if (n === 0) return 0
  let total = 0
  for (let i = 0; i < n; i++) {
    let m = -Infinity
    for (let j = 0; j < c; j++) m = Math.max(m, logits[i * c + j])
    let s = 0
    for (let j = 0; j < c; j++) s += Math.exp(logits[i * c + j] - m)
    total += m + Math.log(s) - logits[i * c + y[i]]
  }
  return total / n
}
