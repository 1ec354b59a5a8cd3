/** The per-seed (and per-fold) export of a comparison's runs. */
import { describe, expect, it } from 'vitest'
import type { ModelResult, RunDetail } from '../../../main/contract/index.ts'
import { rawResults, rawResultsCsv, rawResultsJson } from '../../../renderer/src/lib/rawResults.ts'

const res = (model: 'iunet' | 'mlp', seed: number, fold: number | undefined, accuracy: number, compression = 1) =>
  ({
    model,
    seed,
    ...(fold === undefined ? {} : { fold }),
    compression,
    accuracy,
    balancedAccuracy: accuracy,
    macroF1: accuracy,
    invariancePrediction: 1,
    invarianceRepresentation: 1,
    supernetValAccuracy: null,
    trainSeconds: 2,
    params: 10,
    nonzeroParams: 5
  }) as ModelResult

const run = (id: string, name: string, results: ModelResult[]) => ({ id, name, datasetName: 'iris, "v2"', results }) as unknown as RunDetail

describe('raw results export', () => {
  it('one row per model × compression × seed × fold, sorted, fold null without k-fold', () => {
    const rows = rawResults([
      run('a', 'k-fold', [res('mlp', 1, 0, 0.7), res('mlp', 0, 1, 0.6), res('mlp', 0, 0, 0.5), res('iunet', 0, 0, 0.8, 8)]),
      run('b', 'plain', [res('mlp', 0, undefined, 0.9)])
    ])
    expect(rows.map((r) => [r.runId, r.model, r.seed, r.fold, r.accuracy])).toEqual([
      ['a', 'iunet', 0, 0, 0.8],
      ['a', 'mlp', 0, 0, 0.5],
      ['a', 'mlp', 0, 1, 0.6],
      ['a', 'mlp', 1, 0, 0.7],
      ['b', 'mlp', 0, null, 0.9]
    ])
    const csv = rawResultsCsv(rows).split('\r\n')
    expect(csv[0]).toBe(
      'runId,run,dataset,model,label,compression,seed,fold,accuracy,balancedAccuracy,macroF1,invariancePrediction,invarianceRepresentation,supernetValAccuracy,validationAccuracy,validationBalancedAccuracy,validationMacroF1,singleFeatureShare,meanFeatures,localityHistogram,trainSeconds,params,nonzeroParams'
    )
    expect(csv[2]).toBe('a,k-fold,"iris, ""v2""",mlp,Dense MLP,1,0,0,0.5,0.5,0.5,1,1,,,,,,,,2,10,5')
    expect(csv[5]).toMatch(/^b,plain,.*,mlp,Dense MLP,1,0,,0\.9,/)
    expect(JSON.parse(rawResultsJson(rows, 't')).rows).toHaveLength(5)
  })
})
