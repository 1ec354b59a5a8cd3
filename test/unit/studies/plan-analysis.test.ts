/** Study specs → cells, and the analysis across datasets (against lib/stats, which is tested against SciPy). */
import { describe, expect, it } from 'vitest'
import type { ModelResult, RunConfig } from '../../../main/contract/index.ts'
import { parseStudySpec } from '../../../main/services/studies.ts'
import { applySetting, canonicalJson, cellConfig, gridPoints, planCells, relevantGrid } from '../../../main/contract/index.ts'
import { studyId } from '../../../main/services/studyId.ts'
import { analyzeStudy } from '../../../main/services/studyAnalysis.ts'
import { averageRanks, friedman, holm, nemenyiCriticalDifference, wilcoxonSignedRank } from '../../../main/lib/stats/index.ts'

const defaults = {
  datasetId: 'x',
  models: ['mlp'],
  preset: 'quick',
  seeds: 3,
  compressions: [8],
  epochs: 5,
  finetuneEpochs: 5,
  batchSize: 32,
  learningRate: 1e-3,
  weightDecay: 0,
  depth: 2,
  width: 64,
  kappa: 0.125,
  lambda: 1,
  tau: 0.5,
  projectionHead: true,
  augment: { translate: 2, flip: false, cropScale: 1, colorJitter: 0, grayscale: 0, corruption: 0.4, noise: 0 },
  split: { train: 0.7, val: 0.15, test: 0.15, kfold: null },
  patience: 0
} as RunConfig

describe('study plan', () => {
  const spec = parseStudySpec({
    name: 's',
    datasets: [{ id: 'a' }],
    models: ['iunet', 'mlp'],
    seeds: 2,
    settings: { epochs: 2, augment: { noise: 0.1 } },
    grid: { kappa: [0.0625, 1], compressions: [4, [8, 16]], 'split.kfold': [null, 3] }
  })

  it('expands the grid as a cartesian product; a bare ratio is a one-ratio list', () => {
    const points = gridPoints(spec.grid)
    expect(points).toHaveLength(8)
    expect(points[0]).toEqual({ kappa: 0.0625, compressions: [4], 'split.kfold': null })
    expect(points[7]).toEqual({ kappa: 1, compressions: [8, 16], 'split.kfold': 3 })
  })

  it('builds a valid RunConfig per cell: preset defaults < settings < grid point; nested settings merged', () => {
    const c = cellConfig(spec, defaults, gridPoints(spec.grid)[7]!, { id: 'a', name: 'iris', target: 'species' })
    expect(c).toMatchObject({ datasetId: 'a', models: ['iunet', 'mlp'], seeds: 2, epochs: 2, kappa: 1, compressions: [8, 16], target: 'species' })
    expect(c.split).toEqual({ train: 0.7, val: 0.15, test: 0.15, kfold: 3 })
    expect(c.augment).toEqual({ ...defaults.augment, noise: 0.1 })
    expect(defaults.split.kfold).toBeNull()
  })

  it('trains a model only in the first cell whose relevant settings it has: the dense MLP once per kfold, not per κ or ratio', () => {
    const cells = planCells(spec, defaults, gridPoints(spec.grid), { id: 'a', name: 'iris' })
    expect(cells).toHaveLength(8)
    const mlp = cells.filter((c) => c.config.models.includes('mlp')).map((c) => c.grid)
    expect(mlp).toEqual([
      { kappa: 0.0625, compressions: [4], 'split.kfold': null },
      { kappa: 0.0625, compressions: [4], 'split.kfold': 3 }
    ])
    expect(cells.every((c) => c.config.models.includes('iunet'))).toBe(true)
    // A grid point left with nothing to train has no cell.
    const dense = parseStudySpec({ ...spec, models: ['mlp', 'cnn'], grid: { kappa: [0.0625, 1], epochs: [2, 3] } })
    expect(planCells(dense, defaults, gridPoints(dense.grid), { id: 'a', name: 'iris' }).map((c) => c.grid)).toEqual([
      { kappa: 0.0625, epochs: 2 },
      { kappa: 0.0625, epochs: 3 }
    ])
  })

  it('names the cell and the field when a value is invalid, and refuses unknown or study-level settings', () => {
    const bad = parseStudySpec({ ...spec, grid: { kappa: [2] } })
    expect(() => cellConfig(bad, defaults, { kappa: 2 }, { id: 'a', name: 'iris' })).toThrow('dataset "iris", kappa=2: κ (PIS init scale) must be at most 1.')
    expect(() => cellConfig({ ...spec, settings: { kapa: 1 } }, defaults, {}, { id: 'a', name: 'iris' })).toThrow(/kapa/)
    expect(() => cellConfig({ ...spec, grid: { seeds: [1, 2] } }, defaults, { seeds: 1 }, { id: 'a', name: 'iris' })).toThrow(/set by the study itself/)
    expect(() => applySetting({ kappa: 1 }, 'kappa.x', 1)).toThrow(/not a group/)
    expect(() => parseStudySpec({ name: 's', datasets: [{ path: '/a', id: 'b' }], models: ['mlp'] })).toThrow(/either a path or an id/)
  })

  it('gives the same spec over the same datasets the same id, whatever the paths', () => {
    const a = parseStudySpec({ name: 's', datasets: [{ path: '/x/iris.csv' }], models: ['mlp'] })
    const b = parseStudySpec({ name: 's', datasets: [{ path: 'iris.csv' }], models: ['mlp'] })
    expect(studyId(a, ['d1'])).toBe(studyId(b, ['d1']))
    expect(studyId(a, ['d1'])).not.toBe(studyId({ ...a, seeds: 5 }, ['d1']))
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}')
  })
})

