/**
 * What `iunet run` adds to the aggregates: the per-seed values (so anyone can run their own test) and the paired
 * t-test of IUNet against the dense MLP over the seeds they share (lib/stats).
 */
import { MODEL_LABELS, modelAtRatio, pointsDiff, pValue, type ModelKind, type ModelResult, type RunDetail } from '../contract/index.ts'
import { correctedResampledTTest, pairedTTest } from '../lib/stats/index.ts'

export interface SeedValues {
  seed: number
  /** Repeated k-fold runs: the fold (one entry per seed × fold). */
  fold?: number
  accuracy: number
  balancedAccuracy: number
  macroF1: number
  invariance: number
  representationInvariance: number
  supernetValAccuracy: number | null
  trainSeconds: number
}

const sameCell = (r: ModelResult, model: ModelKind, compression: number) => r.model === model && r.compression === compression

/** One entry per seed (× fold with k-fold) of (model, compression), ordered by seed, then fold. */
export function perSeed(detail: RunDetail, model: ModelKind, compression: number): SeedValues[] {
  return detail.results
    .filter((r) => sameCell(r, model, compression))
    .sort((a, b) => a.seed - b.seed || (a.fold ?? 0) - (b.fold ?? 0))
    .map((r) => ({
      seed: r.seed,
      ...(r.fold === undefined ? {} : { fold: r.fold }),
      accuracy: r.accuracy,
      balancedAccuracy: r.balancedAccuracy,
      macroF1: r.macroF1,
      invariance: r.invariancePrediction,
      representationInvariance: r.invarianceRepresentation,
      supernetValAccuracy: r.supernetValAccuracy,
      trainSeconds: r.trainSeconds
    }))
}

export interface PairedComparison {
  model: ModelKind
  compression: number
  baseline: ModelKind
  metric: 'accuracy'
  /** Seeds both models finished (a seed appears once per fold with k-fold). */
  seeds: number[]
  /** Paired t-test over seeds; the corrected resampled t-test (Nadeau & Bengio 2003) over seed × fold with k-fold. */
  test: 'paired-t' | 'corrected-resampled-t'
  meanDifference: number | null
  t: number | null
  df: number | null
  /** Two-sided p of the paired t-test; null with fewer than 2 shared seeds, NaN when identical on every seed. */
  p: number | null
}

/**
 * Test/training rows of one k-fold resample, for the corrected resampled t-test: the test part is 1/k of the rows,
 * the model fits on the other (k − 1)/k less the validation share cut from them.
 */
export function kfoldTestTrainRatio(split: RunDetail['config']['split']): { nTrain: number; nTest: number } {
  const k = split.kfold ?? 1
  return { nTest: 1 / k, nTrain: ((k - 1) / k) * (split.train / (split.train + split.val)) }
}

const pairKey = (r: ModelResult) => `${r.seed}/${r.fold ?? ''}`

/** IUNet (each compression ratio) vs the dense MLP, test accuracy paired by seed (and fold with k-fold). */
export function iunetVsMlp(detail: RunDetail): PairedComparison[] {
  const baseline: ModelKind = 'mlp'
  const base = new Map(detail.results.filter((r) => r.model === baseline).map((r) => [pairKey(r), r.accuracy]))
  if (!base.size) return []
  const kfold = !!detail.config.split.kfold
  const test = kfold ? ('corrected-resampled-t' as const) : ('paired-t' as const)
  return detail.aggregates
    .filter((a) => a.model === 'iunet')
    .map((a) => {
      const mine = detail.results
        .filter((r) => sameCell(r, a.model, a.compression) && base.has(pairKey(r)))
        .sort((x, y) => x.seed - y.seed || (x.fold ?? 0) - (y.fold ?? 0))
      const out: PairedComparison = {
        model: a.model,
        compression: a.compression,
        baseline,
        metric: 'accuracy',
        seeds: mine.map((r) => r.seed),
        test,
        meanDifference: null,
        t: null,
        df: null,
        p: null
      }
      if (mine.length < 2) return out
      const xs = mine.map((x) => x.accuracy)
      const ys = mine.map((x) => base.get(pairKey(x))!)
      const r = kfold ? correctedResampledTTest(xs, ys, kfoldTestTrainRatio(detail.config.split)) : pairedTTest(xs, ys)
      return { ...out, meanDifference: r.meanDifference, t: r.statistic, df: r.df, p: r.p }
    })
}

/** Plain-language lines for the terminal. */
export function describeComparisons(tests: PairedComparison[], alpha = 0.05): string[] {
  return tests.map((c) => {
    const name = `${modelAtRatio(c.model, c.compression)} vs ${MODEL_LABELS[c.baseline]}`
    if (c.p === null) return `${name}: paired t-test needs ≥ 2 seeds both finished (have ${c.seeds.length}); use --seeds 3 or more.`
    const diff = `${pointsDiff(c.meanDifference)} accuracy`
    if (Number.isNaN(c.p)) return `${name}: ${diff}, identical on all ${c.seeds.length} seeds.`
    const verdict = c.p < alpha ? `significant at α = ${alpha}` : `not significant at α = ${alpha}`
    const what = c.test === 'paired-t' ? `${c.seeds.length} paired seeds` : `${c.seeds.length} paired folds`
    const how = c.test === 'paired-t' ? 'paired t-test' : 'corrected resampled t-test'
    return `${name}: ${diff} over ${what}, t(${c.df}) = ${c.t!.toFixed(2)}, p = ${pValue(c.p)} (${how}, two-sided): ${verdict}.`
  })
}
