/**
 * card.md names the model's seed and fold and reads its own row by both: under k-fold, "this model" is the row of
 * its seed and fold (not the seed's first fold), and the mean ± std is over seeds × folds with n stated. Checked on
 * hand-made results whose accuracies differ per fold, so a row picked by seed alone shows the wrong number.
 */
import { describe, expect, it } from 'vitest'
import { defaultRunConfig, type ModelResult, type RunConfig } from '../../../main/contract/index.ts'
import { modelCard, type CardContext } from '../../../main/services/modelCard.ts'

const result = (seed: number, fold: number | undefined, accuracy: number): ModelResult =>
  ({
    model: 'mlp',
    seed,
    ...(fold === undefined ? {} : { fold }),
    compression: 1,
    accuracy,
    balancedAccuracy: accuracy,
    macroF1: accuracy,
    params: 100,
    nonzeroParams: 100,
    flopsDense: 200,
    flopsSparse: 200,
    invariancePrediction: 0.5,
    invarianceRepresentation: 0.5,
    supernetValAccuracy: null,
    trainSeconds: 1,
    inferenceMsPerExample: 0.01
  }) as ModelResult

function context(config: RunConfig, results: ModelResult[], seed: number, fold?: number): CardContext {
  return {
    meta: {
      version: 1,
      runId: 'run-1',
      model: 'mlp',
      seed,
      ...(fold === undefined ? {} : { fold }),
      compression: 1,
      spec: { kind: 'mlp', inputs: 4, classes: 3, depth: 1, width: 8 },
      classNames: ['a', 'b', 'c'],
      imageShape: null
    },
    pre: { version: 1, kind: 'tabular', target: 'y', classNames: ['a', 'b', 'c'], steps: [], image: null, nFeatures: 4, featureGroups: [], numericMask: [] },
    results,
    runName: 'iris run',
    datasetName: 'iris',
    config
  }
}

const base = {
  datasetId: 'd',
  ...defaultRunConfig('quick', { kind: 'tabular', rows: 150, nFeatures: 4, imageShape: null }),
  models: ['mlp' as const],
  seeds: 2
}

describe('model card', () => {
  it('k-fold: names seed and fold, reads its own fold row, averages over seeds × folds', () => {
    const config: RunConfig = { ...base, split: { ...base.split, kfold: 3 } }
    // seed s, fold f: accuracy 0.5 + 0.1 f + 0.01 s (every row different).
    const results = [0, 1].flatMap((s) => [0, 1, 2].map((f) => result(s, f, 0.5 + 0.1 * f + 0.01 * s)))
    const card = modelCard(context(config, results, 1, 2))
    expect(card).toMatch(/^# Dense MLP — seed 1 · fold 3\/3$/m)
    expect(card).toContain('| metric | this model (seed 1 · fold 3/3) | mean ± std over 2 seeds × 3 folds |')
    // Its own row: seed 1, fold 2 → 0.71; the mean of the six rows: 0.605, std 0.0896 → "60.5 ± 9.0 %".
    expect(card).toContain('| accuracy | 71.0 % | 60.5 ± 9.0 % (n = 6) |')
    expect(card).toContain('preset quick; 2 seeds × 3 folds;')
  })

  it('one split: names the seed only', () => {
    const results = [result(0, undefined, 0.9), result(1, undefined, 0.8)]
    const card = modelCard(context(base, results, 0))
    expect(card).toMatch(/^# Dense MLP — seed 0$/m)
    expect(card).toContain('| accuracy | 90.0 % | 85.0 ± 7.1 % (n = 2) |')
    expect(card).not.toMatch(/fold \d/)
  })
})