const res = (model: ModelResult['model'], seed: number, accuracy: number, compression = 1) =>
  ({ model, seed, compression, accuracy, balancedAccuracy: accuracy, macroF1: accuracy }) as ModelResult

describe('study analysis', () => {
  // 5 datasets × (IUNet at κ 0.125 and 1, MLP): accuracy per seed
  const acc = [
    [
      [0.9, 0.92],
      [0.85, 0.86],
      [0.8, 0.82]
    ],
    [
      [0.7, 0.72],
      [0.71, 0.7],
      [0.6, 0.66]
    ],
    [
      [0.95, 0.95],
      [0.9, 0.92],
      [0.96, 0.94]
    ],
    [
      [0.5, 0.54],
      [0.52, 0.5],
      [0.4, 0.42]
    ],
    [
      [0.81, 0.8],
      [0.79, 0.77],
      [0.75, 0.77]
    ]
  ]
  const points = [{ kappa: 0.125 }, { kappa: 1 }]
  const cells = acc.flatMap((d, di) =>
    points.map((grid, gi) => ({
      datasetIndex: di,
      grid,
      // the MLP runs in both κ cells with the same numbers (κ does not touch it); it must count once
      results: [...d[gi]!.map((x, s) => res('iunet', s, x, 8)), ...d[2]!.map((x, s) => res('mlp', s, x))]
    }))
  )
  const a = analyzeStudy({
    datasets: acc.map((_, i) => ({ id: `d${i}`, name: `d${i}` })),
    points,
    grid: { kappa: [0.125, 1] },
    models: ['iunet', 'mlp'],
    cells,
    metric: 'accuracy',
    baseline: 'mlp',
    alpha: 0.05
  })

  it('one variant per model × ratio × relevant grid point, means and bests per dataset', () => {
    expect(relevantGrid('mlp', { kappa: 1, epochs: 3 })).toEqual({ epochs: 3 })
    expect(a.variants.map((v) => v.label)).toEqual(['IUNet (pruned) 1/8 · kappa=0.125', 'Dense MLP', 'IUNet (pruned) 1/8 · kappa=1'])
    expect(a.matrix[0]!.map((m) => m!.mean)).toEqual([0.91, 0.81, 0.855].map((x) => expect.closeTo(x, 12)))
    expect(a.matrix[1]![1]!.n).toBe(2)
    expect(a.best).toEqual([[0], [0], [0, 1], [0], [0]])
  })

  it('ranks, Friedman, Nemenyi, Wilcoxon + Holm equal lib/stats on the matrix of means', () => {
    const scores = a.matrix.map((row) => row.map((m) => m!.mean))
    expect(a.ranks!.average).toEqual(averageRanks(scores))
    expect(a.friedman!.p).toBeCloseTo(friedman(scores).p, 12)
    expect(a.nemenyi!.cd).toBeCloseTo(nemenyiCriticalDifference(3, 5).cd, 12)
    expect(a.baseline).toBe(1)
    const ps = [0, 2].map(
      (j) =>
        wilcoxonSignedRank(
          scores.map((r) => r[j]!),
          scores.map((r) => r[1]!)
        ).p
    )
    expect(a.tests.map((t) => t.p)).toEqual(ps)
    expect(a.tests.map((t) => t.pHolm)).toEqual(holm(ps).adjusted)
    expect(a.tests[0]).toMatchObject({ variant: 0, n: 5, wins: 4, ties: 1, losses: 0 })
    expect(a.tests.some((t) => /^IUNet \(pruned\) 1\/8 · kappa=0\.125 vs Dense MLP: 4 wins, 1 ties, 0 losses over 5 datasets/.test(t.verdict))).toBe(true)
    // the comparison's own verdicts are about the whole (Friedman, best rank, notes), none about one variant
    expect(a.verdicts.some((v) => / vs Dense MLP: /.test(v))).toBe(false)
    expect(a.verdicts[0]).toMatch(/Friedman χ²\(2\)/)
  })

  it('a partial study: unfinished cells are left out, and the verdicts say what is missing', () => {
    const partial = analyzeStudy({
      datasets: [
        { id: 'd0', name: 'd0' },
        { id: 'd1', name: 'd1' }
      ],
      points,
      grid: { kappa: [0.125, 1] },
      models: ['iunet', 'mlp'],
      cells: [cells[0]!, { ...cells[2]!, results: null }],
      metric: 'accuracy',
      baseline: 'mlp',
      alpha: 0.05
    })
    expect(partial.matrix[1]).toEqual([null, null])
    expect(partial.friedman).toBeNull()
    expect(partial.verdicts.join('\n')).toMatch(/at least 2 datasets/)
    expect(partial.tests[0]).toMatchObject({ n: 1, p: null, significant: false })
  })
})
