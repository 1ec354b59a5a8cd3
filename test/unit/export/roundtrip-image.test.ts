/** `iunet run` → `iunet export` → `iunet predict` on an image dataset (digits 8×8): MLP and CNN bundles, ONNX checked. */
import { beforeAll, describe, expect, it } from 'vitest'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { checkBundle, iunet, tmp, train, useCpu } from './roundtrip-helpers.ts'

describe('export and predict round trip, images', () => {
  beforeAll(useCpu)

  it('images (digits 8×8): MLP and CNN', async () => {
    const dataDir = join(tmp, 'img')
    const sample = join(tmp, 'digits-head.csv')
    // A few hundred rows keep the CNN quick.
    writeFileSync(sample, readFileSync('resources/examples/digits_8x8.csv', 'utf8').split('\n').slice(0, 301).join('\n') + '\n')
    const runId = train(dataDir, ['--data', sample, '--shape', '8x8x1', '--models', 'mlp,cnn', '--epochs', '2', '--width', '16', '--depth', '1'])
    for (const model of ['mlp', 'cnn']) {
      const bundle = join(tmp, `img-${model}`)
      const e = iunet('export', '--run', runId, '--model', model, '--seed', '0', '--out', bundle, '--data-dir', dataDir)
      expect(e.status, e.stderr).toBe(0)
      const predictions = join(tmp, `img-${model}.csv`)
      const p = iunet('predict', '--model', bundle, '--data', sample, '--out', predictions, '--data-dir', dataDir)
      expect(p.status, p.stderr).toBe(0)
      const { pre } = await checkBundle(bundle, sample, predictions)
      expect(pre.imageShape).toEqual([8, 8, 1])
      expect(pre.inputColumns[9]).toBe('px_1_1')
    }
  })
})
