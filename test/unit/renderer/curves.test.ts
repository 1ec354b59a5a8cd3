import { describe, expect, it } from 'vitest'
import type { EpochMetrics } from '../../../main/contract/index.ts'
import { bestPoint, entryEpochs, meanCurve, replicateCurves, runningBest } from '../../../renderer/src/lib/curves.ts'
import { curvesOption } from '../../../renderer/src/lib/chartOptions.ts'

function m(model: EpochMetrics['model'], phase: EpochMetrics['phase'], compression: number, seed: number, epoch: number, valAccuracy: number): EpochMetrics {
  return { model, seed, compression, phase, epoch, trainLoss: 1, trainAccuracy: 0.5, valLoss: 1 - valAccuracy, valAccuracy, contrastiveLoss: null, seconds: 1 }
}

const metrics = [
  m('iunet', 'supernet', 1, 0, 1, 0.3),
  m('iunet', 'finetune', 8, 0, 1, 0.5),
  m('iunet', 'finetune', 8, 1, 1, 0.7),
  m('iunet', 'finetune', 8, 0, 2, 0.9),
  m('iunet', 'finetune', 4, 0, 1, 0.1),
  m('mlp', 'train', 1, 0, 1, 0.8)
]

describe('learning curves', () => {
  it('uses the finetune epochs at the entry compression for pruned models, the training epochs otherwise', () => {
    expect(entryEpochs(metrics, { runId: 'r', model: 'iunet', compression: 8 })).toHaveLength(3)
    expect(entryEpochs(metrics, { runId: 'r', model: 'mlp', compression: 1 })).toHaveLength(1)
    expect(entryEpochs(metrics, { runId: 'r', model: 'iunet', compression: 8 }, 'supernet')).toHaveLength(1)
  })

  it('averages over the seeds present at each epoch, with the sample std', () => {
    const c = meanCurve(entryEpochs(metrics, { runId: 'r', model: 'iunet', compression: 8 }), 'valAccuracy')
    expect(c[0]!.mean).toBeCloseTo(0.6)
    expect(c[0]!.std).toBeCloseTo(Math.SQRT2 * 0.1)
    expect(c[0]!.n).toBe(2)
    expect(c[1]).toEqual({ epoch: 2, mean: 0.9, std: 0, n: 1 })
  })

  it('best-so-far keeps the running max for accuracy and the running min for loss', () => {
    const pts = [0.5, 0.8, 0.6, 0.9].map((mean, i) => ({ epoch: i + 1, mean, std: 0, n: 1 }))
    expect(runningBest(pts, true).map((p) => p.mean)).toEqual([0.5, 0.8, 0.8, 0.9])
    expect(runningBest(pts, false).map((p) => p.mean)).toEqual([0.5, 0.5, 0.5, 0.5])
    expect(bestPoint(pts, true)!.epoch).toBe(4)
  })

  it('draws one line per replicate (seed × fold), each with only its own task’s epochs', () => {
    // 2 seeds × 2 folds of an MLP, 3 epochs each: the mean joins them, a replicate line never does.
    const rows = [0, 1].flatMap((seed) =>
      [0, 1].flatMap((fold) => [1, 2, 3].map((epoch) => ({ ...m('mlp', 'train', 1, seed, epoch, seed / 10 + fold / 100 + epoch / 1000), fold })))
    )
    const split = { split: { kfold: 2 } }
    const reps = replicateCurves([...rows].reverse(), 'valAccuracy', split)
    expect(reps.map((r) => r.label)).toEqual(['seed 0 · fold 1/2', 'seed 0 · fold 2/2', 'seed 1 · fold 1/2', 'seed 1 · fold 2/2'])
    for (const [i, r] of reps.entries()) {
      expect(r.points.map((p) => p.epoch)).toEqual([1, 2, 3])
      const seed = Math.floor(i / 2)
      const fold = i % 2
      expect(r.points.map((p) => p.mean)).toEqual([1, 2, 3].map((e) => seed / 10 + fold / 100 + e / 1000))
    }
    const series = [{ name: 'Dense MLP', color: '#000', points: meanCurve(rows, 'valAccuracy'), replicates: reps }]
    const ids = (o: Record<string, unknown>) => (o.series as { id: string }[]).map((x) => x.id)
    // 'each': the mean and four thin lines, no band; 'band': the mean and its band, no replicate line
    expect(ids(curvesOption(series, 'valAccuracy', 'last', 'each'))).toEqual(['main-Dense MLP', ...reps.map((r) => `rep-Dense MLP-${r.label}`)])
    expect(ids(curvesOption(series, 'valAccuracy', 'last', 'band'))).toEqual(['main-Dense MLP', 'lo-Dense MLP', 'band-Dense MLP'])
    // best-so-far has neither
    expect(ids(curvesOption(series, 'valAccuracy', 'best', 'each'))).toEqual(['main-Dense MLP'])
  })
})
