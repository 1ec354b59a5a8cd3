/**
 * What `iunet run` adds to the aggregates: the per-seed values (so anyone can run their own test) and the paired
 * t-test of IUNet against the dense MLP over the seeds they share (lib/stats).
 */
import { MODEL_LABELS, type ModelKind, type ModelResult, type RunDetail } from '../contract/index.ts'
import { pairedTTest } from '../lib/stats/index.ts'

export interface SeedValues {
  seed: number
  accuracy: number
  balancedAccuracy: number
  macroF1: number
  invariance: number
  representationInvariance: number
  supernetValAccuracy: number | null
  trainSeconds: number
}

const sameCell = (r: ModelResult, model: ModelKind, compression: number) => r.model === model && r.compression === compression

/** One entry per seed of (model, compression), ordered by seed. */
export function perSeed(detail: RunDetail, model: ModelKind, compression: number): SeedValues[] {
  return detail.results
    .filter((r) => sameCell(r, model, compression))
    .sort((a, b) => a.seed - b.seed)
    .map((r) => ({
      seed: r.seed,
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
  /** Seeds both models finished. */
  seeds: number[]
  meanDifference: number | null
  t: number | null
  df: number | null
  /** Two-sided p of the paired t-test; null with fewer than 2 shared seeds, NaN when identical on every seed. */
  p: number | null
}

/** IUNet (each compression ratio) vs the dense MLP, test accuracy paired by seed. */
export function iunetVsMlp(detail: RunDetail): PairedComparison[] {
  const baseline: ModelKind = 'mlp'
  const base = new Map(detail.results.filter((r) => r.model === baseline).map((r) => [r.seed, r.accuracy]))
  if (!base.size) return []
  return detail.aggregates
    .filter((a) => a.model === 'iunet')
    .map((a) => {
      const mine = detail.results.filter((r) => sameCell(r, a.model, a.compression) && base.has(r.seed)).sort((x, y) => x.seed - y.seed)
      const out: PairedComparison = { model: a.model, compression: a.compression, baseline, metric: 'accuracy', seeds: mine.map((r) => r.seed), meanDifference: null, t: null, df: null, p: null }
      if (mine.length < 2) return out
      const r = pairedTTest(
        mine.map((x) => x.accuracy),
        mine.map((x) => base.get(x.seed)!)
      )
      return { ...out, meanDifference: r.meanDifference, t: r.statistic, df: r.df, p: r.p }
    })
}

/** Plain-language lines for the terminal. */
export function describeComparisons(tests: PairedComparison[], alpha = 0.05): string[] {
  return tests.map((c) => {
    const name = `${MODEL_LABELS[c.model]}${c.compression > 1 ? ` 1/${c.compression}` : ''} vs ${MODEL_LABELS[c.baseline]}`
    if (c.p === null) return `${name}: paired t-test needs ≥ 2 seeds both finished (have ${c.seeds.length}); use --seeds 3 or more.`
    const diff = `${c.meanDifference! >= 0 ? '+' : ''}${(100 * c.meanDifference!).toFixed(1)} pts accuracy`
    if (Number.isNaN(c.p)) return `${name}: ${diff}, identical on all ${c.seeds.length} seeds.`
    const verdict = c.p < alpha ? `significant at α = ${alpha}` : `not significant at α = ${alpha}`
    return `${name}: ${diff} over ${c.seeds.length} paired seeds, t(${c.df}) = ${c.t!.toFixed(2)}, p = ${c.p < 1e-4 ? c.p.toExponential(1) : c.p.toFixed(4)} (paired t-test, two-sided): ${verdict}.`
  })
}
