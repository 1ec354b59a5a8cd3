/**
 * main/lib/stats against SciPy. The reference values come from test/fixtures/stats/make_reference.py (Debian
 * python3-scipy), committed as scipy-reference.json so this test needs no Python.
 *
 * Every statistic and p-value agrees with SciPy to REL = 1e-12 relative (measured: ≤ 4e-15), except the p-values of
 * the Friedman and Iman–Davenport tests: they are 1 − CDF (@stdlib has the χ² and F CDFs but no survival function),
 * and a CDF near 1 carries an absolute rounding of ~1e-16, which is 1e-12 relative only down to p ≈ 1e-4. Those two
 * are asserted to REL relative plus TAIL_ABS = 1e-15 absolute (measured: 4e-17 at p = 1e-6 and 2e-8, i.e. 4e-11 and
 * 4e-10 relative). The reference includes p-values down to 1e-13 so that the far tails are checked, not only p ≈ 0.05.
 */
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import {
  averageRanks,
  correctedResampledTTest,
  friedman,
  holm,
  nemenyiCriticalDifference,
  pairedTTest,
  rankRows,
  studentizedRangeCdfInf,
  wilcoxonSignedRank,
  winTieLoss
} from '../../../main/lib/stats/index.ts'

const ref = JSON.parse(readFileSync(new URL('../../fixtures/stats/scipy-reference.json', import.meta.url), 'utf8'))
const REL = 1e-12
const TAIL_ABS = 1e-15
/** |actual − expected| ≤ REL·|expected| (+ abs): exact where SciPy's value is exactly 0. */
const close = (actual: number, expected: number, what: string, abs = 0) =>
  expect(Math.abs(actual - expected), `${what}: ${actual} vs SciPy ${expected}`).toBeLessThanOrEqual(REL * Math.abs(expected) + abs)
/** An upper-tail p-value computed as 1 − CDF: REL relative plus TAIL_ABS absolute (see the top of the file). */
const closeTail = (actual: number, expected: number, what: string) => close(actual, expected, what, TAIL_ABS)

describe('stats vs SciPy ' + ref.scipy, () => {
  it('paired t-test = scipy.stats.ttest_rel', () => {
    for (const c of ref.pairedT) {
      const r = pairedTTest(c.a, c.b)
      close(r.statistic, c.statistic, 't')
      close(r.p, c.p, 'p')
      expect(r.df).toBe(c.df)
    }
  })

  it('corrected resampled t-test (Nadeau & Bengio) with SciPy t distribution', () => {
    for (const c of ref.correctedT) {
      const r = correctedResampledTTest(c.a, c.b, { nTrain: c.nTrain, nTest: c.nTest })
      close(r.statistic, c.statistic, 't')
      close(r.p, c.p, 'p')
      // the correction only ever makes the test more conservative than the plain paired t-test
      expect(r.p).toBeGreaterThan(pairedTTest(c.a, c.b).p)
    }
  })

  it('Wilcoxon signed-rank = scipy.stats.wilcoxon (zero_method wilcox, exact for small n without ties/zeros)', () => {
    for (const c of ref.wilcoxon) {
      const r = wilcoxonSignedRank(c.a, c.b)
      expect(r.method, c.name).toBe(c.method)
      expect(r.n, c.name).toBe(c.n)
      expect(r.zeros, c.name).toBe(c.zeros)
      close(r.statistic, c.statistic, `${c.name} statistic`)
      close(r.rPlus, c.rPlus, `${c.name} R+`)
      close(r.p, c.p, `${c.name} p`)
    }
  })

  it('Holm adjusted p-values', () => {
    for (const c of ref.holm) {
      const r = holm(c.p, 0.05)
      c.adjusted.forEach((p: number, i: number) => close(r.adjusted[i]!, p, `holm ${i}`))
      expect(r.reject).toEqual(c.adjusted.map((p: number) => p <= 0.05))
    }
  })

  it('ranks (ties averaged), average ranks and the Friedman test = scipy.stats.friedmanchisquare', () => {
    for (const c of ref.friedman) {
      expect(rankRows(c.scores)).toEqual(c.ranks)
      averageRanks(c.scores).forEach((r, j) => close(r, c.averageRanks[j], `avg rank ${j}`))
      const f = friedman(c.scores)
      close(f.statistic, c.statistic, 'chi2')
      closeTail(f.p, c.p, 'friedman p')
      expect(f.df).toBe(c.df)
      close(f.imanDavenport.statistic, c.imanDavenport.statistic, 'F')
      closeTail(f.imanDavenport.p, c.imanDavenport.p, 'Iman-Davenport p')
      expect([f.imanDavenport.df1, f.imanDavenport.df2]).toEqual([c.imanDavenport.df1, c.imanDavenport.df2])
    }
  })

  it('Nemenyi critical difference = studentized_range.ppf(1-α, k, ∞)/√2 · √(k(k+1)/6N)', () => {
    for (const c of ref.nemenyi) {
      const r = nemenyiCriticalDifference(c.k, c.n, c.alpha)
      close(r.qAlpha, c.qAlpha, `q α=${c.alpha} k=${c.k}`)
      close(r.cd, c.cd, `CD α=${c.alpha} k=${c.k} N=${c.n}`)
    }
    // Demšar (2006) Table 5(a), α = 0.05, three decimals
    const table = [1.96, 2.343, 2.569, 2.728, 2.85, 2.949, 3.031, 3.102, 3.164]
    // (the table truncates: 2.3437 is printed 2.343)
    table.forEach((q, i) => expect(Math.abs(nemenyiCriticalDifference(i + 2, 10).qAlpha - q)).toBeLessThan(1e-3))
  })
})

