import { describe, expect, it } from 'vitest'
import type { ModelResult } from '../../../main/contract/index.ts'
import {
  accuracy,
  aggregateResults,
  argmaxRows,
  balancedAccuracy,
  confusionMatrix,
  countParams,
  macroF1,
  meanStd,
  predictionConsistency,
  representationConsistency,
  cosineSum
} from '../../../main/engine/metrics.ts'

describe('classification metrics on a fixed confusion matrix', () => {
  // rows = true class, columns = predicted.
  const conf = [
    [5, 1, 0],
    [2, 3, 0],
    [0, 0, 0]
  ]
  it('accuracy, balanced accuracy, macro-F1', () => {
    expect(accuracy(conf)).toBeCloseTo(8 / 11, 12)
    // Recall 5/6 and 3/5; class 2 has no support and is skipped.
    expect(balancedAccuracy(conf)).toBeCloseTo((5 / 6 + 3 / 5) / 2, 12)
    // F1_0 = 2·5/(6+7) = 10/13, F1_1 = 2·3/(5+4) = 6/9; class 2 neither true nor predicted → skipped.
    expect(macroF1(conf)).toBeCloseTo((10 / 13 + 6 / 9) / 2, 12)
  })
  it('confusionMatrix is [true][pred] and argmaxRows picks the first max', () => {
    expect(confusionMatrix([0, 0, 1, 2], [0, 1, 1, 0], 3)).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [1, 0, 0]
    ])
    expect(Array.from(argmaxRows(new Float32Array([1, 3, 3, 0, -1, -2]), 2, 3))).toEqual([1, 0])
  })
  it('a one-class predictor scores 100 % consistency but chance-level balanced accuracy', () => {
    const c = confusionMatrix([0, 1, 2, 0, 1, 2], [0, 0, 0, 0, 0, 0], 3)
    expect(balancedAccuracy(c)).toBeCloseTo(1 / 3, 12)
    expect(predictionConsistency([0, 0, 0], [0, 0, 0])).toBe(1)
    expect(macroF1(c)).toBeCloseTo((2 * 2) / (2 + 6) / 3, 12)
  })
})

