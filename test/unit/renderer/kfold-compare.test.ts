/** Compare on a repeated k-fold run: rows, captions, verdicts and the report say "2 seeds × 3 folds", never "seeds". */
import { describe, expect, it } from 'vitest'
import type { ModelResult } from '../../../main/contract/index.ts'
import { buildRows, toCsv } from '../../../renderer/src/lib/metricsTable.ts'
import { entriesOfRun, resultsOf } from '../../../renderer/src/lib/entries.ts'
import { overText, testsOf } from '../../../renderer/src/lib/replicates.ts'
import { verdicts } from '../../../renderer/src/lib/verdict.ts'
import { buildReport } from '../../../renderer/src/lib/report.ts'
import { agg, config, ms, run } from './fixtures.ts'

const kfold = { ...config, seeds: 2, split: { ...config.split, kfold: 3 } }
const six = (mean: number) => ms(mean, 0.02, 6)
const k = run('k', [agg('iunet', 8, 0.95, { seeds: 6, accuracy: six(0.95) }), agg('mlp', 1, 0.9, { seeds: 6, accuracy: six(0.9) })], { config: kfold })
const plain = run('p', [agg('iunet', 8, 0.95), agg('mlp', 1, 0.9)])

function result(seed: number, fold: number, accuracy: number): ModelResult {
  return {
    model: 'mlp',
    seed,
    fold,
    compression: 1,
    accuracy,
    balancedAccuracy: accuracy,
    macroF1: accuracy,
    confusion: [],
    params: 1,
    nonzeroParams: 1,
    flopsDense: 1,
    flopsSparse: 1,
    trainSeconds: 1,
    inferenceMsPerExample: 1,
    invariancePrediction: 1,
    invarianceRepresentation: 1,
    supernetValAccuracy: null,
    bestEpoch: 1,
    layers: []
  }
}

describe('Compare on a k-fold run', () => {
  const rows = buildRows(entriesOfRun(k), { k })

  it('rows know what they repeat (2 seeds × 3 folds), their n and the corrected resampled t-test', () => {
    expect(rows.map((r) => [r.replicates?.text, r.n, r.replicates?.planned, r.replicates?.test])).toEqual([
      ['2 seeds × 3 folds', 6, 6, 'corrected resampled t-test'],
      ['2 seeds × 3 folds', 6, 6, 'corrected resampled t-test']
    ])
    expect(overText(rows)).toBe('mean ± std over 2 seeds × 3 folds (n = 6)')
    expect(testsOf(rows)).toEqual(['corrected resampled t-test'])
    expect(toCsv(rows).split('\r\n')[1]).toContain(',2 seeds × 3 folds,6,')
  })

  it('a seeds-only run is "3 seeds" with the paired t-test; a mix of both is told per row', () => {
    const p = buildRows(entriesOfRun(plain), { p: plain })
    expect(overText(p)).toBe('mean ± std over 3 seeds (n = 3)')
    expect(testsOf(p)).toEqual(['paired t-test'])
    const both = buildRows([...entriesOfRun(k), ...entriesOfRun(plain)], { k, p: plain })
    expect(overText(both)).toBe('mean ± std over each run’s seeds (× folds); n per row')
    expect(testsOf(both)).toEqual(['corrected resampled t-test', 'paired t-test'])
  })

  it('the verdict never judges folds by their spread, and names the test that does', () => {
    const [v] = verdicts(rows, () => 'image')
    expect(v!.text).toMatch(/^IUNet \(pruned\) 1\/8 beats Dense MLP on accuracy: 95\.0 % vs 90\.0 %, higher by 5\.0 points over 2 seeds × 3 folds \(n = 6\)\./)
    expect(v!.text).toContain('corrected resampled t-test')
    expect(v!.text).not.toMatch(/seed-to-seed/)
  })

  it('the report says what the means are over and which test fits; no "Seeds" column', () => {
    const html = buildReport({ title: 't', generatedAt: 'now', rows, verdicts: [], diff: [], runs: [], charts: [], images: [] })
    expect(html).toContain(
      'Values are mean ± std over 2 seeds × 3 folds (n = 6) on the test split; two models of a run are compared with the corrected resampled t-test'
    )
    expect(html).toContain('Accuracy &amp; invariance: mean ± std over 2 seeds × 3 folds (n = 6)')
    expect(html).not.toContain('>Seeds<')
  })

  it('per-fold values of a row come seed by seed, fold by fold', () => {
    const r = run('r', [agg('mlp', 1, 0.9)], { config: kfold, results: [result(1, 0, 0.8), result(0, 2, 0.7), result(0, 0, 0.9), result(1, 1, 0.6)] })
    expect(resultsOf(r, { runId: 'r', model: 'mlp', compression: 1 }).map((x) => `${x.seed}/${x.fold}`)).toEqual(['0/0', '0/2', '1/0', '1/1'])
  })
})

describe('a study says what its means are over', () => {
  it('seeds, seeds × folds when the spec sets k, and per cell when k is swept', async () => {
    const { studyReplicatesText } = await import('../../../renderer/src/lib/replicates.ts')
    expect(studyReplicatesText({ seeds: 2, settings: {}, grid: {} })).toBe('2 seeds')
    expect(studyReplicatesText({ seeds: 2, settings: { split: { kfold: 5 } }, grid: {} })).toBe('2 seeds × 5 folds')
    expect(studyReplicatesText({ seeds: 1, settings: {}, grid: { 'split.kfold': [3, 5] } })).toBe('each cell’s seed × its folds')
  })
})
