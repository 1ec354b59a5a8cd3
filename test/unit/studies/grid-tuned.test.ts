/**
 * Grid effects and the tuned (validation-selected) comparison of a study, on hand-built results: every number is
 * recomputed here by brute force from the same per-replicate results, independently of the analysis code.
 */
import { describe, expect, it } from 'vitest'
import { gridPoints, type ModelResult } from '../../../main/contract/index.ts'
import { averageRanks } from '../../../main/lib/stats/index.ts'
import { analyzeStudy } from '../../../main/services/studyAnalysis.ts'

const res = (model: ModelResult['model'], seed: number, test: number, val: number | null, compression = 1): ModelResult =>
  ({
    model,
    seed,
    compression,
    accuracy: test,
    balancedAccuracy: test,
    macroF1: test,
    validation: val === null ? null : { accuracy: val, balancedAccuracy: val, macroF1: val }
  }) as ModelResult

const grid = { kappa: [0.125, 1], lambda: [0, 1] }
const points = gridPoints(grid)
const DATASETS = 4
const SEEDS = 3
// A deterministic pseudo-random score in [0.5, 1) per (dataset, point, seed, which).
const score = (d: number, p: number, s: number, which: number) => 0.5 + (((d * 7919 + p * 104729 + s * 1299709 + which * 15485863) % 1000) / 1000) * 0.5
const testOf = (d: number, p: number, s: number) => score(d, p, s, 1)
const valOf = (d: number, p: number, s: number) => score(d, p, s, 2)
const mlpTest = (d: number, s: number) => score(d, 9, s, 3)

const cells = Array.from({ length: DATASETS }, (_, d) =>
  points.map((g, p) => ({
    datasetIndex: d,
    grid: g,
    results: [
      ...Array.from({ length: SEEDS }, (_, s) => res('iunet', s, testOf(d, p, s), valOf(d, p, s), 8)),
      // The MLP ignores κ and λ: the same numbers in every cell, counted once.
      ...Array.from({ length: SEEDS }, (_, s) => res('mlp', s, mlpTest(d, s), 0.9))
    ]
  }))
).flat()

const analysis = analyzeStudy({
  datasets: Array.from({ length: DATASETS }, (_, i) => ({ id: `d${i}`, name: `d${i}` })),
  points,
  grid,
  models: ['iunet', 'mlp'],
  cells,
  metric: 'accuracy',
  baseline: 'mlp',
  alpha: 0.05
})

const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const iunetMean = (d: number, p: number) => meanOf(Array.from({ length: SEEDS }, (_, s) => testOf(d, p, s)))
const mlpMean = (d: number) => meanOf(Array.from({ length: SEEDS }, (_, s) => mlpTest(d, s)))

describe('grid effects', () => {
  const effect = analysis.gridEffects.find((e) => e.model === 'iunet')!
  it('has one family per model and ratio with a varying setting (the MLP ignores κ and λ: none)', () => {
    expect(analysis.gridEffects.map((e) => [e.model, e.compression])).toEqual([['iunet', 8]])
    expect(effect.settings).toEqual([
      { name: 'kappa', values: [0.125, 1] },
      { name: 'lambda', values: [0, 1] }
    ])
    expect(effect.points.map((p) => p.grid)).toEqual(points)
  })
  it("gives each point's mean difference to the baseline over datasets (to 1e-12), with wins and losses", () => {
    effect.points.forEach((pt, p) => {
      const diffs = Array.from({ length: DATASETS }, (_, d) => iunetMean(d, p) - mlpMean(d))
      expect(pt.perDataset.map((x) => x!)).toEqual(diffs.map((x) => expect.closeTo(x, 12)))
      expect(pt.meanDifference!).toBeCloseTo(meanOf(diffs), 12)
      expect(pt.wins).toBe(diffs.filter((x) => x > 0).length)
      expect(pt.losses).toBe(diffs.filter((x) => x < 0).length)
    })
  })
  it('ranks the grid points among themselves per dataset and averages the ranks', () => {
    const expected = averageRanks(Array.from({ length: DATASETS }, (_, d) => points.map((_, p) => iunetMean(d, p))))
    expect(effect.points.map((p) => p.averageRank)).toEqual(expected)
  })
  it("averages each setting value's effect over the other setting (the marginal effect)", () => {
    const kappa = effect.marginals.find((m) => m.setting === 'kappa')!
    // Points are κ-major: κ 0.125 → points 0, 1; κ 1 → points 2, 3.
    expect(kappa.values[0]!.meanDifference!).toBeCloseTo((effect.points[0]!.meanDifference! + effect.points[1]!.meanDifference!) / 2, 12)
    expect(kappa.values[1]!.averageRank!).toBeCloseTo((effect.points[2]!.averageRank! + effect.points[3]!.averageRank!) / 2, 12)
  })
})

