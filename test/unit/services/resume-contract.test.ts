/**
 * Interrupt and resume through the services (what the app's Resume button and closing the app do), with repeated
 * k-fold so that checkpoints live per fold: the resumed run's numbers equal an uninterrupted run's.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createServices, type Services } from '../../../main/services/index.ts'
import type { ModelResult, RunConfig } from '../../../main/contract/index.ts'

const IRIS = resolve('resources/examples/iris.csv')
const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function open(): Promise<{ services: Services; config: RunConfig; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'iunet-resume-contract-'))
  dirs.push(dataDir)
  const services = createServices({ dataDir, transport: 'websocket', workers: 1 })
  const d = await services.call('datasets.import', { path: IRIS })
  const defaults = await services.call('runs.defaults', { datasetId: d.id, preset: 'quick' })
  const config: RunConfig = {
    ...defaults,
    models: ['iunet', 'mlp'],
    seeds: 1,
    depth: 1,
    width: 16,
    epochs: 25,
    // A long finetune: the interrupt below lands well inside a task on any machine (a stop between two tasks
    // would leave no checkpoint to resume from).
    finetuneEpochs: 100,
    patience: 0,
    compressions: [8],
    split: { ...defaults.split, kfold: 2 }
  }
  return { services, config, dataDir }
}

const numbers = (rs: ModelResult[]) =>
  rs
    .map(({ trainSeconds: _t, inferenceMsPerExample: _i, ...rest }) => rest)
    .sort((a, b) => `${a.model}/${a.fold}/${a.compression}`.localeCompare(`${b.model}/${b.fold}/${b.compression}`))

describe('runs.resume', () => {
  it('an interrupted k-fold run resumes per fold to the uninterrupted numbers; finished runs keep no checkpoints', async () => {
    const ref = await open()
    let expected: ReturnType<typeof numbers>
    try {
      const run = await ref.services.call('runs.start', ref.config)
      await ref.services.whenFinished(run.id)
      const detail = await ref.services.call('runs.get', { id: run.id })
      expect(detail.status).toBe('finished')
      expected = numbers(detail.results)
      expect(expected).toHaveLength(2 * 2)
    } finally {
      await ref.services.close()
    }

    const { services, config, dataDir } = await open()
    let id: string
    try {
      id = (await services.call('runs.start', config)).id
      // Interrupt in the middle of the second task, 40 of its 100 finetune epochs in (iunet fold 0, 125 epochs, is
      // finished by then).
      for (let i = 0; i < 2400 && services.store.results.metrics(id).length < 190; i++) await sleep(25)
      await services.runs.interruptAll()
      const stopped = await services.call('runs.get', { id })
      expect(stopped.status).toBe('interrupted')
      // Stopped inside iunet fold 1: only fold 0 is done.
      expect(stopped.results.map((r) => `${r.model}/${r.fold}`)).toEqual(['iunet/0'])
      const resumeAgain = await services.handle('runs.resume', { id: 'nope' })
      expect(resumeAgain).toMatchObject({ ok: false, error: { code: 'not-found' } })
    } finally {
      await services.close()
    }

    const again = createServices({ dataDir, transport: 'websocket', workers: 1 })
    try {
      const ck = join(dataDir, 'runs', id, 'checkpoints')
      expect(existsSync(ck) && readdirSync(ck, { recursive: true }).some((f) => String(f).endsWith('state.ckpt'))).toBe(true)
      const summary = await again.call('runs.resume', { id })
      expect(['queued', 'running']).toContain(summary.status)
      expect(await again.handle('runs.resume', { id })).toMatchObject({ ok: false, error: { code: 'conflict' } })
      await again.whenFinished(id)
      const detail = await again.call('runs.get', { id })
      expect(detail.status).toBe('finished')
      expect(numbers(detail.results)).toEqual(expected)
      expect(existsSync(ck)).toBe(false)
      expect(await again.handle('runs.resume', { id })).toMatchObject({ ok: false, error: { code: 'conflict' } })
    } finally {
      await again.close()
    }
  }, 120_000)
})
