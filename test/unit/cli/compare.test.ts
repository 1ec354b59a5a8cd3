/** Per-seed values and the IUNet-vs-MLP paired t-test that `iunet run` prints and writes with --json. */
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import type { ModelKind, ModelResult, RunDetail } from '../../../main/contract/index.ts'
import { describeComparisons, iunetVsMlp, kfoldTestTrainRatio, perSeed } from '../../../main/cli/compare.ts'
import { correctedResampledTTest } from '../../../main/lib/stats/index.ts'
import { runJson } from '../../../main/cli/run.ts'

const ref = JSON.parse(readFileSync(new URL('../../fixtures/stats/scipy-reference.json', import.meta.url), 'utf8'))
const { a: iunetAcc, b: mlpAcc, p: scipyP } = ref.pairedT[0] as { a: number[]; b: number[]; p: number }

const result = (model: ModelKind, seed: number, accuracy: number, compression = 1) =>
  ({
    model,
    seed,
    compression,
    accuracy,
    balancedAccuracy: accuracy,
    macroF1: accuracy,
    invariancePrediction: 0.5,
    invarianceRepresentation: 0.9,
    supernetValAccuracy: null,
    trainSeconds: 1
  }) as ModelResult

function detail(seeds: number): RunDetail {
  const results = [
    ...iunetAcc.slice(0, seeds).map((x, s) => result('iunet', s, x, 8)),
    ...mlpAcc.slice(0, seeds).map((x, s) => result('mlp', s, x))
    // a failed mlp seed would simply be missing; seed order in results is not guaranteed
  ].reverse()
  const ms = { mean: 0, std: 0, n: seeds }
  const agg = (model: ModelKind, compression: number) => ({
    model,
    compression,
    params: 10,
    nonzeroParams: 10,
    flopsDense: 1,
    flopsSparse: 1,
    supernetValAccuracy: null,
    accuracy: ms,
    balancedAccuracy: ms,
    macroF1: ms,
    invariancePrediction: ms,
    invarianceRepresentation: ms,
    trainSeconds: ms,
    inferenceMsPerExample: ms
  })
  return {
    id: 'r',
    name: 'n',
    status: 'finished',
    results,
    aggregates: [agg('iunet', 8), agg('mlp', 1)],
    config: { split: { train: 0.7, val: 0.15, test: 0.15, kfold: null } }
  } as unknown as RunDetail
}

describe('run comparison output', () => {
  it('per-seed values, ordered by seed', () => {
    const d = detail(5)
    expect(perSeed(d, 'iunet', 8).map((s) => [s.seed, s.accuracy])).toEqual(iunetAcc.map((x, i) => [i, x]))
    expect(perSeed(d, 'iunet', 4)).toEqual([])
    const json = runJson(d)
    expect(json.models[0]!.perSeed).toHaveLength(5)
    expect(json.models[1]!.perSeed[2]).toMatchObject({ seed: 2, accuracy: mlpAcc[2] })
  })

  it('IUNet vs dense MLP: paired t-test over shared seeds = SciPy ttest_rel', () => {
    const [c] = iunetVsMlp(detail(5))
    expect(c).toMatchObject({ model: 'iunet', compression: 8, baseline: 'mlp', seeds: [0, 1, 2, 3, 4], df: 4 })
    // The same tolerance as the statistics tests: 1e-12 relative to SciPy's p.
    expect(Math.abs(c!.p! - scipyP)).toBeLessThanOrEqual(1e-12 * scipyP)
    expect(describeComparisons([c!])[0]).toMatch(
      /^IUNet \(pruned\) 1\/8 vs Dense MLP: \+0\.6 pts accuracy over 5 paired seeds, t\(4\) = [\d.]+, p = 0\.\d{4} \(paired t-test, two-sided\): not significant at α = 0\.05\.$/
    )
  })

  it('one seed: no test, and the output says why', () => {
    const [c] = iunetVsMlp(detail(1))
    expect(c!.p).toBeNull()
    expect(describeComparisons([c!])[0]).toMatch(/needs ≥ 2 seeds/)
  })

  it('repeated k-fold: pairs by seed × fold and uses the corrected resampled t-test', () => {
    const { a, b } = ref.correctedT[0] as { a: number[]; b: number[] }
    // 2 seeds × 5 folds; results arrive in any order
    const at = (i: number) => ({ seed: Math.floor(i / 5), fold: i % 5 })
    const results = [...a.map((x, i) => ({ ...result('iunet', 0, x, 8), ...at(i) })), ...b.map((x, i) => ({ ...result('mlp', 0, x), ...at(i) }))].reverse()
    const d = { ...detail(0), results, config: { split: { train: 0.7, val: 0.15, test: 0.15, kfold: 5 } } } as unknown as RunDetail
    const sizes = kfoldTestTrainRatio(d.config.split)
    expect(sizes.nTest / sizes.nTrain).toBeCloseTo(0.2 / (0.8 * (0.7 / 0.85)), 12)
    const [c] = iunetVsMlp(d)
    const want = correctedResampledTTest(a, b, sizes)
    expect(c).toMatchObject({ test: 'corrected-resampled-t', df: 9, seeds: [0, 0, 0, 0, 0, 1, 1, 1, 1, 1] })
    expect(c!.p).toBeCloseTo(want.p, 12)
    expect(perSeed(d, 'mlp', 1).map((s) => [s.seed, s.fold])).toEqual(a.map((_, i) => [at(i).seed, at(i).fold]))
    expect(describeComparisons([c!])[0]).toMatch(/over 10 paired folds, .*corrected resampled t-test/)
  })
})
