/**
 * studies.start / studies.estimate through the contract (what the wizard calls): validated like every call, the
 * summary answered before any cell has trained, progress as events, a second start of a running study not
 * running it twice, and the estimate equal to the sum of its cells' runs.estimate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createServices, type Services } from '../../../main/services/index.ts'
import type { StudyProgress, StudySpecInput } from '../../../main/contract/index.ts'

let dir: string
let services: Services
let spec: StudySpecInput
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'iunet-study-start-'))
  services = createServices({ dataDir: join(dir, 'data'), transport: 'websocket', workers: 1 })
  const ids: string[] = []
  for (const n of ['iris', 'wine']) ids.push((await services.call('datasets.import', { path: resolve(`resources/examples/${n}.csv`) })).id)
  spec = {
    name: 'wizard study',
    datasets: ids.map((id) => ({ id })),
    models: ['iunet', 'mlp'],
    seeds: 1,
    preset: 'quick',
    settings: { epochs: 1, finetuneEpochs: 1, width: 8, depth: 1, patience: 0 },
    grid: { kappa: [0.125, 1] }
  }
})
afterAll(async () => {
  await services.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('studies.start and studies.estimate', () => {
  it('rejects bad specs as invalid requests, naming the problem', async () => {
    await expect(services.call('studies.start', { ...spec, models: [] })).rejects.toMatchObject({ code: 'invalid-request' })
    await expect(services.call('studies.start', { ...spec, extra: 1 } as unknown as StudySpecInput)).rejects.toMatchObject({ code: 'invalid-request' })
    // a grid value the run config refuses: named with its dataset and grid point
    await expect(services.call('studies.start', { ...spec, grid: { kappa: [2] } })).rejects.toMatchObject({
      code: 'invalid-request',
      message: expect.stringContaining('kappa=2')
    })
    await expect(services.call('studies.estimate', { ...spec, datasets: [{ path: resolve('resources/examples/iris.csv') }] })).rejects.toMatchObject({
      code: 'invalid-request'
    })
    expect(await services.call('studies.list', {})).toEqual([])
  })

  it('estimates the sum of its cells (the dense MLP, which κ cannot change, trains in the first κ cell only)', async () => {
    const e = await services.call('studies.estimate', spec)
    expect(e).toMatchObject({ cells: 4, tasks: 6, basis: 'default' })
    let sum = 0
    for (const d of spec.datasets) {
      for (const kappa of [0.125, 1]) {
        const base = await services.call('runs.defaults', { datasetId: d.id!, preset: 'quick' })
        const models = kappa === 0.125 ? (['iunet', 'mlp'] as const) : (['iunet'] as const)
        sum += (await services.call('runs.estimate', { ...base, ...spec.settings, models: [...models], seeds: 1, kappa })).seconds
      }
    }
    expect(e.seconds).toBeCloseTo(sum, 6)
  })

  it('answers the summary at once, trains every cell in the background with progress, and does not start a running study twice', async () => {
    const events: StudyProgress[] = []
    services.bus.subscribe((e, p) => e === 'study.progress' && events.push(p as StudyProgress))
    const summary = await services.call('studies.start', spec)
    expect(summary).toMatchObject({ name: 'wizard study', cells: 4, finishedCells: 0, datasets: 2 })
    const again = await services.call('studies.start', spec)
    expect(again.id).toBe(summary.id)
    await services.studies.whenFinished(summary.id)
    expect(events.at(-1)).toMatchObject({ studyId: summary.id, cellsDone: 4, cells: 4 })
    // one run per cell: the second start did not run any cell again
    expect(services.store.studies.cellRuns(summary.id).map((r) => r.status)).toEqual(['finished', 'finished', 'finished', 'finished'])
    const detail = await services.call('studies.get', { id: summary.id })
    expect(detail.finishedCells).toBe(4)
    expect(detail.datasetList.map((d) => d.name)).toEqual(['iris', 'wine'])
    expect(detail.matrix.every((row) => row.every((m) => m !== null && m.n === 1))).toBe(true)
    // started again once finished: the same study, nothing rerun
    const third = await services.call('studies.start', spec)
    expect(third).toMatchObject({ id: summary.id, finishedCells: 4 })
    await services.studies.whenFinished(summary.id)
    expect(services.store.studies.cellRuns(summary.id)).toHaveLength(4)
  }, 60_000)

  it('studies.cancel stops a running study (no further cell starts, training cells end cancelled); studies.resume trains the rest', async () => {
    await expect(services.call('studies.cancel', { id: 'nope' })).rejects.toMatchObject({ code: 'not-found' })
    const slow = { ...spec, name: 'stopped study', settings: { ...spec.settings, epochs: 40, finetuneEpochs: 40 } }
    const started = await services.call('studies.start', slow)
    expect(started.active).toBe(true)
    for (let i = 0; i < 2000 && !services.store.studies.cellRuns(started.id).some((r) => r.status === 'running'); i++)
      await new Promise((r) => setTimeout(r, 10))
    const stopped = await services.call('studies.cancel', { id: started.id })
    expect(stopped.id).toBe(started.id)
    await services.studies.whenFinished(started.id)
    const after = await services.call('studies.get', { id: started.id })
    expect(after.active).toBe(false)
    const statuses = services.store.studies.cellRuns(started.id).map((r) => r.status)
    // Two cells train at once, so at most two ever started; none is left running, and the one training was cancelled.
    expect(statuses.length).toBeLessThanOrEqual(2)
    expect(statuses).toContain('cancelled')
    expect(statuses).not.toContain('running')
    expect(after.finishedCells).toBeLessThan(4)
    // Nothing is running now, so there is nothing to stop.
    await expect(services.call('studies.cancel', { id: started.id })).rejects.toMatchObject({ code: 'conflict' })

    const resumed = await services.call('studies.resume', { id: started.id })
    expect(resumed).toMatchObject({ id: started.id, active: true })
    await services.studies.whenFinished(started.id)
    const done = await services.call('studies.get', { id: started.id })
    expect(done).toMatchObject({ finishedCells: 4, active: false })
    // Cells finished before the stop were not trained again: one finished run per cell.
    const finished = services.store.studies.cellRuns(started.id).filter((r) => r.status === 'finished')
    expect(new Set(finished.map((r) => r.cell)).size).toBe(4)
    expect(finished).toHaveLength(4)
  }, 120_000)
})
