/**
 * Comparing k models over N datasets (Demšar 2006): average ranks, the Friedman test (and the Iman–Davenport F
 * variant), and the Nemenyi critical difference for the critical-difference diagram.
 * Scores are a matrix scores[dataset][model], one row per dataset, the same models in the same order on each row.
 */
import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf'
import fCdf from '@stdlib/stats-base-dists-f-cdf'
import { rankAverage, tieGroups } from './describe.ts'
import { studentizedRangeQuantileInf } from './studentized.ts'

function checkMatrix(scores: readonly (readonly number[])[]): { n: number; k: number } {
  const n = scores.length
  const k = n ? scores[0]!.length : 0
  if (n < 1 || k < 2) throw new RangeError('need at least one dataset and two models')
  if (scores.some((row) => row.length !== k)) throw new RangeError('every dataset needs a score for every model')
  if (scores.some((row) => row.some((x) => !Number.isFinite(x)))) throw new RangeError('scores must be finite numbers')
  return { n, k }
}

/** Per-dataset ranks, 1 = best (ties share the average rank). `higherIsBetter` false for errors/losses. */
export function rankRows(scores: readonly (readonly number[])[], options: { higherIsBetter?: boolean } = {}): number[][] {
  checkMatrix(scores)
  const sign = options.higherIsBetter === false ? 1 : -1
  return scores.map((row) => rankAverage(row.map((x) => sign * x)))
}

/** Average rank of each model over the datasets, 1 = best. */
export function averageRanks(scores: readonly (readonly number[])[], options: { higherIsBetter?: boolean } = {}): number[] {
  const ranks = rankRows(scores, options)
  const k = ranks[0]!.length
  return Array.from({ length: k }, (_, j) => ranks.reduce((s, r) => s + r[j]!, 0) / ranks.length)
}

export interface FriedmanResult {
  /** Friedman χ² with the correction for ties (as SciPy `friedmanchisquare`), df = k − 1. */
  statistic: number
  df: number
  p: number
  /** Iman–Davenport F = (N − 1) χ² / (N (k − 1) − χ²), df (k − 1, (k − 1)(N − 1)); less conservative. */
  imanDavenport: { statistic: number; df1: number; df2: number; p: number }
  averageRanks: number[]
  n: number
  k: number
}

export function friedman(scores: readonly (readonly number[])[], options: { higherIsBetter?: boolean } = {}): FriedmanResult {
  const { n, k } = checkMatrix(scores)
  if (k < 3) throw new RangeError('the Friedman test needs at least 3 models (for 2, use the Wilcoxon signed-rank test)')
  if (n < 2) throw new RangeError('the Friedman test needs at least 2 datasets')
  const ranks = rankRows(scores, options)
  let ties = 0
  for (const row of ranks) for (const t of tieGroups(row)) ties += t * (t * t - 1)
  const c = 1 - ties / (k * (k * k - 1) * n)
  const sums = Array.from({ length: k }, (_, j) => ranks.reduce((s, r) => s + r[j]!, 0))
  const ss = sums.reduce((s, r) => s + r * r, 0)
  // Every row all-tied: no information (c = 0); report no difference.
  const statistic = c === 0 ? 0 : ((12 / (k * n * (k + 1))) * ss - 3 * n * (k + 1)) / c
  const df = k - 1
  const p = 1 - chisquareCdf(statistic, df)
  const df1 = k - 1
  const df2 = (k - 1) * (n - 1)
  const denom = n * (k - 1) - statistic
  const f = denom <= 0 ? Infinity : ((n - 1) * statistic) / denom
  const fp = Number.isFinite(f) ? 1 - fCdf(f, df1, df2) : 0
  return {
    statistic,
    df,
    p,
    imanDavenport: { statistic: f, df1, df2, p: fp },
    averageRanks: sums.map((s) => s / n),
    n,
    k
  }
}

export interface NemenyiResult {
  /** q_α = q_{α; k, ∞} / √2 (Demšar 2006, Table 5a for α = 0.05). */
  qAlpha: number
  /** Critical difference: two models whose average ranks differ by at least this differ significantly. */
  cd: number
  alpha: number
  k: number
  n: number
}

/** Nemenyi critical difference CD = q_α √(k (k + 1) / (6 N)) for k models over N datasets. */
export function nemenyiCriticalDifference(k: number, n: number, alpha = 0.05): NemenyiResult {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`N must be a positive integer, got ${n}`)
  const qAlpha = studentizedRangeQuantileInf(1 - alpha, k) / Math.SQRT2
  return { qAlpha, cd: qAlpha * Math.sqrt((k * (k + 1)) / (6 * n)), alpha, k, n }
}
