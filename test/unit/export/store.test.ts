/** The model store: atomic folders, the start-up sweep of a crash's temp folders, and clear errors for what is not stored. */
import { afterAll, describe, expect, it } from 'vitest'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { unzipSync } from 'fflate'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServices } from '../../../main/services/index.ts'
import { modelFolderName } from '../../../main/services/models.ts'

const tmp = mkdtempSync(join(tmpdir(), 'iunet-models-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('model store', () => {
  it('a start removes temp folders left in runs/<id>/models, keeps finished model folders; export of a missing model is not-found', async () => {
    const dataDir = join(tmp, 'd')
    const first = createServices({ dataDir, transport: 'websocket', workers: 1 })
    const ds = await first.call('datasets.import', { path: 'resources/examples/iris.csv' })
    const cfg = await first.call('runs.defaults', { datasetId: ds.id, preset: 'quick' })
    const run = await first.call('runs.start', { ...cfg, models: ['mlp'], seeds: 1, epochs: 1, finetuneEpochs: 1, width: 8, depth: 1 })
    await first.whenFinished(run.id)
    const models = join(dataDir, 'runs', run.id, 'models')
    expect(readdirSync(models)).toEqual([modelFolderName('mlp', 0, 1)])
    expect(readdirSync(join(models, 'mlp__seed0__r1')).sort()).toEqual(['model.json', 'preprocessing.json', 'weights.bin'])
    await expect(first.call('models.export', { runId: run.id, model: 'iunet' })).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringMatching(/no stored weights for iunet \(stored: mlp\)/)
    })
    await first.close()
    // A crash mid-write leaves a temp folder beside the model folders.
    const crash = join(models, 'mlp__seed1__r1.tmp-deadbeef')
    mkdirSync(crash)
    writeFileSync(join(crash, 'weights.bin'), 'partial')
    const next = createServices({ dataDir, transport: 'websocket', workers: 1 })
    try {
      expect(existsSync(crash)).toBe(false)
      expect(readdirSync(models)).toEqual(['mlp__seed0__r1'])
      const out = await next.call('models.export', { runId: run.id, model: 'mlp' })
      expect(out.dir).toBe(join(dataDir, 'exports', run.id, 'mlp__seed0__r1'))
      expect(out.files.sort()).toEqual(['card.md', 'model.json', 'model.onnx', 'preprocessing.json', 'weights.bin'])
      // The same bundle as a zip in the answer (for a browser on a lab server), written nowhere; byte for byte the folder.
      const exported = readdirSync(join(dataDir, 'exports', run.id))
      const z = await next.call('models.download', { runId: run.id, model: 'mlp' })
      expect(z.name).toBe('mlp__seed0__r1.zip')
      const bytes = Buffer.from(z.zip, 'base64')
      expect(bytes.byteLength).toBe(z.bytes)
      const entries = unzipSync(bytes)
      expect(Object.keys(entries).sort()).toEqual(out.files.sort().map((f) => `mlp__seed0__r1/${f}`))
      for (const f of out.files) expect(Buffer.from(entries[`mlp__seed0__r1/${f}`]!).equals(readFileSync(join(out.dir, f))), f).toBe(true)
      expect(readdirSync(join(dataDir, 'exports', run.id))).toEqual(exported)
      // The same model always gives the same zip.
      expect((await next.call('models.download', { runId: run.id, model: 'mlp' })).zip).toBe(z.zip)
      await expect(next.call('models.download', { runId: run.id, model: 'mlp', seed: 7 })).rejects.toMatchObject({ code: 'not-found' })
      await expect(next.call('models.download', { runId: run.id, model: 'mlp', out: '/tmp/x' } as never)).rejects.toMatchObject({ code: 'invalid-request' })
    } finally {
      await next.close()
    }
  })
})
