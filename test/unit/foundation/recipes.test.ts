import { describe, expect, it } from 'vitest'
import { taskEpochs, initScale, ModelKind, phaseEpochs, RECIPES } from '../../../main/contract/index.ts'
import { estimateSeconds } from '../../../main/contract/index.ts'

const budget = { epochs: 7, finetuneEpochs: 5, compressions: [4, 8, 8], kappa: 0.125 }

describe('model recipes (one table for engine, services, estimate and progress)', () => {
  it('pruned rows train a supernet once and finetune once per distinct ratio; others train the whole budget', () => {
    expect(taskEpochs('iunet', budget)).toBe(7 + 5 * 2)
    expect(taskEpochs('omp', budget)).toBe(7 + 5 * 2)
    expect(taskEpochs('mlp', budget)).toBe(12)
    expect(taskEpochs('iunet-noprune', budget)).toBe(12)
    expect(RECIPES.iunet.phases.map((p) => [p.phase, p.loss, phaseEpochs(p, budget)])).toEqual([
      ['supernet', 'ilo', 7],
      ['finetune', 'ce', 5]
    ])
  })

  it('κ is applied to exactly the PIS rows', () => {
    const scaled = ModelKind.options.filter((m) => initScale(m, budget) !== 1)
    expect(scaled.sort()).toEqual(['iunet', 'iunet-noprune', 'no-ilo'])
  })

  it('the estimate prices iunet-noprune at its full ILO budget (epochs + finetune epochs, 3 rows per input)', () => {
    const base = { datasetId: 'x', preset: 'quick', seeds: 1, epochs: 10, finetuneEpochs: 10, compressions: [8] }
    const cfg = (models: ModelKind[]) =>
      ({ ...(base as object), models, batchSize: 64, width: 64, depth: 2, split: { train: 0.7, val: 0.15, test: 0.15 }, maxRows: null }) as never
    const data = { rows: 10_000, nFeatures: 10, kind: 'tabular', imageShape: null } as never
    const mlp = estimateSeconds(cfg(['mlp']), data, null)
    const noprune = estimateSeconds(cfg(['iunet-noprune']), data, null)
    expect(noprune / mlp).toBeCloseTo(3, 1)
  })
})
