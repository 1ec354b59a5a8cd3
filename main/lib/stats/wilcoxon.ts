/**
 * Wilcoxon signed-rank test, two-sided, as SciPy `scipy.stats.wilcoxon(x, y)` with its defaults
 * (zero_method='wilcox', correction=False, method='auto'):
 * - zero differences are dropped ('wilcox'); n is the number of non-zero differences;
 * - 'exact' (the null distribution of R+ by enumeration) when n ≤ 50 and there are no zeros and no ties among |d|;
 * - otherwise 'approx': normal approximation with the tie correction of the variance, no continuity correction.
 * (SciPy ≥ 1.13 also switches to 'approx' on ties; SciPy 1.10 kept 'exact' and truncated a tied R+ to an integer.)
 * The statistic is min(R+, R−).
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf'
import signrankCdf from '@stdlib/stats-base-dists-signrank-cdf'
import { rankAverage, tieGroups } from './describe.ts'

export interface WilcoxonResult {
  /** min(R+, R−) over the non-zero differences. */
  statistic: number
  /** R+ : sum of ranks of positive differences (a > b). */
  rPlus: number
  rMinus: number
  /** Two-sided p-value; 1 when every difference is zero (SciPy raises there). */
  p: number
  /** Non-zero differences. */
  n: number
  zeros: number
  method: 'exact' | 'approx'
  /** The standardized statistic (approx only). */
  z: number | null
}

export function wilcoxonSignedRank(a: readonly number[], b: readonly number[], options: { method?: 'auto' | 'exact' | 'approx' } = {}): WilcoxonResult {
  if (a.length !== b.length) throw new RangeError(`paired samples must have the same length (${a.length} vs ${b.length})`)
  const all = a.map((x, i) => x - b[i]!)
  const d = all.filter((x) => x !== 0)
  const zeros = all.length - d.length
  const n = d.length
  if (n === 0) return { statistic: 0, rPlus: 0, rMinus: 0, p: 1, n: 0, zeros, method: 'approx', z: null }
  const abs = d.map(Math.abs)
  const ranks = rankAverage(abs)
  let rPlus = 0
  let rMinus = 0
  d.forEach((x, i) => (x > 0 ? (rPlus += ranks[i]!) : (rMinus += ranks[i]!)))
  const statistic = Math.min(rPlus, rMinus)
  const ties = tieGroups(abs)
  const requested = options.method ?? 'auto'
  const exactPossible = zeros === 0 && ties.length === 0
  if (requested === 'exact' && !exactPossible) throw new RangeError('the exact Wilcoxon test needs no zero and no tied differences')
  const method = requested === 'auto' ? (n <= 50 && exactPossible ? 'exact' : 'approx') : requested

  if (method === 'exact') {
    const total = (n * (n + 1)) / 2
    if (rPlus * 2 === total) return { statistic, rPlus, rMinus, p: 1, n, zeros, method, z: null }
    const pLess = signrankCdf(rPlus, n) // P(R+ ≤ r+)
    const pGreater = signrankCdf(total - rPlus, n) // P(R+ ≥ r+) by symmetry
    return { statistic, rPlus, rMinus, p: Math.min(1, 2 * Math.min(pLess, pGreater)), n, zeros, method, z: null }
  }
  const mu = (n * (n + 1)) / 4
  let v = n * (n + 1) * (2 * n + 1)
  for (const t of ties) v -= 0.5 * t * (t * t - 1)
  const se = Math.sqrt(v / 24)
  const z = (statistic - mu) / se
  return { statistic, rPlus, rMinus, p: Math.min(1, 2 * normalCdf(-Math.abs(z), 0, 1)), n, zeros, method, z }
}
