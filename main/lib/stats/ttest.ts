/**
 * Paired t-tests within one dataset.
 * - pairedTTest: the ordinary paired t-test over seeds (SciPy `ttest_rel`, two-sided).
 * - correctedResampledTTest: Nadeau & Bengio (2003) corrected resampled t-test for (repeated) cross-validation,
 *   where the training sets overlap and the ordinary test is far too liberal: the variance term 1/J becomes
 *   1/J + n_test/n_train (as in Weka's Experimenter, Bouckaert & Frank 2004).
 */
import tcdf from '@stdlib/stats-base-dists-t-cdf'
import { differences, mean, variance } from './describe.ts'

export interface TTestResult {
  /** Mean of a − b. */
  meanDifference: number
  /** t statistic (positive when a is larger). */
  statistic: number
  df: number
  /** Two-sided p-value. NaN when every difference is equal to zero (nothing to test). */
  p: number
}

function twoSided(t: number, df: number): number {
  if (Number.isNaN(t)) return NaN
  if (!Number.isFinite(t)) return 0
  return Math.min(1, 2 * tcdf(-Math.abs(t), df))
}

function tFrom(d: number[], varianceFactor: number): TTestResult {
  if (d.length < 2) throw new RangeError('a paired t-test needs at least 2 pairs')
  const m = mean(d)
  const v = variance(d)
  const df = d.length - 1
  // Zero variance: every difference is the same; t = ±∞ (p = 0) unless they are all 0 (t undefined), as SciPy.
  const t = v === 0 ? (m === 0 ? NaN : Math.sign(m) * Infinity) : m / Math.sqrt(varianceFactor * v)
  return { meanDifference: m, statistic: t, df, p: twoSided(t, df) }
}

/** Paired t-test of a vs b (e.g. IUNet vs dense MLP accuracy, one value per seed, same seeds in the same order). */
export function pairedTTest(a: readonly number[], b: readonly number[]): TTestResult {
  const d = differences(a, b)
  return tFrom(d, 1 / d.length)
}

/**
 * Corrected resampled t-test (Nadeau & Bengio 2003) of a vs b over J = repeats × folds resamples (each pair from the
 * same train/test split). `nTest / nTrain` is the ratio of test to training set size of one resample
 * (k-fold: 1 / (k − 1)).
 */
export function correctedResampledTTest(a: readonly number[], b: readonly number[], sizes: { nTrain: number; nTest: number }): TTestResult {
  if (!(sizes.nTrain > 0 && sizes.nTest > 0)) throw new RangeError('nTrain and nTest must be positive')
  const d = differences(a, b)
  return tFrom(d, 1 / d.length + sizes.nTest / sizes.nTrain)
}
