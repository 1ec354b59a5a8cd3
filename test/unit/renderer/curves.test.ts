import { describe, expect, it } from 'vitest'
import type { EpochMetrics } from '../../../main/contract/index.ts'
import { bestPoint, entryEpochs, meanCurve, runningBest } from '../../../renderer/src/lib/curves.ts'

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
})