describe('stats edge cases', () => {
  it('range distribution: k = 2 is |N(0,2)|', () => {
    // P(|X − Y| ≤ q) with X, Y standard normal = 2Φ(q/√2) − 1; Φ(1) ≈ 0.841344746
    expect(studentizedRangeCdfInf(Math.SQRT2, 2)).toBeCloseTo(2 * 0.8413447460685429 - 1, 9)
  })

  it('t-tests: identical samples give NaN p, constant non-zero differences p = 0; lengths must match', () => {
    expect(pairedTTest([1, 2, 3], [1, 2, 3]).p).toBeNaN()
    expect(pairedTTest([2, 3, 4], [1, 2, 3]).p).toBe(0)
    expect(() => pairedTTest([1, 2], [1])).toThrow(/same length/)
    expect(() => pairedTTest([1], [2])).toThrow(/at least 2/)
  })

  it('Wilcoxon: all differences zero → p = 1; exact refused with ties', () => {
    expect(wilcoxonSignedRank([1, 2, 3], [1, 2, 3])).toMatchObject({ p: 1, n: 0, zeros: 3 })
    expect(() => wilcoxonSignedRank([1, 2, 3], [0, 1, 0], { method: 'exact' })).toThrow(/tied/)
  })

  it('win/tie/loss with tolerance and direction', () => {
    expect(winTieLoss([0.9, 0.8, 0.7, 0.5], [0.8, 0.8, 0.75, 0.5005], { tolerance: 0.001 })).toEqual({ wins: 1, ties: 2, losses: 1 })
    expect(winTieLoss([0.1, 0.3], [0.2, 0.2], { higherIsBetter: false })).toEqual({ wins: 1, ties: 0, losses: 1 })
  })

  it('ranks: lower-is-better flips the order; Friedman needs k ≥ 3 and N ≥ 2', () => {
    expect(rankRows([[0.1, 0.3, 0.2]], { higherIsBetter: false })).toEqual([[1, 3, 2]])
    expect(() =>
      friedman([
        [1, 2],
        [2, 1]
      ])
    ).toThrow(/at least 3/)
    expect(() => friedman([[1, 2, 3]])).toThrow(/at least 2 datasets/)
  })
})
