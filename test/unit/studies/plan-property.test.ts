/**
 * The services' plan is what trains. For random study specs (models × seeds × k-fold or not × ratios × a small grid;
 * seeded, so a failure names its seed), on iris with 1 + 1 epochs:
 *  - studies.estimate's cells and tasks equal the stored study's cells and the sum of runTasks over their configs;
 *  - after the study has run, each cell's stored results are exactly runResults(cell config) (task × ratio), and
 *    every task of runTasks(cell config) stored epochs: nothing more, nothing less, folds included.
 * The wizard's count is the renderer's side of the same property (contract planStudy).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type ModelKind, type StudySpecInput, resultKey, runResults, runTasks, taskKey } from '../../../main/contract/index.ts'
import { deriveSeed, mulberry32 } from '../../../main/lib/random.ts'
import { createServices } from '../../../main/services/index.ts'

const tmp = mkdtempSync(join(tmpdir(), 'iunet-plan-property-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const TABULAR: ModelKind[] = ['iunet', 'mlp', 'omp', 'no-pis', 'no-ilo', 'iunet-noprune']
const GRIDS: Record<string, unknown[][]> = {
  kappa: [[0.125], [0.125, 1]],
  learningRate: [[0.01, 0.003]],
  compressions: [[[2]], [[2], [4]]],
  lambda: [[0.5, 1]]
}

/**
 * A random spec from `seed`: what a user could ask for, small enough to train in a second or two. `covering` makes
 * it k-fold with a grid, so every batch checks folds and cells at least once.
 */
function randomSpec(seed: number, datasetId: string, covering: boolean): StudySpecInput {
  const rnd = mulberry32(deriveSeed(seed, 'plan-property'))
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!
  const models = TABULAR.filter(() => rnd() < 0.35)
  if (!models.length) models.push(pick(TABULAR))
  const gridKey = covering ? pick(Object.keys(GRIDS)) : pick([null, ...Object.keys(GRIDS)])
  return {
    name: `property ${seed}`,
    datasets: [{ id: datasetId }],
    models,
    seeds: 1 + Math.floor(rnd() * 2),
    settings: {
      epochs: 1,
      finetuneEpochs: 1,
      width: 8,
      depth: 1,
      patience: 0,
      compressions: pick([[2], [2, 4]]),
      split: { kfold: covering ? pick([2, 3]) : pick([null, 2, 3]) }
    },
    grid: gridKey ? { [gridKey]: pick(GRIDS[gridKey]!) } : {}
  }
}

describe('study plan = what is stored', () => {
  it('for random specs, the estimate counts and the cells plan exactly the tasks and results stored', async () => {
    const services = createServices({ dataDir: join(tmp, 'data'), transport: 'websocket', workers: 1 })
    try {
      const iris = await services.call('datasets.import', { path: resolve('resources/examples/iris.csv') })
      const base = Number(process.env.PLAN_SEED ?? Date.now() % 100000)
      let tasks = 0
      for (let i = 0; i < 5; i++) {
        const seed = base + i
        const spec = randomSpec(seed, iris.id, i === 0)
        const why = `PLAN_SEED=${base} (spec ${i}): ${JSON.stringify(spec)}`
        const est = await services.call('studies.estimate', spec)
        const { study, finished } = await services.runStudy(spec, { concurrency: 1 })
        await finished
        expect(est.cells, why).toBe(study.cells.length)
        expect(est.tasks, why).toBe(study.cells.reduce((n, c) => n + runTasks(c.config).length, 0))
        tasks += est.tasks
        const runOf = new Map(services.store.studies.cellRuns(study.id).map((r) => [r.cell, r]))
        for (const cell of study.cells) {
          const run = runOf.get(cell.key)
          expect(run?.status, why).toBe('finished')
          const results = services.store.results.results(run!.runId)
          expect(results.map(resultKey).sort(), why).toEqual(runResults(cell.config).map(resultKey).sort())
          const trained = new Set(services.store.results.metrics(run!.runId).map(taskKey))
          expect([...trained].sort(), why).toEqual(runTasks(cell.config).map(taskKey).sort())
        }
      }
      // Not vacuous: the batch trained something, k-fold included (spec 0).
      expect(tasks).toBeGreaterThan(5)
    } finally {
      await services.close()
    }
  }, 120_000)
})
