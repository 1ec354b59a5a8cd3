/** Repeated k-fold for real: every fold × seed trains on its own split, and the aggregate is over all of them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createServices, type Services } from '../../../main/services/index.ts'

let dir: string
let services: Services

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'iunet-kfold-run-'))
  services = createServices({ dataDir: join(dir, 'data'), transport: 'websocket', workers: 1 })
})
afterAll(async () => {
  await services.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('k-fold runs', () => {
  it('trains model × seed × fold tasks and aggregates over all of them', async () => {
    const d = await services.call('datasets.import', { path: resolve('resources/examples/iris.csv') })
    const defaults = await services.call('runs.defaults', { datasetId: d.id, preset: 'quick' })
    const config = {
      ...defaults,
      models: ['mlp' as const],
      seeds: 2,
      epochs: 2,
      finetuneEpochs: 1,
      width: 8,
      depth: 1,
      patience: 0,
      split: { ...defaults.split, kfold: 3 }
    }
    const { summary, finished } = await services.runs.start(config)
    await finished
    const run = await services.call('runs.get', { id: summary.id })
    expect(run.status, run.error ?? '').toBe('finished')
    expect(run.results.map((r) => [r.seed, r.fold])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
      [1, 2]
    ])
    // each fold tests on a different third of the 150 rows: the test parts of one seed cover every row once
    const seed0 = run.results.filter((r) => r.seed === 0)
    expect(seed0.reduce((a, r) => a + r.confusion.flat().reduce((x, y) => x + y, 0), 0)).toBe(150)
    const [agg] = run.aggregates
    expect(agg!.seeds).toBe(6)
    expect(agg!.accuracy.mean).toBeCloseTo(run.results.reduce((a, r) => a + r.accuracy, 0) / 6, 12)
    const metrics = await services.call('runs.metrics', { id: summary.id })
    expect(new Set(metrics.map((m) => `${m.seed}/${m.fold}`)).size).toBe(6)
    // every fold keeps its own trained weights, and export picks the asked fold
    const stored = readdirSync(join(dir, 'data', 'runs', summary.id, 'models')).sort()
    expect(stored).toEqual([
      'mlp__seed0__fold0__r1',
      'mlp__seed0__fold1__r1',
      'mlp__seed0__fold2__r1',
      'mlp__seed1__fold0__r1',
      'mlp__seed1__fold1__r1',
      'mlp__seed1__fold2__r1'
    ])
    const bundle = await services.call('models.export', { runId: summary.id, model: 'mlp', seed: 1, fold: 2 })
    expect(bundle.dir).toMatch(/mlp__seed1__fold2__r1$/)
    await expect(services.call('models.export', { runId: summary.id, model: 'mlp', fold: 7 })).rejects.toThrow(
      /no stored fold 8 \(fold index 7\); stored: folds 1, 2, 3/
    )
  }, 60_000)
})