describe('aggregation and consistency', () => {
  it('meanStd uses the sample std and n = 1 gives std 0', () => {
    const m = meanStd([1, 2, 3, 4])
    expect(m.mean).toBe(2.5)
    expect(m.std).toBeCloseTo(Math.sqrt(5 / 3), 12)
    expect(meanStd([7])).toEqual({ mean: 7, std: 0, n: 1 })
  })
  it('cosineSum continued batch by batch gives the bits of the sum at once (the streamed test evaluation)', () => {
    const u = (i: number) => Math.sin(i * 12.9898) * 0.5
    const [n, d] = [37, 5]
    const a = Float32Array.from({ length: n * d }, (_, i) => u(i))
    const b = Float32Array.from({ length: n * d }, (_, i) => u(i + 1000))
    let total = 0
    for (let s = 0; s < n; s += 8)
      total = cosineSum(a.subarray(s * d, Math.min(n, s + 8) * d), b.subarray(s * d, Math.min(n, s + 8) * d), Math.min(8, n - s), d, total)
    expect(total).toBe(cosineSum(a, b, n, d))
    expect(total / n).toBe(representationConsistency(a, b, n, d))
  })

  it('representationConsistency is the mean cosine', () => {
    const a = new Float32Array([1, 0, 0, 1])
    const b = new Float32Array([2, 0, 1, 1])
    expect(representationConsistency(a, b, 2, 2)).toBeCloseTo((1 + Math.SQRT1_2) / 2, 6)
    expect(predictionConsistency([1, 2, 3, 4], [1, 2, 0, 4])).toBe(0.75)
  })
  it('countParams counts all and nonzero entries', () => {
    expect(countParams([new Float32Array([0, 1, 2]), new Float32Array([0])])).toEqual({ params: 4, nonzero: 2 })
  })
  it('aggregateResults groups by model and compression', () => {
    const base: ModelResult = {
      model: 'iunet',
      seed: 0,
      compression: 8,
      accuracy: 0.9,
      balancedAccuracy: 0.9,
      macroF1: 0.9,
      confusion: [[1]],
      params: 100,
      nonzeroParams: 20,
      flopsDense: 200,
      flopsSparse: 40,
      trainSeconds: 1,
      inferenceMsPerExample: 0.1,
      invariancePrediction: 0.8,
      invarianceRepresentation: 0.7,
      supernetValAccuracy: 0.85,
      bestEpoch: 3,
      layers: []
    }
    const rows = [base, { ...base, seed: 1, accuracy: 0.8 }, { ...base, model: 'mlp' as const, compression: 1, supernetValAccuracy: null }]
    const agg = aggregateResults(rows)
    expect(agg).toHaveLength(2)
    expect(agg[0].seeds).toBe(2)
    expect(agg[0].accuracy.mean).toBeCloseTo(0.85, 12)
    expect(agg[0].accuracy.std).toBeCloseTo(Math.SQRT1_2 * 0.1, 12)
    expect(agg[0].supernetValAccuracy?.mean).toBeCloseTo(0.85, 12)
    expect(agg[1].supernetValAccuracy).toBeNull()
    expect(agg[0].singleFeatureShare).toBeNull()
  })

  it('aggregateResults: the locality figure over the replicates that carry one (tabular MLP-family models)', () => {
    const base = { model: 'iunet', seed: 0, compression: 8, accuracy: 0.9, balancedAccuracy: 0.9, macroF1: 0.9, confusion: [[1]], params: 1, nonzeroParams: 1 }
    const rest = { flopsDense: 1, flopsSparse: 1, trainSeconds: 1, inferenceMsPerExample: 1, invariancePrediction: 1, invarianceRepresentation: 1 }
    const loc = (share: number, mean: number) => ({
      features: 4,
      units: 8,
      histogram: [0, 8 * share, 8 - 8 * share, 0, 0],
      singleFeatureShare: share,
      meanFeatures: mean
    })
    const r = (seed: number, locality?: ReturnType<typeof loc>): ModelResult =>
      ({ ...base, ...rest, seed, supernetValAccuracy: null, bestEpoch: 1, layers: [], ...(locality ? { locality } : {}) }) as ModelResult
    const [a] = aggregateResults([r(0, loc(0.25, 1.75)), r(1, loc(0.75, 1.25)), r(2)])
    // Two of three replicates carry it: mean 0.5, sample std |0.75 − 0.25| / √2, exact to 1e-12.
    expect(a!.singleFeatureShare!.n).toBe(2)
    expect(a!.singleFeatureShare!.mean).toBeCloseTo(0.5, 12)
    expect(a!.singleFeatureShare!.std).toBeCloseTo(0.5 / Math.SQRT2, 12)
    expect(a!.meanFeatures!.mean).toBeCloseTo(1.5, 12)
  })
})

describe('firstLayerArtifact', () => {
  it('transposes inputs × units to units × inputs and puts the most connected units first', async () => {
    const { firstLayerArtifact } = await import('../../../main/engine/evaluate.ts')
    // 2 inputs × 3 units, row-major: w[i][u] = 10·i + u.
    const w = Float32Array.from([0, 1, 2, 10, 11, 12])
    const mask = Uint8Array.from([0, 1, 1, 0, 0, 1])
    const a = firstLayerArtifact({ model: 'iunet', seed: 0, compression: 2 }, w, mask, 2, 3, 2)
    // Degrees: unit0 = 0, unit1 = 1, unit2 = 2 → units 2, 1 (at most 2).
    expect(a.units).toBe(2)
    expect(a.weights).toEqual([2, 12, 1, 11])
    expect(a.mask).toEqual([1, 1, 1, 0])
    const dense = firstLayerArtifact({ model: 'mlp', seed: 0, compression: 1 }, w, null, 2, 3)
    expect(dense.units).toBe(3)
    expect(dense.mask.every((v) => v === 1)).toBe(true)
    // Equal degrees: larger L1 first (unit 2: 14, unit 1: 12, unit 0: 10).
    expect(dense.weights.slice(0, 2)).toEqual([2, 12])
  })
})