describe('tuned on validation', () => {
  const tuned = analysis.tuned!
  it('labels the budget each model was tuned over', () => {
    expect(tuned.variants.map((v) => [v.model, v.settings, v.over])).toEqual([
      ['iunet', 4, ['κ', 'λ']],
      ['mlp', 1, []]
    ])
    expect(tuned.variants[0]!.label).toBe('IUNet (pruned), tuned over κ × λ on validation (4 settings)')
    expect(tuned.baseline).toBe(1)
    expect(analysis.optimisticNote).toMatch(/optimistic/)
  })
  it('reports, per dataset, the mean test score of the setting each seed chose by validation (to 1e-12)', () => {
    for (let d = 0; d < DATASETS; d++) {
      const chosenTests = Array.from({ length: SEEDS }, (_, s) => {
        let best = 0
        for (let p = 1; p < points.length; p++) if (valOf(d, p, s) > valOf(d, best, s)) best = p
        return testOf(d, best, s)
      })
      expect(tuned.matrix[d]![0]!.mean).toBeCloseTo(meanOf(chosenTests), 12)
      expect(tuned.matrix[d]![0]!.n).toBe(SEEDS)
      expect(tuned.matrix[d]![1]!.mean).toBeCloseTo(mlpMean(d), 12)
    }
    expect(tuned.tests[0]).toMatchObject({ variant: 0, n: DATASETS })
  })
  it('breaks a validation tie by the setting listed first, and leaves out replicates without validation scores', () => {
    const tie = analyzeStudy({
      datasets: [{ id: 'd', name: 'd' }],
      points,
      grid,
      models: ['iunet'],
      cells: points.map((g, p) => ({
        datasetIndex: 0,
        grid: g,
        // Seed 0: all four tie on validation; seed 1: point 2 has no validation score.
        results: [res('iunet', 0, 0.6 + p / 10, 0.8, 8), res('iunet', 1, 0.5, p === 2 ? null : 0.7, 8)]
      })),
      metric: 'accuracy',
      baseline: 'iunet',
      alpha: 0.05
    }).tuned!
    expect(tie.variants[0]!.choices[0]).toEqual([{ seed: 0, variant: 0, validation: 0.8, test: 0.6 }])
    expect(tie.variants[0]!.missingValidation).toBe(1)
    expect(tie.verdicts[0]).toMatch(/1 replicate had no validation accuracy stored/)
  })
})

describe('grid points that train as another model does', () => {
  it('says IUNet at κ = 1, λ = 0 trains as OMP only, at κ = 1 as IUNet − PIS, at λ = 0 as IUNet − ILO', () => {
    const notes = analysis.verdicts.filter((v) => v.includes(' trains as '))
    expect(notes).toEqual([
      'IUNet (pruned) 1/8 · kappa=0.125, lambda=0 trains as IUNet − ILO does (λ = 0 turns ILO off): the same numbers are expected, not an effect of the grid.',
      'IUNet (pruned) 1/8 · kappa=1, lambda=0 trains as OMP only does (κ = 1 turns PIS off, λ = 0 turns ILO off): the same numbers are expected, not an effect of the grid.',
      'IUNet (pruned) 1/8 · kappa=1, lambda=1 trains as IUNet − PIS does (κ = 1 turns PIS off): the same numbers are expected, not an effect of the grid.'
    ])
  })
})
