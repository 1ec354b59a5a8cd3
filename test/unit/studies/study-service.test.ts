/** The study service end to end on this machine: cells as runs grouped by the study, resumable, progress events. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createServices, type Services } from '../../../main/services/index.ts'
import type { StudyProgress } from '../../../main/contract/index.ts'

let dir: string
let services: Services
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'iunet-study-'))
  services = createServices({ dataDir: join(dir, 'data'), transport: 'websocket', workers: 1 })
})
afterAll(async () => {
  await services.close()
  rmSync(dir, { recursive: true, force: true })
})

const spec = {
  name: 'resume me',
  datasets: [{ path: resolve('resources/examples/iris.csv') }],
  models: ['mlp' as const],
  seeds: 1,
  settings: { epochs: 1, finetuneEpochs: 1, width: 8, depth: 1, patience: 0 },
  grid: { learningRate: [0.01, 0.001] }
}

describe('study service', () => {
  it('runs each cell once, skips finished cells when run again, retries only a failed one', async () => {
    const events: StudyProgress[] = []
    services.bus.subscribe((e, p) => e === 'study.progress' && events.push(p as StudyProgress))
    const first = await services.studies.run(spec, { concurrency: 2 })
    await first.finished
    expect(first.study.cells).toHaveLength(2)
    expect(events.at(-1)).toMatchObject({ cellsDone: 2, cells: 2 })
    const runsAfterFirst = services.store.studies.cellRuns(first.study.id)
    expect(runsAfterFirst.map((r) => r.status)).toEqual(['finished', 'finished'])

    const again = await services.studies.run(spec)
    expect(again.study.id).toBe(first.study.id)
    await again.finished
    expect(services.store.studies.cellRuns(first.study.id)).toHaveLength(2)

    // a cell whose run failed is run again; the finished one is not
    services.store.runs.setStatus(runsAfterFirst[1]!.runId, 'failed', 'boom')
    const retry = await services.studies.run(spec)
    await retry.finished
    const runs = services.store.studies.cellRuns(first.study.id)
    expect(runs).toHaveLength(3)
    expect(runs[2]!.cell).toBe(runsAfterFirst[1]!.cell)

    const list = await services.call('studies.list', {})
    expect(list).toEqual([expect.objectContaining({ id: first.study.id, cells: 2, finishedCells: 2, datasets: 1 })])
    const detail = await services.call('studies.get', { id: first.study.id })
    expect(detail.variants.map((v) => v.label)).toEqual(['Dense MLP · learningRate=0.01', 'Dense MLP · learningRate=0.001'])
    expect(detail.cellList.map((c) => c.runId)).toEqual([runsAfterFirst[0]!.runId, runs[2]!.runId])
    expect(detail.matrix[0]!.every((m) => m !== null && m.n === 1)).toBe(true)
  }, 90_000)
})
